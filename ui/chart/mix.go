package chart

import (
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Part is one share of a Mix.
type Part struct {
	// Name labels the part, e.g. "joy".
	Name string
	// Color fills the part; nil uses the theme's primary colour.
	Color color.Color
	// Share is the part's weight; shares are scaled to add up to 100%, and
	// a part whose share is not a positive number is left out.
	Share float64
	// Count is the number of entries behind the part.
	Count int
}

// MixData is what a Mix draws.
type MixData struct {
	Parts []Part
}

// Mix shows the emotion mix of a period: a horizontal 100% stacked bar and
// beneath it one row per part, "■ joy 42% (17 entries)", largest share
// first. Hovering over the bar names the part under the pointer.
type Mix struct {
	widget.BaseWidget

	data MixData
	hover

	// geometry of the last layout
	barX0, barX1, barY0, barY1 float32
	segments                   []float32 // right edge of each sorted part
}

// NewMix returns a Mix drawing d.
func NewMix(d MixData) *Mix {
	m := &Mix{data: d}
	m.ExtendBaseWidget(m)
	return m
}

// Set replaces the data and redraws.
func (m *Mix) Set(d MixData) {
	m.data = d
	m.Refresh()
}

// Data returns the data the Mix draws.
func (m *Mix) Data() MixData { return m.data }

// CreateRenderer is part of fyne.Widget.
func (m *Mix) CreateRenderer() fyne.WidgetRenderer {
	m.rend = &renderer{w: m, build: m.build, overlay: m.overlay, minSize: func() fyne.Size {
		return fyne.NewSize(200, 40+18*float32(min(len(m.parts()), 4)))
	}}
	return m.rend
}

// parts returns the parts with a positive share, largest first, their
// shares scaled to sum to one.
func (m *Mix) parts() []Part {
	var out []Part
	var total float64
	for _, p := range m.data.Parts {
		if finite(p.Share) && p.Share > 0 {
			out = append(out, p)
			total += p.Share
		}
	}
	for i := range out {
		out[i].Share /= total
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Share > out[j].Share })
	return out
}

// rowText is a part's row: "joy 42% (17 entries)".
func rowText(p Part) string {
	return p.Name + " " + percent(p.Share) + " (" + entries(p.Count) + ")"
}

func (m *Mix) build(size fyne.Size) []fyne.CanvasObject {
	p := paletteFor(m)
	m.segments = nil
	parts := m.parts()
	if len(parts) == 0 {
		return emptyState(p, size)
	}
	lineH := measure("Ag", p.small, false).Height
	barH := max(lineH+10, 24)
	m.barX0, m.barX1 = pad, size.Width-pad
	m.barY0, m.barY1 = pad, pad+barH
	width := m.barX1 - m.barX0

	var objs []fyne.CanvasObject
	x := m.barX0
	for i, part := range parts {
		w := float32(part.Share) * width
		if i == len(parts)-1 {
			w = m.barX1 - x
		}
		c := orDefault(part.Color, p.primary)
		objs = append(objs, newRect(c, fyne.NewPos(x, m.barY0), fyne.NewSize(w, barH)))
		if s := percent(part.Share); measure(s, p.small, true).Width+6 <= w {
			ts := measure(s, p.small, true)
			objs = append(objs, newText(s, onColor(c), p.small, true, fyne.NewPos(x+(w-ts.Width)/2, m.barY0+(barH-ts.Height)/2)))
		}
		if i > 0 { // a hairline in the background colour keeps neighbours apart
			objs = append(objs, newLine(p.bg, 1, fyne.NewPos(x, m.barY0), fyne.NewPos(x, m.barY1)))
		}
		x += w
		m.segments = append(m.segments, x)
	}

	// Rows beneath, in as many columns as the height needs.
	rowH := lineH + 4
	top := m.barY1 + 8
	perCol := max(1, int((size.Height-top-pad)/rowH))
	cols := (len(parts) + perCol - 1) / perCol
	perCol = (len(parts) + cols - 1) / cols
	colW := (size.Width - 2*pad) / float32(cols)
	sw := lineH * 0.75
	for i, part := range parts {
		cx := pad + float32(i/perCol)*colW
		cy := top + float32(i%perCol)*rowH
		objs = append(objs,
			newRect(orDefault(part.Color, p.primary), fyne.NewPos(cx, cy+(lineH-sw)/2), fyne.NewSquareSize(sw)),
			newText(rowText(part), p.fg, p.small, false, fyne.NewPos(cx+sw+6, cy)))
	}
	return objs
}

// partAt returns the index in sorted parts of the segment under pos, or -1.
func (m *Mix) partAt(pos fyne.Position) int {
	if pos.Y < m.barY0 || pos.Y > m.barY1 || pos.X < m.barX0 {
		return -1
	}
	for i, right := range m.segments {
		if pos.X < right {
			return i
		}
	}
	return -1
}

func (m *Mix) overlay(size fyne.Size) []fyne.CanvasObject {
	if !m.hovering {
		return nil
	}
	i := m.partAt(m.pointer)
	parts := m.parts()
	if i < 0 || i >= len(parts) {
		return nil
	}
	p := paletteFor(m)
	part := parts[i]
	return tooltip(p, m.pointer, size, part.Name, []tipRow{
		{swatch: orDefault(part.Color, p.primary), text: percent(part.Share)},
		{text: entries(part.Count)},
	})
}
