package textcls

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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

// MaxOcclusionParts bounds the parts of a text that an occlusion
// explanation leaves out in turn, and MaxOcclusionBytes the text it reads.
// Past the first, consecutive words are left out together (see Parts); past
// the second, a text is explained by its beginning (see Prefix). Together
// they bound one explanation's time and memory whatever the text: 4 KiB
// is about two 512-token windows, so a BERT-base model explains the longest
// text in a few hundred window passes.
const (
	MaxOcclusionParts = 256
	MaxOcclusionBytes = 4 << 10
)

// Occlusion explains the model's score for label on text; it is
// OcclusionLabels for one label.
func (m *Model) Occlusion(text string, label int, sigmoid bool) ([]Impact, error) {
	imp, err := m.OcclusionLabels(text, []int{label}, sigmoid)
	if err != nil {
		return nil, err
	}
	return imp[0], nil
}

// OcclusionLabels explains the model's scores for labels on text: each
// word (a run of non-space characters) is left out in turn, the text
// re-scored, and the word's impact on a label is the drop in its score.
// The score is the label's sigmoid when sigmoid is set (multi-label models
// such as GoEmotions), else its softmax probability. All variants are scored
// in one Logits call, shared by the labels, so the cost is that of
// classifying as many texts as there are words. A text of more than
// MaxOcclusionParts words has runs of consecutive words left out instead,
// and one over MaxOcclusionBytes is explained by its beginning. Each label's
// words come back by impact, largest first, ties in text order; text
// without words gives none.
func (m *Model) OcclusionLabels(text string, labels []int, sigmoid bool) ([][]Impact, error) {
	for _, l := range labels {
		if l < 0 || l >= m.numLabels {
			return nil, fmt.Errorf("textcls: label %d is out of range: the model has %d labels", l, m.numLabels)
		}
	}
	text = Prefix(text, MaxOcclusionBytes)
	var spans [][2]int
	for _, w := range splitWords(text) {
		spans = append(spans, [2]int{w.Start, w.End})
	}
	parts := Parts(spans, MaxOcclusionParts)
	out := make([][]Impact, len(labels))
	if len(parts) == 0 {
		return out, nil
	}
	texts := make([]string, 0, len(parts)+1)
	texts = append(texts, text)
	for _, p := range parts {
		texts = append(texts, text[:p[0]]+text[p[1]:])
	}
	logits, err := m.Logits(texts)
	if err != nil {
		return nil, err
	}
	for li, label := range labels {
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
		imp := make([]Impact, len(parts))
		for i, p := range parts {
			imp[i] = Impact{Word: text[p[0]:p[1]], Start: p[0], End: p[1], Impact: float32(full - score(logits[i+1]))}
		}
		slices.SortStableFunc(imp, func(a, b Impact) int { return cmp.Compare(b.Impact, a.Impact) })
		out[li] = imp
	}
	return out, nil
}

// Parts groups words (byte spans of a text, in order) into at most max runs
// of consecutive words, as even in length as can be: each run spans from
// its first word's start to its last word's end. With max words or fewer,
// each word is its own part.
func Parts(words [][2]int, max int) [][2]int {
	if len(words) <= max {
		return words
	}
	out := make([][2]int, 0, max)
	for i := range max {
		first, last := i*len(words)/max, (i+1)*len(words)/max-1
		out = append(out, [2]int{words[first][0], words[last][1]})
	}
	return out
}

// Prefix returns text when it holds at most max bytes, else its beginning
// of at most max bytes, cut at the last white space (or, without any, at a
// character's start) so that no word or character is split. With max at
// least utf8.UTFMax, the prefix of a text that is not empty is not empty.
func Prefix(text string, max int) string {
	if len(text) <= max {
		return text
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	if i := strings.LastIndexFunc(text[:cut], unicode.IsSpace); i > 0 {
		cut = i
	}
	return text[:cut]
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
