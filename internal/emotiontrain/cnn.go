package emotiontrain

import (
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/emotion/ngram"
)

// cnn is a convolutional network over the text's word vectors: for each
// width k in widths, Filters filters slide over k consecutive tokens' fixed
// (pretrained) vectors; each filter keeps its largest ReLU output over the
// text (max-pooling), and a linear layer maps the pooled features to the
// 28 logits. Unlike the n-gram models it sees words it was never trained
// on through their vectors' neighbours, and phrases as sequences.
type cnn struct {
	dim, filters int
	widths       []int
	emb          []float32   // (vectorWords+1) × dim; row 0 is padding and unknown words
	kern         [][]float32 // per width: k × dim × filters (offset, input, filter)
	kb           [][]float32 // per width: filters
	w2           []float32   // (len(widths)·filters) × nl
	b2           []float32
}

// CNNHyper configures the convolutional network.
type CNNHyper struct {
	Widths  []int   `json:"widths"`
	Filters int     `json:"filters"`
	LR      float64 `json:"learning_rate"`
	Batch   int     `json:"batch"`
	Dropout float64 `json:"dropout"`
	Epochs  int     `json:"epochs"`
	Balance float64 `json:"balance"`
	Decay   float64 `json:"weight_decay"`
	// Ship is how many of the fold networks (the first ones) the shipped
	// model carries and averages; 0 means all. Each costs as much time
	// when reading a text as the others together, and one is what the
	// out-of-fold scores that choose the weights and thresholds came from.
	Ship int `json:"ship,omitempty"`
}

// embTable returns the vocabulary's vector words' vectors as one table,
// row 0 (padding) zero.
func embTable(v *ngram.Vocab, vecs Vectors) ([]float32, error) {
	words := v.VectorWords()
	d := vecs.Dim()
	emb := make([]float32, (len(words)+1)*d)
	for i, w := range words {
		vec, ok := vecs.Vector(w)
		if !ok {
			return nil, fmt.Errorf("emotiontrain: no vector for %q", w)
		}
		copy(emb[(i+1)*d:(i+2)*d], vec)
	}
	return emb, nil
}

func newCNN(emb []float32, dim int, h CNNHyper, rng *rand.Rand) *cnn {
	m := &cnn{dim: dim, filters: h.Filters, widths: h.Widths, emb: emb}
	for _, k := range h.Widths {
		w := make([]float32, k*dim*h.Filters)
		s := float32(math.Sqrt(2.0 / float64(k*dim)))
		for i := range w {
			w[i] = float32(rng.NormFloat64()) * s * 0.5
		}
		m.kern = append(m.kern, w)
		m.kb = append(m.kb, make([]float32, h.Filters))
	}
	p := len(h.Widths) * h.Filters
	m.w2 = make([]float32, p*nl)
	s2 := float32(math.Sqrt(1.0 / float64(p)))
	for i := range m.w2 {
		m.w2[i] = float32(rng.NormFloat64()) * s2
	}
	m.b2 = make([]float32, nl)
	for l := range m.b2 {
		m.b2[l] = -3
	}
	return m
}

// cnnWork is one goroutine's scratch space.
type cnnWork struct {
	acc    []float32 // filters
	pooled []float32 // len(widths)·filters
	argmax []int     // the window each pooled feature came from, -1 when 0
}

func (m *cnn) newWork() *cnnWork {
	p := len(m.widths) * m.filters
	return &cnnWork{acc: make([]float32, m.filters), pooled: make([]float32, p), argmax: make([]int, p)}
}

// pool computes the max-pooled features of the token ids into w.pooled.
func (m *cnn) pool(ids []int32, w *cnnWork) {
	F, D := m.filters, m.dim
	for wi, k := range m.widths {
		out := w.pooled[wi*F : (wi+1)*F]
		am := w.argmax[wi*F : (wi+1)*F]
		for f := range out {
			out[f], am[f] = 0, -1
		}
		kern := m.kern[wi]
		for t := 0; t+k <= len(ids); t++ {
			acc := w.acc
			copy(acc, m.kb[wi])
			for o := 0; o < k; o++ {
				id := ids[t+o]
				if id == 0 {
					continue
				}
				e := m.emb[int(id)*D : int(id+1)*D]
				ko := kern[o*D*F : (o+1)*D*F]
				axpy4(acc, e, ko, F)
			}
			for f, a := range acc {
				if a > out[f] {
					out[f], am[f] = a, t
				}
			}
		}
	}
}

// axpy4 adds e·k to acc, where k holds one row of len(acc) per element of
// e (row-major, rows of width F); four rows at a time, which halves the
// loads and stores of acc compared with one row at a time.
func axpy4(acc, e, k []float32, F int) {
	d := 0
	for ; d+4 <= len(e); d += 4 {
		x0, x1, x2, x3 := e[d], e[d+1], e[d+2], e[d+3]
		r0 := k[d*F : d*F+F]
		r1 := k[(d+1)*F : (d+1)*F+F]
		r2 := k[(d+2)*F : (d+2)*F+F]
		r3 := k[(d+3)*F : (d+3)*F+F]
		r0, r1, r2, r3 = r0[:len(acc)], r1[:len(acc)], r2[:len(acc)], r3[:len(acc)]
		for f := range acc {
			acc[f] += x0*r0[f] + x1*r1[f] + x2*r2[f] + x3*r3[f]
		}
	}
	for ; d < len(e); d++ {
		r := k[d*F : d*F+F]
		r = r[:len(acc)]
		for f := range acc {
			acc[f] += e[d] * r[f]
		}
	}
}

// logits computes the output layer from pooled features, each scaled by
// mask when one is given (dropout).
func (m *cnn) logits(pooled, mask []float32, z *[nl]float32) { dense(m.w2, m.b2, pooled, mask, z) }

func (m *cnn) scores(ss []sample) [][]float32 {
	out := make([][]float32, len(ss))
	workers := 2
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := m.newWork()
			var z [nl]float32
			for i := wk; i < len(ss); i += workers {
				m.pool(ss[i].ids, w)
				m.logits(w.pooled, nil, &z)
				out[i] = make([]float32, nl)
				for l := range z {
					out[i][l] = sigmoid(z[l])
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// cnnGrad holds one goroutine's gradients.
type cnnGrad struct {
	kern [][]float32
	kb   [][]float32
	w2   []float32
	b2   []float32
	loss float64
}

func (m *cnn) newGrad() *cnnGrad {
	g := &cnnGrad{w2: make([]float32, len(m.w2)), b2: make([]float32, nl)}
	for wi := range m.widths {
		g.kern = append(g.kern, make([]float32, len(m.kern[wi])))
		g.kb = append(g.kb, make([]float32, m.filters))
	}
	return g
}

// params returns the network's parameters: w2, b2, the kernels, the
// kernel biases (cnnGrad.params is in the same order).
func (m *cnn) params() [][]float32 {
	return append(append([][]float32{m.w2, m.b2}, m.kern...), m.kb...)
}

// params returns the gradients in the order of cnn.params.
func (g *cnnGrad) params() [][]float32 {
	return append(append([][]float32{g.w2, g.b2}, g.kern...), g.kb...)
}

func (g *cnnGrad) zero() {
	for _, s := range g.params() {
		clear(s)
	}
	g.loss = 0
}

// backprop adds one example's gradients to g. Max-pooling passes the
// gradient only to the window each feature came from, so the backward pass
// costs one window per filter rather than the whole text.
func (m *cnn) backprop(ids []int32, y *[nl]bool, pw *[nl]float32, dropout float64, rng *rand.Rand, w *cnnWork, g *cnnGrad) {
	m.pool(ids, w)
	P := len(w.pooled)
	mask := make([]float32, P)
	for j := range mask {
		if rng.Float64() >= dropout {
			mask[j] = float32(1 / (1 - dropout))
		}
	}
	var z, dz [nl]float32
	m.logits(w.pooled, mask, &z)
	g.loss += weightedLogLoss(&z, y, pw, &dz)
	for l := range dz {
		g.b2[l] += dz[l]
	}
	F, D := m.filters, m.dim
	for j, h := range w.pooled {
		if h == 0 || mask[j] == 0 {
			continue
		}
		hm := h * mask[j]
		wr := m.w2[j*nl : (j+1)*nl]
		gw := g.w2[j*nl : (j+1)*nl]
		var dh float32
		for l := range dz {
			gw[l] += hm * dz[l]
			dh += wr[l] * dz[l]
		}
		dh *= mask[j]
		wi, f := j/F, j%F
		t := w.argmax[j]
		g.kb[wi][f] += dh
		gk := g.kern[wi]
		for o := 0; o < m.widths[wi]; o++ {
			id := ids[t+o]
			if id == 0 {
				continue
			}
			e := m.emb[int(id)*D : int(id+1)*D]
			base := o * D * F
			for d, x := range e {
				gk[base+d*F+f] += x * dh
			}
		}
	}
}

// trainCNN trains the network with early stopping on the validation
// texts' macro-F1 (thresholds tuned on them), as trainMLP does; without
// validation texts it trains for h.Epochs.
func trainCNN(emb []float32, dim int, tr, va []sample, vaL [][]int, h CNNHyper, seed uint64, logf func(string, ...any)) (*cnn, [][]float32, int, error) {
	rng := rand.New(rand.NewPCG(seed, 11))
	m := newCNN(emb, dim, h, rng)
	pw := positiveWeights(tr, func(int) float64 { return h.Balance })
	const workers = 2
	grads := []*cnnGrad{m.newGrad(), m.newGrad()}
	works := []*cnnWork{m.newWork(), m.newWork()}
	rngs := []*rand.Rand{rand.New(rand.NewPCG(seed, 12)), rand.New(rand.NewPCG(seed, 13))}
	ps := m.params()
	opt := make([]adam, len(ps))
	for i, p := range ps {
		opt[i] = newAdam(len(p))
	}
	var es earlyStop[*cnn]
	t := 0
	for e := 1; e <= h.Epochs; e++ {
		order := rng.Perm(len(tr))
		var total float64
		for start := 0; start < len(order); start += h.Batch {
			end := min(start+h.Batch, len(order))
			var wg sync.WaitGroup
			for wk := 0; wk < workers; wk++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					g := grads[wk]
					g.zero()
					for b := start + wk; b < end; b += workers {
						i := order[b]
						m.backprop(tr[i].ids, &tr[i].y, &pw, h.Dropout, rngs[wk], works[wk], g)
					}
				}()
			}
			wg.Wait()
			n := float32(end - start)
			gs, gs1 := grads[0].params(), grads[1].params()
			total += grads[0].loss + grads[1].loss
			t++
			for pi := range ps {
				for i := range gs[pi] {
					gs[pi][i] = (gs[pi][i] + gs1[pi][i]) / n
				}
				decay := h.Decay
				if pi == 1 || pi >= 2+len(m.widths) {
					decay = 0 // biases
				}
				opt[pi].step(ps[pi], gs[pi], 0, len(ps[pi]), h.LR, decay, t)
			}
		}
		loss := total / float64(len(tr)*nl)
		stop, err := es.end("cnn", e, h.Epochs, loss, vaL, func() [][]float32 { return m.scores(va) }, m.clone, logf)
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

func (m *cnn) clone() *cnn {
	c := *m
	c.w2, c.b2 = slices.Clone(m.w2), slices.Clone(m.b2)
	c.kern, c.kb = make([][]float32, len(m.kern)), make([][]float32, len(m.kb))
	for wi := range m.widths {
		c.kern[wi], c.kb[wi] = slices.Clone(m.kern[wi]), slices.Clone(m.kb[wi])
	}
	return &c
}

// ExperimentCNN trains the linear model, the network and the
// convolutional network on the same 80/20 split of train (Select's) and
// logs the holdout metrics of each and of their averages. The linear
// model's and the network's holdout scores are kept in cache (a file) so
// that the convolutional network can be tried again alone.
func ExperimentCNN(train []emotion.Example, vecWords []string, vecs Vectors, o Options, mh MLPHyper, ch CNNHyper, cache string) error {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	v, trS, vaS, vaL := holdout(train, vecWords, vecs, o)
	var lin, net [][]float32
	if err := readScores(cache, &lin, &net); err != nil {
		logf("experiment: %v; training the linear model and the network", err)
		var err error
		if lin, net, err = holdoutScores(v, vecs, trS, vaS, vaL, o, mh, logf); err != nil {
			return err
		}
		if err := writeScores(cache, lin, net); err != nil {
			return err
		}
	}
	if err := logBlends("network", lin, net, []float32{0, 0.6, 1}, vaL, logf); err != nil {
		return err
	}
	emb, err := embTable(v, vecs)
	if err != nil {
		return err
	}
	_, cs, _, err := trainCNN(emb, vecs.Dim(), trS, vaS, vaL, ch, o.Seed, logf)
	if err != nil {
		return err
	}
	if err := writeScores(strings.TrimSuffix(cache, ".gob")+fmt.Sprintf("-cnn-%v-%d.gob", ch.Widths, ch.Filters), cs); err != nil {
		return err
	}
	return logBlends("cnn", mix(lin, net, 0.6), cs, []float32{0, 0.1, 0.2, 0.3, 0.4, 0.5, 1}, vaL, logf)
}

func readScores(path string, into ...*[][]float32) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := gob.NewDecoder(f)
	for _, p := range into {
		if err := dec.Decode(p); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
	return nil
}

func writeScores(path string, ss ...[][]float32) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := gob.NewEncoder(f)
	for _, s := range ss {
		if err := enc.Encode(s); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
