package emotiontrain

import (
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/emotion/ngram"
	"github.com/samojournal/samo/journal"
)

// Options configure a training run.
type Options struct {
	Features ngram.Config `json:"features"`
	Hyper    Hyper        `json:"hyper"`
	// Folds is the number of cross-validation folds on train.
	Folds int `json:"folds"`
	// MaxEpochs and Patience bound each fold's training: it stops after
	// Patience epochs without a better validation macro-F1.
	MaxEpochs int    `json:"max_epochs"`
	Patience  int    `json:"patience"`
	Seed      uint64 `json:"seed"`
	// MLP, when set, trains a one-hidden-layer network beside the linear
	// model on every fold and ships their average.
	MLP *MLPHyper `json:"mlp,omitempty"`
	// CNN, when set (and word vectors are given), trains a convolutional
	// network over the word vectors on every fold as well; the fold
	// networks (CNNHyper.Ship of them) join the shipped scores.
	CNN *CNNHyper `json:"cnn,omitempty"`
	// Subset, when in (0,1), trains on that fraction of train (the --dev mode).
	Subset float64 `json:"subset,omitempty"`
	// Workers bounds the folds trained at once; 0 means GOMAXPROCS.
	Workers int `json:"-"`
	// Log receives progress lines; nil discards them.
	Log io.Writer `json:"-"`
}

// DefaultOptions are the settings the shipped model is trained with.
func DefaultOptions() Options {
	return Options{
		Features: ngram.DefaultConfig(),
		// Each label's L2 strength and positive weighting, as chosen by
		// Select (train-emotions -select) on a 20% holdout of train.
		Hyper: Hyper{L2: 1e-4, Memory: 8, Balance: 0.5,
			LabelL2: []float64{1e-4, 1e-4, 3e-5, 1e-4, 1e-4, 3e-5, 1e-4, 1e-4, 1e-5, 1e-4, 3e-5, 1e-5, 3e-5, 1e-5,
				1e-5, 3e-5, 3e-5, 3e-5, 1e-4, 1e-4, 1e-5, 1e-5, 1e-5, 1e-4, 1e-4, 1e-4, 1e-5, 1e-4},
			LabelBalance: []float64{0.5, 0.5, 0.75, 0.75, 0.5, 0.75, 0.5, 0.75, 0.5, 0.75, 0.75, 0.5, 0.75, 0.5,
				0.5, 0.75, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.75, 0.5, 0.5, 0.75, 0.5, 0.75}},
		Folds:     5,
		MaxEpochs: 300,
		Patience:  15,
		Seed:      20261125,
	}
}

// DevOptions are the quick --dev settings: a 5% subset of train and large
// batches.
func DevOptions() Options {
	o := DefaultOptions()
	o.Hyper.LabelL2, o.Hyper.LabelBalance = nil, nil
	o.Subset = 0.05
	o.Folds = 3
	o.MaxEpochs = 100
	return o
}

// EpochRecord is one epoch of one run in the training history.
type EpochRecord struct {
	Run       string  `json:"run"`
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	ValLoss   float64 `json:"val_loss,omitempty"`
	// ValMacroF1 is the validation fold's macro-F1 with thresholds tuned on
	// that fold: the early-stopping signal, never computed on dev.
	ValMacroF1 float64 `json:"val_macro_f1,omitempty"`
	Seconds    float64 `json:"seconds"`
}

// Result is what a training run produces.
type Result struct {
	Vocab      *ngram.Vocab
	model      *linear
	Thresholds []float32
	// net is the network trained beside the linear model (nil without
	// Options.MLP), NetWeight its share of the shipped scores and NetEpochs
	// the folds' best epochs.
	net       *mlp
	NetWeight float32
	NetEpochs []int
	// cnns are the shipped fold convolutional networks (nil without
	// Options.CNN), CNNWeight the share of their average in the shipped
	// scores and CNNEpochs all fold networks' best epochs.
	cnns      []*cnn
	CNNWeight float32
	CNNEpochs []int
	// Epochs are the fold models' best iterations.
	Epochs  []int
	History []EpochRecord
	// CV holds the out-of-fold metrics on train with the chosen thresholds,
	// CVPerLabel those with each label's F1-best threshold (where the
	// balanced tuning starts).
	CV         emotion.Metrics
	CVPerLabel emotion.Metrics
	// OOF are the out-of-fold scores of the shipped blend on train, and
	// OOFLabels their gold labels: what the thresholds were chosen on.
	OOF       [][]float32
	OOFLabels [][]int
}

// Clean prepares training examples: it drops rows whose text has no letter
// (digit runs, ASCII art), merges repeated texts into one example with the
// union of their labels, and drops texts that also appear in exclude (the
// dev split, so that dev stays unseen). It reports how many rows each rule
// removed.
func Clean(train []emotion.Example, exclude []emotion.Example) ([]emotion.Example, map[string]int) {
	removed := map[string]int{}
	ex := map[string]bool{}
	for _, e := range exclude {
		ex[normKey(e.Text)] = true
	}
	index := map[string]int{}
	var out []emotion.Example
	for _, e := range train {
		if !strings.ContainsFunc(e.Text, unicode.IsLetter) {
			removed["no_letters"]++
			continue
		}
		k := normKey(e.Text)
		if ex[k] {
			removed["also_in_dev"]++
			continue
		}
		if i, ok := index[k]; ok {
			removed["repeated"]++
			for _, l := range e.Labels {
				if !slices.Contains(out[i].Labels, l) {
					out[i].Labels = append(out[i].Labels, l)
				}
			}
			continue
		}
		index[k] = len(out)
		out = append(out, emotion.Example{Text: e.Text, Labels: slices.Clone(e.Labels), ID: e.ID})
	}
	return out, removed
}

func normKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// Train fits the vocabulary on all of train (it is unsupervised: document
// frequencies only), then trains one model per cross-validation fold with
// early stopping on that fold's held-out part. The held-out scores of all
// folds choose the thresholds, and the shipped model is the average of the
// fold models (a linear model too), so the thresholds are tuned on the
// kind of scores the shipped model gives.
func Train(train []emotion.Example, vecWords []string, vecs Vectors, o Options) (*Result, error) {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	if o.Subset > 0 && o.Subset < 1 {
		perm := rng.Perm(len(train))
		n := int(math.Round(o.Subset * float64(len(train))))
		sub := make([]emotion.Example, n)
		for i := range sub {
			sub[i] = train[perm[i]]
		}
		train = sub
	}
	if len(train) < 2*o.Folds || o.Folds < 2 {
		return nil, fmt.Errorf("emotiontrain: %d examples cannot be split into %d folds", len(train), o.Folds)
	}
	texts, labels := split(train)
	v := ngram.Fit(texts, o.Features, vecWords)
	all := featurize(v, vecs, texts, labels)
	logf("features: %d n-gram rows, %d word-vector rows, %d texts", v.SparseRows(), v.Rows()-v.SparseRows(), len(texts))
	fold := make([]int, len(train))
	for i, p := range rng.Perm(len(train)) {
		fold[p] = i % o.Folds
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var emb []float32
	if o.CNN != nil && vecs != nil {
		var err error
		if emb, err = embTable(v, vecs); err != nil {
			return nil, err
		}
	}
	oof := make([][]float32, len(train))
	netOOF := make([][]float32, len(train))
	cnnOOF := make([][]float32, len(train))
	cnns := make([]*cnn, o.Folds)
	cnnEpochs := make([]int, o.Folds)
	netEpochs := make([]int, o.Folds)
	fms := make([]*linear, o.Folds)
	bestEpochs := make([]int, o.Folds)
	histories := make([][]EpochRecord, o.Folds)
	errs := make([]error, o.Folds)
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for k := 0; k < o.Folds; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var trS, vaS []sample
			var vaIdx []int
			var vaL [][]int
			for i, f := range fold {
				if f == k {
					vaS, vaIdx, vaL = append(vaS, all[i]), append(vaIdx, i), append(vaL, labels[i])
				} else {
					trS = append(trS, all[i])
				}
			}
			run := fmt.Sprintf("fold%d", k+1)
			m, best, hist, scores, err := fit(v, vecs, trS, vaS, vaL, o, run, logf)
			if err != nil {
				errs[k] = err
				return
			}
			for j, i := range vaIdx {
				oof[i] = scores[j]
			}
			fms[k], bestEpochs[k], histories[k] = m, best, hist
			if o.MLP != nil {
				_, ns, ne, err := trainMLP(trS, vaS, vaL, v.SparseRows(), dimOf(vecs), *o.MLP, o.Seed+uint64(k), func(f string, a ...any) { logf(run+" "+f, a...) })
				if err != nil {
					errs[k] = err
					return
				}
				for j, i := range vaIdx {
					netOOF[i] = ns[j]
				}
				netEpochs[k] = ne
			}
			if emb != nil {
				c, cs, ce, err := trainCNN(emb, vecs.Dim(), trS, vaS, vaL, *o.CNN, o.Seed+uint64(k), func(f string, a ...any) { logf(run+" "+f, a...) })
				if err != nil {
					errs[k] = err
					return
				}
				for j, i := range vaIdx {
					cnnOOF[i] = cs[j]
				}
				cnns[k], cnnEpochs[k] = c, ce
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var netW, cnnW float32
	var err error
	if o.MLP != nil {
		if oof, netW, err = blendWeight(oof, netOOF, labels, []float32{0.5, 0.6, 0.7, 0.8}, "network", logf); err != nil {
			return nil, err
		}
	}
	if emb != nil {
		if oof, cnnW, err = blendWeight(oof, cnnOOF, labels, []float32{0.1, 0.2, 0.3, 0.4}, "convolutional network", logf); err != nil {
			return nil, err
		}
	}
	perTh, per, err := emotion.TuneAndEvaluate(oof, labels)
	if err != nil {
		return nil, err
	}
	th, err := emotion.BalanceThresholds(oof, labels, perTh)
	if err != nil {
		return nil, err
	}
	cv, err := emotion.EvaluateScores(oof, th, labels)
	if err != nil {
		return nil, err
	}
	logf("cross-validation: out-of-fold macro-F1 %.4f micro %.4f Ekman %.4f with per-label thresholds, %.4f %.4f %.4f balanced (shipped); best iterations %v",
		per.MacroF1, per.MicroF1, per.EkmanMacroF1, cv.MacroF1, cv.MicroF1, cv.EkmanMacroF1, bestEpochs)

	m := newLinear(v.SparseRows(), dimOf(vecs))
	for _, fm := range fms {
		for i, x := range fm.p {
			m.p[i] += x / float32(len(fms))
		}
	}
	res := &Result{Vocab: v, model: m, Thresholds: th, Epochs: bestEpochs, CV: cv, CVPerLabel: per, OOF: oof, OOFLabels: labels}
	if o.MLP != nil {
		h := *o.MLP
		sorted := slices.Clone(netEpochs)
		slices.Sort(sorted)
		h.Epochs = sorted[len(sorted)/2]
		logf("network: best epochs %v; training on all of train for %d", netEpochs, h.Epochs)
		net, _, _, err := trainMLP(all, nil, nil, v.SparseRows(), dimOf(vecs), h, o.Seed, logf)
		if err != nil {
			return nil, err
		}
		res.net, res.NetWeight, res.NetEpochs = net, netW, netEpochs
	}
	if emb != nil {
		ship := cnns
		if n := o.CNN.Ship; n > 0 && n < len(cnns) {
			ship = cnns[:n]
		}
		res.cnns, res.CNNWeight, res.CNNEpochs = ship, cnnW, cnnEpochs
		logf("convolutional networks: best epochs %v; the shipped model carries %d of them", cnnEpochs, len(ship))
	}
	for _, h := range histories {
		res.History = append(res.History, h...)
	}
	return res, nil
}

// blendWeight chooses, of weights, the share of other's scores in a blend
// with base that gives the best out-of-fold macro-F1 (thresholds tuned on
// the blend; the first of equals), and returns that blend and the weight.
func blendWeight(base, other [][]float32, labels [][]int, weights []float32, what string, logf func(string, ...any)) ([][]float32, float32, error) {
	best, bestW := -1.0, float32(0)
	var blend [][]float32
	for _, w := range weights {
		b := mix(base, other, w)
		_, m, err := emotion.TuneAndEvaluate(b, labels)
		if err != nil {
			return nil, 0, err
		}
		logf("cross-validation: %s weight %.1f → out-of-fold macro-F1 %.4f", what, w, m.MacroF1)
		if m.MacroF1 > best {
			best, bestW, blend = m.MacroF1, w, b
		}
	}
	return blend, bestW, nil
}

func dimOf(vecs Vectors) int {
	if vecs == nil {
		return 0
	}
	return vecs.Dim()
}

// fit trains one fold with early stopping on the validation fold's
// macro-F1 and returns the model at its best epoch with that epoch's
// validation scores.
func fit(v *ngram.Vocab, vecs Vectors, trS, vaS []sample, vaL [][]int, o Options, run string, logf func(string, ...any)) (*linear, int, []EpochRecord, [][]float32, error) {
	m, best, hist, scores, _, err := fitMetrics(v, vecs, trS, vaS, vaL, o, run, logf)
	return m, best, hist, scores, err
}

// fitMetrics is fit that also returns the validation metrics at the best
// iteration.
func fitMetrics(v *ngram.Vocab, vecs Vectors, trS, vaS []sample, vaL [][]int, o Options, run string, logf func(string, ...any)) (*linear, int, []EpochRecord, [][]float32, emotion.Metrics, error) {
	m := newLinear(v.SparseRows(), dimOf(vecs))
	obj := newObjective(trS, m.rows, m.dim, o.Hyper, 1)
	var hist []EpochRecord
	best, bestF := 0, -1.0
	var bestScores [][]float32
	var bestParams []float32
	var bestMet emotion.Metrics
	t0 := time.Now()
	err := lbfgs(m, obj, o.MaxEpochs, o.Hyper.Memory, func(e int, loss float64) (bool, error) {
		if !finite(loss) {
			return false, fmt.Errorf("objective is %v", loss)
		}
		scores := m.scores(vaS)
		_, met, err := emotion.TuneAndEvaluate(scores, vaL)
		if err != nil {
			return false, err
		}
		rec := EpochRecord{Run: run, Epoch: e, TrainLoss: loss, ValLoss: m.loss(vaS), ValMacroF1: met.MacroF1, Seconds: time.Since(t0).Seconds()}
		t0 = time.Now()
		hist = append(hist, rec)
		logf("%s: iteration %d objective %.5f val loss %.5f val macro-F1 %.4f", run, e, rec.TrainLoss, rec.ValLoss, rec.ValMacroF1)
		if met.MacroF1 > bestF {
			best, bestF, bestScores, bestMet = e, met.MacroF1, scores, met
			bestParams = append(bestParams[:0], m.p...)
		} else if e-best >= o.Patience {
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, 0, nil, nil, emotion.Metrics{}, fmt.Errorf("%s: %w", run, err)
	}
	if bestParams != nil {
		copy(m.p, bestParams)
	}
	return m, best, hist, bestScores, bestMet, nil
}

// Scores returns the trained model's fp32 scores for texts, computed in Go
// (the reference the exported ONNX graph is checked against).
func (r *Result) Scores(texts []string, vecs Vectors) [][]float32 {
	ss := featurize(r.Vocab, vecs, texts, nil)
	out := r.model.scores(ss)
	if r.net != nil {
		out = mix(out, r.net.scores(ss), r.NetWeight)
	}
	if len(r.cnns) > 0 {
		avg := make([][]float32, len(ss))
		for i := range avg {
			avg[i] = make([]float32, nl)
		}
		for _, c := range r.cnns {
			for i, row := range c.scores(ss) {
				for l, x := range row {
					avg[i][l] += x / float32(len(r.cnns))
				}
			}
		}
		out = mix(out, avg, r.CNNWeight)
	}
	return out
}

// Candidate is one setting tried by Select.
type Candidate struct {
	Hyper Hyper `json:"hyper"`
	// ValMacroF1 and Epoch are the holdout's best macro-F1 (thresholds tuned
	// on the holdout) and the epoch it was reached at.
	ValMacroF1 float64 `json:"val_macro_f1"`
	Epoch      int     `json:"epoch"`
	// LabelF1 is each label's holdout F1 at that epoch.
	LabelF1 []float64 `json:"label_f1"`
}

// Combine returns a Hyper that gives each label the L2 strength and
// balance of the candidate with that label's best holdout F1 (the labels'
// losses are independent, so each may have its own).
func Combine(cands []Candidate) Hyper {
	h := cands[0].Hyper
	h.LabelL2, h.LabelBalance = make([]float64, nl), make([]float64, nl)
	for l := 0; l < nl; l++ {
		best := 0
		for i, c := range cands {
			if c.LabelF1[l] > cands[best].LabelF1[l] {
				best = i
			}
		}
		h.LabelL2[l] = cands[best].Hyper.L2
		h.LabelBalance[l] = cands[best].Hyper.Balance
	}
	return h
}

// Select trains each candidate (they share o.Features) on 80% of train and
// scores it on the other 20% (a split of train, never dev), and returns the
// candidates with their scores, best first.
func Select(train []emotion.Example, vecWords []string, vecs Vectors, o Options, cands []Candidate) ([]Candidate, error) {
	v, trS, vaS, vaL := holdout(train, vecWords, vecs, o)
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	errs := make([]error, len(cands))
	out := slices.Clone(cands)
	for ci := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c := &out[ci]
			oc := o
			oc.Hyper = c.Hyper
			quiet := func(string, ...any) {}
			_, best, hist, _, met, err := fitMetrics(v, vecs, trS, vaS, vaL, oc, "select", quiet)
			if err != nil {
				errs[ci] = err
				return
			}
			c.Epoch, c.ValMacroF1 = best, hist[best-1].ValMacroF1
			for _, name := range journal.EmotionLabels {
				c.LabelF1 = append(c.LabelF1, met.PerLabel[name].F1)
			}
			if o.Log != nil {
				fmt.Fprintf(o.Log, "select: %+v → %.4f at epoch %d\n", c.Hyper, c.ValMacroF1, c.Epoch)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		switch {
		case a.ValMacroF1 > b.ValMacroF1:
			return -1
		case a.ValMacroF1 < b.ValMacroF1:
			return 1
		}
		return 0
	})
	return out, nil
}

// Grid returns the candidates Select tries around o: the L2 strength and
// how much rare labels' positives are up-weighted.
func Grid(o Options) []Candidate {
	var out []Candidate
	for _, l2 := range []float64{1e-5, 3e-5, 1e-4} {
		for _, b := range []float64{0.5, 0.75} {
			c := Candidate{Hyper: o.Hyper}
			c.Hyper.L2, c.Hyper.Balance = l2, b
			out = append(out, c)
		}
	}
	return out
}

// split returns the examples' texts and label sets.
func split(ex []emotion.Example) ([]string, [][]int) {
	texts := make([]string, len(ex))
	labels := make([][]int, len(ex))
	for i, e := range ex {
		texts[i], labels[i] = e.Text, e.Labels
	}
	return texts, labels
}

// holdout featurizes train (the vocabulary fitted on all of it) and splits
// it 80/20 with a fixed seed: the training samples, the held-out samples
// and their label sets.
func holdout(train []emotion.Example, vecWords []string, vecs Vectors, o Options) (*ngram.Vocab, []sample, []sample, [][]int) {
	rng := rand.New(rand.NewPCG(o.Seed, 2))
	perm := rng.Perm(len(train))
	cut := len(train) * 4 / 5
	texts, labels := split(train)
	v := ngram.Fit(texts, o.Features, vecWords)
	all := featurize(v, vecs, texts, labels)
	var trS, vaS []sample
	var vaL [][]int
	for j, i := range perm {
		if j < cut {
			trS = append(trS, all[i])
		} else {
			vaS, vaL = append(vaS, all[i]), append(vaL, labels[i])
		}
	}
	return v, trS, vaS, vaL
}

// WriteOOF writes the out-of-fold scores and their gold labels to w as two
// gob values, OOF ([][]float32) then OOFLabels ([][]int), for studying
// thresholds without training again.
func (r *Result) WriteOOF(w io.Writer) error {
	enc := gob.NewEncoder(w)
	if err := enc.Encode(r.OOF); err != nil {
		return fmt.Errorf("emotiontrain: write out-of-fold scores: %w", err)
	}
	if err := enc.Encode(r.OOFLabels); err != nil {
		return fmt.Errorf("emotiontrain: write out-of-fold labels: %w", err)
	}
	return nil
}
