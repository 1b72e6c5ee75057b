package vad

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/onnxgen"
)

// The tests run the real model in the real onnxruntime on speech made by
// espeak-ng: testdata/utt*.wav, written by testdata/gen.go (16 kHz mono).
// Each test builds its audio from those utterances, inserting silences and
// noise whose places are known, so the true speech boundaries come from the
// construction.

var shared inferencetest.Shared

func TestMain(m *testing.M) { shared.Main(m) }

// tolerance is how far a detected boundary may be from the true one.
const tolerance = 150 * time.Millisecond

// speechFloor is the amplitude above which a sample of an utterance counts
// as speech (−40 dBFS): espeak-ng adds short quiet stretches of its own at
// each end, which are not speech.
const speechFloor = 0.01

func modelPath(tb testing.TB) string {
	tb.Helper()
	p, err := inference.NewLocator("", inference.EnvVADModel).FindVADModel()
	if err != nil {
		tb.Fatalf("the Silero VAD model is needed (run `make deps`): %v", err)
	}
	return p
}

func openDetector(tb testing.TB, o Options) *Detector {
	tb.Helper()
	d, err := Open(shared.Runtime(tb), modelPath(tb), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := d.Close(); err != nil {
			tb.Error(err)
		}
	})
	return d
}

// utterance is one fixture: its samples and the span [first, last] of its
// samples above speechFloor.
type utterance struct {
	name        string
	samples     []float32
	first, last int
}

func loadUtterances(tb testing.TB) []utterance {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "utt*.wav"))
	if err != nil || len(paths) < 5 {
		tb.Fatalf("want testdata/utt1.wav … utt5.wav (go run testdata/gen.go), found %v (%v)", paths, err)
	}
	slices.Sort(paths)
	us := make([]utterance, len(paths))
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		clip, err := audio.DecodeWAV(data)
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		if clip.Rate != SampleRate || clip.Channels != 1 {
			tb.Fatalf("%s: %d Hz × %d channels, want 16 kHz mono", p, clip.Rate, clip.Channels)
		}
		u := utterance{name: filepath.Base(p), samples: clip.Samples, first: -1}
		for j, s := range clip.Samples {
			if math.Abs(float64(s)) > speechFloor {
				if u.first < 0 {
					u.first = j
				}
				u.last = j
			}
		}
		if u.first < 0 {
			tb.Fatalf("%s: no sample above %v", p, speechFloor)
		}
		us[i] = u
	}
	return us
}

func silence(d time.Duration) []float32 { return make([]float32, durationToSamples(d)) }

// compose lays out lead silence, the utterances with gaps[i] of silence
// after utterance i, and trail silence. It returns the audio and where each
// utterance's speech truly is.
func compose(lead time.Duration, us []utterance, gaps []time.Duration, trail time.Duration) ([]float32, []Segment) {
	x := silence(lead)
	var truth []Segment
	for i, u := range us {
		off := len(x)
		truth = append(truth, Segment{samplesToDuration(off + u.first), samplesToDuration(off + u.last + 1)})
		x = append(x, u.samples...)
		if i < len(gaps) {
			x = append(x, silence(gaps[i])...)
		}
	}
	return append(x, silence(trail)...), truth
}

// addNoise adds white Gaussian noise of standard deviation std, from a fixed
// seed, in place.
func addNoise(x []float32, std float64, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 0x5a40))
	for i := range x {
		x[i] += float32(r.NormFloat64() * std)
	}
	return x
}

func scale(x []float32, g float32) []float32 {
	for i := range x {
		x[i] *= g
	}
	return x
}

// checkSegments fails unless got has one segment per true segment with each
// boundary within tol, and logs every boundary's error.
func checkSegments(t *testing.T, got, truth []Segment, tol time.Duration) {
	t.Helper()
	if len(got) != len(truth) {
		t.Fatalf("got %d segments %v, want %d near %v", len(got), got, len(truth), truth)
	}
	var errs []string
	for i := range truth {
		for _, b := range []struct {
			name       string
			got, truth time.Duration
		}{{"start", got[i].Start, truth[i].Start}, {"end", got[i].End, truth[i].End}} {
			e := b.got - b.truth
			errs = append(errs, fmt.Sprintf("%d.%s %+dms", i+1, b.name, e.Milliseconds()))
			if e.Abs() > tol {
				t.Errorf("segment %d %s at %v, the speech's is at %v: off by %v, more than %v",
					i+1, b.name, b.got, b.truth, e, tol)
			}
		}
	}
	t.Logf("boundary errors (detected − true): %s", strings.Join(errs, ", "))
}

func TestDetector_Segments(t *testing.T) {
	us := loadUtterances(t)
	gaps := []time.Duration{800 * time.Millisecond, 1500 * time.Millisecond, 2 * time.Second, time.Second}
	for _, tc := range []struct {
		name string
		o    Options
		// edit changes the composed audio; the true boundaries stay.
		edit func([]float32) []float32
		tol  time.Duration
	}{
		{"clean", Options{}, func(x []float32) []float32 { return x }, tolerance},
		// White noise at about −50 dBFS under full-level speech (30 dB SNR).
		{"low noise", Options{}, func(x []float32) []float32 { return addNoise(x, 0.003, 1) }, tolerance},
		{"quiet speech", Options{}, func(x []float32) []float32 { return scale(x, 0.1) }, tolerance}, // 20 dB down
		// Noisier (−40 dBFS), the default 100 ms MinSilence splits
		// utterances at pauses between words for about half the noise
		// seeds; 200 ms kept all five whole for each of 20 seeds. Ends run
		// on into the noise: 148 ms late here, up to 204 ms at −34 dBFS.
		{"noise, longer MinSilence", Options{MinSilence: 200 * time.Millisecond},
			func(x []float32) []float32 { return addNoise(x, 0.01, 3) }, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, truth := compose(1200*time.Millisecond, us, gaps, 1500*time.Millisecond)
			got, err := openDetector(t, tc.o).Segments(tc.edit(x))
			if err != nil {
				t.Fatal(err)
			}
			checkSegments(t, got, truth, tc.tol)
		})
	}
}

func TestDetector_Segments_noSpeech(t *testing.T) {
	d := openDetector(t, Options{})
	for _, tc := range []struct {
		name    string
		samples []float32
	}{
		{"empty", nil},
		{"one sample", []float32{0.1}},
		{"silence", silence(5 * time.Second)},
		{"white noise", addNoise(silence(5*time.Second), 0.05, 7)}, // about −26 dBFS
		{"loud white noise", addNoise(silence(3*time.Second), 0.2, 8)},
		{"hum", hum(3*time.Second, 50, 0.3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Segments(tc.samples)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 {
				t.Errorf("got %v, want no speech", got)
			}
		})
	}
}

// hum is a mains hum: a sine at f Hz with its first harmonics.
func hum(d time.Duration, f, amp float64) []float32 {
	x := silence(d)
	for i := range x {
		t := float64(i) / SampleRate
		x[i] = float32(amp * (0.6*math.Sin(2*math.Pi*f*t) + 0.3*math.Sin(4*math.Pi*f*t) + 0.1*math.Sin(6*math.Pi*f*t)))
	}
	return x
}

// longSpeech is the utterances' speech back to back, rounds times, with
// only gap between them: one stretch of speech as far as the VAD goes.
func longSpeech(us []utterance, rounds int, gap time.Duration) []float32 {
	x := silence(500 * time.Millisecond)
	for range rounds {
		for _, u := range us {
			x = append(x, u.samples[u.first:u.last+1]...)
			x = append(x, silence(gap)...)
		}
	}
	return append(x, silence(500*time.Millisecond)...)
}

func TestDetector_Segments_maxSegment(t *testing.T) {
	us := loadUtterances(t)
	x := longSpeech(us, 3, 40*time.Millisecond)
	total := samplesToDuration(len(x))
	probs, err := openDetector(t, Options{}).Probabilities(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []time.Duration{30 * time.Second, 10 * time.Second, 4 * time.Second} {
		t.Run(limit.String(), func(t *testing.T) {
			o := Options{MaxSegment: limit}
			got, err := SegmentsFromProbabilities(probs, len(x), o)
			if err != nil {
				t.Fatal(err)
			}
			if limit == 30*time.Second { // the whole path once, through Segments
				direct, err := openDetector(t, o).Segments(x)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(direct, got) {
					t.Fatalf("Segments gave %v, SegmentsFromProbabilities %v", direct, got)
				}
			}
			t.Logf("%v of audio, maximum %v: %d segments %v", total, limit, len(got), got)
			if want := int(math.Ceil(float64(total-time.Second) / float64(limit))); len(got) < want {
				t.Errorf("%d segments, want at least %d", len(got), want)
			}
			checkOrdered(t, got, total)
			var speech, covered time.Duration
			for _, s := range got {
				if s.Duration() > limit {
					t.Errorf("segment %v lasts %v, more than %v", s, s.Duration(), limit)
				}
				covered += s.Duration()
			}
			speech = total - time.Second
			// A cut may leave out the pause it is made in, nothing more.
			if covered < speech*95/100 {
				t.Errorf("segments cover %v of %v of speech", covered, speech)
			}
			// Where the cuts fell: the lowest probability within two
			// windows of each.
			var cuts []string
			for i := 1; i < len(got); i++ {
				w := int(got[i].Start / Window)
				low := slices.Min(probs[max(w-2, 0):min(w+3, len(probs))])
				cuts = append(cuts, fmt.Sprintf("%v (%.2f)", got[i].Start, low))
				// With room to choose (10 s and more hold several
				// sentences), every cut finds a dip the model hears as no speech.
				if limit >= 10*time.Second && low >= 0.5 {
					t.Errorf("cut at %v, where the lowest probability nearby is %.2f: not a pause", got[i].Start, low)
				}
			}
			t.Logf("cuts: %s", strings.Join(cuts, ", "))
		})
	}
}

// checkOrdered fails unless segs are in order, non-empty, non-overlapping
// and within [0, total].
func checkOrdered(t *testing.T, segs []Segment, total time.Duration) {
	t.Helper()
	for i, s := range segs {
		if s.Start < 0 || s.End > total || s.Start >= s.End {
			t.Errorf("segment %d %v is empty or outside [0, %v]", i, s, total)
		}
		if i > 0 && s.Start < segs[i-1].End {
			t.Errorf("segment %d %v overlaps %v", i, s, segs[i-1])
		}
	}
}

func TestDetector_Probabilities(t *testing.T) {
	d := openDetector(t, Options{})
	us := loadUtterances(t)
	x, truth := compose(time.Second, us[:1], nil, time.Second)
	p1, err := d.Probabilities(x)
	if err != nil {
		t.Fatal(err)
	}
	if want := (len(x) + WindowSamples - 1) / WindowSamples; len(p1) != want {
		t.Fatalf("%d probabilities for %d samples, want %d", len(p1), len(x), want)
	}
	// Fresh state per call: the same audio gives the same probabilities.
	p2, err := d.Probabilities(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p1, p2) {
		t.Error("a second call on the same audio gave other probabilities")
	}
	// Speech is speech, the silence around it is not.
	var inSpeech, outside []float32
	for w, p := range p1 {
		at := time.Duration(w) * Window
		switch {
		case at > truth[0].Start+200*time.Millisecond && at+Window < truth[0].End-200*time.Millisecond:
			inSpeech = append(inSpeech, p)
		case at+Window < truth[0].Start-100*time.Millisecond || at > truth[0].End+200*time.Millisecond:
			outside = append(outside, p)
		}
	}
	if m := mean(inSpeech); m < 0.8 {
		t.Errorf("mean probability %.3f inside speech, want ≥ 0.8", m)
	}
	if m := slices.Max(outside); m > 0.1 {
		t.Errorf("probability %.3f in silence, want ≤ 0.1", m)
	}
}

func mean(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s / float64(len(x))
}

func TestDetector_Probabilities_nonFinite(t *testing.T) {
	d := openDetector(t, Options{})
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		x := silence(time.Second)
		x[1234] = bad
		for name, f := range map[string]func([]float32) error{
			"Probabilities": func(x []float32) error { _, err := d.Probabilities(x); return err },
			"Segments":      func(x []float32) error { _, err := d.Segments(x); return err },
		} {
			err := f(x)
			if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "1234") {
				t.Errorf("%s with %v at 1234: error %v, want ErrNonFinite naming sample 1234", name, bad, err)
			}
		}
	}
}

func TestDetector_SegmentsContext(t *testing.T) {
	d := openDetector(t, Options{})
	us := loadUtterances(t)
	x, _ := compose(time.Second, us[:2], []time.Duration{time.Second}, time.Second)

	var calls [][2]int
	if _, err := d.SegmentsContext(context.Background(), x, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 3 || calls[len(calls)-1] != [2]int{len(x), len(x)} {
		t.Fatalf("progress calls %v: want several, the last (%d, %d)", calls, len(x), len(x))
	}
	for i, c := range calls {
		if c[1] != len(x) || (i > 0 && c[0] < calls[i-1][0]) {
			t.Fatalf("progress calls %v are not steps towards %d", calls, len(x))
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err := d.SegmentsContext(ctx, x, func(done, total int) {
		if done > total/2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled midway: error %v, want context.Canceled", err)
	}
}

func TestDetector_concurrent(t *testing.T) {
	d := openDetector(t, Options{})
	us := loadUtterances(t)
	inputs := make([][]float32, 4)
	want := make([][]Segment, len(inputs))
	for i := range inputs {
		inputs[i], _ = compose(time.Duration(i)*300*time.Millisecond, us[i:i+2], []time.Duration{time.Second}, time.Second)
		var err error
		if want[i], err = d.Segments(inputs[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	got := make([][]Segment, len(inputs))
	errs := make([]error, len(inputs))
	for i := range inputs {
		wg.Go(func() { got[i], errs[i] = d.Segments(inputs[i]) })
	}
	wg.Wait()
	for i := range inputs {
		if errs[i] != nil || !slices.Equal(got[i], want[i]) {
			t.Errorf("input %d run concurrently: %v, %v; alone: %v", i, got[i], errs[i], want[i])
		}
	}
}

func TestDetector_Close(t *testing.T) {
	d, err := Open(shared.Runtime(t), modelPath(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := d.Segments(silence(time.Second)); !errors.Is(err, ErrClosed) {
		t.Errorf("Segments after Close: %v, want ErrClosed", err)
	}
}

// wrongModel writes an ONNX model that loads in onnxruntime but whose inputs
// and outputs are not Silero VAD v5's.
func wrongModel(t *testing.T, inputs []onnxgen.Value) string {
	t.Helper()
	var nodes []onnxgen.Node
	var outputs []onnxgen.Value
	for _, in := range inputs {
		out := onnxgen.Value{Name: in.Name + "_out", Type: in.Type, Dims: in.Dims}
		nodes = append(nodes, onnxgen.Node{Op: "Identity", Inputs: []string{in.Name}, Outputs: []string{out.Name}})
		outputs = append(outputs, out)
	}
	return writeModel(t, onnxgen.Graph{Name: "wrong", Nodes: nodes, Inputs: inputs, Outputs: outputs})
}

func writeModel(t *testing.T, g onnxgen.Graph) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), g.Name+".onnx")
	if err := os.WriteFile(p, onnxgen.Model{Graph: g}.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpen_errors(t *testing.T) {
	rt := shared.Runtime(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.onnx")
	if err := os.WriteFile(text, []byte("this is not a model\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	batch := onnxgen.Dim{Param: "batch"}
	v4 := wrongModel(t, []onnxgen.Value{ // Silero v4's separate LSTM states
		{Name: "input", Type: onnxgen.Float, Dims: []onnxgen.Dim{batch, {Param: "n"}}},
		{Name: "sr", Type: onnxgen.Int64},
		{Name: "h", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Size: 2}, batch, {Size: 64}}},
		{Name: "c", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Size: 2}, batch, {Size: 64}}},
	})
	smallState := wrongModel(t, []onnxgen.Value{
		{Name: "input", Type: onnxgen.Float, Dims: []onnxgen.Dim{batch, {Param: "n"}}},
		{Name: "state", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Size: 2}, batch, {Size: 64}}},
		{Name: "sr", Type: onnxgen.Int64},
	})
	lookAlike := writeModel(t, onnxgen.Graph{ // v5's declared signature, a state of 64
		Name: "look-alike",
		Nodes: []onnxgen.Node{
			{Op: "ReduceMean", Inputs: []string{"input"}, Outputs: []string{"output"},
				Attrs: []onnxgen.Attr{onnxgen.AttrInts("axes", 1), onnxgen.AttrInt("keepdims", 1)}},
			{Op: "Identity", Inputs: []string{"small"}, Outputs: []string{"stateN"}},
		},
		Initializers: []onnxgen.Tensor{{Name: "small", Type: onnxgen.Float, Dims: []int64{2, 1, 64}, Floats: make([]float32, 128)}},
		Inputs: []onnxgen.Value{
			{Name: "input", Type: onnxgen.Float, Dims: []onnxgen.Dim{batch, {Param: "n"}}},
			{Name: "state", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Size: 2}, batch, {Size: 128}}},
			{Name: "sr", Type: onnxgen.Int64},
		},
		Outputs: []onnxgen.Value{
			{Name: "output", Type: onnxgen.Float, Dims: []onnxgen.Dim{batch, {Size: 1}}},
			{Name: "stateN", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "a"}, {Param: "b"}, {Param: "c"}}},
		},
	})
	for _, tc := range []struct {
		name, path string
		o          Options
		is         error
		says       []string
	}{
		{"missing", filepath.Join(dir, "nowhere.onnx"), Options{}, fs.ErrNotExist, []string{"nowhere.onnx"}},
		{"text file", text, Options{}, ErrBadModel, []string{text, "does not load"}},
		{"silero v4", v4, Options{}, ErrBadModel, []string{v4, "4 inputs"}},
		{"wrong state", smallState, Options{}, ErrBadModel, []string{smallState, `"state"`, "[2 -1 64]"}},
		{"v5 look-alike", lookAlike, Options{}, ErrBadModel, []string{lookAlike, "trial run"}},
		{"threshold", modelPath(t), Options{Threshold: 1.5}, nil, []string{"threshold 1.5"}},
		{"negative threshold", modelPath(t), Options{Threshold: 0.4, NegThreshold: 0.6}, nil, []string{"negative threshold"}},
		{"max segment", modelPath(t), Options{MaxSegment: 100 * time.Millisecond}, nil, []string{"maximum segment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Open(rt, tc.path, tc.o)
			if err == nil {
				d.Close()
				t.Fatal("no error")
			}
			t.Log(err)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want one that is %v", err, tc.is)
			}
			for _, s := range append(tc.says, "vad: ") {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestSegment_MarshalJSON(t *testing.T) {
	s := Segment{Start: 1500 * time.Millisecond, End: 2*time.Second + 250*time.Millisecond}
	b, err := json.Marshal([]Segment{s})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"start":1.500,"end":2.250}]`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var back []Segment
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 1 || back[0] != s {
		t.Errorf("read back %v, %v; want %v", back, err, s)
	}
}

// BenchmarkSegments_1min times voice activity detection on a minute of
// audio: the utterances with pauses, repeated.
func BenchmarkSegments_1min(b *testing.B) {
	d := openDetector(b, Options{})
	us := loadUtterances(b)
	var x []float32
	for len(x) < SampleRate*60 {
		part, _ := compose(700*time.Millisecond, us, []time.Duration{time.Second, 2 * time.Second, 500 * time.Millisecond, time.Second}, 0)
		x = append(x, part...)
	}
	x = x[:SampleRate*60]
	for b.Loop() {
		if _, err := d.Segments(x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/min-audio")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(x)/WindowSamples), "µs/window")
}

// chunkReader gives its samples in chunks of varying sizes, then err.
type chunkReader struct {
	s    []float32
	step int
	err  error
}

func (r *chunkReader) Read(p []float32) (int, error) {
	if len(r.s) == 0 {
		return 0, r.err
	}
	r.step = r.step*7%997 + 1
	n := copy(p[:min(len(p), r.step)], r.s)
	r.s = r.s[n:]
	return n, nil
}

// Read in chunks of any size, a stream gives the probabilities, segments
// and length that the whole slice gives; a reader's error other than
// io.EOF is returned as it is.
func TestDetector_SegmentsReader(t *testing.T) {
	d := openDetector(t, Options{})
	us := loadUtterances(t)
	x, _ := compose(time.Second, us[:2], []time.Duration{700 * time.Millisecond}, 777*time.Millisecond)
	whole, err := d.Probabilities(x)
	if err != nil {
		t.Fatal(err)
	}
	streamed, n, err := d.ProbabilitiesReader(context.Background(), &chunkReader{s: x, err: io.EOF}, 0, nil)
	if err != nil || n != len(x) || !slices.Equal(whole, streamed) {
		t.Fatalf("streamed %d probabilities of %d samples (%v), the slice gives %d of %d", len(streamed), n, err, len(whole), len(x))
	}
	wantSegs, err := d.Segments(x)
	if err != nil {
		t.Fatal(err)
	}
	var calls, last int
	segs, n, err := d.SegmentsReader(context.Background(), &chunkReader{s: x, err: io.EOF}, len(x)/2, func(done, total int) {
		calls++
		if total < done {
			t.Errorf("progress %d of %d", done, total)
		}
		last = done
	})
	if err != nil || n != len(x) || !slices.Equal(segs, wantSegs) || len(wantSegs) != 2 {
		t.Fatalf("streamed segments %v of %d samples (%v), the slice gives %v", segs, n, err, wantSegs)
	}
	if calls < 2 || last != len(x) {
		t.Errorf("progress called %d times, last at %d of %d samples", calls, last, len(x))
	}
	broken := errors.New("the file is cut short")
	if _, _, err := d.SegmentsReader(context.Background(), &chunkReader{s: x[:5000], err: broken}, 0, nil); err != broken {
		t.Errorf("a reader's error came back as %v", err)
	}
	nan := append(append([]float32(nil), x[:3000]...), float32(math.NaN()))
	if _, _, err := d.SegmentsReader(context.Background(), &chunkReader{s: nan, err: io.EOF}, 0, nil); !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "sample 3000") {
		t.Errorf("a NaN at sample 3000: %v", err)
	}
}
