package chart

import (
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

var nan = math.NaN()

func light() fyne.Theme { return WithVariant(theme.DefaultTheme(), theme.VariantLight) }
func dark() fyne.Theme  { return WithVariant(theme.DefaultTheme(), theme.VariantDark) }

// place lays w out at size inside a test window with the light theme, the
// way the app shows it, and returns the window's canvas.
func place(t *testing.T, w fyne.CanvasObject, size fyne.Size) fyne.Canvas {
	t.Helper()
	test.NewTempApp(t)
	win := test.NewTempWindow(t, w)
	win.SetPadded(false)
	win.Resize(size)
	w.Resize(size)
	return win.Canvas()
}

// texts returns the strings of every text object under o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		if t, ok := obj.(*canvas.Text); ok && t.Visible() {
			out = append(out, t.Text)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// timelineFixture is twelve weeks of three groups with gaps and a rolling
// average.
func timelineFixture() TimelineData {
	pal := GroupColors()
	var periods []time.Time
	for i := 0; i < 12; i++ {
		periods = append(periods, day(2025, time.January, 6).AddDate(0, 0, 7*i))
	}
	joy := []float64{0.42, 0.38, 0.51, nan, 0.47, 0.55, 0.60, 0.58, nan, nan, 0.49, 0.52}
	sad := []float64{0.21, 0.30, 0.18, nan, 0.25, 0.12, 0.10, 0.15, nan, nan, 0.22, 0.19}
	fear := []float64{0.05, 0.08, 0.12, nan, 0.31, 0.09, 0.04, nan, nan, nan, 0.06, 0.03}
	roll := []float64{0.42, 0.40, 0.44, 0.45, 0.49, 0.51, 0.54, 0.58, 0.58, 0.54, 0.50, 0.51}
	return TimelineData{
		Periods: periods,
		YLabel:  "mean score",
		Lines: []Line{
			{Name: "joy", Color: pal[Joy], Values: joy},
			{Name: "sadness", Color: pal[Sadness], Values: sad},
			{Name: "fear", Color: pal[Fear], Values: fear},
			{Name: "joy (4-week average)", Color: pal[Joy], Values: roll, Dashed: true},
		},
	}
}
