package search

import (
	"math"
	"slices"
)

// Soft word matching: a search's words are compared with the journal's own
// words by their word vectors (GloVe's, say), so that "granny" finds
// "grandma" and "tyre" finds "puncture". The journal's vocabulary is small
// (tens of thousands of terms at a hundred thousand entries), so one scan
// of its term vectors per search word gives every term's similarity; from
// those come the near terms that widen BM25 and the alignment score that
// re-ranks candidates.

// SoftQuery is a search's words with their similarity to each term of a
// Words index.
type SoftQuery struct {
	// Words are the search's words: their term, their weight and, by term
	// id, their similarity with each of the index's terms (nil for a word
	// without a vector).
	Words []SoftWord
}

// SoftWord is one word of a SoftQuery.
type SoftWord struct {
	Term   string
	Weight float64
	Sims   []float32 // by term id; nil without a vector
}

// Expand returns the query's terms (weight 1 each) and, for each word, up
// to perWord of the index's terms nearest it whose similarity reaches
// floor, each weighted ((sim-floor)/(1-floor))^power: a term near two
// words keeps its larger weight. Terms that no document holds are left
// out.
func (q SoftQuery) Expand(w *Words, perWord int, floor, power float64) []Weighted {
	weight := map[string]float64{}
	var order []string
	add := func(t string, wt float64) {
		old, ok := weight[t]
		if !ok {
			order = append(order, t)
		}
		if wt > old {
			weight[t] = wt
		}
	}
	for _, qw := range q.Words {
		add(qw.Term, 1)
	}
	for _, qw := range q.Words {
		if qw.Sims == nil || perWord <= 0 {
			continue
		}
		near := newTopK(perWord)
		for id, s := range qw.Sims {
			if float64(s) >= floor && (!near.full() || s > near.min()) && w.DF(id) > 0 && w.Term(id) != qw.Term {
				near.push(Hit{Slot: id, Score: s})
			}
		}
		for _, h := range near.sorted() {
			add(w.Term(h.Slot), math.Pow((float64(h.Score)-floor)/(1-floor), power))
		}
	}
	out := make([]Weighted, len(order))
	for i, t := range order {
		out[i] = Weighted{Term: t, Weight: weight[t]}
	}
	return out
}

// Align scores how well the document in slot covers the query (as
// BERTScore's recall does): each word's best similarity with any of the
// document's terms (at least 0), weighted by the word's weight, over the
// sum of the weights; a word without a vector counts 1 when the document
// holds it, else 0.
func (q SoftQuery) Align(w *Words, slot int) float32 {
	var sum, total float64
	doc := w.DocTerms(slot)
	for _, qw := range q.Words {
		total += qw.Weight
		best := float32(0)
		if qw.Sims == nil {
			if id := w.ID(qw.Term); id >= 0 && slices.Contains(doc, uint32(id)) {
				best = 1
			}
		} else {
			for _, id := range doc {
				if s := qw.Sims[id]; s > best {
					best = s
				}
			}
		}
		sum += qw.Weight * float64(best)
	}
	if total == 0 {
		return 0
	}
	return float32(sum / total)
}
