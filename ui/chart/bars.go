package chart

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// BarsData is what a Bars chart draws. The slices are read index by index;
// a value missing from a shorter slice counts as NaN (or a count of zero).
type BarsData struct {
	// Labels name the bars (Mon..Sun, or 0..23).
	Labels []string
	// Values are the bar heights; NaN means no data and draws an empty
	// hatched slot rather than a zero bar. Values may be negative: when any
	// is, the zero baseline sits inside the plot and bars hang below it.
	Values []float64
	// Low and High, where both are finite, draw an interval whisker on
	// the bar.
	Low, High []float64
	// Counts are the number of entries behind each bar, shown on hover.
	Counts []int
	// Color fills the bars; nil uses the theme's primary colour.
	Color color.Color
	// Caption says what the bars show, e.g. "mean valence by weekday".
	Caption string
}

// count is the number of bars: the longer of Labels and Values.
func (d BarsData) count() int { return max(len(d.Labels), len(d.Values)) }

func (d BarsData) label(i int) string {
	if i < len(d.Labels) {
		return d.Labels[i]
	}
	return ""
}

func (d BarsData) entries(i int) (int, bool) {
	if i < len(d.Counts) {
		return d.Counts[i], true
	}
	return 0, false
}

// Bars is a vertical bar chart for weekday and hour-of-day patterns, with
// optional interval whiskers, value labels on the bars, hatched slots for
// missing data and a zero baseline inside the plot when values go
// negative. Hovering shows a bar's label, value, interval and count;
// tapping calls OnTap with its index.
type Bars struct {
	widget.BaseWidget

	// OnTap, if set, is called with the index of the tapped bar.
	OnTap func(bar int)

	data BarsData
	hover

	// geometry of the last layout
	plotX0, plotX1, plotY0, plotY1 float32
	lo, hi                         float64
}

// NewBars returns a Bars chart drawing d.
func NewBars(d BarsData) *Bars {
	b := &Bars{data: d}
	b.ExtendBaseWidget(b)
	return b
}

// Set replaces the data and redraws.
func (b *Bars) Set(d BarsData) {
	b.data = d
	b.Refresh()
}

// Data returns the data the chart draws.
func (b *Bars) Data() BarsData { return b.data }

// CreateRenderer is part of fyne.Widget.
func (b *Bars) CreateRenderer() fyne.WidgetRenderer {
	b.rend = &renderer{w: b, build: b.build, overlay: b.overlay, minSize: func() fyne.Size {
		return fyne.NewSize(float32(max(b.data.count(), 4))*10+50, 120)
	}}
	return b.rend
}

func (b *Bars) hasData() bool {
	for _, v := range b.data.Values {
		if finite(v) {
			return true
		}
	}
	return false
}

func (b *Bars) slot() float32 {
	n := b.data.count()
	if n == 0 {
		return 0
	}
	return (b.plotX1 - b.plotX0) / float32(n)
}

func (b *Bars) yOf(v float64) float32 {
	if b.hi == b.lo {
		return b.plotY1
	}
	return b.plotY1 - float32((v-b.lo)/(b.hi-b.lo))*(b.plotY1-b.plotY0)
}

// barAt returns the bar under pos, or -1.
func (b *Bars) barAt(pos fyne.Position) int {
	s := b.slot()
	if s <= 0 || pos.X < b.plotX0 || pos.X >= b.plotX1 || pos.Y < b.plotY0-pad || pos.Y > b.plotY1+pad {
		return -1
	}
	return min(int((pos.X-b.plotX0)/s), b.data.count()-1)
}

// interval returns bar i's whisker, if it has one.
func (b *Bars) interval(i int) (float64, float64, bool) {
	lo, hi := at(b.data.Low, i), at(b.data.High, i)
	return lo, hi, finite(lo) && finite(hi)
}

func (b *Bars) build(size fyne.Size) []fyne.CanvasObject {
	p := paletteFor(b)
	b.plotX0, b.plotX1 = 0, 0
	if !b.hasData() {
		return emptyState(p, size)
	}
	d := b.data
	n := d.count()
	lineH := measure("Ag", p.small, false).Height
	fill := orDefault(d.Color, p.primary)

	lo, hi := 0.0, 0.0
	for i := 0; i < n; i++ {
		if v := at(d.Values, i); finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if l, h, ok := b.interval(i); ok {
			lo, hi = math.Min(lo, math.Min(l, h)), math.Max(hi, math.Max(l, h))
		}
	}

	top := float32(pad)
	var objs []fyne.CanvasObject
	if d.Caption != "" {
		objs = append(objs, newText(d.Caption, p.fg, p.small, true, fyne.NewPos(pad, pad)))
		top += lineH + 2
	}
	top += lineH // room for value labels above the tallest bar
	bottom := size.Height - pad - lineH - 4
	if lo < 0 {
		bottom -= lineH // and below the deepest
	}
	if bottom < top+10 {
		bottom = top + 10
	}
	ticks := niceTicks(lo, hi, max(1, int((bottom-top)/(lineH*1.6))))
	dec := tickDecimals(ticks)
	b.lo, b.hi = ticks[0], ticks[len(ticks)-1]
	var tickW float32
	for _, v := range ticks {
		tickW = max(tickW, measure(formatTick(v, dec), p.small, false).Width)
	}
	b.plotX0, b.plotX1 = pad+tickW+6, size.Width-pad
	b.plotY0, b.plotY1 = top, bottom
	if b.plotX1 < b.plotX0+10 {
		b.plotX1 = b.plotX0 + 10
	}

	for _, v := range ticks {
		y := b.yOf(v)
		if v != 0 {
			objs = append(objs, newLine(p.grid, 1, fyne.NewPos(b.plotX0, y), fyne.NewPos(b.plotX1, y)))
		}
		s := formatTick(v, dec)
		ts := measure(s, p.small, false)
		objs = append(objs, newText(s, p.muted, p.small, false, fyne.NewPos(b.plotX0-6-ts.Width, y-ts.Height/2)))
	}

	slot := b.slot()
	barW := max(slot*0.7, 1)
	zero := b.yOf(0)

	// Labels under the slots, strided when they would crowd.
	var labelW float32
	for i := 0; i < n; i++ {
		labelW = max(labelW, measure(d.label(i), p.small, false).Width)
	}
	stride := max(1, int(math.Ceil(float64((labelW+6)/slot))))
	for i := 0; i < n; i += stride {
		s := d.label(i)
		ts := measure(s, p.small, false)
		cx := b.plotX0 + (float32(i)+0.5)*slot
		objs = append(objs, newText(s, p.muted, p.small, false, fyne.NewPos(clamp(cx-ts.Width/2, 0, size.Width-ts.Width), size.Height-pad-lineH)))
	}

	var valueW float32
	for i := 0; i < n; i++ {
		valueW = max(valueW, measure(formatValue(at(d.Values, i)), p.small, false).Width)
	}
	showValues := valueW+2 <= slot

	for i := 0; i < n; i++ {
		x := b.plotX0 + float32(i)*slot + (slot-barW)/2
		v := at(d.Values, i)
		if !finite(v) {
			h := hatchRaster(p.hatch, fyne.NewSize(barW, b.plotY1-b.plotY0), func(lx, ly float32) (bool, float32) {
				return true, min(lx, ly, barW-lx, b.plotY1-b.plotY0-ly)
			})
			h.Move(fyne.NewPos(x, b.plotY0))
			objs = append(objs, h)
			continue
		}
		y := b.yOf(v)
		objs = append(objs, newRect(fill, fyne.NewPos(x, min(y, zero)), fyne.NewSize(barW, float32(math.Abs(float64(zero-y))))))
		if l, h, ok := b.interval(i); ok {
			cx := x + barW/2
			yl, yh := b.yOf(l), b.yOf(h)
			capW := barW * 0.3
			objs = append(objs,
				newLine(p.fg, 1.5, fyne.NewPos(cx, yl), fyne.NewPos(cx, yh)),
				newLine(p.fg, 1.5, fyne.NewPos(cx-capW/2, yl), fyne.NewPos(cx+capW/2, yl)),
				newLine(p.fg, 1.5, fyne.NewPos(cx-capW/2, yh), fyne.NewPos(cx+capW/2, yh)))
		}
		if showValues {
			s := formatValue(v)
			ts := measure(s, p.small, false)
			edge := y
			if l, h, ok := b.interval(i); ok {
				if v >= 0 {
					edge = min(edge, b.yOf(math.Max(l, h)))
				} else {
					edge = max(edge, b.yOf(math.Min(l, h)))
				}
			}
			ty := edge - ts.Height - 1
			if v < 0 {
				ty = edge + 1
			}
			objs = append(objs, newText(s, p.fg, p.small, false, fyne.NewPos(x+barW/2-ts.Width/2, ty)))
		}
	}
	// The zero baseline, drawn last so bars meet it cleanly.
	objs = append(objs, newLine(p.axis, 1, fyne.NewPos(b.plotX0, zero), fyne.NewPos(b.plotX1, zero)))
	return objs
}

func (b *Bars) overlay(size fyne.Size) []fyne.CanvasObject {
	if !b.hovering {
		return nil
	}
	i := b.barAt(b.pointer)
	if i < 0 {
		return nil
	}
	p := paletteFor(b)
	slot := b.slot()
	band := newRect(p.grid, fyne.NewPos(b.plotX0+float32(i)*slot, b.plotY0), fyne.NewSize(slot, b.plotY1-b.plotY0))
	var rows []tipRow
	if v := at(b.data.Values, i); finite(v) {
		rows = append(rows, tipRow{swatch: orDefault(b.data.Color, p.primary), text: "value " + formatValue(v)})
	} else {
		rows = append(rows, tipRow{text: "no data"})
	}
	if l, h, ok := b.interval(i); ok {
		rows = append(rows, tipRow{text: "interval " + formatValue(l) + " to " + formatValue(h)})
	}
	if c, ok := b.data.entries(i); ok {
		rows = append(rows, tipRow{text: entries(c)})
	}
	title := b.data.label(i)
	if title == "" {
		title = "#" + formatTick(float64(i+1), 0)
	}
	return append([]fyne.CanvasObject{band}, tooltip(p, b.pointer, size, title, rows)...)
}

// Tapped is part of fyne.Tappable: it calls OnTap with the bar under the
// pointer.
func (b *Bars) Tapped(e *fyne.PointEvent) {
	if i := b.barAt(e.Position); i >= 0 && b.OnTap != nil {
		b.OnTap(i)
	}
}
