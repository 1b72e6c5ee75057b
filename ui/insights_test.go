package ui

import (
	"context"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// moodService is an in-memory journal of the days up to today with a
// sadness shift planted 100 days ago and "hospital" going with sadness.
func moodService(t *testing.T, days int) *journal.Service {
	t.Helper()
	svc := laneService(t)
	y, m, d := time.Now().Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, time.Local).AddDate(0, 0, 1-days)
	for _, e := range journaltest.MoodEntries(journaltest.MoodPlan{Start: start, Days: days, Seed: 11, Written: 0.7,
		Shift: &journaltest.PlantedShift{Label: "sadness", Day: days - 100, By: 0.15},
		Word:  &journaltest.PlantedWord{Word: "hospital", Label: "sadness"}}) {
		if _, err := svc.Save(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return svc
}

func openInsights(t *testing.T, svc *journal.Service) (*insightsScreen, *shell, fyne.Window) {
	t.Helper()
	sh, w := newTestShell(t, svc, WithScreen(ScreenInsights))
	waitIdle(t, sh)
	if sh.tabs.Selected() != sh.insightsTab {
		t.Fatalf("opened on %q, want Insights", sh.tabs.Selected().Text)
	}
	return sh.insights, sh, w
}

// act does f as a person's action on the window: on the UI goroutine, not
// while background work shows its result (see shell.shows).
func act(sh *shell, f func()) {
	fyne.DoAndWait(func() {
		sh.shows.Lock()
		defer sh.shows.Unlock()
		f()
	})
}

func joined(o fyne.CanvasObject) string { return strings.Join(texts(o), "\n") }

func TestInsights_ScreenShowsChartsPatternsAndWords(t *testing.T) {
	s, sh, _ := openInsights(t, moodService(t, 300))
	if !s.hasInsights || s.shown.By != journal.Week || s.shown.Days != 90 {
		t.Fatalf("opened on %+v; want the past 3 months by week", s.shown.By)
	}
	act(sh, func() { s.ranges.SetSelected("All time") })
	waitIdle(t, sh)
	if s.shown.Days != 300 || s.shown.By != journal.Week || len(s.shown.Periods) < 43 {
		t.Fatalf("All time: %d days by %s, want 300 by week", s.shown.Days, s.shown.By)
	}
	tl := s.timeline.Data()
	if len(tl.Periods) != len(s.shown.Periods) || len(tl.Lines) != len(timelineGroups) {
		t.Errorf("timeline: %d periods, %d lines", len(tl.Periods), len(tl.Lines))
	}
	for i, p := range s.shown.Periods {
		if v := tl.Lines[1].Values[i]; (p.Entries == 0) != math.IsNaN(v) {
			t.Errorf("period %s with %d entries drawn as %v: a period without entries must be a gap", p.Label, p.Entries, v)
		}
	}
	if n := len(s.calendar.Data().Days); n < s.shown.DaysWithEntries {
		t.Errorf("calendar holds %d days, fewer than the %d with entries", n, s.shown.DaysWithEntries)
	}
	text := joined(s.content)
	for _, want := range []string{"Sadness has been higher since", "hospital", "entries, written on"} {
		if !strings.Contains(text, want) {
			t.Errorf("the screen does not show %q:\n%s", want, text)
		}
	}
	// the calendar by valence names its bands
	act(sh, func() { s.calendarBy.SetSelected(byValence) })
	legend := s.calendar.Data().Legend
	if len(legend) != len(valenceBands) || legend[0].Name != "unpleasant" {
		t.Errorf("calendar by valence: legend %+v", legend)
	}
}

func TestInsights_TapsReadEntriesInMemoryLane(t *testing.T) {
	s, sh, _ := openInsights(t, moodService(t, 300))
	// the newest period with entries
	i := len(s.shown.Periods) - 1
	for s.shown.Periods[i].Entries == 0 {
		i--
	}
	p := s.shown.Periods[i]
	act(sh, func() { s.timeline.OnTap(i) })
	waitIdle(t, sh)
	if sh.tabs.Selected() != sh.laneTab {
		t.Fatalf("a tapped period opened %q, want Memory Lane", sh.tabs.Selected().Text)
	}
	want := "-from " + p.Start.Format(time.DateOnly)
	if !strings.HasPrefix(sh.lane.search.Text, want) {
		t.Errorf("Memory Lane searches %q, want %q…", sh.lane.search.Text, want)
	}
	if got := sh.lane.resultsHead.Text; !strings.Contains(got, "found") || !strings.HasPrefix(got, thousands(p.Entries)+" ") {
		t.Errorf("Memory Lane shows %q for a day with %d entries", got, p.Entries)
	}

	// a pattern's evidence opens its entry
	act(sh, func() { sh.tabs.Select(sh.insightsTab) })
	waitIdle(t, sh)
	act(sh, func() { s.ranges.SetSelected("All time") })
	waitIdle(t, sh)
	var first *widget.Button
	for _, o := range visible(s.patterns) {
		if b, ok := o.(*widget.Button); ok && first == nil {
			first = b
		}
	}
	if first == nil {
		t.Fatalf("no entry is offered as a pattern's evidence; patterns: %+v", s.shown.Patterns)
	}
	act(sh, func() { test.Tap(first) })
	if sh.tabs.Selected() != sh.laneTab || sh.lane.opened == nil || sh.lane.opened.ID != s.shown.Patterns[0].Evidence[0] {
		t.Errorf("the evidence's tap did not open its entry in Memory Lane")
	}
}

func TestInsights_CustomRangeSaysWhatIsWrong(t *testing.T) {
	s, sh, _ := openInsights(t, moodService(t, 30))
	act(sh, func() { s.ranges.SetSelected("Custom…") })
	if s.custom.Hidden {
		t.Fatal("Custom… does not show the span's fields")
	}
	act(sh, func() {
		s.since.SetText("2026-13")
		s.load()
	})
	waitIdle(t, sh)
	if s.rangeError.Hidden || !strings.Contains(s.rangeError.Text, "2026-13") {
		t.Errorf("a bad month says %q", s.rangeError.Text)
	}
	before := s.shown.Days
	act(sh, func() {
		s.since.SetText(time.Now().AddDate(0, 0, -9).Format(time.DateOnly))
		s.until.SetText(time.Now().Format(time.DateOnly))
		s.load()
	})
	waitIdle(t, sh)
	if !s.rangeError.Hidden || s.shown.Days != 10 || before == 10 {
		t.Errorf("a custom span of 10 days shows %d days (error %q)", s.shown.Days, s.rangeError.Text)
	}
}

func TestInsights_EmptyJournalSaysSoGently(t *testing.T) {
	s, _, _ := openInsights(t, laneService(t))
	if !strings.Contains(s.summary.Text, "nothing written in this range yet") {
		t.Errorf("an empty journal's summary: %q", s.summary.Text)
	}
	if !strings.Contains(joined(s.patterns), "Patterns need more to go on") {
		t.Errorf("an empty journal's patterns: %q", joined(s.patterns))
	}
}

func TestInsights_SavesAChartAsAPicture(t *testing.T) {
	s, sh, _ := openInsights(t, moodService(t, 60))
	dir := t.TempDir()
	path := filepath.Join(dir, "mix.png")
	act(sh, func() { s.saveChart(ChartMix, path) })
	waitIdle(t, sh)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the chart was not saved: %v (status %q)", err, s.status.Text)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != savedWidth*savedScale || b.Dy() != savedHeight*savedScale {
		t.Errorf("saved %v, want %d×%d", b, savedWidth*savedScale, savedHeight*savedScale)
	}
	if !strings.Contains(s.status.Text, path) {
		t.Errorf("status %q does not say where it went", s.status.Text)
	}
	// a folder that does not exist: said, and nothing written
	act(sh, func() { s.saveChart(ChartMix, filepath.Join(dir, "gone", "mix.png")) })
	waitIdle(t, sh)
	if !strings.Contains(s.status.Text, "not saved") {
		t.Errorf("a failed save says %q", s.status.Text)
	}
}
