package retrieval

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

//go:embed testdata/entries.json testdata/queries.json testdata/unseen.json testdata/fresh-entries.json testdata/fresh-queries.json testdata/fresh-paraphrase.json
var testdata embed.FS

// Query files that [Load] accepts.
const (
	// QueriesFile is the development query set.
	QueriesFile = "queries.json"
	// UnseenFile is the held-out query set; do not tune on it.
	UnseenFile = "unseen.json"
	// FreshFile is the queries of the fresh set, which has entries of its
	// own (fresh-entries.json); do not tune on it.
	FreshFile = "fresh-queries.json"
	// FreshParaphraseFile is paraphrase queries on the fresh set's entries;
	// do not tune on it.
	FreshParaphraseFile = "fresh-paraphrase.json"
)

// QueryFiles are the query files [Load] accepts, the development set first.
var QueryFiles = []string{QueriesFile, UnseenFile, FreshFile, FreshParaphraseFile}

// entriesOf returns the entries file a query file's wanted ids are in.
func entriesOf(queriesFile string) string {
	if queriesFile == FreshFile || queriesFile == FreshParaphraseFile {
		return "fresh-entries.json"
	}
	return "entries.json"
}

// Doc is one searchable document: a journal entry of the set or a distractor.
type Doc struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Text    string    `json:"text"`
	Tags    []string  `json:"tags,omitempty"`
}

// Query is a search query and the id of the one document it should find.
type Query struct {
	Query string `json:"query"`
	Want  string `json:"want"`
}

// Set is an evaluation set: the documents to search (the entries, then any
// distractors) and the queries to score.
type Set struct {
	Docs    []Doc
	Queries []Query
}

// Entries returns the journal entries of queries.json and unseen.json,
// without distractors.
func Entries() ([]Doc, error) {
	return readEntries("entries.json")
}

func readEntries(name string) ([]Doc, error) {
	var docs []Doc
	if err := readJSON(name, &docs); err != nil {
		return nil, err
	}
	return docs, nil
}

// Load returns the entries of queriesFile (one of [QueryFiles]), its
// queries and, when distractors > 0, that many GoEmotions distractors
// appended after the entries. When the distractor data is missing it returns
// the set without distractors together with an error wrapping
// [ErrNoDistractors]; any other error comes with an empty Set.
func Load(queriesFile string, distractors int) (Set, error) {
	if !slices.Contains(QueryFiles, queriesFile) {
		return Set{}, fmt.Errorf("retrieval: unknown query file %q (want one of %q)", queriesFile, QueryFiles)
	}
	docs, err := readEntries(entriesOf(queriesFile))
	if err != nil {
		return Set{}, err
	}
	var queries []Query
	if err := readJSON(queriesFile, &queries); err != nil {
		return Set{}, err
	}
	set := Set{Docs: docs, Queries: queries}
	if distractors <= 0 {
		return set, nil
	}
	extra, err := Distractors(distractors)
	if errors.Is(err, ErrNoDistractors) {
		return set, err
	}
	if err != nil {
		return Set{}, err
	}
	set.Docs = append(set.Docs, extra...)
	return set, nil
}

func readJSON(name string, v any) error {
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		return fmt.Errorf("retrieval: read %s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("retrieval: parse %s: %w", name, err)
	}
	return nil
}

// Miss is a query whose wanted document was not ranked first.
type Miss struct {
	Query string
	Want  string
	// Rank is the 1-based rank of Want in the returned list, 0 if absent.
	Rank int
	// Top is the id ranked first, "" if the list was empty.
	Top string
}

// Scores are the figures of one ranking on one set.
type Scores struct {
	// MRR is the mean reciprocal rank of the wanted id over the whole
	// returned list (0 for a query whose id is absent).
	MRR float64
	// Recall1, Recall5 and Recall10 are the fractions of queries whose
	// wanted id is within the first 1, 5 and 10 results.
	Recall1, Recall5, Recall10 float64
	// N is the number of queries scored.
	N int
	// Misses lists the queries not answered at rank 1, in set order.
	Misses []Miss
}

// Score runs rank on every query of set and scores the returned ids (best
// first) against each query's wanted id.
func Score(set Set, rank func(query string) []string) Scores {
	s := Scores{N: len(set.Queries)}
	if s.N == 0 {
		return s
	}
	var hit1, hit5, hit10 int
	for _, q := range set.Queries {
		ids := rank(q.Query)
		r := 0
		for i, id := range ids {
			if id == q.Want {
				r = i + 1
				break
			}
		}
		if r > 0 {
			s.MRR += 1 / float64(r)
		}
		if r == 1 {
			hit1++
		}
		if r >= 1 && r <= 5 {
			hit5++
		}
		if r >= 1 && r <= 10 {
			hit10++
		}
		if r != 1 {
			m := Miss{Query: q.Query, Want: q.Want, Rank: r}
			if len(ids) > 0 {
				m.Top = ids[0]
			}
			s.Misses = append(s.Misses, m)
		}
	}
	n := float64(s.N)
	s.MRR /= n
	s.Recall1 = float64(hit1) / n
	s.Recall5 = float64(hit5) / n
	s.Recall10 = float64(hit10) / n
	return s
}

// String gives the figures on one line, such as
// "MRR 0.62 · R@1 0.48 · R@5 0.79 · R@10 0.88 (n=48)".
func (s Scores) String() string {
	return fmt.Sprintf("MRR %.2f · R@1 %.2f · R@5 %.2f · R@10 %.2f (n=%d)", s.MRR, s.Recall1, s.Recall5, s.Recall10, s.N)
}
