package whisper

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/whisper/whispertest"
)

// bareTokens is the number of cached decoder steps of a bare window, as
// BenchmarkWindow_30s's MaxTokens.
const bareTokens = 100

// bareWindow is the baseline that BenchmarkWindow_30s compares SAMO with:
// the same random-weight whisper-base int8 encoder and merged decoder run
// with onnxruntime_go directly, as a careful user of onnxruntime would run
// them, with the least Go work per token: the same session options as
// SAMO's (2 intra-op threads, 1 inter-op thread, onnxruntime's default
// graph optimisation), every input and output tensor created before the
// first window (one set of self-attention cache tensors per cache length,
// over two buffers that the steps write in turn), the token picked by a
// plain argmax over the logits row.
type bareWindow struct {
	enc, dec   *ort.DynamicAdvancedSession
	encIn      []ort.Value // input_features
	encOut     []ort.Value // last_hidden_state
	ids        *ort.Tensor[int64]
	promptIDs  *ort.Tensor[int64]
	prompt     []int64
	promptIn   []ort.Value
	promptOut  []ort.Value
	stepIn     [][]ort.Value // per cached step
	stepOut    [][]ort.Value
	logits     []float32 // the step's logits row [vocab]
	promptLast []float32 // the prompt's last logits row
	made       []ort.Value
}

// newBareWindow opens the model files of a random model folder dir
// (written by whispertest.WriteRandom) for windows of features, feeding
// prompt before bareTokens greedy steps.
func newBareWindow(dir string, spec whispertest.RandomSpec, feats []float32, prompt []int) (*bareWindow, error) {
	encName, decName := whispertest.RandomFiles(spec)
	encPath, decPath := filepath.Join(dir, "onnx", encName), filepath.Join(dir, "onnx", decName)
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	if err := so.SetIntraOpNumThreads(2); err != nil {
		return nil, err
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return nil, err
	}
	w := &bareWindow{}
	ok := false
	defer func() {
		if !ok {
			w.destroy()
		}
	}()
	if w.enc, err = ort.NewDynamicAdvancedSession(encPath, []string{"input_features"}, []string{"last_hidden_state"}, so); err != nil {
		return nil, err
	}
	ins, outs, err := ort.GetInputOutputInfo(decPath)
	if err != nil {
		return nil, err
	}
	var inNames, outNames []string
	for _, in := range ins {
		inNames = append(inNames, in.Name)
	}
	for _, out := range outs {
		outNames = append(outNames, out.Name)
	}
	if w.dec, err = ort.NewDynamicAdvancedSession(decPath, inNames, outNames, so); err != nil {
		return nil, err
	}

	sp := whispertest.Layout(spec.Multilingual)
	vocab := int64(sp.VocabSize)
	heads, hd := int64(spec.Heads), int64(spec.DModel/spec.Heads)
	tensor := func(shape ort.Shape, data []float32) ort.Value {
		if err != nil {
			return nil
		}
		var t *ort.Tensor[float32]
		if t, err = ort.NewTensor(shape, data); err == nil {
			w.made = append(w.made, t)
		}
		return t
	}
	feat := tensor(ort.NewShape(1, int64(spec.NMels), WindowFrames), feats)
	hidden := tensor(ort.NewShape(1, encoderFrames, int64(spec.DModel)), make([]float32, encoderFrames*spec.DModel))
	w.encIn, w.encOut = []ort.Value{feat}, []ort.Value{hidden}

	p := int64(len(prompt))
	w.prompt = make([]int64, len(prompt))
	for i, id := range prompt {
		w.prompt[i] = int64(id)
	}
	// A careful user keeps two cache buffers per input (past) and writes
	// present into the other one; the cross-attention cache once.
	capacity := p + bareTokens + 1
	kv := [2][]([]float32){}
	layers := spec.DecoderLayers
	for s := range kv {
		for range 2 * layers {
			kv[s] = append(kv[s], make([]float32, heads*capacity*hd))
		}
	}
	crossKV := make([]ort.Value, 2*layers)
	for k := range crossKV {
		crossKV[k] = tensor(ort.NewShape(1, heads, encoderFrames, hd), make([]float32, heads*encoderFrames*hd))
	}
	empty := tensor(ort.NewShape(1, heads, 0, hd), []float32{})
	logitsBuf := make([]float32, p*vocab)
	promptLogits := tensor(ort.NewShape(1, p, vocab), logitsBuf)
	w.promptLast = logitsBuf[(p-1)*vocab:]
	w.logits = make([]float32, vocab)
	stepLogits := tensor(ort.NewShape(1, 1, vocab), w.logits)
	if err != nil {
		return nil, err
	}
	if w.promptIDs, err = ort.NewTensor(ort.NewShape(1, p), w.prompt); err != nil {
		return nil, err
	}
	w.made = append(w.made, w.promptIDs)
	if w.ids, err = ort.NewTensor(ort.NewShape(1, 1), []int64{0}); err != nil {
		return nil, err
	}
	w.made = append(w.made, w.ids)
	branch := [2]*ort.Tensor[bool]{}
	for i := range branch {
		if branch[i], err = ort.NewTensor(ort.NewShape(1), []bool{i == 1}); err != nil {
			return nil, err
		}
		w.made = append(w.made, branch[i])
	}

	// slot places a cache name: its index in kv's sets, and whether it
	// is the cross-attention cache.
	slot := func(name string) (k int, encoder bool) {
		var l int
		var which, kind string
		fields := strings.Split(name, ".")
		fmt.Sscan(fields[1], &l)
		which, kind = fields[2], fields[3]
		k = 2 * l
		if kind == "value" {
			k++
		}
		return k, which == "encoder"
	}
	// inputs and outputs of a step with past positions in set (past = 0:
	// the prompt) writing past+n positions into set 1-set.
	step := func(ids *ort.Tensor[int64], logits ort.Value, past int64, set int) ([]ort.Value, []ort.Value) {
		in := make([]ort.Value, len(inNames))
		for i, name := range inNames {
			switch name {
			case "input_ids":
				in[i] = ids
			case "encoder_hidden_states":
				in[i] = hidden
			case "use_cache_branch":
				in[i] = branch[min(past, 1)]
			default:
				k, encoder := slot(name)
				switch {
				case past == 0:
					in[i] = empty
				case encoder:
					in[i] = crossKV[k]
				default:
					in[i] = tensor(ort.NewShape(1, heads, past, hd), kv[set][k])
				}
			}
		}
		n := ids.GetShape()[1]
		out := make([]ort.Value, len(outNames))
		for i, name := range outNames {
			if name == "logits" {
				out[i] = logits
				continue
			}
			k, encoder := slot(name)
			switch {
			case encoder && past == 0:
				out[i] = crossKV[k]
			case encoder:
				out[i] = tensor(ort.NewShape(1, heads, 0, hd), []float32{}) // the cached branch's empty placeholder
			default:
				out[i] = tensor(ort.NewShape(1, heads, past+n, hd), kv[1-set][k])
			}
		}
		return in, out
	}
	w.promptIn, w.promptOut = step(w.promptIDs, promptLogits, 0, 1) // the prompt writes set 0
	for i := range int64(bareTokens) {
		in, out := step(w.ids, stepLogits, p+i, int(i%2))
		w.stepIn, w.stepOut = append(w.stepIn, in), append(w.stepOut, out)
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return w, nil
}

// run decodes one window: the encoder, the prompt, bareTokens greedy steps.
func (w *bareWindow) run() error {
	if err := w.enc.Run(w.encIn, w.encOut); err != nil {
		return err
	}
	if err := w.dec.Run(w.promptIn, w.promptOut); err != nil {
		return err
	}
	row := w.promptLast
	ids := w.ids.GetData()
	for i := range bareTokens {
		ids[0] = int64(argmax(row))
		if err := w.dec.Run(w.stepIn[i], w.stepOut[i]); err != nil {
			return err
		}
		row = w.logits
	}
	return nil
}

func (w *bareWindow) destroy() {
	destroyAll(w.made)
	for _, s := range []*ort.DynamicAdvancedSession{w.enc, w.dec} {
		if s != nil {
			s.Destroy()
		}
	}
}

// benchBare is BenchmarkWindow_30s/bare: one window of the bare baseline
// per iteration, with the peak resident memory from after the sessions
// are open, measured as the SAMO rows measure theirs. Prompt is SAMO's
// (with <|notimestamps|>, as the plain row decodes).
func benchBare(b *testing.B) {
	shared.Runtime(b)
	spec := whispertest.Base()
	spec.Int8 = true
	dir := b.TempDir()
	if err := whispertest.WriteRandom(dir, spec); err != nil {
		b.Fatal(err)
	}
	sp := whispertest.Layout(spec.Multilingual)
	prompt := []int{sp.StartOfTranscript, sp.Language("en"), sp.Transcribe, sp.NoTimestamps}
	w, err := newBareWindow(dir, spec, benchFeatures(spec.NMels), prompt)
	if err != nil {
		b.Fatal(err)
	}
	defer w.destroy()
	inferencetest.ResetPeakRSS()
	for b.Loop() {
		if err := w.run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(bareTokens, "tokens")
	if kb := inferencetest.PeakRSSKiB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
	}
}

// BenchmarkBareRatio_30s runs the bare baseline and SAMO's window
// (BenchmarkWindow_30s's plain row, and its timestamps row against a bare
// window fed the same 3-token prompt) side by side in one process, in
// pairs whose order alternates, so that both see the same load on a busy
// machine: one iteration is one pair. It reports the median of each
// side's ms per window and the median of the pairs' ratios (SAMO over
// bare). Peak memory is not measured here (both models are open): run
// BenchmarkWindow_30s/bare and /plain each in its own process for it.
func BenchmarkBareRatio_30s(b *testing.B) {
	for _, timestamps := range []bool{false, true} {
		name := "plain"
		if timestamps {
			name = "timestamps"
		}
		b.Run(name, func(b *testing.B) {
			spec := whispertest.Base()
			spec.Int8 = true
			m := openBench(b, spec, func(o *Options) {
				o.MaxTokens, o.Temperatures, o.Timestamps = bareTokens, []float32{0}, timestamps
				o.NoSpeechThreshold, o.DisableLogProbCheck, o.CompressionRatioThreshold = -1, true, -1
			})
			feats := benchFeatures(m.cfg.NumMelBins)
			v := m.voc
			prompt := []int{v.sot, v.languages["en"], v.transcribe}
			if !timestamps {
				prompt = append(prompt, v.noTimestamps)
			}
			w, err := newBareWindow(m.dir, spec, feats, prompt)
			if err != nil {
				b.Fatal(err)
			}
			defer w.destroy()
			samo := func() error {
				if err := m.encode(feats); err != nil {
					return err
				}
				a, _, err := m.decodeWindow(context.Background(), 0, "en")
				if err != nil {
					return err
				}
				if len(a.tokens) != bareTokens {
					return fmt.Errorf("SAMO decoded %d tokens, want %d", len(a.tokens), bareTokens)
				}
				return nil
			}
			// One of each first, outside the figures: the first window
			// grows onnxruntime's arenas and SAMO's buffers.
			if err := w.run(); err != nil {
				b.Fatal(err)
			}
			if err := samo(); err != nil {
				b.Fatal(err)
			}
			var bare, ours, ratio []float64
			for b.Loop() {
				var tb, ts time.Duration
				for k := range 2 {
					start := time.Now()
					if (k == 0) == (len(bare)%2 == 0) {
						if err := w.run(); err != nil {
							b.Fatal(err)
						}
						tb = time.Since(start)
					} else {
						if err := samo(); err != nil {
							b.Fatal(err)
						}
						ts = time.Since(start)
					}
				}
				bare = append(bare, tb.Seconds()*1000)
				ours = append(ours, ts.Seconds()*1000)
				ratio = append(ratio, ts.Seconds()/tb.Seconds())
			}
			b.ReportMetric(median(bare), "bare-ms")
			b.ReportMetric(median(ours), "samo-ms")
			b.ReportMetric(median(ratio), "ratio")
		})
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
