package journal_test

import (
	"errors"
	"strings"
	"testing"

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
