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
				next = start + int(int64(d.seek)*SampleRate/int64(time.Second))
			}
			start = next
			if progress != nil {
				progress(ms(start), ms(total))
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
	if !m.opts.Timestamps {
		s := base
		s.Start, s.End, s.Text = offset, offset+length, strings.TrimSpace(a.text)
		if s.Text != "" {
			d.segments = []Segment{s}
		}
		return d, nil
	}
	tsBegin := m.voc.timestampBegin
	at := func(tok int) time.Duration { return offset + time.Duration(tok-tsBegin)*TimestampStep }
	end := offset + length
	start := -1
	var text []int
	var lastEnd int = -1
	for _, t := range a.tokens {
		if t < tsBegin {
			text = append(text, t)
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
			d.segments = append(d.segments, s)
		}
		start, text, lastEnd = -1, nil, t
	}
	if len(text) > 0 {
		if seek && lastEnd >= 0 {
			d.seek = time.Duration(lastEnd-tsBegin) * TimestampStep
			return d, nil
		}
		s := base
		s.Start, s.End, s.Text = offset, end, strings.TrimSpace(m.text(text))
		if start >= 0 {
			s.Start = at(start)
		}
		if s.Start < end {
			d.segments = append(d.segments, s)
		}
	}
	return d, nil
}
