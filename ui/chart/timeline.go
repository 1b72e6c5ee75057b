package chart

import (
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Line is one series of a Timeline.
type Line struct {
	// Name labels the series in the legend and tooltip.
	Name string
	// Color draws the series; nil uses the theme's primary colour.
	Color color.Color
	// Values holds one value per period; NaN (or a missing value past the
	// end of the slice) means no entries in that period, and the line
	// breaks there.
	Values []float64
	// Dashed draws the series thin and dashed, for a rolling average
	// shown beside the raw series.
	Dashed bool
}

// TimelineData is what a Timeline draws.
type TimelineData struct {
	// Periods holds the start of each period (a day, week or month).
	Periods []time.Time
	// Labels names each period on the X axis and in the tooltip. Where a
	// label is missing, PeriodLabel is asked, and failing that the
	// period's start date is shown.
	Labels []string
	// PeriodLabel, if set, names period i where Labels has no entry.
	PeriodLabel func(i int) string
	// Lines are the series, drawn in order (the last on top).
	Lines []Line
	// YLabel names the Y axis, e.g. "mean score".
	YLabel string
}

// count is the number of periods: the longest of Periods, Labels and any
// line's Values.
func (d TimelineData) count() int {
	n := max(len(d.Periods), len(d.Labels))
	for _, l := range d.Lines {
		n = max(n, len(l.Values))
	}
	return n
}

// label names period i.
func (d TimelineData) label(i int) string {
	if i < len(d.Labels) && d.Labels[i] != "" {
		return d.Labels[i]
	}
	if d.PeriodLabel != nil {
		if s := d.PeriodLabel(i); s != "" {
			return s
		}
	}
	if i < len(d.Periods) && !d.Periods[i].IsZero() {
		first, last := d.Periods[0], d.Periods[len(d.Periods)-1]
		if first.Year() != last.Year() {
			return d.Periods[i].Format("2 Jan 2006")
		}
		return d.Periods[i].Format("2 Jan")
	}
	return ""
}

// Timeline charts emotions over time as lines, one per series, with a
// legend, date labels on the X axis and round ticks on the Y axis.
// Hovering shows the period's label and each series' value; tapping calls
// OnTap with the period's index.
type Timeline struct {
	widget.BaseWidget

	// OnTap, if set, is called with the index of the tapped period.
	OnTap func(period int)

	data TimelineData
	hover

	// geometry of the last layout, for hit testing
	plotX0, plotX1, plotY0, plotY1 float32
	lo, hi                         float64
}

// NewTimeline returns a Timeline drawing d.
func NewTimeline(d TimelineData) *Timeline {
	t := &Timeline{data: d}
	t.ExtendBaseWidget(t)
	return t
}

// Set replaces the data and redraws.
func (t *Timeline) Set(d TimelineData) {
	t.data = d
	t.Refresh()
}

// Data returns the data the Timeline draws.
func (t *Timeline) Data() TimelineData { return t.data }

// CreateRenderer is part of fyne.Widget.
func (t *Timeline) CreateRenderer() fyne.WidgetRenderer {
	t.rend = &renderer{w: t, build: t.build, overlay: t.overlay, minSize: func() fyne.Size { return fyne.NewSize(240, 140) }}
	return t.rend
}

// hasData reports whether any series has a finite value.
func (t *Timeline) hasData() bool {
	for _, l := range t.data.Lines {
		for _, v := range l.Values {
			if finite(v) {
				return true
			}
		}
	}
	return false
}

// step is the width of one period's band.
func (t *Timeline) step() float32 {
	n := t.data.count()
	if n == 0 {
		return 0
	}
	return (t.plotX1 - t.plotX0) / float32(n)
}

// xOf is the X coordinate of period i's centre.
func (t *Timeline) xOf(i int) float32 {
	return t.plotX0 + (float32(i)+0.5)*t.step()
}

// yOf is the Y coordinate of value v.
func (t *Timeline) yOf(v float64) float32 {
	if t.hi == t.lo {
		return t.plotY1
	}
	return t.plotY1 - float32((v-t.lo)/(t.hi-t.lo))*(t.plotY1-t.plotY0)
}

// periodAt returns the period under x, or -1.
func (t *Timeline) periodAt(pos fyne.Position) int {
	n := t.data.count()
	s := t.step()
	if n == 0 || s <= 0 || pos.X < t.plotX0 || pos.X >= t.plotX1 || pos.Y < t.plotY0-pad || pos.Y > t.plotY1+pad {
		return -1
	}
	i := int((pos.X - t.plotX0) / s)
	return min(max(i, 0), n-1)
}

func (t *Timeline) build(size fyne.Size) []fyne.CanvasObject {
	p := paletteFor(t)
	t.plotX0, t.plotX1 = 0, 0
	if !t.hasData() {
		return emptyState(p, size)
	}
	d := t.data
	n := d.count()
	lineH := measure("Ag", p.small, false).Height

	items := make([]legendItem, 0, len(d.Lines))
	for _, l := range d.Lines {
		items = append(items, legendItem{name: l.Name, color: orDefault(l.Color, p.primary), line: true, dashed: l.Dashed})
	}
	_, legendH := legend(p, items, pad, 0, size.Width-2*pad, false)

	top := float32(pad)
	if d.YLabel != "" {
		top += lineH*1.5 + 2
	} else {
		top += lineH / 2
	}
	bottom := size.Height - pad - legendH - 4 - lineH - 4
	if bottom < top+10 {
		bottom = top + 10
	}

	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range d.Lines {
		for _, v := range l.Values {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	ticks := niceTicks(lo, hi, max(1, int((bottom-top)/(lineH*1.6))))
	dec := tickDecimals(ticks)
	t.lo, t.hi = ticks[0], ticks[len(ticks)-1]

	var tickW float32
	for _, v := range ticks {
		tickW = max(tickW, measure(formatTick(v, dec), p.small, false).Width)
	}
	t.plotX0 = pad + tickW + 6
	t.plotX1 = size.Width - pad
	t.plotY0, t.plotY1 = top, bottom
	if t.plotX1 < t.plotX0+10 {
		t.plotX1 = t.plotX0 + 10
	}

	var objs []fyne.CanvasObject
	if d.YLabel != "" {
		objs = append(objs, newText(d.YLabel, p.muted, p.small, false, fyne.NewPos(pad, pad)))
	}
	for _, v := range ticks {
		y := t.yOf(v)
		c := p.grid
		if v == 0 {
			c = p.axis
		}
		objs = append(objs, newLine(c, 1, fyne.NewPos(t.plotX0, y), fyne.NewPos(t.plotX1, y)))
		s := formatTick(v, dec)
		ts := measure(s, p.small, false)
		objs = append(objs, newText(s, p.muted, p.small, false, fyne.NewPos(t.plotX0-6-ts.Width, y-ts.Height/2)))
	}
	objs = append(objs, newLine(p.axis, 1, fyne.NewPos(t.plotX0, t.plotY0), fyne.NewPos(t.plotX0, t.plotY1)))

	// X labels: as many as fit without overlapping, evenly strided.
	var labelW float32
	for i := 0; i < n; i++ {
		labelW = max(labelW, measure(d.label(i), p.small, false).Width)
	}
	stride := 1
	if s := t.step(); s > 0 {
		stride = max(1, int(math.Ceil(float64((labelW+12)/s))))
	}
	lastEnd := float32(-1e9)
	for i := 0; i < n; i += stride {
		s := d.label(i)
		if s == "" {
			continue
		}
		ts := measure(s, p.small, false)
		x := clamp(t.xOf(i)-ts.Width/2, pad, size.Width-pad-ts.Width)
		if x < lastEnd+8 {
			continue
		}
		lastEnd = x + ts.Width
		objs = append(objs, newLine(p.axis, 1, fyne.NewPos(t.xOf(i), t.plotY1), fyne.NewPos(t.xOf(i), t.plotY1+3)))
		objs = append(objs, newText(s, p.muted, p.small, false, fyne.NewPos(x, t.plotY1+4)))
	}

	// Series: one segment between each pair of neighbouring finite values;
	// a NaN breaks the line. Dots mark points when there is room, and
	// always mark a point with no neighbour.
	dots := t.step() >= 8
	for _, l := range d.Lines {
		c := orDefault(l.Color, p.primary)
		width := float32(2)
		if l.Dashed {
			width = 1.5
		}
		var phase float32
		for i := 0; i < n; i++ {
			v := at(l.Values, i)
			if !finite(v) {
				phase = 0
				continue
			}
			a := fyne.NewPos(t.xOf(i), t.yOf(v))
			if w := at(l.Values, i+1); finite(w) {
				b := fyne.NewPos(t.xOf(i+1), t.yOf(w))
				if l.Dashed {
					var ds []fyne.CanvasObject
					ds, phase = dashedLine(c, width, a, b, 5, 3, phase)
					objs = append(objs, ds...)
				} else {
					objs = append(objs, newLine(c, width, a, b))
				}
			}
			alone := !finite(at(l.Values, i-1)) && !finite(at(l.Values, i+1))
			if (dots && !l.Dashed) || alone {
				objs = append(objs, dot(c, a, 2.5))
			}
		}
	}

	lg, _ := legend(p, items, pad, size.Height-pad-legendH, size.Width-2*pad, true)
	return append(objs, lg...)
}

func (t *Timeline) overlay(size fyne.Size) []fyne.CanvasObject {
	if !t.hovering {
		return nil
	}
	i := t.periodAt(t.pointer)
	if i < 0 {
		return nil
	}
	p := paletteFor(t)
	x := t.xOf(i)
	objs := []fyne.CanvasObject{newLine(p.axis, 1, fyne.NewPos(x, t.plotY0), fyne.NewPos(x, t.plotY1))}
	rows := make([]tipRow, 0, len(t.data.Lines))
	for _, l := range t.data.Lines {
		c := orDefault(l.Color, p.primary)
		v := at(l.Values, i)
		if finite(v) {
			objs = append(objs, dot(c, fyne.NewPos(x, t.yOf(v)), 4))
			rows = append(rows, tipRow{swatch: c, text: l.Name + ": " + formatValue(v)})
		} else {
			rows = append(rows, tipRow{swatch: c, text: l.Name + ": no entries"})
		}
	}
	return append(objs, tooltip(p, t.pointer, size, t.data.label(i), rows)...)
}

// Tapped is part of fyne.Tappable: it calls OnTap with the period under
// the pointer.
func (t *Timeline) Tapped(e *fyne.PointEvent) {
	if i := t.periodAt(e.Position); i >= 0 && t.OnTap != nil {
		t.OnTap(i)
	}
}
