package retrieval

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// stopwords are left out when comparing a query's words with its target.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again all also am an and any are as at be
		been before being but by can cant could did didnt do does doesnt dont down during each even
		ever for from got had has have he hes her here hers him his how i id ill im is it its ive just
		like me more most my myself no nor not now of off on once only or other our out over own same
		she shes should so some such than that the their them then there these they this those through
		to too under until up very was we were what when where which while who why will with wont would
		yet you your`) {
		stopwords[w] = true
	}
}

// contentWords returns the lowercase non-stopword words of s, apostrophes
// dropped and a plural "s" trimmed so "cigarettes" meets "cigarette".
func contentWords(s string) []string {
	s = strings.NewReplacer("'", "", "’", "").Replace(strings.ToLower(s))
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if stopwords[w] {
			continue
		}
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = strings.TrimSuffix(w, "s")
		}
		out = append(out, w)
	}
	return out
}

func TestLoad(t *testing.T) {
	for _, file := range QueryFiles {
		t.Run(file, func(t *testing.T) {
			set, err := Load(file, 0)
			if err != nil {
				t.Fatal(err)
			}
			entries, err := readEntries(entriesOf(file))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) < 45 {
				t.Errorf("%d entries, want at least 45", len(entries))
			}
			if len(set.Docs) != len(entries) {
				t.Errorf("%d docs without distractors, want %d", len(set.Docs), len(entries))
			}
			least := map[string]int{QueriesFile: 48, UnseenFile: 24, FreshFile: 60, FreshParaphraseFile: 50}[file]
			if len(set.Queries) < least {
				t.Errorf("%d queries, want at least %d", len(set.Queries), least)
			}
		})
	}
	t.Run("unknown file", func(t *testing.T) {
		if _, err := Load("entries.json", 0); err == nil {
			t.Error("Load(entries.json) gave no error")
		}
	})
}

func TestEntries(t *testing.T) {
	for _, name := range []string{"entries.json", "fresh-entries.json"} {
		t.Run(name, func(t *testing.T) { testEntries(t, name) })
	}
}

func testEntries(t *testing.T, name string) {
	entries, err := readEntries(name)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	years := map[int]bool{}
	for _, d := range entries {
		if d.ID == "" || d.ID != strings.ToLower(d.ID) || strings.ContainsAny(d.ID, " _") {
			t.Errorf("id %q is not short kebab case", d.ID)
		}
		if seen[d.ID] {
			t.Errorf("duplicate id %q", d.ID)
		}
		seen[d.ID] = true
		if strings.TrimSpace(d.Text) == "" {
			t.Errorf("%s: empty text", d.ID)
		}
		if y := d.Created.Year(); y < 2019 || y > 2026 {
			t.Errorf("%s: created %v, want 2019–2026", d.ID, d.Created)
		}
		years[d.Created.Year()] = true
	}
	if len(years) != 8 {
		t.Errorf("entries cover %d years, want all of 2019–2026", len(years))
	}
}

func TestQueries(t *testing.T) {
	dev, err := Load(QueriesFile, 0)
	if err != nil {
		t.Fatal(err)
	}
	devQueries := map[string]bool{}
	for _, q := range dev.Queries {
		devQueries[strings.ToLower(q.Query)] = true
	}
	for _, file := range QueryFiles {
		t.Run(file, func(t *testing.T) {
			set, err := Load(file, 0)
			if err != nil {
				t.Fatal(err)
			}
			text := map[string]string{}
			for _, d := range set.Docs {
				text[d.ID] = d.Text
			}
			seen := map[string]bool{}
			for _, q := range set.Queries {
				target, ok := text[q.Want]
				if !ok {
					t.Errorf("%q wants unknown id %q", q.Query, q.Want)
					continue
				}
				key := strings.ToLower(q.Query)
				if seen[key] {
					t.Errorf("duplicate query %q", q.Query)
				}
				seen[key] = true
				if file == UnseenFile && devQueries[key] {
					t.Errorf("held-out query %q is also in %s", q.Query, QueriesFile)
				}
				if n := len(strings.Fields(q.Query)); n < 1 || n > 12 {
					t.Errorf("%q has %d words, want 1–12", q.Query, n)
				}
				words := contentWords(q.Query)
				if len(words) == 0 {
					t.Errorf("%q has no content words", q.Query)
					continue
				}
				inTarget := map[string]bool{}
				for _, w := range contentWords(target) {
					inTarget[w] = true
				}
				shared := 0
				for _, w := range words {
					if inTarget[w] {
						shared++
					}
				}
				// the fresh set's queries were asked for as people type
				// them, a name or thing of the entry now and then
				if frac := float64(shared) / float64(len(words)); frac > 0.5 && file != FreshFile {
					t.Errorf("%q shares %.0f%% of its words with %s: not a paraphrase", q.Query, 100*frac, q.Want)
				}
			}
		})
	}
}

func TestScore(t *testing.T) {
	set := Set{Queries: []Query{{"q1", "a"}, {"q2", "b"}, {"q3", "c"}, {"q4", "d"}}}
	tests := []struct {
		name              string
		rank              func(string) []string
		mrr, r1, r5, r10  float64
		misses, firstRank int
		firstTop          string
	}{
		{
			name: "want second",
			rank: func(string) []string { return []string{"x", "a", "b", "c", "d"} },
			mrr:  (1.0/2 + 1.0/3 + 1.0/4 + 1.0/5) / 4,
			r1:   0, r5: 1, r10: 1,
			misses: 4, firstRank: 2, firstTop: "x",
		},
		{
			name:      "absent",
			rank:      func(string) []string { return nil },
			misses:    4,
			firstRank: 0,
		},
		{
			name: "perfect",
			rank: func(q string) []string {
				return []string{map[string]string{"q1": "a", "q2": "b", "q3": "c", "q4": "d"}[q], "zz"}
			},
			mrr: 1, r1: 1, r5: 1, r10: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Score(set, tt.rank)
			if !near(s.MRR, tt.mrr) || !near(s.Recall1, tt.r1) || !near(s.Recall5, tt.r5) || !near(s.Recall10, tt.r10) || s.N != 4 {
				t.Fatalf("got %s, want MRR %.3f R@1 %.2f R@5 %.2f R@10 %.2f n=4", s, tt.mrr, tt.r1, tt.r5, tt.r10)
			}
			if len(s.Misses) != tt.misses {
				t.Fatalf("%d misses, want %d", len(s.Misses), tt.misses)
			}
			if tt.misses > 0 {
				m := s.Misses[0]
				if m.Query != "q1" || m.Want != "a" || m.Rank != tt.firstRank || m.Top != tt.firstTop {
					t.Errorf("first miss %+v, want q1/a rank %d top %q", m, tt.firstRank, tt.firstTop)
				}
			}
		})
	}
	t.Run("rank two everywhere", func(t *testing.T) {
		// Every query finds its id at rank 2: MRR 0.5, R@1 0, R@5 1.
		s := Score(set, func(q string) []string {
			return []string{"other", map[string]string{"q1": "a", "q2": "b", "q3": "c", "q4": "d"}[q]}
		})
		if !near(s.MRR, 0.5) || s.Recall1 != 0 || s.Recall5 != 1 || s.Recall10 != 1 {
			t.Errorf("got %s, want MRR 0.50 · R@1 0.00 · R@5 1.00 · R@10 1.00", s)
		}
	})
	t.Run("empty set", func(t *testing.T) {
		if s := Score(Set{}, func(string) []string { return nil }); s.N != 0 || s.MRR != 0 {
			t.Errorf("empty set scored %s", s)
		}
	})
}

func TestScores_String(t *testing.T) {
	s := Scores{MRR: 0.6249, Recall1: 0.48, Recall5: 0.791, Recall10: 0.875, N: 48}
	if got, want := s.String(), "MRR 0.62 · R@1 0.48 · R@5 0.79 · R@10 0.88 (n=48)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestDistractors(t *testing.T) {
	dir, err := GoEmotionsDir()
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "dev.tsv"))
	}
	if err != nil {
		t.Skipf("no GoEmotions dev.tsv (%v); distractors not checked", err)
	}
	docs, err := Distractors(DefaultDistractors)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != DefaultDistractors {
		t.Fatalf("%d distractors, want %d", len(docs), DefaultDistractors)
	}
	if docs[0].ID != "dev-0001" || docs[len(docs)-1].ID != "dev-0400" {
		t.Errorf("ids run %s…%s, want dev-0001…dev-0400", docs[0].ID, docs[len(docs)-1].ID)
	}
	again, err := Distractors(DefaultDistractors)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(docs, again, func(a, b Doc) bool { return a.ID == b.ID && a.Text == b.Text && a.Created.Equal(b.Created) }) {
		t.Error("two loads gave different distractors")
	}
	for _, d := range docs {
		if d.Text == "" || strings.Contains(d.Text, "\t") {
			t.Errorf("%s: bad text %q", d.ID, d.Text)
		}
		if y := d.Created.Year(); y < 2019 || y > 2026 {
			t.Errorf("%s: created %v, want 2019–2026", d.ID, d.Created)
		}
	}
	set, err := Load(QueriesFile, DefaultDistractors)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := Entries()
	if len(set.Docs) != len(entries)+DefaultDistractors {
		t.Errorf("%d docs, want %d entries + %d distractors", len(set.Docs), len(entries), DefaultDistractors)
	}
}

func TestDistractors_env(t *testing.T) {
	t.Run("missing folder", func(t *testing.T) {
		t.Setenv(GoEmotionsEnv, filepath.Join(t.TempDir(), "absent"))
		set, err := Load(QueriesFile, 10)
		if !errors.Is(err, ErrNoDistractors) {
			t.Fatalf("error %v, want ErrNoDistractors", err)
		}
		entries, _ := Entries()
		if len(set.Docs) != len(entries) || len(set.Queries) == 0 {
			t.Errorf("set without distractors has %d docs and %d queries", len(set.Docs), len(set.Queries))
		}
	})
	t.Run("small file", func(t *testing.T) {
		dir := t.TempDir()
		var b strings.Builder
		for _, line := range []string{"one\t1\tc1", "two\t2,3\tc2", "", "three\t4\tc3", "four\t5\tc4", "five\t6\tc5", "six\t7\tc6"} {
			b.WriteString(line + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, "dev.tsv"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Setenv(GoEmotionsEnv, dir)
		docs, err := Distractors(3)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range docs {
			got = append(got, d.ID+"="+d.Text)
		}
		if want := []string{"dev-0001=one", "dev-0002=three", "dev-0003=five"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if !docs[0].Created.Before(docs[1].Created) || !docs[1].Created.Before(docs[2].Created) {
			t.Error("creation times do not increase")
		}
		if docs, err := Distractors(100); err != nil || len(docs) != 6 {
			t.Errorf("Distractors(100) on 6 lines: %d docs, %v", len(docs), err)
		}
	})
}

// wordOverlapRank ranks docs by how many distinct content words they share
// with the query, ties in set order: the baseline a real ranking must beat.
func wordOverlapRank(docs []Doc) func(string) []string {
	bags := make([]map[string]bool, len(docs))
	for i, d := range docs {
		bags[i] = map[string]bool{}
		for _, w := range contentWords(d.Text) {
			bags[i][w] = true
		}
	}
	return func(query string) []string {
		q := map[string]bool{}
		for _, w := range contentWords(query) {
			q[w] = true
		}
		type hit struct{ i, n int }
		var hits []hit
		for i, bag := range bags {
			n := 0
			for w := range q {
				if bag[w] {
					n++
				}
			}
			if n > 0 {
				hits = append(hits, hit{i, n})
			}
		}
		sort.SliceStable(hits, func(a, b int) bool { return hits[a].n > hits[b].n })
		ids := make([]string, len(hits))
		for k, h := range hits {
			ids[k] = docs[h.i].ID
		}
		return ids
	}
}

func TestWordOverlapBaseline(t *testing.T) {
	for _, file := range QueryFiles {
		t.Run(file, func(t *testing.T) {
			set, err := Load(file, DefaultDistractors)
			if errors.Is(err, ErrNoDistractors) {
				t.Logf("scoring on the entries alone: %v", err)
			} else if err != nil {
				t.Fatal(err)
			}
			s := Score(set, wordOverlapRank(set.Docs))
			t.Logf("word overlap, %s, %d docs: %s", file, len(set.Docs), s)
			if s.MRR >= 0.5 && file != FreshFile { // the fresh set's queries keep words as people do
				t.Errorf("word overlap reaches MRR %.2f on %s; the queries are too close to their entries", s.MRR, file)
			}
		})
	}
}
