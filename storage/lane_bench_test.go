package storage_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/internal/retrieval"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// goEmotions reads GoEmotions train texts with their label ids.
func goEmotions(b *testing.B) (texts []string, labels [][]int) {
	dir, err := retrieval.GoEmotionsDir()
	if err != nil {
		b.Skip(err)
	}
	f, err := os.Open(filepath.Join(dir, "train.tsv"))
	if err != nil {
		b.Skipf("GoEmotions train texts (set %s): %v", retrieval.GoEmotionsEnv, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			continue
		}
		var ls []int
		for _, id := range strings.Split(cols[1], ",") {
			if n, err := strconv.Atoi(id); err == nil && n >= 0 && n < len(journal.EmotionLabels) {
				ls = append(ls, n)
			}
		}
		texts, labels = append(texts, cols[0]), append(labels, ls)
	}
	return texts, labels
}

// laneJournal writes n entries made of GoEmotions train texts (two texts
// joined past the first pass through them), spread over 8 years, each with
// its GoEmotions labels as its emotions and its GloVe embedding, through the
// import path (PutMany, unsynced), and returns the journal's path and how
// long embedding took.
func laneJournal(b *testing.B, n int, models *engine.Engine) (string, time.Duration) {
	ctx := context.Background()
	texts, labels := goEmotions(b)
	path := filepath.Join(b.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2019, 1, 1, 8, 0, 0, 0, time.UTC)
	step := 8 * 365 * 24 * time.Hour / time.Duration(n)
	var embedding time.Duration
	for start := 0; start < n; start += 1000 {
		var batch []journal.Entry
		var bt []string
		for i := start; i < min(n, start+1000); i++ {
			k := i % len(texts)
			text := texts[k]
			if i >= len(texts) {
				text += " " + texts[(i*7+3)%len(texts)]
			}
			at := base.Add(time.Duration(i) * step)
			e := journal.Entry{ID: ulid.MustNew(ulid.Timestamp(at), ulid.DefaultEntropy()).String(), Created: at, Updated: at, Text: text}
			scores := make([]float32, len(journal.EmotionLabels))
			var ls []string
			for _, l := range labels[k] {
				scores[l], ls = 0.8, append(ls, journal.EmotionLabels[l])
			}
			e.Emotions = &journal.Emotions{Scores: scores, Labels: ls, Model: "gold", Version: "1"}
			batch, bt = append(batch, e), append(bt, text)
		}
		t0 := time.Now()
		vecs, m, err := models.Embed(ctx, bt)
		if err != nil {
			b.Fatal(err)
		}
		embedding += time.Since(t0)
		for i := range batch {
			batch[i].Embedding = &journal.Embedding{Model: m.Name, Version: m.Version, Dim: m.Dim, Vector: vecs[i]}
		}
		if err := s.PutMany(ctx, batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	return path, embedding
}

// BenchmarkLane measures Memory Lane over journals of GoEmotions texts: the
// index built when the journal opens (ms, and bytes of memory per entry),
// then searches (three to six words of GoEmotions dev-like text, by words,
// meaning and the feelings the emotion model reads in them) and "entries like this one" (by meaning and feeling),
// p50 and p95 in µs; and the built-in embedding's time for 10,000 entries.
func BenchmarkLane(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			ctx := context.Background()
			models := engine.New(engine.Config{}, nil, nil)
			defer models.Close()
			path, embedding := laneJournal(b, n, models)
			s, err := storage.Open(path, storage.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			// as SAMO runs: the emotion model reads each search's words
			svc := journal.NewService(s, journal.WithEmbedder(models), journal.WithAnalyzer(models))
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			t0 := time.Now()
			if err := svc.PrepareLane(ctx, nil); err != nil {
				b.Fatal(err)
			}
			build := time.Since(t0)
			runtime.GC()
			runtime.ReadMemStats(&after)

			texts, _ := goEmotions(b)
			var queries []string
			for i := 0; len(queries) < 100; i += 97 {
				if w := strings.Fields(texts[i%len(texts)]); len(w) >= 3 {
					queries = append(queries, strings.Join(w[:min(len(w), 3+i%4)], " "))
				}
			}
			page, err := svc.Timeline(ctx, journal.TimelineQuery{By: journal.Day, Periods: 100})
			if err != nil {
				b.Fatal(err)
			}
			var searches, similar []time.Duration
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				t := time.Now()
				if _, err := svc.Search(ctx, journal.SearchQuery{Words: strings.Fields(q)}); err != nil {
					b.Fatal(err)
				}
				searches = append(searches, time.Since(t))
				p := page.Periods[i%len(page.Periods)]
				t = time.Now()
				if _, err := svc.Similar(ctx, p.Entries[0].ID, journal.SimilarBoth, journal.Filter{}, 20); err != nil {
					b.Fatal(err)
				}
				similar = append(similar, time.Since(t))
				i++
			}
			b.StopTimer()
			reportPercentiles(b, "search", searches)
			reportPercentiles(b, "similar", similar)
			b.ReportMetric(float64(build.Milliseconds()), "index-build-ms")
			b.ReportMetric(float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))/float64(n), "index-B/entry")
			b.ReportMetric(embedding.Seconds()*10_000/float64(n), "embed-s/10k")
		})
	}
}

// reportPercentiles reports the p50 and p95 of ds, named for what.
func reportPercentiles(b *testing.B, what string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sorted := slices.Sorted(slices.Values(ds))
	b.ReportMetric(float64(sorted[len(sorted)/2].Microseconds()), what+"-p50-µs")
	b.ReportMetric(float64(sorted[len(sorted)*95/100].Microseconds()), what+"-p95-µs")
}
