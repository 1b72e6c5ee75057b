package journaltest

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"strings"
	"unicode"

	"github.com/samojournal/samo/journal"
)

// WordEmbedder is an in-memory journal.Embedder for tests of code above the
// journal (the real ones are inference/wordvec's GloVe model and
// inference/embed's transformer exports): a text's vector is its lower-cased
// words hashed into Dim buckets, with the words of each Synonyms group
// sharing one bucket, normalised; a text containing Fail is refused.
type WordEmbedder struct {
	Name, Version string
	Dim           int
	// Synonyms are groups of words that mean the same to this model.
	Synonyms [][]string
	Fail     string
	calls    counter
}

// Calls is how many calls embedded at least one text.
func (w *WordEmbedder) Calls() int { return w.calls.get() }

// Embed implements journal.Embedder.
func (w *WordEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, journal.EmbeddingModel, error) {
	m := journal.EmbeddingModel{Name: w.Name, Version: w.Version, Dim: w.Dim}
	if len(texts) > 0 {
		w.calls.add()
	}
	if err := ctx.Err(); err != nil {
		return nil, m, err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if w.Fail != "" && strings.Contains(t, w.Fail) {
			return nil, m, errors.New("journaltest: embedder refuses this text")
		}
		v := make([]float32, w.Dim)
		for _, word := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) }) {
			v[w.bucket(word)]++
		}
		var n float64
		for _, x := range v {
			n += float64(x * x)
		}
		if n > 0 {
			for j := range v {
				v[j] /= float32(math.Sqrt(n))
			}
		}
		out[i] = v
	}
	return out, m, nil
}

func (w *WordEmbedder) bucket(word string) int {
	for _, g := range w.Synonyms {
		for _, s := range g {
			if s == word {
				word = g[0]
			}
		}
	}
	h := fnv.New32a()
	h.Write([]byte(word))
	return int(h.Sum32() % uint32(w.Dim))
}
