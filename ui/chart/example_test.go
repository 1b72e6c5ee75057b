package chart_test

import (
	"log"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/samojournal/samo/ui/chart"
)

// A command-line tool renders a chart to PNG without a window: it starts
// Fyne's in-memory app, builds the widget from plain data and paints it.
func ExampleRender() {
	test.NewApp()
	colors := chart.GroupColors()
	start := time.Date(2025, time.March, 3, 0, 0, 0, 0, time.UTC)
	tl := chart.NewTimeline(chart.TimelineData{
		Periods: []time.Time{start, start.AddDate(0, 0, 7), start.AddDate(0, 0, 14)},
		YLabel:  "mean score",
		Lines: []chart.Line{
			{Name: chart.Joy, Color: colors[chart.Joy], Values: []float64{0.4, 0.5, 0.45}},
			{Name: chart.Sadness, Color: colors[chart.Sadness], Values: []float64{0.2, math.NaN(), 0.1}},
		},
	})
	th := chart.WithVariant(theme.DefaultTheme(), theme.VariantDark)
	img := chart.Render(tl, fyne.NewSize(800, 300), th, 2)
	if err := chart.WritePNG("timeline.png", img); err != nil {
		log.Fatal(err)
	}
}
