package journal_test

import (
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
)

func TestFirstMoment(t *testing.T) {
	s := time.Second
	words := &journal.Transcript{Segments: []journal.Segment{
		{Start: 0, End: 2 * s, Text: " I walked to the sea.", Words: []journal.Word{
			{Text: " I", Start: 0, End: s / 4}, {Text: " walked", Start: s / 4, End: s},
			{Text: " to", Start: s, End: 5 * s / 4}, {Text: " the", Start: 5 * s / 4, End: 3 * s / 2},
			{Text: " sea.", Start: 3 * s / 2, End: 2 * s}}},
		{Start: 3 * s, End: 4 * s, Text: " The Sea was calm.", Words: []journal.Word{
			{Text: " The", Start: 3 * s, End: 13 * s / 4}, {Text: " Sea", Start: 13 * s / 4, End: 7 * s / 2},
			{Text: " was", Start: 7 * s / 2, End: 15 * s / 4}, {Text: " calm.", Start: 15 * s / 4, End: 4 * s}}},
	}}
	// an old transcript: no words, spread over its segment
	old := &journal.Transcript{Segments: []journal.Segment{{Start: 10 * s, End: 14 * s, Text: " one two three four"}}}
	for _, c := range []struct {
		name  string
		t     *journal.Transcript
		terms []string
		want  time.Duration
		ok    bool
	}{
		{"first of two", words, []string{"sea"}, 3 * s / 2, true},
		{"any case, punctuation", words, []string{"CALM"}, 15 * s / 4, true},
		{"stemmed from the typed word", words, []string{"walking"}, s / 4, true},
		{"a stemmed term", words, []string{"walk"}, s / 4, true},
		{"earliest of several terms", words, []string{"calm", "sea"}, 3 * s / 2, true},
		{"a phrase's words, its stop words skipped", words, []string{"was calm"}, 15 * s / 4, true},
		{"none", words, []string{"mountain"}, 0, false},
		{"stop words alone", words, []string{"the"}, 0, false},
		{"no terms", words, nil, 0, false},
		{"no transcript", nil, []string{"sea"}, 0, false},
		{"spread words", old, []string{"three"}, 10*s + 4*s*8/19, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, ok := journal.FirstMoment(c.t, c.terms)
			if ok != c.ok || w.Start != c.want {
				t.Errorf("FirstMoment(%q) = %v at %v, want %v at %v", c.terms, ok, w.Start, c.ok, c.want)
			}
		})
	}
}

func FuzzFirstMoment(f *testing.F) {
	f.Add(" I walked to the sea.", "walking")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, text, term string) {
		tr := &journal.Transcript{Segments: []journal.Segment{{Start: 0, End: time.Second, Text: text}}}
		if w, ok := journal.FirstMoment(tr, []string{term}); ok && (w.Start < 0 || w.End > time.Second) {
			t.Errorf("a moment at %v–%v outside its segment", w.Start, w.End)
		}
	})
}
