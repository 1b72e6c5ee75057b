package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// newTestShell opens the window on svc, an in-memory journal, in Fyne's
// headless test driver.
func newTestShell(t *testing.T, svc *journal.Service, opts ...Option) (*shell, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	return newTestShellIn(t, a, svc, opts...)
}

// newTestShellIn is newTestShell in the app a.
func newTestShellIn(t *testing.T, a fyne.App, svc *journal.Service, opts ...Option) (*shell, fyne.Window) {
	t.Helper()
	w := a.NewWindow("SAMO")
	w.Resize(fyne.NewSize(900, 600))
	var sh *shell
	onUI(func() { sh = newShell(a, w, journaltest.NewMemOpener(), svc, opts...) })
	t.Cleanup(func() { waitIdle(t, sh) })
	return sh, w
}

// newTestJournal opens the journal screen on an in-memory journal.
func newTestJournal(t *testing.T, store journal.Store) (*journalScreen, fyne.Window) {
	t.Helper()
	sh, w := newTestShell(t, journal.NewService(store))
	return sh.journal, w
}

// save taps Save and waits for the save, which runs off the UI goroutine.
func save(t *testing.T, j *journalScreen) {
	t.Helper()
	waitSettled(t, j.sh, func() { test.Tap(j.save) })
}

// waitSettled runs f and waits for the background work it starts.
func waitSettled(t *testing.T, sh *shell, f func()) {
	t.Helper()
	done := make(chan struct{}, 1)
	sh.settled = func() { done <- struct{}{} }
	f()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the background work did not finish")
	}
	sh.settled = nil
}

// waitIdle waits until no background work is under way.
func waitIdle(t *testing.T, sh *shell) {
	t.Helper()
	select {
	case <-sh.jobs.wait():
	case <-time.After(20 * time.Second):
		t.Fatal("the background work did not finish")
	}
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
	save(t, j)

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
	waitSettled(t, j.sh, func() { j.editor.TypedShortcut(saveShortcut) })
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
	save(t, j)

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
	waitSettled(t, j.sh, func() { j.list.Select(0) }) // the older entry
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
	store.SetFail(errors.New("storage: no space left on device"))
	test.Type(j.editor, "words I must not lose")
	save(t, j)

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
	waitSettled(t, j.sh, j.onClose)
	if j.editor.Text == "" {
		t.Error("closing dropped the unsaved text")
	}
	store.SetFail(nil)
	waitSettled(t, j.sh, j.onClose)
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
	save(t, j)
	if len(j.entries) != 451 || j.entries[0].Text != "newest" {
		t.Errorf("after saving: %d entries, first %q", len(j.entries), j.entries[0].Text)
	}
}

// newReadEntry opens the main screen on an in-memory journal whose entries
// are read by journaltest's word analyzer, and saves one entry with fear and
// joy in it.
func newReadEntry(t *testing.T) (*journalScreen, fyne.Window, *journaltest.MemStore) {
	t.Helper()
	store := journaltest.NewMemStore()
	sh, w := newTestShell(t, journal.NewService(store, journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"})))
	j := sh.journal
	test.Type(j.editor, "so much joy and a little fear")
	save(t, j)
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
	waitSettled(t, j.sh, func() { tapDialogButton(t, w, "Save") })
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
	waitSettled(t, j.sh, func() { tapDialogButton(t, w, "Save") })
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
	offered := func(j *journalScreen) bool {
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
	waitSettled(t, j.sh, func() { test.Tap(j.why) })
	got := overlayTexts(w)
	for _, want := range []string{"Why SAMO read this", j.heading.Text, "fear", "“fear”", "joy", "“joy”", "strong"} {
		if !contains(got, want) {
			t.Fatalf("the explanation lacks %q: %q", want, got)
		}
	}

	type plainAnalyzer struct{ journal.Analyzer } // reads, cannot explain
	sh2, _ := newTestShell(t, journal.NewService(store, journal.WithAnalyzer(plainAnalyzer{&journaltest.WordAnalyzer{Name: "words", Version: "1"}})))
	j2 := sh2.journal
	j2.list.Select(0)
	if j2.current == "" || len(j2.feelings.Objects) == 0 {
		t.Fatal("the entry did not open")
	}
	if offered(j2) {
		t.Fatal("a model that cannot explain is offered Why?")
	}
}

// Saving runs off the UI goroutine: with a slow emotion model and a
// text of several megabytes, the tap on Save returns while the model is
// still reading, the window says it is saving and keeps the text, and the
// entry shows once the reading is done.
func TestJournal_SaveReturnsBeforeTheAnalysisFinishes(t *testing.T) {
	analyzer := &journaltest.WordAnalyzer{Name: "words", Version: "1", Hold: make(chan struct{})}
	store := journaltest.NewMemStore()
	sh, _ := newTestShell(t, journal.NewService(store, journal.WithAnalyzer(analyzer)))
	j := sh.journal
	j.skipAfter = 0 // offer to skip at once, not from a timer's goroutine
	// 2 MB: Fyne's entry lays a text out at about 10 s a megabyte under
	// the race detector, whatever the journal does with it
	text := strings.Repeat("joy and calm. ", 150_000)
	j.editor.SetText(text)
	if j.editor.Wrapping != fyne.TextWrapOff {
		t.Error("the editor wraps a text of megabytes, which Fyne lays out in minutes")
	}

	done := make(chan struct{}, 1)
	sh.settled = func() { done <- struct{}{} }
	tapped := make(chan struct{})
	go func() { test.Tap(j.save); close(tapped) }()
	select {
	case <-tapped:
	case <-time.After(20 * time.Second):
		t.Fatal("the tap on Save did not return while the emotions were being read")
	}
	for analyzer.Calls() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if n, _ := store.Count(context.Background()); n != 0 || len(j.entries) != 0 {
		t.Fatalf("the entry is saved (%d) or listed (%d) before its reading finished", n, len(j.entries))
	}
	if !strings.HasPrefix(j.status.Text, "Saving…") || !j.savingRow.Visible() || !j.skip.Visible() {
		t.Errorf("while saving: status %q, progress shown %v, skip offered %v", j.status.Text, j.savingRow.Visible(), j.skip.Visible())
	}
	if !j.save.Disabled() {
		t.Error("Save stays enabled while the entry is being saved")
	}
	if len(j.editor.Text) != len(text) {
		t.Errorf("the editor holds %d bytes while saving, want the %d typed", len(j.editor.Text), len(text))
	}

	close(analyzer.Hold)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the save did not finish")
	}
	if len(j.entries) != 1 || j.entries[0].Emotions == nil || j.current != j.entries[0].ID {
		t.Fatalf("after the reading: %d entries listed, open %q", len(j.entries), j.current)
	}
	if got := strings.Join(chipTexts(j.list), ","); got != "joy" {
		t.Errorf("the list shows chips %q, want joy", got)
	}
	if j.savingRow.Visible() || !strings.HasPrefix(j.status.Text, "Saved at") {
		t.Errorf("after saving: progress shown %v, status %q", j.savingRow.Visible(), j.status.Text)
	}
}

// chipTexts are the emotion words shown as chips in o.
func chipTexts(o fyne.CanvasObject) []string {
	var out []string
	for _, o := range test.LaidOutObjects(o) {
		if c, ok := o.(*canvas.Text); ok && c.Visible() && c.Color == groupColors[journal.EkmanGroup(c.Text)] {
			out = append(out, c.Text)
		}
	}
	return out
}

// refusingStore is a MemStore that, like the journal on disk, refuses to
// work for a cancelled context.
type refusingStore struct{ *journaltest.MemStore }

func (r refusingStore) Put(ctx context.Context, e journal.Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.MemStore.Put(ctx, e)
}

func (r refusingStore) Get(ctx context.Context, id string) (journal.Entry, error) {
	if err := ctx.Err(); err != nil {
		return journal.Entry{}, err
	}
	return r.MemStore.Get(ctx, id)
}

// "Skip reading" saves the entry, new or edited, without its emotions,
// even on a journal that refuses the cancelled save; the person is told
// the emotions were not read.
func TestJournal_SkipReadingSavesWithoutEmotions(t *testing.T) {
	for _, store := range []journal.Store{journaltest.NewMemStore(), refusingStore{journaltest.NewMemStore()}} {
		t.Run(fmt.Sprintf("%T", store), func(t *testing.T) {
			analyzer := &journaltest.WordAnalyzer{Name: "words", Version: "1", Hold: make(chan struct{})}
			svc := journal.NewService(store, journal.WithAnalyzer(analyzer))
			old, err := journal.NewService(store, journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"})).
				AddAt(context.Background(), "an old joy", time.Now().Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			sh, w := newTestShell(t, svc)
			j := sh.journal
			j.skipAfter = 0

			skip := func(want int) {
				t.Helper()
				waitSettled(t, sh, func() {
					test.Tap(j.save)
					for analyzer.Calls() < want {
						time.Sleep(5 * time.Millisecond)
					}
					test.Tap(j.skip)
				})
			}
			test.Type(j.editor, "a new fear")
			skip(1)
			e, err := store.Get(context.Background(), j.current)
			if err != nil || e.Text != "a new fear" || e.Emotions != nil {
				t.Fatalf("after skipping: %+v, %v; want the text saved unread", e, err)
			}
			if !contains(shownLabels(w), "without its emotions") {
				t.Errorf("the window does not say the emotions were not read; labels %q", shownLabels(w))
			}

			j.list.Select(1)
			if j.current != old.ID {
				t.Fatalf("the old entry did not open")
			}
			j.editor.SetText("an old joy, changed")
			skip(2)
			e, _ = store.Get(context.Background(), old.ID)
			if e.Text != "an old joy, changed" || e.Emotions != nil {
				t.Fatalf("the edited entry: text %q, emotions %+v; want the new text unread", e.Text, e.Emotions)
			}
			if n, _ := store.Count(context.Background()); n != 2 {
				t.Errorf("%d entries, want 2", n)
			}
		})
	}
}

// A save asked for while one runs waits for it, then saves what was typed
// meanwhile; nothing is lost and no entry is made twice.
func TestJournal_SecondSaveWaitsForTheFirst(t *testing.T) {
	analyzer := &journaltest.WordAnalyzer{Name: "words", Version: "1", Hold: make(chan struct{})}
	store := journaltest.NewMemStore()
	sh, _ := newTestShell(t, journal.NewService(store, journal.WithAnalyzer(analyzer)))
	j := sh.journal
	test.Type(j.editor, "first")
	done := make(chan struct{}, 2)
	sh.settled = func() { done <- struct{}{} }
	test.Tap(j.save)
	for analyzer.Calls() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	test.Type(j.editor, " and more")
	j.editor.TypedShortcut(saveShortcut) // waits for the first save
	if analyzer.Calls() != 1 {
		t.Fatalf("a second save started while the first ran")
	}
	close(analyzer.Hold)
	for range 2 {
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("the saves did not finish")
		}
	}
	es, _ := store.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Text != "first and more" || j.dirty() {
		t.Fatalf("stored %+v, editor dirty %v; want one entry with all the text", es, j.dirty())
	}
}

// The list's rows are measured with their line of chips, so a row's chips
// lie inside the row (they spilled below a selected row's highlight).
func TestJournal_RowChipsStayInTheRow(t *testing.T) {
	j, _, _ := newReadEntry(t)
	rows, chips := 0, 0
	for _, o := range test.LaidOutObjects(j.list) {
		row, ok := o.(*fyne.Container)
		if !ok || len(row.Objects) != 3 {
			continue
		}
		if _, ok := row.Objects[1].(*widget.Label); !ok {
			continue
		}
		rows++
		for _, c := range test.LaidOutObjects(row.Objects[2]) {
			if _, ok := c.(*canvas.Text); !ok || !c.Visible() {
				continue
			}
			chips++
			at, ok := positionIn(row, c)
			if !ok {
				t.Fatal("a chip is not laid out in its row")
			}
			if at.Y < 0 || at.Y+c.Size().Height > row.Size().Height+0.5 {
				t.Errorf("chip %q spans %v–%v, outside its row's 0–%v", c.(*canvas.Text).Text, at.Y, at.Y+c.Size().Height, row.Size().Height)
			}
		}
	}
	if rows != 1 || chips != 2 {
		t.Fatalf("%d rows with %d chips, want the entry's row with fear and joy", rows, chips)
	}
}

// positionIn returns where target lies inside root, walking containers and
// widgets' renderers.
func positionIn(root, target fyne.CanvasObject) (fyne.Position, bool) {
	var walk func(o fyne.CanvasObject, at fyne.Position) (fyne.Position, bool)
	walk = func(o fyne.CanvasObject, at fyne.Position) (fyne.Position, bool) {
		if o == target {
			return at, true
		}
		var kids []fyne.CanvasObject
		switch x := o.(type) {
		case *fyne.Container:
			kids = x.Objects
		case fyne.Widget:
			kids = test.WidgetRenderer(x).Objects()
		}
		for _, k := range kids {
			if p, ok := walk(k, at.Add(k.Position())); ok {
				return p, true
			}
		}
		return fyne.Position{}, false
	}
	return walk(root, fyne.Position{})
}

// A paste too long for the editor is not laid out there (it would freeze
// the window): SAMO offers to save it as an entry of its own, and such an
// entry opens by its beginning, not for editing.
func TestJournal_LongPasteIsSavedAsAnEntry(t *testing.T) {
	store := journaltest.NewMemStore()
	sh, w := newTestShell(t, journal.NewService(store, journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"})))
	j := sh.journal
	long := strings.Repeat("a quiet joy by the river. ", 12_000) // 312 KB
	sh.app.Clipboard().SetContent(long)
	j.editor.TypedShortcut(&fyne.ShortcutPaste{Clipboard: sh.app.Clipboard()})
	if j.editor.Text != "" {
		t.Fatalf("the editor took the %d-byte paste", len(j.editor.Text))
	}
	if !strings.Contains(strings.Join(overlayTexts(w), " "), "305 KB long") {
		t.Fatalf("no offer to save the long text: %q", overlayTexts(w))
	}
	waitSettled(t, sh, func() { tapDialogButton(t, w, "Save as a new entry") })
	es, _ := store.List(context.Background(), journal.Query{})
	if len(es) != 1 || strings.TrimSpace(es[0].Text) != strings.TrimSpace(long) || es[0].Emotions == nil {
		t.Fatalf("saved %d entries; want the long text, read (%d bytes, emotions %v)", len(es), len(es[0].Text), es[0].Emotions != nil)
	}
	if j.list.Length() != 1 {
		t.Errorf("the list shows %d entries", j.list.Length())
	}
	j.list.Select(0)
	if !j.editor.Disabled() || len(j.editor.Text) > editLimit+8 || !strings.HasPrefix(long, strings.TrimSuffix(j.editor.Text, " …")) {
		t.Errorf("the long entry opened editable, or whole (%d bytes in the editor)", len(j.editor.Text))
	}
	if !strings.Contains(j.status.Text, "cannot be edited in the window") {
		t.Errorf("status %q", j.status.Text)
	}
	j.onNew()
	if j.editor.Disabled() {
		t.Error("a new entry's editor stays disabled")
	}
	sh.app.Clipboard().SetContent("a short paste")
	j.editor.TypedShortcut(&fyne.ShortcutPaste{Clipboard: sh.app.Clipboard()})
	if j.editor.Text != "a short paste" {
		t.Errorf("a short paste gave %q", j.editor.Text)
	}
}
