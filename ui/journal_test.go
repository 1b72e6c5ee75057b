package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
	"github.com/samojournal/samo/storage"
)

// newTestJournal opens the main screen on an in-memory journal in Fyne's
// headless test driver.
func newTestJournal(t *testing.T, store *journaltest.MemStore) (*Journal, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("SAMO")
	w.Resize(fyne.NewSize(900, 600))
	return Create(a, w, journal.NewService(store)), w
}

// shownLabels returns the text of every label laid out in the window.
func shownLabels(w fyne.Window) []string {
	var out []string
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	}
	return out
}

func contains(labels []string, s string) bool {
	for _, l := range labels {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func TestJournal_TypeSaveAndSeeItInTheList(t *testing.T) {
	store := journaltest.NewMemStore()
	j, w := newTestJournal(t, store)

	if !contains(shownLabels(w), "No entries yet") {
		t.Error("an empty journal does not say so")
	}
	if !j.save.Disabled() {
		t.Error("Save is enabled with nothing written")
	}
	test.Type(j.editor, "I feel great today")
	if j.save.Disabled() {
		t.Fatal("Save stays disabled after typing")
	}
	test.Tap(j.save)

	es, _ := store.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Text != "I feel great today" {
		t.Fatalf("stored %+v, want the typed entry", es)
	}
	labels := shownLabels(w)
	if !contains(labels, "I feel great today") {
		t.Errorf("the saved entry is not shown in the list; labels: %q", labels)
	}
	if !contains(labels, "Today ") {
		t.Errorf("the list does not say when the entry was written; labels: %q", labels)
	}
	if contains(labels, "No entries yet") {
		t.Error("the empty-journal message is still shown")
	}
	if !strings.HasPrefix(j.status.Text, "Saved at") || !strings.Contains(j.status.Text, "4 words") {
		t.Errorf("status = %q", j.status.Text)
	}
	if !j.save.Disabled() {
		t.Error("Save stays enabled with nothing new to save")
	}
}

func TestJournal_SaveIsDisabledForBlankText(t *testing.T) {
	j, _ := newTestJournal(t, journaltest.NewMemStore())
	test.Type(j.editor, "   ")
	if !j.save.Disabled() {
		t.Error("Save is enabled for white space only")
	}
}

func TestJournal_ShortcutSaves(t *testing.T) {
	store := journaltest.NewMemStore()
	j, w := newTestJournal(t, store)
	w.Canvas().Focus(j.editor)
	test.Type(j.editor, "saved from the keyboard")
	j.editor.TypedShortcut(saveShortcut)
	if n, _ := store.Count(context.Background()); n != 1 {
		t.Errorf("Ctrl+S in the editor saved %d entries, want 1", n)
	}
}

func TestJournal_EditAnEntry(t *testing.T) {
	store := journaltest.NewMemStore()
	ctx := context.Background()
	old, _ := journal.NewService(store).AddAt(ctx, "first version", time.Now().Add(-48*time.Hour))
	j, w := newTestJournal(t, store)

	j.list.Select(0)
	if j.editor.Text != "first version" {
		t.Fatalf("selecting the entry shows %q", j.editor.Text)
	}
	j.editor.SetText("second version")
	test.Tap(j.save)

	got, _ := store.Get(ctx, old.ID)
	if got.Text != "second version" {
		t.Errorf("stored text = %q", got.Text)
	}
	if n, _ := store.Count(ctx); n != 1 {
		t.Errorf("editing made %d entries, want 1", n)
	}
	if !contains(shownLabels(w), "second version") {
		t.Error("the list still shows the old text")
	}
}

func TestJournal_OpeningAnotherEntryKeepsWhatWasTyped(t *testing.T) {
	store := journaltest.NewMemStore()
	ctx := context.Background()
	journal.NewService(store).AddAt(ctx, "an older entry", time.Now().Add(-time.Hour))
	j, _ := newTestJournal(t, store)

	test.Type(j.editor, "a draft I have not saved")
	j.list.Select(0) // the older entry
	es, _ := store.List(ctx, journal.Query{})
	if len(es) != 2 || es[0].Text != "a draft I have not saved" {
		t.Fatalf("the draft was not kept: %+v", es)
	}
	if j.editor.Text != "an older entry" {
		t.Errorf("editor shows %q, want the selected entry", j.editor.Text)
	}
}

func TestJournal_FailedSaveKeepsTheTextAndSaysSo(t *testing.T) {
	store := journaltest.NewMemStore()
	j, w := newTestJournal(t, store)
	store.Fail = errors.New("storage: no space left on device")
	test.Type(j.editor, "words I must not lose")
	test.Tap(j.save)

	if j.editor.Text != "words I must not lose" {
		t.Errorf("editor = %q after a failed save", j.editor.Text)
	}
	if w.Canvas().Overlays().Top() == nil {
		t.Error("no error dialog after a failed save")
	}
	if !strings.Contains(j.status.Text, "not saved") {
		t.Errorf("status = %q", j.status.Text)
	}
	// The window must not close with the text unsaved.
	j.onClose()
	if j.editor.Text == "" {
		t.Error("closing dropped the unsaved text")
	}
	store.Fail = nil
	j.onClose()
	if n, _ := store.Count(context.Background()); n != 1 {
		t.Errorf("closing the window saved %d entries, want the draft saved", n)
	}
}

func TestFriendlyTime(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC) // a Wednesday
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 25, 9, 41, 0, 0, time.UTC), "Today 09:41"},
		{time.Date(2026, 11, 24, 21, 10, 0, 0, time.UTC), "Yesterday 21:10"},
		{time.Date(2026, 11, 21, 18, 2, 0, 0, time.UTC), "Saturday 18:02"},
		{time.Date(2026, 3, 3, 14, 20, 0, 0, time.UTC), "3 March 14:20"},
		{time.Date(2024, 3, 3, 14, 20, 0, 0, time.UTC), "3 March 2024"},
	}
	for _, tt := range tests {
		if got := friendlyTime(tt.t, now); got != tt.want {
			t.Errorf("friendlyTime(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestJournal_DeleteAnEntry(t *testing.T) {
	store := journaltest.NewMemStore()
	ctx := context.Background()
	journal.NewService(store).AddAt(ctx, "keep this one", time.Now().Add(-2*time.Hour))
	journal.NewService(store).AddAt(ctx, "delete this one", time.Now().Add(-time.Hour))
	j, w := newTestJournal(t, store)
	if !j.remove.Disabled() {
		t.Error("Delete is enabled for a new, unsaved entry")
	}
	j.list.Select(0)
	if j.remove.Disabled() {
		t.Fatal("Delete is disabled for a saved entry")
	}
	j.onDelete()
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no confirmation before deleting")
	}
	if n, _ := store.Count(ctx); n != 2 {
		t.Fatal("deleted before confirmation")
	}
	j.deleteCurrent()
	es, _ := store.List(ctx, journal.Query{})
	if len(es) != 1 || es[0].Text != "keep this one" {
		t.Errorf("after delete: %+v", es)
	}
	if contains(shownLabels(w), "delete this one") || j.editor.Text != "" {
		t.Error("the deleted entry is still shown")
	}
}

func TestJournal_BackupWhileOpen(t *testing.T) {
	a := test.NewTempApp(t)
	o := &diskOpener{path: filepath.Join(t.TempDir(), storage.FileName)}
	defer o.close()
	j := createPlain(t, a, o)
	test.Type(j.editor, "worth keeping")
	test.Tap(j.save)

	backup := filepath.Join(t.TempDir(), "backup.db")
	j.backupTo(backup)
	if !strings.HasPrefix(j.status.Text, "Backed up to") {
		t.Fatalf("status = %q", j.status.Text)
	}
	b, err := storage.Open(backup, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if es, _ := b.List(context.Background(), journal.Query{}); len(es) != 1 || es[0].Text != "worth keeping" {
		t.Errorf("backup holds %+v", es)
	}
}

func TestJournal_OlderEntriesPageByPage(t *testing.T) {
	store := journaltest.NewMemStore()
	svc := journal.NewService(store)
	base := time.Now().Add(-1000 * time.Hour)
	for i := range 450 {
		if _, err := svc.AddAt(context.Background(), fmt.Sprintf("entry %d", i), base.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	j, _ := newTestJournal(t, store)
	for _, want := range []int{listPage, 2 * listPage, 450} {
		if len(j.entries) != want {
			t.Fatalf("%d entries shown, want %d", len(j.entries), want)
		}
		if want < 450 {
			if !j.more.Visible() {
				t.Fatalf("no way to see older entries with %d of 450 shown", want)
			}
			test.Tap(j.more)
		}
	}
	if j.more.Visible() {
		t.Error("the older-entries button stays after the oldest entry")
	}
	if j.entries[449].Text != "entry 0" || j.entries[0].Text != "entry 449" {
		t.Errorf("order: first %q, last %q", j.entries[0].Text, j.entries[449].Text)
	}
	// Saving keeps everything loaded in view.
	test.Type(j.editor, "newest")
	test.Tap(j.save)
	if len(j.entries) != 451 || j.entries[0].Text != "newest" {
		t.Errorf("after saving: %d entries, first %q", len(j.entries), j.entries[0].Text)
	}
}

// newReadEntry opens the main screen on an in-memory journal whose entries
// are read by journaltest's word analyzer, and saves one entry with fear and
// joy in it.
func newReadEntry(t *testing.T) (*Journal, fyne.Window, *journaltest.MemStore) {
	t.Helper()
	store := journaltest.NewMemStore()
	a := test.NewTempApp(t)
	w := a.NewWindow("SAMO")
	w.Resize(fyne.NewSize(900, 600))
	j := Create(a, w, journal.NewService(store, journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"})))
	test.Type(j.editor, "so much joy and a little fear")
	test.Tap(j.save)
	return j, w, store
}

// A saved entry shows its emotions as coloured chips with their words in
// the list, and its strongest emotions as bars with a strength word beside
// the editor.
func TestJournal_ShowsEmotions(t *testing.T) {
	j, _, _ := newReadEntry(t)
	// texts are the canvas texts drawn in a feeling's colour, and the
	// strength words
	texts := func(o fyne.CanvasObject) []string {
		var out []string
		for _, o := range test.LaidOutObjects(o) {
			c, ok := o.(*canvas.Text)
			if !ok || !c.Visible() {
				continue
			}
			for _, g := range groupColors {
				if c.Color == g || c.Text == journal.Strength(0.9) || c.Text == journal.Strength(0.05) {
					out = append(out, c.Text)
					break
				}
			}
		}
		return out
	}
	if got := strings.Join(texts(j.list), ","); got != "fear,joy" {
		t.Fatalf("list chips %q, want fear,joy", got)
	}
	for _, o := range test.LaidOutObjects(j.list) {
		if c, ok := o.(*canvas.Text); ok && c.Text == "joy" && c.Color != groupColors["joy"] {
			t.Fatalf("the joy chip is coloured %v", c.Color)
		}
	}
	got := strings.Join(texts(j.feelings), ",")
	if !strings.HasPrefix(got, "fear,strong,joy,strong,") || !strings.Contains(got, "slight") {
		t.Fatalf("feelings %q: want fear and joy strong first, then slight ones", got)
	}
	j.onNew()
	if len(j.feelings.Objects) != 0 {
		t.Fatal("a new entry still shows the last entry's feelings")
	}
}

// tapDialogButton taps the button with the given text in the window's top
// overlay (an open dialog).
func tapDialogButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("the dialog has no %q button", text)
}

// The person corrects an entry's emotions: the form starts from the
// model's reading, Cancel changes nothing, Save keeps theirs (shown in the
// list and beside the editor, with the model's bars kept), and a form with
// nothing ticked brings the model's reading back.
func TestJournal_CorrectEmotions(t *testing.T) {
	j, w, store := newReadEntry(t)
	id := j.current
	chipsShown := func() string {
		var out []string
		for _, o := range test.LaidOutObjects(j.list) {
			if c, ok := o.(*canvas.Text); ok && c.Visible() && c.Color == groupColors[journal.EkmanGroup(c.Text)] {
				out = append(out, c.Text)
			}
		}
		return strings.Join(out, ",")
	}

	test.Tap(j.correct)
	f := j.correction
	if f == nil {
		t.Fatal("the correction form did not open")
	}
	if got := strings.Join(f.labels(), ","); got != "fear,joy" {
		t.Fatalf("the form starts with %q ticked, want the model's joy,fear", got)
	}
	tapDialogButton(t, w, "Cancel")
	if e, _ := store.Get(context.Background(), id); e.Corrections != nil {
		t.Fatalf("Cancel saved %+v", e.Corrections)
	}

	test.Tap(j.correct)
	f = j.correction
	for _, l := range []string{"joy", "fear", "relief", "grief", "sadness"} {
		test.Tap(f.checks[l]) // joy and fear off, the others on
	}
	tapDialogButton(t, w, "Save")
	e, _ := store.Get(context.Background(), id)
	if !e.Corrected() || strings.Join(e.Corrections.Labels, ",") != "grief,relief,sadness" {
		t.Fatalf("saved corrections %+v", e.Corrections)
	}
	if e.Emotions == nil || strings.Join(e.Emotions.Labels, ",") != "fear,joy" {
		t.Fatalf("the model's reading changed: %+v", e.Emotions)
	}
	if got := chipsShown(); got != "grief,relief,sadness" {
		t.Fatalf("list chips %q, want the person's three", got)
	}
	if !contains(shownLabels(w), "Your emotions") || !contains(shownLabels(w), "SAMO read") || j.correct.Text != "Change your emotions…" {
		t.Fatalf("the entry page does not show the person's emotions apart; labels %q, button %q", shownLabels(w), j.correct.Text)
	}

	test.Tap(j.correct)
	for _, c := range j.correction.checks {
		c.SetChecked(false)
	}
	tapDialogButton(t, w, "Save")
	if e, _ := store.Get(context.Background(), id); e.Corrections != nil {
		t.Fatalf("nothing ticked left %+v", e.Corrections)
	}
	if got := chipsShown(); got != "fear,joy" {
		t.Fatalf("list chips %q, want the model's again", got)
	}
	if contains(shownLabels(w), "Your emotions") || !strings.Contains(j.status.Text, "SAMO's own reading") {
		t.Fatalf("labels %q, status %q", shownLabels(w), j.status.Text)
	}
}

// overlayTexts returns the texts of the labels and canvas texts in the top
// overlay (an open dialog).
func overlayTexts(w fyne.Window) []string {
	var out []string
	if top := w.Canvas().Overlays().Top(); top != nil {
		for _, o := range test.LaidOutObjects(top) {
			switch x := o.(type) {
			case *widget.Label:
				out = append(out, x.Text)
			case *canvas.Text:
				out = append(out, x.Text)
			}
		}
	}
	return out
}

// "Why?" shows, away from the UI goroutine, the words that raised each
// emotion; a model that cannot explain gets no such button.
func TestJournal_WhyShowsTheWords(t *testing.T) {
	j, w, store := newReadEntry(t)
	offered := func(j *Journal) bool {
		for _, o := range test.LaidOutObjects(j.feelings) {
			if o == j.why {
				return true
			}
		}
		return false
	}
	if !offered(j) || j.why.Disabled() {
		t.Fatal("no Why? button beside a read entry")
	}
	waitSettled(t, j, func() { test.Tap(j.why) })
	got := overlayTexts(w)
	for _, want := range []string{"Why SAMO read this", j.heading.Text, "fear", "“fear”", "joy", "“joy”", "strong"} {
		if !contains(got, want) {
			t.Fatalf("the explanation lacks %q: %q", want, got)
		}
	}

	type plainAnalyzer struct{ journal.Analyzer } // reads, cannot explain
	a := test.NewTempApp(t)
	w2 := a.NewWindow("SAMO")
	w2.Resize(fyne.NewSize(900, 600))
	j2 := Create(a, w2, journal.NewService(store, journal.WithAnalyzer(plainAnalyzer{&journaltest.WordAnalyzer{Name: "words", Version: "1"}})))
	j2.list.Select(0)
	if j2.current == "" || len(j2.feelings.Objects) == 0 {
		t.Fatal("the entry did not open")
	}
	if offered(j2) {
		t.Fatal("a model that cannot explain is offered Why?")
	}
}
