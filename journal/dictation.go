package journal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Dictation turns speech into text while it is spoken. Audio arrives
// through Write as it is recorded; each Update reads the audio not yet
// committed again, and a word is committed once two successive readings
// agree on it (the LocalAgreement rule of streaming Whisper): committed
// words never change, and the words after them are shown as partial until
// the next reading settles them. Finish commits what the last reading
// heard. A Dictation is safe for concurrent use; one Update runs at a time.
type Dictation struct {
	t   Transcriber
	now func() time.Time

	mu    sync.Mutex
	audio []float32 // every sample since the start, 16 kHz mono
	// from is the first sample of the window read again by each update:
	// the audio before it is committed, and never read again.
	from      int
	committed []Word
	// prev is the last reading's words after the committed ones.
	prev     []Word
	partial  []Word
	finished bool
	language string
	model    string

	updating sync.Mutex
}

// DictationRate is the sample rate Dictation.Write takes.
const DictationRate = 16000

// The window read again by each update is kept between these lengths: at
// least minWindow of audio before an update reads anything, and when it
// grows past maxWindow it starts again after the last committed word (or,
// when none could be committed for that long, the words heard are
// committed as they stand).
const (
	minWindow = time.Second
	maxWindow = 20 * time.Second
	// sentenceWindow is the length past which the window starts again
	// after the last committed sentence: Whisper keeps the sentence's
	// context, and an update costs less.
	sentenceWindow = 10 * time.Second
)

// DictationText is a dictation's text at one moment.
type DictationText struct {
	// Committed is the settled text: it only ever grows.
	Committed string
	// Partial is the text heard after it, which may still change.
	Partial string
	// Words are the committed words with their times.
	Words []Word
	// Heard is the length of audio received; Settled the end of the last
	// committed word: Heard − Settled is how far the committed text lags
	// behind the speech.
	Heard, Settled time.Duration
	// Compute is how long the last update's reading took.
	Compute time.Duration
}

// ErrDictationFinished means Write or Update came after Finish.
var ErrDictationFinished = errors.New("journal: the dictation is finished")

// NewDictation starts a dictation read by the Service's speech model. It
// returns ErrNoSpeechModel without one (asked of its Models, when it has
// them, before a word is spoken).
func (s *Service) NewDictation(ctx context.Context) (*Dictation, error) {
	if s.transcriber == nil {
		return nil, ErrNoSpeechModel
	}
	if s.models != nil {
		m, err := s.models.SpeechModel(ctx)
		if err != nil {
			return nil, err
		}
		if m.Source == "" {
			return nil, ErrNoSpeechModel
		}
	}
	return NewDictation(s.transcriber), nil
}

// NewDictation starts a dictation read by t.
func NewDictation(t Transcriber) *Dictation {
	return &Dictation{t: t, now: time.Now}
}

// Write adds samples (16 kHz mono) as they are recorded; it copies them.
func (d *Dictation) Write(samples []float32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.finished {
		d.audio = append(d.audio, samples...)
	}
}

// Audio returns a copy of every sample written.
func (d *Dictation) Audio() []float32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.audio)
}

func sampleTime(n int) time.Duration { return time.Duration(n) * time.Second / DictationRate }

func timeSample(t time.Duration) int { return int(t * DictationRate / time.Second) }

// Update reads the audio not yet committed, commits the words this
// reading and the last agree on, and returns the text. It reads nothing
// while less than a second is waiting.
func (d *Dictation) Update(ctx context.Context) (DictationText, error) {
	return d.update(ctx, false)
}

// Finish reads the last words, commits everything heard, and stops the
// dictation; its Transcript is then complete.
func (d *Dictation) Finish(ctx context.Context) (DictationText, error) {
	return d.update(ctx, true)
}

func (d *Dictation) update(ctx context.Context, final bool) (DictationText, error) {
	d.updating.Lock()
	defer d.updating.Unlock()
	d.mu.Lock()
	if d.finished {
		d.mu.Unlock()
		return d.text(0), ErrDictationFinished
	}
	from, window := d.from, slices.Clone(d.audio[d.from:])
	if final {
		d.finished = true
	}
	d.mu.Unlock()
	if len(window) < timeSample(minWindow) && !final || len(window) == 0 {
		d.mu.Lock()
		defer d.mu.Unlock()
		if final {
			d.commit(d.prev)
		}
		return d.text(0), nil
	}
	start := d.now()
	tr, err := d.t.Transcribe(ctx, window, nil)
	took := d.now().Sub(start)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		if final {
			d.commit(d.prev) // what two readings agreed on, and the last one heard
		}
		return d.text(took), fmt.Errorf("journal: dictation: %w", err)
	}
	if tr != nil {
		d.language, d.model = cmp.Or(tr.Language, d.language), cmp.Or(tr.Model, d.model)
	}
	heard := d.fresh(shift(transcriptWords(tr), sampleTime(from)))
	if final {
		d.commit(heard)
		d.prev, d.partial = nil, nil
		return d.text(took), nil
	}
	n := agreed(d.prev, heard)
	d.commit(heard[:n])
	d.prev, d.partial = heard[n:], heard[n:]
	if sampleTime(len(d.audio)-d.from) > sentenceWindow {
		for i := len(d.committed) - 1; i >= 0 && timeSample(d.committed[i].End) > d.from; i-- {
			if w := strings.TrimSpace(d.committed[i].Text); strings.HasSuffix(w, ".") || strings.HasSuffix(w, "?") || strings.HasSuffix(w, "!") {
				d.from = min(len(d.audio), timeSample(d.committed[i].End))
				break
			}
		}
	}
	if sampleTime(len(d.audio)-d.from) > maxWindow {
		if len(heard[:n]) == 0 && len(d.prev) > 0 {
			// Nothing settled for a whole window: take it as heard, so
			// that the window can move on.
			d.commit(d.prev)
			d.prev, d.partial = nil, nil
		}
		if len(d.committed) > 0 {
			d.from = max(d.from, min(len(d.audio), timeSample(d.committed[len(d.committed)-1].End)))
		}
	}
	return d.text(took), nil
}

// fresh drops the words of a reading that the committed text already
// holds: those that end before the last committed word's middle, and a
// run at its start that repeats the committed text's last words.
func (d *Dictation) fresh(words []Word) []Word {
	if len(d.committed) == 0 {
		return words
	}
	last := d.committed[len(d.committed)-1]
	mid := (last.Start + last.End) / 2
	i := 0
	for i < len(words) && words[i].End <= mid {
		i++
	}
	words = words[i:]
	for n := min(5, len(words), len(d.committed)); n > 0; n-- {
		if sameWords(d.committed[len(d.committed)-n:], words[:n]) {
			return words[n:]
		}
	}
	return words
}

// commit adds words to the committed text.
func (d *Dictation) commit(words []Word) {
	d.committed = append(d.committed, words...)
}

// agreed is how many words two readings share from their start.
func agreed(a, b []Word) int {
	n := 0
	for n < len(a) && n < len(b) && normWord(a[n].Text) == normWord(b[n].Text) {
		n++
	}
	return n
}

func sameWords(a, b []Word) bool {
	return len(a) == len(b) && agreed(a, b) == len(a)
}

// normWord is a word as readings are compared: lower-case, without
// punctuation (a reading may add a comma the next one drops).
func normWord(w string) string {
	return strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
}

func (d *Dictation) text(took time.Duration) DictationText {
	t := DictationText{Committed: joinWords(d.committed), Partial: joinWords(d.partial),
		Words: slices.Clone(d.committed), Heard: sampleTime(len(d.audio)), Compute: took}
	if len(d.committed) > 0 {
		t.Settled = d.committed[len(d.committed)-1].End
	}
	if t.Committed != "" && t.Partial != "" && !strings.HasPrefix(t.Partial, " ") {
		t.Partial = " " + t.Partial
	}
	return t
}

// joinWords writes words as text, one space between them.
func joinWords(ws []Word) string {
	var b strings.Builder
	for _, w := range ws {
		if t := strings.TrimSpace(w.Text); t != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

// Transcript is the committed words as a transcript, one segment for each
// stretch of speech (a pause of over 0.6 s, or a sentence's end, ends one).
func (d *Dictation) Transcript() *Transcript {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := &Transcript{Language: d.language, Model: d.model}
	var cur *Segment
	for i, w := range d.committed {
		if cur == nil || w.Start-d.committed[i-1].End > 600*time.Millisecond || strings.ContainsAny(strings.TrimSpace(d.committed[i-1].Text), ".?!") {
			t.Segments = append(t.Segments, Segment{Start: w.Start})
			cur = &t.Segments[len(t.Segments)-1]
		}
		cur.Text = strings.TrimSpace(cur.Text + " " + strings.TrimSpace(w.Text))
		cur.End = w.End
		cur.Words = append(cur.Words, w)
	}
	return t
}

// transcriptWords are a transcript's words in order: the segments' own,
// or, for a segment without them, its words spread over it by length.
func transcriptWords(t *Transcript) []Word {
	if t == nil {
		return nil
	}
	var out []Word
	for _, seg := range t.Segments {
		if len(seg.Words) > 0 {
			out = append(out, seg.Words...)
			continue
		}
		out = append(out, SpreadWords(seg)...)
	}
	return out
}

// SpreadWords splits a segment's text into words and spreads them over
// its time by their length, each marked Interpolated.
func SpreadWords(seg Segment) []Word {
	fields := strings.Fields(seg.Text)
	total := 0
	for _, f := range fields {
		total += len(f) + 1
	}
	var out []Word
	at, span := 0, seg.End-seg.Start
	for _, f := range fields {
		n := len(f) + 1
		start := seg.Start + span*time.Duration(at)/time.Duration(max(total, 1))
		at += n
		end := seg.Start + span*time.Duration(at)/time.Duration(max(total, 1))
		out = append(out, Word{Text: " " + f, Start: start, End: end, Interpolated: true})
	}
	return out
}

// shift moves words by offset.
func shift(ws []Word, offset time.Duration) []Word {
	for i := range ws {
		ws[i].Start += offset
		ws[i].End += offset
	}
	return ws
}

// Follow updates the dictation every interval, giving each text to show
// and each failure to failed, until stop is called or the dictation cannot
// go on (finished, or no speech model); stop returns once an update under
// way has ended. ctx's values reach the readings, its cancellation does
// not (stop ends it).
func (d *Dictation) Follow(ctx context.Context, every time.Duration, show func(DictationText), failed func(error)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				text, err := d.Update(context.WithoutCancel(ctx))
				if err != nil {
					failed(err)
					if errors.Is(err, ErrDictationFinished) || errors.Is(err, ErrNoSpeechModel) {
						return
					}
					continue
				}
				show(text)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
