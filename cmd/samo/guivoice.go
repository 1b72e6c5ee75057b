package main

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/ui"
)

// guiVoice records for the window through the microphone, into the
// journal folder's recordings folder.
type guiVoice struct {
	c   *cli
	dir string
}

func (v *guiVoice) Record(level func(float32, time.Duration)) (ui.Take, error) {
	start := time.Now()
	path := filepath.Join(v.dir, start.UTC().Format(recordingNameLayout)+".wav")
	r, err := audio.StartRecording(path, audio.RecordOptions{MaxLength: v.c.maxRecording(), OnLevel: func(l audio.Level) { level(l.Peak, l.Elapsed) }})
	if err != nil {
		return nil, err
	}
	return &guiTake{v: v, path: path, start: start, rec: r}, nil
}

func (v *guiVoice) Unfinished() ([]ui.Take, error) {
	unf, err := audio.FindUnfinished(v.dir)
	if err != nil {
		return nil, err
	}
	out := make([]ui.Take, len(unf))
	for i, u := range unf {
		out[i] = &guiTake{v: v, path: u.Path, start: recordingStart(u.Path, u.Modified.Add(-u.Duration)), length: u.Duration}
	}
	return out, nil
}

// guiTake is one recording: running (rec set) or already on disk.
type guiTake struct {
	v      *guiVoice
	path   string
	start  time.Time
	rec    *audio.Recorder
	length time.Duration
}

func (t *guiTake) Pause() {
	if t.rec != nil {
		t.rec.Pause()
	}
}

func (t *guiTake) Resume() {
	if t.rec != nil {
		t.rec.Resume()
	}
}

func (t *guiTake) Length() time.Duration {
	if t.rec != nil {
		return t.rec.Elapsed()
	}
	return t.length
}

func (t *guiTake) Stop(ctx context.Context, progress func(float64)) (journal.NewRecording, error) {
	if t.rec != nil {
		rec, err := t.rec.Stop()
		t.length = rec.Duration
		if err != nil {
			return journal.NewRecording{}, err
		}
		t.v.c.warnRecording(rec) // a failed microphone still leaves what it recorded
		if rec.Duration == 0 {
			return journal.NewRecording{}, ui.ErrNothingRecorded
		}
	}
	return t.v.c.prepareRecording(ctx, t.path, t.start, nil, func(done, total int) {
		if total > 0 {
			progress(float64(done) / float64(total))
		}
	})
}

func (t *guiTake) Done() <-chan struct{} {
	if t.rec != nil {
		return t.rec.Done()
	}
	return nil // already stopped: it never ends again
}

func (t *guiTake) Saved() error { return os.Remove(t.path) }

func (t *guiTake) Discard() error {
	if t.rec != nil {
		t.rec.Stop()
	}
	return os.Remove(t.path)
}

// envMaxRecording names the variable that changes the longest recording
// the window makes (a Go duration, e.g. 90m); the default is two hours.
const envMaxRecording = "SAMO_MAX_RECORDING"

func (c *cli) maxRecording() time.Duration {
	if d, err := time.ParseDuration(os.Getenv(envMaxRecording)); err == nil && d > 0 {
		return d
	}
	return 2 * time.Hour
}

func (v *guiVoice) Play(ctx context.Context, recording []byte) error {
	clip, err := audio.Decode(recording)
	if err != nil {
		return err
	}
	return audio.Play(ctx, clip)
}
