package chart

import (
	"image/color"

	"fyne.io/fyne/v2/canvas"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

func TestTimelineGolden(t *testing.T) {
	test.NewTempApp(t)
	img := Render(NewTimeline(timelineFixture()), fyne.NewSize(600, 260), light(), 1)
	test.AssertImageMatches(t, "timeline.png", img)
	img = Render(NewTimeline(timelineFixture()), fyne.NewSize(600, 260), dark(), 1)
	test.AssertImageMatches(t, "timeline_dark.png", img)
}

func TestTimelineNaNBreaksLine(t *testing.T) {
	red := color.NRGBA{R: 0xFF, A: 0xFF}
	tl := NewTimeline(TimelineData{
		Labels: []string{"a", "b", "c", "d", "e", "f"},
		Lines:  []Line{{Name: "joy", Color: red, Values: []float64{1, 2, nan, 3, 4, 5}}},
	})
	place(t, tl, fyne.NewSize(400, 200))

	gap := tl.xOf(2)
	var segments int
	for _, o := range test.LaidOutObjects(tl) {
		l, ok := o.(*canvas.Line)
		if !ok || l.StrokeColor != red || l.Position1.Y > tl.plotY1 {
			continue // not the series (the legend's swatch sits below the plot)
		}
		segments++
		lo, hi := min(l.Position1.X, l.Position2.X), max(l.Position1.X, l.Position2.X)
		if lo <= gap && gap <= hi {
			t.Errorf("segment %v–%v spans the NaN period at x=%v", l.Position1, l.Position2, gap)
		}
	}
	if segments != 3 {
		t.Errorf("drew %d segments, want 3 (a–b, d–e, e–f)", segments)
	}
}

func TestTimelineHoverShowsValues(t *testing.T) {
	tl := NewTimeline(timelineFixture())
	c := place(t, tl, fyne.NewSize(600, 260))
	if got := texts(tl); contains(got, "joy: 0.47") {
		t.Fatalf("tooltip shown before hovering: %q", got)
	}

	test.MoveMouse(c, fyne.NewPos(tl.xOf(4), 100))
	got := texts(tl)
	for _, want := range []string{"3 Feb", "joy: 0.47", "sadness: 0.25", "fear: 0.31", "joy (4-week average): 0.49"} {
		if !contains(got, want) {
			t.Errorf("hovering period 4: no %q in %q", want, got)
		}
	}

	test.MoveMouse(c, fyne.NewPos(tl.xOf(3), 100))
	if got := texts(tl); !contains(got, "joy: no entries") || !contains(got, "27 Jan") {
		t.Errorf("hovering the empty period 3: %q", got)
	}

	// Near the right edge the box flips left and stays inside.
	test.MoveMouse(c, fyne.NewPos(tl.xOf(11), 30))
	for _, o := range test.LaidOutObjects(tl) {
		if r, ok := o.(*canvas.Rectangle); ok && r.StrokeWidth > 0 {
			if r.Position().X < 0 || r.Position().X+r.Size().Width > 600 || r.Position().Y < 0 || r.Position().Y+r.Size().Height > 260 {
				t.Errorf("tooltip box at %v size %v leaves the 600×260 widget", r.Position(), r.Size())
			}
		}
	}

	tl.MouseOut()
	if got := texts(tl); contains(got, "joy: 0.52") {
		t.Errorf("tooltip still shown after the pointer left: %q", got)
	}
}

func TestTimelineTap(t *testing.T) {
	tl := NewTimeline(timelineFixture())
	c := place(t, tl, fyne.NewSize(600, 260))
	got := -1
	tl.OnTap = func(i int) { got = i }
	test.TapCanvas(c, fyne.NewPos(tl.xOf(7), 120))
	if got != 7 {
		t.Errorf("tapping period 7 gave %d", got)
	}
	got = -1
	test.TapCanvas(c, fyne.NewPos(2, 2)) // outside the plot
	if got != -1 {
		t.Errorf("tapping outside the plot gave %d", got)
	}
}

func TestTimelineSet(t *testing.T) {
	tl := NewTimeline(TimelineData{})
	place(t, tl, fyne.NewSize(400, 200))
	if got := texts(tl); len(got) != 1 || got[0] != EmptyText {
		t.Fatalf("empty timeline shows %q", got)
	}
	tl.Set(TimelineData{Labels: []string{"Mon"}, Lines: []Line{{Name: "anger", Values: []float64{0.5}}}})
	if got := texts(tl); contains(got, EmptyText) || !contains(got, "anger") || !contains(got, "Mon") {
		t.Errorf("after Set: %q", got)
	}
	// A lone point, with NaN on both sides, still shows as a dot.
	var dots int
	for _, o := range test.LaidOutObjects(tl) {
		if _, ok := o.(*canvas.Circle); ok {
			dots++
		}
	}
	if dots != 1 {
		t.Errorf("lone value drew %d dots, want 1", dots)
	}
}

func TestTimelineWeeksGolden(t *testing.T) {
	test.NewTempApp(t)
	tl := NewTimeline(weeklyFixture())
	tl.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(700, 120)}})
	test.AssertImageMatches(t, "timeline_weeks_hover.png", Render(tl, fyne.NewSize(800, 300), dark(), 1))
}
