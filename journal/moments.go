package journal

import (
	"strings"

	"github.com/samojournal/samo/journal/search"
)

// TranscriptWords are a transcript's words in order, with their times in
// the recording: each segment's own words, or, for a segment without them
// (a transcript made before words were kept), its text spread over it
// (see SpreadWords).
func TranscriptWords(t *Transcript) []Word { return transcriptWords(t) }

// FirstMoment finds where a recording says what a search looked for: the
// first word of t that is one of terms, compared as the search compares
// words (lower-cased and stemmed, so "walked" finds "walking"; stemmed
// terms such as Found.Words holds match as well as the words typed). ok is
// false when t holds none of them.
func FirstMoment(t *Transcript, terms []string) (w Word, ok bool) {
	want := map[string]bool{}
	for _, term := range terms {
		toks := search.Tokens(term)
		for _, tok := range toks {
			if !tok.Stop {
				want[tok.Term] = true
			}
		}
		if len(toks) == 1 && !toks[0].Stop {
			want[strings.ToLower(strings.TrimSpace(term))] = true // a stemmed term as the index holds it
		}
	}
	if len(want) == 0 {
		return Word{}, false
	}
	for _, word := range transcriptWords(t) {
		for _, tok := range search.Tokens(word.Text) {
			if !tok.Stop && want[tok.Term] {
				return word, true
			}
		}
	}
	return Word{}, false
}
