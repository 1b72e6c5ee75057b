package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// memVoice is an in-memory Voice: its takes report levels when told and,
// once stopped, leave a recording of their length in dir as
// journaltest.PCMDecoder reads it.
type memVoice struct {
	mu         sync.Mutex
	dir        string
	devices    []string
	takes      []*memTake
	unfinished []*memTake
	stopErr    error
	// warnings are what every take's Stop reports.
	warnings []string
	// hold, when set, keeps Stop from returning until it is closed.
	hold chan struct{}
	// played lists what Play was given, and from where; playFor is how
	// long it plays.
	played     []string
	playedFrom []time.Duration
	playFor    time.Duration
}

type memTake struct {
	v      *memVoice
	path   string
	at     time.Time
	device string
	done   chan struct{}
	level  func(float32, time.Duration)
	// live gets the samples the take hears (see hear).
	live func([]float32)

	mu      sync.Mutex
	paused  bool
	length  time.Duration
	deleted bool
}

// newTake returns a take of the given length, its file in v's folder.
func (v *memVoice) newTake(length time.Duration) *memTake {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := len(v.takes) + len(v.unfinished)
	return &memTake{v: v, path: filepath.Join(v.dir, fmt.Sprintf("take-%d.pcm", n)), at: time.Now().Add(-time.Duration(n) * time.Minute),
		length: length, done: make(chan struct{})}
}

func (v *memVoice) Devices() ([]string, error) { return v.devices, nil }

func (v *memVoice) Record(device string, level func(float32, time.Duration), live func([]float32)) (Take, error) {
	t := v.newTake(0)
	t.device, t.level, t.live = device, level, live
	v.mu.Lock()
	defer v.mu.Unlock()
	v.takes = append(v.takes, t)
	return t, nil
}

func (v *memVoice) take(i int) *memTake {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.takes[i]
}

func (v *memVoice) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.takes)
}

func (v *memVoice) Play(ctx context.Context, recording []byte, from time.Duration) error {
	v.mu.Lock()
	v.played = append(v.played, string(recording))
	v.playedFrom = append(v.playedFrom, from)
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

// hear gives the take d of audio (not silent) as the microphone would,
// unless paused: its live listener gets the samples.
func (t *memTake) hear(d time.Duration) {
	t.mu.Lock()
	if t.paused {
		t.mu.Unlock()
		return
	}
	t.length += d
	live := t.live
	t.mu.Unlock()
	samples := make([]float32, int(d*16000/time.Second))
	for i := range samples {
		samples[i] = 0.1
	}
	if live != nil {
		live(samples)
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

func (t *memTake) Stop(context.Context) (Stopped, error) {
	if t.v.hold != nil {
		<-t.v.hold
	}
	st := Stopped{Warnings: t.v.warnings}
	if t.v.stopErr != nil {
		return st, t.v.stopErr
	}
	samples := int(t.Length() * 16000 / time.Second)
	if err := os.WriteFile(t.path, journaltest.PCM(samples), 0o600); err != nil {
		return st, err
	}
	st.File = journal.RecordingFile{Path: t.path, At: t.at}
	return st, nil
}

func (t *memTake) Discard() error {
	t.mu.Lock()
	t.deleted = true
	t.mu.Unlock()
	if err := os.Remove(t.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func (t *memTake) state() (paused, deleted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.paused, t.deleted
}

// onDisk reports whether the take's recording file is there.
func (t *memTake) onDisk() bool { _, err := os.Stat(t.path); return err == nil }

// waiting is a speech model that is not installed: recordings wait.
func waiting() *journaltest.Transcriber {
	return &journaltest.Transcriber{Fail: journal.ErrNoSpeechModel}
}

// newVoiceJournal opens the journal screen on an in-memory journal that
// saves recordings with tr as its speech model, recording with v.
func newVoiceJournal(t *testing.T, v *memVoice, tr *journaltest.Transcriber) (*journalScreen, fyne.Window, *journaltest.MemStore) {
	t.Helper()
	if v.dir == "" {
		v.dir = t.TempDir()
	}
	store := journaltest.NewMemStore()
	sh, w := newTestShell(t, journal.NewService(store, journal.WithSpeech(journaltest.PCMDecoder{}, tr)), WithVoice(v))
	return sh.journal, w, store
}

func TestJournal_RecordPauseStopSaves(t *testing.T) {
	v := &memVoice{}
	j, w, st := newVoiceJournal(t, v, waiting())
	if j.record.Disabled() || j.recorder.content.Visible() {
		t.Fatal("the record button is not ready, or the recorder shows before recording")
	}
	onUI(func() { test.Tap(j.record) })
	if v.count() != 1 || !j.recorder.content.Visible() || j.editorArea.Visible() || !j.record.Disabled() {
		t.Fatalf("after Record: %d takes, panel shown %v, editor shown %v", v.count(), j.recorder.content.Visible(), j.editorArea.Visible())
	}
	take := v.take(0)
	if take.device != "" {
		t.Errorf("recorded from %q, want the default microphone", take.device)
	}
	take.speak(40) // 2 s
	waitFor(t, func() bool { return j.recorder.clock.Text == "00:02" })
	onUI(func() {
		if j.recorder.meter.level < 0.5 {
			t.Errorf("meter shows %v while speaking", j.recorder.meter.level)
		}
	})

	onUI(func() { test.Tap(j.recorder.pause) })
	if paused, _ := take.state(); j.recorder.pause.Text != "Resume" || !paused {
		t.Errorf("after Pause: button %q, paused %v", j.recorder.pause.Text, paused)
	}
	take.speak(20)
	if take.Length() != 2*time.Second {
		t.Errorf("the paused take grew to %v", take.Length())
	}
	onUI(func() { test.Tap(j.recorder.pause) })
	take.speak(20)

	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(j.recorder.stop) }) })
	es, _ := st.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Audio == nil || es[0].Audio.Duration != 3*time.Second || !es[0].AwaitingTranscript() {
		t.Fatalf("stored %+v, want one 3 s recording awaiting its transcript", es)
	}
	if take.onDisk() || j.recorder.content.Visible() || !j.editorArea.Visible() {
		t.Errorf("after saving: file kept %v, panel shown %v", take.onDisk(), j.recorder.content.Visible())
	}
	if !contains(shownLabels(w), "waiting to be transcribed") {
		t.Errorf("the list does not show the recording waiting; labels %q", shownLabels(w))
	}
	if j.current != es[0].ID {
		t.Error("the saved recording is not the open entry")
	}
}

func TestJournal_RecordingTranscribedBecomesText(t *testing.T) {
	v := &memVoice{}
	j, _, st := newVoiceJournal(t, v, &journaltest.Transcriber{Text: " A quiet morning."})
	onUI(func() { test.Tap(j.record) })
	v.take(0).speak(10)
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(j.recorder.stop) }) })
	es, _ := st.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Text != "A quiet morning." || j.editor.Text != "A quiet morning." {
		t.Fatalf("stored %+v; editor %q", es, j.editor.Text)
	}
	if !strings.Contains(j.status.Text, "transcribed") {
		t.Errorf("status %q", j.status.Text)
	}
}

// A recording that cannot be finished, or saved, stays on disk and is
// offered again: nothing spoken is lost.
func TestJournal_FailedSaveKeepsTheRecording(t *testing.T) {
	t.Run("stop", func(t *testing.T) {
		v := &memVoice{stopErr: errors.New("disk full")}
		j, _, st := newVoiceJournal(t, v, waiting())
		onUI(func() { test.Tap(j.record) })
		waitSettled(t, j.sh, func() { onUI(func() { test.Tap(j.recorder.stop) }) })
		if _, deleted := v.take(0).state(); deleted {
			t.Error("a recording that failed to save was removed")
		}
		if n, _ := st.Count(context.Background()); n != 0 {
			t.Errorf("%d entries", n)
		}
		if !strings.Contains(j.status.Text, "not saved") {
			t.Errorf("status %q does not say the recording was not saved", j.status.Text)
		}
	})
	t.Run("save", func(t *testing.T) {
		v := &memVoice{}
		j, _, st := newVoiceJournal(t, v, waiting())
		onUI(func() { test.Tap(j.record) })
		v.take(0).speak(10)
		st.SetFail(errors.New("storage: no space left on device"))
		waitSettled(t, j.sh, func() { onUI(func() { test.Tap(j.recorder.stop) }) })
		if _, deleted := v.take(0).state(); deleted || !v.take(0).onDisk() {
			t.Error("a recording that failed to save was removed")
		}
		if !strings.Contains(j.status.Text, "not saved") {
			t.Errorf("status %q does not say the recording was not saved", j.status.Text)
		}
	})
}

func TestJournal_OffersUnfinishedRecordings(t *testing.T) {
	v := &memVoice{dir: t.TempDir()}
	v.unfinished = []*memTake{v.newTake(12 * time.Second)}
	v.unfinished = append(v.unfinished, v.newTake(3*time.Second))
	j, _, st := newVoiceJournal(t, v, waiting())
	if j.offer == nil {
		t.Fatal("unfinished recordings were not offered")
	}
	done := make(chan struct{}, 2)
	j.sh.settled = func() { done <- struct{}{} }
	onUI(j.offer.(interface{ Confirm() }).Confirm)
	for range 2 {
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("saving the unfinished recordings did not finish")
		}
	}
	es, _ := st.List(context.Background(), journal.Query{})
	if len(es) != 2 || v.unfinished[0].onDisk() || v.unfinished[1].onDisk() {
		t.Fatalf("%d entries saved from 2 unfinished recordings", len(es))
	}
	if !es[0].Created.Equal(v.unfinished[0].at) || es[0].Audio.Duration != 12*time.Second {
		t.Errorf("the recording is dated %v, %v long; want its start %v, 12 s", es[0].Created, es[0].Audio.Duration, v.unfinished[0].at)
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

// A recording that stops by itself (its length limit, a microphone gone)
// is saved, and what went wrong reaches the notice bar.
func TestJournal_RecordingThatStopsByItselfIsSaved(t *testing.T) {
	v := &memVoice{warnings: []string{"The microphone stopped (device unplugged); the 1.5 s recorded until then are kept."}}
	j, w, st := newVoiceJournal(t, v, waiting())
	onUI(func() { test.Tap(j.record) })
	v.take(0).speak(30)
	waitSettled(t, j.sh, func() { close(v.take(0).done) })
	if n, _ := st.Count(context.Background()); n != 1 {
		t.Fatalf("%d entries after the recording stopped by itself", n)
	}
	var shown bool
	var status string
	onUI(func() { shown, status = j.recorder.content.Visible(), j.status.Text })
	if shown || !strings.Contains(status, "stopped by itself") {
		t.Errorf("after stopping by itself: recorder shown %v, status %q", shown, status)
	}
	if !contains(shownLabels(w), "device unplugged") {
		t.Errorf("the microphone's failure is not shown; labels %q", shownLabels(w))
	}
}

// Ctrl+R twice in a row (stop, then a second press while the recording is
// saving) starts no hidden recording.
func TestJournal_RecordKeyWhileSavingStartsNothing(t *testing.T) {
	v := &memVoice{hold: make(chan struct{})}
	j, _, st := newVoiceJournal(t, v, waiting())
	onUI(j.onRecordKey)
	v.take(0).speak(10)
	waitSettled(t, j.sh, func() {
		onUI(func() { j.onRecordKey(); j.onRecordKey() })
		close(v.hold)
	})
	if v.count() != 1 {
		t.Errorf("%d recordings started, want 1", v.count())
	}
	if n, _ := st.Count(context.Background()); n != 1 {
		t.Errorf("%d entries", n)
	}
	onUI(j.onRecordKey)
	if v.count() != 2 {
		t.Errorf("after saving, Ctrl+R started %d recordings in all, want 2", v.count())
	}
}

func TestJournal_EmptyRecordingIsDroppedQuietly(t *testing.T) {
	v := &memVoice{stopErr: fmt.Errorf("stop: %w", ErrNothingRecorded)}
	j, _, st := newVoiceJournal(t, v, waiting())
	onUI(j.onRecordKey)
	waitSettled(t, j.sh, func() { onUI(j.onRecordKey) })
	if n, _ := st.Count(context.Background()); n != 0 {
		t.Errorf("%d entries from an empty recording", n)
	}
	if _, deleted := v.take(0).state(); !deleted {
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
	j, _, st := newVoiceJournal(t, v, waiting())
	var visible bool
	onUI(func() { visible = j.play.Visible() })
	if visible {
		t.Error("Play is shown for a new, typed entry")
	}
	onUI(j.onRecordKey)
	v.take(0).speak(20)
	waitSettled(t, j.sh, func() { onUI(j.onRecordKey) })
	onUI(func() { visible = j.play.Visible() })
	if !visible {
		t.Fatal("Play is not shown for the recording just saved")
	}
	onUI(func() { test.Tap(j.play) })
	waitFor(t, func() bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return j.play.Text == "Stop" && len(v.played) == 1
	})
	// Stop while it plays.
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(j.play) }) })
	var text string
	onUI(func() { text = j.play.Text })
	v.mu.Lock()
	played := slices.Clone(v.played)
	v.mu.Unlock()
	stored, _ := st.Audio(context.Background(), j.current)
	if text != "Play" || len(played) != 1 || played[0] != string(stored) || len(stored) != 2*16000 {
		t.Errorf("after stopping: button %q, played %d recordings (%d bytes), want the stored 1 s", text, len(played), len(stored))
	}
}
