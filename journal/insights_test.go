package journal_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests name, wherever they run

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// moodJournal saves a synthetic journal into a new Service whose clock
// stands at the day after its last day.
func moodJournal(t testing.TB, p journaltest.MoodPlan) *journal.Service {
	t.Helper()
	end := p.Start.AddDate(0, 0, p.Days)
	s := journal.NewService(journaltest.NewMemStore(), journal.WithClock(func() time.Time { return end.Add(-time.Hour) }))
	for _, e := range journaltest.MoodEntries(p) {
		if _, err := s.Save(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func scores(pairs map[string]float32) *journal.Emotions {
	sc := make([]float32, len(journal.EmotionLabels))
	var labels []string
	for i, l := range journal.EmotionLabels {
		if v, ok := pairs[l]; ok {
			sc[i] = v
			if v >= 0.3 {
				labels = append(labels, l)
			}
		}
	}
	return &journal.Emotions{Scores: sc, Labels: labels, Model: "m", Version: "1"}
}

func TestInsights_Aggregates(t *testing.T) {
	ctx := context.Background()
	loc := time.UTC
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, loc) } // 2 March 2026 is a Monday
	s := journal.NewService(journaltest.NewMemStore(), journal.WithClock(func() time.Time { return day(8, 12) }))
	save := func(at time.Time, em *journal.Emotions, corrected ...string) journal.Entry {
		t.Helper()
		e := journal.Entry{Text: "an entry about the garden", Created: at, Emotions: em}
		if len(corrected) > 0 {
			e.Corrections = &journal.Corrections{Labels: corrected, At: at}
		}
		e, err := s.Save(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	save(day(2, 9), scores(map[string]float32{"joy": 0.8, "sadness": 0.1}))
	save(day(2, 21), scores(map[string]float32{"sadness": 0.6, "grief": 0.2}))
	// the person said this one was pride, whatever the model read
	save(day(3, 9), scores(map[string]float32{"anger": 0.9}), "pride")
	save(day(5, 9), scores(map[string]float32{"neutral": 0.9}))
	save(day(6, 9), scores(map[string]float32{"joy": 0.5}))
	save(day(7, 10), scores(map[string]float32{"joy": 0.5}))
	save(time.Date(2026, 2, 25, 9, 0, 0, 0, loc), scores(map[string]float32{"sadness": 0.7})) // before the range

	in, err := s.Insights(ctx, journal.InsightsQuery{From: day(2, 0), To: day(9, 0), Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	if in.Entries != 6 || in.Days != 7 || in.DaysWithEntries != 5 || in.By != journal.Day {
		t.Fatalf("entries %d, days %d, with entries %d, by %s; want 6, 7, 5, day", in.Entries, in.Days, in.DaysWithEntries, in.By)
	}
	if len(in.Periods) != 7 {
		t.Fatalf("%d periods, want 7 (one per day, empty ones kept)", len(in.Periods))
	}
	mon := in.Periods[0]
	if mon.Entries != 2 || math.Abs(mon.Mean["joy"]-0.4) > 0.01 || math.Abs(mon.Mean["sadness"]-0.35) > 0.01 {
		t.Errorf("Monday: %d entries, joy %.3f, sadness %.3f; want 2, 0.4, 0.35", mon.Entries, mon.Mean["joy"], mon.Mean["sadness"])
	}
	// the sadness group is the highest of its labels: (0.1 + 0.6) / 2
	if math.Abs(mon.Groups["sadness"]-0.35) > 0.01 || math.Abs(mon.Groups["joy"]-0.4) > 0.01 {
		t.Errorf("Monday's sadness group %.3f, joy group %.3f; want 0.35, 0.4", mon.Groups["sadness"], mon.Groups["joy"])
	}
	// valence: entry 1 (0.8−0.1)/1 = 0.7; entry 2 −(0.6+0.2)/1 = −0.8 → mean −0.05
	if mon.Valence == nil || math.Abs(*mon.Valence-(-0.05)) > 0.01 {
		t.Errorf("Monday's valence %v, want −0.05", mon.Valence)
	}
	if mon.Share["joy"] != 0.5 || mon.Share["sadness"] != 0.5 || mon.GroupShare["sadness"] != 0.5 || mon.Share["grief"] != 0 {
		t.Errorf("Monday's shares joy %.2f sadness %.2f (group %.2f) grief %.2f, want 0.5, 0.5, 0.5, 0", mon.Share["joy"], mon.Share["sadness"], mon.GroupShare["sadness"], mon.Share["grief"])
	}
	tue := in.Periods[1]
	if tue.Mean["pride"] != 1 || tue.Mean["anger"] != 0 || *tue.Valence != 1 {
		t.Errorf("Tuesday (corrected to pride): pride %.2f anger %.2f valence %.2f; want 1, 0, 1", tue.Mean["pride"], tue.Mean["anger"], *tue.Valence)
	}
	wed := in.Periods[2]
	if wed.Entries != 0 || wed.Valence != nil || wed.Mean != nil {
		t.Errorf("Wednesday has no entries but reads %+v: an empty day must stay empty, not zero", wed)
	}
	if in.Weekdays[2].Valence != nil || in.Weekdays[0].Entries != 2 || in.Weekdays[0].Days != 1 {
		t.Errorf("weekdays: %+v", in.Weekdays)
	}
	if in.Hours[9].Entries != 4 || in.Hours[21].Entries != 1 {
		t.Errorf("hours: 09 has %d, 21 has %d; want 4 and 1", in.Hours[9].Entries, in.Hours[21].Entries)
	}
	if in.Streaks.Current != 3 || in.Streaks.Longest != 3 {
		t.Errorf("streaks %+v, want current 3 (Thu–Sat, Sunday not yet written), longest 3", in.Streaks)
	}
	if in.Mix[0].Group != "joy" || in.Mix[0].Entries != 4 {
		t.Errorf("mix %+v: want joy first with 4 entries (3 by the model, 1 corrected to pride)", in.Mix)
	}
	if in.Change == nil || in.Change.PreviousEntries != 1 {
		t.Errorf("change %+v: want the week before with its one entry", in.Change)
	}
	if len(in.Calendar) != 5 || in.Calendar[0].Dominant == "" {
		t.Errorf("calendar %+v: want 5 days with entries, each with its dominant group", in.Calendar)
	}
}

func TestInsights_BadRange(t *testing.T) {
	s := journal.NewService(journaltest.NewMemStore())
	now := time.Now()
	if _, err := s.Insights(context.Background(), journal.InsightsQuery{From: now, To: now.AddDate(0, 0, -1)}); err == nil {
		t.Fatal("a range that ends before it starts was accepted")
	}
	for _, bad := range []string{"", "x", "0d", "-3d", "12q", "d"} {
		if bad == "" {
			continue
		}
		if _, _, err := journal.ParseRange(bad, now); err == nil {
			t.Errorf("ParseRange(%q) accepted", bad)
		}
	}
	from, to, err := journal.ParseRange("90d", time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC))
	if err != nil || !to.Equal(time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)) || to.Sub(from) != 90*24*time.Hour {
		t.Errorf("90d: %v – %v, %v", from, to, err)
	}
}

func TestInsights_EmptyJournal(t *testing.T) {
	s := journal.NewService(journaltest.NewMemStore())
	in, err := s.Insights(context.Background(), journal.InsightsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Entries != 0 || len(in.Patterns) != 0 || in.Days != 1 {
		t.Fatalf("empty journal: %+v", in)
	}
}

var start = time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)

// plantedDelay is how far from a planted change (in days) the found one
// may be; minFound the share of planted patterns that must be found.
const (
	plantedDelay = 14
	minFound     = 0.8
)

// seedsFor is how many journals a test reads: n, or SAMO_INSIGHTS_SEEDS.
func seedsFor(n int) int {
	if v, err := strconv.Atoi(os.Getenv("SAMO_INSIGHTS_SEEDS")); err == nil && v > 0 {
		return v
	}
	return n
}

func TestInsights_FindsAPlantedShift(t *testing.T) {
	seeds := seedsFor(10)
	found := 0
	var errs []int
	for seed := range uint64(seeds) {
		s := moodJournal(t, journaltest.MoodPlan{Start: start, Days: 240, Seed: seed,
			Shift: &journaltest.PlantedShift{Label: "sadness", Day: 150, By: 0.12}})
		in, err := s.Insights(context.Background(), journal.InsightsQuery{From: start, To: start.AddDate(0, 0, 240), Location: time.UTC, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range in.Patterns {
			if p.Kind != "shift" || p.Series != "sadness" || p.Group {
				continue
			}
			at := int(p.Day.Sub(start).Hours() / 24)
			if at < 150-plantedDelay || at > 150+plantedDelay {
				t.Logf("seed %d: sadness shift found at day %d, planted at 150: counted as missed", seed, at)
				continue
			}
			// the planted +0.12 is less once scores are clipped at 0
			if p.Low <= 0.03 || p.Size > 0.15 || p.DaysAfter < 14 || len(p.Evidence) == 0 || p.Summary == "" {
				t.Errorf("seed %d: %+v: want a rise of about 0.1 resting on 14+ days, with evidence", seed, p)
			}
			found++
			errs = append(errs, at-150)
			break
		}
	}
	off := make([]int, len(errs))
	for i, e := range errs {
		off[i] = max(e, -e)
	}
	slices.Sort(off)
	if len(off) > 0 {
		t.Logf("planted sadness shifts (+0.12 at day 150 of 240) found within %d days in %d of %d journals, placed a median %d days off (90th percentile %d)",
			plantedDelay, found, seeds, off[len(off)/2], off[len(off)*9/10])
	}
	if float64(found) < minFound*float64(seeds) {
		t.Errorf("the planted shift was found in %d of %d journals, fewer than %.0f%%", found, seeds, 100*minFound)
	}
}

func TestInsights_FindsAPlantedWeeklyCycle(t *testing.T) {
	seeds := seedsFor(5)
	found := 0
	for seed := range uint64(seeds) {
		s := moodJournal(t, journaltest.MoodPlan{Start: start, Days: 300, Seed: 7 + seed,
			Cycle: &journaltest.PlantedCycle{Label: "joy", Weekday: time.Saturday, By: 0.12}})
		in, err := s.Insights(context.Background(), journal.InsightsQuery{From: start, To: start.AddDate(0, 0, 300), Location: time.UTC, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range in.Patterns {
			if p.Kind == "weekly cycle" && p.Series == "joy" && p.Weekday == "Saturday" && p.Size > 0 {
				found++
				break
			}
		}
	}
	t.Logf("planted Saturday joy (+0.12 over 300 days) found in %d of %d journals", found, seeds)
	if float64(found) < minFound*float64(seeds) {
		t.Errorf("the planted weekly cycle was found in %d of %d journals, fewer than %.0f%%", found, seeds, 100*minFound)
	}
}

func TestInsights_FindsAWordThatGoesWithSadness(t *testing.T) {
	s := moodJournal(t, journaltest.MoodPlan{Start: start, Days: 200, Seed: 3,
		Word: &journaltest.PlantedWord{Word: "hospital", Label: "sadness"}})
	in, err := s.Insights(context.Background(), journal.InsightsQuery{From: start, To: start.AddDate(0, 0, 200), Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Words) == 0 || in.Words[0].Word != "hospital" || in.Words[0].Group != "sadness" || in.Words[0].Low <= 1 {
		t.Fatalf("words %+v: want hospital with sadness first, its interval above 1", in.Words)
	}
	for _, a := range in.Words[1:] {
		if a.Word != "hospital" {
			t.Errorf("%q with %s (lift %.2f, %.2f–%.2f): no other word was planted", a.Word, a.Group, a.Lift, a.Low, a.High)
		}
	}
}

// maxAlarmRate is the stated share of pattern-free journals in which any
// pattern is claimed.
const maxAlarmRate = 0.10

func TestInsights_NoPatternsInAJournalWithout(t *testing.T) {
	seeds := seedsFor(40)
	alarms, wordAlarms := 0, 0
	for seed := range uint64(seeds) {
		s := moodJournal(t, journaltest.MoodPlan{Start: start, Days: 180, Seed: 1000 + seed})
		in, err := s.Insights(context.Background(), journal.InsightsQuery{From: start, To: start.AddDate(0, 0, 180), Location: time.UTC, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Patterns) > 0 {
			alarms++
			t.Logf("seed %d: %d claimed, first: %s", seed, len(in.Patterns), in.Patterns[0].Summary)
		}
		if len(in.Words) > 0 {
			wordAlarms++
			w := in.Words[0]
			t.Logf("seed %d: word %q with %s (%.2f–%.2f)", seed, w.Word, w.Group, w.Low, w.High)
		}
	}
	t.Logf("pattern-free journals of 180 days: patterns claimed in %d of %d, words in %d", alarms, seeds, wordAlarms)
	if rate := float64(alarms) / float64(seeds); rate > maxAlarmRate {
		t.Errorf("patterns claimed in %d of %d pattern-free journals (%.2f), more than the stated %.2f", alarms, seeds, rate, maxAlarmRate)
	}
	if rate := float64(wordAlarms) / float64(seeds); rate > maxAlarmRate {
		t.Errorf("a word said to go with a feeling in %d of %d journals where none does (%.2f), more than the stated %.2f", wordAlarms, seeds, rate, maxAlarmRate)
	}
}

// Where daylight saving starts at midnight (Santiago, 11 September 2022)
// the day that loses its midnight is still one day, with its own entries.
func TestInsights_DaysWhereMidnightIsSkipped(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := journal.NewService(journaltest.NewMemStore(), journal.WithClock(func() time.Time { return time.Date(2022, 9, 20, 12, 0, 0, 0, loc) }))
	for d := 5; d <= 18; d++ {
		for _, h := range []int{12, 23} {
			e := journal.Entry{Text: "a day", Created: time.Date(2022, 9, d, h, 30, 0, 0, loc), Emotions: scores(map[string]float32{"joy": 0.6})}
			if _, err := s.Save(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, by := range []journal.Span{journal.Day, journal.Week} {
		in, err := s.Insights(ctx, journal.InsightsQuery{From: time.Date(2022, 9, 5, 0, 0, 0, 0, loc), To: time.Date(2022, 9, 19, 0, 0, 0, 0, loc), Location: loc, By: by})
		if err != nil {
			t.Fatal(err)
		}
		if in.Days != 14 || in.DaysWithEntries != 14 || len(in.Calendar) != 14 {
			t.Fatalf("by %s: %d days, %d with entries, %d in the calendar; want 14 each", by, in.Days, in.DaysWithEntries, len(in.Calendar))
		}
		seen := map[string]bool{}
		for _, p := range in.Periods {
			if seen[p.Label] {
				t.Errorf("by %s: %q twice", by, p.Label)
			}
			seen[p.Label] = true
			if by == journal.Day && p.Entries != 2 {
				t.Errorf("%s holds %d entries, want its 2", p.Label, p.Entries)
			}
		}
		for i, d := range in.Calendar {
			if d.Day.Day() != 5+i || d.Entries != 2 {
				t.Errorf("calendar day %d is %s with %d entries", i, d.Day, d.Entries)
			}
		}
	}
}

// A stretch asked from centuries back starts at the first entry, and its
// days are counted right.
func TestInsights_FromLongBefore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := journal.NewService(journaltest.NewMemStore(), journal.WithClock(func() time.Time { return now }))
	for d := range 60 {
		e := journal.Entry{Text: "a day", Created: now.AddDate(0, 0, -d), Emotions: scores(map[string]float32{"joy": 0.6})}
		if _, err := s.Save(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var q journal.InsightsQuery
	if err := q.Span("all", "1700", "", now); err != nil {
		t.Fatal(err)
	}
	q.Location = time.UTC
	in, err := s.Insights(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if in.Days != 60 || in.DaysWithEntries != 60 || in.Streaks.Longest != 60 {
		t.Errorf("since 1700: %d days, %d with entries, longest run %d; want 60 each", in.Days, in.DaysWithEntries, in.Streaks.Longest)
	}
	if err := q.Span("all", "2030", "", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insights(ctx, q); err == nil {
		t.Error("a stretch starting after today was accepted")
	}
}

func TestInsights_TagsThatGoWithAFeeling(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := journal.NewService(journaltest.NewMemStore(), journal.WithClock(func() time.Time { return now }))
	for d := range 80 {
		e := journal.Entry{Text: "a day like others", Created: now.AddDate(0, 0, -d), Emotions: scores(map[string]float32{"joy": 0.6})}
		if d%4 == 0 { // work days are sad ones
			e.Tags = []string{"work", "work"}
			e.Emotions = scores(map[string]float32{"sadness": 0.7})
		}
		if _, err := s.Save(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	in, err := s.Insights(ctx, journal.InsightsQuery{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Tags) != 1 {
		t.Fatalf("tags %+v: want work with sadness", in.Tags)
	}
	if a := in.Tags[0]; a.Word != "work" || !a.Tag || a.Group != "sadness" || a.Uses != 20 || a.With != 20 {
		t.Errorf("tag %+v: want work, a tag, with sadness in 20 of 20 entries (a tag given twice counts once)", a)
	}
}

// Levels alone (what a chart draws) are the same levels, without the
// words, tags and pattern tests.
func TestInsights_LevelsAlone(t *testing.T) {
	s := moodJournal(t, journaltest.MoodPlan{Start: start, Days: 120, Seed: 7,
		Word: &journaltest.PlantedWord{Word: "hospital", Label: "sadness"}})
	q := journal.InsightsQuery{From: start, To: start.AddDate(0, 0, 120), Location: time.UTC}
	full, err := s.Insights(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	q.Levels = true
	levels, err := s.Insights(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Words) == 0 {
		t.Fatal("the full reading found no word: the test proves nothing")
	}
	if len(levels.Words)+len(levels.Tags)+len(levels.Patterns) != 0 {
		t.Errorf("levels alone gave %d words, %d tags, %d patterns", len(levels.Words), len(levels.Tags), len(levels.Patterns))
	}
	full.Words, full.Tags, full.Patterns = nil, nil, nil
	a, _ := json.Marshal(full)
	b, _ := json.Marshal(levels)
	if string(a) != string(b) {
		t.Error("levels alone differ from the full reading's levels")
	}
}
