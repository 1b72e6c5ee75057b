package audio_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
)

// speech makes a few seconds of espeak-ng speech, as mono samples at rate.
func speech(t *testing.T, rate int) []float32 {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Fatalf("espeak-ng is needed (make deps installs it): %v", err)
	}
	wav := filepath.Join(t.TempDir(), "speech.wav")
	out, err := exec.Command("espeak-ng", "-w", wav, "Dear journal, today I walked by the river and felt calm for the first time in weeks.").CombinedOutput()
	if err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, out)
	}
	data, err := os.ReadFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	clip, err := audio.DecodeWAV(data)
	if err != nil {
		t.Fatal(err)
	}
	if clip.Channels != 1 {
		t.Fatalf("espeak-ng gave %d channels", clip.Channels)
	}
	return audio.Resample(clip.Samples, clip.Rate, rate)
}

// virtualMicrophoneFrom makes the ALSA default capture device play samples
// (16-bit, at rate) from a raw file, for real PortAudio.
func virtualMicrophoneFrom(t *testing.T, samples []float32, rate int) {
	t.Helper()
	home := t.TempDir()
	raw := filepath.Join(home, "mic.raw")
	b := make([]byte, 0, 2*len(samples))
	for _, s := range samples {
		b = binary.LittleEndian.AppendUint16(b, uint16(int16(math.Round(float64(max(-1, min(s, 32767.0/32768))*32768)))))
	}
	if err := os.WriteFile(raw, b, 0o644); err != nil {
		t.Fatal(err)
	}
	alsaHome(t, home, fmt.Sprintf(`pcm.filemic_raw { type file; slave.pcm "null"; file "/dev/null"; infile "%s"; format "raw" }
pcm.filemic { type plug; slave { pcm "filemic_raw"; format S16_LE; rate %d; channels 1 } }
pcm.!default { type asym; capture.pcm "filemic"; playback.pcm "null" }
`, raw, rate))
}

// alsaHome writes an ALSA configuration as home's .asoundrc and makes home
// the HOME that PortAudio's ALSA reads it from.
func alsaHome(t *testing.T, home, conf string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(home, ".asoundrc"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
}

// bestCorrelation aligns got to want over lags up to maxLag samples and
// returns the best Pearson correlation of the overlap and its lag.
func bestCorrelation(want, got []float32, maxLag int) (float64, int) {
	best, bestLag := -2.0, 0
	for lag := -maxLag; lag <= maxLag; lag++ {
		var sw, sg, sww, sgg, swg float64
		n := 0
		for i := range want {
			j := i + lag
			if j < 0 || j >= len(got) {
				continue
			}
			w, g := float64(want[i]), float64(got[j])
			sw, sg, sww, sgg, swg = sw+w, sg+g, sww+w*w, sgg+g*g, swg+w*g
			n++
		}
		if n < len(want)/2 {
			continue
		}
		fn := float64(n)
		c := (swg - sw*sg/fn) / math.Sqrt((sww-sw*sw/fn)*(sgg-sg*sg/fn))
		if c > best {
			best, bestLag = c, lag
		}
	}
	return best, bestLag
}

func readWAV(t *testing.T, path string) audio.Clip {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	clip, err := audio.DecodeWAV(data)
	if err != nil {
		t.Fatalf("the recording does not decode: %v", err)
	}
	return clip
}

func TestRecorder_MatchesTheMicrophone(t *testing.T) {
	for _, rate := range []int{16000, 48000, 44100} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			src := speech(t, rate)
			want := audio.Resample(src, rate, audio.Rate)
			virtualMicrophoneFrom(t, src, rate)
			path := filepath.Join(t.TempDir(), "rec.wav")
			var mu sync.Mutex
			var levels []audio.Level
			var live []float32 // what OnAudio gave, for live transcription
			o := audio.RecordOptions{
				MaxLength: time.Duration(len(want)) * time.Second / audio.Rate,
				OnLevel:   func(l audio.Level) { mu.Lock(); levels = append(levels, l); mu.Unlock() },
				OnAudio:   func(s []float32) { mu.Lock(); live = append(live, s...); mu.Unlock() },
			}
			if rate != audio.Rate {
				o.DeviceRate = rate
			}
			r, err := audio.StartRecording(path, o)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-r.Done():
			case <-time.After(30 * time.Second):
				t.Fatal("the recording did not stop at its maximum length")
			}
			rec, err := r.Stop()
			if err != nil {
				t.Fatal(err)
			}
			if rec.DeviceRate != rate || rec.Overflows != 0 {
				t.Errorf("recorded at %d Hz with %d overflows, want %d Hz and none", rec.DeviceRate, rec.Overflows, rate)
			}
			clip := readWAV(t, path)
			if clip.Rate != audio.Rate || clip.Channels != 1 || clip.Frames() != len(want) {
				t.Fatalf("recording: %d Hz × %d, %d frames; want 16000 Hz mono, %d frames", clip.Rate, clip.Channels, clip.Frames(), len(want))
			}
			c, lag := bestCorrelation(want, clip.Samples, 2000)
			t.Logf("%d Hz device: correlation %.5f at lag %d samples, %d level readings", rate, c, lag, len(levels))
			if c < 0.99 {
				t.Errorf("recording correlates %.4f with the source (lag %d), want ≥ 0.99", c, lag)
			}
			mu.Lock()
			defer mu.Unlock()
			// The file holds them as 16-bit samples: equal within a step.
			if !slices.EqualFunc(live, clip.Samples, func(a, b float32) bool { return math.Abs(float64(a-b)) <= 1.0/32768 }) {
				t.Errorf("OnAudio gave %d samples, not the file's %d as written", len(live), len(clip.Samples))
			}
			if n := len(want) / (audio.Rate / 20); len(levels) != n {
				t.Errorf("%d level readings for %d samples, want one per 50 ms: %d", len(levels), len(want), n)
			}
			var loud int
			for i, l := range levels {
				if l.RMS < 0 || l.RMS > l.Peak+1e-6 || l.Peak > 1 {
					t.Fatalf("level %d: %+v", i, l)
				}
				if l.RMS > 0.05 {
					loud++
				}
			}
			if loud < len(levels)/4 {
				t.Errorf("only %d of %d level readings show speech", loud, len(levels))
			}
		})
	}
}

// waitFor polls cond until it holds; the deadline only keeps a broken
// recorder from hanging the test, it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

// What the device gives while a recording is paused is read and dropped,
// and none of it reaches the file: the recorder counts the frames it kept
// and dropped, the file holds exactly the kept ones, and it is the
// microphone's feed with exactly the dropped frames cut out where the pause
// was. The feed is noise, so that every stretch of it is unique.
func TestRecorder_PauseKeepsNothing(t *testing.T) {
	feed := make([]float32, 60*audio.Rate)
	x := uint32(1)
	for i := range feed {
		x = x*1664525 + 1013904223
		feed[i] = float32(int16(x>>16)/4) / 32768
	}
	virtualMicrophoneFrom(t, feed, audio.Rate)
	path := filepath.Join(t.TempDir(), "rec.wav")
	r, err := audio.StartRecording(path, audio.RecordOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.Pause()
	if !r.Paused() {
		t.Error("not paused after Pause")
	}
	waitFor(t, "a second of audio read and dropped while paused", func() bool {
		_, dropped := audio.CaptureCounts(r)
		return dropped >= audio.Rate
	})
	r.Resume()
	keptAt, _ := audio.CaptureCounts(r)
	waitFor(t, "a second of audio kept after Resume", func() bool {
		kept, _ := audio.CaptureCounts(r)
		return kept >= keptAt+audio.Rate
	})
	rec, err := r.Stop()
	if err != nil {
		t.Fatal(err)
	}
	kept, dropped := audio.CaptureCounts(r)
	got := readWAV(t, path).Samples
	if int64(len(got)) != kept || time.Duration(len(got))*time.Second/audio.Rate != rec.Duration {
		t.Fatalf("file holds %d frames (Stop said %v); the recorder kept %d and dropped %d while paused", len(got), rec.Duration, kept, dropped)
	}
	// The file is the feed up to the pause, then the feed from the pause
	// plus the dropped frames on (as far as the feed goes).
	pause := 0
	for pause < len(got) && pause < len(feed) && got[pause] == feed[pause] {
		pause++
	}
	for i := pause; i < len(got) && i+int(dropped) < len(feed); i++ {
		if got[i] != feed[i+int(dropped)] {
			t.Fatalf("sample %d of the file is not the feed's sample %d: the pause at %d (%d dropped frames) let other audio in", i, i+int(dropped), pause, dropped)
		}
	}
	t.Logf("kept %d frames, paused after %d, dropped %d", kept, pause, dropped)
}

func TestStartRecording_UnknownDevice(t *testing.T) {
	virtualMicrophone(t)
	_, err := audio.StartRecording(filepath.Join(t.TempDir(), "x.wav"), audio.RecordOptions{Device: "no such microphone"})
	if err == nil || !errorsIs(err, audio.ErrNoDevice) {
		t.Fatalf("err = %v, want ErrNoDevice naming the inputs", err)
	}
	t.Log(err)
}

// leftover writes what a recording killed before its first header update
// leaves: a header that says no audio, then the samples.
func leftover(t *testing.T, path string, frames int) {
	t.Helper()
	live := filepath.Join(t.TempDir(), "live.wav")
	w, err := audio.CreateWAV(live, audio.Rate, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]float32, frames)) // less than a header update: the header says 0
	data, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFindUnfinished_RepairsAndLists(t *testing.T) {
	dir := t.TempDir()
	leftover(t, filepath.Join(dir, "a.wav"), audio.Rate/4)
	// A recording in progress (its writer holds it) is not a leftover.
	live, err := audio.CreateWAV(filepath.Join(dir, "live.wav"), audio.Rate, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	live.Write(make([]float32, audio.Rate))
	// An empty recording is removed once it is over a minute old; a fresh
	// one may be a recording just starting elsewhere.
	for _, name := range []string{"empty-old.wav", "empty-new.wav"} {
		w, _ := audio.CreateWAV(filepath.Join(dir, name), audio.Rate, 1)
		w.Close()
	}
	old := time.Now().Add(-2 * time.Minute)
	os.Chtimes(filepath.Join(dir, "empty-old.wav"), old, old)
	os.WriteFile(filepath.Join(dir, "junk.wav"), []byte("not audio"), 0o600)
	got, err := audio.FindUnfinished(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || filepath.Base(got[0].Path) != "a.wav" || got[0].Duration != 250*time.Millisecond {
		t.Fatalf("unfinished = %+v, want a.wav of 250ms", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "empty-old.wav")); !os.IsNotExist(err) {
		t.Error("an old empty recording was kept")
	}
	if _, err := os.Stat(filepath.Join(dir, "empty-new.wav")); err != nil {
		t.Error("a fresh empty recording was removed")
	}
	if _, err := os.Stat(filepath.Join(dir, "live.wav")); err != nil {
		t.Error("the live recording was touched")
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func TestRecorder_SurvivesSIGKILL(t *testing.T) {
	src := speech(t, audio.Rate)
	var long []float32
	for len(long) < 40*audio.Rate {
		long = append(long, src...)
	}
	virtualMicrophoneFrom(t, long, audio.Rate)
	for round := range 3 {
		path := filepath.Join(t.TempDir(), "killed.wav")
		acked := killChildAfter(t, "SAMO_RECORD_CHILD="+path, audio.Rate*(3+4*round))
		if acked == 0 {
			t.Fatal("the recording child acknowledged nothing")
		}
		clip := readWAV(t, path)
		if clip.Frames() < acked-audio.Rate {
			t.Errorf("round %d: %d frames readable after the kill, %d acknowledged: more than a second lost", round, clip.Frames(), acked)
		}
		unf, err := audio.FindUnfinished(filepath.Dir(path))
		if err != nil || len(unf) != 1 || unf[0].Duration < time.Duration(acked)*time.Second/audio.Rate {
			t.Errorf("round %d: unfinished recordings %+v (%v); %d frames acknowledged", round, unf, err, acked)
		}
		got := readWAV(t, path).Samples
		if c, _ := bestCorrelation(long[:len(got)], got, 0); c < 0.99 {
			t.Errorf("round %d: the kept audio correlates %.4f with what was spoken", round, c)
		}
	}
}
