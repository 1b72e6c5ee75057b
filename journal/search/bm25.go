package search

import (
	"math"
)

// BM25 parameters: the usual k1 and b (Robertson and Zaragoza, 2009).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// posting is one document's count of one term.
type posting struct {
	slot uint32
	tf   uint32
}

// Words is a BM25 inverted index over documents' words.
type Words struct {
	ids      map[string]uint32 // term → term id
	terms    []string          // by term id
	postings [][]posting       // by term id
	docs     [][]uint32        // by slot: its distinct term ids (for removal)
	lens     []uint32          // by slot: its number of terms
	live     int
	total    int // sum of lens over live slots
}

// NewWords returns an empty word index.
func NewWords() *Words { return &Words{ids: map[string]uint32{}} }

// Len returns the number of documents indexed.
func (w *Words) Len() int { return w.live }

// Vocabulary returns the number of distinct terms ever indexed.
func (w *Words) Vocabulary() int { return len(w.ids) }

// Has reports whether the index holds the term (already stemmed).
func (w *Words) Has(term string) bool {
	id, ok := w.ids[term]
	return ok && len(w.postings[id]) > 0
}

// ID returns the term's id (ids are small integers from 0, never reused),
// or -1 when the index has never held it.
func (w *Words) ID(term string) int {
	if id, ok := w.ids[term]; ok {
		return int(id)
	}
	return -1
}

// Term returns the term of an id that ID returned.
func (w *Words) Term(id int) string { return w.terms[id] }

// DF returns the number of documents that hold the term of an id.
func (w *Words) DF(id int) int { return len(w.postings[id]) }

// IDF returns BM25's inverse document frequency of a term held by df of
// the index's documents.
func (w *Words) IDF(df int) float64 {
	n := float64(w.live)
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// DocTerms returns the ids of the distinct terms of the document in slot
// (the index's own slice: do not change it).
func (w *Words) DocTerms(slot int) []uint32 {
	if slot >= len(w.docs) {
		return nil
	}
	return w.docs[slot]
}

// Add indexes the terms (see Terms) of the document in slot, replacing what
// the slot held before.
func (w *Words) Add(slot int, terms []string) {
	w.Remove(slot)
	for len(w.docs) <= slot {
		w.docs = append(w.docs, nil)
		w.lens = append(w.lens, 0)
	}
	counts := make(map[uint32]uint32, len(terms))
	for _, t := range terms {
		id, ok := w.ids[t]
		if !ok {
			id = uint32(len(w.postings))
			w.ids[t] = id
			w.terms = append(w.terms, t)
			w.postings = append(w.postings, nil)
		}
		counts[id]++
	}
	ids := make([]uint32, 0, len(counts))
	for id, tf := range counts {
		w.postings[id] = append(w.postings[id], posting{slot: uint32(slot), tf: tf})
		ids = append(ids, id)
	}
	w.docs[slot] = ids
	w.lens[slot] = uint32(len(terms))
	w.live++
	w.total += len(terms)
}

// Remove drops the document in slot, if any.
func (w *Words) Remove(slot int) {
	if slot >= len(w.docs) || w.docs[slot] == nil {
		return
	}
	for _, id := range w.docs[slot] {
		ps := w.postings[id]
		for i := range ps {
			if ps[i].slot == uint32(slot) {
				ps[i] = ps[len(ps)-1]
				w.postings[id] = ps[:len(ps)-1]
				break
			}
		}
	}
	w.live--
	w.total -= int(w.lens[slot])
	w.docs[slot], w.lens[slot] = nil, 0
}

// Contains reports whether the document in slot has the term.
func (w *Words) Contains(slot int, term string) bool {
	id, ok := w.ids[term]
	if !ok || slot >= len(w.docs) {
		return false
	}
	for _, d := range w.docs[slot] {
		if d == id {
			return true
		}
	}
	return false
}

// Weighted is a query term with its weight: 1 for a word the person typed,
// less for a word added because it means much the same.
type Weighted struct {
	Term   string
	Weight float64
}

// Search ranks the documents that keep allows by BM25 over the query terms
// and returns the best limit of them, best first. A document needs at least
// one term to be ranked; terms repeated in the query count once.
func (w *Words) Search(query []Weighted, keep func(slot int) bool, limit int) []Hit {
	if w.live == 0 || limit <= 0 {
		return nil
	}
	n := float64(w.live)
	avg := float64(w.total) / n
	if avg == 0 {
		avg = 1
	}
	scores := make([]float32, len(w.docs))
	var touched []uint32
	seen := map[string]bool{}
	for _, q := range query {
		id, ok := w.ids[q.Term]
		if !ok || seen[q.Term] || q.Weight <= 0 {
			continue
		}
		seen[q.Term] = true
		ps := w.postings[id]
		df := float64(len(ps))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for _, p := range ps {
			tf := float64(p.tf)
			dl := float64(w.lens[p.slot])
			if scores[p.slot] == 0 {
				touched = append(touched, p.slot)
			}
			scores[p.slot] += float32(q.Weight * idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*dl/avg)))
		}
	}
	top := newTopK(limit)
	for _, slot := range touched {
		if keep == nil || keep(int(slot)) {
			top.push(Hit{Slot: int(slot), Score: scores[slot]})
		}
	}
	return top.sorted()
}
