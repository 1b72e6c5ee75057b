package ui

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
	"github.com/samojournal/samo/ui/chart"
)

// feeling is a segment's reading where label scores strong.
func feeling(label string, score float32) *journal.SegmentEmotions {
	s := make([]float32, len(journal.EmotionLabels))
	for i, l := range journal.EmotionLabels {
		switch l {
		case label:
			s[i] = score
		case "neutral":
			s[i] = 0.1
		}
	}
	return &journal.SegmentEmotions{Scores: s, Labels: []string{label}}
}

// spokenEntry stores a 6 s recording of three segments (joy, sadness,
// neutral), two words each, and returns it.
func spokenEntry(t *testing.T, svc *journal.Service) journal.Entry {
	t.Helper()
	s := time.Second
	tr := &journal.Transcript{Language: "en", Model: "test", Segments: []journal.Segment{
		{Start: 0, End: 2 * s, Text: " Sunny morning.", Emotions: feeling("joy", 0.9),
			Words: []journal.Word{{Text: " Sunny", Start: 0, End: s}, {Text: " morning.", Start: s, End: 2 * s}}},
		{Start: 2 * s, End: 4 * s, Text: " Missed you.", Emotions: feeling("sadness", 0.8),
			Words: []journal.Word{{Text: " Missed", Start: 2 * s, End: 3 * s}, {Text: " you.", Start: 3 * s, End: 4 * s}}},
		{Start: 4 * s, End: 6 * s, Text: " Then dinner.", Emotions: feeling("neutral", 0.7),
			Words: []journal.Word{{Text: " Then", Start: 4 * s, End: 5 * s}, {Text: " dinner.", Start: 5 * s, End: 6 * s}}},
	}}
	e, err := svc.AddRecording(context.Background(), journal.NewRecording{At: time.Now().Add(-time.Hour), Data: journaltest.PCM(6 * 16000),
		Audio: journal.Audio{Format: "pcm", SampleRate: 16000, Channels: 1, Duration: 6 * s}, Transcript: tr})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// openSpoken opens the journal on a spoken entry, its playback's clock in
// the test's hands.
func openSpoken(t *testing.T, v *memVoice) (*journalScreen, journal.Entry, *time.Time) {
	t.Helper()
	j, _, _ := newVoiceJournal(t, v, waiting())
	e := spokenEntry(t, j.svc)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	onUI(func() {
		j.reload()
		j.open(e.ID)
		j.moments.tick = 0
		j.moments.clock = func() time.Time { return now }
	})
	return j, e, &now
}

func (v *memVoice) plays() []time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.playedFrom)
}

func TestMoments_TapAWordPlaysFromIt(t *testing.T) {
	v := &memVoice{playFor: time.Minute}
	j, _, now := openSpoken(t, v)
	m := j.moments
	var n int
	onUI(func() { n = len(m.taps) })
	if n != 6 {
		t.Fatalf("%d words shown, want 6", n)
	}
	onUI(func() { test.Tap(m.taps[2]) }) // "Missed", said at 2 s
	waitFor(t, func() bool { return len(v.plays()) == 1 })
	if got := v.plays()[0]; got != 2*time.Second {
		t.Errorf("playback asked to start at %v, want the word's 2s", got)
	}
	lit := func() (i int, text string) {
		onUI(func() { i, text = m.lit, j.play.Text })
		return
	}
	if i, text := lit(); i != 2 || text != "Stop" {
		t.Errorf("while playing from the word: word %d lit, Play reads %q", i, text)
	}
	// the highlight follows the playback: 1.5 s later it is at 3.5 s
	*now = now.Add(1500 * time.Millisecond)
	onUI(m.onTick)
	if i, _ := lit(); i != 3 {
		t.Errorf("at 3.5 s word %d is lit, want 3 (you.)", i)
	}
	*now = now.Add(time.Second)
	onUI(m.onTick)
	if i, _ := lit(); i != 4 {
		t.Errorf("at 4.5 s word %d is lit, want 4 (Then)", i)
	}
	// tapping another word starts there instead (the first play ends)
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(m.taps[5]) }) })
	waitFor(t, func() bool { return len(v.plays()) == 2 })
	if got := v.plays()[1]; got != 5*time.Second {
		t.Errorf("the second tap plays from %v, want 5s", got)
	}
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(j.play) }) }) // stop
	if i, text := lit(); i != -1 || text != "Play" {
		t.Errorf("after stopping: word %d lit, Play reads %q", i, text)
	}
}

func TestMoments_RibbonFromSegmentEmotions(t *testing.T) {
	v := &memVoice{playFor: time.Minute}
	j, e, _ := openSpoken(t, v)
	r := j.moments.ribbon
	var (
		tops   []string
		legend []string
		fills  []fyne.CanvasObject
		shown  bool
	)
	onUI(func() {
		for _, s := range r.segs {
			tops = append(tops, s.top)
		}
		for _, o := range test.LaidOutObjects(j.moments.legend) {
			if t, ok := o.(*canvas.Text); ok {
				legend = append(legend, t.Text)
			}
		}
		fills = test.LaidOutObjects(r)
		shown = r.Visible() && j.momentsBox.Visible()
	})
	if !shown || !slices.Equal(tops, []string{"joy", "sadness", "neutral"}) {
		t.Fatalf("ribbon shown %v, its columns lead with %q", shown, tops)
	}
	if !slices.Equal(legend, []string{"joy", "sadness", "neutral"}) {
		t.Errorf("the legend says %q: every colour needs its word", legend)
	}
	var words []string
	colours := map[string]bool{}
	for _, o := range fills {
		switch o := o.(type) {
		case *canvas.Rectangle:
			for _, g := range chart.Groups() {
				if o.FillColor == chart.GroupColor(g) {
					colours[g] = true
				}
			}
		case *canvas.Text:
			words = append(words, o.Text)
		}
	}
	for _, g := range []string{"joy", "sadness", "neutral"} {
		if !colours[g] {
			t.Errorf("no %s column in its colour %v", g, chart.GroupColor(g))
		}
	}
	if len(words) > 0 && !slices.Equal(words, []string{"joy", "sadness", "neutral"}) {
		t.Errorf("the columns are written %q", words)
	}
	// tapping the sad column plays its moment
	var size fyne.Size
	onUI(func() { size = r.Size() })
	if size.Width <= 0 {
		t.Fatal("the ribbon is not laid out")
	}
	onUI(func() { test.TapAt(r, fyne.NewPos(size.Width*3/6, size.Height/2)) })
	waitFor(t, func() bool { return len(v.plays()) == 1 })
	if got := v.plays()[0]; got != e.Transcript.Segments[1].Start {
		t.Errorf("the sad peak plays from %v, want %v", got, e.Transcript.Segments[1].Start)
	}
	waitSettled(t, j.sh, func() { onUI(j.moments.halt) })
}

// A search's result from a spoken entry opens at the moment it matched.
func TestLane_SpokenResultOpensAtItsMoment(t *testing.T) {
	v := &memVoice{playFor: time.Minute}
	j, e, _ := openSpoken(t, v)
	l := j.sh.lane
	waitSettled(t, j.sh, func() { // On This Day is read for its day
		onUI(func() {
			l.moments.tick = 0
			l.openFound(journal.Found{Entry: e, ID: e.ID, Words: []string{"dinner"}})
		})
	})
	var (
		at   time.Duration
		lit  int
		text string
	)
	onUI(func() { at, lit, text = l.moments.at, l.moments.lit, l.play.Text })
	if at != 5*time.Second || lit != 5 || text != "Play from 0:05" {
		t.Fatalf("opened at %v, word %d lit, Play reads %q; want 5s, 5, Play from 0:05", at, lit, text)
	}
	onUI(func() { test.Tap(l.play) })
	waitFor(t, func() bool { return len(v.plays()) == 1 })
	if got := v.plays()[0]; got != 5*time.Second {
		t.Errorf("Play starts at %v, want the matched word's 5s", got)
	}
	waitSettled(t, j.sh, func() { onUI(func() { test.Tap(l.play) }) })
}

// TestMoments_Screenshot draws the journal with a spoken entry open (its
// words, one lit as it plays, and its emotion ribbon) through Fyne's
// software painter into $SAMO_SCREENSHOTS/entry-recording.png, for the
// docs (make screenshots sets it).
func TestMoments_Screenshot(t *testing.T) {
	dir := os.Getenv("SAMO_SCREENSHOTS")
	if dir == "" {
		t.Skip("SAMO_SCREENSHOTS is not set")
	}
	v := &memVoice{}
	j, _, _ := openSpoken(t, v)
	var shot image.Image
	onUI(func() {
		j.window.Resize(fyne.NewSize(1000, 640))
		j.moments.light(2)
		shot = j.window.Canvas().Capture()
	})
	f, err := os.Create(filepath.Join(dir, "entry-recording.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, shot); err != nil {
		t.Fatal(err)
	}
}
