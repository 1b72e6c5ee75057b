package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// liveEvery is how often the words of a recording are read again while it
// is made (as samo dictate does): often enough that a word is settled
// within 2 s of being said (BenchmarkDictationLag: 1.7 s, 1.9 s at p95,
// whisper-base int8 on 2 cores), without reading faster than a reading
// takes (0.5 s).
const liveEvery = 600 * time.Millisecond

// liveWords reads the words of a recording while it is made: a
// journal.Dictation fed with the recording's audio (write, from the
// recorder's goroutine) and read again every `every` on a goroutine of its
// own, each reading handed to show on the UI goroutine. The audio heard
// before the dictation is attached (its model is looked up off the UI
// goroutine) waits for it.
type liveWords struct {
	every time.Duration // 0: no reading but the ones asked (tests)
	// show gets each reading, and failed the first failure, on the UI
	// goroutine.
	show   func(journal.DictationText)
	failed func(error)

	mu      sync.Mutex
	d       *journal.Dictation
	waiting []float32
	dropped bool // no dictation: the audio is not kept
	failure error
	stop    chan struct{}
	done    chan struct{}
}

func newLiveWords(every time.Duration, show func(journal.DictationText), failed func(error)) *liveWords {
	return &liveWords{every: every, show: show, failed: failed, stop: make(chan struct{}), done: make(chan struct{})}
}

// write gives the dictation the samples just recorded (16 kHz mono).
func (l *liveWords) write(samples []float32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.d != nil:
		l.d.Write(samples)
	case !l.dropped:
		l.waiting = append(l.waiting, samples...)
	}
}

// attach starts reading the words with d, from the first sample recorded.
func (l *liveWords) attach(d *journal.Dictation) {
	l.mu.Lock()
	l.d = d
	d.Write(l.waiting)
	l.waiting = nil
	l.mu.Unlock()
	if l.every <= 0 {
		close(l.done)
		return
	}
	go func() {
		defer close(l.done)
		t := time.NewTicker(l.every)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				if !l.update() {
					return
				}
			}
		}
	}()
}

// drop reads no words: there is no speech model.
func (l *liveWords) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropped, l.waiting = true, nil
}

func (l *liveWords) dictation() *journal.Dictation {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.d
}

// update reads the words once, off the UI goroutine, and shows them; it
// reports whether to go on (not after the speech model went missing).
func (l *liveWords) update() bool {
	d := l.dictation()
	if d == nil {
		return false
	}
	text, err := d.Update(context.Background())
	if err != nil {
		l.fail(err)
		return !errors.Is(err, journal.ErrNoSpeechModel) && !errors.Is(err, journal.ErrDictationFinished)
	}
	fyne.DoAndWait(func() { l.show(text) })
	return true
}

// fail keeps the first failure and tells failed about it.
func (l *liveWords) fail(err error) {
	l.mu.Lock()
	first := l.failure == nil
	if first {
		l.failure = err
	}
	l.mu.Unlock()
	if first && l.failed != nil {
		fyne.DoAndWait(func() { l.failed(err) })
	}
}

// halt stops the readings without reading the last words.
func (l *liveWords) halt() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropped, l.waiting = true, nil
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
}

// finish stops the readings, reads the last words and shows them; off the
// UI goroutine. Without a dictation it returns ErrNoSpeechModel.
func (l *liveWords) finish(ctx context.Context) (journal.DictationText, error) {
	d := l.dictation()
	if d == nil {
		return journal.DictationText{}, journal.ErrNoSpeechModel
	}
	l.mu.Lock()
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.mu.Unlock()
	<-l.done
	text, err := d.Finish(ctx)
	if err != nil && !errors.Is(err, journal.ErrDictationFinished) {
		l.fail(err)
	}
	fyne.DoAndWait(func() { l.show(text) })
	return text, err
}

// transcript finishes the readings and returns the transcript they made,
// or nil when the recording should be transcribed again as a whole: no
// speech model, a failed reading, or not all of length heard (the
// microphone gave the dictation less than the file holds).
func (l *liveWords) transcript(ctx context.Context, length time.Duration) *journal.Transcript {
	text, err := l.finish(ctx)
	l.mu.Lock()
	failed := l.failure != nil
	l.mu.Unlock()
	if err != nil || failed || text.Heard <= 0 || text.Heard < length-500*time.Millisecond {
		return nil
	}
	return l.dictation().Transcript()
}

// liveText shows a dictation's text: the committed words as they are,
// the partial ones greyed after them.
type liveText struct {
	*widget.RichText
	committed, partial *widget.TextSegment
}

func newLiveText() *liveText {
	t := &liveText{
		committed: &widget.TextSegment{Style: widget.RichTextStyleInline},
		partial: &widget.TextSegment{Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder,
			TextStyle: fyne.TextStyle{Italic: true}}},
	}
	t.RichText = widget.NewRichText(t.committed, t.partial)
	t.Wrapping = fyne.TextWrapWord
	return t
}

// set shows committed then partial (greyed).
func (t *liveText) set(committed, partial string) {
	if committed == "" {
		partial = strings.TrimLeft(partial, " ")
	}
	if t.committed.Text == committed && t.partial.Text == partial {
		return
	}
	t.committed.Text, t.partial.Text = committed, partial
	t.Refresh()
}

// text is what it shows.
func (t *liveText) text() (committed, partial string) { return t.committed.Text, t.partial.Text }
