package whispertest_test

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/whisper/whispertest"
)

var shared inferencetest.Shared

func TestMain(m *testing.M) { shared.Main(m) }

// features returns log-mel-like features: -1.1 (silence) everywhere but in
// the given encoder-frame spans, where they are 0.9.
func features(nMels int, spans ...[2]int) []float32 {
	f := make([]float32, nMels*3000)
	for i := range f {
		f[i] = -1.1
	}
	for _, s := range spans {
		for m := range nMels {
			for t := 2 * s[0]; t < 2*s[1]; t++ {
				f[m*3000+t] = 0.9
			}
		}
	}
	return f
}

// greedy runs the scripted pair with plain argmax decoding (no suppression),
// feeding the prompt at once and then one token at a time with the cache.
func greedy(t *testing.T, dir string, layers int, feats []float32, prompt []int64, steps int) ([]int64, [][]float32) {
	return greedyFiles(t, dir, "encoder_model.onnx", "decoder_model_merged.onnx", layers, 2, 4, feats, prompt, steps)
}

func greedyFiles(t *testing.T, dir, encName, decName string, layers, heads, hd int, feats []float32, prompt []int64, steps int) ([]int64, [][]float32) {
	t.Helper()
	enc, err := ort.NewDynamicAdvancedSession(filepath.Join(dir, "onnx", encName),
		[]string{"input_features"}, []string{"last_hidden_state"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Destroy()
	dec, err := ort.NewDynamicAdvancedSession(filepath.Join(dir, "onnx", decName),
		whispertest.DecoderInputs(layers), whispertest.DecoderOutputs(layers), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Destroy()
	in, _ := ort.NewTensor(ort.NewShape(1, int64(len(feats)/3000), 3000), feats)
	defer in.Destroy()
	hs := []ort.Value{nil}
	if err := enc.Run([]ort.Value{in}, hs); err != nil {
		t.Fatal(err)
	}
	defer hs[0].Destroy()
	empty, _ := ort.NewTensor(ort.NewShape(1, int64(heads), 0, int64(hd)), []float32{})
	defer empty.Destroy()
	past := make([]ort.Value, 4*layers)
	for i := range past {
		past[i] = empty
	}
	var out []int64
	var rows [][]float32
	ids := prompt
	var keep []ort.Value
	defer func() {
		for _, v := range keep {
			v.Destroy()
		}
	}()
	for step := range steps {
		idT, _ := ort.NewTensor(ort.NewShape(1, int64(len(ids))), ids)
		keep = append(keep, idT)
		uc, _ := ort.NewTensor(ort.NewShape(1), []bool{step > 0})
		keep = append(keep, uc)
		inputs := append([]ort.Value{idT, hs[0]}, past...)
		inputs = append(inputs, uc)
		outs := make([]ort.Value, 1+4*layers)
		if err := dec.Run(inputs, outs); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		keep = append(keep, outs...)
		logits := outs[0].(*ort.Tensor[float32]).GetData()
		v := len(logits) / len(ids)
		row := logits[len(logits)-v:]
		rows = append(rows, row)
		next := int64(slices.Index(row, slices.Max(row)))
		out = append(out, next)
		for l := range layers {
			past[4*l], past[4*l+1] = outs[1+4*l], outs[2+4*l]
			if step == 0 {
				past[4*l+2], past[4*l+3] = outs[3+4*l], outs[4+4*l]
			}
		}
		ids = []int64{next}
	}
	return out, rows
}

func TestScripted_GreedyFollowsTheAudio(t *testing.T) {
	shared.Runtime(t)
	dir := t.TempDir()
	if err := whispertest.WriteScripted(dir, whispertest.ScriptConfig{}, ""); err != nil {
		t.Fatal(err)
	}
	sp := whispertest.Layout(false)
	notime := []int64{int64(sp.StartOfTranscript), int64(sp.NoTimestamps)}
	// Speech in regions 0, 2 and 4: " Today walked felt." — but the trap
	// tokens win plain argmax at steps 0 and 1.
	got, _ := greedy(t, dir, 2, features(80, [2]int{10, 100}, [2]int{520, 600}, [2]int{1100, 1200}), notime, 5)
	want := []int64{220, 1, 2936, 13, int64(sp.EndOfText)}
	if !slices.Equal(got, want) {
		t.Errorf("no timestamps: got %v, want %v", got, want)
	}
	got, _ = greedy(t, dir, 2, features(80, [2]int{10, 100}, [2]int{520, 600}), []int64{int64(sp.StartOfTranscript)}, 7)
	ts := int64(sp.TimestampBegin)
	// Step 0 trap (space) and 1 (quote), 3 (<|0.00|>) and 4 (<|30.00|>).
	want = []int64{220, 1, ts + 100, ts, ts + 1500, ts + 600, int64(sp.EndOfText)}
	if !slices.Equal(got, want) {
		t.Errorf("timestamps: got %v, want %v", got, want)
	}
}

// Every generated file passes the ONNX checker of Debian's python3-onnx
// (opset 17; make deps installs it). Without it the test is skipped, or
// fails when SAMO_REQUIRE_ALL is set (make test sets it).
func TestModels_PassTheONNXChecker(t *testing.T) {
	if out, err := exec.Command("/usr/bin/python3", "-c", "import onnx").CombinedOutput(); err != nil {
		if os.Getenv("SAMO_REQUIRE_ALL") != "" {
			t.Fatalf("no python3-onnx (make deps installs it): %v %s", err, out)
		}
		t.Skipf("no python3-onnx: %v %s", err, out)
	}
	dir := t.TempDir()
	for i, cfg := range []whispertest.ScriptConfig{{Multilingual: true}, {Split: true, Loop: true}} {
		if err := whispertest.WriteScripted(filepath.Join(dir, fmt.Sprint("s", i)), cfg, ""); err != nil {
			t.Fatal(err)
		}
	}
	spec := whispertest.RandomSpec{NMels: 80, DModel: 32, Heads: 4, EncoderLayers: 1, DecoderLayers: 1, Seed: 1}
	if err := whispertest.WriteRandomBoth(filepath.Join(dir, "r"), spec); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "onnx", "*.onnx"))
	if len(files) != 9 {
		t.Fatalf("%d files: %v", len(files), files)
	}
	script := "import onnx,sys\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)"
	if out, err := exec.Command("/usr/bin/python3", append([]string{"-c", script}, files...)...).CombinedOutput(); err != nil {
		t.Errorf("%v\n%s", err, out)
	}
}

// Small random models of Whisper's structure run with the cache, fp32 and
// int8, and agree with each other on the first steps' logits roughly.
func TestRandom_RunsWithCache(t *testing.T) {
	shared.Runtime(t)
	spec := whispertest.RandomSpec{NMels: 80, DModel: 32, Heads: 4, EncoderLayers: 2, DecoderLayers: 2, Seed: 3}
	sp := whispertest.Layout(false)
	prompt := []int64{int64(sp.StartOfTranscript), int64(sp.NoTimestamps)}
	feats := features(80, [2]int{10, 400})
	var rows [2][][]float32
	for i, q := range []bool{false, true} {
		spec.Int8 = q
		dir := t.TempDir()
		if err := whispertest.WriteRandom(dir, spec); err != nil {
			t.Fatal(err)
		}
		enc, dec := whispertest.RandomFiles(spec)
		_, rows[i] = greedyFiles(t, dir, enc, dec, 2, 4, 8, feats, prompt, 4)
	}
	for s := range rows[0] {
		var dot, n0, n1 float64
		for j := range rows[0][s] {
			a, b := float64(rows[0][s][j]), float64(rows[1][s][j])
			dot, n0, n1 = dot+a*b, n0+a*a, n1+b*b
		}
		if c := dot / math.Sqrt(n0*n1); c < 0.9 {
			t.Errorf("step %d: fp32 and int8 logits have cosine %.3f", s, c)
		}
	}
}
