package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// BenchmarkInsights measures the Insights of a whole journal (all time)
// and of its last 90 days, over the journals of BenchmarkLane (GoEmotions
// texts over 8 years, each with its gold labels as emotions), once the
// in-memory index is built: aggregates, associations and pattern tests.
func BenchmarkInsights(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			ctx := context.Background()
			models := engine.New(engine.Config{}, nil, nil)
			defer models.Close()
			path, _ := laneJournal(b, n, models)
			s, err := storage.Open(path, storage.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
			svc := journal.NewService(s, journal.WithEmbedder(models), journal.WithClock(func() time.Time { return end }))
			if err := svc.PrepareLane(ctx, nil); err != nil {
				b.Fatal(err)
			}
			var all, recent []time.Duration
			patterns := 0
			for b.Loop() {
				t := time.Now()
				in, err := svc.Insights(ctx, journal.InsightsQuery{Location: time.UTC, By: journal.Month})
				if err != nil {
					b.Fatal(err)
				}
				all = append(all, time.Since(t))
				patterns = len(in.Patterns)
				t = time.Now()
				if _, err := svc.Insights(ctx, journal.InsightsQuery{From: end.AddDate(0, 0, -90), To: end, Location: time.UTC}); err != nil {
					b.Fatal(err)
				}
				recent = append(recent, time.Since(t))
			}
			b.StopTimer()
			reportPercentiles(b, "all", all)
			reportPercentiles(b, "90d", recent)
			b.ReportMetric(float64(patterns), "patterns")
		})
	}
}
