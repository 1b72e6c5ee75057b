package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/journal"
)

// NewMicrophone returns the Voice that records through the computer's
// microphones (the audio package, over PortAudio) into dir, the journal
// folder's recordings folder, each recording at most maxLength long (0:
// no limit). Recordings are written as they are made, so a crash loses at
// most the last second, and Unfinished finds what one left behind. A
// recording's file is named by its start time (audio.RecordingPath, as the
// command line names them), so one left behind keeps its time.
func NewMicrophone(dir string, maxLength time.Duration) Voice {
	return &microphone{dir: dir, maxLength: maxLength}
}

type microphone struct {
	dir       string
	maxLength time.Duration
}

// Devices lists the input devices' names, each once (a device shows under
// several host APIs).
func (m *microphone) Devices() ([]string, error) {
	inv, err := audio.List()
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range inv.InputDevices() {
		if !seen[d.Name] {
			seen[d.Name] = true
			out = append(out, d.Name)
		}
	}
	return out, nil
}

func (m *microphone) Record(device string, level func(float32, time.Duration), live func([]float32)) (Take, error) {
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		return nil, fmt.Errorf("ui: recordings folder: %w", err)
	}
	start := time.Now()
	path := audio.RecordingPath(m.dir, start)
	r, err := audio.StartRecording(path, audio.RecordOptions{
		Device:    device,
		MaxLength: m.maxLength,
		OnLevel:   func(l audio.Level) { level(l.Peak, l.Elapsed) },
		OnAudio:   live,
	})
	if err != nil {
		return nil, err
	}
	return &micTake{path: path, start: start, rec: r}, nil
}

func (m *microphone) Unfinished() ([]Take, error) {
	unf, err := audio.FindUnfinished(m.dir)
	if err != nil {
		return nil, err
	}
	out := make([]Take, len(unf))
	for i, u := range unf {
		out[i] = &micTake{path: u.Path, start: u.Start, length: u.Duration, stopped: true}
	}
	return out, nil
}

func (m *microphone) Play(ctx context.Context, recording []byte, from time.Duration) error {
	clip, err := audio.Decode(recording)
	if err != nil {
		return err
	}
	return audio.Play(ctx, clip.From(from))
}

// micTake is one recording: running (rec set, not stopped) or on disk.
type micTake struct {
	path  string
	start time.Time
	rec   *audio.Recorder

	mu      sync.Mutex
	stopped bool
	length  time.Duration
}

func (t *micTake) running() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rec != nil && !t.stopped
}

func (t *micTake) Pause() {
	if t.running() {
		t.rec.Pause()
	}
}

func (t *micTake) Resume() {
	if t.running() {
		t.rec.Resume()
	}
}

func (t *micTake) Length() time.Duration {
	if t.running() {
		return t.rec.Elapsed()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.length
}

func (t *micTake) Done() <-chan struct{} {
	if t.rec != nil {
		return t.rec.Done()
	}
	return nil // already stopped: it never ends again
}

// finish stops the recorder, once: stopped reports that this call did.
func (t *micTake) finish() (rec audio.Recording, stopped bool, err error) {
	t.mu.Lock()
	if t.rec == nil || t.stopped {
		t.mu.Unlock()
		return audio.Recording{}, false, nil
	}
	t.stopped = true
	t.mu.Unlock()
	rec, err = t.rec.Stop()
	t.mu.Lock()
	t.length = rec.Duration
	t.mu.Unlock()
	return rec, true, err
}

func (t *micTake) Stop(context.Context) (Stopped, error) {
	var st Stopped
	if rec, ok, err := t.finish(); ok {
		st.Warnings = audio.Warnings(rec)
		if err != nil {
			return st, fmt.Errorf("ui: finish the recording: %w", err)
		}
		if rec.Duration == 0 {
			return st, ErrNothingRecorded
		}
	}
	st.File = journal.RecordingFile{Path: t.path, At: t.start}
	return st, nil
}

func (t *micTake) Discard() error {
	t.finish()
	if err := os.Remove(t.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
