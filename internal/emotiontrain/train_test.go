package emotiontrain

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/emotion/ngram"
)

func TestClean(t *testing.T) {
	train := []emotion.Example{
		{Text: "I love it", Labels: []int{18}},
		{Text: "i  LOVE it", Labels: []int{0}},  // repeat: labels merged
		{Text: "1234 5678", Labels: []int{27}},  // no letters: junk
		{Text: "( ͡° ͜ʖ ͡°)", Labels: []int{1}}, // art (ʖ is a letter, kept)
		{Text: "seen in dev", Labels: []int{27}},
		{Text: ":-) :-)", Labels: []int{1}},
	}
	dev := []emotion.Example{{Text: "Seen in  dev", Labels: []int{27}}}
	got, removed := Clean(train, dev)
	if len(got) != 2 || removed["no_letters"] != 2 || removed["repeated"] != 1 || removed["also_in_dev"] != 1 {
		t.Fatalf("kept %v, removed %v", got, removed)
	}
	if !slices.Equal(got[0].Labels, []int{18, 0}) {
		t.Fatalf("merged labels %v, want [18 0]", got[0].Labels)
	}
}

// toy is a separable multi-label set: a cue word per label.
func toy(n int) []emotion.Example {
	cues := map[int]string{15: "thanks", 18: "adore", 25: "tears", 2: "furious", 27: "tuesday"}
	keys := []int{15, 18, 25, 2, 27}
	var out []emotion.Example
	for i := 0; i < n; i++ {
		l := keys[i%len(keys)]
		text := fmt.Sprintf("note %d says %s here", i%7, cues[l])
		labels := []int{l}
		if i%11 == 0 && l != 27 {
			text += " and thanks"
			if l != 15 {
				labels = append(labels, 15)
			}
		}
		out = append(out, emotion.Example{Text: text, Labels: labels})
	}
	return out
}

func TestTrain_LearnsAndRecordsAFiniteHistory(t *testing.T) {
	o := DefaultOptions()
	o.Folds, o.MaxEpochs, o.Patience = 3, 60, 5
	o.Features.WordMinDF, o.Features.CharMinDF = 1, 2
	res, err := Train(toy(300), nil, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.CV.MacroF1 <= 0 || res.CV.PerLabel["gratitude"].F1 < 0.95 || res.CV.PerLabel["anger"].F1 < 0.95 {
		t.Fatalf("cross-validated %.3f, gratitude %+v, anger %+v: the cue words were not learned",
			res.CV.MacroF1, res.CV.PerLabel["gratitude"], res.CV.PerLabel["anger"])
	}
	if len(res.History) == 0 || len(res.Epochs) != 3 {
		t.Fatalf("history %d records, epochs %v", len(res.History), res.Epochs)
	}
	if _, err := json.Marshal(res.History); err != nil {
		t.Fatalf("history does not serialize: %v", err)
	}
	for _, h := range res.History {
		for _, x := range []float64{h.TrainLoss, h.ValLoss, h.ValMacroF1, h.Seconds} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("non-finite value in %+v", h)
			}
		}
	}
	for l, th := range res.Thresholds {
		if th <= 0 || th >= 1 {
			t.Fatalf("threshold %d = %v", l, th)
		}
	}
	s := res.Scores([]string{"so many thanks", "furious again"}, nil)
	if emotion.Decide(s[0], res.Thresholds, 1)[0] != 15 || emotion.Decide(s[1], res.Thresholds, 1)[0] != 2 {
		t.Fatalf("scores %v", s)
	}
}

func TestTrain_RefusesTooLittleData(t *testing.T) {
	if _, err := Train(toy(3), nil, nil, DefaultOptions()); err == nil {
		t.Fatal("3 examples in 5 folds were accepted")
	}
}

func TestQuantize_PerRowError(t *testing.T) {
	w := []float32{0.5, -1, 0.25, 0, 0, 0, 3e-4, -2e-4, 1e-4}
	q, scale := quantize(w, 3)
	for r := 0; r < 3; r++ {
		for l := 0; l < 3; l++ {
			got := scale[r] * float32(int8(q[r*3+l]))
			if d := math.Abs(float64(got - w[r*3+l])); d > float64(scale[r])/2+1e-9 {
				t.Fatalf("w[%d][%d] = %v came back as %v", r, l, w[r*3+l], got)
			}
		}
	}
	if scale[1] != 0 {
		t.Fatalf("an all-zero row got scale %v", scale[1])
	}
}

func TestObjective_GradientMatchesFiniteDifferences(t *testing.T) {
	o := DefaultOptions()
	o.Features.WordMinDF, o.Features.CharMinDF = 1, 1
	ex := toy(40)
	texts, labels := make([]string, len(ex)), make([][]int, len(ex))
	for i, e := range ex {
		texts[i], labels[i] = e.Text, e.Labels
	}
	v := ngram.Fit(texts, o.Features, nil)
	ss := featurize(v, nil, texts, labels)
	m := newLinear(v.SparseRows(), 0)
	for i := range m.p {
		m.p[i] = float32(math.Sin(float64(i))) * 0.1
	}
	obj := newObjective(ss, m.rows, 0, Hyper{L2: 1e-2, Balance: 0.5}, 2)
	g := make([]float32, len(m.p))
	obj.eval(m, g)
	tmp := make([]float32, len(m.p))
	for _, i := range []int{0, 5, 29, len(m.p) / 2, len(m.p) - 1} {
		h := float32(1e-2)
		old := m.p[i]
		m.p[i] = old + h
		fp := obj.eval(m, tmp)
		m.p[i] = old - h
		fm := obj.eval(m, tmp)
		m.p[i] = old
		num := (fp - fm) / float64(2*h)
		if math.Abs(num-float64(g[i])) > 1e-3*math.Max(1, math.Abs(num)) {
			t.Fatalf("parameter %d: gradient %v, finite differences %v", i, g[i], num)
		}
	}
}

// The convolutional network's backward pass (through max-pooling, which
// passes the gradient to one window per filter) matches finite
// differences of its loss.
func TestCNN_GradientMatchesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const dim, words = 5, 9
	emb := make([]float32, (words+1)*dim)
	for i := dim; i < len(emb); i++ {
		emb[i] = float32(rng.NormFloat64())
	}
	m := newCNN(emb, dim, CNNHyper{Widths: []int{1, 2, 3}, Filters: 4}, rng)
	for _, b := range m.kb {
		for f := range b {
			b[f] = 0.3 // most filters fire somewhere
		}
	}
	ids := []int32{3, 0, 7, 1, 9, 4}
	var y [nl]bool
	y[2], y[17] = true, true
	var pw [nl]float32
	for l := range pw {
		pw[l] = 1 + float32(l%3)
	}
	loss := func() (float64, *cnnGrad) {
		g := m.newGrad()
		m.backprop(ids, &y, &pw, 0, rng, m.newWork(), g)
		return g.loss, g
	}
	_, g := loss()
	check := func(name string, p, gp []float32, i int) {
		t.Helper()
		const h = 1e-2
		old := p[i]
		p[i] = old + h
		fp, _ := loss()
		p[i] = old - h
		fm, _ := loss()
		p[i] = old
		num := (fp - fm) / (2 * h)
		if math.Abs(num-float64(gp[i])) > 2e-2*math.Max(1, math.Abs(num)) {
			t.Fatalf("%s[%d]: gradient %v, finite differences %v", name, i, gp[i], num)
		}
	}
	checked := 0
	for wi := range m.widths {
		for i := range m.kern[wi] {
			if g.kern[wi][i] != 0 || i%7 == 0 {
				check(fmt.Sprintf("kern%d", wi), m.kern[wi], g.kern[wi], i)
				checked++
			}
		}
		for f := range m.kb[wi] {
			check(fmt.Sprintf("kb%d", wi), m.kb[wi], g.kb[wi], f)
		}
	}
	for i := 0; i < len(m.w2); i += 5 {
		check("w2", m.w2, g.w2, i)
	}
	for l := range m.b2 {
		check("b2", m.b2, g.b2, l)
	}
	if checked < 50 {
		t.Fatalf("only %d kernel weights had a gradient", checked)
	}
}
