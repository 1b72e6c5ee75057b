package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// memVoice is an in-memory Voice: its takes report levels when told and
// hand back fixed audio.
type memVoice struct {
	mu         sync.Mutex
	takes      []*memTake
	unfinished []*memTake
	transcript *journal.Transcript
	stopErr    error
	// hold, when set, keeps Stop from returning until it is closed.
	hold chan struct{}
	// played lists what Play was given; playFor is how long it plays.
	played  []string
	playFor time.Duration
}

type memTake struct {
	v       *memVoice
	done    chan struct{}
	level   func(float32, time.Duration)
	mu      sync.Mutex
	paused  bool
	length  time.Duration
	saved   bool
	deleted bool
}

func (v *memVoice) Record(level func(float32, time.Duration)) (Take, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	t := &memTake{v: v, level: level, done: make(chan struct{})}
	v.takes = append(v.takes, t)
	return t, nil
}

func (v *memVoice) Play(ctx context.Context, recording []byte) error {
	v.mu.Lock()
	v.played = append(v.played, string(recording))
	v.mu.Unlock()
	if v.playFor > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(v.playFor):
		}
	}
	return nil
}

func (v *memVoice) Unfinished() ([]Take, error) {
	out := make([]Take, len(v.unfinished))
	for i, t := range v.unfinished {
		out[i] = t
	}
	return out, nil
}

// speak reports n levels of 50 ms each, unless paused.
func (t *memTake) speak(n int) {
	for range n {
		t.mu.Lock()
		if t.paused {
			t.mu.Unlock()
			continue
		}
		t.length += 50 * time.Millisecond
		l := t.length
		t.mu.Unlock()
		t.level(0.6, l)
	}
}

func (t *memTake) Done() <-chan struct{} { return t.done }
func (t *memTake) Pause()                { t.mu.Lock(); t.paused = true; t.mu.Unlock() }
func (t *memTake) Resume()               { t.mu.Lock(); t.paused = false; t.mu.Unlock() }
func (t *memTake) Length() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.length
}
func (t *memTake) Stop(_ context.Context, progress func(float64)) (journal.NewRecording, error) {
	if t.v.hold != nil {
		<-t.v.hold
	}
	if t.v.stopErr != nil {
		return journal.NewRecording{}, t.v.stopErr
	}
	progress(0.5)
	progress(1)
	return journal.NewRecording{Data: []byte("RIFF fake audio"), Audio: journal.Audio{Format: "wav", SampleRate: 16000, Channels: 1, Duration: t.Length()},
		Transcript: t.v.transcript}, nil
}
func (t *memTake) Saved() error { t.mu.Lock(); t.saved = true; t.mu.Unlock(); return nil }
func (t *memTake) state() (paused, saved, deleted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.paused, t.saved, t.deleted
}
func (t *memTake) Discard() error { t.mu.Lock(); t.deleted = true; t.mu.Unlock(); return nil }

func newVoiceJournal(t *testing.T, v *memVoice) (*Journal, fyne.Window, *storage.Store) {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := test.NewTempApp(t)
	w := a.NewWindow("SAMO")
	w.Resize(fyne.NewSize(900, 600))
	var j *Journal
	onUI(func() { j = Create(a, w, journal.NewService(st), WithVoice(v)) })
	return j, w, st
}

// waitSettled runs f and waits for the background work it starts.
func waitSettled(t *testing.T, j *Journal, f func()) {
	t.Helper()
	done := make(chan struct{}, 1)
	j.settled = func() { done <- struct{}{} }
	f()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the background work did not finish")
	}
}

func TestJournal_RecordPauseStopSaves(t *testing.T) {
	v := &memVoice{}
	j, w, st := newVoiceJournal(t, v)
	if j.record.Disabled() || j.recorder.content.Visible() {
		t.Fatal("the record button is not ready, or the recorder shows before recording")
	}
	onUI(func() { test.Tap(j.record) })
	if len(v.takes) != 1 || !j.recorder.content.Visible() || j.editorArea.Visible() || !j.record.Disabled() {
		t.Fatalf("after Record: %d takes, panel shown %v, editor shown %v", len(v.takes), j.recorder.content.Visible(), j.editorArea.Visible())
	}
	take := v.takes[0]
	take.speak(40) // 2 s
	waitFor(t, func() bool { return j.recorder.clock.Text == "00:02" })
	onUI(func() {
		if j.recorder.meter.level < 0.5 {
			t.Errorf("meter shows %v while speaking", j.recorder.meter.level)
		}
	})

	onUI(func() { test.Tap(j.recorder.pause) })
	if paused, _, _ := take.state(); j.recorder.pause.Text != "Resume" || !paused {
		t.Errorf("after Pause: button %q, paused %v", j.recorder.pause.Text, paused)
	}
	take.speak(20)
	if take.Length() != 2*time.Second {
		t.Errorf("the paused take grew to %v", take.Length())
	}
	onUI(func() { test.Tap(j.recorder.pause) })
	take.speak(20)

	waitSettled(t, j, func() { onUI(func() { test.Tap(j.recorder.stop) }) })
	es, _ := st.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Audio == nil || es[0].Audio.Duration != 3*time.Second || !es[0].AwaitingTranscript() {
		t.Fatalf("stored %+v, want one 3 s recording awaiting its transcript", es)
	}
	if _, saved, _ := take.state(); !saved || j.recorder.content.Visible() || !j.editorArea.Visible() {
		t.Errorf("after saving: file removed %v, panel shown %v", saved, j.recorder.content.Visible())
	}
	if !contains(shownLabels(w), "waiting to be transcribed") {
		t.Errorf("the list does not show the recording waiting; labels %q", shownLabels(w))
	}
	if j.current != es[0].ID {
		t.Error("the saved recording is not the open entry")
	}
}

func TestJournal_RecordingTranscribedBecomesText(t *testing.T) {
	v := &memVoice{transcript: &journal.Transcript{Language: "en", Model: "test", Segments: []journal.Segment{{End: time.Second, Text: " A quiet morning."}}}}
	j, _, st := newVoiceJournal(t, v)
	onUI(func() { test.Tap(j.record) })
	v.takes[0].speak(10)
	waitSettled(t, j, func() { onUI(func() { test.Tap(j.recorder.stop) }) })
	es, _ := st.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Text != "A quiet morning." || j.editor.Text != "A quiet morning." {
		t.Fatalf("stored %+v; editor %q", es, j.editor.Text)
	}
}

func TestJournal_FailedSaveKeepsTheRecording(t *testing.T) {
	v := &memVoice{stopErr: errors.New("disk full")}
	j, _, st := newVoiceJournal(t, v)
	onUI(func() { test.Tap(j.record) })
	waitSettled(t, j, func() { onUI(func() { test.Tap(j.recorder.stop) }) })
	if _, saved, deleted := v.takes[0].state(); saved || deleted {
		t.Error("a recording that failed to save was removed")
	}
	if n, _ := st.Count(context.Background()); n != 0 {
		t.Errorf("%d entries", n)
	}
	if !contains([]string{j.status.Text}, "not saved") {
		t.Errorf("status %q does not say the recording was not saved", j.status.Text)
	}
}

func TestJournal_OffersUnfinishedRecordings(t *testing.T) {
	v := &memVoice{}
	v.unfinished = []*memTake{{v: v, length: 12 * time.Second}, {v: v, length: 3 * time.Second}}
	j, _, st := newVoiceJournal(t, v)
	if j.offer == nil {
		t.Fatal("unfinished recordings were not offered")
	}
	done := make(chan struct{}, 2)
	j.settled = func() { done <- struct{}{} }
	onUI(j.offer.(interface{ Confirm() }).Confirm)
	for range 2 {
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("saving the unfinished recordings did not finish")
		}
	}
	_, saved0, _ := v.unfinished[0].state()
	_, saved1, _ := v.unfinished[1].state()
	if n, _ := st.Count(context.Background()); n != 2 || !saved0 || !saved1 {
		t.Errorf("%d entries saved from 2 unfinished recordings", n)
	}
}

// onUI runs f on Fyne's UI goroutine, where the window's background work
// also lands (fyne.Do), and waits for it.
func onUI(f func()) { fyne.DoAndWait(f) }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 200 {
		ok := false
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("timed out waiting")
}

func TestJournal_RecordingThatStopsByItselfIsSaved(t *testing.T) {
	v := &memVoice{}
	j, _, st := newVoiceJournal(t, v)
	onUI(func() { test.Tap(j.record) })
	v.takes[0].speak(30)
	waitSettled(t, j, func() { close(v.takes[0].done) })
	if n, _ := st.Count(context.Background()); n != 1 {
		t.Fatalf("%d entries after the recording stopped by itself", n)
	}
	var shown bool
	var status string
	onUI(func() { shown, status = j.recorder.content.Visible(), j.status.Text })
	if shown || !strings.Contains(status, "stopped by itself") {
		t.Errorf("after stopping by itself: recorder shown %v, status %q", shown, status)
	}
}

// Ctrl+R twice in a row (stop, then a second press while the recording is
// saving) starts no hidden recording.
func TestJournal_RecordKeyWhileSavingStartsNothing(t *testing.T) {
	v := &memVoice{hold: make(chan struct{})}
	j, _, st := newVoiceJournal(t, v)
	onUI(j.onRecordKey)
	v.takes[0].speak(10)
	waitSettled(t, j, func() {
		onUI(func() { j.onRecordKey(); j.onRecordKey() })
		close(v.hold)
	})
	if len(v.takes) != 1 {
		t.Errorf("%d recordings started, want 1", len(v.takes))
	}
	if n, _ := st.Count(context.Background()); n != 1 {
		t.Errorf("%d entries", n)
	}
	onUI(j.onRecordKey)
	if len(v.takes) != 2 {
		t.Errorf("after saving, Ctrl+R started %d recordings in all, want 2", len(v.takes))
	}
}

func TestJournal_EmptyRecordingIsDroppedQuietly(t *testing.T) {
	v := &memVoice{stopErr: fmt.Errorf("stop: %w", ErrNothingRecorded)}
	j, _, st := newVoiceJournal(t, v)
	onUI(j.onRecordKey)
	waitSettled(t, j, func() { onUI(j.onRecordKey) })
	if n, _ := st.Count(context.Background()); n != 0 {
		t.Errorf("%d entries from an empty recording", n)
	}
	if _, _, deleted := v.takes[0].state(); !deleted {
		t.Error("the empty recording's file was kept")
	}
	var status string
	onUI(func() { status = j.status.Text })
	if status != "Nothing was recorded." {
		t.Errorf("status %q", status)
	}
}

func TestJournal_PlayTheOpenRecording(t *testing.T) {
	v := &memVoice{playFor: time.Minute}
	j, _, _ := newVoiceJournal(t, v)
	var visible bool
	onUI(func() { visible = j.play.Visible() })
	if visible {
		t.Error("Play is shown for a new, typed entry")
	}
	onUI(j.onRecordKey)
	v.takes[0].speak(20)
	waitSettled(t, j, func() { onUI(j.onRecordKey) })
	onUI(func() { visible = j.play.Visible() })
	if !visible {
		t.Fatal("Play is not shown for the recording just saved")
	}
	onUI(func() { test.Tap(j.play) })
	waitFor(t, func() bool { return j.play.Text == "Stop" })
	// Stop while it plays.
	waitSettled(t, j, func() { onUI(func() { test.Tap(j.play) }) })
	var text string
	onUI(func() { text = j.play.Text })
	v.mu.Lock()
	played := slices.Clone(v.played)
	v.mu.Unlock()
	if text != "Play" || len(played) != 1 || played[0] != "RIFF fake audio" {
		t.Errorf("after stopping: button %q, played %q", text, played)
	}
}
