package journal

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/samojournal/samo/inference/wordvec"
	"github.com/samojournal/samo/internal/retrieval"
	"github.com/samojournal/samo/journal/search"
)

// The rankings of a search one by one, and fused under other settings, on
// the retrieval set with the default embedding model: the table behind
// defaultTuning. SAMO_LANE_VARIANTS=1 runs it.
func TestLaneIndex_RankVariants(t *testing.T) {
	if os.Getenv("SAMO_LANE_VARIANTS") == "" {
		t.Skip("SAMO_LANE_VARIANTS=1 runs it")
	}
	m, err := wordvec.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	info := EmbeddingModel{Name: m.Name(), Version: m.Version(), Dim: m.Dim()}
	with := func(f func(*laneTuning)) laneTuning {
		t := defaultTuning
		f(&t)
		return t
	}
	words := func(r laneRankings) []search.Hit { return r.words }
	fused := func(r laneRankings) []search.Hit { return r.fused }
	plain := with(func(t *laneTuning) { t.soft = false })
	variants := []struct {
		name string
		t    laneTuning
		pick func(laneRankings) []search.Hit
	}{
		{"BM25 alone", plain, words},
		{"meaning alone", plain, func(r laneRankings) []search.Hit { return r.meaning }},
		{"BM25 + meaning", plain, fused},
		{"soft BM25 alone", defaultTuning, words},
		{"soft BM25 + meaning", with(func(t *laneTuning) { t.align = false }), fused},
		{"alignment alone (candidates)", defaultTuning, func(r laneRankings) []search.Hit { return r.align }},
		{"alignment, words unweighted", with(func(t *laneTuning) { t.alignIDF = false }), func(r laneRankings) []search.Hit { return r.align }},
		{"RRF of the three", with(func(t *laneTuning) { t.blend = 0 }), fused},
		{"RRF, words unweighted", with(func(t *laneTuning) { t.blend, t.alignIDF = 0, false }), fused},
		{"RRF, BM25 at ½", with(func(t *laneTuning) { t.blend, t.weights = 0, [3]float64{0.5, 1, 1} }), fused},
		{"RRF, alignment ×2", with(func(t *laneTuning) { t.blend, t.weights = 0, [3]float64{1, 1, 2} }), fused},
		{"blend, alignment ×0.7", with(func(t *laneTuning) { t.blend = 0.7 }), fused},
		{"blend, alignment ×1.5", with(func(t *laneTuning) { t.blend = 1.5 }), fused},
		{"blend, words unweighted", with(func(t *laneTuning) { t.alignIDF = false }), fused},
		{"blend, no length prior", with(func(t *laneTuning) { t.lengthK = 0 }), fused},
		{"blend, length prior 1", with(func(t *laneTuning) { t.lengthK = 1 }), fused},
		{"blend, length prior 4", with(func(t *laneTuning) { t.lengthK = 4 }), fused},
		{"fused (default)", defaultTuning, fused},
	}
	for _, file := range retrieval.QueryFiles {
		set, err := retrieval.Load(file, retrieval.DefaultDistractors)
		if err != nil {
			t.Fatal(err)
		}
		ix := newLaneIndex(info, m.WordVectors)
		texts := make([]string, len(set.Docs))
		for i, d := range set.Docs {
			texts[i] = d.Text
		}
		vecs, err := m.Embed(ctx, texts)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range set.Docs {
			ix.put(Entry{ID: d.ID, Text: d.Text, Created: d.Created, Embedding: &Embedding{Model: info.Name, Version: info.Version, Dim: info.Dim, Vector: vecs[i]}})
		}
		out := fmt.Sprintf("%s (%d documents, %d terms):\n", file, len(set.Docs), ix.words.Vocabulary())
		for _, v := range variants {
			sc := retrieval.Score(set, func(q string) []string {
				qv, err := m.Embed(ctx, []string{q})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, h := range v.pick(ix.rank(q, search.Terms(q), qv[0], nil, nil, v.t)) {
					ids = append(ids, ix.docs[h.Slot].id)
				}
				return ids
			})
			out += fmt.Sprintf("  %-30s %v\n", v.name, sc)
		}
		t.Log(out)
	}
}
