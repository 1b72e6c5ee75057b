package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// typicalEntry is a journal entry of ordinary size with emotions and tags.
func typicalEntry(at time.Time, i int) journal.Entry {
	e := entryAt(at, fmt.Sprintf("Entry %d. Walked by the river after work; the meeting went better than I feared, "+
		"though I still feel uneasy about the deadline. Called my sister, which helped. Tomorrow: sleep earlier.", i))
	scores := make([]float32, 28)
	for j := range scores {
		scores[j] = float32((i+j)%10) / 10
	}
	e.Emotions = &journal.Emotions{Scores: scores, Labels: []string{"relief", "nervousness"}, Model: "samo-emotions", Version: "1"}
	e.Tags = []string{"work", "family"}
	return e
}

// percentiles reports the p50 and p95 of the durations as benchmark metrics.
func percentiles(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	if len(ds) == 0 {
		return
	}
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds()), "p95-µs")
}

// BenchmarkSave measures one save with fsync, plain and encrypted.
func BenchmarkSave(b *testing.B) {
	for _, encrypted := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "encrypted"}[encrypted]
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s := mustOpen(b)
			if encrypted {
				if err := s.Encrypt([]byte("bench"), fastKDF); err != nil {
					b.Fatal(err)
				}
			}
			var ds []time.Duration
			i := 0
			for b.Loop() {
				e := typicalEntry(time.Now(), i)
				e.ID = ulid.Make().String()
				start := time.Now()
				if err := s.Put(ctx, e); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(start))
				i++
			}
			percentiles(b, ds)
		})
	}
}

// buildJournal writes n typical entries an hour apart, in batches, without
// fsync (a throw-away journal for reading benchmarks).
func buildJournal(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	base := time.Date(2015, 1, 1, 8, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 1000 {
		var batch []journal.Entry
		for i := start; i < min(n, start+1000); i++ {
			batch = append(batch, typicalEntry(base.Add(time.Duration(i)*time.Hour), i))
		}
		if err := s.PutMany(context.Background(), batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	s.Close()
	return path
}

// BenchmarkOpenListNewest50 measures opening a journal and listing its newest
// 50 entries, as the window does on start, and reports the file's size per entry.
func BenchmarkOpenListNewest50(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			path := buildJournal(b, n)
			fi, _ := os.Stat(path)
			for b.Loop() {
				s, err := storage.Open(path, storage.Options{})
				if err != nil {
					b.Fatal(err)
				}
				es, err := s.List(context.Background(), journal.Query{Limit: 50})
				if err != nil || len(es) != 50 {
					b.Fatal(len(es), err)
				}
				s.Close()
			}
			b.ReportMetric(float64(fi.Size())/float64(n), "file-bytes/entry")
		})
	}
}

// BenchmarkUnlock measures opening an encrypted journal with the key
// derivation tuned as SAMO tunes it for a new passphrase (about 0.5 s):
// the price of each unlock, paid on purpose to slow down guessing.
func BenchmarkUnlock(b *testing.B) {
	params := storage.TuneKDF(storage.KDFTarget)
	path := filepath.Join(b.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Encrypt([]byte("a passphrase"), params); err != nil {
		b.Fatal(err)
	}
	s.Close()
	for b.Loop() {
		s, err := storage.Open(path, storage.Options{Passphrase: []byte("a passphrase")})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(params.Time), "argon2-passes")
	b.ReportMetric(float64(params.MemoryKiB)/1024, "argon2-MiB")
}
