package chart

import (
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Day is one day of a Calendar.
type Day struct {
	// Date is the day; only its year, month and day count.
	Date time.Time
	// Has says whether the day has entries; a day without is hatched.
	Has bool
	// Color fills the day's square (its dominant group, say); nil uses
	// the theme's primary colour.
	Color color.Color
	// Label is shown when hovering, after the date (e.g. "joy · 3 entries").
	Label string
}

// Swatch names a colour in a Calendar's legend.
type Swatch struct {
	Name  string
	Color color.Color
}

// CalendarData is what a Calendar draws.
type CalendarData struct {
	// Days may come in any order and need not be contiguous: every day
	// from the earliest to the latest is drawn, and those not listed
	// count as having no entry. Where a date is listed twice the last
	// wins. A span longer than about twenty years keeps its latest twenty.
	Days []Day
	// Legend names the colours used. When empty, each distinct colour of
	// the days with entries is listed once, named after the palette group
	// it matches (see GroupColors) or else the Label of its first day.
	Legend []Swatch
}

// Calendar draws a year in pixels: one square per day, weeks as columns
// and weekdays as rows from Monday to Sunday, month names along the top
// and weekday initials on the left. Days without entries are hatched, not
// filled. Hovering shows the day's date and label; tapping calls OnTap
// with the day.
type Calendar struct {
	widget.BaseWidget

	// OnTap, if set, is called with the tapped day (midnight, in the
	// location of the first listed day).
	OnTap func(day time.Time)

	data CalendarData
	hover

	// index of the data, rebuilt on Set
	first, last int // civil day numbers of the range
	start       int // civil day number of the Monday of the first week
	days        map[int]Day
	loc         *time.Location

	// geometry of the last layout
	gridX, gridY, pitch, cell, bandH float32
	cols                             int // weeks in a band
}

// NewCalendar returns a Calendar drawing d.
func NewCalendar(d CalendarData) *Calendar {
	c := &Calendar{}
	c.ExtendBaseWidget(c)
	c.index(d)
	return c
}

// Set replaces the data and redraws.
func (c *Calendar) Set(d CalendarData) {
	c.index(d)
	c.Refresh()
}

// Data returns the data the Calendar draws.
func (c *Calendar) Data() CalendarData { return c.data }

// civil returns the number of days from 1970-01-01 to t's calendar date.
func civil(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// fromCivil is the inverse of civil, at midnight in loc.
func fromCivil(n int, loc *time.Location) time.Time {
	y, m, d := time.Unix(int64(n)*86400, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// maxCalendarDays bounds the span drawn (about 20 years), so a stray date
// cannot make the calendar allocate without end.
const maxCalendarDays = 20 * 366

func (c *Calendar) index(d CalendarData) {
	c.data = d
	c.days = make(map[int]Day, len(d.Days))
	c.loc = time.UTC
	c.first, c.last = 0, -1
	for _, day := range d.Days {
		if day.Date.IsZero() {
			continue
		}
		n := civil(day.Date)
		if len(c.days) == 0 {
			c.first, c.last = n, n
			c.loc = day.Date.Location()
		}
		c.first, c.last = min(c.first, n), max(c.last, n)
		c.days[n] = day
	}
	if c.last-c.first > maxCalendarDays {
		c.first = c.last - maxCalendarDays
	}
	// 1970-01-01 was a Thursday: Monday-based weekday is (n+3) mod 7.
	c.start = c.first - weekday(c.first)
}

// weekday is 0 for Monday through 6 for Sunday.
func weekday(n int) int {
	return ((n+3)%7 + 7) % 7
}

// hasEntries reports whether any day in range has entries.
func (c *Calendar) hasEntries() bool {
	for n, d := range c.days {
		if d.Has && n >= c.first && n <= c.last {
			return true
		}
	}
	return false
}

// weeks is the number of columns.
func (c *Calendar) weeks() int {
	if c.last < c.first {
		return 0
	}
	return (c.last-c.start)/7 + 1
}

// CreateRenderer is part of fyne.Widget.
func (c *Calendar) CreateRenderer() fyne.WidgetRenderer {
	c.rend = &renderer{w: c, build: c.build, overlay: c.overlay, minSize: c.minSize}
	return c.rend
}

func (c *Calendar) minSize() fyne.Size {
	w := max(c.weeks(), 4)
	return fyne.NewSize(float32(w)*4+40, 7*4+60)
}

// legendItems lists the swatches: the given legend or the colours used,
// then "no entry".
func (c *Calendar) legendItems(p palette) []legendItem {
	var items []legendItem
	if len(c.data.Legend) > 0 {
		for _, s := range c.data.Legend {
			items = append(items, legendItem{name: s.Name, color: orDefault(s.Color, p.primary)})
		}
	} else {
		seen := map[color.NRGBA]bool{}
		names := map[color.NRGBA]string{}
		for _, g := range Groups() {
			names[GroupColor(g)] = g
		}
		for n := c.first; n <= c.last; n++ {
			d, ok := c.days[n]
			if !ok || !d.Has {
				continue
			}
			col := orDefault(d.Color, p.primary)
			if seen[col] {
				continue
			}
			seen[col] = true
			name, ok := names[col]
			if !ok {
				name = d.Label
			}
			if name == "" {
				name = "entries"
			}
			items = append(items, legendItem{name: name, color: col})
		}
		// Palette order reads better than order of first appearance.
		order := map[string]int{}
		for i, g := range Groups() {
			order[g] = i + 1
		}
		for i := 1; i < len(items); i++ {
			for j := i; j > 0 && rank(order, items[j].name) < rank(order, items[j-1].name); j-- {
				items[j], items[j-1] = items[j-1], items[j]
			}
		}
	}
	return append(items, legendItem{name: "no entry", hatched: true})
}

func rank(order map[string]int, name string) int {
	if r, ok := order[name]; ok {
		return r
	}
	return len(order) + 1
}

func (c *Calendar) build(size fyne.Size) []fyne.CanvasObject {
	p := paletteFor(c)
	c.pitch = 0
	if !c.hasEntries() {
		return emptyState(p, size)
	}
	lineH := measure("Ag", p.small, false).Height
	items := c.legendItems(p)
	_, legendH := legend(p, items, pad, 0, size.Width-2*pad, false)

	initials := []string{"M", "T", "W", "T", "F", "S", "S"}
	var leftW float32
	for _, s := range initials {
		leftW = max(leftW, measure(s, p.small, false).Width)
	}
	head := lineH + 2 // month names above each band
	availW := size.Width - 2*pad - leftW - 4
	availH := size.Height - pad - pad - legendH - 6
	weeks := c.weeks()

	// A long span wraps into bands of weeks, one under another, when that
	// makes the squares bigger.
	bands, cols, pitch := 1, weeks, float32(0)
	for b := 1; b <= max(1, weeks/8); b++ {
		cw := (weeks + b - 1) / b
		pb := min(availW/float32(cw), (availH-float32(b)*head-float32(b-1)*4)/float32(7*b), 28)
		if pb > pitch+0.5 {
			bands, cols, pitch = b, cw, pb
		}
	}
	pitch = max(pitch, 2)
	gap := max(1, float32(math.Round(float64(pitch*0.12))))
	if pitch < 4 {
		gap = 0
	}
	c.pitch, c.cell, c.cols = pitch, pitch-gap, cols
	c.bandH = 7*pitch + 4 + head
	c.gridX, c.gridY = pad+leftW+4, pad+head

	var objs []fyne.CanvasObject

	// Month names above the column holding each month's first day.
	lastEnd, lastBand := float32(-1e9), -1
	for n := c.first; n <= c.last; n++ {
		t := fromCivil(n, time.UTC)
		if t.Day() != 1 && n != c.first {
			continue
		}
		band, col, _ := c.cellOf(n)
		newBand := band != lastBand
		if newBand {
			lastEnd, lastBand = -1e9, band
		}
		if n == c.first && t.Day() > 21 {
			continue // too little of the month to name
		}
		s := t.Format("Jan")
		if t.Month() == time.January || newBand {
			s = t.Format("Jan 2006")
		}
		x := c.gridX + float32(col)*pitch
		w := measure(s, p.small, false).Width
		if x < lastEnd+6 || x+w > size.Width-pad+w/2 {
			continue
		}
		lastEnd = x + w
		objs = append(objs, newText(s, p.muted, p.small, false, fyne.NewPos(x, c.gridY+float32(band)*c.bandH-head)))
	}

	// Weekday initials on every band, spaced out when rows are too short
	// for all seven.
	stride := max(1, int(math.Ceil(float64(lineH*0.9/pitch))))
	for b := 0; b < bands; b++ {
		for r, s := range initials {
			if r%stride != 0 {
				continue
			}
			ts := measure(s, p.small, false)
			y := c.gridY + float32(b)*c.bandH + float32(r)*pitch + c.cell/2 - ts.Height/2
			objs = append(objs, newText(s, p.muted, p.small, false, fyne.NewPos(pad+leftW-ts.Width, y)))
		}
	}

	// Squares for days with entries; one raster hatches all the others.
	missing := make([]bool, c.last-c.first+1)
	anyMissing := false
	for n := c.first; n <= c.last; n++ {
		d, ok := c.days[n]
		if !ok || !d.Has {
			missing[n-c.first] = true
			anyMissing = true
			continue
		}
		objs = append(objs, newRect(orDefault(d.Color, p.primary), c.cellPos(n), fyne.NewSquareSize(c.cell)))
	}
	if anyMissing {
		first, start, cell, bandH := c.first, c.start, c.cell, c.bandH
		gridH := float32(bands-1)*bandH + 7*pitch
		h := hatchRaster(p.hatch, fyne.NewSize(float32(cols)*pitch, gridH), func(x, y float32) (bool, float32) {
			band := int(y / bandH)
			oy := y - float32(band)*bandH
			col, row := int(x/pitch), int(oy/pitch)
			if row > 6 || col >= cols {
				return false, 0
			}
			ox, oy := x-float32(col)*pitch, oy-float32(row)*pitch
			if ox >= cell || oy >= cell {
				return false, 0
			}
			i := start + (band*cols+col)*7 + row - first
			if i < 0 || i >= len(missing) || !missing[i] {
				return false, 0
			}
			return true, min(ox, oy, cell-ox, cell-oy)
		})
		h.Move(fyne.NewPos(c.gridX, c.gridY))
		objs = append(objs, h)
	}

	lg, _ := legend(p, items, pad, size.Height-pad-legendH, size.Width-2*pad, true)
	return append(objs, lg...)
}

// cellOf returns the band, column and row of civil day n.
func (c *Calendar) cellOf(n int) (band, col, row int) {
	w := (n - c.start) / 7
	cols := max(c.cols, 1)
	return w / cols, w % cols, weekday(n)
}

// cellPos is the top-left corner of day n's square.
func (c *Calendar) cellPos(n int) fyne.Position {
	band, col, row := c.cellOf(n)
	return fyne.NewPos(c.gridX+float32(col)*c.pitch, c.gridY+float32(band)*c.bandH+float32(row)*c.pitch)
}

// dayAt returns the civil day under pos and whether there is one.
func (c *Calendar) dayAt(pos fyne.Position) (int, bool) {
	if c.pitch <= 0 || c.bandH <= 0 {
		return 0, false
	}
	x, y := pos.X-c.gridX, pos.Y-c.gridY
	if x < 0 || y < 0 {
		return 0, false
	}
	band := int(y / c.bandH)
	col, row := int(x/c.pitch), int((y-float32(band)*c.bandH)/c.pitch)
	if row > 6 || col >= c.cols {
		return 0, false
	}
	n := c.start + (band*c.cols+col)*7 + row
	if n < c.first || n > c.last {
		return 0, false
	}
	return n, true
}

func (c *Calendar) overlay(size fyne.Size) []fyne.CanvasObject {
	if !c.hovering {
		return nil
	}
	n, ok := c.dayAt(c.pointer)
	if !ok {
		return nil
	}
	p := paletteFor(c)
	ring := newRect(nil, c.cellPos(n).SubtractXY(1, 1), fyne.NewSquareSize(c.cell+2))
	ring.FillColor = color.Transparent
	ring.StrokeColor = p.fg
	ring.StrokeWidth = 1
	d, listed := c.days[n]
	label := "no entry"
	if listed && d.Label != "" {
		label = d.Label
	} else if listed && d.Has {
		label = "entries"
	}
	title := fromCivil(n, time.UTC).Format("Mon 2 Jan 2006")
	var rows []tipRow
	if listed && d.Has {
		rows = append(rows, tipRow{swatch: orDefault(d.Color, p.primary), text: label})
	} else {
		rows = append(rows, tipRow{text: label})
	}
	return append([]fyne.CanvasObject{ring}, tooltip(p, c.pointer, size, title, rows)...)
}

// Tapped is part of fyne.Tappable: it calls OnTap with the day under the
// pointer.
func (c *Calendar) Tapped(e *fyne.PointEvent) {
	if n, ok := c.dayAt(e.Position); ok && c.OnTap != nil {
		c.OnTap(fromCivil(n, c.loc))
	}
}
