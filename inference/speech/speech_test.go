package speech

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/vad"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/inference/whisper/whispertest"
	"github.com/samojournal/samo/journal"
)

// The tests run the real onnxruntime (from `make deps`, or SAMO_ORT_LIB),
// the real Silero VAD model and a scripted Whisper model (whispertest),
// whose transcript is known from where the speech lies in each 30 s
// window: one word per 5 s region that holds speech. The speech is
// espeak-ng's, from the vad package's fixtures.

var shared inferencetest.Shared

func TestMain(m *testing.M) { shared.Main(m) }

// openScripted writes a scripted Whisper model into a folder named name
// and opens a Pipeline on it.
func openScripted(t *testing.T, name string, o Options) *Pipeline {
	t.Helper()
	return openScriptedWith(t, name, whispertest.ScriptConfig{}, o)
}

// openScriptedWith is openScripted with a scripted model of cfg.
func openScriptedWith(t *testing.T, name string, cfg whispertest.ScriptConfig, o Options) *Pipeline {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := whispertest.WriteScripted(dir, cfg, ""); err != nil {
		t.Fatal(err)
	}
	p, err := Open(shared.Runtime(t), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// utterance reads the vad package's speech fixture testdata/uttN.wav (16
// kHz mono).
func utterance(t *testing.T, n int) []float32 {
	t.Helper()
	path := filepath.Join("..", "vad", "testdata", "utt"+string(rune('0'+n))+".wav")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("speech fixture: %v", err)
	}
	clip, err := audio.DecodeWAV(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if clip.Rate != whisper.SampleRate || clip.Channels != 1 {
		t.Fatalf("%s: %d Hz × %d channels, want 16 kHz mono", path, clip.Rate, clip.Channels)
	}
	return clip.Samples
}

// tolerance is how far a segment's start or end may be from its
// utterance's: the VAD's (the vad tests hold it to 150 ms), which also
// covers its 30 ms padding and the scripted model's 20 ms timestamps.
const tolerance = 150 * time.Millisecond

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func silence(d time.Duration) []float32 {
	return make([]float32, int64(d)*whisper.SampleRate/int64(time.Second))
}

// span is where an utterance's speech lies in composed audio.
type span struct{ start, end time.Duration }

// speechFloor is the amplitude above which a sample of an utterance counts
// as speech (−40 dBFS): espeak-ng adds quiet stretches of its own at each
// end, which are not speech.
const speechFloor = 0.01

// compose lays out silence and utterances: each part is either a
// time.Duration of silence or []float32 speech. It returns the audio and
// where each utterance's speech (its samples above speechFloor) lies.
func compose(parts ...any) ([]float32, []span) {
	var x []float32
	var spans []span
	for _, p := range parts {
		switch p := p.(type) {
		case time.Duration:
			x = append(x, silence(p)...)
		case []float32:
			first, last := -1, 0
			for i, v := range p {
				if math.Abs(float64(v)) > speechFloor {
					if first < 0 {
						first = i
					}
					last = i + 1
				}
			}
			toTime := func(n int) time.Duration {
				return time.Duration(int64(len(x)+n) * int64(time.Second) / whisper.SampleRate)
			}
			spans = append(spans, span{toTime(first), toTime(last)})
			x = append(x, p...)
		}
	}
	return x, spans
}

// Speech reaches Whisper along the spans the VAD finds: each span starts a
// window, so the scripted model hears the first utterance of a window in
// its first region (" Today") and one 11 s later in its third
// (" walked"); the silence between windows is never read.
func TestPipeline_Transcribe(t *testing.T) {
	p := openScripted(t, "whisper-scripted.en", Options{Whisper: whisper.Options{Timestamps: true}})
	samples, truth := compose(seconds(1.5), utterance(t, 1), seconds(8), utterance(t, 3), seconds(40), utterance(t, 2), seconds(2))
	total := time.Duration(int64(len(samples)) * int64(time.Second) / whisper.SampleRate)

	var calls [][2]int
	tr, err := p.Transcribe(context.Background(), samples, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if tr.Model != "whisper-scripted.en" || tr.Language != "en" {
		t.Errorf("model %q, language %q; want whisper-scripted.en, en", tr.Model, tr.Language)
	}
	want := []string{"Today", "walked", "Today"}
	if len(tr.Segments) != len(want) {
		t.Fatalf("segments %+v, want %q", tr.Segments, want)
	}
	// Each segment follows its utterance's speech to within tolerance,
	// and all lie inside the audio, in order.
	var prev time.Duration
	for i, s := range tr.Segments {
		u := truth[i]
		if s.Text != want[i] {
			t.Errorf("segment %d: text %q, want %q", i, s.Text, want[i])
		}
		if s.Start < prev || s.End <= s.Start || s.End > total {
			t.Errorf("segment %d: %v–%v out of order or outside the audio (%v)", i, s.Start, s.End, total)
		}
		if (s.Start-u.start).Abs() > tolerance || (s.End-u.end).Abs() > tolerance {
			t.Errorf("segment %d: %v–%v, utterance at %v–%v", i, s.Start, s.End, u.start, u.end)
		}
		prev = s.End
	}
	totalMS := int(total.Milliseconds())
	if len(calls) == 0 || calls[len(calls)-1] != [2]int{totalMS, totalMS} {
		t.Errorf("progress %v, want it to end at [%d %d]", calls, totalMS, totalMS)
	}

	// Read gives Whisper's result as it is.
	r, err := p.Read(context.Background(), samples, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "Today walked Today" || len(r.Segments) != 3 {
		t.Errorf("read %q %+v", r.Text, r.Segments)
	}
	if p.Name() != "whisper-scripted.en" || p.Provider() != "cpu" || strings.Join(p.Languages(), ",") != "en" {
		t.Errorf("name %q, provider %q, languages %v", p.Name(), p.Provider(), p.Languages())
	}
}

// Each segment carries its words with times in the recording's time:
// aligned on the cross-attention of an export that gives it (following
// the utterance), else spread over the segment and marked Interpolated.
func TestPipeline_TranscribeWords(t *testing.T) {
	samples, truth := compose(seconds(1.5), utterance(t, 1), seconds(8), utterance(t, 3), seconds(40), utterance(t, 2), seconds(2))
	for _, cross := range []bool{true, false} {
		p := openScriptedWith(t, "whisper-scripted.en", whispertest.ScriptConfig{CrossAttention: cross}, Options{Whisper: whisper.Options{Timestamps: true}})
		tr, err := p.Transcribe(context.Background(), samples, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Segments) != len(truth) {
			t.Fatalf("cross-attention %v: segments %+v", cross, tr.Segments)
		}
		for i, s := range tr.Segments {
			if len(s.Words) != 1 {
				t.Fatalf("cross-attention %v: segment %d words %+v", cross, i, s.Words)
			}
			w := s.Words[0]
			if strings.TrimSpace(w.Text) != s.Text || w.Interpolated == cross || w.Start < s.Start || w.End > s.End {
				t.Errorf("cross-attention %v: segment %d (%v–%v %q) word %+v", cross, i, s.Start, s.End, s.Text, w)
			}
			if (w.Start-truth[i].start).Abs() > tolerance || (w.End-truth[i].end).Abs() > tolerance {
				t.Errorf("cross-attention %v: word %q %v–%v, utterance at %v–%v", cross, w.Text, w.Start, w.End, truth[i].start, truth[i].end)
			}
		}
	}
}

// Without timestamps a window is one segment, ended with Whisper's ".",
// which the transcript keeps; a journal.Service takes the Pipeline as its
// Transcriber.
func TestPipeline_TranscribeWithoutTimestamps(t *testing.T) {
	p := openScripted(t, "plain", Options{})
	var tr journal.Transcriber = p
	samples, _ := compose(seconds(0.5), utterance(t, 4), seconds(1))
	got, err := tr.Transcribe(context.Background(), samples, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Segments) != 1 || got.Segments[0].Text != "Today." || got.Model != "plain" {
		t.Errorf("transcript %+v", got)
	}
}

// Silence gives a transcript without segments, and never reaches Whisper:
// with Whisper closed, silence still reads while speech fails.
func TestPipeline_Silence(t *testing.T) {
	p := openScripted(t, "model", Options{Whisper: whisper.Options{Timestamps: true}})
	zeros := silence(20 * time.Second)
	var last [2]int
	tr, err := p.Transcribe(context.Background(), zeros, func(done, total int) { last = [2]int{done, total} })
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Segments) != 0 || tr.Model != "model" {
		t.Errorf("silence gave %+v", tr)
	}
	if last != [2]int{20000, 20000} {
		t.Errorf("last progress %v, want [20000 20000]", last)
	}

	if err := p.whisper.Close(); err != nil {
		t.Fatal(err)
	}
	if tr, err := p.Transcribe(context.Background(), zeros, nil); err != nil || len(tr.Segments) != 0 {
		t.Errorf("silence with Whisper closed: %+v, %v", tr, err)
	}
	if r, err := p.Read(context.Background(), nil, nil); err != nil || len(r.Segments) != 0 {
		t.Errorf("no audio: %+v, %v", r, err)
	}
	speech, _ := compose(seconds(1), utterance(t, 5), seconds(1))
	if _, err := p.Transcribe(context.Background(), speech, nil); !errors.Is(err, whisper.ErrClosed) {
		t.Errorf("speech with Whisper closed: got %v, want whisper.ErrClosed", err)
	}
}

func TestPipeline_Errors(t *testing.T) {
	p := openScripted(t, "model", Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	speech, _ := compose(seconds(1), utterance(t, 5), seconds(1))
	if _, err := p.Transcribe(ctx, speech, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	if _, err := p.Transcribe(context.Background(), []float32{float32(math.NaN())}, nil); err == nil {
		t.Error("NaN sample: no error")
	}
	var none *Pipeline
	if _, err := none.Transcribe(context.Background(), speech, nil); !errors.Is(err, journal.ErrNoSpeechModel) {
		t.Errorf("nil pipeline: got %v, want journal.ErrNoSpeechModel", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Transcribe(context.Background(), speech, nil); !errors.Is(err, vad.ErrClosed) {
		t.Errorf("closed: got %v, want vad.ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// A folder without a model, or no folder, is refused as a speech model; a
// missing or bad VAD model is refused as a voice activity model (Open
// closes the Whisper model it opened first).
func TestOpen_Refuses(t *testing.T) {
	rt := shared.Runtime(t)
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "missing"), ""} {
		p, err := Open(rt, dir, Options{})
		if err == nil {
			p.Close()
			t.Fatalf("%q: opened", dir)
		}
		if !strings.HasPrefix(err.Error(), "speech model: ") {
			t.Errorf("%q: error %q does not say speech model", dir, err)
		}
		if dir == "" && !errors.Is(err, journal.ErrNoSpeechModel) {
			t.Errorf("no folder: error %q is not journal.ErrNoSpeechModel", err)
		}
	}

	dir := filepath.Join(t.TempDir(), "model")
	if err := whispertest.WriteScripted(dir, whispertest.ScriptConfig{}, ""); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "vad.onnx")
	if err := os.WriteFile(bad, []byte("not onnx"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(t.TempDir(), "none.onnx")} {
		p, err := Open(rt, dir, Options{VADModel: path})
		if err == nil {
			p.Close()
			t.Fatalf("VAD model %s: opened", path)
		}
		if !strings.Contains(err.Error(), "voice activity model") || !strings.Contains(err.Error(), path) {
			t.Errorf("VAD model %s: error %q", path, err)
		}
	}
	p, err := Open(rt, dir, Options{MinSilence: -time.Second, Whisper: whisper.Options{Provider: "cpu"}})
	if err != nil {
		t.Fatalf("no minimum silence: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Error(err)
	}
}

// writeWAV writes samples as a 16-bit WAV file and returns its bytes.
func writeWAV(t *testing.T, rate, channels int, samples []float32) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec.wav")
	w, err := audio.CreateWAV(path, rate, channels)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(samples); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tone returns frames of a 440 Hz tone at rate, the same in every channel.
func tone(rate, channels, frames int) []float32 {
	s := make([]float32, frames*channels)
	for i := range frames {
		v := float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		for c := range channels {
			s[i*channels+c] = v
		}
	}
	return s
}

func TestDecoder(t *testing.T) {
	var d journal.AudioDecoder = Decoder{}
	tests := []struct {
		name            string
		rate, channels  int
		frames          int
		duration        time.Duration
		samples         int // at 16 kHz
		samplesTolerate int
	}{
		{"16 kHz mono", 16000, 1, 40000, 2500 * time.Millisecond, 40000, 0},
		{"16 kHz stereo", 16000, 2, 24000, 1500 * time.Millisecond, 24000, 0},
		{"48 kHz stereo", 48000, 2, 96000, 2 * time.Second, 32000, 1},
		{"44.1 kHz mono", 44100, 1, 22050, 500 * time.Millisecond, 8000, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := writeWAV(t, tt.rate, tt.channels, tone(tt.rate, tt.channels, tt.frames))
			info, samples, err := d.DecodeAudio(data)
			if err != nil {
				t.Fatal(err)
			}
			want := journal.Audio{Format: "wav", SampleRate: tt.rate, Channels: tt.channels, Duration: tt.duration, Bytes: int64(len(data))}
			if info != want {
				t.Errorf("audio %+v, want %+v", info, want)
			}
			if n := len(samples); n < tt.samples-tt.samplesTolerate || n > tt.samples+tt.samplesTolerate {
				t.Errorf("%d samples at 16 kHz, want %d", n, tt.samples)
			}
			// The tone survives the mix and the resampling.
			var peak float32
			for _, s := range samples[len(samples)/4 : len(samples)*3/4] {
				peak = max(peak, s)
			}
			if peak < 0.45 || peak > 0.55 {
				t.Errorf("peak %v, want about 0.5", peak)
			}
		})
	}

	t.Run("mp3", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join("..", "..", "audio", "testdata", "seed.mp3"))
		if err != nil {
			t.Fatal(err)
		}
		clip, err := audio.DecodeMP3(data)
		if err != nil {
			t.Fatal(err)
		}
		info, samples, err := d.DecodeAudio(data)
		if err != nil {
			t.Fatal(err)
		}
		if info.Format != "mp3" || info.SampleRate != clip.Rate || info.Channels != 2 || info.Bytes != int64(len(data)) ||
			info.Duration != time.Duration(int64(clip.Frames())*int64(time.Second)/int64(clip.Rate)) || len(samples) != len(clip.Mono16k()) {
			t.Errorf("mp3: %+v with %d samples; clip %d Hz, %d frames", info, len(samples), clip.Rate, clip.Frames())
		}
	})

	for name, data := range map[string][]byte{
		"garbage":   []byte("this is not audio at all"),
		"empty":     nil,
		"truncated": writeWAV(t, 16000, 1, tone(16000, 1, 100))[:30],
		"ogg":       []byte("OggS\x00\x02 and then some"),
	} {
		if _, _, err := d.DecodeAudio(data); err == nil || !strings.HasPrefix(err.Error(), "speech: decode recording: ") {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if _, _, err := d.DecodeAudio([]byte("nope")); !errors.Is(err, audio.ErrUnknownFormat) {
		t.Errorf("garbage: %v does not wrap audio.ErrUnknownFormat", err)
	}
}

// A recording of SAMO's own cut short (a crash while it was written: its
// header declares more audio than the file holds) is read up to its end,
// with a warning, where audio.DecodeFile refuses such a file.
func TestDecoder_ReadsARecordingCutShort(t *testing.T) {
	data := writeWAV(t, 16000, 1, tone(16000, 1, 32000))
	cut := data[:44+2*16000+1] // a second and half a sample of the two
	if _, err := audio.Decode(cut); !errors.Is(err, audio.ErrTruncated) {
		t.Fatalf("audio.Decode of a cut file: %v, want ErrTruncated", err)
	}
	var warnings []string
	info, samples, err := Decoder{Warn: func(msg string) { warnings = append(warnings, msg) }}.DecodeAudio(cut)
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 16000 || info.Duration != time.Second {
		t.Errorf("%d samples, %v; want the 16,000 (1 s) the file holds", len(samples), info.Duration)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "cut short") || !strings.Contains(warnings[0], "1.0 s") {
		t.Errorf("warnings %q, want one saying the recording was cut short and 1.0 s is read", warnings)
	}
	if _, _, err := (Decoder{Warn: func(string) {}}).DecodeAudio(data[:44]); err == nil {
		t.Error("a recording with no audio at all was read")
	}
}
