package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// scriptedSpeech is a speech model whose readings are scripted: the n-th
// Transcribe hears readings[n] (the last one after that), its words 0.3 s
// each from the start of the audio it is given, as a streaming model's
// passes over a growing window do.
type scriptedSpeech struct {
	mu       sync.Mutex
	readings []string
	calls    int
}

func (s *scriptedSpeech) Transcribe(_ context.Context, samples []float32, _ func(done, total int)) (*journal.Transcript, error) {
	s.mu.Lock()
	text := s.readings[min(s.calls, len(s.readings)-1)]
	s.calls++
	s.mu.Unlock()
	const each = 300 * time.Millisecond
	seg := journal.Segment{}
	for k, w := range strings.Fields(text) {
		seg.Words = append(seg.Words, journal.Word{Text: " " + w, Start: time.Duration(k) * each, End: time.Duration(k+1) * each})
		seg.Text += " " + w
		seg.End = time.Duration(k+1) * each
	}
	return &journal.Transcript{Language: "en", Model: "scripted", Segments: []journal.Segment{seg}}, nil
}

func (s *scriptedSpeech) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// walk is a dictation's readings: each pass hears more, and the words
// two passes agree on settle.
func walk() *scriptedSpeech {
	return &scriptedSpeech{readings: []string{"I walked", "I walked to the", "I walked to the sea", "I walked to the sea today"}}
}

// newSpeechJournal opens the journal screen on an in-memory journal whose
// speech model is tr (nil: none), recording with v.
func newSpeechJournal(t *testing.T, v *memVoice, tr journal.Transcriber) (*journalScreen, fyne.Window, *journaltest.MemStore) {
	t.Helper()
	if v.dir == "" {
		v.dir = t.TempDir()
	}
	store := journaltest.NewMemStore()
	sh, w := newTestShell(t, journal.NewService(store, journal.WithSpeech(journaltest.PCMDecoder{}, tr)), WithVoice(v))
	return sh.journal, w, store
}

// update reads the dictation's words once, as its loop does every second.
func (d *dictation) updateNow(t *testing.T) {
	t.Helper()
	var live *liveWords
	onUI(func() { live = d.live })
	if live == nil {
		t.Fatal("no dictation is listening")
	}
	live.update()
}

func TestDictation_InsertsSettledWordsAtTheCursor(t *testing.T) {
	v := &memVoice{}
	speech := walk()
	j, _, st := newSpeechJournal(t, v, speech)
	d := j.dictate
	onUI(func() {
		d.every = 0
		j.editor.SetText("Before. After.")
		j.editor.CursorRow, j.editor.CursorColumn = 0, len("Before.")
	})
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(d.button) }) })
	if v.count() != 1 || !d.listening() {
		t.Fatalf("after Dictate: %d recordings, listening %v", v.count(), d.listening())
	}
	v.take(0).hear(2 * time.Second)

	type shown struct{ text, partial string }
	look := func() (s shown) {
		onUI(func() { _, s.partial = d.words.text(); s.text = j.editor.Text })
		return s
	}
	steps := []shown{
		{"Before. After.", "I walked"},            // heard, nothing settled
		{"Before. I walked After.", "to the"},     // two passes agree on "I walked"
		{"Before. I walked to the After.", "sea"}, // and then on "to the"
	}
	for i, want := range steps {
		d.updateNow(t)
		if got := look(); got != want {
			t.Fatalf("after reading %d: editor %q, greyed %q; want %q, %q", i+1, got.text, got.partial, want.text, want.partial)
		}
	}
	// stop: the last words are read and settle; the recording pauses
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(d.button) }) })
	if got := look(); got.text != "Before. I walked to the sea today After." || got.partial != "" {
		t.Fatalf("after stopping: editor %q, greyed %q", got.text, got.partial)
	}
	var barShown bool
	onUI(func() { barShown = d.bar.Visible() })
	if d.listening() || barShown || speech.count() != 4 {
		t.Errorf("after stopping: listening %v, bar shown %v, %d readings (want 4)", d.listening(), barShown, speech.count())
	}

	// saving keeps the audio, the editor's text and the words' times
	onUI(func() { j.editor.SetText(j.editor.Text + " Typed.") })
	save(t, j)
	es, _ := st.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Audio == nil || es[0].Audio.Duration != 2*time.Second {
		t.Fatalf("stored %+v, want one 2 s recording", es)
	}
	e := es[0]
	if e.Text != "Before. I walked to the sea today After. Typed." {
		t.Errorf("the entry's text is %q, want the editor's", e.Text)
	}
	words := journal.TranscriptWords(e.Transcript)
	if got := journal.TranscriptText(e.Transcript); got != "I walked to the sea today" || len(words) != 6 || words[4].Start != 1200*time.Millisecond {
		t.Errorf("the entry's transcript is %q with %d words (%+v)", got, len(words), words)
	}
	if speech.count() != 4 {
		t.Errorf("saving read the recording again: %d readings", speech.count())
	}
	if v.take(0).onDisk() || d.pending() {
		t.Error("the recording's file is left, or still waits to be saved")
	}
}

// Committed words are never taken back: a later reading that hears them
// otherwise changes only the greyed words.
func TestDictation_CommittedWordsNeverChange(t *testing.T) {
	v := &memVoice{}
	speech := &scriptedSpeech{readings: []string{"I red", "I read the", "I read a book", "I read a book", "I read a book"}}
	j, _, _ := newSpeechJournal(t, v, speech)
	d := j.dictate
	onUI(func() { d.every = 0 })
	waitSettled(t, j.sh, func() { onUI(j.sh.onDictate) }) // Ctrl+D
	v.take(0).hear(2 * time.Second)
	var texts []string
	for range 4 {
		d.updateNow(t)
		onUI(func() { texts = append(texts, j.editor.Text) })
	}
	for i := 1; i < len(texts); i++ {
		if !strings.HasPrefix(texts[i], texts[i-1]) {
			t.Errorf("reading %d changed the settled text %q into %q", i+1, texts[i-1], texts[i])
		}
	}
	if got := texts[len(texts)-1]; got != "I read a book" {
		t.Errorf("settled %q", got)
	}
	waitSettled(t, j.sh, func() { onUI(j.sh.onDictate) })
}

func TestDictation_WithoutSpeechModelOffersOne(t *testing.T) {
	v := &memVoice{}
	j, _, _ := newSpeechJournal(t, v, nil)
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(j.dictate.button) }) })
	var offered bool
	onUI(func() { offered = j.dictate.offer != nil && !j.dictate.listening() })
	if !offered || v.count() != 0 {
		t.Errorf("without a speech model: offer shown %v, %d recordings started", offered, v.count())
	}
}

func TestRecorder_ShowsTheWordsWhileSpeaking(t *testing.T) {
	v := &memVoice{}
	speech := walk()
	j, _, st := newSpeechJournal(t, v, speech)
	p := j.recorder
	onUI(func() { p.liveEvery = 0; test.Tap(j.record) })
	var lt *liveTake
	onUI(func() { lt, _ = p.take.(*liveTake) })
	if lt == nil {
		t.Fatal("the recording reads no words")
	}
	v.take(0).hear(2 * time.Second)
	waitFor(t, func() bool { return lt.live.dictation() != nil })
	look := func() (committed, partial string) {
		onUI(func() { committed, partial = p.words.text() })
		return
	}
	lt.live.update()
	if c, pa := look(); c != "" || pa != "I walked" {
		t.Errorf("after one reading: %q then greyed %q", c, pa)
	}
	lt.live.update()
	if c, pa := look(); c != "I walked" || pa != " to the" {
		t.Errorf("after two readings: %q then greyed %q", c, pa)
	}
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(p.stop) }) })
	es, _ := st.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Text != "I walked to the sea" {
		t.Fatalf("stored %+v", es)
	}
	if speech.count() != 3 {
		t.Errorf("%d readings: Stop read the recording again instead of its last words", speech.count())
	}
	if words := journal.TranscriptWords(es[0].Transcript); len(words) != 5 || words[1].Start != 300*time.Millisecond {
		t.Errorf("the transcript's words are %+v", words)
	}
}

// A dictation into an open typed entry goes into it, and its recording is
// kept with that entry; dictating into an entry that has its recording
// starts a new entry instead.
func TestDictation_IntoAnOpenTypedEntry(t *testing.T) {
	v := &memVoice{}
	speech := walk()
	j, _, st := newSpeechJournal(t, v, speech)
	typed, err := j.svc.Add(context.Background(), "A quiet day.")
	if err != nil {
		t.Fatal(err)
	}
	d := j.dictate
	onUI(func() {
		d.every = 0
		j.open(typed.ID)
		j.editor.CursorRow, j.editor.CursorColumn = 0, len("A quiet day.")
	})
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(d.button) }) })
	if !d.listening() {
		t.Fatal("not listening")
	}
	v.take(0).hear(2 * time.Second)
	d.updateNow(t)
	d.updateNow(t)
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(d.button) }) })
	save(t, j)
	es, _ := st.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].ID != typed.ID || es[0].Audio == nil || es[0].Text != "A quiet day. I walked to the sea" {
		t.Fatalf("stored %+v, want the typed entry with the dictation and its recording", es)
	}
	var current string
	onUI(func() { current = j.current })
	if current != typed.ID {
		t.Fatalf("the editor moved to %q", current)
	}
	// it has its recording now: a second dictation starts a new entry
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(d.button) }) })
	var status string
	onUI(func() { current, status = j.current, j.status.Text })
	if current != "" || !strings.Contains(status, "has its recording already") {
		t.Fatalf("a second dictation: editor on %q, status %q", current, status)
	}
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(d.button) }) })
}
