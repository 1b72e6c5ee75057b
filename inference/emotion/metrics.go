package emotion

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/samojournal/samo/journal"
)

// LabelMetrics are one label's scores over a labelled set.
type LabelMetrics struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

// Metrics are a classifier's scores over a labelled set, in the form
// `samo eval emotions` prints.
type Metrics struct {
	Texts          int                     `json:"texts"`
	MacroF1        float64                 `json:"macro_f1"`
	MicroF1        float64                 `json:"micro_f1"`
	MacroPrecision float64                 `json:"macro_precision"`
	MacroRecall    float64                 `json:"macro_recall"`
	EkmanMacroF1   float64                 `json:"ekman_macro_f1"`
	PerLabel       map[string]LabelMetrics `json:"per_label"`
	TextsPerSecond float64                 `json:"texts_per_second,omitempty"`
}

// EkmanGroups are the seven Ekman groups, neutral last.
var EkmanGroups = []string{"anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"}

// numGroups is len(EkmanGroups), for arrays and bit masks of groups.
const numGroups = 7

// Evaluate scores predicted label sets against gold ones (label ids in
// GoEmotions order). Precision, recall and F1 of a label with no gold and
// no predicted example count as 0, as scikit-learn's default does.
func Evaluate(gold, pred [][]int) (Metrics, error) {
	if len(gold) != len(pred) {
		return Metrics{}, fmt.Errorf("emotion: evaluate: %d gold and %d predicted sets", len(gold), len(pred))
	}
	m := Metrics{Texts: len(gold), PerLabel: map[string]LabelMetrics{}}
	tp, fp, fn := counts(gold, pred, NumLabels, func(l int) int { return l })
	var ttp, tfp, tfn int
	for l := 0; l < NumLabels; l++ {
		lm := prf(tp[l], fp[l], fn[l])
		m.PerLabel[journal.EmotionLabels[l]] = lm
		m.MacroPrecision += lm.Precision / float64(NumLabels)
		m.MacroRecall += lm.Recall / float64(NumLabels)
		m.MacroF1 += lm.F1 / float64(NumLabels)
		ttp, tfp, tfn = ttp+tp[l], tfp+fp[l], tfn+fn[l]
	}
	m.MicroF1 = prf(ttp, tfp, tfn).F1
	group := map[string]int{}
	for i, g := range EkmanGroups {
		group[g] = i
	}
	etp, efp, efn := counts(gold, pred, len(EkmanGroups), func(l int) int {
		return group[journal.EkmanGroup(journal.EmotionLabels[l])]
	})
	for g := range EkmanGroups {
		m.EkmanMacroF1 += prf(etp[g], efp[g], efn[g]).F1 / float64(len(EkmanGroups))
	}
	return m, nil
}

// counts returns per-class true positives, false positives and false
// negatives after mapping labels through to (sets, so duplicates count once).
func counts(gold, pred [][]int, n int, to func(int) int) (tp, fp, fn []int) {
	tp, fp, fn = make([]int, n), make([]int, n), make([]int, n)
	for i := range gold {
		g, p := make([]bool, n), make([]bool, n)
		for _, l := range gold[i] {
			g[to(l)] = true
		}
		for _, l := range pred[i] {
			p[to(l)] = true
		}
		for c := 0; c < n; c++ {
			tally(p[c], g[c], &tp[c], &fp[c], &fn[c])
		}
	}
	return tp, fp, fn
}

// tally counts one decision: predicted p against gold g.
func tally(p, g bool, tp, fp, fn *int) {
	switch {
	case p && g:
		*tp++
	case p:
		*fp++
	case g:
		*fn++
	}
}

func prf(tp, fp, fn int) LabelMetrics {
	m := LabelMetrics{Support: tp + fn}
	if tp+fp > 0 {
		m.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		m.Recall = float64(tp) / float64(tp+fn)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

// Decide returns the labels whose scores reach their thresholds, highest
// score first; when none does, the topK highest-scoring labels, so that a
// text always gets a reading.
func Decide(scores, thresholds []float32, topK int) []int {
	var out []int
	for l, s := range scores {
		if s >= thresholds[l] {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = make([]int, len(scores))
		for l := range out {
			out[l] = l
		}
		slices.SortStableFunc(out, func(a, b int) int { return cmpDesc(scores[a], scores[b]) })
		out = out[:min(max(topK, 1), len(out))]
		return out
	}
	slices.SortStableFunc(out, func(a, b int) int { return cmpDesc(scores[a], scores[b]) })
	return out
}

func cmpDesc(a, b float32) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// TuneThresholds chooses, for each label, the threshold that maximizes its
// F1 over the given scores and gold label sets. The threshold is placed
// halfway between the two scores it separates and clamped to
// [minThreshold, 1-minThreshold], so a label seen rarely cannot get a
// threshold at the very edge of what the set happened to contain.
func TuneThresholds(scores [][]float32, gold [][]int) ([]float32, error) {
	if len(scores) != len(gold) || len(scores) == 0 {
		return nil, fmt.Errorf("emotion: tune thresholds: %d score rows and %d gold sets", len(scores), len(gold))
	}
	th := make([]float32, NumLabels)
	type pair struct {
		s   float32
		pos bool
	}
	ps := make([]pair, len(scores))
	for l := 0; l < NumLabels; l++ {
		npos := 0
		for i := range scores {
			if len(scores[i]) != NumLabels {
				return nil, fmt.Errorf("emotion: tune thresholds: row %d has %d scores", i, len(scores[i]))
			}
			s := scores[i][l]
			if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
				return nil, fmt.Errorf("emotion: tune thresholds: row %d label %s: score %v", i, journal.EmotionLabels[l], s)
			}
			ps[i] = pair{s, slices.Contains(gold[i], l)}
			if ps[i].pos {
				npos++
			}
		}
		slices.SortFunc(ps, func(a, b pair) int { return cmpDesc(a.s, b.s) })
		best, bestT := -1.0, float32(0.5)
		tp, fp := 0, 0
		for i, p := range ps {
			if p.pos {
				tp++
			} else {
				fp++
			}
			if i+1 < len(ps) && ps[i+1].s == p.s {
				continue
			}
			f := 0.0
			if tp > 0 {
				f = 2 * float64(tp) / float64(2*tp+fp+(npos-tp))
			}
			if f > best {
				next := float32(0)
				if i+1 < len(ps) {
					next = ps[i+1].s
				}
				best, bestT = f, (p.s+next)/2
			}
		}
		th[l] = min(max(bestT, minThreshold), 1-minThreshold)
	}
	return th, nil
}

// TuneBalanced chooses thresholds for all three of the figures a reading
// is judged by: TuneThresholds' per-label ones, then BalanceThresholds.
func TuneBalanced(scores [][]float32, gold [][]int) ([]float32, error) {
	th, err := TuneThresholds(scores, gold)
	if err != nil {
		return nil, err
	}
	return BalanceThresholds(scores, gold, th)
}

// BalanceThresholds returns th refined, label by label (one pass): each
// threshold is scaled by the factor of balanceSteps that most raises
// macro-F1 + ½ micro-F1 + ½ Ekman macro-F1 of the decided labels (top-1
// fallback included) over scores and gold, and kept where no factor does.
// Per-label F1 alone favours rare labels' recall; the balance trades a
// little of it for precision on the labels most texts carry.
func BalanceThresholds(scores [][]float32, gold [][]int, th []float32) ([]float32, error) {
	if len(scores) != len(gold) || len(scores) == 0 || len(th) != NumLabels {
		return nil, fmt.Errorf("emotion: balance thresholds: %d score rows, %d gold sets and %d thresholds", len(scores), len(gold), len(th))
	}
	for i, s := range scores {
		if len(s) != NumLabels {
			return nil, fmt.Errorf("emotion: balance thresholds: row %d has %d scores", i, len(s))
		}
	}
	th = slices.Clone(th)
	ev := newMaskEval(scores, gold)
	best := ev.objective(th)
	for l := range th {
		orig, bestT := th[l], th[l]
		for _, f := range balanceSteps {
			th[l] = min(max(orig*f, minThreshold), 1-minThreshold)
			if v := ev.objective(th); v > best+1e-9 {
				best, bestT = v, th[l]
			}
		}
		th[l] = bestT
	}
	return th, nil
}

// balanceSteps are the factors BalanceThresholds tries on each threshold.
var balanceSteps = []float32{0.7, 0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2, 1.3, 1.45}

// maskEval scores threshold sets quickly: labels and Ekman groups as bit
// masks, so one evaluation is a pass over the texts with no allocation.
type maskEval struct {
	scores  [][]float32
	gold    []uint32 // label bits
	goldG   []uint8  // group bits (numGroups of them)
	groupOf [NumLabels]uint8
}

func newMaskEval(scores [][]float32, gold [][]int) *maskEval {
	e := &maskEval{scores: scores, gold: make([]uint32, len(gold)), goldG: make([]uint8, len(gold))}
	for l := range e.groupOf {
		e.groupOf[l] = uint8(slices.Index(EkmanGroups, journal.EkmanGroup(journal.EmotionLabels[l])))
	}
	for i, g := range gold {
		for _, l := range g {
			e.gold[i] |= 1 << l
			e.goldG[i] |= 1 << e.groupOf[l]
		}
	}
	return e
}

// objective is macro-F1 + ½ micro-F1 + ½ Ekman macro-F1 of th's decisions.
func (e *maskEval) objective(th []float32) float64 {
	var tp, fp, fn [NumLabels]int
	var gtp, gfp, gfn [numGroups]int
	for i, s := range e.scores {
		var pred uint32
		top := 0
		for l, x := range s {
			if x >= th[l] {
				pred |= 1 << l
			}
			if x > s[top] {
				top = l
			}
		}
		if pred == 0 {
			pred = 1 << top
		}
		var predG uint8
		g := e.gold[i]
		for l := 0; l < NumLabels; l++ {
			p := pred>>l&1 == 1
			if p {
				predG |= 1 << e.groupOf[l]
			}
			tally(p, g>>l&1 == 1, &tp[l], &fp[l], &fn[l])
		}
		for c := range EkmanGroups {
			tally(predG>>c&1 == 1, e.goldG[i]>>c&1 == 1, &gtp[c], &gfp[c], &gfn[c])
		}
	}
	f1 := func(tp, fp, fn int) float64 { return prf(tp, fp, fn).F1 }
	var macro, ekman float64
	var ttp, tfp, tfn int
	for l := range tp {
		macro += f1(tp[l], fp[l], fn[l]) / float64(NumLabels)
		ttp, tfp, tfn = ttp+tp[l], tfp+fp[l], tfn+fn[l]
	}
	for c := range EkmanGroups {
		ekman += f1(gtp[c], gfp[c], gfn[c]) / float64(len(EkmanGroups))
	}
	return macro + 0.5*f1(ttp, tfp, tfn) + 0.5*ekman
}

// minThreshold keeps tuned thresholds off the very edges of [0,1].
const minThreshold = 0.02

// LabelName returns the name of label id l.
func LabelName(l int) string { return journal.EmotionLabels[l] }

// EvaluateClassifier runs c over labelled examples and scores its
// predictions, with its speed in texts per second.
func EvaluateClassifier(c *Classifier, ex []Example) (Metrics, error) {
	texts := make([]string, len(ex))
	gold := make([][]int, len(ex))
	for i, e := range ex {
		texts[i], gold[i] = e.Text, e.Labels
	}
	start := time.Now()
	scores, err := c.Scores(texts)
	if err != nil {
		return Metrics{}, err
	}
	elapsed := time.Since(start)
	m, err := EvaluateScores(scores, c.thresholds, gold)
	if err != nil {
		return Metrics{}, err
	}
	if elapsed > 0 {
		m.TextsPerSecond = float64(len(texts)) / elapsed.Seconds()
	}
	return m, nil
}

// EvaluateScores scores the labels that scores give over thresholds th
// (with the top-1 fallback) against gold.
func EvaluateScores(scores [][]float32, th []float32, gold [][]int) (Metrics, error) {
	pred := make([][]int, len(scores))
	for i, s := range scores {
		pred[i] = Decide(s, th, 1)
	}
	return Evaluate(gold, pred)
}

// TuneAndEvaluate tunes thresholds on scores and gold, and scores the
// result on the same set (an optimistic figure, for model selection).
func TuneAndEvaluate(scores [][]float32, gold [][]int) ([]float32, Metrics, error) {
	th, err := TuneThresholds(scores, gold)
	if err != nil {
		return nil, Metrics{}, err
	}
	m, err := EvaluateScores(scores, th, gold)
	return th, m, err
}

// Tuned is what TuneClassifier chose and what it changes on the data.
type Tuned struct {
	Thresholds    []float32
	Before, After Metrics
}

// TuneClassifier chooses c's thresholds on the labelled examples ex as the
// built-in model's were chosen (TuneBalanced; TuneThresholds alone with
// perLabel) and measures c on ex with its own thresholds and with them.
func TuneClassifier(c *Classifier, ex []Example, perLabel bool) (Tuned, error) {
	texts := make([]string, len(ex))
	gold := make([][]int, len(ex))
	for i, e := range ex {
		texts[i], gold[i] = e.Text, e.Labels
	}
	scores, err := c.Scores(texts)
	if err != nil {
		return Tuned{}, err
	}
	tune := TuneBalanced
	if perLabel {
		tune = TuneThresholds
	}
	var t Tuned
	if t.Thresholds, err = tune(scores, gold); err != nil {
		return Tuned{}, err
	}
	if t.Before, err = EvaluateScores(scores, c.Thresholds(), gold); err != nil {
		return Tuned{}, err
	}
	if t.After, err = EvaluateScores(scores, t.Thresholds, gold); err != nil {
		return Tuned{}, err
	}
	return t, nil
}
