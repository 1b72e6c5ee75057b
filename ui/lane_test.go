package ui

import (
	"context"
	"slices"
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

// laneService is an in-memory journal whose models read an emotion named
// in a text and take keys, locked and home to mean the same.
func laneService(t *testing.T) *journal.Service {
	t.Helper()
	return journal.NewService(journaltest.NewMemStore(),
		journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "w", Version: "1"}),
		journal.WithEmbedder(&journaltest.WordEmbedder{Name: "w", Version: "1", Dim: 64,
			Synonyms: [][]string{{"keys", "locked", "home"}}}))
}

// addAt adds an entry written at a time.
func addAt(t *testing.T, svc *journal.Service, text string, at time.Time) journal.Entry {
	t.Helper()
	e, err := svc.AddAt(context.Background(), text, at)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// openLane opens the window on Memory Lane and waits until it shows what it
// read.
func openLane(t *testing.T, svc *journal.Service) (*laneScreen, fyne.Window) {
	t.Helper()
	sh, w := newTestShell(t, svc, WithScreen(ScreenLane))
	waitIdle(t, sh)
	if sh.tabs.Selected() != sh.laneTab {
		t.Fatalf("opened on %q, want Memory Lane", sh.tabs.Selected().Text)
	}
	return sh.lane, w
}

// openLaneWith adds texts to an in-memory journal, a day apart, the last
// written yesterday, and opens the window on Memory Lane.
func openLaneWith(t *testing.T, texts ...string) (*laneScreen, *journal.Service) {
	t.Helper()
	svc := laneService(t)
	for i, text := range texts {
		addAt(t, svc, text, time.Now().AddDate(0, 0, i-len(texts)))
	}
	l, _ := openLane(t, svc)
	return l, svc
}

// visible returns o and every object shown inside it: hidden objects and
// what they hold are left out.
func visible(o fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, visible(c)...)
		}
	case fyne.Widget:
		if _, ok := o.(*widget.Label); ok {
			return out
		}
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, visible(c)...)
		}
	}
	return out
}

// texts are the words shown in o: labels, canvas texts and rich texts.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, x := range visible(o) {
		switch x := x.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.RichText:
			out = append(out, x.String())
		}
	}
	return out
}

// results are the shown results, each as the texts of its row.
func results(l *laneScreen) [][]string {
	var out [][]string
	for _, r := range l.results.Objects {
		out = append(out, texts(r))
	}
	return out
}

// resultWith returns the texts of the result whose snippet holds s.
func resultWith(l *laneScreen, s string) ([]string, bool) {
	for _, r := range results(l) {
		if contains(r, s) {
			return r, true
		}
	}
	return nil, false
}

// tapText taps the innermost tappable shown in o that shows s.
func tapText(t *testing.T, o fyne.CanvasObject, s string) {
	t.Helper()
	var found *tappable
	for _, x := range visible(o) {
		if tp, ok := x.(*tappable); ok && contains(texts(tp), s) {
			found = tp // later ones are inside earlier ones
		}
	}
	if found == nil {
		t.Fatalf("nothing to tap shows %q; shown: %q", s, texts(o))
	}
	test.Tap(found)
}

// tapButton taps the button shown in o with the given text.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	for _, x := range visible(o) {
		if b, ok := x.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q; shown: %q", text, texts(o))
}

// searchFor types a search and waits for its results.
func searchFor(t *testing.T, l *laneScreen, q string) {
	t.Helper()
	l.search.SetText("")
	typed(t, l)
	test.Type(l.search, q)
	typed(t, l)
}

// typed waits for the search typed. Fyne's test driver runs fyne.Do on the
// goroutine that calls it, here the search's timer: taking the timer's lock
// orders what the test did to the field before the search reads it.
func typed(t *testing.T, l *laneScreen) {
	t.Helper()
	l.timerMu.Lock()
	//lint:ignore SA2001 the empty critical section is there for its ordering
	l.timerMu.Unlock()
	waitIdle(t, l.sh)
}

// TestLane_SearchAsYouType finds an entry by its words and one by a word
// that means the same as one of its own, each saying why, once the typing
// pauses.
func TestLane_SearchAsYouType(t *testing.T) {
	l, _ := openLaneWith(t, "I locked myself out of the flat this morning", "A long walk by the river with my sister", "Bread and soup for dinner")

	searchFor(t, l, "river")
	row, ok := resultWith(l, "walk by the river")
	if !ok || !contains(row, "by words") {
		t.Fatalf("searching river: results %q, want the walk found by words", results(l))
	}
	if len(results(l)) != 1 {
		t.Errorf("searching river: %d results %q, want 1", len(results(l)), results(l))
	}
	if !contains(texts(l.resultsHead), "1 entry found") {
		t.Errorf("heading %q", l.resultsHead.Text)
	}
	bold := false
	for _, x := range visible(l.results) {
		if seg, ok := x.(*widget.RichText); ok {
			for _, s := range seg.Segments {
				if ts, ok := s.(*widget.TextSegment); ok && ts.Text == "river" && ts.Style.TextStyle.Bold {
					bold = true
				}
			}
		}
	}
	if !bold {
		t.Error("the matched word is not in bold in the snippet")
	}

	searchFor(t, l, "keys")
	row, ok = resultWith(l, "locked myself out")
	if !ok || !contains(row, "by meaning") || contains(row, "by words") {
		t.Fatalf("searching keys: results %q, want the locked-out entry found by meaning only", results(l))
	}

	searchFor(t, l, "xylophone")
	if len(results(l)) != 0 || !contains(texts(l.content), "No entries match.") {
		t.Errorf("a search without results shows %q", texts(l.content))
	}
}

// heldEmbedder is a WordEmbedder that holds the search for each of some
// texts until its release is closed (a slow search), and says when that
// search began by closing its began.
type heldEmbedder struct {
	*journaltest.WordEmbedder
	release, began map[string]chan struct{}
}

func newHeldEmbedder(texts ...string) *heldEmbedder {
	h := &heldEmbedder{WordEmbedder: &journaltest.WordEmbedder{Name: "w", Version: "1", Dim: 64},
		release: map[string]chan struct{}{}, began: map[string]chan struct{}{}}
	for _, t := range texts {
		h.release[t], h.began[t] = make(chan struct{}), make(chan struct{})
	}
	return h
}

func (h *heldEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, journal.EmbeddingModel, error) {
	if len(texts) == 1 && h.release[texts[0]] != nil {
		close(h.began[texts[0]])
		<-h.release[texts[0]]
	}
	return h.WordEmbedder.Embed(ctx, texts)
}

// TestLane_StaleSearchIsDropped: the results of a search typed over are
// never shown, even when they come back before the newer search's.
func TestLane_StaleSearchIsDropped(t *testing.T) {
	held := newHeldEmbedder("river", "soup")
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithEmbedder(held))
	addAt(t, svc, "A long walk by the river", time.Now().AddDate(0, 0, -1))
	addAt(t, svc, "Bread and soup for dinner", time.Now().AddDate(0, 0, -2))
	l, _ := openLane(t, svc)
	onUI(func() {
		l.search.Text = "river" // as typed, without waiting for a pause
		l.searchNow()
		l.search.Text = "soup"
		l.searchNow()
	})
	close(held.release["river"])
	<-held.began["soup"] // the river search has come back
	if _, ok := resultWith(l, "river"); ok || len(results(l)) != 0 {
		t.Errorf("the older search's results are shown: %q", results(l))
	}
	close(held.release["soup"])
	waitIdle(t, l.sh)
	if _, ok := resultWith(l, "soup"); !ok || len(results(l)) != 1 {
		t.Errorf("the newer search's results are not shown: %q", results(l))
	}
}

// TestLane_FilterChipNarrows: a feeling's chip keeps only the entries that
// felt it, and with no words lists them all.
func TestLane_FilterChipNarrows(t *testing.T) {
	l, _ := openLaneWith(t, "By the river, pure joy in the sun", "By the river again, sadness about the move", "Sadness at work, all day")

	searchFor(t, l, "river")
	if n := len(results(l)); n != 2 {
		t.Fatalf("searching river: %d results, want 2", n)
	}
	chip := l.feelingChips[slices.Index(journal.EkmanGroups[:], "sadness")]
	test.Tap(chip)
	waitIdle(t, l.sh)
	if rs := results(l); len(rs) != 1 || !contains(rs[0], "sadness about the move") {
		t.Fatalf("river with the sadness chip: %q, want the move only", rs)
	}
	if n := timelineCount(l); n != 2 {
		t.Errorf("the timeline with the sadness chip counts %d entries, want the 2 sad ones", n)
	}
	searchFor(t, l, "")
	if rs := results(l); len(rs) != 2 || !contains(rs[0], "by your filters") {
		t.Fatalf("the sadness chip alone: %q, want both sad entries, by the filter", rs)
	}
	test.Tap(chip)
	waitIdle(t, l.sh)
	if len(results(l)) != 0 || !contains(texts(l.content), "Search your journal") {
		t.Errorf("with nothing asked the screen shows %q, want the hint", texts(l.content))
	}
	if n := timelineCount(l); n != 3 {
		t.Errorf("the timeline without chips counts %d entries, want all 3", n)
	}
}

// timelineCount is the number of entries in the timeline's periods shown.
func timelineCount(l *laneScreen) int {
	n := 0
	for _, p := range l.periods {
		n += p.Count
	}
	return n
}

// TestLane_Timeline shows the months with their counts and feelings, a
// day's several entries when by day, and earlier periods on request.
func TestLane_Timeline(t *testing.T) {
	svc := laneService(t)
	day := time.Date(2024, 3, 12, 9, 0, 0, 0, time.Local)
	addAt(t, svc, "Sadness in the morning", day)
	addAt(t, svc, "More sadness at noon", day.Add(3*time.Hour))
	addAt(t, svc, "Joy in the evening", day.Add(10*time.Hour))
	for i := range 14 { // one a month before: fourteen months
		addAt(t, svc, "Fear of the dark", day.AddDate(0, -1-i, 0))
	}
	l, w := openLane(t, svc)

	shown := texts(l.timelineBox)
	if !contains(shown, "March 2024") || !contains(shown, "3 entries") || !contains(shown, "mostly sadness") {
		t.Fatalf("the timeline by month shows %q, want March 2024 with 3 entries, mostly sadness", shown)
	}
	if !contains(shown, "February 2024") || !contains(shown, "mostly fear") {
		t.Errorf("the timeline by month shows %q, want February 2024, mostly fear", shown)
	}
	if contains(shown, "March 2023") || !l.earlier.Visible() {
		t.Fatalf("the first page shows %q, want 12 months and Show earlier", shown)
	}
	test.Tap(l.earlier)
	waitIdle(t, l.sh)
	if shown = texts(l.timelineBox); !contains(shown, "January 2023") || l.earlier.Visible() {
		t.Fatalf("after Show earlier: %q", shown)
	}

	test.Tap(l.spanButtons[journal.Day])
	waitIdle(t, l.sh)
	shown = texts(l.timelineBox)
	if !contains(shown, "Tuesday 12 March 2024") || !contains(shown, "3 entries") {
		t.Fatalf("the timeline by day shows %q", shown)
	}
	for _, e := range []string{"Sadness in the morning", "More sadness at noon", "Joy in the evening"} {
		if !contains(shown, e) {
			t.Errorf("the day's entry %q is not shown; shown %q", e, shown)
		}
	}
	tapText(t, l.timelineBox, "More sadness at noon")
	if !l.detail.Visible() || l.detailText.Text != "More sadness at noon" {
		t.Fatalf("tapping a timeline entry shows %q", texts(w.Canvas().Content()))
	}
	waitIdle(t, l.sh)
}

// TestLane_OnThisDay shows what was written a year before today, and
// opens it.
func TestLane_OnThisDay(t *testing.T) {
	svc := laneService(t)
	e := addAt(t, svc, "Snow on the hills, a quiet joy", time.Now().AddDate(-1, 0, 0))
	l, _ := openLane(t, svc)
	top := texts(l.memories)
	if !contains(top, "1 year ago") || !contains(top, "Snow on the hills") {
		t.Fatalf("On This Day shows %q", top)
	}
	if l.noMemories.Visible() {
		t.Error("On This Day says it has nothing")
	}
	tapText(t, l.memories, "Snow on the hills")
	waitIdle(t, l.sh)
	if !l.detail.Visible() || !strings.Contains(l.detailText.Text, "Snow on the hills") || !contains(texts(l.detail), "joy") {
		t.Fatalf("the opened memory shows %q", texts(l.detail))
	}
	if want := "On " + time.Now().AddDate(-1, 0, 0).Format("2 January") + " in other years"; l.dayHeading.Text != want {
		t.Errorf("On This Day from the open entry's day is headed %q, want %q", l.dayHeading.Text, want)
	}

	tapButton(t, l.detail, "Open in the journal")
	waitIdle(t, l.sh)
	if l.sh.tabs.Selected() != l.sh.journalTab || l.sh.journal.current != e.ID {
		t.Errorf("Open in the journal shows %q with entry %q open, want %q", l.sh.tabs.Selected().Text, l.sh.journal.current, e.ID)
	}
}

// TestLane_Progress says how far the reading of a large journal is.
func TestLane_Progress(t *testing.T) {
	l, _ := openLane(t, laneService(t))
	report := l.progressReport()
	onUI(func() { report(1200, 10000) })
	if got := l.progressMsg.Text; got != "Reading your journal… 1,200 of 10,000" || l.progress.Value != 0.12 {
		t.Errorf("progress %q at %v", got, l.progress.Value)
	}
	onUI(func() { report(40, 40) })
	if got := l.progressMsg.Text; got != "Finding what your entries mean… 40 of 40" {
		t.Errorf("progress of the meanings %q", got)
	}
}

// TestLane_Empty: an empty journal's Memory Lane says what each part will
// show.
func TestLane_Empty(t *testing.T) {
	l, _ := openLane(t, laneService(t))
	shown := texts(l.content)
	for _, want := range []string{"Nothing written on this day in earlier years yet.", "Search your journal", "Your journal over time shows here"} {
		if !contains(shown, want) {
			t.Errorf("an empty Memory Lane does not say %q; it shows %q", want, shown)
		}
	}
}

// TestLane_Similar: from an open entry, the entries like it by meaning and
// the times the person felt the same, never the entry itself, and back.
func TestLane_Similar(t *testing.T) {
	l, _ := openLaneWith(t, "Lost the keys again, grief", "Locked out, sat on the step", "Grief for the old dog", "Joy at the concert")
	searchFor(t, l, "lost")
	tapText(t, l.results, "Lost the keys")
	waitIdle(t, l.sh)

	test.Tap(l.likeThis)
	waitIdle(t, l.sh)
	rs := results(l)
	if len(rs) == 0 || !contains(rs[0], "Locked out") || !contains(rs[0], "by meaning") {
		t.Fatalf("entries like this one: %q, want the locked-out entry first, by meaning", rs)
	}
	if _, self := resultWith(l, "Lost the keys"); self {
		t.Errorf("entries like this one holds the entry itself: %q", rs)
	}
	if !strings.HasPrefix(l.resultsHead.Text, "Entries like this one: “Lost the keys") || !l.back.Visible() {
		t.Errorf("heading %q, back shown %v", l.resultsHead.Text, l.back.Visible())
	}

	test.Tap(l.feltLike)
	waitIdle(t, l.sh)
	rs = results(l)
	if len(rs) == 0 || !contains(rs[0], "Grief for the old dog") || !contains(rs[0], "by feeling") {
		t.Fatalf("times I felt like this: %q, want the grief entry first, by feeling", rs)
	}
	if !strings.HasPrefix(l.resultsHead.Text, "Times I felt like this: “Lost the keys") {
		t.Errorf("heading %q", l.resultsHead.Text)
	}
	if _, self := resultWith(l, "Lost the keys"); self {
		t.Errorf("times I felt like this holds the entry itself: %q", rs)
	}

	test.Tap(l.back)
	waitIdle(t, l.sh)
	if _, ok := resultWith(l, "Lost the keys"); !ok || l.back.Visible() {
		t.Errorf("back shows %q, want the search for lost", results(l))
	}
}

// TestLane_ErrorsReachTheWindow: a search that cannot be read is said
// under the field; a failed read opens an error dialog.
func TestLane_ErrorsReachTheWindow(t *testing.T) {
	svc := laneService(t)
	e := addAt(t, svc, "A walk in the rain", time.Now().AddDate(0, 0, -1))
	l, w := openLane(t, svc)

	searchFor(t, l, `"a walk`)
	if !l.queryError.Visible() || !strings.Contains(l.queryError.Text, "quote is not closed") {
		t.Fatalf("an unclosed quote shows %q (visible %v)", l.queryError.Text, l.queryError.Visible())
	}
	searchFor(t, l, `"a walk"`)
	if l.queryError.Visible() {
		t.Errorf("the error stays after the quote is closed: %q", l.queryError.Text)
	}

	tapText(t, l.results, "A walk in the rain")
	waitIdle(t, l.sh)
	if err := svc.Delete(context.Background(), e.ID); err != nil {
		t.Fatal(err)
	}
	test.Tap(l.likeThis)
	waitIdle(t, l.sh)
	if w.Canvas().Overlays().Top() == nil || !strings.Contains(l.status.Text, "Could not find entries like this one") {
		t.Errorf("a failed read shows no error: status %q", l.status.Text)
	}
}

// TestShell_LaneShortcuts: Ctrl+2 opens Memory Lane, Ctrl+F its search,
// also from the journal's editor.
func TestShell_LaneShortcuts(t *testing.T) {
	sh, w := newTestShell(t, laneService(t))
	typeShortcut(w, laneShortcut)
	waitIdle(t, sh)
	if sh.tabs.Selected() != sh.laneTab {
		t.Fatal("Ctrl+2 does not open Memory Lane")
	}
	typeShortcut(w, journalShortcut)
	sh.journal.editor.TypedShortcut(findShortcut)
	waitIdle(t, sh)
	if sh.tabs.Selected() != sh.laneTab || w.Canvas().Focused() != sh.lane.search {
		t.Fatal("Ctrl+F in the editor does not open Memory Lane's search")
	}
	sh.lane.search.TypedShortcut(journalShortcut)
	if sh.tabs.Selected() != sh.journalTab {
		t.Error("Ctrl+1 in the search does not open the journal")
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1200: "1,200", 10000: "10,000", 1234567: "1,234,567", -1200: "-1,200"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
