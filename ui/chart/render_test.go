package chart

import (
	"errors"
	"image"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestEmptyState(t *testing.T) {
	allNaN := []float64{nan, nan}
	for name, w := range map[string]fyne.CanvasObject{
		"timeline":         NewTimeline(TimelineData{}),
		"timeline all NaN": NewTimeline(TimelineData{Labels: []string{"a", "b"}, Lines: []Line{{Name: "joy", Values: allNaN}}}),
		"calendar":         NewCalendar(CalendarData{}),
		"bars":             NewBars(BarsData{}),
		"bars all NaN":     NewBars(BarsData{Labels: []string{"Mon", "Tue"}, Values: allNaN}),
		"mix":              NewMix(MixData{}),
	} {
		place(t, w, fyne.NewSize(300, 150))
		if got := texts(w); len(got) != 1 || got[0] != EmptyText {
			t.Errorf("%s: shows %q, want only %q", name, got, EmptyText)
		}
		if n := len(test.LaidOutObjects(w)); n != 2 { // the widget and its message
			t.Errorf("%s: %d objects, want the message alone", name, n)
		}
	}
}

func TestEmptyGolden(t *testing.T) {
	test.NewTempApp(t)
	test.AssertImageMatches(t, "empty.png", Render(NewTimeline(TimelineData{}), fyne.NewSize(300, 120), light(), 1))
}

func TestNoPanicOnOddInput(t *testing.T) {
	test.NewTempApp(t)
	inf := math.Inf(1)
	objs := []fyne.CanvasObject{
		NewTimeline(TimelineData{Periods: []time.Time{day(2025, 1, 1)}, Lines: []Line{{Values: []float64{1, 2, 3, inf}}, {Values: nil}}}),
		NewTimeline(TimelineData{PeriodLabel: func(int) string { return "" }, Lines: []Line{{Values: []float64{0, 0, 0}}}}),
		NewBars(BarsData{Values: []float64{0, 0}, Low: []float64{inf}, High: []float64{-inf}}),
		NewBars(BarsData{Values: []float64{-3}}),
		NewCalendar(CalendarData{Days: []Day{{Date: day(2025, 1, 1), Has: true}}}),
		NewMix(MixData{Parts: []Part{{Share: inf}, {Share: 1}}}),
	}
	for _, o := range objs {
		for _, sz := range []fyne.Size{{}, {Width: 1, Height: 1}, {Width: 40, Height: 20}, {Width: 800, Height: 300}} {
			if img := Render(o, sz, light(), 1); img == nil {
				t.Errorf("%T at %v: no image", o, sz)
			}
		}
	}
}

func TestRenderScale(t *testing.T) {
	test.NewTempApp(t)
	img := Render(NewMix(mixFixture()), fyne.NewSize(200, 100), light(), 2)
	if b := img.Bounds(); b.Dx() != 400 || b.Dy() != 200 {
		t.Errorf("200×100 at scale 2 rendered %v", b)
	}
}

func TestWritePNG(t *testing.T) {
	test.NewTempApp(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "mix.png")
	img := Render(NewMix(mixFixture()), fyne.NewSize(200, 100), dark(), 1)
	if err := WritePNG(path, img); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if back.Bounds() != img.Bounds() || nrgba(back.At(5, 5)) != nrgba(img.At(5, 5)) {
		t.Errorf("read back %v, wrote %v", back.Bounds(), img.Bounds())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	bad := filepath.Join(dir, "missing", "x.png")
	err = WritePNG(bad, image.NewNRGBA(image.Rect(0, 0, 1, 1)))
	if err == nil || !strings.Contains(err.Error(), "write chart") || !strings.Contains(err.Error(), bad) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("writing into a missing directory: %v", err)
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		n      int
		want   string
	}{
		{0, 0.6, 5, "0 0.2 0.4 0.6"},
		{0, 0.61, 6, "0 0.2 0.4 0.6 0.8"},
		{-0.21, 0.55, 5, "-0.4 -0.2 0 0.2 0.4 0.6"},
		{0, 0, 4, "0 0.5 1.0"},
		{3, 3, 4, "1 2 3 4 5"},
		{0, 17, 4, "0 5 10 15 20"},
	} {
		ticks := niceTicks(c.lo, c.hi, c.n)
		var s []string
		for _, v := range ticks {
			s = append(s, formatTick(v, tickDecimals(ticks)))
		}
		if got := strings.Join(s, " "); got != c.want {
			t.Errorf("niceTicks(%v, %v, %d) = %s, want %s", c.lo, c.hi, c.n, got, c.want)
		}
	}
}

// BenchmarkRender paints each chart at 800×300 to an image; the calendar
// spans three years.
func BenchmarkRender(b *testing.B) {
	test.NewTempApp(b)
	pal := GroupColors()
	groups := Groups()
	var days []Day
	for i := 0; i < 3*365; i++ {
		d := Day{Date: day(2023, time.January, 1).AddDate(0, 0, i)}
		if i%4 != 0 {
			g := groups[i%len(groups)]
			d.Has, d.Color, d.Label = true, pal[g], g
		}
		days = append(days, d)
	}
	var lines []Line
	for gi, g := range groups {
		v := make([]float64, 156)
		for i := range v {
			v[i] = 0.1 + 0.05*float64((i*(gi+3))%9)
			if i%11 == 5 {
				v[i] = nan
			}
		}
		lines = append(lines, Line{Name: g, Color: pal[g], Values: v})
	}
	for _, c := range []struct {
		name string
		make func() fyne.CanvasObject
	}{
		{"Timeline", func() fyne.CanvasObject { return NewTimeline(TimelineData{Lines: lines, YLabel: "mean score"}) }},
		{"Calendar", func() fyne.CanvasObject { return NewCalendar(CalendarData{Days: days}) }},
		{"Bars", func() fyne.CanvasObject { return NewBars(hourFixture()) }},
		{"Mix", func() fyne.CanvasObject { return NewMix(mixFixture()) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			th := light()
			for b.Loop() {
				Render(c.make(), fyne.NewSize(800, 300), th, 1)
			}
		})
	}
}
