package ui

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/ui/chart"
)

// insightRanges are the Insights screen's range presets, as ParseRange
// reads them ("" is the custom span).
var insightRanges = []struct{ name, words string }{
	{"Past week", "7d"}, {"Past month", "30d"}, {"Past 3 months", "90d"}, {"Past year", "1y"}, {"All time", "all"}, {"Custom…", ""},
}

// defaultRange is the preset the screen opens on.
const defaultRange = 2

// Chart heights on the Insights screen, and the width of its range.
const (
	rangeWidth     = 170
	timelineHeight = 240
	calendarHeight = 190
	barsHeight     = 190
	mixHeight      = 150
)

// Colouring the calendar: by each day's strongest feeling, or by its
// valence.
const (
	byFeeling = "Strongest feeling"
	byValence = "Pleasant or unpleasant"
)

// insightsScreen charts how the person has been feeling over a range they
// choose: the groups over time, a year in pixels, weekdays and hours, the
// mix, the patterns found with their evidence, the words that go with a
// feeling, and the change from the range before. A tap on a period or a
// day reads its entries in Memory Lane. Every read runs off the UI
// goroutine.
type insightsScreen struct {
	sh      *shell
	svc     *journal.Service
	now     func() time.Time
	content fyne.CanvasObject
	status  *widget.Label

	ranges      *widget.Select
	since       *widget.Entry
	until       *widget.Entry
	custom      *fyne.Container
	rangeError  *widget.Label
	summary     *widget.Label
	calendarBy  *widget.RadioGroup
	timeline    *chart.Timeline
	calendar    *chart.Calendar
	weekdays    *chart.Bars
	hours       *chart.Bars
	mix         *chart.Mix
	patterns    *fyne.Container
	words       *fyne.Container
	change      *fyne.Container
	scroll      *container.Scroll
	reads       serial
	seq         int
	shown       journal.Insights
	hasInsights bool
}

func newInsightsScreen(sh *shell) *insightsScreen {
	s := &insightsScreen{sh: sh, svc: sh.svc, now: sh.now}
	s.status = widget.NewLabel("")
	s.status.Importance = widget.LowImportance
	names := make([]string, len(insightRanges))
	for i, r := range insightRanges {
		names[i] = r.name
	}
	s.ranges = widget.NewSelect(names, nil)
	s.ranges.Selected = names[defaultRange] // read when the screen is shown
	s.ranges.OnChanged = func(string) { s.onRange() }
	s.since, s.until = widget.NewEntry(), widget.NewEntry()
	s.since.SetPlaceHolder("from: 2025-01")
	s.until.SetPlaceHolder("to: 2025-06-30")
	s.since.OnSubmitted = func(string) { s.load() }
	s.until.OnSubmitted = func(string) { s.load() }
	s.custom = container.NewHBox(container.NewGridWrap(fyne.NewSize(150, s.since.MinSize().Height), s.since),
		container.NewGridWrap(fyne.NewSize(150, s.until.MinSize().Height), s.until), widget.NewButton("Show", s.load))
	s.custom.Hide()
	s.rangeError = widget.NewLabel("")
	s.rangeError.Importance = widget.DangerImportance
	s.rangeError.Hide()
	s.summary = widget.NewLabel("")
	s.summary.Wrapping = fyne.TextWrapWord

	s.timeline = chart.NewTimeline(chart.TimelineData{})
	s.timeline.OnTap = s.onPeriod
	s.calendar = chart.NewCalendar(chart.CalendarData{})
	s.calendar.OnTap = s.onDay
	s.calendarBy = widget.NewRadioGroup([]string{byFeeling, byValence}, func(string) { s.showCalendar() })
	s.calendarBy.Horizontal = true
	s.calendarBy.SetSelected(byFeeling)
	s.weekdays = chart.NewBars(chart.BarsData{})
	s.hours = chart.NewBars(chart.BarsData{})
	s.mix = chart.NewMix(chart.MixData{})
	s.patterns = container.NewVBox()
	s.words = container.NewVBox()
	s.change = container.NewVBox()

	body := container.NewVBox(
		s.chartSection("How you have been feeling", "The mean level of each group of feelings, period by period; a gap is a period without entries. Tap a period to read it.",
			ChartTimeline, tall(s.timeline, timelineHeight)),
		s.chartSection("Your days", "Each square a day; hatched days have no entry. Tap a day to read it.",
			ChartCalendar, container.NewVBox(s.calendarBy, tall(s.calendar, calendarHeight))),
		container.NewGridWithColumns(2,
			s.chartSection("By weekday", "", ChartWeekday, tall(s.weekdays, barsHeight)),
			s.chartSection("By hour", "", ChartHours, tall(s.hours, barsHeight))),
		s.chartSection("The mix", "Entries by their strongest feeling.", ChartMix, tall(s.mix, mixHeight)),
		section("Patterns", journal.PatternCaveat, s.patterns),
		section("Words and tags that go with a feeling", "More often than across the range, with a 95% interval; an association, not a cause.", s.words),
		section("Against the range before", "Mean day levels now and in the range of the same length before, with the 95% interval of the difference.", s.change),
	)
	s.scroll = container.NewVScroll(body)
	wide := container.NewGridWrap(fyne.NewSize(rangeWidth, s.ranges.MinSize().Height), s.ranges)
	top := container.NewVBox(container.NewHBox(widget.NewLabel("Range"), wide, s.custom), s.rangeError, s.summary)
	s.content = container.NewBorder(top, s.status, nil, nil, s.scroll)
	return s
}

// section is a titled part of the screen with a line saying how to read it.
func section(title, note string, body fyne.CanvasObject) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	parts := []fyne.CanvasObject{head}
	if note != "" {
		parts = append(parts, quiet(note))
	}
	return container.NewVBox(append(parts, body)...)
}

// chartSection is a section holding a chart, with a button that saves the
// chart as a picture.
func (s *insightsScreen) chartSection(title, note, kind string, body fyne.CanvasObject) fyne.CanvasObject {
	save := widget.NewButtonWithIcon("Save image…", theme.DocumentSaveIcon(), func() { s.onSaveChart(kind) })
	save.Importance = widget.LowImportance
	sec := section(title, note, body).(*fyne.Container)
	sec.Objects[0] = container.NewBorder(nil, nil, nil, save, sec.Objects[0])
	return sec
}

// onSaveChart asks where to save a chart of what the screen shows as a PNG
// file, draws it (on the UI goroutine, as the window does) and writes it
// in the background.
func (s *insightsScreen) onSaveChart(kind string) {
	if !s.hasInsights {
		return
	}
	if kind == ChartCalendar && s.calendarBy.Selected == byValence {
		kind = ChartCalendarValence
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		s.saveChart(kind, path)
	}, s.sh.window)
	d.SetFileName(fmt.Sprintf("samo-%s-%s.png", kind, s.now().Format(time.DateOnly)))
	d.Show()
}

// saveChart draws the chart called kind of what the screen shows, in the
// window's theme, and writes it to path as a PNG. It draws on the UI
// goroutine (a tenth to a quarter of a second): Fyne's text caches may
// only be used from there; the file is written in the background.
func (s *insightsScreen) saveChart(kind, path string) {
	dark := s.sh.app.Settings().ThemeVariant() == theme.VariantDark
	img, err := ChartImage(s.shown, kind, ChartOptions{Width: savedWidth, Height: savedHeight, Scale: savedScale, Dark: dark})
	if err != nil {
		dialog.ShowError(err, s.sh.window)
		return
	}
	s.sh.background(func() func() {
		err := chart.WritePNG(path, img)
		return func() {
			if err != nil {
				s.status.SetText("The chart was not saved.")
				dialog.ShowError(err, s.sh.window)
				return
			}
			s.status.SetText("Saved the chart to " + path + ".")
		}
	})
}

// A saved chart's size, in points, and its pixels per point.
const (
	savedWidth  = 900
	savedHeight = 360
	savedScale  = 2
)

// tall gives a chart a height, its width following the screen.
func tall(obj fyne.CanvasObject, h float32) fyne.CanvasObject {
	return container.New(&heightLayout{h: h}, obj)
}

// heightLayout gives its objects all the width and a fixed height.
type heightLayout struct{ h float32 }

func (l *heightLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *heightLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(200, l.h) }

// onRange shows the custom span's fields, or reads the preset chosen.
func (s *insightsScreen) onRange() {
	if insightRanges[s.ranges.SelectedIndex()].words == "" {
		s.custom.Show()
		s.sh.window.Canvas().Focus(s.since)
		return
	}
	s.custom.Hide()
	s.load()
}

// query is the range chosen, read; an error says what is wrong with it.
func (s *insightsScreen) query() (journal.InsightsQuery, error) {
	var q journal.InsightsQuery
	i := s.ranges.SelectedIndex()
	if i < 0 {
		i = defaultRange
	}
	if words := insightRanges[i].words; words != "" {
		return q, q.Span(words, "", "", s.now())
	}
	if strings.TrimSpace(s.since.Text) == "" && strings.TrimSpace(s.until.Text) == "" {
		return q, fmt.Errorf("%w: write a start (2025-01) or an end (2025-06-30), or both", journal.ErrBadQuery)
	}
	return q, q.Span("all", strings.TrimSpace(s.since.Text), strings.TrimSpace(s.until.Text), s.now())
}

// load reads the insights of the range chosen, off the UI goroutine.
func (s *insightsScreen) load() {
	q, err := s.query()
	if err != nil {
		s.rangeError.SetText(personal(err))
		s.rangeError.Show()
		return
	}
	s.rangeError.Hide()
	q.Location = s.now().Location()
	s.seq++
	seq := s.seq
	s.status.SetText("Reading your journal…")
	s.reads.run(s.sh, func() func() {
		in, err := s.svc.Insights(context.Background(), q)
		evidence := map[string]journal.Entry{}
		if err == nil {
			for _, p := range in.Patterns {
				for _, id := range p.Evidence {
					if _, read := evidence[id]; read {
						continue // behind another pattern too
					}
					if e, gerr := s.svc.Get(context.Background(), id); gerr == nil {
						evidence[id] = e
					}
				}
			}
		}
		return func() {
			if seq != s.seq {
				return // a newer range is being read
			}
			if err != nil {
				s.status.SetText("Could not read your insights.")
				dialog.ShowError(fmt.Errorf("could not read your insights: %w", err), s.sh.window)
				return
			}
			s.status.SetText("")
			s.show(in, evidence)
		}
	})
}

// show puts insights on the screen.
func (s *insightsScreen) show(in journal.Insights, evidence map[string]journal.Entry) {
	s.shown, s.hasInsights = in, true
	s.summary.SetText(summaryLine(in))
	s.timeline.Set(timelineData(in))
	s.showCalendar()
	s.weekdays.Set(weekdayData(in))
	s.hours.Set(hoursData(in))
	s.mix.Set(mixData(in))

	s.patterns.RemoveAll()
	for _, p := range in.Patterns {
		s.patterns.Add(s.patternCard(p, evidence))
	}
	if len(in.Patterns) == 0 {
		s.patterns.Add(quiet(noPatterns(in)))
	}
	s.words.RemoveAll()
	for _, a := range append(append([]journal.Association(nil), in.Words...), in.Tags...) {
		s.words.Add(s.associationRow(a))
	}
	if len(in.Words)+len(in.Tags) == 0 {
		s.words.Add(quiet("No word or tag goes with a feeling clearly more than usual in this range."))
	}
	s.change.RemoveAll()
	if in.Change == nil || len(in.Change.Items) == 0 {
		s.change.Add(quiet("Nothing to compare with: the range before has too few days with entries."))
	} else {
		for _, d := range in.Change.Items {
			s.change.Add(deltaRow(d))
		}
	}
	s.scroll.Refresh()
}

func (s *insightsScreen) showCalendar() {
	if s.hasInsights {
		s.calendar.Set(calendarData(s.shown, s.calendarBy.Selected == byValence))
	}
}

// summaryLine says the range in a sentence, gently: how much was written,
// never how much was missed.
func summaryLine(in journal.Insights) string {
	last := in.To.Add(-time.Nanosecond)
	span := fmt.Sprintf("%s – %s", in.From.Format("2 Jan 2006"), last.Format("2 Jan 2006"))
	if in.Entries == 0 {
		return span + ": nothing written in this range yet. Whatever you write will show here."
	}
	line := fmt.Sprintf("%s: %d %s, written on %d %s.", span, in.Entries, journal.Plural(in.Entries, "entry", "entries"),
		in.DaysWithEntries, journal.Plural(in.DaysWithEntries, "day", "days"))
	if in.Streaks.Current > 1 {
		line += fmt.Sprintf(" You have written %d days in a row.", in.Streaks.Current)
	}
	return line
}

func noPatterns(in journal.Insights) string {
	if in.DaysWithEntries < 2*journal.PatternMinDays {
		return fmt.Sprintf("Patterns need more to go on: at least %d days with entries on each side of a change (this range has %d).",
			journal.PatternMinDays, in.DaysWithEntries)
	}
	return "Nothing stands out in this range: no change, weekly rhythm or unusual day passed the tests."
}

// quiet is a line of text that explains rather than tells: in italics
// (a muted colour would be too faint to read in the dark theme).
func quiet(text string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// patternCard shows a pattern: what it is, in words, its evidence in
// numbers, and the entries behind it (a tap reads one in Memory Lane).
func (s *insightsScreen) patternCard(p journal.Pattern, evidence map[string]journal.Entry) fyne.CanvasObject {
	text := widget.NewLabel(p.Summary)
	text.Wrapping = fyne.TextWrapWord
	detail := quiet(fmt.Sprintf("%s. %s, %s.", p.Test, pValue("p", p.P), pValue("q", p.Q)))
	box := container.NewVBox(container.NewHBox(container.NewCenter(tag(p.Kind)), container.NewCenter(chipFor(p.Series))), text, detail)
	for _, id := range p.Evidence {
		e, ok := evidence[id]
		if !ok {
			continue
		}
		row := widget.NewButton(fmt.Sprintf("%s — %s", e.Created.In(s.now().Location()).Format("2 Jan 2006"), e.Title(80)), func() { s.sh.openInLane(e) })
		row.Alignment = widget.ButtonAlignLeading
		row.Importance = widget.LowImportance
		box.Add(row)
	}
	return widget.NewCard("", "", box)
}

// pValue writes a p- or q-value to three places, or as below 0.001.
func pValue(name string, v float64) string {
	if v < 0.001 {
		return name + " < 0.001"
	}
	return fmt.Sprintf("%s = %.3f", name, v)
}

// chipFor is the chip of a label or group: its colour and its name.
func chipFor(name string) fyne.CanvasObject {
	row := newChips()
	setChips(row, []string{name}, 1)
	return row
}

func (s *insightsScreen) associationRow(a journal.Association) fyne.CanvasObject {
	text := widget.NewLabel(fmt.Sprintf("“%s” with %s: %.1f× as often (95%% interval %.1f–%.1f), in %d of the %d entries with it.",
		a.Word, a.Group, a.Lift, a.Low, a.High, a.With, a.Uses))
	text.Wrapping = fyne.TextWrapWord
	find := widget.NewButton("Read them", func() { s.sh.findInLane(fmt.Sprintf("%s -emotion %s", searchTerm(a), a.Group)) })
	return container.NewBorder(nil, nil, container.NewCenter(chipFor(a.Group)), find, text)
}

// searchTerm is how Memory Lane's search asks for an association's word
// (quoted when it holds a space or a quote) or tag (@tag).
func searchTerm(a journal.Association) string {
	w := a.Word
	if a.Tag {
		return "@" + w
	}
	if strings.ContainsAny(w, " \"-") {
		return `"` + strings.ReplaceAll(w, `"`, "") + `"`
	}
	return w
}

func deltaRow(d journal.Delta) fyne.CanvasObject {
	verdict := "about the same"
	switch {
	case d.Low > 0:
		verdict = "higher"
	case d.High < 0:
		verdict = "lower"
	}
	l := widget.NewLabel(fmt.Sprintf("%s: %.2f now, %.2f before: %s (%+.2f, 95%% interval %+.2f to %+.2f).",
		d.Name, d.Now, d.Before, verdict, d.Diff, d.Low, d.High))
	l.Wrapping = fyne.TextWrapWord
	return l
}

// onPeriod reads a tapped period's entries in Memory Lane.
func (s *insightsScreen) onPeriod(i int) {
	if !s.hasInsights || i < 0 || i >= len(s.shown.Periods) {
		return
	}
	p := s.shown.Periods[i]
	last := p.End.AddDate(0, 0, -1)
	s.sh.findInLane(fmt.Sprintf("-from %s -to %s", p.Start.Format(time.DateOnly), last.Format(time.DateOnly)))
}

// onDay reads a tapped day's entries in Memory Lane.
func (s *insightsScreen) onDay(day time.Time) {
	s.sh.findInLane("-on " + day.Format(time.DateOnly))
}

// valenceBands colour the calendar by valence: the Okabe–Ito blue for
// unpleasant through grey to its orange for pleasant, each with its name.
var valenceBands = []struct {
	upTo  float64
	name  string
	color color.NRGBA
}{
	{-0.5, "unpleasant", color.NRGBA{0x00, 0x72, 0xB2, 0xFF}},
	{-0.15, "somewhat unpleasant", color.NRGBA{0x56, 0xB4, 0xE9, 0xFF}},
	{0.15, "mixed or mild", color.NRGBA{0x99, 0x99, 0x99, 0xFF}},
	{0.5, "somewhat pleasant", color.NRGBA{0xF0, 0xE4, 0x42, 0xFF}},
	{math.Inf(1), "pleasant", color.NRGBA{0xE6, 0x9F, 0x00, 0xFF}},
}

// valenceBand is the band a valence falls in.
func valenceBand(v float64) int {
	for i, b := range valenceBands {
		if v <= b.upTo {
			return i
		}
	}
	return len(valenceBands) - 1
}
