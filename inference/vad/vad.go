// Package vad finds speech in audio with Silero VAD v5 run by onnxruntime.
//
// The model reads 16 kHz mono audio in windows of 512 samples (32 ms), each
// preceded by the last 64 samples of the window before it (zeros before the
// first), and carries a recurrent state from one window to the next. It gives
// one speech probability per window. Segments turns those probabilities into
// speech segments with hysteresis, minimum durations, padding and a maximum
// length (Whisper reads at most 30 s at a time).
package vad

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference"
)

// SampleRate is the only sample rate the detector reads: 16 kHz mono.
const SampleRate = 16000

// WindowSamples is the number of new samples in each of the model's windows
// at 16 kHz; the detector gives one probability per window.
const WindowSamples = 512

// contextSamples is how many samples of the previous window the model sees
// before each window at 16 kHz.
const contextSamples = 64

// Window is the duration of one window.
const Window = time.Duration(WindowSamples) * time.Second / SampleRate

// Names of the Silero VAD v5 graph's inputs and outputs.
const (
	inAudio  = "input"
	inState  = "state"
	inRate   = "sr"
	outProb  = "output"
	outState = "stateN"
)

// Errors a caller can test for with errors.Is.
var (
	// ErrBadModel means the model file is not Silero VAD v5: it does not load
	// in onnxruntime, or its inputs and outputs are not v5's.
	ErrBadModel = errors.New("vad: not a silero vad v5 model")
	// ErrNonFinite means a sample is NaN or infinite.
	ErrNonFinite = errors.New("vad: non-finite sample")
	// ErrClosed means the detector was used after Close.
	ErrClosed = errors.New("vad: detector is closed")
)

// Options tune the detector. A zero field takes its default; for the
// durations, a negative value means none (no minimum, no padding, no
// maximum segment length).
type Options struct {
	// Threshold is the speech probability at or above which a window starts
	// (or continues) speech. Default 0.5.
	Threshold float32
	// NegThreshold is the probability below which speech counts as having
	// stopped (hysteresis). Default Threshold-0.15, at least 0.01.
	NegThreshold float32
	// MinSpeech is the shortest speech kept as a segment. Default 250 ms.
	MinSpeech time.Duration
	// MinSilence is the silence that ends a segment. Default 100 ms.
	MinSilence time.Duration
	// Pad is added to each side of a segment, never past the audio or into
	// the next segment (the gap is shared). Default 30 ms.
	Pad time.Duration
	// MaxSegment is the longest segment, padding included. Longer speech is
	// split, at the lowest-probability point (a pause where there is one) in
	// the second half of the allowed length. Default 30 s.
	MaxSegment time.Duration
	// Threads is the number of onnxruntime intra-op threads. Default 1: the
	// model is small and runs one window at a time.
	Threads int
	// Provider is the onnxruntime execution provider asked for; "" is auto.
	Provider inference.Provider
}

// DefaultOptions returns the options a zero Options stands for.
func DefaultOptions() Options {
	return Options{
		Threshold:    0.5,
		NegThreshold: 0.35,
		MinSpeech:    250 * time.Millisecond,
		MinSilence:   100 * time.Millisecond,
		Pad:          30 * time.Millisecond,
		MaxSegment:   30 * time.Second,
		Threads:      1,
	}
}

// resolve fills in defaults and checks the result.
func (o Options) resolve() (Options, error) {
	d := DefaultOptions()
	if o.Threshold == 0 {
		o.Threshold = d.Threshold
	}
	if o.NegThreshold == 0 {
		o.NegThreshold = max(o.Threshold-0.15, 0.01)
	}
	if o.MinSpeech == 0 {
		o.MinSpeech = d.MinSpeech
	}
	if o.MinSilence == 0 {
		o.MinSilence = d.MinSilence
	}
	if o.Pad == 0 {
		o.Pad = d.Pad
	}
	if o.MaxSegment == 0 {
		o.MaxSegment = d.MaxSegment
	}
	if o.Threads == 0 {
		o.Threads = d.Threads
	}
	o.MinSpeech = max(o.MinSpeech, 0)
	o.MinSilence = max(o.MinSilence, 0)
	o.Pad = max(o.Pad, 0)
	switch {
	case !(o.Threshold > 0 && o.Threshold < 1):
		return o, fmt.Errorf("vad: threshold %v is not between 0 and 1", o.Threshold)
	case !(o.NegThreshold > 0 && o.NegThreshold <= o.Threshold):
		return o, fmt.Errorf("vad: negative threshold %v is not between 0 and the threshold %v", o.NegThreshold, o.Threshold)
	case o.Threads < 0:
		return o, fmt.Errorf("vad: %d threads", o.Threads)
	case o.MaxSegment > 0 && o.MaxSegment < 2*o.Pad+4*Window:
		return o, fmt.Errorf("vad: maximum segment %v is too short for padding %v on each side", o.MaxSegment, o.Pad)
	}
	return o, nil
}

// Segment is a stretch of speech, in time from the start of the audio. In
// JSON it is {"start": seconds, "end": seconds}.
type Segment struct {
	Start time.Duration `json:"start"`
	End   time.Duration `json:"end"`
}

// Duration returns the segment's length.
func (s Segment) Duration() time.Duration { return s.End - s.Start }

// Samples returns the segment's bounds as sample indexes at 16 kHz, for
// slicing the audio the segment was found in.
func (s Segment) Samples() (start, end int) {
	return durationToSamples(s.Start), durationToSamples(s.End)
}

// MarshalJSON writes the bounds in seconds, to the millisecond.
func (s Segment) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"start":%.3f,"end":%.3f}`, s.Start.Seconds(), s.End.Seconds()), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Segment) UnmarshalJSON(b []byte) error {
	var v struct{ Start, End float64 }
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("vad: segment: %w", err)
	}
	if math.IsNaN(v.Start) || math.IsNaN(v.End) || math.Abs(v.Start) > 1e9 || math.Abs(v.End) > 1e9 {
		return fmt.Errorf("vad: segment: bad bounds %v, %v", v.Start, v.End)
	}
	s.Start = time.Duration(math.Round(v.Start * float64(time.Second)))
	s.End = time.Duration(math.Round(v.End * float64(time.Second)))
	return nil
}

func samplesToDuration(n int) time.Duration {
	return time.Duration(int64(n) * int64(time.Second) / SampleRate)
}

func durationToSamples(d time.Duration) int {
	return int((int64(d)*SampleRate + int64(time.Second)/2) / int64(time.Second))
}

// Detector finds speech with one onnxruntime session of Silero VAD v5. It is
// safe for concurrent use: each call keeps its own recurrent state.
type Detector struct {
	opts Options
	path string

	mu   sync.RWMutex // held for reading by every run, for writing by Close
	sess *ort.DynamicAdvancedSession

	provider inference.Provider
}

// Provider is the execution provider the model runs on.
func (d *Detector) Provider() inference.Provider { return d.provider }

// Open loads the Silero VAD v5 model at modelPath (see
// inference.Locator.FindVADModel) in rt. A missing file, a file onnxruntime
// cannot load, or a model whose inputs and outputs are not v5's is an error
// naming the file.
func Open(rt *inference.Runtime, modelPath string, o Options) (*Detector, error) {
	opts, err := o.resolve()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, fmt.Errorf("vad: read model: %w", err)
	}
	if err := rt.Init(); err != nil {
		return nil, fmt.Errorf("vad: load %s: %w", modelPath, err)
	}
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s does not load in onnxruntime: %w", ErrBadModel, modelPath, err)
	}
	if err := checkSignature(ins, outs); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadModel, modelPath, err)
	}
	var sess *ort.DynamicAdvancedSession
	prov, err := rt.CreateSession(opts.Provider, opts.Threads, func(so *ort.SessionOptions) error {
		var err error
		sess, err = ort.NewDynamicAdvancedSessionWithONNXData(data,
			[]string{inAudio, inState, inRate}, []string{outProb, outState}, so)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: create session: %w", ErrBadModel, modelPath, err)
	}
	d := &Detector{opts: opts, path: modelPath, sess: sess, provider: prov}
	// One window of silence through the model: a model that declares v5's
	// inputs and outputs but computes something else (another state size,
	// not a probability) is refused now rather than at the first recording.
	if _, _, err := d.run(context.Background(), &sliceReader{make([]float32, WindowSamples)}, WindowSamples, nil); err != nil {
		d.Close()
		return nil, fmt.Errorf("%w: %s: trial run: %w", ErrBadModel, modelPath, err)
	}
	return d, nil
}

// want is one declared input or output the detector relies on; -1 in dims
// is any size (a symbolic dimension in the model also matches any size).
type want struct {
	name string
	typ  ort.TensorElementDataType
	dims []int64
}

// checkSignature compares a model's inputs and outputs with Silero VAD v5's.
func checkSignature(ins, outs []ort.InputOutputInfo) error {
	wantInputs := []want{
		{inAudio, ort.TensorElementDataTypeFloat, []int64{-1, -1}},
		{inState, ort.TensorElementDataTypeFloat, []int64{2, -1, 128}},
		{inRate, ort.TensorElementDataTypeInt64, []int64{}},
	}
	wantOutputs := []want{
		{outProb, ort.TensorElementDataTypeFloat, []int64{-1, 1}},
		{outState, ort.TensorElementDataTypeFloat, []int64{-1, -1, -1}},
	}
	check := func(kind string, got []ort.InputOutputInfo, wants []want) error {
		if len(got) != len(wants) {
			return fmt.Errorf("%d %ss (%s), v5 has %d (%s)", len(got), kind, infoNames(got), len(wants), wantNames(wants))
		}
		for _, w := range wants {
			i := slices.IndexFunc(got, func(g ort.InputOutputInfo) bool { return g.Name == w.name })
			if i < 0 {
				return fmt.Errorf("no %s %q (it has %s)", kind, w.name, infoNames(got))
			}
			g := got[i]
			if g.OrtValueType != ort.ONNXTypeTensor || g.DataType != w.typ {
				return fmt.Errorf("%s %q is %s %s, v5's is a %s tensor", kind, w.name, g.OrtValueType, g.DataType, w.typ)
			}
			if !dimsMatch(g.Dimensions, w.dims) {
				return fmt.Errorf("%s %q has shape %v, v5's is %v", kind, w.name, []int64(g.Dimensions), w.dims)
			}
		}
		return nil
	}
	if err := check("input", ins, wantInputs); err != nil {
		return err
	}
	return check("output", outs, wantOutputs)
}

func dimsMatch(got ort.Shape, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i, w := range want {
		if w >= 0 && got[i] >= 0 && got[i] != w {
			return false
		}
	}
	return true
}

func infoNames(infos []ort.InputOutputInfo) string {
	names := make([]string, len(infos))
	for i, x := range infos {
		names[i] = fmt.Sprintf("%q", x.Name)
	}
	return fmt.Sprint(names)
}

func wantNames(ws []want) string {
	names := make([]string, len(ws))
	for i, x := range ws {
		names[i] = fmt.Sprintf("%q", x.name)
	}
	return fmt.Sprint(names)
}

// Options returns the options in effect, defaults filled in.
func (d *Detector) Options() Options { return d.opts }

// Close releases the onnxruntime session. Later calls fail with ErrClosed;
// closing twice is not an error.
func (d *Detector) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sess == nil {
		return nil
	}
	err := d.sess.Destroy()
	d.sess = nil
	if err != nil {
		return fmt.Errorf("vad: close %s: %w", d.path, err)
	}
	return nil
}

// Probabilities returns the speech probability of each 512-sample window of
// samples (16 kHz mono, in [-1, 1]); a last partial window is padded with
// silence. Each call starts from a fresh model state.
func (d *Detector) Probabilities(samples []float32) ([]float32, error) {
	return d.ProbabilitiesContext(context.Background(), samples, nil)
}

// ProbabilitiesContext is Probabilities with cancellation and progress:
// when ctx ends the error wraps ctx.Err(); progress, if not nil, is called
// about once per second of audio with the number of samples read so far and
// len(samples), and once at the end with both equal. It runs on the
// caller's goroutine and must not call Close.
func (d *Detector) ProbabilitiesContext(ctx context.Context, samples []float32, progress func(done, total int)) ([]float32, error) {
	probs, _, err := d.ProbabilitiesReader(ctx, &sliceReader{samples}, len(samples), progress)
	return probs, err
}

// Reader gives 16 kHz mono samples in [-1, 1] a chunk at a time, as
// audio.Stream does: Read fills p with the next samples and returns how
// many, and io.EOF once there are no more.
type Reader interface {
	Read(p []float32) (int, error)
}

// sliceReader reads a slice.
type sliceReader struct{ s []float32 }

func (r *sliceReader) Read(p []float32) (int, error) {
	if len(r.s) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.s)
	r.s = r.s[n:]
	return n, nil
}

// ProbabilitiesReader is ProbabilitiesContext over the samples r gives up
// to io.EOF, one window at a time: it keeps the probabilities (4 bytes per
// 32 ms of audio), not the samples, so a long file can be read in little
// memory. total is the expected number of samples, for progress only (0
// when unknown). It returns the probabilities and the number of samples
// read; an error from r other than io.EOF ends it and is returned as it is.
func (d *Detector) ProbabilitiesReader(ctx context.Context, r Reader, total int, progress func(done, total int)) ([]float32, int, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.sess == nil {
		return nil, 0, ErrClosed
	}
	probs, n, err := d.run(ctx, r, total, progress)
	var se sourceError
	switch {
	case errors.As(err, &se):
		return nil, n, se.error
	case err != nil:
		return nil, n, fmt.Errorf("vad: %w", err)
	}
	return probs, n, nil
}

// sourceError is an error of the Reader that run reads.
type sourceError struct{ error }

// run computes the probabilities of the samples r gives with d.sess, which
// the caller keeps open, and counts the samples.
func (d *Detector) run(ctx context.Context, r Reader, total int, progress func(done, total int)) ([]float32, int, error) {
	probs := make([]float32, 0, max(0, total)/WindowSamples+1)
	// The state ping-pongs between two tensors: each window reads one and
	// writes the other, so nothing is copied.
	in, err := ort.NewEmptyTensor[float32](ort.NewShape(1, contextSamples+WindowSamples))
	if err != nil {
		return nil, 0, fmt.Errorf("input tensor: %w", err)
	}
	defer in.Destroy()
	var states [2]*ort.Tensor[float32]
	for i := range states {
		states[i], err = ort.NewEmptyTensor[float32](ort.NewShape(2, 1, 128))
		if err != nil {
			return nil, 0, fmt.Errorf("state tensor: %w", err)
		}
		defer states[i].Destroy()
	}
	rate, err := ort.NewScalar(int64(SampleRate))
	if err != nil {
		return nil, 0, fmt.Errorf("rate tensor: %w", err)
	}
	defer rate.Destroy()
	out, err := ort.NewEmptyTensor[float32](ort.NewShape(1, 1))
	if err != nil {
		return nil, 0, fmt.Errorf("output tensor: %w", err)
	}
	defer out.Destroy()

	buf, prob := in.GetData(), out.GetData()
	const reportEvery = SampleRate / WindowSamples // about once a second of audio
	done := 0
	for w := 0; ; w++ {
		if w%reportEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, done, err
			}
			if progress != nil && (w > 0 || total > 0) {
				progress(done, max(total, done))
			}
		}
		// buf holds the previous window's last 64 samples (zeros at first)
		// followed by this window.
		if w > 0 {
			copy(buf[:contextSamples], buf[WindowSamples:])
		}
		m, rerr := readWindow(r, buf[contextSamples:])
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return nil, done, sourceError{rerr}
		}
		if m == 0 {
			break
		}
		if err := checkSamples(buf[contextSamples:contextSamples+m], done); err != nil {
			return nil, done, err
		}
		clear(buf[contextSamples+m:])
		cur, next := states[w%2], states[(w+1)%2]
		if err := d.sess.Run([]ort.Value{in, cur, rate}, []ort.Value{out, next}); err != nil {
			return nil, done, fmt.Errorf("run model at %v: %w", samplesToDuration(done), err)
		}
		p := prob[0]
		if !(p >= 0 && p <= 1) {
			return nil, done, fmt.Errorf("model gave the probability %v at %v", p, samplesToDuration(done))
		}
		probs = append(probs, p)
		done += m
		if rerr != nil {
			break
		}
	}
	if progress != nil {
		progress(done, done)
	}
	return probs, done, nil
}

// readWindow fills p from r, short only at the end of r (io.EOF) or on an
// error.
func readWindow(r Reader, p []float32) (int, error) {
	n := 0
	for idle := 0; n < len(p); {
		k, err := r.Read(p[n:])
		n += k
		if err != nil {
			return n, err
		}
		if k > 0 {
			idle = 0
		} else if idle++; idle > 100 {
			return n, io.ErrNoProgress
		}
	}
	return n, nil
}

// checkSamples checks that the samples from sample number offset on are
// finite.
func checkSamples(samples []float32, offset int) error {
	for i, s := range samples {
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("%w: sample %d (%v) is %v", ErrNonFinite, offset+i, samplesToDuration(offset+i), s)
		}
	}
	return nil
}

// Segments returns the speech in samples (16 kHz mono, in [-1, 1]), in
// order, none overlapping and none longer than Options.MaxSegment.
func (d *Detector) Segments(samples []float32) ([]Segment, error) {
	return d.SegmentsContext(context.Background(), samples, nil)
}

// SegmentsContext is Segments with cancellation and progress (see
// ProbabilitiesContext).
func (d *Detector) SegmentsContext(ctx context.Context, samples []float32, progress func(done, total int)) ([]Segment, error) {
	segs, _, err := d.SegmentsReader(ctx, &sliceReader{samples}, len(samples), progress)
	return segs, err
}

// SegmentsReader is SegmentsContext over the samples r gives up to io.EOF,
// which it does not keep (see ProbabilitiesReader). It returns the
// segments and the number of samples read.
func (d *Detector) SegmentsReader(ctx context.Context, r Reader, total int, progress func(done, total int)) ([]Segment, int, error) {
	probs, n, err := d.ProbabilitiesReader(ctx, r, total, progress)
	if err != nil {
		return nil, n, err
	}
	segs, err := SegmentsFromProbabilities(probs, n, d.opts)
	return segs, n, err
}
