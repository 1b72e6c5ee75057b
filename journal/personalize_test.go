package journal_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// angryJournal is a journal whose model reads "annoyance" where the person
// means anger: n entries naming annoyance corrected to anger, and some
// joyful ones left as they are.
func angryJournal(t *testing.T, n int) (*journal.Service, *journaltest.MemStore, *journaltest.WordAnalyzer) {
	t.Helper()
	ctx := context.Background()
	store := journaltest.NewMemStore()
	an := &journaltest.WordAnalyzer{Name: "words", Version: "1"}
	s := journal.NewService(store, journal.WithAnalyzer(an))
	for i := range n {
		e, err := s.Add(ctx, fmt.Sprintf("Such annoyance at the queue again, day %d.", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Correct(ctx, e.ID, []string{"anger"}); err != nil {
			t.Fatal(err)
		}
		j, err := s.Add(ctx, fmt.Sprintf("Pure joy at the park, day %d.", i))
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 { // some joyful ones confirmed as they were read
			if _, err := s.Correct(ctx, j.ID, []string{"joy"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s, store, an
}

func TestPersonalize_LearnsWhatThePersonMeans(t *testing.T) {
	ctx := context.Background()
	s, _, an := angryJournal(t, 12)
	dry, err := s.Personalize(ctx, journal.PersonalizeOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Applied || dry.Corrections != 18 || dry.After.MacroF1 <= dry.Before.MacroF1 || dry.Changed == 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	e, _ := s.Add(ctx, "More annoyance with the landlord.")
	if slices.Contains(e.Emotions.Labels, "anger") || e.Emotions.Base != nil {
		t.Fatalf("a dry run changed the reading: %+v", e.Emotions)
	}
	if h, _ := s.PersonalHistory(ctx); len(h) != 0 {
		t.Fatalf("a dry run wrote history: %+v", h)
	}

	rep, err := s.Personalize(ctx, journal.PersonalizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Applied || rep.Layer == "" {
		t.Fatalf("not applied: %+v", rep)
	}
	var text strings.Builder
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "Applied as") {
		t.Errorf("report text: %s", text.String())
	}
	e, err = s.Add(ctx, "Annoyance at the bus being late.")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(e.Emotions.Labels, "anger") || e.Emotions.Personal != rep.Layer || len(e.Emotions.Base) != len(journal.EmotionLabels) {
		t.Fatalf("a new entry is not read the person's way: %+v", e.Emotions)
	}
	if e.Emotions.Base[3] < 0.8 { // the model's own annoyance score is kept
		t.Errorf("the model's own scores are not kept beside the personal ones: %v", e.Emotions.Base)
	}

	// re-reading applies the layer from the kept scores, without the model
	calls := an.Calls()
	n, err := s.Reanalyze(ctx, false, nil)
	if err != nil || n == 0 {
		t.Fatalf("reanalyze: %d, %v", n, err)
	}
	if an.Calls() != calls {
		t.Errorf("re-reading with the layer ran the model %d times; the kept scores suffice", an.Calls()-calls)
	}
	corrected := 0
	for e, err := range s.Entries(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Emotions.Personal != rep.Layer {
			t.Errorf("%s not re-read with the layer: %+v", e.ID, e.Emotions)
		}
		if e.Corrected() {
			corrected++
		}
	}
	if corrected != 18 {
		t.Errorf("%d corrections kept, want all 18", corrected)
	}

	// back to the model alone
	if _, err := s.ResetPersonal(ctx); err != nil {
		t.Fatal(err)
	}
	e, _ = s.Add(ctx, "Annoyance, plainly.")
	if slices.Contains(e.Emotions.Labels, "anger") || e.Emotions.Personal != "" {
		t.Errorf("after reset: %+v", e.Emotions)
	}
	if _, err := s.Reanalyze(ctx, false, nil); err != nil {
		t.Fatal(err)
	}
	for e := range s.Entries(ctx) {
		if e.Emotions.Personal != "" || e.Emotions.Base != nil || slices.Contains(e.Emotions.Labels, "anger") && !strings.Contains(e.Text, "anger") {
			t.Errorf("%s still read with the layer after reset: %+v", e.ID, e.Emotions)
		}
	}
	h, err := s.PersonalHistory(ctx)
	if err != nil || len(h) != 2 || !h[0].Applied || !h[1].Reset {
		t.Fatalf("history %+v, %v: want the re-tuning then the reset", h, err)
	}
	if _, err := json.Marshal(h); err != nil {
		t.Errorf("history is not valid JSON: %v", err)
	}
}

func TestPersonalize_NeedsEnoughCorrections(t *testing.T) {
	s, _, _ := angryJournal(t, 3)
	rep, err := s.Personalize(context.Background(), journal.PersonalizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Applied || !strings.Contains(rep.Reason, "at least 10") {
		t.Errorf("with %d corrections: %+v", rep.Corrections, rep)
	}
}

func TestPersonalize_KeepsTheModelWhenItReadsThePersonAlready(t *testing.T) {
	ctx := context.Background()
	s := journal.NewService(journaltest.NewMemStore(), journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"}))
	for i := range 15 {
		for _, l := range []string{"joy", "sadness"} {
			e, err := s.Add(ctx, fmt.Sprintf("%s, day %d", l, i))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Correct(ctx, e.ID, []string{l}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep, err := s.Personalize(ctx, journal.PersonalizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Applied || rep.Reason == "" {
		t.Errorf("a layer was applied where the model already reads every correction right: %+v", rep)
	}
}

func TestPersonalize_DamagedLayerIsToldAndLeftUnused(t *testing.T) {
	ctx := context.Background()
	s, store, an := angryJournal(t, 12)
	if _, err := s.Personalize(ctx, journal.PersonalizeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := store.PutRecord(ctx, "emotion-layer", []byte(`{"name":"personal-1","model":"words","version":"1","layer":{"w":[[1]]}}`)); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		told []string
	)
	notices := journal.NewNotices()
	stop := notices.Listen(func(n journal.Notice) {
		mu.Lock()
		defer mu.Unlock()
		told = append(told, n.Message)
	})
	defer stop()
	fresh := journal.NewService(store, journal.WithAnalyzer(an), journal.WithNotices(notices))
	e, err := fresh.Add(ctx, "Annoyance again.")
	if err != nil {
		t.Fatal(err)
	}
	if e.Emotions == nil || e.Emotions.Personal != "" {
		t.Errorf("a damaged layer was used: %+v", e.Emotions)
	}
	time.Sleep(10 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(told) == 0 || !strings.Contains(told[0], "could not be read") {
		t.Errorf("the damaged layer was not told: %v", told)
	}
}

func TestEmotionHealth_CountsCorrectionsAndSuggests(t *testing.T) {
	ctx := context.Background()
	s, _, _ := angryJournal(t, 12)
	h, err := s.EmotionHealth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Entries != 24 || h.Corrected != 18 {
		t.Fatalf("health: %d entries, %d corrected", h.Entries, h.Corrected)
	}
	if h.Labels[0].Label != "anger" && h.Labels[0].Label != "annoyance" || h.Labels[0].Rate < 0.4 {
		t.Errorf("most corrected: %+v", h.Labels[:2])
	}
	if h.Latency.Samples == 0 || h.Latency.P50 <= 0 {
		t.Errorf("latency not measured: %+v", h.Latency)
	}
	if len(h.Suggestions) == 0 || !strings.Contains(h.Suggestions[0], "personalize") {
		t.Errorf("suggestions: %v", h.Suggestions)
	}
	if h.Drift != nil {
		t.Errorf("drift measured without a reference: %+v", h.Drift)
	}
	var text strings.Builder
	h.WriteText(&text)
	if !strings.Contains(text.String(), "Corrected most:") {
		t.Errorf("health text:\n%s", text.String())
	}
}

// BenchmarkPersonalize measures a re-tuning (cross-validation, the layer
// learned from every correction, and what it changes) over journals with
// 200 and 2,000 corrected entries among 4,000 (the layer's own cost per
// reading is journal/personal's BenchmarkApply).
func BenchmarkPersonalize(b *testing.B) {
	for _, corrected := range []int{200, 2000} {
		b.Run(fmt.Sprintf("corrections=%d", corrected), func(b *testing.B) {
			ctx := context.Background()
			store := journaltest.NewMemStore()
			an := &journaltest.WordAnalyzer{Name: "synthetic", Version: "1"}
			s := journal.NewService(store, journal.WithAnalyzer(an))
			es := journaltest.MoodEntries(journaltest.MoodPlan{Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Days: 2000, Seed: 1, Written: 1})
			es = es[:min(len(es), 4000)]
			for i, e := range es {
				if i < corrected { // the person calls annoyance anger
					labels := slices.Clone(e.Emotions.Labels)
					for k, l := range labels {
						if l == "annoyance" {
							labels[k] = "anger"
						}
					}
					if len(labels) == 0 {
						labels = []string{"neutral"}
					}
					e.Corrections = &journal.Corrections{Labels: labels, At: e.Created}
				}
				if _, err := s.Save(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if _, err := s.Personalize(ctx, journal.PersonalizeOptions{DryRun: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// othersAnalyzer is the word analyzer with a held-out sample of other
// people's writing, on which annoyance is annoyance.
type othersAnalyzer struct {
	*journaltest.WordAnalyzer
}

func (othersAnalyzer) HeldOut() ([][]float32, [][]int, bool) {
	var scores [][]float32
	var gold [][]int
	for i := range 40 {
		s := make([]float32, len(journal.EmotionLabels))
		for k := range s {
			s[k] = 0.05
		}
		label := []int{3, 17}[i%2] // annoyance, joy
		s[label] = 0.9
		scores, gold = append(scores, s), append(gold, []int{label})
	}
	return scores, gold, true
}

func TestPersonalize_RefusesALayerThatReadsOthersMuchWorse(t *testing.T) {
	ctx := context.Background()
	_, store, an := angryJournal(t, 12)
	s := journal.NewService(store, journal.WithAnalyzer(othersAnalyzer{an}))
	rep, err := s.Personalize(ctx, journal.PersonalizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Others == nil || rep.Others.Texts != 40 {
		t.Fatalf("no check on others' writing: %+v", rep)
	}
	if rep.Applied || rep.Helps || !strings.Contains(rep.Reason, "other people's writing") {
		t.Errorf("a layer reading others' annoyance as anger (macro-F1 %.2f → %.2f) was not refused: %+v",
			rep.Others.Before.MacroF1, rep.Others.After.MacroF1, rep)
	}
}

// flakyRecords is a store whose next few record reads fail, as a store
// that could not be read for a moment (or a stopped context) would.
type flakyRecords struct {
	*journaltest.MemStore
	fails int
}

func (f *flakyRecords) Record(ctx context.Context, name string) ([]byte, error) {
	if f.fails > 0 {
		f.fails--
		return nil, errors.New("the disk is busy")
	}
	return f.MemStore.Record(ctx, name)
}

func TestPersonalize_AFailedReadOfTheLayerIsTriedAgain(t *testing.T) {
	ctx := context.Background()
	_, store, an := angryJournal(t, 12)
	s := journal.NewService(store, journal.WithAnalyzer(an))
	if rep, err := s.Personalize(ctx, journal.PersonalizeOptions{}); err != nil || !rep.Applied {
		t.Fatalf("%+v, %v", rep, err)
	}
	flaky := &flakyRecords{MemStore: store, fails: 1}
	fresh := journal.NewService(flaky, journal.WithAnalyzer(an))
	if _, err := fresh.Add(ctx, "Annoyance, first."); err != nil {
		t.Fatal(err)
	}
	e, err := fresh.Add(ctx, "Annoyance, second.")
	if err != nil {
		t.Fatal(err)
	}
	if e.Emotions.Personal == "" {
		t.Error("one failed read of the layer turned it off for good")
	}
	flaky.fails = 1
	other := journal.NewService(flaky, journal.WithAnalyzer(an))
	if _, err := other.Reanalyze(ctx, false, nil); err == nil {
		t.Error("re-reading went on without the person's layer, which could not be read")
	}
}

func TestPersonalize_NoTwoLayersShareAName(t *testing.T) {
	ctx := context.Background()
	s, store, _ := angryJournal(t, 12)
	first, err := s.Personalize(ctx, journal.PersonalizeOptions{})
	if err != nil || !first.Applied {
		t.Fatalf("%+v, %v", first, err)
	}
	if err := store.PutRecord(ctx, "emotion-layer-history", []byte("{damaged")); err != nil {
		t.Fatal(err)
	}
	for i := range 6 { // more corrections: another layer
		e, err := s.Add(ctx, fmt.Sprintf("Annoyance again, %d.", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Correct(ctx, e.ID, []string{"anger"}); err != nil {
			t.Fatal(err)
		}
	}
	second, err := s.Personalize(ctx, journal.PersonalizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !second.Applied || second.Layer == first.Layer {
		t.Errorf("the second layer (applied %v) is named %q, the first %q", second.Applied, second.Layer, first.Layer)
	}
}

func TestPersonalize_OfferedWhenCorrectionsGather(t *testing.T) {
	ctx := context.Background()
	notices := journal.NewNotices()
	var (
		mu   sync.Mutex
		told []string
	)
	stop := notices.Listen(func(n journal.Notice) {
		mu.Lock()
		defer mu.Unlock()
		told = append(told, n.Message)
	})
	defer stop()
	s := journal.NewService(journaltest.NewMemStore(), journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"}), journal.WithNotices(notices))
	if err := s.PrepareLane(ctx, nil); err != nil {
		t.Fatal(err)
	}
	offers := func() int {
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, m := range told {
			if strings.Contains(m, "can now learn from your") {
				n++
			}
		}
		return n
	}
	for i := range 21 {
		e, err := s.Add(ctx, fmt.Sprintf("Annoyance at the queue, day %d.", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Correct(ctx, e.ID, []string{"anger"}); err != nil {
			t.Fatal(err)
		}
		want := 0
		switch {
		case i+1 >= 20:
			want = 2
		case i+1 >= 10:
			want = 1
		}
		if got := offers(); got != want {
			t.Fatalf("after %d corrections, offered %d times, want %d", i+1, got, want)
		}
	}
}
