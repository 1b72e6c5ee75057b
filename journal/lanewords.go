package journal

import (
	"math"
	"strings"

	"github.com/samojournal/samo/journal/search"
)

// WordVectorer is what an Embedder may also offer: a vector per word (the
// GloVe model inference/wordvec does). With it Memory Lane matches a
// search's words with the journal's near words ("granny" finds "grandma")
// besides the words themselves. The vectors are kept in memory only, one
// per term of the journal.
type WordVectorer interface {
	// WordVectors returns each word's unit-length vector, nil for a word the
	// model does not know; words are lower-cased single words.
	WordVectors(words []string) [][]float32
}

// Soft matching's settings (see search.SoftQuery): a search word widens to
// at most nearPerWord of the journal's terms whose cosine with it reaches
// nearFloor, weighted ((cos-nearFloor)/(1-nearFloor))^nearPower against a
// typed word's 1.
//
// maxSoftWords is how many of a search's distinct words are compared with
// the journal's words (the first ones); the rest are still searched as
// they are and by meaning.
const (
	maxSoftWords = 32
	nearPerWord  = 8
	nearFloor    = 0.4
	nearPower    = 1.0
)

// wordVectorsOf returns e's WordVectorer, or nil.
func wordVectorsOf(e Embedder) func([]string) [][]float32 {
	if wv, ok := e.(WordVectorer); ok {
		return wv.WordVectors
	}
	return nil
}

// surfaceWords returns text's tokens that are not stop words, with the
// word each was read from, lower-cased.
func surfaceWords(text string) (terms, words []string) {
	for _, t := range search.Tokens(text) {
		if t.Stop {
			continue
		}
		w := strings.ToLower(strings.ReplaceAll(text[t.Start:t.End], "’", "'"))
		w = strings.TrimSuffix(w, "'s")
		terms = append(terms, t.Term)
		words = append(words, w)
	}
	return terms, words
}

// putTermVectors adds to each term's vector (by term id of words) the
// vector of each word it is read from that it had not been read from
// before, and keeps, by term id, one over the sum's length: a term's
// vector is the direction of its words' vectors together ("walked",
// "walking" and "walks" for "walk"), whatever order they came in.
func (ix *laneIndex) putTermVectors(terms, words []string) {
	if ix.wordVecs == nil {
		return
	}
	var need []string
	var ids []int
	for i, t := range terms {
		id := ix.words.ID(t)
		if id < 0 || ix.termForms[words[i]] {
			continue
		}
		if ix.termForms == nil {
			ix.termForms = map[string]bool{}
		}
		ix.termForms[words[i]] = true
		need = append(need, words[i])
		ids = append(ids, id)
	}
	if len(need) == 0 {
		return
	}
	for i, v := range ix.wordVecs(need) {
		if v == nil {
			continue
		}
		if ix.termVecs == nil {
			ix.termVecs = search.NewVectors(len(v))
		}
		id := ids[i]
		sum := v
		if old := ix.termVecs.Get(id); old != nil {
			sum = make([]float32, len(v))
			for d := range v {
				sum[d] = old[d] + v[d]
			}
		}
		_ = ix.termVecs.Set(id, sum) // a model's word vectors share a length
		for len(ix.termScale) <= id {
			ix.termScale = append(ix.termScale, 0)
		}
		ix.termScale[id] = 0
		if n := math.Sqrt(float64(search.Dot(sum, sum))); n > 0 {
			ix.termScale[id] = float32(1 / n)
		}
	}
}

// softQuery compares the search's words with the journal's terms; nil
// without word vectors.
func (ix *laneIndex) softQuery(text string, idf bool) *search.SoftQuery {
	if ix.wordVecs == nil || ix.termVecs == nil {
		return nil
	}
	terms, words := surfaceWords(text)
	// each distinct term once (its first form), and at most maxSoftWords
	// of them: a word's comparison scans the journal's whole vocabulary
	seen := map[string]bool{}
	n := 0
	for i, t := range terms {
		if !seen[t] && n < maxSoftWords {
			seen[t] = true
			terms[n], words[n] = t, words[i]
			n++
		}
	}
	terms, words = terms[:n], words[:n]
	if len(terms) == 0 {
		return nil
	}
	vecs := ix.wordVecs(words)
	for i, v := range vecs {
		if len(v) != ix.termVecs.Dim() {
			vecs[i] = nil
		}
	}
	sims := ix.termVecs.Dots(vecs)
	for _, row := range sims {
		for id := range min(len(row), len(ix.termScale)) {
			row[id] *= ix.termScale[id]
		}
	}
	q := &search.SoftQuery{}
	for i, t := range terms {
		sw := search.SoftWord{Term: t, Weight: 1}
		if idf {
			df := 0
			if id := ix.words.ID(t); id >= 0 {
				df = ix.words.DF(id)
			}
			sw.Weight = ix.words.IDF(df)
		}
		if vecs[i] != nil {
			sw.Sims = sims[i]
			if n := ix.words.Vocabulary(); len(sw.Sims) < n { // the last terms have no vector
				sw.Sims = append(sw.Sims, make([]float32, n-len(sw.Sims))...)
			}
		}
		q.Words = append(q.Words, sw)
	}
	return q
}
