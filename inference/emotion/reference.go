package emotion

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ScoreReference is how a model's scores fall on a set of texts (for the
// built-in model, GoEmotions dev): per label, the share of the texts in
// each of Bins equal bins of [0, 1], and the share where no label reached
// its threshold. Measuring the same on a person's entries tells how far
// their writing is from what the model learned on (journal's emotion
// health).
type ScoreReference struct {
	Model   string               `json:"model"`
	Version string               `json:"version"`
	Texts   int                  `json:"texts"`
	Bins    int                  `json:"bins"`
	Labels  map[string][]float64 `json:"labels"`
	NoLabel float64              `json:"no_label"`
	// HeldOut is a sample of the texts, each with the model's scores (in
	// steps of 1/255) and the texts' own labels: other people's writing,
	// on which a personal layer must not read much worse than the model.
	HeldOut []HeldOutText `json:"held_out,omitempty"`
}

// HeldOutText is one text of a reference's held-out sample.
type HeldOutText struct {
	Scores []uint8 `json:"s"`
	Gold   []int   `json:"g"`
}

// BuildReference scores the examples' texts with c and returns how its
// scores fall, in bins equal bins, with every sample-th example (0: none)
// kept as the held-out sample.
func BuildReference(c *Classifier, ex []Example, bins, sample int) (ScoreReference, error) {
	if len(ex) == 0 || bins < 2 {
		return ScoreReference{}, errors.New("emotion: reference: no texts, or fewer than 2 bins")
	}
	texts := make([]string, len(ex))
	for i, e := range ex {
		texts[i] = e.Text
	}
	scores, err := c.Scores(texts)
	if err != nil {
		return ScoreReference{}, fmt.Errorf("emotion: reference: %w", err)
	}
	th := c.Thresholds()
	ref := ScoreReference{Model: c.ModelName(), Version: c.ModelVersion(), Texts: len(texts), Bins: bins, Labels: map[string][]float64{}}
	counts := make([][]float64, len(th))
	for i := range counts {
		counts[i] = make([]float64, bins)
	}
	none := 0
	for k, s := range scores {
		if sample > 0 && k%sample == 0 {
			h := HeldOutText{Scores: make([]uint8, len(s)), Gold: ex[k].Labels}
			for i, x := range s {
				h.Scores[i] = uint8(math.Round(float64(min(max(x, 0), 1)) * 255))
			}
			ref.HeldOut = append(ref.HeldOut, h)
		}
		passed := false
		for i, x := range s {
			counts[i][min(bins-1, max(0, int(float64(x)*float64(bins))))]++
			passed = passed || x >= th[i]
		}
		if !passed {
			none++
		}
	}
	for i, c := range counts {
		for b := range c {
			c[b] /= float64(len(scores))
		}
		ref.Labels[LabelName(i)] = c
	}
	ref.NoLabel = float64(none) / float64(len(scores))
	return ref, nil
}

// ParseReference reads a reference and checks it: every label, Bins shares
// each, finite and adding up to about 1.
func ParseReference(data []byte, labels []string) (ScoreReference, error) {
	var ref ScoreReference
	if err := json.Unmarshal(data, &ref); err != nil {
		return ScoreReference{}, fmt.Errorf("emotion: reference: %w", err)
	}
	for _, l := range labels {
		h, ok := ref.Labels[l]
		if !ok || len(h) != ref.Bins {
			return ScoreReference{}, fmt.Errorf("emotion: reference: label %q has %d bins, want %d", l, len(h), ref.Bins)
		}
		var sum float64
		for _, x := range h {
			if math.IsNaN(x) || x < 0 {
				return ScoreReference{}, fmt.Errorf("emotion: reference: label %q: a share of %v", l, x)
			}
			sum += x
		}
		if math.Abs(sum-1) > 1e-3 {
			return ScoreReference{}, fmt.Errorf("emotion: reference: label %q: shares add up to %v", l, sum)
		}
	}
	for i, h := range ref.HeldOut {
		if len(h.Scores) != len(labels) {
			return ScoreReference{}, fmt.Errorf("emotion: reference: held-out text %d has %d scores, want %d", i, len(h.Scores), len(labels))
		}
		for _, g := range h.Gold {
			if g < 0 || g >= len(labels) {
				return ScoreReference{}, fmt.Errorf("emotion: reference: held-out text %d: label %d", i, g)
			}
		}
	}
	return ref, nil
}
