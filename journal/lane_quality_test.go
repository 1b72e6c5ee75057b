package journal_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/samojournal/samo/inference/wordvec"
	"github.com/samojournal/samo/internal/retrieval"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
	"github.com/samojournal/samo/journal/search"
)

// glove is the default embedding model (inference/wordvec) as an Embedder.
type glove struct{ m *wordvec.Model }

func (g glove) Embed(ctx context.Context, texts []string) ([][]float32, journal.EmbeddingModel, error) {
	info := journal.EmbeddingModel{Name: g.m.Name(), Version: g.m.Version(), Dim: g.m.Dim()}
	if len(texts) == 0 {
		return nil, info, nil
	}
	v, err := g.m.Embed(ctx, texts)
	return v, info, err
}

func (g glove) WordVectors(words []string) [][]float32 { return g.m.WordVectors(words) }

// minFusedMRR is, for each query file, a little under the default
// ranking's MRR on it (queries.json 0.528, unseen.json 0.365,
// fresh-queries.json 0.844, fresh-paraphrase.json 0.663): the floors that
// guard them.
var minFusedMRR = map[string]float64{
	retrieval.QueriesFile:         0.51,
	retrieval.UnseenFile:          0.34,
	retrieval.FreshFile:           0.82,
	retrieval.FreshParaphraseFile: 0.64,
}

// The default ranking (the candidates of BM25 with near words and of the
// GloVe uSIF meaning, ordered by meaning and word alignment together) on
// each query set of internal/retrieval, against BM25 and meaning alone. The figures are in the README; the floors
// guard them.
func TestSearch_RetrievalQuality(t *testing.T) {
	m, err := wordvec.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range retrieval.QueryFiles {
		set, err := retrieval.Load(file, retrieval.DefaultDistractors)
		noDistractors := errors.Is(err, retrieval.ErrNoDistractors)
		if noDistractors {
			t.Logf("scored without distractors: %v", err)
		} else if err != nil {
			t.Fatal(err)
		}
		words := retrieval.Score(set, journaltest.SearchRanking(t, set))
		meaning := retrieval.Score(set, denseRanking(t, m, set))
		fused := retrieval.Score(set, journaltest.SearchRanking(t, set, journal.WithEmbedder(glove{m})))
		t.Logf("%s, %d documents:\n  BM25 alone    %v\n  meaning alone %v\n  fused         %v (MRR %.3f)", file, len(set.Docs), words, meaning, fused, fused.MRR)
		if os.Getenv("SAMO_LANE_MISSES") != "" {
			for _, miss := range fused.Misses {
				t.Logf("  miss %q → want %s, rank %d, top %s", miss.Query, miss.Want, miss.Rank, miss.Top)
			}
		}
		if noDistractors { // the floors are for the set among its GoEmotions distractors
			t.Logf("without the GoEmotions distractors (%s) the floors are not checked", retrieval.GoEmotionsEnv)
			continue
		}
		if fused.MRR < minFusedMRR[file] {
			t.Errorf("%s: the fused ranking's MRR is %.3f, under %.2f", file, fused.MRR, minFusedMRR[file])
		}
		if fused.MRR <= words.MRR || fused.MRR <= meaning.MRR {
			t.Errorf("%s: the fused ranking (MRR %.3f) does not beat its parts (%.3f, %.3f)", file, fused.MRR, words.MRR, meaning.MRR)
		}
	}
}

// denseRanking ranks the set's documents by the cosine of their GloVe
// vectors with the query's alone.
func denseRanking(t testing.TB, m *wordvec.Model, set retrieval.Set) func(string) []string {
	texts := make([]string, len(set.Docs))
	for i, d := range set.Docs {
		texts[i] = d.Text
	}
	vecs, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	ix := search.NewVectors(m.Dim())
	for i, v := range vecs {
		if err := ix.Set(i, v); err != nil {
			t.Fatal(err)
		}
	}
	return func(q string) []string {
		qv, err := m.Embed(context.Background(), []string{q})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range ix.Nearest(qv[0], nil, 50) {
			out = append(out, set.Docs[h.Slot].ID)
		}
		return out
	}
}
