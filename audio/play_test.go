package audio_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
)

// virtualSpeaker makes the ALSA default playback device write what it is
// given (16-bit, at rate, mono) into a raw file, and returns the file.
func virtualSpeaker(t *testing.T, rate int) string {
	t.Helper()
	home := t.TempDir()
	out := filepath.Join(home, "speaker.raw")
	alsaHome(t, home, fmt.Sprintf(`pcm.fileout_raw { type file; slave.pcm "null"; file "%s"; format "raw" }
pcm.fileout { type plug; slave { pcm "fileout_raw"; format S16_LE; rate %d; channels 1 } }
pcm.!default { type asym; playback.pcm "fileout"; capture.pcm "null" }
`, out, rate))
	return out
}

func TestPlay_ReachesTheSpeaker(t *testing.T) {
	src := speech(t, audio.Rate)
	out := virtualSpeaker(t, audio.Rate)
	if err := audio.Play(context.Background(), audio.Clip{Rate: audio.Rate, Channels: 1, Samples: src}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, len(raw)/2)
	for i := range got {
		got[i] = float32(int16(binary.LittleEndian.Uint16(raw[2*i:]))) / 32768
	}
	if len(got) < len(src) {
		t.Fatalf("the speaker got %d samples of %d", len(got), len(src))
	}
	c, lag := bestCorrelation(src, got, 4000)
	t.Logf("played %d samples; the speaker got %d; correlation %.5f at lag %d", len(src), len(got), c, lag)
	if c < 0.99 {
		t.Errorf("what the speaker got correlates %.4f with what was played", c)
	}
}

func TestPlay_StopsWhenCancelled(t *testing.T) {
	virtualSpeaker(t, audio.Rate)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	long := audio.Clip{Rate: audio.Rate, Channels: 1, Samples: make([]float32, 600*audio.Rate)} // ten minutes
	start := time.Now()
	err := audio.Play(ctx, long)
	if err == nil {
		t.Fatal("ten minutes played in full despite the cancel")
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Play took %v to stop", d)
	}
	if err := audio.Play(context.Background(), audio.Clip{Rate: 16000, Channels: 3}); err == nil {
		t.Error("a three-channel clip played")
	}
}
