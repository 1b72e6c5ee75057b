package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
)

// A recording a crash left behind is found with its start time (from its
// name) and length, stops into its own file, and is deleted by Discard.
func TestMicrophone_Unfinished(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 3, 1, 10, 15, 0, 250_000_000, time.UTC)
	path := audio.RecordingPath(dir, start)
	w, err := audio.CreateWAV(path, audio.Rate, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(make([]float32, 3*audio.Rate/2)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.wav"), []byte("not a recording"), 0o600); err != nil {
		t.Fatal(err)
	}

	takes, err := NewMicrophone(dir, time.Hour).Unfinished()
	if err != nil || len(takes) != 1 {
		t.Fatalf("Unfinished = %d takes, %v; want the one recording", len(takes), err)
	}
	take := takes[0]
	if take.Length() != 1500*time.Millisecond {
		t.Errorf("length %v, want 1.5 s", take.Length())
	}
	take.Pause() // a stopped take ignores them
	take.Resume()
	st, err := take.Stop(context.Background())
	if err != nil || st.File.Path != path || !st.File.At.Equal(start) || len(st.Warnings) != 0 {
		t.Fatalf("Stop = %+v, %v; want %s started %v", st, err, path, start)
	}
	if err := take.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the discarded recording is still there: %v", err)
	}
	if err := take.Discard(); err != nil {
		t.Errorf("discarding twice: %v", err)
	}
}
