package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/inference/speech"
	"github.com/samojournal/samo/inference/vad"
	"github.com/samojournal/samo/inference/whisper/whispertest"
	"github.com/samojournal/samo/journal"
)

// virtualMic writes, into a fresh folder used as HOME, an ALSA
// configuration whose default capture device plays espeak-ng speech (16 kHz,
// 16-bit), and returns the environment that selects it and the speech.
func virtualMic(t *testing.T, text string) ([]string, []float32) {
	t.Helper()
	dir := t.TempDir()
	wav := filepath.Join(dir, "speech.wav")
	if out, err := exec.Command("espeak-ng", "-w", wav, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng (make deps installs it): %v: %s", err, out)
	}
	clip, err := audio.DecodeFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	speech := clip.Mono16k()
	var b bytes.Buffer
	for _, s := range speech {
		binary.Write(&b, binary.LittleEndian, int16(math.Round(float64(max(-1, min(s, 32767.0/32768))*32768))))
	}
	// the file device is not paced and repeats stale data past the end:
	// give it plenty of trailing silence
	b.Write(make([]byte, 2*audio.Rate*10))
	raw := filepath.Join(dir, "mic.raw")
	os.WriteFile(raw, b.Bytes(), 0o644)
	conf := fmt.Sprintf(`pcm.filemic_raw { type file; slave.pcm "null"; file "/dev/null"; infile "%s"; format "raw" }
pcm.filemic { type plug; slave { pcm "filemic_raw"; format S16_LE; rate 16000; channels 1 } }
pcm.!default { type asym; capture.pcm "filemic"; playback.pcm "null" }
`, raw)
	os.WriteFile(filepath.Join(dir, ".asoundrc"), []byte(conf), 0o644)
	return []string{"HOME=" + dir}, speech
}

func TestCLI_RecordSavesAudioAwaitingTranscript(t *testing.T) {
	env, speech := virtualMic(t, "Today I planted tomatoes with my daughter.")
	home := t.TempDir()

	r := mustSucceed(t, samo(t, "", env, "--home", home, "devices", "--json"))
	var devs []audio.Device
	if err := json.Unmarshal([]byte(r.stdout), &devs); err != nil || len(devs) == 0 {
		t.Fatalf("devices --json: %v\n%s", err, r.stdout)
	}

	secs := float64(len(speech))/audio.Rate + 0.5
	r = mustSucceed(t, samo(t, "", env, "--home", home, "record", "--seconds", fmt.Sprint(secs), "--tag", "garden", "--json"))
	var out recordOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("record --json: %v\n%s", err, r.stdout)
	}
	e := out.Entry
	if out.Transcribed || !e.AwaitingTranscript() || e.Audio == nil || math.Abs(out.Seconds-secs) > 0.01 {
		t.Fatalf("record: %+v", out)
	}
	if e.Audio.SampleRate != audio.Rate || e.Audio.Channels != 1 || e.Audio.Duration.Round(10*time.Millisecond) != time.Duration(secs*float64(time.Second)).Round(10*time.Millisecond) {
		t.Errorf("audio = %+v", e.Audio)
	}
	// The audio in the journal is what the microphone heard, and the
	// recordings folder is empty again.
	r = mustSucceed(t, samo(t, "", env, "--home", home, "export", "--format", "json"))
	clip := exportedAudio(t, r.stdout)
	if c := correlation(speech, clip.Samples); c < 0.99 {
		t.Errorf("the stored recording correlates %.4f with the speech", c)
	}
	if left, _ := filepath.Glob(filepath.Join(home, "recordings", "*.wav")); len(left) != 0 {
		t.Errorf("recordings left behind: %v", left)
	}
	r = mustSucceed(t, samo(t, "", env, "--home", home, "list"))
	if !strings.Contains(r.stdout, "waiting to be transcribed") {
		t.Errorf("list does not say the recording waits:\n%s", r.stdout)
	}
}

func TestCLI_RecoverSavesAnUnfinishedRecording(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "recordings")
	os.MkdirAll(dir, 0o700)
	// What a crash leaves: the file as written so far, no longer held by
	// its (dead) writer.
	live := filepath.Join(t.TempDir(), "live.wav")
	w, err := audio.CreateWAV(live, audio.Rate, 1)
	if err != nil {
		t.Fatal(err)
	}
	tone := make([]float32, audio.Rate*3/2)
	for i := range tone {
		tone[i] = 0.3 * float32(math.Sin(float64(i)*0.1))
	}
	w.Write(tone)
	data, _ := os.ReadFile(live)
	w.Close()
	os.WriteFile(filepath.Join(dir, "20261125T080000.000Z.wav"), data, 0o600)

	env, _ := virtualMic(t, "hello")
	r := samo(t, "", env, "--home", home, "record", "--seconds", "0.2")
	if !strings.Contains(r.stderr, "1 unfinished recording") {
		t.Errorf("record did not mention the unfinished recording: %q", r.stderr)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "recover"))
	if !strings.Contains(r.stdout, "saved") || !strings.Contains(r.stdout, "1.5 s") {
		t.Fatalf("recover: %q", r.stdout)
	}
	es := listJSON(t, nil, home)
	var found bool
	for _, e := range es {
		if e.Audio != nil && e.Audio.Duration == 1500*time.Millisecond {
			found = true
			if got := e.Created.UTC().Format(time.RFC3339); got != "2026-11-25T08:00:00Z" {
				t.Errorf("recovered entry dated %s, want the recording's start", got)
			}
		}
	}
	if !found {
		t.Errorf("no 1.5 s recording among %+v", es)
	}
	if r := mustSucceed(t, samo(t, "", nil, "--home", home, "recover")); !strings.Contains(r.stdout, "no unfinished") {
		t.Errorf("second recover: %q", r.stdout)
	}
}

func TestCLI_RecordUnknownDevice(t *testing.T) {
	env, _ := virtualMic(t, "hello")
	r := samo(t, "", env, "--home", t.TempDir(), "record", "--device", "nonexistent mic", "--seconds", "1")
	if r.code == 0 || !strings.Contains(r.stderr, "no such input device") || !strings.Contains(r.stderr, "default") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// correlation is the Pearson correlation of a and the start of b.
func correlation(a, b []float32) float64 {
	n := min(len(a), len(b))
	var sa, sb, saa, sbb, sab float64
	for i := 0; i < n; i++ {
		x, y := float64(a[i]), float64(b[i])
		sa, sb, saa, sbb, sab = sa+x, sb+y, saa+x*x, sbb+y*y, sab+x*y
	}
	f := float64(n)
	return (sab - sa*sb/f) / math.Sqrt((saa-sa*sa/f)*(sbb-sb*sb/f))
}

func TestCLI_ProviderFallsBackToCPUWithOneWarning(t *testing.T) {
	home := t.TempDir()
	r := mustSucceed(t, samo(t, "I am so happy today\nThis is awful\n", nil, "--home", home, "--provider", "cuda", "analyze", "--json", "-"))
	if n := strings.Count(r.stderr, "running on the CPU instead"); n != 1 || !strings.Contains(r.stderr, "cuda") {
		t.Errorf("%d fallback warnings in %q, want one naming cuda", n, r.stderr)
	}
	if strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("analyze output: %q", r.stdout)
	}
	r = samo(t, "", nil, "--home", home, "--provider", "cuda", "doctor", "--json")
	var rep engine.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, r.stdout)
	}
	if rep.Emotion.Provider != "cpu" || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "cuda") {
		t.Errorf("doctor: emotion provider %q, warnings %q", rep.Emotion.Provider, rep.Warnings)
	}
	if r := samo(t, "", nil, "--home", home, "--provider", "tpu", "analyze", "x"); r.code == 0 || !strings.Contains(r.stderr, "unknown execution provider") {
		t.Errorf("--provider tpu: exit %d, %q", r.code, r.stderr)
	}
}

func TestCLI_VADFindsTheSpeech(t *testing.T) {
	var samples []float32
	silence := make([]float32, audio.Rate)
	samples = append(samples, silence...)
	var want [][2]float64
	for _, name := range []string{"utt1.wav", "utt2.wav"} {
		clip, err := audio.DecodeFile(filepath.Join("..", "..", "inference", "vad", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		start := float64(len(samples)) / audio.Rate
		samples = append(samples, clip.Mono16k()...)
		want = append(want, [2]float64{start, float64(len(samples)) / audio.Rate})
		samples = append(samples, silence...)
	}
	path := filepath.Join(t.TempDir(), "two.wav")
	w, err := audio.CreateWAV(path, audio.Rate, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(samples)
	w.Close()
	r := mustSucceed(t, samo(t, "", nil, "vad", "--json", path))
	var out vad.Report
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("vad --json: %v\n%s", err, r.stdout)
	}
	if len(out.Segments) != 2 {
		t.Fatalf("segments %+v, want 2 within %v", out.Segments, want)
	}
	for i, s := range out.Segments {
		// each utterance's file has a little silence of its own at its edges
		if s.Start.Seconds() < want[i][0]-0.2 || s.End.Seconds() > want[i][1]+0.2 || s.Duration() < 500*time.Millisecond {
			t.Errorf("segment %d = %v–%v, want inside %v", i, s.Start, s.End, want[i])
		}
	}
	sil := filepath.Join(t.TempDir(), "silence.wav")
	w, _ = audio.CreateWAV(sil, audio.Rate, 1)
	w.Write(make([]float32, 3*audio.Rate))
	w.Close()
	if r := mustSucceed(t, samo(t, "", nil, "vad", "--json", sil)); !strings.Contains(r.stdout, `"segments": []`) {
		t.Errorf("silence: %s", r.stdout)
	}
	junk := filepath.Join(t.TempDir(), "junk.wav")
	os.WriteFile(junk, []byte("not audio at all"), 0o600)
	if r := samo(t, "", nil, "vad", junk); r.code == 0 || !strings.Contains(r.stderr, "not a WAV or MP3") {
		t.Errorf("junk: exit %d, %q", r.code, r.stderr)
	}
}

// exportedAudio decodes the recording of the one entry in a SAMO JSON export.
func exportedAudio(t *testing.T, export string) audio.Clip {
	t.Helper()
	var doc struct {
		Entries []struct {
			journal.Entry
			AudioData []byte `json:"audio_data"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(export), &doc); err != nil || len(doc.Entries) != 1 {
		t.Fatalf("export: %v, %d entries", err, len(doc.Entries))
	}
	clip, err := audio.DecodeWAV(doc.Entries[0].AudioData)
	if err != nil {
		t.Fatalf("the stored recording: %v", err)
	}
	return clip
}

// scriptedSpeechModel writes a scripted Whisper model (see whispertest):
// for each 5 s region of a window that holds sound it says one word, in
// order " Today", " I", " walked", " and", " felt", " calm" (with
// timestamps: one segment a word, between its sound's first and last loud
// frame).
func scriptedSpeechModel(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := whispertest.WriteScripted(dir, whispertest.ScriptConfig{}, ""); err != nil {
		t.Fatal(err)
	}
	return dir
}

// speechWAV writes a WAV file with the utterances of the VAD tests placed
// at the given times (seconds), in total seconds of audio.
func speechWAV(t *testing.T, total float64, at ...float64) string {
	t.Helper()
	samples := make([]float32, int(total*audio.Rate))
	for i, start := range at {
		clip, err := audio.DecodeFile(filepath.Join("..", "..", "inference", "vad", "testdata", fmt.Sprintf("utt%d.wav", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		copy(samples[int(start*audio.Rate):], clip.Mono16k())
	}
	path := filepath.Join(t.TempDir(), "speech.wav")
	w, err := audio.CreateWAV(path, audio.Rate, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(samples)
	w.Close()
	return path
}

func TestCLI_TranscribeFile(t *testing.T) {
	model := scriptedSpeechModel(t)
	// Two utterances: VAD finds both, and one window from the first holds
	// the first in its region 0 and the second (10 s later) in region 2.
	path := speechWAV(t, 16, 1, 11)
	r := mustSucceed(t, samo(t, "", nil, "transcribe", "--model", model, "--json", path))
	var out speech.Report
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("transcribe --json: %v\n%s", err, r.stdout)
	}
	if out.Text != "Today walked" || out.Language != "en" || out.Provider != "cpu" || len(out.Segments) != 2 {
		t.Fatalf("transcript %q in %q on %q, want \"Today walked\" in en on cpu, two segments\n%s", out.Text, out.Language, out.Provider, r.stdout)
	}
	// Each word's segment spans its utterance (1 s and 11 s on), to within
	// the VAD's padding and the model's 20 ms frames.
	for i, s := range out.Segments {
		start := []float64{1, 11}[i]
		if s.NoSpeech || math.Abs(s.Start-start) > 0.1 || s.End < start+1.5 || s.End > start+4 || s.AvgLogProb < -0.1 {
			t.Errorf("segment %d = %+v, want speech from about %.0f s", i, s, start)
		}
	}
	r = mustSucceed(t, samo(t, "", nil, "transcribe", "--model", model, path))
	if !strings.Contains(r.stdout, "language: en") || !strings.Contains(r.stdout, "Today") {
		t.Errorf("transcribe: %q", r.stdout)
	}

	// Silence never reaches Whisper.
	silent := speechWAV(t, 5)
	r = mustSucceed(t, samo(t, "", nil, "transcribe", "--model", model, "--json", silent))
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Text != "" || len(out.Segments) != 0 {
		t.Errorf("silence: %s (%v)", r.stdout, err)
	}
	// A broken model folder is refused with its problem named.
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "config.json"), []byte("{"), 0o600)
	if r := samo(t, "", nil, "transcribe", "--model", bad, path); r.code == 0 || !strings.Contains(r.stderr, "config.json") {
		t.Errorf("broken model: exit %d, %q", r.code, r.stderr)
	}
	if r := samo(t, "", nil, "--home", t.TempDir(), "transcribe", path); r.code == 0 || !strings.Contains(r.stderr, "no speech model") {
		t.Errorf("no model: exit %d, %q", r.code, r.stderr)
	}
}

func TestCLI_RecordTranscribesWithAnInstalledModel(t *testing.T) {
	env, speech := virtualMic(t, "Today I planted tomatoes with my daughter.")
	home := t.TempDir()
	secs := fmt.Sprint(float64(len(speech))/audio.Rate + 0.5)

	// Without a model the recording waits; once one is installed,
	// transcribe --pending reads it, and new recordings are read at once.
	mustSucceed(t, samo(t, "", env, "--home", home, "record", "--seconds", secs))
	model := scriptedSpeechModel(t)
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "speech", "install", model))
	if !strings.Contains(r.stdout, "installed") {
		t.Errorf("speech install: %q", r.stdout)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "transcribe", "--pending"))
	if !strings.Contains(r.stdout, "transcribed 1 of 1") {
		t.Errorf("transcribe --pending: %q", r.stdout)
	}
	r = mustSucceed(t, samo(t, "", env, "--home", home, "record", "--seconds", secs, "--json"))
	var out recordOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("record --json: %v\n%s", err, r.stdout)
	}
	if !out.Transcribed || out.Entry.Text != "Today" || out.Entry.Transcript == nil || out.Entry.Emotions == nil || out.Entry.Audio == nil {
		t.Fatalf("recorded with a model: %+v", out.Entry)
	}
	for _, e := range listJSON(t, nil, home) {
		if e.Text != "Today" || e.Transcript == nil || e.Transcript.Language != "en" || len(e.Transcript.Segments) == 0 {
			t.Errorf("entry %s: text %q, transcript %+v", e.ID, e.Text, e.Transcript)
		}
	}
	r = samo(t, "", nil, "--home", home, "doctor", "--json")
	var rep engine.Report
	json.Unmarshal([]byte(r.stdout), &rep)
	if rep.Speech.Dir != model || rep.Speech.Provider != "cpu" || rep.Speech.Error != "" || rep.VADModel.Provider != "cpu" {
		t.Errorf("doctor: speech %+v, vad provider %q", rep.Speech, rep.VADModel.Provider)
	}
}

func TestCLI_PlayAnEntrysRecording(t *testing.T) {
	env, speech := virtualMic(t, "Listening back to what I said.")
	home := t.TempDir()
	secs := fmt.Sprint(float64(len(speech))/audio.Rate + 0.2)
	r := mustSucceed(t, samo(t, "", env, "--home", home, "record", "--seconds", secs, "--json"))
	var out recordOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	// A speaker that writes what it plays into a file.
	spk := t.TempDir()
	raw := filepath.Join(spk, "speaker.raw")
	os.WriteFile(filepath.Join(spk, ".asoundrc"), []byte(fmt.Sprintf(`pcm.fileout_raw { type file; slave.pcm "null"; file "%s"; format "raw" }
pcm.fileout { type plug; slave { pcm "fileout_raw"; format S16_LE; rate 16000; channels 1 } }
pcm.!default { type asym; playback.pcm "fileout"; capture.pcm "null" }
`, raw)), 0o644)
	mustSucceed(t, samo(t, "", []string{"HOME=" + spk}, "--home", home, "play", out.Entry.ID))
	data, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, len(data)/2)
	for i := range got {
		got[i] = float32(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
	}
	if c := correlation(speech, got); c < 0.99 {
		t.Errorf("what the speaker got correlates %.4f with the speech", c)
	}
	// --at plays from that moment on.
	mustSucceed(t, samo(t, "", []string{"HOME=" + spk}, "--home", home, "play", out.Entry.ID, "--at", "0:01"))
	data, _ = os.ReadFile(raw)
	got = make([]float32, len(data)/2)
	for i := range got {
		got[i] = float32(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
	}
	if c := correlation(speech[audio.Rate:], got); c < 0.99 || len(got) > len(speech)-audio.Rate/2 {
		t.Errorf("from 0:01, the speaker got %d samples correlating %.4f with the speech after its first second", len(got), c)
	}
	for _, at := range []string{"9:59", "soon"} {
		if r := samo(t, "", []string{"HOME=" + spk}, "--home", home, "play", out.Entry.ID, "--at", at); r.code == 0 || !strings.Contains(r.stderr, "--at") {
			t.Errorf("--at %s: exit %d, %q", at, r.code, r.stderr)
		}
	}
	if r := samo(t, "", nil, "--home", home, "add", "typed"); r.code == 0 {
		id := strings.TrimSpace(strings.TrimPrefix(r.stdout, "saved "))
		if r := samo(t, "", nil, "--home", home, "play", id); r.code == 0 || !strings.Contains(r.stderr, "no recording") {
			t.Errorf("play a typed entry: exit %d, %q", r.code, r.stderr)
		}
	}
}

// Dictation from the (virtual) microphone: the words settle while it
// records, the entry is saved with its audio and the transcript read live,
// and the text is the offline transcript of the same audio.
func TestCLI_DictateMatchesTheOfflineTranscript(t *testing.T) {
	env, spoken := pacedMic(t, "Today I walked along the river. It was quiet and the water was high. I felt calm for the first time in weeks, and then I went home.")
	model := scriptedSpeechModel(t)
	home := t.TempDir()
	env = append(env, engine.EnvSpeechModel+"="+model)
	secs := fmt.Sprint(float64(len(spoken))/audio.Rate + 0.5)
	r := mustSucceed(t, samo(t, "", env, "--home", home, "dictate", "--seconds", secs, "--every", "200ms", "--tag", "walk"))
	dictated := strings.TrimSpace(r.stdout)
	if dictated == "" || !strings.Contains(r.stderr, "heard: "+dictated) {
		t.Fatalf("dictate: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	// The words settled while it was spoken, not all at the end.
	if n := strings.Count(r.stderr, "heard: "); n < 2 {
		t.Fatalf("the text settled %d times while dictating, want it to grow as it was spoken:\n%s", n, r.stderr)
	}
	es := listJSON(t, nil, home)
	if len(es) != 1 || es[0].Text != dictated || es[0].Audio == nil || es[0].Transcript == nil || es[0].Tags[0] != "walk" {
		t.Fatalf("saved %+v", es)
	}
	// The same audio, transcribed offline.
	wav := filepath.Join(t.TempDir(), "speech.wav")
	w, err := audio.CreateWAV(wav, audio.Rate, 1)
	if err == nil {
		err = w.Write(spoken)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	r = mustSucceed(t, samo(t, "", nil, "transcribe", "--model", model, "--json", wav))
	var offline speech.Report
	if err := json.Unmarshal([]byte(r.stdout), &offline); err != nil {
		t.Fatal(err)
	}
	if offline.Text != dictated {
		t.Fatalf("dictated %q, offline %q", dictated, offline.Text)
	}
	// Without a speech model, dictate says how to get one.
	if r := samo(t, "", nil, "--home", t.TempDir(), "dictate", "--seconds", "1"); r.code == 0 || !strings.Contains(r.stderr, "samo models get whisper-base-int8") {
		t.Fatalf("dictate without a model: %d %s", r.code, r.stderr)
	}
}

// pacedMic is virtualMic fed in real time: the device reads a FIFO that
// the test writes the speech into a tenth of a second at a time, so that
// the recording lasts as long as the speech, as a person's would.
func pacedMic(t *testing.T, text string) ([]string, []float32) {
	t.Helper()
	env, speech := virtualMic(t, text)
	dir := strings.TrimPrefix(env[0], "HOME=")
	raw := filepath.Join(dir, "mic.raw")
	data, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(raw)
	if err := syscall.Mkfifo(raw, 0o600); err != nil {
		t.Fatal(err)
	}
	// A reader that goes away before the end (the audio library opening
	// the device to probe it) gets the speech from the start again when it
	// comes back: the recording always hears all of it.
	stop := make(chan struct{})
	t.Cleanup(func() {
		close(stop)
		if f, err := os.OpenFile(raw, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close() // lets a writer waiting for a reader go
		}
	})
	go func() {
		for {
			f, err := os.OpenFile(raw, os.O_WRONLY, 0) // waits for a reader
			if err != nil {
				return
			}
			done := feedPaced(f, data, stop)
			f.Close()
			select {
			case <-stop:
				return
			default:
			}
			if done {
				return
			}
		}
	}()
	return env, speech
}

// feedPaced writes data to w a tenth of a second at a time, in real time,
// and says whether all of it went (not when the reader went away or stop
// closed).
func feedPaced(w io.Writer, data []byte, stop <-chan struct{}) bool {
	const chunk = 2 * audio.Rate / 10 // 0.1 s of 16-bit samples
	next := time.Now()
	for len(data) > 0 {
		n := min(chunk, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			return false
		}
		data = data[n:]
		next = next.Add(100 * time.Millisecond)
		select {
		case <-stop:
			return false
		case <-time.After(time.Until(next)):
		}
	}
	return true
}

// A speech model folder with both float32 and int8 files is read with the
// int8 ones by default, with the float32 ones when asked, and install
// --quantized keeps the int8 choice in the settings.
func TestCLI_SpeechPrecision(t *testing.T) {
	dir := t.TempDir()
	spec := whispertest.RandomSpec{NMels: 80, DModel: 32, Heads: 4, EncoderLayers: 2, DecoderLayers: 2, Multilingual: true, Seed: 5}
	if err := whispertest.WriteRandomBoth(dir, spec); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	if r := mustSucceed(t, samo(t, "", nil, "--home", home, "speech", "install", dir)); !strings.Contains(r.stdout, "int8") {
		t.Fatalf("auto: %s", r.stdout)
	}
	if r := mustSucceed(t, samo(t, "", nil, "--home", home, "--speech-precision", "fp32", "speech", "install", dir)); !strings.Contains(r.stdout, "fp32") {
		t.Fatalf("fp32: %s", r.stdout)
	}
	if r := samo(t, "", nil, "--home", home, "--speech-precision", "int4", "transcribe", "--pending"); r.code == 0 || !strings.Contains(r.stderr, "auto, int8 or fp32") {
		t.Fatalf("a precision that is not one: %d %s", r.code, r.stderr)
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "speech", "install", "--quantized", dir))
	var s journal.Settings
	if err := json.Unmarshal(mustRead(t, filepath.Join(home, journal.SettingsFileName)), &s); err != nil || s.SpeechPrecision != "int8" {
		t.Fatalf("settings after install --quantized: %+v, %v", s, err)
	}
}
