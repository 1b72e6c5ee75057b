package whisper_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/inference/whisper/whispertest"
)

// scripted writes a scripted model folder and opens it.
func scripted(t *testing.T, cfg whispertest.ScriptConfig, o whisper.Options) *whisper.Model {
	t.Helper()
	return scriptedWith(t, cfg, o, "")
}

// scriptedWith is scripted with GPT-2's vocabulary files from gpt2Dir.
func scriptedWith(t *testing.T, cfg whispertest.ScriptConfig, o whisper.Options, gpt2Dir string) *whisper.Model {
	t.Helper()
	rt := whisper.SharedRuntime(t)
	dir := t.TempDir()
	if err := whispertest.WriteScripted(dir, cfg, gpt2Dir); err != nil {
		t.Fatal(err)
	}
	m, err := whisper.Open(rt, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// features returns normalized log-mel-like features: -1.1 (silence)
// except in the given spans of encoder frames (20 ms each), where they are
// 0.9.
func features(spans ...[2]int) []float32 {
	f := make([]float32, 80*whisper.WindowFrames)
	for i := range f {
		f[i] = -1.1
	}
	for _, s := range spans {
		for m := range 80 {
			for t := 2 * s[0]; t < 2*s[1]; t++ {
				f[m*whisper.WindowFrames+t] = 0.9
			}
		}
	}
	return f
}

func TestModel_TranscribeFeatures(t *testing.T) {
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	tests := []struct {
		name         string
		multilingual bool
		split        bool
		opts         whisper.Options
		spans        [][2]int
		text         string
		language     string
		segments     [][2]time.Duration // with timestamps
	}{
		{name: "three regions", spans: [][2]int{{10, 100}, {520, 600}, {1100, 1200}}, text: "Today walked felt.", language: "en"},
		{name: "other regions", spans: [][2]int{{300, 320}, {800, 900}, {1300, 1400}}, text: "I and calm.", language: "en"},
		{name: "all regions", spans: [][2]int{{0, 1500}}, text: "Today I walked and felt calm.", language: "en"},
		{name: "timestamps", opts: whisper.Options{Timestamps: true}, spans: [][2]int{{10, 100}, {520, 600}, {1100, 1200}},
			text: "Today walked felt", language: "en",
			segments: [][2]time.Duration{{0, sec(2)}, {sec(10.4), sec(12)}, {sec(22), sec(24)}}},
		{name: "detects English", multilingual: true, spans: [][2]int{{10, 100}, {800, 900}}, text: "Today and.", language: "en"},
		{name: "detects French", multilingual: true, spans: [][2]int{{300, 320}}, text: "I.", language: "fr"},
		{name: "language given", multilingual: true, opts: whisper.Options{Language: "de"}, spans: [][2]int{{300, 320}}, text: "I.", language: "de"},
		{name: "multilingual timestamps", multilingual: true, opts: whisper.Options{Timestamps: true, Language: "en"},
			spans: [][2]int{{300, 320}, {1300, 1400}}, text: "I calm", language: "en",
			segments: [][2]time.Duration{{0, sec(6.4)}, {sec(26), sec(28)}}},
		{name: "split decoder", split: true, spans: [][2]int{{300, 320}, {800, 900}}, text: "I and.", language: "en"},
		{name: "split decoder timestamps", split: true, multilingual: true, opts: whisper.Options{Timestamps: true},
			spans: [][2]int{{10, 100}, {1300, 1400}}, text: "Today calm", language: "en",
			segments: [][2]time.Duration{{0, sec(2)}, {sec(26), sec(28)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := scripted(t, whispertest.ScriptConfig{Multilingual: tt.multilingual, Split: tt.split}, tt.opts)
			var calls []int
			res, err := m.TranscribeFeatures(context.Background(), [][]float32{features(tt.spans...)}, nil,
				func(done, total int) { calls = append(calls, done, total) })
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != tt.text || res.Language != tt.language {
				t.Errorf("got %q in %q, want %q in %q", res.Text, res.Language, tt.text, tt.language)
			}
			if !slices.Equal(calls, []int{1, 1}) {
				t.Errorf("progress calls %v, want [1 1]", calls)
			}
			for _, s := range res.Segments {
				if s.Temperature != 0 || s.AvgLogProb < -0.01 || s.NoSpeech || s.NoSpeechProb > 0.01 {
					t.Errorf("segment %+v: want a sure greedy transcript", s)
				}
			}
			if tt.segments == nil {
				if len(res.Segments) != 1 || res.Segments[0].Start != 0 || res.Segments[0].End != 30*time.Second {
					t.Errorf("segments %+v, want one for the window", res.Segments)
				}
				return
			}
			words := strings.Fields(tt.text)
			if len(res.Segments) != len(tt.segments) {
				t.Fatalf("segments %+v, want %d", res.Segments, len(tt.segments))
			}
			for i, s := range res.Segments {
				if s.Start != tt.segments[i][0] || s.End != tt.segments[i][1] || s.Text != words[i] {
					t.Errorf("segment %d: %v–%v %q, want %v–%v %q", i, s.Start, s.End, s.Text, tt.segments[i][0], tt.segments[i][1], words[i])
				}
			}
		})
	}
}

// Silence: <|nospeech|> is likely and the hallucinated " you" unsure, so
// the window is taken for silence, without falling back.
func TestModel_TranscribeFeatures_Silence(t *testing.T) {
	for _, ts := range []bool{false, true} {
		m := scripted(t, whispertest.ScriptConfig{}, whisper.Options{Timestamps: ts})
		res, err := m.TranscribeFeatures(context.Background(), [][]float32{features(), features([2]int{700, 720})},
			[]time.Duration{0, 30 * time.Second}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Segments) < 2 {
			t.Fatalf("timestamps %v: segments %+v", ts, res.Segments)
		}
		s := res.Segments[0]
		if !s.NoSpeech || s.Text != "" || s.NoSpeechProb < 0.9 || s.Temperature != 0 || s.End != 30*time.Second {
			t.Errorf("timestamps %v: silent window gave %+v", ts, s)
		}
		if res.Text != "walked." && res.Text != "walked" {
			t.Errorf("timestamps %v: text %q, want the second window's", ts, res.Text)
		}
		if last := res.Segments[len(res.Segments)-1]; last.Start < 30*time.Second {
			t.Errorf("timestamps %v: second window's segment starts at %v", ts, last.Start)
		}
	}
}

// A decoder that loops fails the compression check at every temperature;
// the last attempt is kept, bounded by MaxTokens.
func TestModel_TranscribeFeatures_RepetitionFallsBack(t *testing.T) {
	m := scripted(t, whispertest.ScriptConfig{Loop: true}, whisper.Options{MaxTokens: 40, Temperatures: []float32{0, 0.5, 1}})
	res, err := m.TranscribeFeatures(context.Background(), [][]float32{features([2]int{10, 100})}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Segments[0]
	if s.Temperature != 1 || s.CompressionRatio < 2.4 || strings.Count(s.Text, "la") != 40 {
		t.Errorf("got %+v, want 40 × la at temperature 1 with a high compression ratio", s)
	}
}

func TestModel_TranscribeFeatures_Errors(t *testing.T) {
	m := scripted(t, whispertest.ScriptConfig{}, whisper.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.TranscribeFeatures(ctx, [][]float32{features()}, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	if _, err := m.TranscribeFeatures(context.Background(), [][]float32{make([]float32, 10)}, nil, nil); err == nil {
		t.Error("short features: no error")
	}
	if res, err := m.Transcribe(context.Background(), nil, nil, nil); err != nil || len(res.Segments) != 0 {
		t.Errorf("no audio: %+v, %v", res, err)
	}
	m.Close()
	if _, err := m.TranscribeFeatures(context.Background(), [][]float32{features()}, nil, nil); !errors.Is(err, whisper.ErrClosed) {
		t.Errorf("closed: got %v", err)
	}
}

func TestOpen_RefusesBadFolders(t *testing.T) {
	rt := whisper.SharedRuntime(t)
	tests := []struct {
		name  string
		spoil func(dir string) error
		file  string // named in the error
	}{
		{"no config", func(d string) error { return os.Remove(filepath.Join(d, "config.json")) }, "config.json"},
		{"bad generation config", func(d string) error {
			return os.WriteFile(filepath.Join(d, "generation_config.json"), []byte("{"), 0o644)
		}, "generation_config.json"},
		{"mel mismatch", func(d string) error {
			return os.WriteFile(filepath.Join(d, "preprocessor_config.json"), []byte(`{"feature_size": 128}`), 0o644)
		}, "preprocessor_config.json"},
		{"no decoder", func(d string) error { return os.Remove(filepath.Join(d, "onnx", "decoder_model_merged.onnx")) }, "decoder_model_merged.onnx"},
		{"corrupt decoder", func(d string) error {
			return os.WriteFile(filepath.Join(d, "onnx", "decoder_model_merged.onnx"), []byte("not onnx"), 0o644)
		}, "decoder_model_merged.onnx"},
		{"encoder as decoder", func(d string) error {
			raw, err := os.ReadFile(filepath.Join(d, "onnx", "encoder_model.onnx"))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(d, "onnx", "decoder_model_merged.onnx"), raw, 0o644)
		}, "decoder_model_merged.onnx"},
		{"layer count", func(d string) error {
			return os.WriteFile(filepath.Join(d, "config.json"),
				[]byte(`{"num_mel_bins":80,"d_model":8,"decoder_attention_heads":2,"decoder_layers":3,"vocab_size":51864}`), 0o644)
		}, "decoder_model_merged.onnx"},
		{"no tokenizer", func(d string) error { return os.Remove(filepath.Join(d, "vocab.json")) }, "vocab.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := whispertest.WriteScripted(dir, whispertest.ScriptConfig{}, ""); err != nil {
				t.Fatal(err)
			}
			if err := tt.spoil(dir); err != nil {
				t.Fatal(err)
			}
			m, err := whisper.Open(rt, dir, whisper.Options{})
			if err == nil {
				m.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tt.file) || !strings.HasPrefix(err.Error(), "whisper: ") {
				t.Errorf("error %q does not name %s", err, tt.file)
			}
		})
	}
	dir := t.TempDir()
	if err := whispertest.WriteScripted(dir, whispertest.ScriptConfig{}, ""); err != nil {
		t.Fatal(err)
	}
	for _, o := range []whisper.Options{{Language: "fr"}, {Task: "translate"}, {Variant: "int8"}, {Task: "dance"}, {Threads: -1}} {
		if m, err := whisper.Open(rt, dir, o); err == nil {
			m.Close()
			t.Errorf("options %+v: opened an English-only fp32 model", o)
		}
	}
}

// noise returns seconds of silence with bursts of seeded white noise
// (amplitude 0.3) in the given spans, in seconds.
func noise(seconds float64, spans ...[2]float64) []float32 {
	s := make([]float32, int(seconds*whisper.SampleRate))
	rng := rand.New(rand.NewPCG(7, 7))
	for _, sp := range spans {
		for i := int(sp[0] * whisper.SampleRate); i < int(sp[1]*whisper.SampleRate); i++ {
			s[i] = 0.3 * (2*rng.Float32() - 1)
		}
	}
	return s
}

// From a WAV file to the transcript: audio decoding, the log-mel
// spectrogram, the encoder, the decoder with its cache and the tokenizer.
func TestModel_Transcribe_WAV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "entry.wav")
	w, err := audio.CreateWAV(path, whisper.SampleRate, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Speech in regions 0, 1 and 5 of the first window, 3 of the second.
	if err := w.Write(noise(50, [2]float64{0.5, 2.2}, [2]float64{6.3, 7.9}, [2]float64{26.1, 28.4}, [2]float64{46.5, 47.5})); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	clip, err := audio.DecodeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := scripted(t, whispertest.ScriptConfig{}, whisper.Options{})
	var last [2]int
	res, err := m.Transcribe(context.Background(), clip.Samples, nil, func(done, total int) { last = [2]int{done, total} })
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "Today I calm. and." {
		t.Errorf("transcript %q, want %q", res.Text, "Today I calm. and.")
	}
	if last != [2]int{50000, 50000} {
		t.Errorf("last progress %v, want [50000 50000]", last)
	}

	// Another recording says something else; silence says nothing.
	other, err := m.Transcribe(context.Background(), noise(12, [2]float64{11, 11.5}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	silent, err := m.Transcribe(context.Background(), noise(12), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if other.Text != "walked." || silent.Text != "" || !silent.Segments[0].NoSpeech {
		t.Errorf("other audio %q, silence %q (%+v)", other.Text, silent.Text, silent.Segments)
	}
}

// With timestamps the segments follow the bursts to within two frames, and
// windows go along the speech spans given.
func TestModel_Transcribe_Timestamps(t *testing.T) {
	m := scripted(t, whispertest.ScriptConfig{}, whisper.Options{Timestamps: true})
	samples := noise(70, [2]float64{0.5, 2.2}, [2]float64{16.3, 17.9}, [2]float64{61, 62})
	res, err := m.Transcribe(context.Background(), samples, []whisper.Span{{0, 18 * time.Second}, {60 * time.Second, 63 * time.Second}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		start, end float64
		text       string
	}{{0, 2.2, "Today"}, {16.3, 17.9, "and"}, {60, 62, "Today"}}
	if len(res.Segments) != len(want) {
		t.Fatalf("segments %+v", res.Segments)
	}
	near := func(d time.Duration, s float64) bool {
		return (d - time.Duration(s*float64(time.Second))).Abs() <= 40*time.Millisecond
	}
	for i, s := range res.Segments {
		if !near(s.Start, want[i].start) || !near(s.End, want[i].end) || s.Text != want[i].text {
			t.Errorf("segment %d: %v–%v %q, want %v–%v s %q", i, s.Start, s.End, s.Text, want[i].start, want[i].end, want[i].text)
		}
	}
}

// A window whose last segment is cut off (here by MaxTokens) is followed by
// one that starts where the last complete segment ended.
func TestModel_Transcribe_SeeksToTheLastCompleteSegment(t *testing.T) {
	m := scripted(t, whispertest.ScriptConfig{}, whisper.Options{Timestamps: true, MaxTokens: 5})
	res, err := m.Transcribe(context.Background(), noise(20, [2]float64{0.5, 2.2}, [2]float64{10.4, 12}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Window 1: <|0.00|> Today <|2.2|> <|10.4|> walked — cut; window 2
	// from 2.2 s hears the second burst in its region 1: " I".
	if len(res.Segments) != 2 || res.Text != "Today I" {
		t.Fatalf("segments %+v", res.Segments)
	}
	s := res.Segments[1]
	if s.Start != res.Segments[0].End || (s.End-12*time.Second).Abs() > 40*time.Millisecond {
		t.Errorf("second segment %v–%v, want %v–12s", s.Start, s.End, res.Segments[0].End)
	}
}

// Random-weight models of Whisper's structure open as float32 and as the
// quantized variant, and decode within MaxTokens.
func TestOpen_Variants(t *testing.T) {
	rt := whisper.SharedRuntime(t)
	dir := t.TempDir()
	spec := whispertest.RandomSpec{NMels: 80, DModel: 32, Heads: 4, EncoderLayers: 2, DecoderLayers: 2, Multilingual: true, Seed: 5}
	if err := whispertest.WriteRandomBoth(dir, spec); err != nil {
		t.Fatal(err)
	}
	for _, variant := range []string{"", "quantized"} {
		m, err := whisper.Open(rt, dir, whisper.Options{Variant: variant, MaxTokens: 8, Temperatures: []float32{0},
			Timestamps: true, NoSpeechThreshold: -1, DisableLogProbCheck: true, CompressionRatioThreshold: -1})
		if err != nil {
			t.Fatalf("variant %q: %v", variant, err)
		}
		res, err := m.TranscribeFeatures(context.Background(), [][]float32{features([2]int{10, 400})}, nil, nil)
		m.Close()
		if err != nil {
			t.Fatalf("variant %q: %v", variant, err)
		}
		if res.Language == "" || len(res.Segments) > 8 {
			t.Errorf("variant %q: %+v", variant, res)
		}
	}
	// A folder with the quantized files alone (as the model manager
	// downloads an int8 export) opens without naming the variant.
	only := t.TempDir()
	spec.Int8 = true
	if err := whispertest.WriteRandom(only, spec); err != nil {
		t.Fatal(err)
	}
	m, err := whisper.Open(rt, only, whisper.Options{})
	if err != nil {
		t.Fatalf("int8 files alone: %v", err)
	}
	m.Close()
	if m, err := whisper.Open(rt, only, whisper.Options{Variant: "fp16"}); err == nil {
		m.Close()
		t.Fatal("a variant asked for by name fell back to another")
	}
}

// The tokenizer may come as tokenizer.json, and with GPT-2's whole
// vocabulary (from .cache/tokenizers/gpt2, when fetched); the transcript
// is the same.
func TestModel_Tokenizers(t *testing.T) {
	gpt2, _ := filepath.Abs(filepath.Join("..", "..", ".cache", "tokenizers", "gpt2"))
	dirs := []string{""}
	if _, err := os.Stat(filepath.Join(gpt2, "vocab.json")); err == nil {
		dirs = append(dirs, gpt2)
	} else {
		t.Logf("GPT-2 vocabulary not fetched (%v): testing the small one only", err)
	}
	for _, dir := range dirs {
		for _, js := range []bool{false, true} {
			m := scriptedWith(t, whispertest.ScriptConfig{TokenizerJSON: js}, whisper.Options{}, dir)
			res, err := m.TranscribeFeatures(context.Background(), [][]float32{features([2]int{10, 100}, [2]int{1300, 1400})}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != "Today calm." {
				t.Errorf("vocabulary %q, tokenizer.json %v: %q", dir, js, res.Text)
			}
		}
	}
}

// Each window detects its own language (an entry that changes language is
// not read in its first one throughout), and the result's language is the
// one most of the speech was in.
func TestModel_TranscribeFeatures_LanguagePerWindow(t *testing.T) {
	m := scripted(t, whispertest.ScriptConfig{Multilingual: true}, whisper.Options{})
	res, err := m.TranscribeFeatures(context.Background(),
		[][]float32{features(), features([2]int{300, 320}), features([2]int{10, 100}), features([2]int{10, 100})}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Language != "en" || res.Text != "I. Today. Today." {
		t.Errorf("got %q in %q, want \"I. Today. Today.\" in en", res.Text, res.Language)
	}
	var langs []string
	for _, s := range res.Segments {
		if !s.NoSpeech {
			langs = append(langs, s.Language)
		}
	}
	if strings.Join(langs, ",") != "fr,en,en" {
		t.Errorf("segment languages %v, want fr, en, en", langs)
	}
}

// Asking for CUDA where onnxruntime has no CUDA falls back to the CPU.
func TestOpen_ProviderFallback(t *testing.T) {
	m := scripted(t, whispertest.ScriptConfig{}, whisper.Options{Provider: "cuda"})
	if m.Provider() != "cpu" {
		t.Skipf("provider %s: CUDA is available here", m.Provider())
	}
	res, err := m.TranscribeFeatures(context.Background(), [][]float32{features([2]int{10, 100})}, nil, nil)
	if err != nil || res.Text != "Today." {
		t.Errorf("got %q, %v", res.Text, err)
	}
}

// Real speech (espeak-ng, when installed) from 11 s on lies in the third
// region: the scripted model hears it there and only there, through the
// real log-mel spectrogram.
func TestModel_Transcribe_Speech(t *testing.T) {
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (make deps installs it)", tool)
		}
	}
	dir := t.TempDir()
	raw, wav := filepath.Join(dir, "speech.wav"), filepath.Join(dir, "speech16k.wav")
	if out, err := exec.Command("espeak-ng", "-w", raw, "I went for a long walk by the river today").CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v %s", err, out)
	}
	if out, err := exec.Command("sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav, "pad", "11", "0").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	clip, err := audio.DecodeFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	if clip.Rate != whisper.SampleRate || clip.Channels != 1 {
		t.Fatalf("clip %d Hz × %d", clip.Rate, clip.Channels)
	}
	m := scripted(t, whispertest.ScriptConfig{}, whisper.Options{Timestamps: true})
	res, err := m.Transcribe(context.Background(), clip.Samples, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "walked" || len(res.Segments) != 1 {
		t.Fatalf("got %q %+v", res.Text, res.Segments)
	}
	if s := res.Segments[0]; s.Start != 0 || s.End < 12*time.Second || s.End > 14*time.Second {
		t.Errorf("segment %v–%v, want 0–about 13.3 s", s.Start, s.End)
	}
}

// Word times come from the cross-attention of the alignment heads where
// the export gives it: contiguous speech over the first three regions
// ("Today I walked.") is one word per region, timed by its loud frames
// within 0.1 s. Without cross-attention the words are spread over the
// segment by length and marked so; an export with extra outputs in
// another order loads and says the same.
func TestModel_Words(t *testing.T) {
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	type word struct {
		text       string
		start, end float64
	}
	tests := []struct {
		name         string
		cfg          whispertest.ScriptConfig
		opts         whisper.Options
		spans        [][2]int
		aligned      bool
		words        []word
		interpolated bool
	}{
		{name: "aligned", cfg: whispertest.ScriptConfig{CrossAttention: true}, spans: [][2]int{{0, 620}}, aligned: true,
			words: []word{{" Today", 0, 5}, {" I", 5, 10}, {" walked.", 10, 12.4}}},
		{name: "aligned, extra outputs in another order", cfg: whispertest.ScriptConfig{CrossAttention: true, ExtraOutputs: true},
			spans: [][2]int{{0, 620}}, aligned: true, words: []word{{" Today", 0, 5}, {" I", 5, 10}, {" walked.", 10, 12.4}}},
		{name: "aligned, multilingual split decoder", cfg: whispertest.ScriptConfig{CrossAttention: true, Multilingual: true, Split: true},
			opts: whisper.Options{Language: "en"}, spans: [][2]int{{0, 620}}, aligned: true,
			words: []word{{" Today", 0, 5}, {" I", 5, 10}, {" walked.", 10, 12.4}}},
		{name: "aligned with timestamps", cfg: whispertest.ScriptConfig{CrossAttention: true}, opts: whisper.Options{Timestamps: true},
			spans: [][2]int{{100, 200}, {520, 600}}, aligned: true, words: []word{{" Today", 0, 4}, {" walked", 10.4, 12}}},
		{name: "interpolated", spans: [][2]int{{0, 620}}, interpolated: true,
			words: []word{{" Today", 0, 30 * 5.0 / 13}, {" I", 30 * 5.0 / 13, 30 * 6.0 / 13}, {" walked.", 30 * 6.0 / 13, 30}}},
		{name: "extra outputs without cross-attention", cfg: whispertest.ScriptConfig{ExtraOutputs: true}, spans: [][2]int{{0, 620}}, interpolated: true,
			words: []word{{" Today", 0, 30 * 5.0 / 13}, {" I", 30 * 5.0 / 13, 30 * 6.0 / 13}, {" walked.", 30 * 6.0 / 13, 30}}},
		{name: "alignment turned off", cfg: whispertest.ScriptConfig{CrossAttention: true}, opts: whisper.Options{NoAlignment: true},
			spans: [][2]int{{0, 620}}, interpolated: true,
			words: []word{{" Today", 0, 30 * 5.0 / 13}, {" I", 30 * 5.0 / 13, 30 * 6.0 / 13}, {" walked.", 30 * 6.0 / 13, 30}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := scripted(t, tt.cfg, tt.opts)
			if m.AlignsWords() != tt.aligned {
				t.Errorf("AlignsWords %v, want %v", m.AlignsWords(), tt.aligned)
			}
			offset := 60 * time.Second
			res, err := m.TranscribeFeatures(context.Background(), [][]float32{features(tt.spans...)}, []time.Duration{offset}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []whisper.Word
			for _, s := range res.Segments {
				for _, w := range s.Words {
					if w.Start < s.Start || w.End > s.End || w.End < w.Start {
						t.Errorf("word %+v outside its segment %v–%v", w, s.Start, s.End)
					}
				}
				got = append(got, s.Words...)
			}
			if len(got) != len(tt.words) {
				t.Fatalf("words %+v, want %v", got, tt.words)
			}
			for i, w := range got {
				want := tt.words[i]
				if w.Text != want.text || w.Interpolated != tt.interpolated ||
					(w.Start-offset-sec(want.start)).Abs() > 100*time.Millisecond || (w.End-offset-sec(want.end)).Abs() > 100*time.Millisecond {
					t.Errorf("word %d: %q %v–%v (interpolated %v), want %q %.2f–%.2f s after the offset", i, w.Text, w.Start, w.End, w.Interpolated, want.text, want.start, want.end)
				}
			}
		})
	}
}
