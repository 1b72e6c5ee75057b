// Package emotiontrain trains SAMO's default emotion model on GoEmotions:
// the average of a multi-label logistic regression and a one-hidden-layer
// network over the ngram package's TF-IDF word and character n-grams plus
// the mean pretrained word vector of the text, and of a convolutional
// network over the words' vectors in order, exported as one int8 ONNX
// graph. Its hyper-parameters, numbers of epochs, blend weights and
// per-label thresholds are chosen by cross-validation on the training split
// alone, so that the score on the dev split is an honest estimate for
// unseen text.
package emotiontrain

import (
	"math"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/emotion/ngram"
)

const nl = emotion.NumLabels

// Vectors gives pretrained word vectors.
type Vectors interface {
	Vector(word string) ([]float32, bool)
	Dim() int
}

// sample is one featurized training text.
type sample struct {
	rows []int32
	vals []float32
	vec  []float32 // weighted mean word vector, nil when none
	ids  []int32   // each token's word-vector id (ngram.Vocab.VectorIDs)
	y    [nl]bool
}

// featurize turns texts into samples with vocab, keeping only the sparse
// n-gram rows; the word-vector part is carried as a dense mean vector.
func featurize(v *ngram.Vocab, vecs Vectors, texts []string, labels [][]int) []sample {
	out := make([]sample, len(texts))
	sparse := int32(v.SparseRows())
	for i, t := range texts {
		f := v.Transform(t)
		s := &out[i]
		for _, x := range f.Features {
			if x.Row < sparse {
				s.rows = append(s.rows, x.Row)
				s.vals = append(s.vals, x.Value)
			}
		}
		s.ids, _ = v.VectorIDs(f)
		if vecs != nil && len(f.VectorTokens) > 0 {
			s.vec = make([]float32, vecs.Dim())
			w := v.Config.VectorWeight / float32(len(f.VectorTokens))
			for _, ti := range f.VectorTokens {
				vec, _ := vecs.Vector(f.Tokens[ti].Text)
				for d, x := range vec {
					s.vec[d] += w * x
				}
			}
		}
		if labels != nil {
			for _, l := range labels[i] {
				s.y[l] = true
			}
		}
	}
	return out
}

// linear is the model: logits = b + x·W + vec·G. Its parameters live in one
// flat slice p (W, then G, then b) for the optimizer.
type linear struct {
	rows, dim int
	p         []float32
	w         []float32 // rows × nl
	g         []float32 // dim × nl
	b         []float32 // nl
}

func newLinear(rows, dim int) *linear {
	m := &linear{rows: rows, dim: dim}
	m.setParams(make([]float32, (rows+dim+1)*nl))
	return m
}

// setParams makes p the model's parameters.
func (m *linear) setParams(p []float32) {
	m.p = p
	m.w = p[:m.rows*nl]
	m.g = p[m.rows*nl : (m.rows+m.dim)*nl]
	m.b = p[(m.rows+m.dim)*nl:]
}

func (m *linear) logits(s *sample, z *[nl]float32) {
	copy(z[:], m.b)
	for j, r := range s.rows {
		x := s.vals[j]
		w := m.w[int(r)*nl : int(r)*nl+nl]
		for l := range z {
			z[l] += x * w[l]
		}
	}
	for d, x := range s.vec {
		if x == 0 {
			continue
		}
		g := m.g[d*nl : d*nl+nl]
		for l := range z {
			z[l] += x * g[l]
		}
	}
}

// scores returns the sigmoid scores of samples.
func (m *linear) scores(ss []sample) [][]float32 {
	out := make([][]float32, len(ss))
	var z [nl]float32
	for i := range ss {
		m.logits(&ss[i], &z)
		out[i] = make([]float32, nl)
		for l := range z {
			out[i][l] = sigmoid(z[l])
		}
	}
	return out
}

func sigmoid(z float32) float32 { return float32(1 / (1 + math.Exp(-float64(z)))) }

// Hyper holds the optimizer's hyper-parameters.
type Hyper struct {
	// L2 is the strength of the L2 penalty on the weights (the loss is the
	// mean over examples).
	L2 float64 `json:"l2"`
	// Memory is the number of L-BFGS correction pairs kept.
	Memory int `json:"memory"`
	// Balance weights each label's positive examples by
	// (negatives/positives)^Balance: 0 is the plain logistic loss, 1 fully
	// balances every label.
	Balance float64 `json:"balance"`
	// LabelL2 and LabelBalance, when set, override L2 and Balance per
	// label (GoEmotions order), as chosen by Select.
	LabelL2      []float64 `json:"label_l2,omitempty"`
	LabelBalance []float64 `json:"label_balance,omitempty"`
}

// loss returns the mean logistic loss of m over ss.
func (m *linear) loss(ss []sample) float64 {
	var total float64
	var z [nl]float32
	for i := range ss {
		m.logits(&ss[i], &z)
		for l := range z {
			p := float64(sigmoid(z[l]))
			if ss[i].y[l] {
				total -= math.Log(max(p, 1e-12))
			} else {
				total -= math.Log(max(1-p, 1e-12))
			}
		}
	}
	return total / float64(len(ss)*nl)
}

// l2Of and balanceOf return label l's settings.
func (h Hyper) l2Of(l int) float64 {
	if len(h.LabelL2) == nl {
		return h.LabelL2[l]
	}
	return h.L2
}

func (h Hyper) balanceOf(l int) float64 {
	if len(h.LabelBalance) == nl {
		return h.LabelBalance[l]
	}
	return h.Balance
}
