package ui

import (
	"context"
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// Memory Lane's measures.
const (
	// searchDelay is how long the search waits after a key before it
	// runs: a search per pause in the typing, not per letter.
	searchDelay = 250 * time.Millisecond
	// timelinePage is how many periods the timeline reads at a time.
	timelinePage = 12
	// similarLimit is how many entries "like this one" are shown.
	similarLimit = 20
	// cardWidth is the width of an On This Day card.
	cardWidth = 250
	// countBar is the length of the bar of the fullest period on a page.
	countBar = 120
)

// searchPeriods are the search's period select: how far back each reaches
// (nil: all the way).
var searchPeriods = []struct {
	name string
	from func(now time.Time) time.Time
}{
	{"Any time", nil},
	{"Past week", func(now time.Time) time.Time { return now.AddDate(0, 0, -7) }},
	{"Past month", func(now time.Time) time.Time { return now.AddDate(0, -1, 0) }},
	{"Past year", func(now time.Time) time.Time { return now.AddDate(-1, 0, 0) }},
}

// spans are the timeline's choice of period lengths, in its order.
var spans = []struct {
	span journal.Span
	name string
}{{journal.Day, "Day"}, {journal.Week, "Week"}, {journal.Month, "Month"}, {journal.Year, "Year"}}

// whyWords say for a person what found a result.
var whyWords = map[string]string{
	journal.ByWords:   "by words",
	journal.ByMeaning: "by meaning",
	journal.ByFeeling: "by feeling",
	journal.ByFilter:  "by your filters",
}

// laneScreen is Memory Lane: On This Day along the top; the search, its
// filters and its results (or the entries like an open one) on the left;
// the timeline, or the entry opened from anywhere on the screen, on the
// right. Every read runs off the UI goroutine.
type laneScreen struct {
	sh      *shell
	window  fyne.Window
	svc     *journal.Service
	now     func() time.Time
	content fyne.CanvasObject
	status  *widget.Label

	// prepared is set once the index is built; preparing while it is
	// being built, with its progress shown.
	prepared, preparing bool
	progress            *widget.ProgressBar
	progressMsg         *widget.Label
	progressRow         *fyne.Container

	// On This Day: relative to today, or to the open entry's day.
	dayHeading *widget.Label
	memories   *fyne.Container
	memScroll  *container.Scroll
	noMemories *widget.Label
	daySeq     int

	// The search: the field, its filters and its results. seq numbers
	// each search (and each "like this one"); a result of an older one
	// is dropped. delay is searchDelay; timer waits it out.
	search       *searchField
	feelingChips []*toggleChip
	audioChip    *toggleChip
	fixedChip    *toggleChip
	period       *widget.Select
	queryError   *widget.Label
	resultsHead  *widget.Label
	back         *widget.Button
	results      *fyne.Container
	resultsNote  *widget.Label
	resultScroll *container.Scroll
	delay        time.Duration
	timerMu      sync.Mutex
	timer        *time.Timer
	// reads runs the screen's reads one at a time (see read).
	reads  serial
	seq    int
	cancel context.CancelFunc

	// The timeline: the span chosen, the periods read so far (newest
	// first), which are open, and where the next page starts.
	span        journal.Span
	spanButtons map[journal.Span]*widget.Button
	periods     []journal.Period
	expanded    map[int64]bool
	next        time.Time
	periodBox   *fyne.Container
	noPeriods   *widget.Label
	earlier     *widget.Button
	tlSeq       int
	timelineBox fyne.CanvasObject

	// The open entry (nil: none), shown in place of the timeline.
	opened        *journal.Entry
	detail        fyne.CanvasObject
	detailHeading *widget.Label
	detailChips   *fyne.Container
	detailText    *widget.Label
	detailNote    *widget.Label
	likeThis      *widget.Button
	feltLike      *widget.Button
	// A spoken entry's recording: its words and emotions along it, a tap
	// away from being heard, and Play (from the moment a search found).
	moments *momentsView
	play    *widget.Button
}

func newLaneScreen(sh *shell) *laneScreen {
	l := &laneScreen{sh: sh, window: sh.window, svc: sh.svc, now: sh.now, delay: searchDelay,
		span: journal.Month, expanded: map[int64]bool{}}
	l.status = widget.NewLabel("")
	l.status.Importance = widget.LowImportance
	l.status.Truncation = fyne.TextTruncateEllipsis
	top := l.buildDays()
	left := l.buildSearch()
	l.buildTimeline()
	l.buildDetail()
	// each side scrolls sideways rather than widen the window
	split := container.NewHSplit(container.NewHScroll(left), container.NewHScroll(container.NewStack(l.timelineBox, l.detail)))
	split.SetOffset(0.55)
	l.content = container.NewBorder(top, l.status, nil, nil, split)
	l.showHint()
	return l
}

// buildDays makes the top of the screen: the index's progress while it is
// built, and On This Day.
func (l *laneScreen) buildDays() fyne.CanvasObject {
	l.progress = widget.NewProgressBar()
	l.progressMsg = widget.NewLabel("Reading your journal…")
	l.progressRow = container.NewBorder(nil, nil, l.progressMsg, nil, l.progress)
	l.progressRow.Hide()
	l.dayHeading = widget.NewLabelWithStyle("On this day", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.memories = container.NewHBox()
	l.noMemories = widget.NewLabel("Nothing written on this day in earlier years yet.")
	l.noMemories.Importance = widget.LowImportance
	l.memScroll = container.NewHScroll(l.memories)
	l.memScroll.Hide()
	return container.NewVBox(l.progressRow,
		container.NewBorder(nil, nil, l.dayHeading, nil, l.noMemories),
		l.memScroll, widget.NewSeparator())
}

// buildSearch makes the left side: the search field and period, the filter
// chips, and the results under their heading.
func (l *laneScreen) buildSearch() fyne.CanvasObject {
	l.search = newSearchField(l.sh.onShortcut)
	l.search.SetPlaceHolder(`Search: words, "a phrase", @tag…`)
	l.search.OnChanged = l.onTyped
	l.search.OnSubmitted = l.onSubmitted
	names := make([]string, len(searchPeriods))
	for i, p := range searchPeriods {
		names[i] = p.name
	}
	l.period = widget.NewSelect(names, nil)
	l.period.SetSelectedIndex(0)
	l.period.OnChanged = func(string) { l.onFilters() }
	chips := container.NewGridWithColumns(5)
	for _, g := range journal.EkmanGroups {
		c := newToggleChip(g, groupColors[g], l.onFilters)
		l.feelingChips = append(l.feelingChips, c)
		chips.Add(c)
	}
	l.audioChip = newToggleChip("with audio", nil, l.onFilters)
	l.fixedChip = newToggleChip("corrected", nil, l.onFilters)
	chips.Add(l.audioChip)
	chips.Add(l.fixedChip)

	l.queryError = widget.NewLabel("")
	l.queryError.Importance = widget.DangerImportance
	l.queryError.Wrapping = fyne.TextWrapWord
	l.queryError.Hide()
	l.resultsHead = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.resultsHead.Truncation = fyne.TextTruncateEllipsis
	l.back = widget.NewButtonWithIcon("Back to your search", theme.NavigateBackIcon(), l.onBack)
	l.back.Importance = widget.LowImportance
	l.back.Hide()
	l.resultsNote = widget.NewLabel("")
	l.resultsNote.Wrapping = fyne.TextWrapWord
	l.resultsNote.Importance = widget.LowImportance
	l.results = container.NewVBox()
	l.resultScroll = container.NewVScroll(container.NewVBox(l.resultsNote, l.results))
	head := container.NewVBox(
		container.NewBorder(nil, nil, nil, l.period, l.search),
		chips, l.queryError,
		container.NewBorder(nil, nil, nil, l.back, l.resultsHead))
	return container.NewPadded(container.NewBorder(head, nil, nil, nil, l.resultScroll))
}

// buildTimeline makes the timeline: the choice of span, the periods and
// the button that reads earlier ones.
func (l *laneScreen) buildTimeline() {
	l.spanButtons = map[journal.Span]*widget.Button{}
	choice := container.NewGridWithColumns(len(spans))
	for _, s := range spans {
		b := widget.NewButton(s.name, func() { l.onSpan(s.span) })
		l.spanButtons[s.span] = b
		choice.Add(b)
	}
	l.showSpan()
	l.periodBox = container.NewVBox()
	l.noPeriods = widget.NewLabel("Your journal over time shows here once you have written in it.")
	l.noPeriods.Wrapping = fyne.TextWrapWord
	l.noPeriods.Importance = widget.LowImportance
	l.earlier = widget.NewButtonWithIcon("Show earlier", theme.MoveDownIcon(), l.onEarlier)
	l.earlier.Hide()
	heading := widget.NewLabelWithStyle("Your journal over time", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.timelineBox = container.NewPadded(container.NewBorder(
		container.NewVBox(heading, choice), nil, nil, nil,
		container.NewVScroll(container.NewVBox(l.noPeriods, l.periodBox, l.earlier))))
}

// buildDetail makes the panel that shows an entry in full, read-only, with
// the ways to find others like it.
func (l *laneScreen) buildDetail() {
	closeBtn := widget.NewButtonWithIcon("Back to the timeline", theme.NavigateBackIcon(), l.closeEntry)
	closeBtn.Importance = widget.LowImportance
	edit := widget.NewButtonWithIcon("Open in the journal", theme.DocumentIcon(), l.onEdit)
	edit.Importance = widget.LowImportance
	l.detailHeading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.detailHeading.Wrapping = fyne.TextWrapWord
	l.detailChips = newChips()
	l.detailText = widget.NewLabel("")
	l.detailText.Wrapping = fyne.TextWrapWord
	l.detailText.Selectable = true
	l.detailNote = widget.NewLabel("")
	l.detailNote.Importance = widget.LowImportance
	l.detailNote.Wrapping = fyne.TextWrapWord
	l.likeThis = widget.NewButtonWithIcon("Entries like this one", theme.SearchIcon(), func() { l.onSimilar(journal.SimilarMeaning) })
	l.feltLike = widget.NewButtonWithIcon("Times I felt like this", theme.ColorPaletteIcon(), func() { l.onSimilar(journal.SimilarFeeling) })
	l.moments = newMomentsView(l.sh, l.onPlaying, l.showError)
	l.play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), l.moments.onPlay)
	l.play.Hide()
	l.detail = container.NewPadded(container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, closeBtn, edit), container.NewBorder(nil, nil, nil, l.play, l.detailHeading), l.detailChips),
		container.NewVBox(l.likeThis, l.feltLike), nil, nil,
		container.NewVScroll(container.NewVBox(l.detailText, l.moments.content, l.detailNote))))
	l.detail.Hide()
}

// show readies the screen as it comes into view: the index is built the
// first time, with its progress shown; afterwards what it shows is read
// again, as the journal may have changed meanwhile.
func (l *laneScreen) show() {
	if !l.prepared {
		l.prepare()
		return
	}
	l.refresh()
}

// refresh reads On This Day, the timeline and the search again.
func (l *laneScreen) refresh() {
	if l.back.Hidden {
		l.searchNow() // first: it changes widgets before it starts reading
	}
	l.loadDays()
	l.loadTimeline(time.Time{})
}

// prepare builds the index off the UI goroutine, showing how far it is,
// then shows what the screen shows.
func (l *laneScreen) prepare() {
	if l.preparing {
		return
	}
	l.preparing = true
	l.progressMsg.SetText("Reading your journal…")
	l.progress.SetValue(0)
	l.progressRow.Show()
	progress := l.progressReport()
	l.read(func() func() {
		err := l.svc.PrepareLane(context.Background(), progress)
		return func() {
			l.preparing = false
			l.progressRow.Hide()
			if err != nil {
				l.showError("Memory Lane could not read your journal", err)
				return
			}
			l.prepared = true
			l.refresh()
		}
	})
}

// progressReport returns PrepareLane's progress: it shows how many entries
// are read ("Reading your journal… 1,200 of 10,000"), then how many are
// given their meaning, at most about twenty times a second.
func (l *laneScreen) progressReport() journal.LaneProgress {
	var (
		mu    sync.Mutex
		last  time.Time
		first int
	)
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total <= 0 || (done < total && time.Since(last) < 50*time.Millisecond) || (first == 0 && done == total) {
			return // a journal read at once has no progress to show
		}
		last = time.Now()
		if first == 0 {
			first = total
		}
		what := "Reading your journal…"
		if total != first {
			what = "Finding what your entries mean…"
		}
		msg := fmt.Sprintf("%s %s of %s", what, thousands(done), thousands(total))
		fyne.Do(func() {
			l.progressMsg.SetText(msg)
			l.progress.SetValue(float64(done) / float64(total))
		})
	}
}

// thousands writes n with commas between its thousands: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// read runs work off the UI goroutine, after the screen's earlier reads
// have shown their results (see serial).
func (l *laneScreen) read(work func() func()) { l.reads.run(l.sh, work) }

// loadDays reads On This Day for today, or for the open entry's day.
func (l *laneScreen) loadDays() {
	day := l.now()
	if l.opened != nil {
		day = l.opened.Created.In(day.Location())
	}
	l.daySeq++
	seq := l.daySeq
	l.read(func() func() {
		ms, err := l.svc.OnThisDay(context.Background(), day)
		return func() {
			if seq != l.daySeq {
				return
			}
			if err != nil {
				l.showError("Could not read On This Day", err)
				return
			}
			l.showMemories(day, ms)
		}
	})
}

// showMemories shows On This Day for day: a card for each entry, or what
// there is to know when there is none.
func (l *laneScreen) showMemories(day time.Time, ms []journal.Memory) {
	heading, none := "On this day", "Nothing written on this day in earlier years yet."
	if l.opened != nil {
		heading = "On " + day.Format("2 January") + " in other years"
		none = "Nothing written on " + day.Format("2 January") + " in other years, nor a month before."
	}
	l.dayHeading.SetText(heading)
	l.memories.RemoveAll()
	for _, m := range ms {
		for _, e := range m.Entries {
			l.memories.Add(l.memoryCard(m, e))
		}
	}
	l.noMemories.SetText(none)
	if len(l.memories.Objects) == 0 {
		l.noMemories.Show()
		l.memScroll.Hide()
	} else {
		l.noMemories.Hide()
		l.memScroll.Show()
	}
	l.memories.Refresh()
}

// memoryCard is one entry of On This Day: when it was, its first line and
// its feelings; a tap opens it.
func (l *laneScreen) memoryCard(m journal.Memory, e journal.Entry) fyne.CanvasObject {
	when := widget.NewLabelWithStyle(m.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	date := widget.NewLabelWithStyle(m.Day.Format("2 January 2006"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	title := widget.NewLabel(e.Title(120))
	title.Truncation = fyne.TextTruncateEllipsis
	chips := newChipLine()
	setChips(chipsOf(chips), e.Feelings(), 2)
	card := newTappable(container.NewVBox(container.NewHBox(when, date), title, chips), func() { l.openEntry(e) })
	card.rest = theme.Color(theme.ColorNameInputBackground)
	card.bg.FillColor = card.rest
	return container.NewGridWrap(fyne.NewSize(cardWidth, card.MinSize().Height), card)
}

// onTyped waits for a pause in the typing, then searches. The wait counts
// as work under way (tests wait for it).
func (l *laneScreen) onTyped(string) {
	l.timerMu.Lock()
	defer l.timerMu.Unlock()
	if l.timer != nil && l.timer.Stop() {
		l.sh.jobs.done()
	}
	l.sh.jobs.start()
	var t *time.Timer
	t = time.AfterFunc(l.delay, func() {
		defer l.sh.jobs.done()
		l.timerMu.Lock()
		current := l.timer == t
		if current {
			l.timer = nil
		}
		l.timerMu.Unlock()
		if current {
			fyne.DoAndWait(func() {
				l.sh.shows.Lock()
				defer l.sh.shows.Unlock()
				l.searchNow()
			})
		}
	})
	l.timer = t
}

// onSubmitted searches at once (Enter), without waiting for the pause.
func (l *laneScreen) onSubmitted(string) {
	l.timerMu.Lock()
	if l.timer != nil && l.timer.Stop() {
		l.sh.jobs.done()
		l.timer = nil
	}
	l.timerMu.Unlock()
	l.searchNow()
}

// searchNow reads the search field and filters and searches, off the UI
// goroutine; a search typed since drops this one's results. A search that
// cannot be read is said under the field, as the person types.
func (l *laneScreen) searchNow() {
	l.seq++
	seq := l.seq
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	l.back.Hide()
	q, err := journal.ParseSearch(l.search.Text, l.now())
	if err != nil {
		l.queryError.SetText(personal(err))
		l.queryError.Show()
		return
	}
	l.queryError.Hide()
	l.addFilters(&q.Filter)
	if blank(q) {
		l.showHint()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	l.read(func() func() {
		found, err := l.svc.Search(ctx, q)
		return func() {
			if seq != l.seq {
				return // a newer search is under way or shown
			}
			cancel()
			l.cancel = nil
			if err != nil {
				l.showError("Could not search your journal", err)
				return
			}
			l.showFound(countFound(len(found)), found)
		}
	})
}

// personal says a search's error as a sentence: "Cannot read the query: a
// quote is not closed."
func personal(err error) string {
	s := strings.TrimPrefix(err.Error(), "journal: ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// onFilters searches again and reads the timeline again when a chip or the
// period changes: both show only the entries that pass.
func (l *laneScreen) onFilters() {
	l.searchNow()
	l.loadTimeline(time.Time{})
}

// addFilters adds the chips' and the period's filters to f.
func (l *laneScreen) addFilters(f *journal.Filter) {
	for _, c := range l.feelingChips {
		if c.on {
			f.Emotions = append(f.Emotions, c.word)
		}
	}
	f.Audio = f.Audio || l.audioChip.on
	f.Corrected = f.Corrected || l.fixedChip.on
	if i := l.period.SelectedIndex(); i > 0 {
		if from := searchPeriods[i].from(l.now()); f.From.Before(from) {
			f.From = from
		}
	}
}

// blank reports whether a search asks for nothing.
func blank(q journal.SearchQuery) bool {
	return len(q.Words)+len(q.Phrases)+len(q.Not)+len(q.Emotions)+len(q.Tags) == 0 &&
		!q.Audio && !q.Corrected && q.From.IsZero() && q.To.IsZero()
}

func countFound(n int) string {
	if n == 0 {
		return "No entries match."
	}
	return fmt.Sprintf("%d %s found", n, journal.Plural(n, "entry", "entries"))
}

// showHint shows, in place of results, what the search can do.
func (l *laneScreen) showHint() {
	l.resultsHead.SetText("Search your journal")
	l.resultsNote.SetText("Type what you remember: SAMO finds entries by their words and by what they meant " +
		"(“locked out” finds “lost my keys”). Tap a feeling above to see only the entries that felt it.")
	l.resultsNote.Show()
	l.results.RemoveAll()
	l.resultScroll.ScrollToTop()
}

// showFound shows results under a heading; none says what to try.
func (l *laneScreen) showFound(heading string, found []journal.Found) {
	l.resultsHead.SetText(heading)
	l.results.RemoveAll()
	for _, f := range found {
		l.results.Add(l.foundRow(f))
	}
	l.resultsNote.SetText("Try other words, or fewer filters.")
	l.resultsNote.Hidden = len(found) > 0
	l.results.Refresh()
	l.resultScroll.Refresh()
	l.resultScroll.ScrollToTop()
}

// foundRow is a result: when, why it was found, and its snippet with the
// matched words in bold; a tap opens it.
func (l *laneScreen) foundRow(f journal.Found) fyne.CanvasObject {
	when := widget.NewLabelWithStyle(friendlyTime(f.Created, l.now()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	why := container.NewHBox()
	for _, w := range f.Why {
		why.Add(container.NewCenter(tag(whyWords[w])))
	}
	chips := newChips()
	setChips(chips, f.Entry.Feelings(), 2)
	snippet := snippetText(f.Snippet)
	if len(f.Snippet.Text) == 0 {
		snippet = snippetText(journal.Snippet{Text: f.Entry.Title(120)})
	}
	row := container.NewVBox(container.NewHBox(when, why, container.NewCenter(chips)), snippet)
	return container.NewVBox(newTappable(row, func() { l.openFound(f) }), widget.NewSeparator())
}

// openFound opens a result; a spoken one at the moment it says what the
// search looked for (the first of its words the recording holds).
func (l *laneScreen) openFound(f journal.Found) {
	if f.Entry.Audio == nil || f.Entry.Transcript == nil {
		l.openEntry(f.Entry)
		return
	}
	terms := f.Words
	if len(terms) == 0 {
		if q, err := journal.ParseSearch(l.search.Text, l.now()); err == nil {
			terms = append(append(terms, q.Words...), q.Phrases...)
		}
	}
	at := time.Duration(0)
	if w, ok := journal.FirstMoment(f.Entry.Transcript, terms); ok {
		at = w.Start
	}
	l.openEntryAt(f.Entry, at)
}

// onPlaying shows Play as Stop while the recording plays, and says where
// it starts from otherwise.
func (l *laneScreen) onPlaying(on bool) {
	switch {
	case on:
		l.play.SetText("Stop")
		l.play.SetIcon(theme.MediaStopIcon())
		return
	case l.moments.at > 0:
		l.play.SetText("Play from " + clock(l.moments.at))
	default:
		l.play.SetText("Play")
	}
	l.play.SetIcon(theme.MediaPlayIcon())
}

// tag is a small outlined word: why a result was found.
func tag(word string) fyne.CanvasObject {
	text := canvas.NewText(word, theme.Color(theme.ColorNameForeground))
	text.TextSize = theme.CaptionTextSize()
	frame := canvas.NewRectangle(color.Transparent)
	frame.StrokeColor = color.NRGBA{0x99, 0x99, 0x99, 0xA0}
	frame.StrokeWidth = 1
	frame.CornerRadius = 4
	return container.NewStack(frame, container.New(layout.NewCustomPaddedLayout(1, 1, 6, 6), text))
}

// snippetText is a snippet as rich text, its marked words in bold.
func snippetText(s journal.Snippet) *widget.RichText {
	text := strings.ReplaceAll(s.Text, "\n", " ")
	var segs []widget.RichTextSegment
	add := func(t string, style widget.RichTextStyle) {
		if t != "" {
			segs = append(segs, &widget.TextSegment{Text: t, Style: style})
		}
	}
	at := 0
	for _, m := range s.Marks {
		start, end := max(m[0], at), min(m[1], len(text))
		if start >= end {
			continue
		}
		add(text[at:start], widget.RichTextStyleInline)
		add(text[start:end], widget.RichTextStyleStrong)
		at = end
	}
	add(text[at:], widget.RichTextStyleInline)
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// onBack leaves the entries like one and shows the search again.
func (l *laneScreen) onBack() {
	l.back.Hide()
	l.searchNow()
}

// onSimilar shows, in place of the results, the entries like the open
// one: by meaning ("Entries like this one") or by feeling ("Times I felt
// like this"), never the entry itself.
func (l *laneScreen) onSimilar(by journal.Similarity) {
	if l.opened == nil {
		return
	}
	e := *l.opened
	heading := "Entries like this one: “" + e.Title(40) + "”"
	if by == journal.SimilarFeeling {
		heading = "Times I felt like this: “" + e.Title(40) + "”"
	}
	l.seq++
	seq := l.seq
	l.resultsHead.SetText(heading + " …")
	l.read(func() func() {
		found, err := l.svc.Similar(context.Background(), e.ID, by, journal.Filter{}, similarLimit)
		return func() {
			if seq != l.seq {
				return
			}
			if err != nil {
				l.resultsHead.SetText("")
				l.showError("Could not find entries like this one", err)
				return
			}
			l.showFound(heading, found)
			if len(found) == 0 {
				l.resultsNote.SetText("No other entry is like this one yet.")
			}
			l.back.Show()
		}
	})
}

// onSpan shows the timeline by another span.
func (l *laneScreen) onSpan(s journal.Span) {
	if s == l.span {
		return
	}
	l.span = s
	l.expanded = map[int64]bool{}
	l.showSpan()
	l.loadTimeline(time.Time{})
}

// showSpan marks the span chosen among its buttons.
func (l *laneScreen) showSpan() {
	for s, b := range l.spanButtons {
		if s == l.span {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
}

func (l *laneScreen) onEarlier() {
	if !l.next.IsZero() {
		l.earlier.Disable() // until the page is read
		l.loadTimeline(l.next)
	}
}

// loadTimeline reads a page of the timeline, off the UI goroutine: the
// newest (before zero), which replaces what is shown, or the page before
// before, added below it.
func (l *laneScreen) loadTimeline(before time.Time) {
	l.tlSeq++
	seq := l.tlSeq
	q := journal.TimelineQuery{By: l.span, Before: before, Periods: timelinePage, Location: l.now().Location()}
	l.addFilters(&q.Filter)
	l.read(func() func() {
		tl, err := l.svc.Timeline(context.Background(), q)
		return func() {
			if seq != l.tlSeq {
				return
			}
			l.earlier.Enable()
			if err != nil {
				l.showError("Could not read the timeline", err)
				return
			}
			l.addPeriods(tl, before.IsZero())
		}
	})
}

// addPeriods shows a page of the timeline (fresh: in place of the periods
// shown); on a fresh timeline the newest period opens.
func (l *laneScreen) addPeriods(tl journal.Timeline, fresh bool) {
	if fresh {
		l.periods = nil
		if len(l.expanded) == 0 && len(tl.Periods) > 0 {
			l.expanded[tl.Periods[0].Start.Unix()] = true
		}
	}
	l.periods = append(l.periods, tl.Periods...)
	l.next = tl.Next
	l.showPeriods()
}

// showPeriods draws the timeline's periods, the empty timeline's message
// and the button for earlier periods.
func (l *laneScreen) showPeriods() {
	most := 1
	for _, p := range l.periods {
		most = max(most, p.Count)
	}
	l.periodBox.RemoveAll()
	for _, p := range l.periods {
		l.periodBox.Add(l.periodRow(p, most))
	}
	l.noPeriods.Hidden = len(l.periods) > 0
	l.earlier.Hidden = l.next.IsZero()
	l.periodBox.Refresh()
	l.noPeriods.Refresh()
	l.earlier.Refresh()
}

// periodRow is a period of the timeline: its label and count, a bar as long
// as its count in the colour of its dominant feeling with that feeling's
// word beside it, and its entries while it is open (a tap opens and closes
// it).
func (l *laneScreen) periodRow(p journal.Period, most int) fyne.CanvasObject {
	open := l.expanded[p.Start.Unix()]
	icon := theme.MenuExpandIcon()
	if open {
		icon = theme.MenuDropDownIcon()
	}
	name := widget.NewLabelWithStyle(p.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	count := widget.NewLabel(fmt.Sprintf("%d %s", p.Count, journal.Plural(p.Count, "entry", "entries")))
	hue, ok := groupColors[p.Dominant]
	feeling := "mostly " + p.Dominant
	if !ok {
		hue, feeling = color.NRGBA{0x99, 0x99, 0x99, 0x60}, "no feelings read"
	}
	bar := canvas.NewRectangle(hue)
	bar.CornerRadius = 3
	length := max(countBar*float32(p.Count)/float32(most), 6)
	bars := container.NewGridWrap(fyne.NewSize(countBar, 12),
		container.NewHBox(container.NewGridWrap(fyne.NewSize(length, 12), bar)))
	mood := widget.NewLabel(feeling)
	header := newTappable(container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(icon), name), count),
		container.NewHBox(container.NewGridWrap(fyne.NewSize(theme.IconInlineSize(), 1)), container.NewCenter(bars), mood)),
		func() { l.onPeriod(p) })
	if !open {
		return header
	}
	box := container.NewVBox(header)
	for _, e := range p.Entries {
		box.Add(container.NewPadded(l.entryRow(e)))
	}
	if more := p.Count - len(p.Entries); more > 0 {
		note := widget.NewLabel(fmt.Sprintf("and %d more: search with -on or -from to see them all", more))
		note.Importance = widget.LowImportance
		box.Add(note)
	}
	return box
}

// onPeriod opens a period of the timeline, or closes it.
func (l *laneScreen) onPeriod(p journal.Period) {
	k := p.Start.Unix()
	l.expanded[k] = !l.expanded[k]
	l.showPeriods()
}

// entryRow is an entry in the timeline: when, its first line and its
// feelings; a tap opens it.
func (l *laneScreen) entryRow(e journal.Entry) fyne.CanvasObject {
	when := widget.NewLabelWithStyle(friendlyTime(e.Created, l.now()), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	title := widget.NewLabel(e.Title(120))
	title.Truncation = fyne.TextTruncateEllipsis
	chips := newChips()
	setChips(chips, e.Feelings(), 1)
	return newTappable(container.NewBorder(nil, nil, when, container.NewCenter(chips), title), func() { l.openEntry(e) })
}

// openEntry shows an entry in full in place of the timeline, and On This
// Day from its day.
func (l *laneScreen) openEntry(e journal.Entry) { l.openEntryAt(e, 0) }

// openEntryAt is openEntry with a recording's Play at the moment at (its
// word lit).
func (l *laneScreen) openEntryAt(e journal.Entry, at time.Duration) {
	l.opened = &e
	when := e.Created.In(l.now().Location()).Format("Monday 2 January 2006, 15:04")
	if e.Audio != nil {
		when += " · recording of " + e.Audio.Duration.Round(time.Second).String()
	}
	l.detailHeading.SetText(when)
	setChips(l.detailChips, e.Feelings(), 4)
	text, note := e.Text, ""
	if len(text) > wrapLimit { // a wrapped label this long would freeze the window
		text = prefix(text, wrapLimit) + " …"
		note = fmt.Sprintf("The beginning of an entry %s long: open it in the journal for all of it.", size(len(e.Text)))
	}
	if strings.TrimSpace(text) == "" {
		text = e.Title(200)
	}
	l.detailText.SetText(text)
	l.moments.show(&e)
	if at > 0 {
		l.moments.mark(at)
	}
	l.play.Hidden = l.moments.id == ""
	l.onPlaying(false)
	// a transcript's words stand in for its text, where they are the same
	l.detailText.Hidden = len(l.moments.words) > 0 && e.Text == journal.TranscriptText(e.Transcript)
	l.detailNote.SetText(note)
	l.detailNote.Hidden = note == ""
	l.timelineBox.Hide()
	l.detail.Show()
	l.loadDays()
}

// closeEntry shows the timeline again, and On This Day from today.
func (l *laneScreen) closeEntry() {
	l.opened = nil
	l.moments.show(nil)
	l.detail.Hide()
	l.timelineBox.Show()
	l.loadDays()
}

// onEdit opens the open entry in the journal, where it can be changed.
func (l *laneScreen) onEdit() {
	if l.opened == nil {
		return
	}
	id := l.opened.ID
	l.sh.onJournal()
	l.sh.journal.saveDraft(func() { l.sh.journal.open(id) })
}

// focusSearch shows the screen with the keyboard in the search field.
func (l *laneScreen) focusSearch() { l.window.Canvas().Focus(l.search) }

func (l *laneScreen) showError(title string, err error) {
	l.status.SetText(title + ".")
	dialog.ShowError(fmt.Errorf("%s: %w", title, err), l.window)
}

// searchField is the search's one-line entry; the window's shortcuts keep
// working while it has the keyboard focus.
type searchField struct {
	widget.Entry
	shortcut func(fyne.Shortcut) bool
}

func newSearchField(shortcut func(fyne.Shortcut) bool) *searchField {
	f := &searchField{shortcut: shortcut}
	f.ExtendBaseWidget(f)
	return f
}

// TypedShortcut runs the window's shortcuts and passes the others on.
func (f *searchField) TypedShortcut(s fyne.Shortcut) {
	if f.shortcut != nil && f.shortcut(s) {
		return
	}
	f.Entry.TypedShortcut(s)
}

// tappable is content that opens something when tapped (a result, an
// entry, a card), lit while the pointer is over it.
type tappable struct {
	widget.BaseWidget
	content fyne.CanvasObject
	bg      *canvas.Rectangle
	rest    color.Color // the background while the pointer is away
	onTap   func()
}

func newTappable(content fyne.CanvasObject, onTap func()) *tappable {
	t := &tappable{content: content, onTap: onTap, rest: color.Transparent, bg: canvas.NewRectangle(color.Transparent)}
	t.bg.CornerRadius = theme.InputRadiusSize()
	t.ExtendBaseWidget(t)
	return t
}

// CreateRenderer implements fyne.Widget.
func (t *tappable) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(t.bg, container.NewPadded(t.content)))
}

// Tapped implements fyne.Tappable.
func (t *tappable) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// Cursor implements desktop.Cursorable.
func (t *tappable) Cursor() desktop.Cursor { return desktop.PointerCursor }

// MouseIn implements desktop.Hoverable.
func (t *tappable) MouseIn(*desktop.MouseEvent) {
	t.bg.FillColor = theme.Color(theme.ColorNameHover)
	t.bg.Refresh()
}

// MouseMoved implements desktop.Hoverable.
func (t *tappable) MouseMoved(*desktop.MouseEvent) {}

// MouseOut implements desktop.Hoverable.
func (t *tappable) MouseOut() {
	t.bg.FillColor = t.rest
	t.bg.Refresh()
}

// toggleChip is a filter a person turns on and off: its word, after a dot
// in its feeling's colour (none for the other filters); outlined while
// off, filled and ticked while on.
type toggleChip struct {
	widget.BaseWidget
	word    string
	hue     color.Color // nil: no dot
	on      bool
	changed func()
	bg      *canvas.Rectangle
	text    *canvas.Text
	tick    *widget.Icon
}

func newToggleChip(word string, hue color.Color, changed func()) *toggleChip {
	c := &toggleChip{word: word, hue: hue, changed: changed, bg: canvas.NewRectangle(color.Transparent)}
	c.bg.CornerRadius = 10
	c.bg.StrokeWidth = 1.5
	c.text = canvas.NewText(word, theme.Color(theme.ColorNameForeground))
	c.text.TextSize = theme.CaptionTextSize()
	c.tick = widget.NewIcon(theme.ConfirmIcon())
	c.ExtendBaseWidget(c)
	c.paint()
	return c
}

// CreateRenderer implements fyne.Widget.
func (c *toggleChip) CreateRenderer() fyne.WidgetRenderer {
	slot := canvas.NewRectangle(color.Transparent) // the tick's place, kept while it is hidden
	slot.SetMinSize(fyne.NewSize(12, 12))
	row := container.NewHBox(container.NewCenter(container.NewStack(slot, c.tick)))
	if c.hue != nil {
		row.Add(container.NewCenter(container.NewGridWrap(fyne.NewSize(chipDot, chipDot), canvas.NewCircle(c.hue))))
	}
	row.Add(c.text)
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.NewCenter(row)))
}

// Tapped turns the filter on or off.
func (c *toggleChip) Tapped(*fyne.PointEvent) {
	c.on = !c.on
	c.paint()
	if c.changed != nil {
		c.changed()
	}
}

// Cursor implements desktop.Cursorable.
func (c *toggleChip) Cursor() desktop.Cursor { return desktop.PointerCursor }

// paint shows the chip on or off.
func (c *toggleChip) paint() {
	accent := c.hue
	if accent == nil {
		accent = theme.Color(theme.ColorNameForeground)
	}
	r, g, b, _ := accent.RGBA()
	if c.on {
		c.bg.FillColor = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x38}
		c.bg.StrokeColor = accent
		c.tick.Show()
	} else {
		c.bg.FillColor = color.Transparent
		c.bg.StrokeColor = color.NRGBA{0x99, 0x99, 0x99, 0x80}
		c.tick.Hide()
	}
	c.text.TextStyle.Bold = c.on
	c.text.Color = theme.Color(theme.ColorNameForeground)
	c.Refresh()
	c.bg.Refresh()
	c.text.Refresh()
}
