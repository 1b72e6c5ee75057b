package chart

import (
	"image"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

func TestCalendarGolden(t *testing.T) {
	test.NewTempApp(t)
	img := Render(NewCalendar(calendarFixture()), fyne.NewSize(600, 200), light(), 1)
	test.AssertImageMatches(t, "calendar.png", img)
	img = Render(NewCalendar(calendarFixture()), fyne.NewSize(600, 200), dark(), 1)
	test.AssertImageMatches(t, "calendar_dark.png", img)
}

// twoWeeks has entries on the Mondays and Wednesdays of two weeks and
// lists nothing else.
func twoWeeks() CalendarData {
	joy := GroupColors()[Joy]
	return CalendarData{Days: []Day{
		{Date: day(2025, time.January, 6), Has: true, Color: joy, Label: "joy · 3 entries"},
		{Date: day(2025, time.January, 8), Has: true, Color: joy, Label: "joy · 1 entry"},
		{Date: day(2025, time.January, 13), Has: true, Color: joy, Label: "joy · 2 entries"},
		{Date: day(2025, time.January, 15), Has: false},
		{Date: day(2025, time.January, 19), Has: true, Color: joy, Label: "joy · 4 entries"},
	}}
}

// cellPixels returns the pixels inside day n's square, one pixel in from
// its edges.
func cellPixels(c *Calendar, img image.Image, date time.Time) []color.NRGBA {
	pos := c.cellPos(civil(date))
	x0, y0 := int(pos.X), int(pos.Y)
	var out []color.NRGBA
	for y := y0 + 1; y < y0+int(c.cell)-1; y++ {
		for x := x0 + 1; x < x0+int(c.cell)-1; x++ {
			out = append(out, color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA))
		}
	}
	return out
}

func TestCalendarHatchesMissingDays(t *testing.T) {
	test.NewTempApp(t)
	c := NewCalendar(twoWeeks())
	th := light()
	img := Render(c, fyne.NewSize(300, 160), th, 1)
	bg := nrgba(th.Color(theme.ColorNameBackground, theme.VariantLight))
	joy := GroupColors()[Joy]

	for _, d := range []time.Time{day(2025, time.January, 6), day(2025, time.January, 13)} {
		for _, px := range cellPixels(c, img, d) {
			if px != joy {
				t.Fatalf("%s: pixel %v inside a day with entries, want the fill %v", d.Format("2 Jan"), px, joy)
			}
		}
	}
	// Jan 7 is not listed, Jan 15 is listed without entries: both hatched,
	// some pixels background, some the hatch, none the fill.
	for _, d := range []time.Time{day(2025, time.January, 7), day(2025, time.January, 15)} {
		var bgN, hatchN int
		for _, px := range cellPixels(c, img, d) {
			switch {
			case px == joy:
				t.Fatalf("%s: a day without entries is filled", d.Format("2 Jan"))
			case px == bg:
				bgN++
			default:
				hatchN++
			}
		}
		if bgN == 0 || hatchN == 0 {
			t.Errorf("%s: %d background and %d hatch pixels, want both", d.Format("2 Jan"), bgN, hatchN)
		}
	}

	// One rectangle per day with entries (4), plus legend swatches
	// (joy), and a single raster for all the hatching in the grid.
	var rasters int
	for _, o := range test.LaidOutObjects(c) {
		if r, ok := o.(*canvas.Raster); ok && r.Position().Y < c.gridY+7*c.pitch {
			rasters++
		}
	}
	if rasters != 1 {
		t.Errorf("%d hatch rasters over the grid, want 1", rasters)
	}
	if got := texts(c); !contains(got, "no entry") || !contains(got, "joy") {
		t.Errorf("legend: %q", got)
	}
}

func TestCalendarHoverAndTap(t *testing.T) {
	c := NewCalendar(twoWeeks())
	cv := place(t, c, fyne.NewSize(300, 160))
	centre := func(d time.Time) fyne.Position {
		return c.cellPos(civil(d)).AddXY(c.cell/2, c.cell/2)
	}

	test.MoveMouse(cv, centre(day(2025, time.January, 13)))
	if got := texts(c); !contains(got, "Mon 13 Jan 2025") || !contains(got, "joy · 2 entries") {
		t.Errorf("hovering 13 Jan: %q", got)
	}
	test.MoveMouse(cv, centre(day(2025, time.January, 10)))
	if got := texts(c); !contains(got, "Fri 10 Jan 2025") || !contains(got, "no entry") {
		t.Errorf("hovering 10 Jan: %q", got)
	}

	var tapped time.Time
	c.OnTap = func(d time.Time) { tapped = d }
	test.TapCanvas(cv, centre(day(2025, time.January, 19)))
	if !tapped.Equal(day(2025, time.January, 19)) {
		t.Errorf("tapping 19 Jan gave %v", tapped)
	}
	tapped = time.Time{}
	test.TapCanvas(cv, c.cellPos(civil(day(2025, time.January, 21))).AddXY(1, 1)) // past the last day
	if !tapped.IsZero() {
		t.Errorf("tapping outside the days gave %v", tapped)
	}
}

func TestCalendarOddInput(t *testing.T) {
	test.NewTempApp(t)
	pal := GroupColors()
	d := CalendarData{Days: []Day{
		{}, // zero date: ignored
		{Date: day(2025, time.March, 3), Has: true, Color: pal[Fear]},
		{Date: day(2025, time.March, 1), Has: true},                    // no colour: theme primary
		{Date: day(2025, time.March, 3), Has: true, Color: pal[Anger]}, // duplicate: last wins
	}}
	c := NewCalendar(d)
	Render(c, fyne.NewSize(200, 120), light(), 1)
	if got := texts(c); !contains(got, "anger") || contains(got, "fear") {
		t.Errorf("duplicate date: legend %q, want anger (the last) and not fear", got)
	}
	c.Set(CalendarData{Days: []Day{{Date: day(2025, time.March, 3)}}})
	if got := texts(c); len(got) != 1 || got[0] != EmptyText {
		t.Errorf("no day with entries: %q", got)
	}
	// A span of decades is clipped, not drawn day by day without end.
	c.Set(CalendarData{Days: []Day{{Date: day(1900, time.January, 1), Has: true}, {Date: day(2025, time.January, 1), Has: true}}})
	if w := c.weeks(); w > maxCalendarDays/7+2 {
		t.Errorf("%d weeks for a 125-year span", w)
	}
}

func TestCalendarYearsGolden(t *testing.T) {
	test.NewTempApp(t)
	c := NewCalendar(yearsFixture())
	c.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(400, 60)}})
	test.AssertImageMatches(t, "calendar_years_hover.png", Render(c, fyne.NewSize(800, 200), light(), 1))
}
