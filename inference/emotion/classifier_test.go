package emotion_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/internal/emotiontrain"
	"github.com/samojournal/samo/journal"
)

var shared struct {
	ort  inferencetest.Shared
	once sync.Once
	res  *emotiontrain.Result
	err  error
}

func TestMain(m *testing.M) { shared.ort.Main(m) }

// realRuntime is the real onnxruntime library from `make deps`.
func realRuntime(t testing.TB) *inference.Runtime { return shared.ort.Runtime(t) }

// toy is a small labelled set whose labels follow cue words, so a model
// trained on it has known answers.
func toy() []emotion.Example {
	cues := []struct {
		words []string
		label int
	}{
		{[]string{"thank you", "thanks a lot", "so grateful"}, 15}, // gratitude
		{[]string{"i love", "adore", "love it"}, 18},               // love
		{[]string{"so sad", "heartbroken", "crying"}, 25},          // sadness
		{[]string{"furious", "so angry", "rage"}, 2},               // anger
		{[]string{"the bus", "a table", "on tuesday"}, 27},         // neutral
	}
	fill := []string{"today", "at work", "with my friend", "again", "this morning", "honestly", "", "right now"}
	var out []emotion.Example
	for i := 0; i < 400; i++ {
		c := cues[i%len(cues)]
		text := fmt.Sprintf("%s %s %s", fill[i%len(fill)], c.words[(i/5)%len(c.words)], fill[(i/3)%len(fill)])
		out = append(out, emotion.Example{Text: strings.TrimSpace(text), Labels: []int{c.label}})
	}
	return out
}

// toyBundle trains the toy model once and writes it as a bundle.
func toyBundle(t testing.TB, int8 bool) *models.Bundle {
	t.Helper()
	shared.once.Do(func() {
		o := emotiontrain.DefaultOptions()
		o.Folds, o.MaxEpochs, o.Patience = 2, 40, 5
		o.Features.WordMinDF, o.Features.CharMinDF = 1, 1
		shared.res, shared.err = emotiontrain.Train(toy(), nil, nil, o)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	dir := t.TempDir()
	info := emotiontrain.BundleInfo{Name: "toy", Version: "t1", Source: "test", Licence: "MIT"}
	if err := shared.res.WriteBundle(dir, nil, int8, info, nil); err != nil {
		t.Fatal(err)
	}
	b, err := models.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func openToy(t testing.TB, int8 bool) *emotion.Classifier {
	t.Helper()
	c, err := emotion.Open(realRuntime(t), toyBundle(t, int8), emotion.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestClassifier_Analyze(t *testing.T) {
	c := openToy(t, true)
	texts := []string{"thank you so much", "I love it", "so sad and crying", "I am furious", "the bus on tuesday"}
	want := []string{"gratitude", "love", "sadness", "anger", "neutral"}
	rs, err := c.Analyze(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if len(r.Labels) == 0 || r.Labels[0].Name != want[i] {
			t.Errorf("%q → %v, want %s first", texts[i], r.LabelNames(), want[i])
		}
		if len(r.Scores) != emotion.NumLabels || len(r.Ekman) != 7 {
			t.Errorf("%q: %d scores, %d Ekman groups", texts[i], len(r.Scores), len(r.Ekman))
		}
		for _, s := range r.Scores {
			if math.IsNaN(float64(s)) || s < 0 || s > 1 {
				t.Fatalf("score %v", s)
			}
		}
	}
	if g := rs[0].Labels[0].Ekman; g != "joy" {
		t.Errorf("gratitude's Ekman group = %q, want joy", g)
	}
	if rs[3].Groups[0] != "anger" || rs[3].Ekman[0].Name != "anger" {
		t.Errorf("anger text: groups %v, Ekman %v", rs[3].Groups, rs[3].Ekman)
	}
}

func TestClassifier_NeverEmptyForText(t *testing.T) {
	c := openToy(t, true)
	for _, text := range []string{"zzqx", "😶", "\xff\xfe", strings.Repeat("word ", 20000)} {
		rs, err := c.Analyze([]string{text})
		if err != nil {
			t.Fatalf("%.20q: %v", text, err)
		}
		if len(rs[0].Labels) == 0 {
			t.Fatalf("%.20q gave no label", text)
		}
	}
	if _, err := c.Analyze([]string{"fine", "  \n"}); !errors.Is(err, emotion.ErrEmpty) {
		t.Fatalf("blank text: %v, want ErrEmpty", err)
	}
}

func TestClassifier_ExplainNamesTheCue(t *testing.T) {
	c := openToy(t, true)
	r, err := c.Explain("this morning I was heartbroken")
	if err != nil {
		t.Fatal(err)
	}
	if r.Labels[0].Name != "sadness" || len(r.Labels[0].Reasons) == 0 {
		t.Fatalf("labels %+v", r.Labels)
	}
	top := r.Labels[0].Reasons[0]
	if !strings.Contains(top.Text, "heartbroken") {
		t.Fatalf("top reason %+v, want the word heartbroken", top)
	}
	if "this morning I was heartbroken"[top.Start:top.End] != top.Text {
		t.Fatalf("reason span %d–%d does not match %q", top.Start, top.End, top.Text)
	}
}

// A text longer than one window (8 KiB) is read window by window, each
// label scoring its highest over them: a cue in a window of its own scores
// as it does alone, not diluted by the filler before it. An enormous text
// is read and explained in bounded memory, its explanation drawn from its
// first window.
func TestClassifier_ReadsLongTextsInWindows(t *testing.T) {
	c := openToy(t, true)
	cue := "this morning I was heartbroken"
	filler := strings.Repeat("the ", 2048) // 8 KiB: the cue starts the second window
	got, err := c.Scores([]string{filler + cue, cue, filler})
	if err != nil {
		t.Fatal(err)
	}
	sad := slices.Index(journal.EmotionLabels[:], "sadness")
	if want := max(got[1][sad], got[2][sad]); math.Abs(float64(got[0][sad]-want)) > 1e-4 {
		t.Fatalf("sadness %v in the long text, want %v (the cue alone %v, the filler alone %v)", got[0][sad], want, got[1][sad], got[2][sad])
	}
	for l := range got[0] {
		if want := max(got[1][l], got[2][l]); math.Abs(float64(got[0][l]-want)) > 1e-4 {
			t.Fatalf("%s: %v, want the higher of its windows' %v", journal.EmotionLabels[l], got[0][l], want)
		}
	}

	enormous := strings.Repeat("so sad today, and heartbroken. ", 1<<15) // 1 MiB
	r, err := c.Explain(enormous)
	if err != nil {
		t.Fatal(err)
	}
	if r.Labels[0].Name != "sadness" || len(r.Labels[0].Reasons) == 0 {
		t.Fatalf("the enormous text: %+v", r.Labels)
	}
	for _, x := range r.Labels[0].Reasons {
		if x.End > 8<<10 || enormous[x.Start:x.End] != x.Text {
			t.Fatalf("reason %+v: want a span of the first window", x)
		}
	}
}

// ExplainText gives the journal the same explanation, in its own form.
func TestClassifier_ExplainTextForTheJournal(t *testing.T) {
	c := openToy(t, true)
	var x journal.Explainer = c
	ws, err := x.ExplainText(context.Background(), "this morning I was heartbroken")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := c.Explain("this morning I was heartbroken")
	if len(ws) != len(r.Labels) || ws[0].Label != "sadness" || ws[0].Score != r.Labels[0].Score ||
		len(ws[0].Words) != len(r.Labels[0].Reasons) || ws[0].Words[0].Text != "heartbroken" {
		t.Fatalf("ExplainText %+v, Explain %+v", ws, r.Labels)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.ExplainText(ctx, "heartbroken"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled context: %v", err)
	}
}

// The ONNX graph computes exactly the model trained in Go (fp32), and the
// int8 graph stays close to it.
func TestClassifier_GraphMatchesGoModel(t *testing.T) {
	var texts []string
	for _, e := range toy()[:60] {
		texts = append(texts, e.Text)
	}
	fp32 := openToy(t, false)
	i8 := openToy(t, true)
	want := shared.res // trained by openToy
	a, err := fp32.Scores(texts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := i8.Scores(texts)
	if err != nil {
		t.Fatal(err)
	}
	ref := want.Scores(texts, nil)
	var worst8 float64
	for i := range texts {
		for l := range ref[i] {
			if d := math.Abs(float64(a[i][l] - ref[i][l])); d > 1e-5 {
				t.Fatalf("text %d label %d: graph %v, Go %v", i, l, a[i][l], ref[i][l])
			}
			worst8 = max(worst8, math.Abs(float64(b[i][l]-ref[i][l])))
		}
		if !slices.Equal(emotion.Decide(a[i], fp32.Thresholds(), 1), emotion.Decide(b[i], i8.Thresholds(), 1)) {
			t.Errorf("text %d: int8 labels differ from fp32", i)
		}
	}
	if worst8 > 0.02 {
		t.Fatalf("int8 scores differ from fp32 by up to %v", worst8)
	}
}

func TestOpen_RefusesWrongModels(t *testing.T) {
	b := toyBundle(t, true)
	rt := realRuntime(t)
	wrong := *b
	wrong.Manifest.Task = "transcribe"
	if _, err := emotion.Open(rt, &wrong, emotion.Options{}); err == nil || !strings.Contains(err.Error(), "transcribe") {
		t.Fatalf("task transcribe: %v", err)
	}
	wrong = *b
	wrong.Manifest.Labels = append([]string{"glee"}, b.Manifest.Labels[1:]...)
	if _, err := emotion.Open(rt, &wrong, emotion.Options{}); err == nil || !strings.Contains(err.Error(), "glee") {
		t.Fatalf("wrong labels: %v", err)
	}
	wrong = *b
	wrong.Manifest.Architecture = "lstm"
	if _, err := emotion.Open(rt, &wrong, emotion.Options{}); err == nil || !strings.Contains(err.Error(), "lstm") {
		t.Fatalf("unknown architecture: %v", err)
	}
}

// The ensemble (linear model and network) runs in onnxruntime exactly as
// trained in Go, and is explained by occlusion.
func TestClassifier_EnsembleGraphMatchesGoModel(t *testing.T) {
	o := emotiontrain.DefaultOptions()
	o.Folds, o.MaxEpochs, o.Patience = 2, 30, 5
	o.Features.WordMinDF, o.Features.CharMinDF = 1, 1
	o.MLP = &emotiontrain.MLPHyper{Hidden: 8, LR: 1e-2, Batch: 16, Epochs: 12, Balance: 0.5}
	res, err := emotiontrain.Train(toy(), nil, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	checkGraphMatchesGo(t, res, nil, emotion.ArchNgramEnsemble)
}

// toyVectors gives every word of the toy set a word vector: words of one
// cue share a direction, so that vectors carry the labels.
type toyVectors map[string][]float32

func (v toyVectors) Vector(w string) ([]float32, bool) { x, ok := v[w]; return x, ok }
func (v toyVectors) Dim() int                          { return 6 }

func newToyVectors() (toyVectors, []string) {
	v := toyVectors{}
	var words []string
	for i, e := range toy() {
		for _, w := range strings.Fields(e.Text) {
			if _, ok := v[w]; ok {
				continue
			}
			vec := make([]float32, 6)
			for d := range vec {
				vec[d] = float32(math.Sin(float64(len(words)*7+d*3+i%3))) * 0.5
			}
			vec[e.Labels[0]%6] += 1
			v[w] = vec
			words = append(words, w)
		}
	}
	return v, words
}

// The convolutional ensemble (linear model, network and the fold
// convolutional networks over word vectors) runs in onnxruntime as trained
// in Go, batched texts of different lengths included, and is explained by
// occlusion.
func TestClassifier_CNNEnsembleGraphMatchesGoModel(t *testing.T) {
	vecs, words := newToyVectors()
	o := emotiontrain.DefaultOptions()
	o.Folds, o.MaxEpochs, o.Patience = 2, 30, 5
	o.Features.WordMinDF, o.Features.CharMinDF = 1, 1
	o.MLP = &emotiontrain.MLPHyper{Hidden: 8, LR: 1e-2, Batch: 16, Epochs: 12, Balance: 0.5}
	o.CNN = &emotiontrain.CNNHyper{Widths: []int{1, 2, 3}, Filters: 8, LR: 1e-2, Batch: 16, Epochs: 6, Balance: 0.5}
	res, err := emotiontrain.Train(toy(), words, vecs, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.CNNWeight <= 0 || len(res.CNNEpochs) != 2 {
		t.Fatalf("convolutional networks: weight %v, epochs %v", res.CNNWeight, res.CNNEpochs)
	}
	checkGraphMatchesGo(t, res, vecs, emotion.ArchNgramCNN)
}

// checkGraphMatchesGo writes res as fp32 and int8 bundles and checks that
// onnxruntime gives the Go model's scores and an occlusion explanation.
func checkGraphMatchesGo(t *testing.T, res *emotiontrain.Result, vecs emotiontrain.Vectors, arch string) {
	t.Helper()
	texts := []string{"ok", "rage", "so sad", "unknownword heartbroken !", "today i love it with my friend again right now honestly"}
	for _, e := range toy()[:40] {
		texts = append(texts, e.Text)
	}
	ref := res.Scores(texts, vecs)
	for _, int8 := range []bool{false, true} {
		dir := t.TempDir()
		if err := res.WriteBundle(dir, vecs, int8, emotiontrain.BundleInfo{Name: "toy-" + arch, Version: "1", Source: "test", Licence: "MIT"}, nil); err != nil {
			t.Fatal(err)
		}
		b, err := models.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if b.Manifest.Architecture != arch {
			t.Fatalf("architecture %s, want %s", b.Manifest.Architecture, arch)
		}
		c, err := emotion.Open(realRuntime(t), b, emotion.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		got, err := c.Scores(texts)
		if err != nil {
			t.Fatal(err)
		}
		tol := 1e-5
		if int8 {
			tol = 0.03
		}
		for i := range texts {
			for l := range got[i] {
				if d := math.Abs(float64(got[i][l] - ref[i][l])); d > tol {
					t.Fatalf("int8=%v text %d %q label %d: graph %v, Go %v", int8, i, texts[i], l, got[i][l], ref[i][l])
				}
			}
		}
		r, err := c.Explain("this morning I was heartbroken")
		if err != nil {
			t.Fatal(err)
		}
		if r.Labels[0].Name != "sadness" || len(r.Labels[0].Reasons) == 0 || r.Labels[0].Reasons[0].Text != "heartbroken" {
			t.Fatalf("int8=%v: explanation %+v", int8, r.Labels)
		}
	}
}

// Batching groups texts of similar length; every text still gets the
// scores it gets alone (to float rounding: onnxruntime's kernels depend on
// the batch's shape), in the order given.
func TestClassifier_ScoresKeepOrderAcrossBatches(t *testing.T) {
	c := builtIn(t)
	var texts []string
	for i := range 600 {
		texts = append(texts, strings.Repeat(benchTexts[i%len(benchTexts)]+" ", 1+i%5))
	}
	all, err := c.Scores(texts)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 7, 255, 256, 300, 599} {
		one, err := c.Scores(texts[i : i+1])
		if err != nil {
			t.Fatal(err)
		}
		for l := range one[0] {
			if d := one[0][l] - all[i][l]; d > 1e-5 || d < -1e-5 {
				t.Fatalf("text %d, label %d: batched %v, alone %v", i, l, all[i][l], one[0][l])
			}
		}
	}
}
