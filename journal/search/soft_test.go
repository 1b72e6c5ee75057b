package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestSoftQuery_Expand(t *testing.T) {
	w := NewWords()
	w.Add(0, []string{"grandma", "funer"})
	w.Add(1, []string{"cat", "vet"})
	sims := func(grandma, funer, cat, vet float32) []float32 {
		out := make([]float32, w.Vocabulary())
		out[w.ID("grandma")], out[w.ID("funer")], out[w.ID("cat")], out[w.ID("vet")] = grandma, funer, cat, vet
		return out
	}
	q := SoftQuery{Words: []SoftWord{
		{Term: "granni", Weight: 1, Sims: sims(0.8, 0.45, 0.1, 0)},
		{Term: "vet", Weight: 1, Sims: sims(0, 0.1, 0.7, 1)},
	}}
	got := q.Expand(w, 8, 0.4, 1)
	want := map[string]float64{"granni": 1, "vet": 1, "grandma": (0.8 - 0.4) / 0.6, "funer": (0.45 - 0.4) / 0.6, "cat": (0.7 - 0.4) / 0.6}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, g := range got {
		if d := g.Weight - want[g.Term]; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s weighs %v, want %v", g.Term, g.Weight, want[g.Term])
		}
	}
	if got := q.Expand(w, 1, 0.4, 1); len(got) != 4 {
		t.Errorf("one near word each: got %v", got)
	}
	hits := w.Search(q.Expand(w, 8, 0.4, 1)[2:], nil, 10)
	if len(hits) != 2 || hits[0].Slot != 0 {
		t.Errorf("near words alone rank %v, want slot 0 first", hits)
	}
}

func TestSoftQuery_Align(t *testing.T) {
	w := NewWords()
	w.Add(0, []string{"grandma", "funer"})
	w.Add(1, []string{"cat", "vet"})
	sims := make([]float32, w.Vocabulary())
	sims[w.ID("grandma")], sims[w.ID("cat")] = 0.8, -0.2
	q := SoftQuery{Words: []SoftWord{
		{Term: "granni", Weight: 3, Sims: sims},
		{Term: "vet", Weight: 1}, // no vector: matched exactly or not at all
	}}
	for _, tc := range []struct {
		slot int
		want float32
	}{{0, 3 * 0.8 / 4}, {1, 1.0 / 4}} {
		if got := q.Align(w, tc.slot); got < tc.want-1e-6 || got > tc.want+1e-6 {
			t.Errorf("slot %d aligns %v, want %v", tc.slot, got, tc.want)
		}
	}
}

func TestFuseWeighted(t *testing.T) {
	a := []Hit{{Slot: 1}, {Slot: 2}}
	b := []Hit{{Slot: 2}, {Slot: 1}}
	if got := FuseWeighted(60, []float64{2, 1}, a, b); got[0].Slot != 1 {
		t.Errorf("the heavier ranking's first should lead: %v", got)
	}
	if got := FuseWeighted(60, []float64{1, 2}, a, b); got[0].Slot != 2 {
		t.Errorf("the heavier ranking's first should lead: %v", got)
	}
}

// BenchmarkSoftQuery is a search's soft-matching work at a hundred thousand
// entries of 30 distinct terms over a vocabulary of 40,000 terms with
// 100-value vectors: six words' scans of the vocabulary, the widened BM25
// and the alignment of 150 candidates.
func BenchmarkSoftQuery(b *testing.B) {
	const docs, vocab, dim, perDoc = 100_000, 40_000, 100, 30
	rng := rand.New(rand.NewPCG(1, 2))
	w := NewWords()
	names := make([]string, vocab)
	for i := range names {
		names[i] = fmt.Sprintf("t%d", i)
	}
	terms := make([]string, perDoc)
	for d := range docs {
		for i := range terms {
			terms[i] = names[int(float64(vocab)*math.Pow(rng.Float64(), 3))] // Zipf-like
		}
		w.Add(d, terms)
	}
	vecs := NewVectors(dim)
	v := make([]float32, dim)
	for id := range w.Vocabulary() {
		for d := range v {
			v[d] = float32(rng.NormFloat64() / 10)
		}
		_ = vecs.Set(id, v)
	}
	qs, qterm := make([][]float32, 6), make([]int, 6)
	for i := range qs {
		qterm[i] = rng.IntN(w.Vocabulary())
		qs[i] = vecs.Get(qterm[i])
	}
	b.ReportMetric(float64(vecs.Bytes())/docs, "term-vector-B/entry")
	for b.Loop() {
		q := SoftQuery{}
		for i, sims := range vecs.Dots(qs) {
			q.Words = append(q.Words, SoftWord{Term: names[qterm[i]], Weight: 1, Sims: sims})
		}
		hits := w.Search(q.Expand(w, 8, 0.4, 1), nil, 100)
		for i := range 150 {
			q.Align(w, hits[i%len(hits)].Slot)
		}
	}
}
