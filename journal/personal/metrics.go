package personal

import (
	"fmt"
	"math"
)

// Metrics are a reader's scores over a set of corrected entries.
type Metrics struct {
	// MacroF1 is the mean F1 over the labels present in the set's gold or
	// predictions (a label neither given nor predicted has no F1 and does
	// not count), so a person who uses few labels is judged on those. When
	// several readers of the same entries are compared (Compare,
	// CrossValidate) the mean is over one set of labels for all of them,
	// those present in the gold or in any reader's predictions, and a
	// reader that neither predicted a label nor missed it scores 1 for it:
	// otherwise a reader that stops offering a label the gold lacks would
	// drop a 0 from its own mean while the other keeps it, and the two
	// figures would average different things.
	MacroF1 float64 `json:"macro_f1"`
	// MicroF1 is F1 over all label decisions pooled.
	MicroF1 float64 `json:"micro_f1"`
	// EkmanAccuracy is the share of entries with gold whose first
	// predicted label (the highest scored, as Decide orders them) is in
	// the same group as the first gold label.
	EkmanAccuracy float64 `json:"ekman_accuracy"`
	// N is the number of entries evaluated.
	N int `json:"n"`
}

// Evaluate scores predict against the examples' gold labels. predict
// should list labels highest score first, as Layer.Decide does; labels
// out of range in gold or predictions are ignored and repeats count once.
// groupOf maps a label to its group for EkmanAccuracy; nil compares
// labels themselves.
func Evaluate(ex []Example, predict func(base []float32) []int, groupOf func(label int) int) Metrics {
	return Compare(ex, groupOf, predict)[0]
}

// Compare scores several readers of the same examples as Evaluate does,
// with each reader's macro-F1 taken over the same labels: those present in
// the gold or in any reader's predictions (see Metrics.MacroF1). It returns
// one Metrics per reader, in order.
func Compare(ex []Example, groupOf func(label int) int, readers ...func(base []float32) []int) []Metrics {
	gold := make([][]int, len(ex))
	for i, e := range ex {
		gold[i] = e.Gold
	}
	preds := make([][][]int, len(readers))
	for r, read := range readers {
		preds[r] = make([][]int, len(ex))
		for i, e := range ex {
			preds[r][i] = read(e.Base)
		}
	}
	return compare(gold, preds, groupOf)
}

// compare scores each of preds against gold over the labels present in the
// gold or in any of preds.
func compare(gold [][]int, preds [][][]int, groupOf func(int) int) []Metrics {
	var present [NumLabels]bool
	mark := func(ls [][]int) {
		for _, row := range ls {
			for _, l := range row {
				if l >= 0 && l < NumLabels {
					present[l] = true
				}
			}
		}
	}
	mark(gold)
	for _, p := range preds {
		mark(p)
	}
	out := make([]Metrics, len(preds))
	for r, p := range preds {
		out[r] = evaluate(gold, p, groupOf, &present)
	}
	return out
}

// evaluate scores pred against gold, with macro-F1 over the labels in
// present; a label there that this reader neither predicted nor missed
// scores 1.
func evaluate(gold, pred [][]int, groupOf func(int) int, present *[NumLabels]bool) Metrics {
	if groupOf == nil {
		groupOf = func(l int) int { return l }
	}
	var tp, fp, fn [NumLabels]int
	m := Metrics{N: len(gold)}
	withGold, hits := 0, 0
	for i := range gold {
		var g, p [NumLabels]bool
		for _, l := range gold[i] {
			if l >= 0 && l < NumLabels {
				g[l] = true
			}
		}
		for _, l := range pred[i] {
			if l >= 0 && l < NumLabels {
				p[l] = true
			}
		}
		for l := range NumLabels {
			switch {
			case g[l] && p[l]:
				tp[l]++
			case p[l]:
				fp[l]++
			case g[l]:
				fn[l]++
			}
		}
		first := func(ls []int) int {
			for _, l := range ls {
				if l >= 0 && l < NumLabels {
					return l
				}
			}
			return -1
		}
		if gl := first(gold[i]); gl >= 0 {
			withGold++
			if pl := first(pred[i]); pl >= 0 && groupOf(pl) == groupOf(gl) {
				hits++
			}
		}
	}
	labels := 0
	var ttp, tfp, tfn int
	for l := range NumLabels {
		ttp, tfp, tfn = ttp+tp[l], tfp+fp[l], tfn+fn[l]
		if !present[l] {
			continue
		}
		labels++
		if tp[l]+fp[l]+fn[l] == 0 {
			m.MacroF1++ // nothing to find and nothing claimed
			continue
		}
		m.MacroF1 += f1(tp[l], fp[l], fn[l])
	}
	if labels > 0 {
		m.MacroF1 /= float64(labels)
	}
	m.MicroF1 = f1(ttp, tfp, tfn)
	if withGold > 0 {
		m.EkmanAccuracy = float64(hits) / float64(withGold)
	}
	return m
}

func f1(tp, fp, fn int) float64 {
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}

// CrossValidate measures what personalising does for this person: the
// corrections are split into folds (opt.Folds, leave-one-out below
// LeaveOneOutBelow examples, shuffled by opt.Seed), and every fold is read
// twice, by the built-in model (the identity layer over baseThresholds)
// and by a layer trained with Train on the other folds; the predictions of
// all folds are pooled and the two readers scored with Compare, so that
// their macro-F1 is over the same labels. Both see the same folds.
// It needs at least two examples.
func CrossValidate(ex []Example, baseThresholds []float32, groupOf func(int) int, opt Options) (before, after Metrics, err error) {
	if _, err := prepare(ex, baseThresholds); err != nil {
		return Metrics{}, Metrics{}, err
	}
	n := len(ex)
	if n < 2 {
		return Metrics{}, Metrics{}, fmt.Errorf("%w: cross-validation needs at least 2 examples, got %d", ErrExamples, n)
	}
	k := opt.folds(n)
	fold := assign(n, k, opt.Seed)
	id := Identity(baseThresholds)
	gold := make([][]int, n)
	pb := make([][]int, n)
	pa := make([][]int, n)
	for i, e := range ex {
		gold[i] = e.Gold
		pb[i] = id.Decide(e.Base)
	}
	for f := range k {
		var train []Example
		for i, fi := range fold {
			if fi != f {
				train = append(train, ex[i])
			}
		}
		inner := opt
		inner.Seed = opt.Seed + uint64(f) + 1
		layer, err := Train(train, baseThresholds, inner)
		if err != nil {
			return Metrics{}, Metrics{}, fmt.Errorf("personal: cross-validate fold %d: %w", f+1, err)
		}
		for i, fi := range fold {
			if fi == f {
				pa[i] = layer.Decide(layer.Apply(ex[i].Base))
			}
		}
	}
	m := compare(gold, [][][]int{pb, pa}, groupOf)
	return m[0], m[1], nil
}

// psiFloor is the proportion an empty bin is taken to hold, so that PSI
// stays finite.
const psiFloor = 1e-4

// PSI is the population stability index between two histograms over the
// same bins: Σ (a−e)·ln(a/e). Each histogram is normalised to sum to 1
// (so counts work as well as proportions), and a bin below 1e-4 counts as
// 1e-4 so that empty bins give a finite figure. Bins one histogram lacks
// count as empty; negative or non-finite values count as 0. The usual
// reading: below 0.1 stable, 0.1 to 0.25 a moderate shift worth watching,
// above 0.25 a shift.
func PSI(expected, actual []float64) float64 {
	n := max(len(expected), len(actual))
	if n == 0 {
		return 0
	}
	e := normalise(expected, n)
	a := normalise(actual, n)
	var s float64
	for i := range n {
		s += (a[i] - e[i]) * math.Log(a[i]/e[i])
	}
	return s
}

// normalise returns h over n bins as proportions, each at least psiFloor;
// an empty or all-zero histogram reads as uniform.
func normalise(h []float64, n int) []float64 {
	out := make([]float64, n)
	var sum float64
	for i := range n {
		if i < len(h) && h[i] > 0 && !math.IsInf(h[i], 0) {
			out[i] = h[i]
			sum += h[i]
		}
	}
	for i := range out {
		if sum > 0 {
			out[i] /= sum
		} else {
			out[i] = 1 / float64(n)
		}
		out[i] = max(out[i], psiFloor)
	}
	return out
}
