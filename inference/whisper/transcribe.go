package whisper

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference/whisper/mel"
)

// Segment is a stretch of the transcript with its times in the audio.
type Segment struct {
	Start, End time.Duration
	Text       string
	// AvgLogProb is the mean log-probability of the window's tokens,
	// NoSpeechProb the probability of <|nospeech|> at its start and
	// CompressionRatio its text's length over its zlib-compressed length.
	AvgLogProb, NoSpeechProb, CompressionRatio float64
	// Temperature is the temperature of the accepted decoding: 0 unless
	// the greedy transcript failed the checks.
	Temperature float32
	// NoSpeech marks a window taken for silence; its Text is empty.
	NoSpeech bool
	// Language is the language its window was read in: given in the
	// options, or detected for that window.
	Language string
	// Words are the segment's words with their times: aligned from the
	// decoder's cross-attention where the export gives it, else spread
	// over the segment by length and marked Interpolated.
	Words []Word
}

// Result is a transcription.
type Result struct {
	// Text is the segments' text, joined.
	Text string
	// Language is the code of the language given, or detected: the one
	// most of the speech was read in (Segment.Language has each window's).
	Language string
	Segments []Segment
}

// Span is a stretch of audio, e.g. speech found by a voice activity
// detector.
type Span struct{ Start, End time.Duration }

// decoded is one window's outcome.
type decoded struct {
	segments []Segment
	language string
	// seek, when positive, is where the last complete segment ended, for a
	// window whose last segment was cut off.
	seek time.Duration
}

// TranscribeFeatures transcribes windows of log-mel features, each
// NMels()×3000 values row-major (mel.Extractor's output), that start at the
// given offsets in the audio (nil offsets: consecutive 30 s windows).
// progress, when not nil, is called after each window with the windows
// done and the total.
func (m *Model) TranscribeFeatures(ctx context.Context, feats [][]float32, offsets []time.Duration, progress func(done, total int)) (Result, error) {
	if offsets != nil && len(offsets) != len(feats) {
		return Result{}, fmt.Errorf("whisper: %d windows of features but %d offsets", len(feats), len(offsets))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.encoder == nil {
		return Result{}, ErrClosed
	}
	var res Result
	for i, f := range feats {
		off := time.Duration(i) * WindowDuration
		if offsets != nil {
			off = offsets[i]
		}
		d, err := m.window(ctx, f, i, off, WindowDuration, false)
		if err != nil {
			return Result{}, err
		}
		res.add(d)
		if progress != nil {
			progress(i+1, len(feats))
		}
	}
	res.finish()
	return res, nil
}

// Transcribe transcribes 16 kHz mono samples. With speech spans (from a
// voice activity detector) it decodes windows of up to 30 s along them,
// skipping the rest; without, it decodes the whole audio in 30 s windows.
// With timestamps, a window whose last segment is cut off is followed by
// one starting at that segment. progress, when not nil, is called after
// each window with the milliseconds of audio done and the total.
func (m *Model) Transcribe(ctx context.Context, samples []float32, speech []Span, progress func(done, total int)) (Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.encoder == nil {
		return Result{}, ErrClosed
	}
	ext, err := mel.New(mel.DefaultConfig(m.cfg.NumMelBins))
	if err != nil {
		return Result{}, fmt.Errorf("whisper: %w", err)
	}
	total := len(samples)
	if speech == nil {
		speech = []Span{{0, samplesToDuration(total)}}
	}
	regions := windows(speech, total)
	ms := func(n int) int { return int(int64(n) * 1000 / SampleRate) }
	var res Result
	index, reported := 0, -1
	for _, r := range regions {
		for start := r[0]; start < r[1]; {
			end := min(start+WindowSamples, r[1])
			feats, err := ext.Features(samples[start:end])
			if err != nil {
				return Result{}, fmt.Errorf("whisper: features: %w", err)
			}
			d, err := m.window(ctx, feats, index, samplesToDuration(start), samplesToDuration(end-start), true)
			if err != nil {
				return Result{}, err
			}
			index++
			res.add(d)
			next := end
			if d.seek > 0 {
				// A seek never goes past the window's audio (a timestamp in
				// its padding would overshoot the total).
				next = min(start+int(int64(d.seek)*SampleRate/int64(time.Second)), end)
			}
			start = next
			if progress != nil {
				progress(min(ms(start), ms(total)), ms(total))
				reported = ms(start)
			}
		}
	}
	if progress != nil && reported < ms(total) {
		progress(ms(total), ms(total)) // the audio after the last speech is done too
	}
	res.finish()
	return res, nil
}

func samplesToDuration(n int) time.Duration {
	return time.Duration(int64(n) * int64(time.Second) / SampleRate)
}

// windows merges speech spans into regions of samples, [start, end), each
// at most 30 s unless one span is longer (then Transcribe cuts it).
func windows(speech []Span, total int) [][2]int {
	var out [][2]int
	toSample := func(d time.Duration) int {
		return min(max(int(int64(d)*SampleRate/int64(time.Second)), 0), total)
	}
	for _, s := range speech {
		a, b := toSample(s.Start), toSample(s.End)
		if b <= a {
			continue
		}
		if n := len(out); n > 0 && b-out[n-1][0] <= WindowSamples && a >= out[n-1][0] {
			out[n-1][1] = max(out[n-1][1], b)
			continue
		}
		out = append(out, [2]int{a, b})
	}
	return out
}

func (r *Result) add(d decoded) {
	for _, s := range d.segments {
		s.Language = d.language
		r.Segments = append(r.Segments, s)
	}
}

// finish joins the text, and names the result's language: the one most of
// the speech was read in (each window detects its own, so a journal
// entry that changes language is not read in its first language only).
func (r *Result) finish() {
	speech := map[string]time.Duration{}
	best := time.Duration(-1) // ties go to the language that led first
	for _, s := range r.Segments {
		if !s.NoSpeech && s.Language != "" {
			speech[s.Language] += s.End - s.Start
			if speech[s.Language] > best {
				best, r.Language = speech[s.Language], s.Language
			}
		}
	}
	var parts []string
	for _, s := range r.Segments {
		if s.Text != "" {
			parts = append(parts, s.Text)
		}
	}
	r.Text = strings.Join(parts, " ")
}

// encode runs the encoder on one window's features, into the model's
// buffers.
func (m *Model) encode(feats []float32) error {
	b, err := m.buffers()
	if err != nil {
		return err
	}
	in, err := ort.NewTensor(ort.NewShape(1, int64(m.cfg.NumMelBins), WindowFrames), feats)
	if err != nil {
		return fmt.Errorf("whisper: input tensor: %w", err)
	}
	defer in.Destroy()
	if err := m.encoder.s.Run([]ort.Value{in}, []ort.Value{b.hidden}); err != nil {
		return fmt.Errorf("whisper: run %s: %w", m.encoder.path, err)
	}
	return nil
}

// window encodes and decodes one window of features starting at offset
// and lasting length, in the options' language or the one it detects; with
// seek, a cut-off last segment is left out and its start returned.
func (m *Model) window(ctx context.Context, feats []float32, index int, offset, length time.Duration, seek bool) (decoded, error) {
	if err := ctx.Err(); err != nil {
		return decoded{}, fmt.Errorf("whisper: %w", err)
	}
	if want := m.cfg.NumMelBins * WindowFrames; len(feats) != want {
		return decoded{}, fmt.Errorf("whisper: window %d has %d feature values, want %d (%d mels × %d frames)",
			index, len(feats), want, m.cfg.NumMelBins, WindowFrames)
	}
	for _, x := range feats {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return decoded{}, fmt.Errorf("whisper: window %d has a non-finite feature", index)
		}
	}
	if err := m.encode(feats); err != nil {
		return decoded{}, err
	}
	a, lang, err := m.decodeWindow(ctx, index, m.opts.Language)
	if err != nil {
		return decoded{}, err
	}
	d := decoded{language: lang}
	base := Segment{AvgLogProb: a.avgLogProb, NoSpeechProb: a.noSpeechProb, CompressionRatio: a.compression, Temperature: a.temperature}
	if m.silent(a) {
		s := base
		s.Start, s.End, s.NoSpeech = offset, offset+length, true
		d.segments = []Segment{s}
		return d, nil
	}
	var pos [][]int // per segment, the indices of its text tokens in a.tokens
	if !m.opts.Timestamps {
		s := base
		s.Start, s.End, s.Text = offset, offset+length, strings.TrimSpace(a.text)
		if s.Text != "" {
			var p []int
			for i, t := range a.tokens {
				if t < m.voc.eot {
					p = append(p, i)
				}
			}
			d.segments, pos = []Segment{s}, [][]int{p}
		}
		m.addWords(a, d.segments, pos, offset, length, lang)
		return d, nil
	}
	tsBegin := m.voc.timestampBegin
	at := func(tok int) time.Duration { return offset + time.Duration(tok-tsBegin)*TimestampStep }
	end := offset + length
	start := -1
	var text, textPos []int
	var lastEnd int = -1
	for i, t := range a.tokens {
		if t < tsBegin {
			if t < m.voc.eot {
				text, textPos = append(text, t), append(textPos, i)
			}
			continue
		}
		if start < 0 || len(text) == 0 {
			start = t
			continue
		}
		// A segment timed in the window's padding (past its audio) is
		// text about nothing: dropped. Times stay inside the window.
		if at(start) < end {
			s := base
			s.Start, s.End, s.Text = at(start), min(at(t), end), strings.TrimSpace(m.text(text))
			d.segments, pos = append(d.segments, s), append(pos, textPos)
		}
		start, text, textPos, lastEnd = -1, nil, nil, t
	}
	if len(text) > 0 {
		if seek && lastEnd >= 0 {
			d.seek = time.Duration(lastEnd-tsBegin) * TimestampStep
			m.addWords(a, d.segments, pos, offset, length, lang)
			return d, nil
		}
		s := base
		s.Start, s.End, s.Text = offset, end, strings.TrimSpace(m.text(text))
		if start >= 0 {
			s.Start = at(start)
		}
		if s.Start < end {
			d.segments, pos = append(d.segments, s), append(pos, textPos)
		}
	}
	m.addWords(a, d.segments, pos, offset, length, lang)
	return d, nil
}

// addWords gives each segment its words: aligned on the attempt's
// cross-attention where it has it, else interpolated. pos holds each
// segment's text token indices in a.tokens; the window starts at offset and
// holds length of audio.
func (m *Model) addWords(a attempt, segs []Segment, pos [][]int, offset, length time.Duration, lang string) {
	var all []int
	for _, p := range pos {
		all = append(all, p...)
	}
	if len(all) == 0 {
		return
	}
	heads := len(m.align)
	row := heads * encoderFrames
	if a.attn == nil || heads == 0 || (all[len(all)-1]+2)*row > len(a.attn) {
		for i := range segs {
			ws := m.splitWords(tokensAt(a.tokens, pos[i]), lang)
			mergePunctuation(ws)
			segs[i].Words = interpolate(ws, segs[i].Start, segs[i].End)
		}
		return
	}
	n := len(all) + 1 // the text tokens and the end
	sub := make([]float32, n*row)
	for i, k := range all {
		copy(sub[i*row:(i+1)*row], a.attn[k*row:(k+1)*row])
	}
	endRow := all[len(all)-1] + 1
	copy(sub[len(all)*row:], a.attn[endRow*row:(endRow+1)*row])
	frames := int((length + TimestampStep - 1) / TimestampStep)
	first := alignFrames(sub, n, heads, frames)
	ws := m.splitWords(tokensAt(a.tokens, all), lang)
	b := 0
	for i := range ws {
		ws[i].start, ws[i].end = first[b], first[min(b+ws[i].n, n-1)]
		b += ws[i].n
	}
	mergePunctuation(ws)
	at := func(f int) time.Duration { return offset + time.Duration(f)*TimestampStep }
	w := 0
	for i := range segs {
		saved := 0
		for w < len(ws) && saved < len(pos[i]) {
			if ws[w].text != "" {
				word := Word{Text: ws[w].text, Start: at(ws[w].start), End: at(ws[w].end)}
				word.Start = min(max(word.Start, segs[i].Start), segs[i].End)
				word.End = min(max(word.End, word.Start), segs[i].End)
				segs[i].Words = append(segs[i].Words, word)
			}
			saved += ws[w].n
			w++
		}
	}
}

func tokensAt(tokens, pos []int) []int {
	out := make([]int, len(pos))
	for i, p := range pos {
		out[i] = tokens[p]
	}
	return out
}
