package audio_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/samojournal/samo/audio"
)

// mp3Of encodes speech as MP3 with lame and returns the file's bytes and
// the speech it was made from (16 kHz mono).
func mp3Of(t testing.TB) ([]byte, []float32) {
	t.Helper()
	tt, ok := t.(*testing.T)
	if !ok {
		t.Fatal("mp3Of needs a *testing.T")
	}
	src := speech(tt, audio.Rate)
	dir := t.TempDir()
	wav := filepath.Join(dir, "s.wav")
	w, err := audio.CreateWAV(wav, audio.Rate, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(src)
	w.Close()
	out := filepath.Join(dir, "s.mp3")
	if b, err := exec.Command("lame", "--quiet", "-b", "64", wav, out).CombinedOutput(); err != nil {
		t.Fatalf("lame (make deps installs it): %v: %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data, src
}

func TestDecode_MP3MatchesItsSource(t *testing.T) {
	data, src := mp3Of(t)
	c, err := audio.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if c.Channels != 2 || c.Rate != audio.Rate {
		t.Fatalf("decoded %d Hz × %d", c.Rate, c.Channels)
	}
	got := c.Mono16k()
	corr, lag := bestCorrelation(src, got, 3000)
	t.Logf("MP3 (64 kbit/s) against its source: correlation %.4f at lag %d", corr, lag)
	if corr < 0.95 {
		t.Errorf("decoded MP3 correlates %.4f with its source", corr)
	}
}

func TestDecode_RefusesWhatItCannotRead(t *testing.T) {
	data, _ := mp3Of(t)
	for name, tc := range map[string]struct {
		data []byte
		want error
	}{
		"ogg":         {[]byte("OggS\x00\x02rest"), audio.ErrUnsupported},
		"flac":        {[]byte("fLaC\x00\x00"), audio.ErrUnsupported},
		"text":        {[]byte("hello, this is not audio"), audio.ErrUnknownFormat},
		"empty":       {nil, audio.ErrUnknownFormat},
		"mp3 header":  {data[:10], audio.ErrCorruptMP3},
		"wav no data": {[]byte("RIFF\x10\x00\x00\x00WAVE"), audio.ErrNotWAV},
	} {
		if _, err := audio.Decode(tc.data); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	// An MP3 cut inside a frame is an error that still gives its whole
	// frames (to a caller that takes what is there).
	if c, err := audio.Decode(data[:len(data)/2+7]); !errors.Is(err, audio.ErrTruncated) || c.Frames() == 0 {
		t.Errorf("half an MP3: %d frames, %v", c.Frames(), err)
	}
	if _, err := audio.DecodeFile(filepath.Join(t.TempDir(), "missing.wav")); err == nil {
		t.Error("a missing file decoded")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("RIFF\x24\x00\x00\x00WAVEfmt "))
	f.Add([]byte("ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00"))
	f.Add([]byte("OggS"))
	seed, err := os.ReadFile(filepath.Join("testdata", "seed.mp3"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	// The hostile inputs of TestDecode_HostileInputs, made from the seed MP3
	// and a small WAV file.
	for _, h := range hostileBytes(seed, wavBytes(1, 16, 1, 16000, false, make([]byte, 4000))) {
		f.Add(h.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := audio.Decode(data)
		var te *audio.TruncatedError
		if errors.As(err, &te) && (te.Held >= te.Declared || te.Held < 0) {
			t.Fatalf("truncated, yet %d of %d bytes held", te.Held, te.Declared)
		}
		if err != nil && te == nil {
			return
		}
		if c.Channels <= 0 || c.Rate <= 0 || len(c.Samples)%c.Channels != 0 {
			t.Fatalf("decoded %d Hz × %d with %d samples (%v)", c.Rate, c.Channels, len(c.Samples), err)
		}
	})
}
