package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/ui/chart"
)

// playTick is how often the word being played is looked up while a
// recording plays.
const playTick = 50 * time.Millisecond

// momentsView shows a spoken entry's recording: its emotions along the
// recording (a ribbon) and its words, each a tap away from being heard,
// the word being played lit while it plays. It owns the entry's playback:
// the screen's Play button plays through it.
type momentsView struct {
	sh    *shell
	voice Voice

	id    string // the entry shown ("": none, or no recording)
	words []journal.Word
	taps  []*wordTap
	lit   int // the word lit (-1: none)
	// at is where Play starts: 0, or the moment a search found.
	at time.Duration

	heading *widget.Label
	ribbon  *emotionRibbon
	legend  *fyne.Container
	flow    *wordFlow
	content *fyne.Container

	// Playback: stop, while it plays, stops it; from and started place it
	// (the position is from + the time since started, by clock); seq
	// numbers each play, so that an old one's end changes nothing.
	// tick is playTick (0: the position is looked up when asked, tests).
	stop    context.CancelFunc
	from    time.Duration
	started time.Time
	seq     int
	clock   func() time.Time
	tick    time.Duration
	// playing tells the screen when playback starts and ends (its Play
	// button); fail shows what went wrong.
	playing func(bool)
	fail    func(title string, err error)
}

func newMomentsView(sh *shell, playing func(bool), fail func(string, error)) *momentsView {
	m := &momentsView{sh: sh, voice: sh.opts.voice, lit: -1, clock: time.Now, tick: playTick, playing: playing, fail: fail}
	m.heading = widget.NewLabel("Tap a word to hear it; tap the ribbon to hear that moment.")
	m.heading.Importance = widget.LowImportance
	m.heading.Wrapping = fyne.TextWrapWord
	m.ribbon = newEmotionRibbon(m.playFrom)
	m.legend = newChips()
	m.flow = newWordFlow()
	m.flow.changed = func() { m.content.Refresh() }
	m.content = container.NewVBox(m.heading, m.ribbon, m.legend, m.flow)
	m.content.Hide()
	return m
}

// show shows e's recording (nil, or an entry without one: nothing), and
// stops what played.
func (m *momentsView) show(e *journal.Entry) {
	m.halt()
	m.id, m.at, m.lit, m.words, m.taps = "", 0, -1, nil, nil
	m.flow.set(nil)
	if e == nil || e.Audio == nil || m.voice == nil {
		m.content.Hide()
		return
	}
	m.id = e.ID
	m.words = journal.TranscriptWords(e.Transcript)
	m.taps = make([]*wordTap, len(m.words))
	objs := make([]fyne.CanvasObject, len(m.words))
	for i, w := range m.words {
		m.taps[i] = newWordTap(w.Text, func() { m.playFrom(w.Start) })
		objs[i] = m.taps[i]
	}
	m.flow.set(objs)
	m.ribbon.set(e.Transcript, e.Audio.Duration)
	setChips(m.legend, m.ribbon.groups(), 7)
	m.ribbon.Hidden = len(m.ribbon.segs) == 0
	m.legend.Hidden = m.ribbon.Hidden
	if len(m.words) == 0 && m.ribbon.Hidden {
		m.content.Hide()
		return
	}
	m.content.Show()
	m.content.Refresh()
}

// mark makes at the moment Play starts from, and lights its word: where
// a search found what it looked for.
func (m *momentsView) mark(at time.Duration) {
	m.at = at
	m.light(m.wordAt(at))
}

// wordAt is the index of the word said at t: the last that starts by t
// (-1: none yet).
func (m *momentsView) wordAt(t time.Duration) int {
	return sort.Search(len(m.words), func(i int) bool { return m.words[i].Start > t }) - 1
}

// light lights word i alone (-1: none).
func (m *momentsView) light(i int) {
	if i == m.lit {
		return
	}
	if m.lit >= 0 && m.lit < len(m.taps) {
		m.taps[m.lit].setLit(false)
	}
	m.lit = i
	if i >= 0 && i < len(m.taps) {
		m.taps[i].setLit(true)
	}
}

// onPlay plays from the marked moment, or stops what plays.
func (m *momentsView) onPlay() {
	if m.stop != nil {
		m.halt()
		return
	}
	m.playFrom(m.at)
}

// playFrom plays the recording from at, lighting the word being played;
// what played before stops.
func (m *momentsView) playFrom(at time.Duration) {
	if m.id == "" || m.voice == nil {
		return
	}
	m.seq++ // before the old play's end is let through: it changes nothing
	if m.stop != nil {
		m.stop()
	}
	seq, id := m.seq, m.id
	ctx, cancel := context.WithCancel(context.Background())
	m.stop, m.from, m.started = cancel, max(at, 0), m.clock()
	m.light(m.wordAt(m.from))
	if m.playing != nil {
		m.playing(true)
	}
	if m.tick > 0 {
		go func() {
			t := time.NewTicker(m.tick)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					fyne.Do(func() {
						if m.seq == seq {
							m.onTick()
						}
					})
				}
			}
		}()
	}
	from := m.from
	m.sh.background(func() func() {
		data, err := m.sh.svc.Audio(ctx, id)
		if err == nil {
			err = m.voice.Play(ctx, data, from)
		}
		return func() {
			cancel()
			if m.seq != seq {
				return // another play took over
			}
			m.stop = nil
			m.light(m.wordAt(m.at))
			if m.at == 0 {
				m.light(-1)
			}
			if m.playing != nil {
				m.playing(false)
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				m.fail("Could not play the recording", err)
			}
		}
	})
}

// position is where the playback is: the moment it started from and the
// time since.
func (m *momentsView) position() time.Duration { return m.from + m.clock().Sub(m.started) }

// onTick lights the word being played.
func (m *momentsView) onTick() {
	if m.stop != nil {
		m.light(m.wordAt(m.position()))
	}
}

// halt stops the playback, if any.
func (m *momentsView) halt() {
	if m.stop != nil {
		m.stop()
	}
}

// wordTap is one word of a transcript: tapped, it plays the recording
// from there; lit while it is being played.
type wordTap struct {
	widget.BaseWidget
	text  *canvas.Text
	bg    *canvas.Rectangle
	lit   bool
	onTap func()
}

func newWordTap(word string, onTap func()) *wordTap {
	t := &wordTap{text: canvas.NewText(trimWord(word), theme.Color(theme.ColorNameForeground)),
		bg: canvas.NewRectangle(color.Transparent), onTap: onTap}
	t.bg.CornerRadius = 3
	t.ExtendBaseWidget(t)
	return t
}

func trimWord(w string) string {
	for len(w) > 0 && w[0] == ' ' {
		w = w[1:]
	}
	return w
}

func (t *wordTap) CreateRenderer() fyne.WidgetRenderer {
	return &wordTapRenderer{t: t}
}

// setLit lights the word, or not.
func (t *wordTap) setLit(on bool) {
	t.lit = on
	t.Refresh()
}

// Tapped implements fyne.Tappable.
func (t *wordTap) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// Cursor implements desktop.Cursorable.
func (t *wordTap) Cursor() desktop.Cursor { return desktop.PointerCursor }

type wordTapRenderer struct{ t *wordTap }

const wordPad = 2

func (r *wordTapRenderer) Layout(s fyne.Size) {
	r.t.bg.Resize(s)
	r.t.text.Move(fyne.NewPos(wordPad, 0))
}

func (r *wordTapRenderer) MinSize() fyne.Size {
	s := r.t.text.MinSize()
	return fyne.NewSize(s.Width+2*wordPad, s.Height)
}

func (r *wordTapRenderer) Refresh() {
	r.t.text.TextStyle.Bold = r.t.lit
	if r.t.lit {
		r.t.text.Color = theme.Color(theme.ColorNameForegroundOnPrimary)
		r.t.bg.FillColor = theme.Color(theme.ColorNamePrimary)
	} else {
		r.t.text.Color = theme.Color(theme.ColorNameForeground)
		r.t.bg.FillColor = color.Transparent
	}
	r.t.text.Refresh()
	r.t.bg.Refresh()
}

func (r *wordTapRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.t.bg, r.t.text}
}
func (r *wordTapRenderer) Destroy() {}

// wordFlow lays words out in lines, as text wraps: its height follows the
// width it was last given.
type wordFlow struct {
	widget.BaseWidget
	objs  []fyne.CanvasObject
	width float32
	// changed is told, on the UI goroutine, when a new width changed the
	// height it needs, so that its parents can measure it again.
	changed func()
}

func newWordFlow() *wordFlow {
	f := &wordFlow{}
	f.ExtendBaseWidget(f)
	return f
}

// set shows objs (words), replacing those shown.
func (f *wordFlow) set(objs []fyne.CanvasObject) {
	f.objs = objs
	f.Refresh()
}

func (f *wordFlow) CreateRenderer() fyne.WidgetRenderer { return &flowRenderer{f: f} }

type flowRenderer struct{ f *wordFlow }

// place lays the words out in width w and returns the height they take.
func (r *flowRenderer) place(w float32, move bool) float32 {
	gap := theme.Padding() / 2
	var x, y, row float32
	for _, o := range r.f.objs {
		s := o.MinSize()
		if x > 0 && x+s.Width > w {
			x, y, row = 0, y+row+gap, 0
		}
		if move {
			o.Move(fyne.NewPos(x, y))
			o.Resize(s)
		}
		x += s.Width + gap
		row = max(row, s.Height)
	}
	return y + row
}

func (r *flowRenderer) Layout(s fyne.Size) {
	if s.Width <= 0 {
		return // not shown yet
	}
	old, wider := r.MinSize().Height, s.Width != r.f.width
	r.f.width = s.Width
	if h := r.place(s.Width, true); wider && h != old && r.f.changed != nil {
		fyne.Do(r.f.changed) // after this layout
	}
}

func (r *flowRenderer) MinSize() fyne.Size {
	w := r.f.width
	if w <= 0 {
		w = 480
	}
	return fyne.NewSize(min(w, 120), r.place(w, false))
}

func (r *flowRenderer) Refresh() {
	r.Layout(r.f.Size())
	for _, o := range r.f.objs {
		o.Refresh()
	}
}

func (r *flowRenderer) Objects() []fyne.CanvasObject { return r.f.objs }
func (r *flowRenderer) Destroy()                     {}

// emotionRibbon shows how a recording felt along its length: a column
// for each transcript segment read for emotions, as wide as the segment
// lasts, split among the Ekman groups it felt in their palette colours,
// with its strongest feeling's word written on it where there is room (and
// the legend beside it names every colour). Tapping a column plays its
// moment.
type emotionRibbon struct {
	widget.BaseWidget
	segs   []ribbonSeg
	length time.Duration
	onTap  func(at time.Duration)
}

// ribbonSeg is one segment's column.
type ribbonSeg struct {
	start, end time.Duration
	// shares are the groups' parts of the column, in chart.Groups order.
	shares [7]float32
	top    string  // the strongest group
	peak   float32 // its score
}

func newEmotionRibbon(onTap func(time.Duration)) *emotionRibbon {
	r := &emotionRibbon{onTap: onTap}
	r.ExtendBaseWidget(r)
	return r
}

// set reads the segments of t that were read for emotions; length is the
// recording's.
func (r *emotionRibbon) set(t *journal.Transcript, length time.Duration) {
	r.segs, r.length = ribbonSegs(t), length
	if n := len(r.segs); n > 0 && r.segs[n-1].end > r.length {
		r.length = r.segs[n-1].end
	}
	r.Refresh()
}

// ribbonSegs reads each segment's group scores (a group's is its
// strongest label's) into its column.
func ribbonSegs(t *journal.Transcript) []ribbonSeg {
	if t == nil {
		return nil
	}
	groups := chart.Groups()
	var out []ribbonSeg
	for _, seg := range t.Segments {
		if seg.Emotions == nil || seg.End <= seg.Start {
			continue
		}
		var score [7]float32
		for i, s := range seg.Emotions.Scores {
			if i >= len(journal.EmotionLabels) {
				break
			}
			g := journal.EkmanGroup(journal.EmotionLabels[i])
			for k, name := range groups {
				if name == g {
					score[k] = max(score[k], s)
				}
			}
		}
		var sum float32
		top := 0
		for k, s := range score {
			sum += s
			if s > score[top] {
				top = k
			}
		}
		if sum <= 0 {
			continue
		}
		rs := ribbonSeg{start: seg.Start, end: seg.End, top: groups[top], peak: score[top]}
		for k, s := range score {
			rs.shares[k] = s / sum
		}
		out = append(out, rs)
	}
	return out
}

// groups are the groups that lead a column, in palette order: the
// legend's words.
func (r *emotionRibbon) groups() []string {
	var out []string
	for _, g := range chart.Groups() {
		for _, s := range r.segs {
			if s.top == g {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// Tapped plays the moment of the column tapped.
func (r *emotionRibbon) Tapped(ev *fyne.PointEvent) {
	w := r.Size().Width
	if w <= 0 || r.length <= 0 || r.onTap == nil {
		return
	}
	at := time.Duration(float64(r.length) * float64(ev.Position.X/w))
	if s, ok := r.segmentAt(at); ok {
		r.onTap(s.start)
	}
}

// segmentAt is the column at (or the nearest one).
func (r *emotionRibbon) segmentAt(at time.Duration) (ribbonSeg, bool) {
	best, dist := -1, time.Duration(1<<62)
	for i, s := range r.segs {
		d := time.Duration(0)
		if at < s.start {
			d = s.start - at
		} else if at > s.end {
			d = at - s.end
		}
		if d < dist {
			best, dist = i, d
		}
	}
	if best < 0 {
		return ribbonSeg{}, false
	}
	return r.segs[best], true
}

// Cursor implements desktop.Cursorable.
func (r *emotionRibbon) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (r *emotionRibbon) CreateRenderer() fyne.WidgetRenderer { return &ribbonRenderer{r: r} }

type ribbonRenderer struct {
	r    *emotionRibbon
	objs []fyne.CanvasObject
}

// ribbonHeight is the ribbon's height.
const ribbonHeight = 44

func (rr *ribbonRenderer) Layout(s fyne.Size) {
	r := rr.r
	back := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	back.Resize(s)
	back.CornerRadius = 4
	objs := []fyne.CanvasObject{back}
	colors := chart.GroupColors()
	groups := chart.Groups()
	if r.length > 0 {
		x := func(t time.Duration) float32 { return s.Width * float32(float64(t)/float64(r.length)) }
		for _, seg := range r.segs {
			x0, x1 := x(seg.start), max(x(seg.end), x(seg.start)+1)
			y := s.Height
			for k, share := range seg.shares {
				h := s.Height * share
				if h <= 0 {
					continue
				}
				rect := canvas.NewRectangle(colors[groups[k]])
				y -= h
				rect.Move(fyne.NewPos(x0, y))
				rect.Resize(fyne.NewSize(x1-x0, h))
				objs = append(objs, rect)
			}
			word := canvas.NewText(seg.top, color.White)
			word.TextSize = theme.CaptionTextSize()
			word.TextStyle.Bold = true
			if ws := word.MinSize(); ws.Width+4 <= x1-x0 {
				word.Color = onHue(colors[seg.top])
				word.Move(fyne.NewPos(x0+(x1-x0-ws.Width)/2, (s.Height-ws.Height)/2))
				objs = append(objs, word)
			}
		}
	}
	rr.objs = objs
}

// onHue is black or white, whichever reads on c.
func onHue(c color.NRGBA) color.Color {
	if 299*int(c.R)+587*int(c.G)+114*int(c.B) > 140000 {
		return color.Black
	}
	return color.White
}

func (rr *ribbonRenderer) MinSize() fyne.Size { return fyne.NewSize(120, ribbonHeight) }
func (rr *ribbonRenderer) Refresh() {
	rr.Layout(rr.r.Size())
	canvas.Refresh(rr.r)
}
func (rr *ribbonRenderer) Objects() []fyne.CanvasObject { return rr.objs }
func (rr *ribbonRenderer) Destroy()                     {}

// clock says a moment of a recording: "1:23".
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
