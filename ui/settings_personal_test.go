package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// TestSettings_LearnsFromCorrectionsWhenAsked: with enough corrections the
// settings offer to learn from them (never doing it unasked); learning
// re-reads the journal the person's way; forgetting goes back.
func TestSettings_LearnsFromCorrectionsWhenAsked(t *testing.T) {
	ctx := context.Background()
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"}))
	var annoyed []string
	for i := range 12 {
		e, err := svc.Add(ctx, fmt.Sprintf("Such annoyance at the queue again, day %d.", i))
		if err != nil {
			t.Fatal(err)
		}
		annoyed = append(annoyed, e.ID)
		if i < 11 { // one left as the model read it: learning re-reads it
			if _, err := svc.Correct(ctx, e.ID, []string{"anger"}); err != nil {
				t.Fatal(err)
			}
		}
		j, err := svc.Add(ctx, fmt.Sprintf("Pure joy at the park, day %d.", i))
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 { // some read right, confirmed as they were
			if _, err := svc.Correct(ctx, j.ID, []string{"joy"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	s, _ := newSettings(t, test.NewTempApp(t), svc)
	p := s.personal
	if p.offer.Hidden || !strings.Contains(p.offer.Text, "learn from 17 of your corrections") || p.learn.Importance != widget.HighImportance {
		t.Fatalf("the offer: hidden %v, %q", p.offer.Hidden, p.offer.Text)
	}
	if !strings.Contains(p.health.Text, "corrected the feelings of 17 of 24 entries") || !strings.Contains(p.health.Text, "annoyance is corrected") {
		t.Errorf("health: %q", p.health.Text)
	}
	if e, _ := svc.Get(ctx, annoyed[11]); e.Emotions.Personal != "" {
		t.Fatal("something was learned before the person asked")
	}

	p.apply()
	waitIdle(t, s.sh)
	if !strings.Contains(s.message.Text, "learned from 17 corrections") || !p.offer.Hidden || p.forget.Hidden {
		t.Fatalf("after learning: %q, offer hidden %v, forget hidden %v", s.message.Text, p.offer.Hidden, p.forget.Hidden)
	}
	e, err := svc.Get(ctx, annoyed[11])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(e.Emotions.Labels, "anger") || e.Emotions.Personal == "" {
		t.Errorf("the uncorrected entry was not re-read the person's way: %+v", e.Emotions)
	}

	p.forgetNow()
	waitIdle(t, s.sh)
	e, _ = svc.Get(ctx, annoyed[11])
	if e.Emotions.Personal != "" || slices.Contains(e.Emotions.Labels, "anger") || p.offer.Hidden {
		t.Errorf("after forgetting: %+v, offer hidden %v", e.Emotions, p.offer.Hidden)
	}
	if c, _ := svc.Get(ctx, annoyed[0]); !c.Corrected() {
		t.Error("forgetting removed a correction")
	}
}
