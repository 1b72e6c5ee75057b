package chart

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2/canvas"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestBarsGolden(t *testing.T) {
	test.NewTempApp(t)
	test.AssertImageMatches(t, "bars_weekday.png", Render(NewBars(weekdayFixture()), fyne.NewSize(420, 240), light(), 1))
	test.AssertImageMatches(t, "bars_hours.png", Render(NewBars(hourFixture()), fyne.NewSize(600, 200), light(), 1))
	test.AssertImageMatches(t, "bars_weekday_dark.png", Render(NewBars(weekdayFixture()), fyne.NewSize(420, 240), dark(), 1))
}

// barRects returns the filled rectangles in the bar colour.
func barRects(b *Bars, fill color.Color) []*canvas.Rectangle {
	var out []*canvas.Rectangle
	for _, o := range test.LaidOutObjects(b) {
		if r, ok := o.(*canvas.Rectangle); ok && r.FillColor == fill {
			out = append(out, r)
		}
	}
	return out
}

func TestBarsBaseline(t *testing.T) {
	fill := GroupColors()[Sadness]
	b := NewBars(BarsData{Labels: []string{"a", "b", "c"}, Values: []float64{0.5, 0.2, 0.8}, Color: fill})
	place(t, b, fyne.NewSize(300, 200))
	if zero := b.yOf(0); zero != b.plotY1 {
		t.Errorf("all positive: baseline at %v, want the plot's bottom %v", zero, b.plotY1)
	}

	d := weekdayFixture()
	b.Set(d)
	zero := b.yOf(0)
	if zero <= b.plotY0+1 || zero >= b.plotY1-1 {
		t.Fatalf("with negative values the baseline %v is not inside the plot %v..%v", zero, b.plotY0, b.plotY1)
	}
	rects := barRects(b, d.Color)
	if len(rects) != 6 {
		t.Fatalf("%d bars for 7 values, one NaN: want 6", len(rects))
	}
	var above, below int
	for _, r := range rects {
		switch {
		case r.Position().Y+r.Size().Height <= zero+0.01 && r.Position().Y < zero:
			above++ // grows up from the baseline
		case r.Position().Y >= zero-0.01:
			below++ // hangs down from the baseline
		default:
			t.Errorf("bar at %v size %v straddles the baseline %v", r.Position(), r.Size(), zero)
		}
	}
	if above != 4 || below != 2 {
		t.Errorf("%d bars above and %d below the baseline, want 4 and 2", above, below)
	}
}

func TestBarsNaNSlotIsHatched(t *testing.T) {
	d := weekdayFixture()
	b := NewBars(d)
	place(t, b, fyne.NewSize(420, 240))
	slot := b.slot()
	satX0, satX1 := b.plotX0+5*slot, b.plotX0+6*slot
	var hatch int
	for _, o := range test.LaidOutObjects(b) {
		x := o.Position().X
		switch o := o.(type) {
		case *canvas.Raster:
			if x >= satX0 && x < satX1 {
				hatch++
			}
		case *canvas.Rectangle:
			if o.FillColor == d.Color && x >= satX0 && x < satX1 {
				t.Errorf("a bar is drawn for Saturday, which has no data")
			}
		}
	}
	if hatch != 1 {
		t.Errorf("%d hatched slots for Saturday, want 1", hatch)
	}
}

func TestBarsHoverAndTap(t *testing.T) {
	b := NewBars(weekdayFixture())
	c := place(t, b, fyne.NewSize(420, 240))
	mid := func(i int) fyne.Position { return fyne.NewPos(b.plotX0+(float32(i)+0.5)*b.slot(), b.plotY0+20) }

	test.MoveMouse(c, mid(2))
	got := texts(b)
	for _, want := range []string{"Wed", "value -0.21", "interval -0.35 to -0.07", "9 entries"} {
		if !contains(got, want) {
			t.Errorf("hovering Wed: no %q in %q", want, got)
		}
	}
	test.MoveMouse(c, mid(5))
	if got := texts(b); !contains(got, "no data") || !contains(got, "0 entries") {
		t.Errorf("hovering Sat: %q", got)
	}

	tapped := -1
	b.OnTap = func(i int) { tapped = i }
	test.TapCanvas(c, mid(4))
	if tapped != 4 {
		t.Errorf("tapping Fri gave %d", tapped)
	}
}

func TestBarsMismatchedLengths(t *testing.T) {
	b := NewBars(BarsData{
		Labels: []string{"Mon", "Tue", "Wed", "Thu"},
		Values: []float64{0.3, 0.1},     // Wed, Thu: no data
		Low:    []float64{0.2},          // no High: no whiskers
		Counts: []int{1, 2, 3, 4, 5, 6}, // extra counts ignored
	})
	c := place(t, b, fyne.NewSize(300, 200))
	test.MoveMouse(c, fyne.NewPos(b.plotX0+3.5*b.slot(), b.plotY0+10))
	if got := texts(b); !contains(got, "Thu") || !contains(got, "no data") || !contains(got, "4 entries") {
		t.Errorf("hovering Thu: %q", got)
	}
}
