package ui

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/ui/chart"
)

// The charts of the Insights screen, by the names samo chart knows.
const (
	ChartTimeline = "timeline" // the groups' levels over time
	ChartCalendar = "calendar" // a year in pixels: each day by its dominant feeling
	// ChartCalendarValence is the calendar with each day by its valence.
	ChartCalendarValence = "calendar-valence"
	ChartWeekday         = "weekday" // valence by weekday
	ChartHours           = "hours"   // valence by hour of the day
	ChartMix             = "mix"     // the groups' shares of the entries
)

// ChartNames are the charts ChartImage draws.
func ChartNames() []string {
	return []string{ChartTimeline, ChartCalendar, ChartCalendarValence, ChartWeekday, ChartHours, ChartMix}
}

// ChartOptions size a chart drawn to an image: Width and Height in Fyne
// units, Scale pixels per unit, in the dark theme or the light.
type ChartOptions struct {
	Width, Height, Scale float32
	Dark                 bool
}

// ChartImage draws one of the Insights screen's charts of in, with the same
// drawing code as the window.
func ChartImage(in journal.Insights, kind string, o ChartOptions) (image.Image, error) {
	obj, err := newChart(in, kind)
	if err != nil {
		return nil, err
	}
	variant := theme.VariantLight
	if o.Dark {
		variant = theme.VariantDark
	}
	return chart.Render(obj, fyne.NewSize(o.Width, o.Height), chart.WithVariant(theme.DefaultTheme(), variant), o.Scale), nil
}

// WriteChart draws one of the charts of in (see ChartImage) and writes it
// to path as a PNG file; it returns the image's size in pixels.
func WriteChart(path string, in journal.Insights, kind string, o ChartOptions) (image.Point, error) {
	img, err := ChartImage(in, kind, o)
	if err != nil {
		return image.Point{}, err
	}
	return img.Bounds().Size(), chart.WritePNG(path, img)
}

// newChart returns the chart called kind, drawing in.
func newChart(in journal.Insights, kind string) (fyne.CanvasObject, error) {
	switch kind {
	case ChartTimeline:
		return chart.NewTimeline(timelineData(in)), nil
	case ChartCalendar:
		return chart.NewCalendar(calendarData(in, false)), nil
	case ChartCalendarValence:
		return chart.NewCalendar(calendarData(in, true)), nil
	case ChartWeekday:
		return chart.NewBars(weekdayData(in)), nil
	case ChartHours:
		return chart.NewBars(hoursData(in)), nil
	case ChartMix:
		return chart.NewMix(mixData(in)), nil
	}
	return nil, fmt.Errorf("no chart called %q: choose %s", kind, strings.Join(ChartNames(), ", "))
}

// timelineGroups are the groups the timeline draws: neutral is left out,
// as its level (high in most entries) would flatten the feelings.
var timelineGroups = []string{"joy", "sadness", "anger", "fear", "disgust", "surprise"}

func timelineData(in journal.Insights) chart.TimelineData {
	d := chart.TimelineData{YLabel: "mean score (0–1)"}
	for _, p := range in.Periods {
		d.Periods = append(d.Periods, p.Start)
		d.Labels = append(d.Labels, p.Label)
	}
	if in.Entries == 0 {
		return chart.TimelineData{}
	}
	for _, g := range timelineGroups {
		l := chart.Line{Name: g, Color: chart.GroupColor(g)}
		for _, p := range in.Periods {
			v, ok := p.Groups[g]
			if !ok {
				v = math.NaN()
			}
			l.Values = append(l.Values, v)
		}
		d.Lines = append(d.Lines, l)
	}
	return d
}

// calendarData colours each day by its strongest feeling's group, or, with
// byValence, by its valence's band (see valenceBands).
func calendarData(in journal.Insights, byValence bool) chart.CalendarData {
	if in.Entries == 0 {
		return chart.CalendarData{}
	}
	var d chart.CalendarData
	first, last := in.From, in.To.AddDate(0, 0, -1)
	if n := len(in.Calendar); n > 0 && in.Calendar[0].Day.Before(first) {
		first = in.Calendar[0].Day
	}
	d.Days = append(d.Days, chart.Day{Date: first}, chart.Day{Date: last})
	if byValence {
		for _, b := range valenceBands {
			d.Legend = append(d.Legend, chart.Swatch{Name: b.name, Color: b.color})
		}
		for _, m := range in.Calendar {
			if m.Valence == nil { // days whose entries have no reading yet
				d.Legend = append(d.Legend, chart.Swatch{Name: "not read yet", Color: color.NRGBA{0xDD, 0xDD, 0xDD, 0xFF}})
				break
			}
		}
	}
	for _, m := range in.Calendar {
		var c color.Color = chart.GroupColor("neutral")
		feel := "no clear feeling"
		if m.Dominant != "" {
			c, feel = chart.GroupColor(m.Dominant), m.Dominant
		}
		valence := "not read yet"
		if m.Valence != nil {
			valence = fmt.Sprintf("valence %+.2f", *m.Valence)
		}
		if byValence {
			c, feel = color.NRGBA{0xDD, 0xDD, 0xDD, 0xFF}, "not read yet"
			if m.Valence != nil {
				b := valenceBands[valenceBand(*m.Valence)]
				c, feel = b.color, b.name
			}
		}
		d.Days = append(d.Days, chart.Day{Date: m.Day, Has: true, Color: c,
			Label: fmt.Sprintf("%s · %d %s · %s", feel, m.Entries, journal.Plural(m.Entries, "entry", "entries"), valence)})
	}
	return d
}

func slotsData(slots []journal.Slot, caption string) chart.BarsData {
	d := chart.BarsData{Caption: caption, Color: chart.GroupColor("surprise")}
	has := false
	for _, s := range slots {
		d.Labels = append(d.Labels, s.Label)
		d.Counts = append(d.Counts, s.Entries)
		v, lo, hi := math.NaN(), math.NaN(), math.NaN()
		if s.Valence != nil {
			v, has = *s.Valence, true
		}
		if s.Low != nil && s.High != nil {
			lo, hi = *s.Low, *s.High
		}
		d.Values, d.Low, d.High = append(d.Values, v), append(d.Low, lo), append(d.High, hi)
	}
	if !has {
		return chart.BarsData{Caption: caption}
	}
	return d
}

func weekdayData(in journal.Insights) chart.BarsData {
	return slotsData(in.Weekdays, "mean valence by weekday (−1 unpleasant … +1 pleasant)")
}

func hoursData(in journal.Insights) chart.BarsData {
	return slotsData(in.Hours, "mean valence by hour written (−1 unpleasant … +1 pleasant)")
}

func mixData(in journal.Insights) chart.MixData {
	var d chart.MixData
	for _, m := range in.Mix {
		if m.Entries > 0 {
			d.Parts = append(d.Parts, chart.Part{Name: m.Group, Color: chart.GroupColor(m.Group), Share: m.Share, Count: m.Entries})
		}
	}
	return d
}
