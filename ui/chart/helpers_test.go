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

// calendarFixture is half a year of days from 1 Jan 2025: most have a
// dominant group, every fifth and a run in March have none.
func calendarFixture() CalendarData {
	pal := GroupColors()
	groups := Groups()
	var days []Day
	for i := 0; i < 181; i++ {
		d := day(2025, time.January, 1).AddDate(0, 0, i)
		if i%5 == 3 || (i >= 60 && i < 70) {
			days = append(days, Day{Date: d})
			continue
		}
		g := groups[(i*7+i/3)%len(groups)]
		days = append(days, Day{Date: d, Has: true, Color: pal[g], Label: g + " · 2 entries"})
	}
	return CalendarData{Days: days}
}

// weekdayFixture is mean valence by weekday, negative midweek, with
// intervals and no Saturday data.
func weekdayFixture() BarsData {
	return BarsData{
		Labels:  []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
		Values:  []float64{0.12, -0.08, -0.21, 0.05, 0.34, nan, 0.41},
		Low:     []float64{0.02, -0.19, -0.35, -0.06, 0.22, nan, 0.27},
		High:    []float64{0.22, 0.03, -0.07, 0.16, 0.46, nan, 0.55},
		Counts:  []int{14, 11, 9, 12, 15, 0, 8},
		Color:   GroupColors()[Sadness],
		Caption: "mean valence by weekday",
	}
}

// hourFixture is entries' mean joy by hour of day, empty at night.
func hourFixture() BarsData {
	d := BarsData{Color: GroupColors()[Joy], Caption: "mean joy by hour of day"}
	for h := 0; h < 24; h++ {
		d.Labels = append(d.Labels, formatTick(float64(h), 0))
		v := nan
		if h >= 7 && h <= 23 && h != 15 {
			v = 0.2 + 0.03*float64((h*5)%11)
		}
		d.Values = append(d.Values, v)
		d.Counts = append(d.Counts, h%4+1)
	}
	return d
}

func mixFixture() MixData {
	pal := GroupColors()
	return MixData{Parts: []Part{
		{Name: "sadness", Color: pal[Sadness], Share: 9, Count: 9},
		{Name: "joy", Color: pal[Joy], Share: 17, Count: 17},
		{Name: "neutral", Color: pal[Neutral], Share: 6, Count: 6},
		{Name: "anger", Color: pal[Anger], Share: 3, Count: 3},
		{Name: "fear", Color: pal[Fear], Share: 4, Count: 4},
		{Name: "surprise", Color: pal[Surprise], Share: 1, Count: 1},
		{Name: "disgust", Color: pal[Disgust], Share: 0, Count: 0},
	}}
}

// yearsFixture is three years of days from 1 Jan 2023, one in four
// without entries and a silent August 2024.
func yearsFixture() CalendarData {
	pal := GroupColors()
	groups := Groups()
	var days []Day
	for i := 0; i < 3*365; i++ {
		d := Day{Date: day(2023, time.January, 1).AddDate(0, 0, i)}
		if i%4 != 0 && !(d.Date.Year() == 2024 && d.Date.Month() == time.August) {
			g := groups[(i*3+i/5)%len(groups)]
			d.Has, d.Color, d.Label = true, pal[g], g
		}
		days = append(days, d)
	}
	return CalendarData{Days: days}
}

// weeklyFixture is 156 weeks of joy and sadness from 2 Jan 2023.
func weeklyFixture() TimelineData {
	pal := GroupColors()
	d := TimelineData{YLabel: "mean score"}
	joy, sad := make([]float64, 156), make([]float64, 156)
	for i := range joy {
		d.Periods = append(d.Periods, day(2023, time.January, 2).AddDate(0, 0, 7*i))
		joy[i] = 0.35 + 0.2*math.Sin(float64(i)/9)
		sad[i] = 0.2 + 0.1*math.Cos(float64(i)/7)
		if i%13 == 6 {
			joy[i], sad[i] = nan, nan
		}
	}
	d.Lines = []Line{{Name: "joy", Color: pal[Joy], Values: joy}, {Name: "sadness", Color: pal[Sadness], Values: sad}}
	return d
}
