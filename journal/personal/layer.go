// Package personal holds the personal layer: a small model over the built-in
// emotion model's 28 scores that learns from the emotions a person gave when
// correcting their entries, so that the journal reads the next entry closer
// to how they would label it. It holds the layer itself (apply, decide,
// check), its training (MAP logistic regression shrunk toward the identity,
// with the shrinkage chosen by cross-validation among fits and the identity
// itself, and thresholds re-tuned per label), and the measurements that say whether it helps: held-out macro-F1,
// micro-F1 and Ekman accuracy by cross-validation over the corrections, and
// the population stability index for watching score drift.
//
// The package uses the standard library only and knows nothing of the
// journal: labels are indexes 0..27 in GoEmotions order.
package personal

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// NumLabels is the number of GoEmotions labels, neutral included.
const NumLabels = 28

// Version is the format version of a layer this package writes and reads.
const Version = 1

// logitClamp bounds a base score before its logit is taken, so that a score
// of exactly 0 or 1 gives a finite feature (about ±9.2).
const logitClamp = 1e-4

// Example is one corrected entry: the built-in model's 28 scores for it, and
// the labels the person gave (indexes 0..27).
type Example struct {
	Base []float32
	Gold []int
}

// Layer is a personal layer over the built-in model's scores: for each label
// l, p_l = σ(b_l + Σ_k W[l][k]·logit(base_k)), with thresholds per label.
// The identity layer (W = I, b = 0, the built-in thresholds) reads exactly
// as the built-in model.
type Layer struct {
	Version  int       `json:"version"`  // format version of the layer
	Trained  time.Time `json:"trained"`  // when it was trained (zero for the identity)
	Examples int       `json:"examples"` // corrections it learned from
	Lambda   float64   `json:"lambda"`   // the shrinkage chosen for most labels
	// LabelLambdas holds each label's shrinkage (absent in the identity);
	// IdentityLambda marks a label kept at the identity.
	LabelLambdas []float64   `json:"label_lambdas,omitempty"`
	W            [][]float64 `json:"w"` // 28×28, row l holds label l's weights
	B            []float64   `json:"b"` // 28 biases
	Thresholds   []float64   `json:"thresholds"`
}

// ErrLayer marks a layer that is damaged: wrong shapes, values that are not
// finite, or an unknown format version.
var ErrLayer = errors.New("personal: damaged layer")

// Identity returns the layer that reads exactly as the built-in model with
// the given thresholds. A missing threshold (a slice shorter than
// NumLabels) or one that is not a number in [0, 1] reads as 0.5.
func Identity(baseThresholds []float32) *Layer {
	l := &Layer{
		Version:    Version,
		W:          make([][]float64, NumLabels),
		B:          make([]float64, NumLabels),
		Thresholds: baseline(baseThresholds),
	}
	for i := range l.W {
		l.W[i] = make([]float64, NumLabels)
		l.W[i][i] = 1
	}
	return l
}

// baseline turns the built-in thresholds into the layer's form, replacing
// any missing or odd value by 0.5.
func baseline(th []float32) []float64 {
	out := make([]float64, NumLabels)
	for i := range out {
		out[i] = 0.5
		if i < len(th) {
			if v := float64(th[i]); v >= 0 && v <= 1 {
				out[i] = v
			}
		}
	}
	return out
}

// logit is the feature the layer reads for one base score: log(p/(1-p))
// with p clamped to [1e-4, 1-1e-4]; a score that is NaN reads as 0 (p = 0.5).
func logit(p float32) float64 {
	v := float64(p)
	if math.IsNaN(v) {
		return 0
	}
	v = min(max(v, logitClamp), 1-logitClamp)
	return math.Log(v / (1 - v))
}

// features fills x with the logits of base; entries past the end of base
// read as 0.
func features(x *[NumLabels]float64, base []float32) {
	for k := range x {
		x[k] = 0
		if k < len(base) {
			x[k] = logit(base[k])
		}
	}
}

// sigmoid is 1/(1+e^-z), computed without overflow.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Apply returns the personalised scores for the built-in model's scores
// base (NumLabels of them; missing ones and NaN read as 0.5, ±Inf as 1 and
// 0). The result is always NumLabels finite probabilities. A damaged layer
// (see Check) gives the base scores back unchanged, sanitised the same way,
// rather than wrong ones.
func (l *Layer) Apply(base []float32) []float32 {
	var x [NumLabels]float64
	features(&x, base)
	out := make([]float32, NumLabels)
	if l.Check() != nil {
		for k := range out {
			out[k] = float32(sigmoid(x[k]))
		}
		return out
	}
	for j := range out {
		z := l.B[j]
		row := l.W[j]
		for k, v := range x {
			z += row[k] * v
		}
		out[j] = float32(sigmoid(z))
	}
	return out
}

// Decide returns the labels whose scores reach the layer's thresholds,
// highest score first (ties in label order); when none does, the single
// highest-scoring label, so that an entry always gets a reading. This is
// the built-in model's rule (inference/emotion Decide with its default top
// 1). A NaN score never passes and sorts last; scores past NumLabels are
// ignored. Empty scores give no labels.
func (l *Layer) Decide(scores []float32) []int {
	th := l.Thresholds
	n := min(len(scores), NumLabels)
	var out []int
	for k := 0; k < n; k++ {
		t := 0.5
		if k < len(th) {
			t = th[k]
		}
		if s := float64(scores[k]); !math.IsNaN(s) && s >= t {
			out = append(out, k)
		}
	}
	byScore := func(a, b int) int { return cmpDesc(scores[a], scores[b]) }
	if len(out) > 0 {
		slices.SortStableFunc(out, byScore)
		return out
	}
	best := -1
	for k := 0; k < n; k++ {
		if best < 0 || cmpDesc(scores[k], scores[best]) < 0 {
			best = k
		}
	}
	if best < 0 {
		return nil
	}
	return []int{best}
}

// cmpDesc orders scores from highest to lowest, NaN last.
func cmpDesc(a, b float32) int {
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// Check reports whether the layer can be used: the known format version,
// a NumLabels×NumLabels W, NumLabels biases and thresholds, every value
// finite, thresholds in [0, 1], and a non-negative example count and
// shrinkage. The error wraps ErrLayer and names what is wrong.
func (l *Layer) Check() error {
	if l == nil {
		return fmt.Errorf("%w: no layer", ErrLayer)
	}
	if l.Version != Version {
		return fmt.Errorf("%w: format version %d, want %d", ErrLayer, l.Version, Version)
	}
	if len(l.W) != NumLabels {
		return fmt.Errorf("%w: w has %d rows, want %d", ErrLayer, len(l.W), NumLabels)
	}
	for j, row := range l.W {
		if len(row) != NumLabels {
			return fmt.Errorf("%w: w row %d has %d values, want %d", ErrLayer, j, len(row), NumLabels)
		}
		for k, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: w[%d][%d] is %v", ErrLayer, j, k, v)
			}
		}
	}
	if len(l.B) != NumLabels {
		return fmt.Errorf("%w: b has %d values, want %d", ErrLayer, len(l.B), NumLabels)
	}
	for j, v := range l.B {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: b[%d] is %v", ErrLayer, j, v)
		}
	}
	if len(l.Thresholds) != NumLabels {
		return fmt.Errorf("%w: %d thresholds, want %d", ErrLayer, len(l.Thresholds), NumLabels)
	}
	for j, v := range l.Thresholds {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("%w: threshold %d is %v, want a value in [0, 1]", ErrLayer, j, v)
		}
	}
	if l.Examples < 0 {
		return fmt.Errorf("%w: %d examples", ErrLayer, l.Examples)
	}
	if !(l.Lambda >= 0) || math.IsInf(l.Lambda, 0) {
		return fmt.Errorf("%w: shrinkage %v", ErrLayer, l.Lambda)
	}
	if len(l.LabelLambdas) != 0 && len(l.LabelLambdas) != NumLabels {
		return fmt.Errorf("%w: %d label shrinkages, want %d or none", ErrLayer, len(l.LabelLambdas), NumLabels)
	}
	for j, v := range l.LabelLambdas {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: label %d shrinkage %v", ErrLayer, j, v)
		}
	}
	return nil
}
