package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/samojournal/samo/internal/retrieval"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// minMRRWithFeelings is, for each query file, a little under Memory Lane's
// default ranking's MRR with the built-in models, emotions included
// (queries.json 0.537, unseen.json 0.397, fresh-queries.json 0.844,
// fresh-paraphrase.json 0.656).
var minMRRWithFeelings = map[string]float64{
	retrieval.QueriesFile:         0.52,
	retrieval.UnseenFile:          0.37,
	retrieval.FreshFile:           0.82,
	retrieval.FreshParaphraseFile: 0.63,
}

// Memory Lane's default ranking as a person gets it: the built-in GloVe
// embedding and the built-in emotion model, whose reading of the search's
// words is weighed against each entry's feelings. journal's
// TestSearch_RetrievalQuality scores it without an emotion model; the
// README has both.
func TestSearch_RetrievalQualityWithFeelings(t *testing.T) {
	e, _ := newEngine(t, Config{})
	ctx := context.Background()
	if _, err := e.AnalyzeText(ctx, "a test"); err != nil {
		t.Fatalf("the built-in emotion model: %v", err)
	}
	for _, file := range retrieval.QueryFiles {
		set, err := retrieval.Load(file, retrieval.DefaultDistractors)
		if errors.Is(err, retrieval.ErrNoDistractors) {
			t.Skipf("the floors are for the set among its GoEmotions distractors: %v", err)
		} else if err != nil {
			t.Fatal(err)
		}
		with := retrieval.Score(set, journaltest.SearchRanking(t, set, journal.WithEmbedder(e), journal.WithAnalyzer(e)))
		without := retrieval.Score(set, journaltest.SearchRanking(t, set, journal.WithEmbedder(e)))
		t.Logf("%s: with feelings %v (MRR %.3f); without %v", file, with, with.MRR, without)
		if with.MRR < minMRRWithFeelings[file] {
			t.Errorf("%s: MRR %.3f with feelings, under %.2f", file, with.MRR, minMRRWithFeelings[file])
		}
	}
}
