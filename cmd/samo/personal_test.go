package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
)

// annoyedHome imports a journal read by the built-in model in which the
// model read annoyance where the person meant anger (corrected so), with
// some joyful entries confirmed as read.
func annoyedHome(t *testing.T) string {
	t.Helper()
	var es []journal.Entry
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 30 {
		scores := make([]float32, len(journal.EmotionLabels))
		for k := range scores {
			scores[k] = 0.02
		}
		label, gold := "annoyance", "anger"
		if i%3 == 2 {
			label, gold = "joy", "joy"
		}
		k := slicesIndex(label)
		scores[k] = 0.7 + float32(i%5)/20
		e := journal.Entry{Text: fmt.Sprintf("Entry %d about the day.", i), Created: at.AddDate(0, 0, i),
			Emotions: &journal.Emotions{Scores: scores, Labels: []string{label}, Model: "samo-goemotions-ngram", Version: "3", At: at}}
		if i < 24 {
			e.Corrections = &journal.Corrections{Labels: []string{gold}, At: at}
		}
		es = append(es, e)
	}
	return homeWith(t, es)
}

func slicesIndex(label string) int {
	for i, l := range journal.EmotionLabels {
		if l == label {
			return i
		}
	}
	return -1
}

func TestCLI_PersonalizeAndHealth(t *testing.T) {
	home := annoyedHome(t)
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "emotions", "health", "--json"))
	var h journal.Health
	if err := json.Unmarshal([]byte(r.stdout), &h); err != nil {
		t.Fatalf("health --json: %v\n%s", err, r.stdout)
	}
	if h.Entries != 30 || h.Corrected != 24 || h.Latency.Samples == 0 || len(h.Suggestions) == 0 {
		t.Errorf("health: %+v", h)
	}

	r = mustSucceed(t, samo(t, "", nil, "--home", home, "emotions", "personalize", "--dry-run", "--json"))
	var dry journal.PersonalReport
	if err := json.Unmarshal([]byte(r.stdout), &dry); err != nil {
		t.Fatalf("personalize --json: %v\n%s", err, r.stdout)
	}
	if dry.Applied || !dry.Helps || dry.Corrections != 24 || dry.Changed == 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	if o := dry.Others; o == nil || o.Texts < 1000 || o.After.MacroF1 < o.Before.MacroF1-journal.SafetyMargin {
		t.Errorf("the check on other people's writing (the built-in model's held-out sample): %+v", o)
	} else {
		t.Logf("others: %d texts, macro-F1 %.3f → %.3f", o.Texts, o.Before.MacroF1, o.After.MacroF1)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "emotions", "personalize"))
	if !strings.Contains(r.stdout, "Applied as personal-1") {
		t.Fatalf("personalize:\n%s", r.stdout)
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "reanalyze"))
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "list", "--json"))
	var es []journal.Entry
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Emotions == nil || e.Emotions.Personal != "personal-1" || len(e.Emotions.Base) != len(journal.EmotionLabels) {
			t.Fatalf("%s not read with the layer after reanalyze: %+v", e.ID, e.Emotions)
		}
	}
	r = samo(t, "", nil, "--home", home, "doctor", "--json") // exits 1 without a microphone
	if !strings.Contains(r.stdout, `"emotion_health"`) || !strings.Contains(r.stdout, `"personal": "personal-1"`) {
		t.Errorf("doctor --json lacks the emotion health:\n%s", r.stdout)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "emotions", "personalize", "--reset", "--json"))
	var reset journal.PersonalReport
	if err := json.Unmarshal([]byte(r.stdout), &reset); err != nil || !reset.Reset {
		t.Errorf("personalize --reset --json: %v\n%s", err, r.stdout)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "emotions", "health"))
	if strings.Contains(r.stdout, "personal-1") {
		t.Errorf("after --reset the health still names the layer:\n%s", r.stdout)
	}
}
