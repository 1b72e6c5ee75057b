package journal_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string
		repaired bool
		err      error
	}{
		{name: "plain", in: "I feel great today", want: "I feel great today"},
		{name: "keeps surrounding space", in: "  two lines\nhere\n", want: "  two lines\nhere\n"},
		{name: "empty", in: "", err: journal.ErrEmptyText},
		{name: "white space only", in: " \t\n ", err: journal.ErrEmptyText},
		{name: "invalid UTF-8 repaired", in: "caf\xe9 au lait", want: "caf\uFFFD au lait", repaired: true},
		{name: "only invalid bytes is not empty", in: "\xff\xfe", want: "\uFFFD", repaired: true},
		{name: "accents and emoji kept", in: "Ça va 🙂 日本", want: "Ça va 🙂 日本"},
		{name: "at the limit", in: strings.Repeat("a", journal.MaxTextBytes), want: strings.Repeat("a", journal.MaxTextBytes)},
		{name: "over the limit", in: strings.Repeat("a", journal.MaxTextBytes+1), err: journal.ErrTextTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, repaired, err := journal.CleanText(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if repaired != tt.repaired {
				t.Errorf("repaired = %v, want %v", repaired, tt.repaired)
			}
			if got != tt.want {
				t.Errorf("text = %.40q, want %.40q", got, tt.want)
			}
		})
	}
}

func TestEntry_Title(t *testing.T) {
	tests := []struct {
		text string
		max  int
		want string
	}{
		{"I feel great today", 80, "I feel great today"},
		{"\n\n  first real line  \nsecond", 80, "first real line"},
		{"a rather long opening line", 10, "a rather…"},
		{"日本語のテキストです", 5, "日本語の…"},
		{"short", 0, "short"},
	}
	for _, tt := range tests {
		if got := (journal.Entry{Text: tt.text}).Title(tt.max); got != tt.want {
			t.Errorf("Title(%q, %d) = %q, want %q", tt.text, tt.max, got, tt.want)
		}
	}
}

func TestEntry_Validate(t *testing.T) {
	ok := func() journal.Entry {
		at := time.Date(2026, 11, 25, 9, 41, 0, 0, time.UTC)
		return journal.Entry{ID: "01ARZ3NDEKTSV4RRFFQ69G5FAV", Created: at, Updated: at, Text: "fine"}
	}
	scores := func(set func([]float32)) *journal.Emotions {
		s := make([]float32, 28)
		if set != nil {
			set(s)
		}
		return &journal.Emotions{Scores: s}
	}
	tests := []struct {
		name  string
		edit  func(*journal.Entry)
		field string // "" means valid
	}{
		{"valid", func(*journal.Entry) {}, ""},
		{"no id", func(e *journal.Entry) { e.ID = "" }, "empty id"},
		{"before 1970", func(e *journal.Entry) { e.Created = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC) }, "created"},
		{"after 2262", func(e *journal.Entry) { e.Updated = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }, "updated"},
		{"no time", func(e *journal.Entry) { e.Created = time.Time{} }, "created"},
		{"empty text", func(e *journal.Entry) { e.Text = " " }, "text"},
		{"invalid UTF-8", func(e *journal.Entry) { e.Text = "\xff" }, "text"},
		{"blank tag", func(e *journal.Entry) { e.Tags = []string{"ok", " "} }, "tags[1]"},
		{"27 scores", func(e *journal.Entry) { e.Emotions = &journal.Emotions{Scores: make([]float32, 27)} }, "emotions.scores"},
		{"NaN score", func(e *journal.Entry) { e.Emotions = scores(func(s []float32) { s[0] = float32(math.NaN()) }) }, "emotions.scores[admiration]"},
		{"Inf score", func(e *journal.Entry) { e.Emotions = scores(func(s []float32) { s[27] = float32(math.Inf(1)) }) }, "emotions.scores[neutral]"},
		{"score above 1", func(e *journal.Entry) { e.Emotions = scores(func(s []float32) { s[17] = 1.5 }) }, "emotions.scores[joy]"},
		{"unknown label", func(e *journal.Entry) { e.Emotions = scores(nil); e.Emotions.Labels = []string{"glee"} }, "emotions.labels"},
		{"unknown correction", func(e *journal.Entry) { e.Corrections = &journal.Corrections{Labels: []string{"meh"}} }, "corrections.labels"},
		{"short vector", func(e *journal.Entry) { e.Embedding = &journal.Embedding{Dim: 3, Vector: []float32{1}} }, "embedding.vector"},
		{"NaN in vector", func(e *journal.Entry) {
			e.Embedding = &journal.Embedding{Dim: 2, Vector: []float32{0, float32(math.NaN())}}
		}, "embedding.vector[1]"},
		{"segment backwards", func(e *journal.Entry) {
			e.Transcript = &journal.Transcript{Segments: []journal.Segment{{Start: 2, End: 1}}}
		}, "transcript.segments[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok()
			tt.edit(&e)
			err := e.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("valid entry refused: %v", err)
				}
				return
			}
			if !errors.Is(err, journal.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %q", err, tt.field)
			}
		})
	}
}

func TestEkmanGroup(t *testing.T) {
	groups := map[string]int{}
	for _, l := range journal.EmotionLabels {
		g := journal.EkmanGroup(l)
		if g == "" {
			t.Errorf("label %q has no Ekman group", l)
		}
		groups[g]++
	}
	want := map[string]int{"joy": 12, "sadness": 5, "anger": 3, "surprise": 4, "fear": 2, "disgust": 1, "neutral": 1}
	for g, n := range want {
		if groups[g] != n {
			t.Errorf("group %s has %d labels, want %d", g, groups[g], n)
		}
	}
}

func TestStrength(t *testing.T) {
	for _, c := range []struct {
		s    float32
		want string
	}{{0.95, "strong"}, {0.75, "strong"}, {0.6, "clear"}, {0.3, "moderate"}, {0.1, "slight"}, {0, "slight"}} {
		if got := journal.Strength(c.s); got != c.want {
			t.Errorf("Strength(%v) = %q, want %q", c.s, got, c.want)
		}
	}
}
