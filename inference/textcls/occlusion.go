package textcls

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"unicode"
)

// Impact is how much one word of a text moves a label's score.
type Impact struct {
	// Word is the word as it stands in the text, punctuation attached.
	Word string
	// Start and End are the word's byte offsets in the text.
	Start, End int
	// Impact is the label's score on the whole text minus its score with
	// the word left out: positive where the word supports the label.
	Impact float32
}

// Occlusion explains the model's score for label on text: each word (a run
// of non-space characters) is left out in turn, the text re-scored, and the
// word's impact is the drop in score. The score is the label's sigmoid when
// sigmoid is set (multi-label models such as GoEmotions), else its softmax
// probability. All variants are scored in one Logits call, so the cost is
// that of classifying as many texts as there are words. Words come back by
// impact, largest first, ties in text order; text without words gives none.
func (m *Model) Occlusion(text string, label int, sigmoid bool) ([]Impact, error) {
	if label < 0 || label >= m.numLabels {
		return nil, fmt.Errorf("textcls: label %d is out of range: the model has %d labels", label, m.numLabels)
	}
	words := splitWords(text)
	if len(words) == 0 {
		return nil, nil
	}
	texts := make([]string, 0, len(words)+1)
	texts = append(texts, text)
	for _, w := range words {
		texts = append(texts, text[:w.Start]+text[w.End:])
	}
	logits, err := m.Logits(texts)
	if err != nil {
		return nil, err
	}
	score := func(row []float32) float64 {
		if sigmoid {
			return 1 / (1 + math.Exp(-float64(row[label])))
		}
		top := float64(slices.Max(row))
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - top)
		}
		return math.Exp(float64(row[label])-top) / sum
	}
	full := score(logits[0])
	for i := range words {
		words[i].Impact = float32(full - score(logits[i+1]))
	}
	slices.SortStableFunc(words, func(a, b Impact) int { return cmp.Compare(b.Impact, a.Impact) })
	return words, nil
}

// splitWords cuts text at white space, keeping each word's byte offsets.
func splitWords(text string) []Impact {
	var out []Impact
	start := -1
	for i, r := range text {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, Impact{Word: text[start:i], Start: start, End: i})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, Impact{Word: text[start:], Start: start, End: len(text)})
	}
	return out
}
