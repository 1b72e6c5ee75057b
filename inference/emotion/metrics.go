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
			switch {
			case g[c] && p[c]:
				tp[c]++
			case p[c]:
				fp[c]++
			case g[c]:
				fn[c]++
			}
		}
	}
	return tp, fp, fn
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
