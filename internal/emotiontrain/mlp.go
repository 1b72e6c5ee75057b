package emotiontrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/emotion/ngram"
)

// mlp is a one-hidden-layer network over the same features as the linear
// model: h = relu(x·W1 + vec·G1 + b1), logits = h·W2 + b2. It is an
// experiment: a non-linear partner for the linear model in an ensemble.
type mlp struct {
	rows, dim, hidden int
	w1                []float32 // rows × hidden
	g1                []float32 // dim × hidden
	b1                []float32
	w2                []float32 // hidden × nl
	b2                []float32
}

// MLPHyper configures the network.
type MLPHyper struct {
	Hidden  int     `json:"hidden"`
	LR      float64 `json:"learning_rate"`
	Batch   int     `json:"batch"`
	Dropout float64 `json:"dropout"`
	Epochs  int     `json:"epochs"`
	Balance float64 `json:"balance"`
	Decay   float64 `json:"weight_decay"`
}

func newMLP(rows, dim, hidden int, rng *rand.Rand) *mlp {
	m := &mlp{rows: rows, dim: dim, hidden: hidden,
		w1: make([]float32, rows*hidden), g1: make([]float32, dim*hidden), b1: make([]float32, hidden),
		w2: make([]float32, hidden*nl), b2: make([]float32, nl)}
	s1 := float32(math.Sqrt(2.0 / 64))
	for i := range m.w1 {
		m.w1[i] = float32(rng.NormFloat64()) * s1 * 0.1
	}
	for i := range m.g1 {
		m.g1[i] = float32(rng.NormFloat64()) * float32(math.Sqrt(2.0/float64(max(dim, 1))))
	}
	s2 := float32(math.Sqrt(2.0 / float64(hidden)))
	for i := range m.w2 {
		m.w2[i] = float32(rng.NormFloat64()) * s2
	}
	for l := range m.b2 {
		m.b2[l] = -3
	}
	return m
}

// forward computes the hidden layer into h and the logits into z.
func (m *mlp) forward(s *sample, h []float32, z *[nl]float32) {
	m.hiddenLayer(s, h)
	m.output(h, nil, z)
}

// hiddenLayer computes relu(x·W1 + vec·G1 + b1) into h.
func (m *mlp) hiddenLayer(s *sample, h []float32) {
	copy(h, m.b1)
	for j, r := range s.rows {
		x := s.vals[j]
		w := m.w1[int(r)*m.hidden : int(r+1)*m.hidden]
		for k := range h {
			h[k] += x * w[k]
		}
	}
	for d, x := range s.vec {
		g := m.g1[d*m.hidden : (d+1)*m.hidden]
		for k := range h {
			h[k] += x * g[k]
		}
	}
	for k := range h {
		h[k] = max(h[k], 0)
	}
}

// output computes the logits from h, each unit scaled by mask when one is
// given (dropout).
func (m *mlp) output(h, mask []float32, z *[nl]float32) { dense(m.w2, m.b2, h, mask, z) }

// dense computes z = b + (h∘mask)·w for w of len(h) rows of nl (without
// mask: z = b + h·w).
func dense(w, b, h, mask []float32, z *[nl]float32) {
	copy(z[:], b)
	for k, hk := range h {
		if mask != nil {
			hk *= mask[k]
		}
		if hk == 0 {
			continue
		}
		row := w[k*nl : (k+1)*nl]
		for l := range z {
			z[l] += hk * row[l]
		}
	}
}

func (m *mlp) scores(ss []sample) [][]float32 {
	h := make([]float32, m.hidden)
	var z [nl]float32
	out := make([][]float32, len(ss))
	for i := range ss {
		m.forward(&ss[i], h, &z)
		out[i] = make([]float32, nl)
		for l := range z {
			out[i][l] = sigmoid(z[l])
		}
	}
	return out
}

// weightedLogLoss returns the logistic loss of logits z against y, each
// label's positive examples weighted by pw, and writes its gradient with
// respect to z into dz.
func weightedLogLoss(z *[nl]float32, y *[nl]bool, pw, dz *[nl]float32) float64 {
	var loss float64
	for l := range z {
		p := sigmoid(z[l])
		if y[l] {
			dz[l] = pw[l] * (p - 1)
			loss -= float64(pw[l]) * math.Log(max(float64(p), 1e-12))
		} else {
			dz[l] = p
			loss -= math.Log(max(1-float64(p), 1e-12))
		}
	}
	return loss
}

// adam holds Adam's moments for one parameter slice.
type adam struct{ m, v []float32 }

func newAdam(n int) adam { return adam{make([]float32, n), make([]float32, n)} }

// step updates p[i] for i in [lo,hi) from g, at time t (lazy for sparse rows).
func (a adam) step(p, g []float32, lo, hi int, lr, decay float64, t int) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	c1 := 1 - math.Pow(b1, float64(t))
	c2 := 1 - math.Pow(b2, float64(t))
	for i := lo; i < hi; i++ {
		gi := g[i] + float32(decay)*p[i]
		a.m[i] = b1*a.m[i] + (1-b1)*gi
		a.v[i] = b2*a.v[i] + (1-b2)*gi*gi
		p[i] -= float32(lr * (float64(a.m[i]) / c1) / (math.Sqrt(float64(a.v[i])/c2) + eps))
		g[i] = 0
	}
}

// trainMLP trains the network with early stopping on the validation
// samples' macro-F1 (thresholds tuned on them) and returns it at its best
// epoch with that epoch's validation scores.
//
// Without validation samples it trains for h.Epochs and returns the last
// epoch's network.
func trainMLP(trS, vaS []sample, vaL [][]int, rows, dim int, h MLPHyper, seed uint64, logf func(string, ...any)) (*mlp, [][]float32, int, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := newMLP(rows, dim, h.Hidden, rng)
	pw := positiveWeights(trS, func(int) float64 { return h.Balance })
	aw1, ag1, ab1, aw2, ab2 := newAdam(len(m.w1)), newAdam(len(m.g1)), newAdam(len(m.b1)), newAdam(len(m.w2)), newAdam(len(m.b2))
	gw1, gg1, gb1, gw2, gb2 := make([]float32, len(m.w1)), make([]float32, len(m.g1)), make([]float32, len(m.b1)), make([]float32, len(m.w2)), make([]float32, len(m.b2))
	last := make([]int, rows) // Adam step count per row (lazy updates)
	touched := make([]bool, rows)
	var touch []int32
	hid := make([]float32, h.Hidden)
	mask := make([]float32, h.Hidden)
	dh := make([]float32, h.Hidden)
	var z [nl]float32
	var es earlyStop[*mlp]
	t := 0
	for e := 1; e <= h.Epochs; e++ {
		order := rng.Perm(len(trS))
		var total float64
		for start := 0; start < len(order); start += h.Batch {
			end := min(start+h.Batch, len(order))
			touch = touch[:0]
			for _, i := range order[start:end] {
				s := &trS[i]
				m.hiddenLayer(s, hid)
				for k := range hid {
					if rng.Float64() < h.Dropout {
						mask[k] = 0
					} else {
						mask[k] = float32(1 / (1 - h.Dropout))
					}
				}
				m.output(hid, mask, &z)
				var dz [nl]float32
				total += weightedLogLoss(&z, &s.y, &pw, &dz)
				for l := range dz {
					gb2[l] += dz[l]
				}
				for k := range hid {
					hk := hid[k] * mask[k]
					w := m.w2[k*nl : (k+1)*nl]
					gw := gw2[k*nl : (k+1)*nl]
					var d float32
					for l := range dz {
						gw[l] += hk * dz[l]
						d += w[l] * dz[l]
					}
					if hid[k] > 0 {
						dh[k] = d * mask[k]
					} else {
						dh[k] = 0
					}
					gb1[k] += dh[k]
				}
				for j, r := range s.rows {
					if !touched[r] {
						touched[r] = true
						touch = append(touch, r)
					}
					x := s.vals[j]
					g := gw1[int(r)*h.Hidden : int(r+1)*h.Hidden]
					for k := range g {
						g[k] += x * dh[k]
					}
				}
				for d, x := range s.vec {
					g := gg1[d*h.Hidden : (d+1)*h.Hidden]
					for k := range g {
						g[k] += x * dh[k]
					}
				}
			}
			n := float32(end - start)
			for _, gs := range [][]float32{gg1, gb1, gw2, gb2} {
				for i := range gs {
					gs[i] /= n
				}
			}
			t++
			for _, r := range touch {
				touched[r] = false
				g := gw1[int(r)*h.Hidden : int(r+1)*h.Hidden]
				for k := range g {
					g[k] /= n
				}
				last[r]++
				aw1.step(m.w1, gw1, int(r)*h.Hidden, int(r+1)*h.Hidden, h.LR, h.Decay, last[r])
			}
			ag1.step(m.g1, gg1, 0, len(m.g1), h.LR, h.Decay, t)
			ab1.step(m.b1, gb1, 0, len(m.b1), h.LR, 0, t)
			aw2.step(m.w2, gw2, 0, len(m.w2), h.LR, h.Decay, t)
			ab2.step(m.b2, gb2, 0, len(m.b2), h.LR, 0, t)
		}
		loss := total / float64(len(trS)*nl)
		stop, err := es.end("mlp", e, h.Epochs, loss, vaL, func() [][]float32 { return m.scores(vaS) }, m.clone, logf)
		if err != nil {
			return nil, nil, 0, err
		}
		if stop {
			break
		}
	}
	snap, scores, best := es.result(m, h.Epochs)
	return snap, scores, best, nil
}

func (m *mlp) clone() *mlp {
	c := *m
	c.w1, c.g1, c.b1, c.w2, c.b2 = slices.Clone(m.w1), slices.Clone(m.g1), slices.Clone(m.b1), slices.Clone(m.w2), slices.Clone(m.b2)
	return &c
}

// earlyStop keeps a network's best epoch by validation macro-F1
// (thresholds tuned on the validation set) with a snapshot of the network
// at that epoch, and says when to stop: after three epochs without a
// better one.
type earlyStop[M any] struct {
	best   int
	bestF  float64
	scores [][]float32
	snap   M
}

// end closes epoch e of at most epochs: it refuses a non-finite loss and
// logs the epoch. With validation labels it scores the epoch (score is
// called only then), keeps a snapshot of the network when the epoch is
// the best so far and reports whether training should stop.
func (s *earlyStop[M]) end(what string, e, epochs int, loss float64, vaL [][]int, score func() [][]float32, snapshot func() M, logf func(string, ...any)) (stop bool, err error) {
	if !finite(loss) {
		return false, fmt.Errorf("emotiontrain: %s loss %v", what, loss)
	}
	if len(vaL) == 0 {
		logf("%s: epoch %d/%d loss %.5f", what, e, epochs, loss)
		return false, nil
	}
	scores := score()
	_, met, err := emotion.TuneAndEvaluate(scores, vaL)
	if err != nil {
		return false, err
	}
	logf("%s: epoch %d loss %.5f val macro-F1 %.4f micro %.4f ekman %.4f", what, e, loss, met.MacroF1, met.MicroF1, met.EkmanMacroF1)
	if met.MacroF1 > s.bestF || s.best == 0 {
		s.best, s.bestF, s.scores, s.snap = e, met.MacroF1, scores, snapshot()
		return false, nil
	}
	return e-s.best >= 3, nil
}

// result returns the best epoch's network, validation scores and number;
// for a network trained without validation, last (the network as
// trained), no scores and epochs.
func (s *earlyStop[M]) result(last M, epochs int) (M, [][]float32, int) {
	if s.best == 0 {
		return last, nil, epochs
	}
	return s.snap, s.scores, s.best
}

// ExperimentMLP trains the linear model (with o's hyper-parameters) and
// the network on the same 80/20 split of train and logs the holdout
// macro-F1 of each and of their average.
func ExperimentMLP(train []emotion.Example, vecWords []string, vecs Vectors, o Options, h MLPHyper) error {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	v, trS, vaS, vaL := holdout(train, vecWords, vecs, o)
	lin, ms, err := holdoutScores(v, vecs, trS, vaS, vaL, o, h, logf)
	if err != nil {
		return err
	}
	return logBlends("mlp", lin, ms, []float32{0, 0.3, 0.5, 0.7, 1}, vaL, logf)
}

// holdoutScores trains the linear model and the network (at once) on trS
// and returns their scores on vaS.
func holdoutScores(v *ngram.Vocab, vecs Vectors, trS, vaS []sample, vaL [][]int, o Options, h MLPHyper, logf func(string, ...any)) (lin, net [][]float32, err error) {
	type res struct {
		s   [][]float32
		err error
	}
	lc := make(chan res, 1)
	go func() {
		_, _, _, s, err := fit(v, vecs, trS, vaS, vaL, o, "linear", func(string, ...any) {})
		lc <- res{s, err}
	}()
	_, net, _, err = trainMLP(trS, vaS, vaL, v.SparseRows(), dimOf(vecs), h, o.Seed, logf)
	lr := <-lc
	if err != nil {
		return nil, nil, err
	}
	return lr.s, net, lr.err
}

// logBlends logs the holdout metrics (thresholds tuned on the holdout) of
// base blended with other at each weight, the share of other's scores.
func logBlends(what string, base, other [][]float32, weights []float32, vaL [][]int, logf func(string, ...any)) error {
	for _, w := range weights {
		_, met, err := emotion.TuneAndEvaluate(mix(base, other, w), vaL)
		if err != nil {
			return err
		}
		logf("ensemble: %s weight %.1f → holdout macro-F1 %.4f micro %.4f ekman %.4f", what, w, met.MacroF1, met.MicroF1, met.EkmanMacroF1)
	}
	return nil
}

// mix averages the linear model's and the network's scores: w of the
// network's, 1-w of the linear model's.
func mix(lin, net [][]float32, w float32) [][]float32 {
	out := make([][]float32, len(lin))
	for i := range lin {
		out[i] = make([]float32, nl)
		for l := range out[i] {
			out[i][l] = w*net[i][l] + (1-w)*lin[i][l]
		}
	}
	return out
}
