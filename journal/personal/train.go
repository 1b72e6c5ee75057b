package personal

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"
)

// DefaultLambdas are the shrinkage strengths Train chooses among when
// Options.Lambdas is empty. The loss is summed over the corrections, so λ
// counts roughly in corrections: with λ = 16 a label needs a few dozen
// corrections that disagree with the built-in model before its weights
// (per spread of their feature) move far from the identity.
var DefaultLambdas = []float64{4, 16, 64, 256, 1024}

// Defaults of Options.
const (
	DefaultFolds  = 5
	DefaultEpochs = 30
	// LeaveOneOutBelow is the number of examples under which
	// cross-validation leaves one example out at a time.
	LeaveOneOutBelow = 20
	// ThresholdPrior is how many positives' weight the built-in threshold
	// carries when a label's threshold is re-tuned: with p positives the
	// threshold is (p·tuned + ThresholdPrior·built-in)/(p + ThresholdPrior).
	ThresholdPrior = 10
	// minThreshold keeps a tuned threshold off the very edges of [0, 1].
	minThreshold = 0.02
)

// Options tune Train and CrossValidate.
type Options struct {
	// Lambdas are the candidate strengths of the L2 prior centred on the
	// identity; cross-validation picks one per label, or the identity
	// itself, by its held-out decisions, preferring the stronger. Each must be a positive finite number. Empty means
	// DefaultLambdas.
	Lambdas []float64
	// Folds is the number of cross-validation folds; 0 means DefaultFolds,
	// and below LeaveOneOutBelow examples every example is its own fold.
	Folds int
	// Seed shuffles the examples into folds; the same seed gives the same
	// folds.
	Seed uint64
	// Epochs bounds the Newton steps of each label's fit; 0 means
	// DefaultEpochs. Fits usually converge in under ten.
	Epochs int
}

// ErrExamples marks examples Train cannot learn from (wrong number of
// scores, labels out of range) or thresholds of the wrong shape.
var ErrExamples = errors.New("personal: bad examples")

// dim is the number of parameters of one label's fit: a bias and NumLabels
// weights.
const dim = NumLabels + 1

// data is a training set in the form the fits read: each row a bias
// feature and the NumLabels logits standardised over the set (less their
// mean mu, over their spread sd), and each row's gold as a label mask.
//
// The fits work in standardised coordinates because raw logits of absent
// labels sit far below zero (about −4) and all move together: there a
// small change to any weight shifts every score, and an L2 prior on the
// raw weights would not say "little change". In standardised coordinates
// the prior bounds each weight's effect per spread of its feature.
type data struct {
	x      [][dim]float64
	gold   [][NumLabels]bool
	mu, sd [NumLabels]float64
	// p holds each row's base scores as the identity layer reads them.
	p [][NumLabels]float64
}

// minSpread keeps a feature that hardly varies over the corrections from
// being magnified when standardised.
const minSpread = 0.5

// standardise sets d.mu and d.sd from the rows' logits and rewrites the
// rows in standardised form.
func (d *data) standardise() {
	n := float64(len(d.x))
	if n == 0 {
		return
	}
	for k := range NumLabels {
		var s, ss float64
		for i := range d.x {
			s += d.x[i][1+k]
		}
		m := s / n
		for i := range d.x {
			ss += (d.x[i][1+k] - m) * (d.x[i][1+k] - m)
		}
		d.mu[k], d.sd[k] = m, max(math.Sqrt(ss/n), minSpread)
		for i := range d.x {
			d.x[i][1+k] = (d.x[i][1+k] - m) / d.sd[k]
		}
	}
}

// prior is label l's parameters of the identity layer in d's standardised
// coordinates: weight sd_l on its own feature, and the intercept at the
// mean, mu_l.
func (d *data) prior(l int) [dim]float64 {
	var t [dim]float64
	t[0] = d.mu[l]
	t[1+l] = d.sd[l]
	return t
}

// raw turns parameters in standardised coordinates back into the layer's
// bias and weights over raw logits.
func (d *data) raw(theta *[dim]float64) (b float64, w [NumLabels]float64) {
	b = theta[0]
	for k := range NumLabels {
		w[k] = theta[1+k] / d.sd[k]
		b -= w[k] * d.mu[k]
	}
	return b, w
}

func (o Options) lambdas() ([]float64, error) {
	ls := o.Lambdas
	if len(ls) == 0 {
		ls = DefaultLambdas
	}
	for _, v := range ls {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("personal: shrinkage candidate %v: want a positive finite number", v)
		}
	}
	out := slices.Clone(ls)
	slices.Sort(out)
	slices.Reverse(out) // strongest first: each fit starts from the last
	return slices.Compact(out), nil
}

func (o Options) folds(n int) int {
	k := o.Folds
	if k <= 0 {
		k = DefaultFolds
	}
	if n < LeaveOneOutBelow || k > n {
		k = n
	}
	return k
}

func (o Options) epochs() int {
	if o.Epochs <= 0 {
		return DefaultEpochs
	}
	return o.Epochs
}

// assign returns each of n examples' fold, 0..k-1, as even as can be, in an
// order shuffled by seed.
func assign(n, k int, seed uint64) []int {
	perm := rand.New(rand.NewPCG(seed, 0x5a3d_1e7c_0b92_46f1)).Perm(n)
	fold := make([]int, n)
	for i, p := range perm {
		fold[p] = i % k
	}
	return fold
}

// prepare checks the examples and thresholds and turns the examples into
// the fits' form.
func prepare(ex []Example, baseThresholds []float32) (*data, error) {
	if len(baseThresholds) != NumLabels {
		return nil, fmt.Errorf("%w: %d built-in thresholds, want %d", ErrExamples, len(baseThresholds), NumLabels)
	}
	for l, t := range baseThresholds {
		if !(t >= 0 && t <= 1) {
			return nil, fmt.Errorf("%w: built-in threshold %d is %v, want a value in [0, 1]", ErrExamples, l, t)
		}
	}
	d := &data{x: make([][dim]float64, len(ex)), gold: make([][NumLabels]bool, len(ex)), p: make([][NumLabels]float64, len(ex))}
	for i, e := range ex {
		if len(e.Base) != NumLabels {
			return nil, fmt.Errorf("%w: example %d has %d scores, want %d", ErrExamples, i, len(e.Base), NumLabels)
		}
		var f [NumLabels]float64
		features(&f, e.Base)
		d.x[i][0] = 1
		copy(d.x[i][1:], f[:])
		for k, v := range f {
			d.p[i][k] = sigmoid(v)
		}
		for _, g := range e.Gold {
			if g < 0 || g >= NumLabels {
				return nil, fmt.Errorf("%w: example %d has label %d, want 0..%d", ErrExamples, i, g, NumLabels-1)
			}
			d.gold[i][g] = true
		}
	}
	d.standardise()
	return d, nil
}

// Train learns a personal layer from corrected entries. For each label it
// fits a logistic regression over the logits of the built-in scores by
// maximum a posteriori with a Gaussian prior centred on the identity (bias
// 0, weight 1 on the label's own logit, 0 elsewhere) of strength λ, so that
// a handful of corrections moves the layer little and many move it more.
// λ is chosen for each label among opt.Lambdas and the identity (an
// infinite λ) by cross-validation: the strongest whose held-out decisions
// (a smoothed F1, with Decide's fallback to the highest score counted)
// come within a small slack of the best, so that labels the corrections do
// not speak to stay at the identity (LabelLambdas records IdentityLambda). Each label's threshold is then tuned for F1 on the held-out
// (out-of-fold) personalised scores of the chosen λ and shrunk toward the
// built-in threshold by ThresholdPrior (see there), so a label with few
// positives keeps close to the built-in threshold.
//
// No examples give the identity layer. A single example cannot be
// cross-validated: it is fitted with the strongest λ and the built-in
// thresholds. Examples with the wrong number of scores or labels out of
// range are refused with an error wrapping ErrExamples.
func Train(ex []Example, baseThresholds []float32, opt Options) (*Layer, error) {
	d, err := prepare(ex, baseThresholds)
	if err != nil {
		return nil, err
	}
	lambdas, err := opt.lambdas()
	if err != nil {
		return nil, err
	}
	base := baseline(baseThresholds)
	n := len(ex)
	layer := Identity(baseThresholds)
	layer.Trained = time.Now().UTC().Round(0)
	layer.Examples = n
	if n == 0 {
		layer.Lambda = lambdas[0]
		return layer, nil
	}
	epochs := opt.epochs()
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	// chosen[l] indexes label l's candidate: 0 is the identity, c > 0 the
	// fit with lambdas[c-1]. A single example keeps the strongest fit.
	var chosen [NumLabels]int
	for l := range chosen {
		chosen[l] = 1
	}
	var oof [][][NumLabels]float64 // [candidate][example][label] held-out scores
	if n >= 2 {
		chosen, oof = selectLambda(d, lambdas, base, opt.folds(n), opt.Seed, epochs)
	}
	layer.LabelLambdas = make([]float64, NumLabels)
	forLabels(func(l int, w *work) {
		if oof != nil {
			scores := make([]float64, n)
			gold := make([]bool, n)
			for i := range scores {
				scores[i], gold[i] = oof[chosen[l]][i][l], d.gold[i][l]
			}
			layer.Thresholds[l] = tuneThreshold(scores, gold, fallback(d, l, base, scores), base[l])
		}
		if chosen[l] == 0 {
			layer.LabelLambdas[l] = IdentityLambda
			return
		}
		theta := d.prior(l)
		for _, lam := range lambdas[:chosen[l]] {
			w.fit(d, all, l, lam, &theta, epochs)
		}
		b, wl := d.raw(&theta)
		layer.B[l] = b
		copy(layer.W[l], wl[:])
		layer.LabelLambdas[l] = lambdas[chosen[l]-1]
	})
	count := make([]int, len(lambdas)+1)
	for _, c := range chosen {
		count[c]++
	}
	most := 0
	for c := range count {
		if count[c] > count[most] {
			most = c
		}
	}
	layer.Lambda = IdentityLambda
	if most > 0 {
		layer.Lambda = lambdas[most-1]
	}
	if err := layer.Check(); err != nil {
		// Cannot happen with finite inputs; refuse rather than store it.
		return nil, fmt.Errorf("personal: train: %w", err)
	}
	return layer, nil
}

// selectLambda cross-validates every candidate over k folds and returns,
// for each label, the index of the candidate it keeps (0 the identity,
// c > 0 the fit with lambdas[c-1]), with every candidate's out-of-fold
// scores. A label's candidates are judged by the smoothed F1,
// (2tp+1)/(2tp+fp+fn+1), of its held-out decisions at the threshold Train
// would tune on them (a label the person never gives scores best when never
// predicted), the decisions made as Decide would make them with the other
// labels read by the identity (see fallback); see pickBest.
func selectLambda(d *data, lambdas, base []float64, k int, seed uint64, epochs int) ([NumLabels]int, [][][NumLabels]float64) {
	n := len(d.x)
	fold := assign(n, k, seed)
	oof := make([][][NumLabels]float64, len(lambdas)+1)
	for i := range oof {
		oof[i] = make([][NumLabels]float64, n)
	}
	for i := range n {
		oof[0][i] = d.p[i] // the identity reads the base scores
	}
	var chosen [NumLabels]int
	forLabels(func(l int, w *work) {
		for f := range k {
			var train, held []int
			for i, fi := range fold {
				if fi == f {
					held = append(held, i)
				} else {
					train = append(train, i)
				}
			}
			theta := d.prior(l)
			for li, lam := range lambdas {
				w.fit(d, train, l, lam, &theta, epochs)
				for _, i := range held {
					oof[li+1][i][l] = sigmoid(dot(&theta, &d.x[i]))
				}
			}
		}
		gold := make([]bool, n)
		scores := make([]float64, n)
		for i := range n {
			gold[i] = d.gold[i][l]
		}
		score := make([]float64, len(oof))
		for li := range oof {
			for i := range n {
				scores[i] = oof[li][i][l]
			}
			always := fallback(d, l, base, scores)
			t := tuneThreshold(scores, gold, always, base[l])
			var tp, fp, fn int
			for i := range n {
				switch p := scores[i] >= t || always[i]; {
				case p && gold[i]:
					tp++
				case p:
					fp++
				case gold[i]:
					fn++
				}
			}
			score[li] = float64(2*tp+1) / float64(2*tp+fp+fn+1)
		}
		chosen[l] = pickBest(score)
	})
	return chosen, oof
}

// pickBest returns the strongest shrinkage (lowest index: candidates run
// from the identity, infinitely strong, to the weakest) whose held-out
// score comes within pickSlack of the best, so that a label moves off the
// identity only when the corrections clearly say so.
func pickBest(score []float64) int {
	best := slices.Max(score)
	for li, v := range score {
		if v >= best-pickSlack {
			return li
		}
	}
	return 0
}

const pickSlack = 0.02

// forLabels runs f for every label, spread over the process's cores, each
// worker with its own scratch space.
func forLabels(f func(l int, w *work)) {
	workers := min(runtime.GOMAXPROCS(0), NumLabels)
	next := make(chan int, NumLabels)
	for l := range NumLabels {
		next <- l
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			w := new(work)
			for l := range next {
				f(l, w)
			}
		})
	}
	wg.Wait()
}

func dot(a, b *[dim]float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// softplus is log(1+e^z) without overflow.
func softplus(z float64) float64 {
	return max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))
}

// logLoss is the negative log-likelihood of gold y under logit z.
func logLoss(z float64, y bool) float64 {
	if y {
		return softplus(-z)
	}
	return softplus(z)
}

// work is one worker's scratch space for the Newton fits.
type work struct {
	h    [dim][dim]float64
	g, d [dim]float64
}

// objective is the penalised negative log-likelihood of label l's
// parameters theta over the rows.
func objective(d *data, rows []int, l int, lambda float64, theta *[dim]float64) float64 {
	var s float64
	for _, i := range rows {
		s += logLoss(dot(theta, &d.x[i]), d.gold[i][l])
	}
	p := d.prior(l)
	var r float64
	for j := range theta {
		r += (theta[j] - p[j]) * (theta[j] - p[j])
	}
	return s + lambda/2*r
}

// fit minimises label l's penalised negative log-likelihood over the rows
// by Newton's method with a backtracking line search, starting from theta
// and leaving the result there.
func (w *work) fit(d *data, rows []int, l int, lambda float64, theta *[dim]float64, epochs int) {
	p := d.prior(l)
	obj := objective(d, rows, l, lambda, theta)
	for range epochs {
		w.h = [dim][dim]float64{}
		for j := range dim {
			w.g[j] = lambda * (theta[j] - p[j])
			w.h[j][j] = lambda
		}
		for _, i := range rows {
			x := &d.x[i]
			q := sigmoid(dot(theta, x))
			r := q
			if d.gold[i][l] {
				r = q - 1
			}
			c := q * (1 - q)
			for a := range dim {
				w.g[a] += r * x[a]
				ca := c * x[a]
				if ca == 0 {
					continue
				}
				row := &w.h[a]
				for b := a; b < dim; b++ {
					row[b] += ca * x[b]
				}
			}
		}
		for a := range dim {
			for b := 0; b < a; b++ {
				w.h[a][b] = w.h[b][a]
			}
			w.d[a] = -w.g[a]
		}
		if !solve(&w.h, &w.d) {
			return
		}
		slope := 0.0
		for j := range dim {
			slope += w.g[j] * w.d[j]
		}
		if slope > -1e-12 {
			return // at the optimum to working precision
		}
		step := 1.0
		var trial [dim]float64
		accepted := false
		for range 40 {
			for j := range dim {
				trial[j] = theta[j] + step*w.d[j]
			}
			o := objective(d, rows, l, lambda, &trial)
			if o <= obj+1e-4*step*slope {
				*theta, obj, accepted = trial, o, true
				break
			}
			step /= 2
		}
		if !accepted {
			return
		}
		var moved float64
		for j := range dim {
			moved = max(moved, math.Abs(step*w.d[j]))
		}
		if moved < 1e-7 {
			return
		}
	}
}

// solve overwrites b with the solution of h·x = b by Cholesky
// factorisation (h is symmetric positive definite: the penalty adds λ to
// its diagonal). It returns false when h is not numerically positive
// definite.
func solve(h *[dim][dim]float64, b *[dim]float64) bool {
	for j := range dim {
		s := h[j][j]
		for k := range j {
			s -= h[j][k] * h[j][k]
		}
		if !(s > 0) {
			return false
		}
		h[j][j] = math.Sqrt(s)
		for i := j + 1; i < dim; i++ {
			t := h[i][j]
			for k := range j {
				t -= h[i][k] * h[j][k]
			}
			h[i][j] = t / h[j][j]
		}
	}
	for i := range dim {
		s := b[i]
		for k := range i {
			s -= h[i][k] * b[k]
		}
		b[i] = s / h[i][i]
	}
	for i := dim - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < dim; k++ {
			s -= h[k][i] * b[k]
		}
		b[i] = s / h[i][i]
	}
	return true
}

// tuneThreshold returns the threshold on scores that maximises F1 against
// gold, placed halfway between the two scores it separates and kept within
// [minThreshold, 1-minThreshold], then shrunk toward base by
// ThresholdPrior. The examples marked in always are predicted whatever the
// threshold (Decide's fallback, see fallback); always may be nil. It
// returns base when there are no positives, or when the tuned threshold's
// F1 beats base's by less than thresholdGain: a threshold moves only on
// evidence.
func tuneThreshold(scores []float64, gold, always []bool, base float64) float64 {
	pos := 0
	for _, g := range gold {
		if g {
			pos++
		}
	}
	if pos == 0 {
		return base
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	// restTP and restPred count the examples below the cut that are
	// predicted all the same, and the gold among them.
	restTP, restPred := 0, 0
	for i := range scores {
		if always != nil && always[i] {
			restPred++
			if gold[i] {
				restTP++
			}
		}
	}
	bestF1, best := -1.0, base
	baseTP, basePred := restTP, restPred
	tp := 0
	for k, i := range idx {
		if gold[i] {
			tp++
		}
		if always != nil && always[i] {
			restPred--
			if gold[i] {
				restTP--
			}
		}
		if scores[i] >= base {
			baseTP, basePred = tp+restTP, k+1+restPred
		}
		if k+1 < len(idx) && scores[idx[k+1]] == scores[i] {
			continue // a threshold cannot fall between equal scores
		}
		f1 := 2 * float64(tp+restTP) / float64(k+1+restPred+pos)
		if f1 > bestF1 {
			bestF1 = f1
			if k+1 < len(idx) {
				best = (scores[i] + scores[idx[k+1]]) / 2
			} else {
				best = scores[i] / 2
			}
		}
	}
	if bestF1-2*float64(baseTP)/float64(basePred+pos) < thresholdGain {
		return base
	}
	best = min(max(best, minThreshold), 1-minThreshold)
	return (float64(pos)*best + ThresholdPrior*base) / float64(pos+ThresholdPrior)
}

// thresholdGain is the F1 a re-tuned threshold must gain, on held-out
// scores, over the built-in threshold for a label to move off it.
const thresholdGain = 0.02

// IdentityLambda is the shrinkage a layer records for a label kept at the
// identity: no fit of the corrections beat the built-in reading of it on
// held-out decisions. It stands for an infinitely strong prior, kept finite
// so that a layer stays valid JSON.
const IdentityLambda = math.MaxFloat64

// fallback marks the examples for which Decide would give label l
// whatever its threshold: no other label reaches its threshold in the
// identity's reading (the base scores and base thresholds) and l's score
// in scores is above every other base score, so that l is the reading's
// single label. Judging a label by its threshold alone would miss these
// and, for a label the fallback already gives (neutral in a journal whose
// scores rarely pass a threshold), pull its threshold down for nothing.
func fallback(d *data, l int, base, scores []float64) []bool {
	out := make([]bool, len(d.p))
	for i, p := range d.p {
		top := -1.0
		passes := false
		for k, v := range p {
			if k == l {
				continue
			}
			if v >= base[k] {
				passes = true
				break
			}
			top = max(top, v)
		}
		out[i] = !passes && scores[i] > top
	}
	return out
}
