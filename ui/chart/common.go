package chart

import (
	"image"
	"image/color"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// EmptyText is the message a chart shows, centred and muted, when it has
// no data at all.
const EmptyText = "No entries in this range"

// pad is the margin around a chart and between its parts.
const pad = 6

// palette is the set of theme colours and sizes one layout pass uses.
type palette struct {
	fg, muted, bg, grid, axis, hatch, tipBG, tipBorder, primary color.NRGBA
	text, small                                                 float32
}

// paletteFor reads the colours and text sizes of w's current theme.
func paletteFor(w fyne.Widget) palette {
	fg := nrgba(theme.ColorForWidget(theme.ColorNameForeground, w))
	return palette{
		fg:        fg,
		muted:     nrgba(theme.ColorForWidget(theme.ColorNamePlaceHolder, w)),
		bg:        nrgba(theme.ColorForWidget(theme.ColorNameBackground, w)),
		grid:      fade(fg, 0x24),
		axis:      fade(fg, 0x90),
		hatch:     fade(fg, 0x70),
		tipBG:     nrgba(theme.ColorForWidget(theme.ColorNameOverlayBackground, w)),
		tipBorder: fade(fg, 0x80),
		primary:   nrgba(theme.ColorForWidget(theme.ColorNamePrimary, w)),
		text:      theme.SizeForWidget(theme.SizeNameText, w),
		small:     theme.SizeForWidget(theme.SizeNameCaptionText, w),
	}
}

// nrgba converts any colour to non-premultiplied RGBA; nil becomes
// transparent.
func nrgba(c color.Color) color.NRGBA {
	if c == nil {
		return color.NRGBA{}
	}
	return color.NRGBAModel.Convert(c).(color.NRGBA)
}

// fade returns c with its alpha set to a.
func fade(c color.NRGBA, a uint8) color.NRGBA {
	c.A = a
	return c
}

// orDefault returns c, or def when c is nil or fully transparent.
func orDefault(c color.Color, def color.NRGBA) color.NRGBA {
	if c == nil {
		return def
	}
	n := nrgba(c)
	if n.A == 0 {
		return def
	}
	return n
}

// onColor picks black or white, whichever reads better on c.
func onColor(c color.NRGBA) color.NRGBA {
	l := 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
	if l > 140 {
		return color.NRGBA{A: 0xFF}
	}
	return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF}
}

// at returns v[i], or NaN when i is out of range.
func at(v []float64, i int) float64 {
	if i < 0 || i >= len(v) {
		return math.NaN()
	}
	return v[i]
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0)
}

// textStyle is the style of a chart's text: regular or bold.
func textStyle(bold bool) fyne.TextStyle {
	return fyne.TextStyle{Bold: bold}
}

// measure returns the size s takes at the given text size.
func measure(s string, size float32, bold bool) fyne.Size {
	return fyne.MeasureText(s, size, textStyle(bold))
}

// newText returns a text object sized to its content with its top-left
// corner at pos.
func newText(s string, c color.Color, size float32, bold bool, pos fyne.Position) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle = textStyle(bold)
	t.Resize(measure(s, size, bold))
	t.Move(pos)
	return t
}

// newRect returns a filled rectangle at pos with size sz.
func newRect(c color.Color, pos fyne.Position, sz fyne.Size) *canvas.Rectangle {
	r := canvas.NewRectangle(c)
	r.Move(pos)
	r.Resize(sz)
	return r
}

// newLine returns a straight line from a to b.
func newLine(c color.Color, width float32, a, b fyne.Position) *canvas.Line {
	l := canvas.NewLine(c)
	l.StrokeWidth = width
	l.Position1 = a
	l.Position2 = b
	return l
}

// dashedLine splits the line from a to b into dashes of length dash with
// gaps of length gap; phase is how far into the pattern a lies, and the
// phase at b is returned so that a polyline's dashes run on.
func dashedLine(c color.Color, width float32, a, b fyne.Position, dash, gap, phase float32) ([]fyne.CanvasObject, float32) {
	dx, dy := b.X-a.X, b.Y-a.Y
	length := float32(math.Hypot(float64(dx), float64(dy)))
	period := dash + gap
	if length <= 0 || period <= 0 {
		return nil, phase
	}
	var out []fyne.CanvasObject
	pos := -phase
	for pos < length {
		s, e := pos, pos+dash
		if s < 0 {
			s = 0
		}
		if e > length {
			e = length
		}
		if e > s {
			p1 := fyne.NewPos(a.X+dx*s/length, a.Y+dy*s/length)
			p2 := fyne.NewPos(a.X+dx*e/length, a.Y+dy*e/length)
			out = append(out, newLine(c, width, p1, p2))
		}
		pos += period
	}
	return out, float32(math.Mod(float64(phase+length), float64(period)))
}

// emptyState returns the centred muted message shown when a chart has no
// data.
func emptyState(p palette, size fyne.Size) []fyne.CanvasObject {
	ts := measure(EmptyText, p.text, false)
	pos := fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2)
	return []fyne.CanvasObject{newText(EmptyText, p.muted, p.text, false, pos)}
}

// niceStep returns a round step (1, 2 or 5 times a power of ten) near
// span/n.
func niceStep(span float64, n int) float64 {
	if n < 1 {
		n = 1
	}
	raw := span / float64(n)
	if raw <= 0 || !finite(raw) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f <= 1:
		return mag
	case f <= 2:
		return 2 * mag
	case f <= 5:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// niceTicks returns round tick values covering lo..hi with at most about
// maxTicks intervals; the first and last ticks bound the axis.
func niceTicks(lo, hi float64, maxTicks int) []float64 {
	if !finite(lo) || !finite(hi) {
		lo, hi = 0, 1
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		if lo == 0 {
			hi = 1
		} else {
			d := math.Abs(lo) * 0.5
			lo, hi = lo-d, hi+d
		}
	}
	if maxTicks < 1 {
		maxTicks = 1
	}
	step := niceStep(hi-lo, maxTicks)
	start := math.Floor(lo/step+1e-9) * step
	end := math.Ceil(hi/step-1e-9) * step
	var ticks []float64
	for i := 0; i < 100; i++ {
		v := start + float64(i)*step
		if v > end+step*1e-6 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, v)
	}
	if len(ticks) < 2 {
		ticks = append(ticks, start+step)
	}
	return ticks
}

// tickDecimals is how many decimals a tick label needs for a step.
func tickDecimals(ticks []float64) int {
	if len(ticks) < 2 {
		return 0
	}
	step := math.Abs(ticks[1] - ticks[0])
	if step <= 0 || !finite(step) {
		return 0
	}
	d := int(math.Ceil(-math.Log10(step) - 1e-9))
	if d < 0 {
		return 0
	}
	if d > 6 {
		return 6
	}
	return d
}

// formatTick formats a tick value with the given decimals.
func formatTick(v float64, decimals int) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// formatValue formats a data value for a label or tooltip: two decimals,
// or "–" when it is missing.
func formatValue(v float64) string {
	if !finite(v) {
		return "–"
	}
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// entries says "1 entry" or "n entries".
func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return strconv.Itoa(n) + " entries"
}

// percent formats a share in 0..1 as a whole percentage, "<1%" for a
// small non-zero share.
func percent(share float64) string {
	p := share * 100
	if p > 0 && p < 0.5 {
		return "<1%"
	}
	return strconv.Itoa(int(math.Round(p))) + "%"
}

// hatchRaster returns a raster of logical size sz that paints diagonal
// hatching in c over every point for which cell reports a missing cell,
// with a one-pixel outline around it; cell takes logical coordinates and
// returns whether the point lies inside a missing cell and how far it is
// from that cell's nearest edge.
func hatchRaster(c color.NRGBA, sz fyne.Size, cell func(x, y float32) (bool, float32)) *canvas.Raster {
	r := canvas.NewRaster(func(w, h int) image.Image {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		if w <= 0 || h <= 0 || sz.Width <= 0 || sz.Height <= 0 {
			return img
		}
		sx, sy := sz.Width/float32(w), sz.Height/float32(h)
		scale := float32(w) / sz.Width
		period := int(math.Round(float64(5 * scale)))
		if period < 3 {
			period = 3
		}
		edge := 1 / scale
		for y := 0; y < h; y++ {
			ly := (float32(y) + 0.5) * sy
			row := img.Pix[y*img.Stride:]
			for x := 0; x < w; x++ {
				in, dist := cell((float32(x)+0.5)*sx, ly)
				if !in {
					continue
				}
				if dist < edge || (x+y)%period == 0 {
					o := x * 4
					row[o], row[o+1], row[o+2], row[o+3] = c.R, c.G, c.B, c.A
				}
			}
		}
		return img
	})
	r.ScaleMode = canvas.ImageScalePixels
	r.Resize(sz)
	return r
}

// tipRow is one line of a tooltip: text with an optional colour swatch.
type tipRow struct {
	swatch color.Color
	text   string
}

// tooltip draws a small box near the pointer at pos, kept inside bounds,
// with a bold title and the given rows.
func tooltip(p palette, pos fyne.Position, bounds fyne.Size, title string, rows []tipRow) []fyne.CanvasObject {
	const inner = 6
	lineH := measure("Ag", p.small, false).Height
	sw := lineH * 0.7
	w := measure(title, p.small, true).Width
	for _, r := range rows {
		rw := measure(r.text, p.small, false).Width
		if r.swatch != nil {
			rw += sw + 4
		}
		if rw > w {
			w = rw
		}
	}
	boxW := w + 2*inner
	boxH := lineH*float32(1+len(rows)) + 2*inner
	x, y := pos.X+14, pos.Y+14
	if x+boxW > bounds.Width {
		x = pos.X - 14 - boxW
	}
	if y+boxH > bounds.Height {
		y = pos.Y - 14 - boxH
	}
	x = clamp(x, 0, bounds.Width-boxW)
	y = clamp(y, 0, bounds.Height-boxH)

	box := newRect(p.tipBG, fyne.NewPos(x, y), fyne.NewSize(boxW, boxH))
	box.StrokeColor = p.tipBorder
	box.StrokeWidth = 1
	box.CornerRadius = 3
	objs := []fyne.CanvasObject{box, newText(title, p.fg, p.small, true, fyne.NewPos(x+inner, y+inner))}
	for i, r := range rows {
		ty := y + inner + lineH*float32(i+1)
		tx := x + inner
		if r.swatch != nil {
			objs = append(objs, newRect(r.swatch, fyne.NewPos(tx, ty+(lineH-sw)/2), fyne.NewSquareSize(sw)))
			tx += sw + 4
		}
		objs = append(objs, newText(r.text, p.fg, p.small, false, fyne.NewPos(tx, ty)))
	}
	return objs
}

// clamp limits v to lo..hi, preferring lo when the range is empty.
func clamp(v, lo, hi float32) float32 {
	if v > hi {
		v = hi
	}
	if v < lo {
		v = lo
	}
	return v
}

// legendItem is one entry of a legend.
type legendItem struct {
	name    string
	color   color.Color
	line    bool // a short line (for a Timeline series) rather than a square
	dashed  bool
	hatched bool // the "no entry" swatch
}

// legend lays out items in rows that wrap within width, starting at
// (x, y); it returns the objects and the height used. With place false it
// only measures.
func legend(p palette, items []legendItem, x, y, width float32, place bool) ([]fyne.CanvasObject, float32) {
	if len(items) == 0 {
		return nil, 0
	}
	lineH := measure("Ag", p.small, false).Height
	sw := lineH * 0.75
	rowH := lineH + 2
	var objs []fyne.CanvasObject
	cx, cy := x, y
	for _, it := range items {
		swW := sw
		if it.line {
			swW = sw * 2
		}
		tw := measure(it.name, p.small, false).Width
		itemW := swW + 4 + tw
		if cx > x && cx+itemW > x+width {
			cx = x
			cy += rowH
		}
		if place {
			sy := cy + (lineH-sw)/2
			switch {
			case it.hatched:
				objs = append(objs, hatchRaster(p.hatch, fyne.NewSquareSize(sw), func(lx, ly float32) (bool, float32) {
					return true, min(lx, ly, sw-lx, sw-ly)
				}))
				objs[len(objs)-1].Move(fyne.NewPos(cx, sy))
			case it.line:
				a := fyne.NewPos(cx, cy+lineH/2)
				b := fyne.NewPos(cx+swW, cy+lineH/2)
				if it.dashed {
					d, _ := dashedLine(it.color, 2, a, b, 4, 3, 0)
					objs = append(objs, d...)
				} else {
					objs = append(objs, newLine(it.color, 3, a, b))
				}
			default:
				objs = append(objs, newRect(it.color, fyne.NewPos(cx, sy), fyne.NewSquareSize(sw)))
			}
			objs = append(objs, newText(it.name, p.fg, p.small, false, fyne.NewPos(cx+swW+4, cy)))
		}
		cx += itemW + 12
	}
	return objs, cy + rowH - y
}

// renderer is the WidgetRenderer all charts share: build lays out the
// chart for a size, overlay draws the hover state on top, and minSize
// gives the chart's minimum size.
type renderer struct {
	w       fyne.Widget
	build   func(fyne.Size) []fyne.CanvasObject
	overlay func(fyne.Size) []fyne.CanvasObject
	minSize func() fyne.Size

	size       fyne.Size
	base, over []fyne.CanvasObject
	objects    []fyne.CanvasObject
}

func (r *renderer) Layout(size fyne.Size) {
	r.size = size
	r.base = r.build(size)
	r.over = r.overlay(size)
	r.join()
}

func (r *renderer) join() {
	r.objects = make([]fyne.CanvasObject, 0, len(r.base)+len(r.over))
	r.objects = append(r.objects, r.base...)
	r.objects = append(r.objects, r.over...)
}

func (r *renderer) MinSize() fyne.Size { return r.minSize() }

func (r *renderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *renderer) Refresh() {
	r.Layout(r.w.Size())
	canvas.Refresh(r.w)
}

// refreshOverlay redraws only the hover layer.
func (r *renderer) refreshOverlay() {
	r.over = r.overlay(r.size)
	r.join()
	canvas.Refresh(r.w)
}

func (r *renderer) Destroy() {}

// dot returns a filled circle of radius r centred on c.
func dot(col color.Color, c fyne.Position, r float32) fyne.CanvasObject {
	d := canvas.NewCircle(col)
	d.Move(fyne.NewPos(c.X-r, c.Y-r))
	d.Resize(fyne.NewSquareSize(2 * r))
	return d
}

// hover is what a chart knows of the pointer over it. Embedded in a chart,
// it gives the chart desktop.Hoverable's methods, which redraw the chart's
// overlay (its tooltip) as the pointer moves.
type hover struct {
	rend     *renderer // nil until the chart is first drawn
	hovering bool
	pointer  fyne.Position
}

// MouseIn is part of desktop.Hoverable.
func (h *hover) MouseIn(e *desktop.MouseEvent) { h.MouseMoved(e) }

// MouseMoved is part of desktop.Hoverable.
func (h *hover) MouseMoved(e *desktop.MouseEvent) {
	h.hovering, h.pointer = true, e.Position
	if h.rend != nil {
		h.rend.refreshOverlay()
	}
}

// MouseOut is part of desktop.Hoverable.
func (h *hover) MouseOut() {
	h.hovering = false
	if h.rend != nil {
		h.rend.refreshOverlay()
	}
}
