package journaltest

import (
	"context"
	"strings"
	"testing"

	"github.com/samojournal/samo/internal/retrieval"
	"github.com/samojournal/samo/journal"
)

// SearchRanking saves a retrieval set's documents in a journal of its own
// (an in-memory store and the Service options given: the models under test)
// and returns how Service.Search ranks them for a query, by the set's
// document ids, the first 50: what retrieval.Score takes.
func SearchRanking(t testing.TB, set retrieval.Set, opts ...journal.Option) func(string) []string {
	t.Helper()
	ctx := context.Background()
	s := journal.NewService(NewMemStore(), opts...)
	ids := map[string]string{}
	for _, d := range set.Docs {
		e, err := s.AddAt(ctx, d.Text, d.Created, d.Tags...)
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		ids[e.ID] = d.ID
	}
	return func(q string) []string {
		found, err := s.Search(ctx, journal.SearchQuery{Words: strings.Fields(q), Limit: 50})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		out := make([]string, len(found))
		for i, f := range found {
			out[i] = ids[f.Entry.ID]
		}
		return out
	}
}
