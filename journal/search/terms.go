// Package search holds the in-memory indexes behind Memory Lane: a BM25
// inverted index over the journal's own words, a flat index of vectors
// (meaning or feeling) scanned exactly, reciprocal rank fusion of their
// rankings, and highlighted snippets.
//
// Documents are numbered slots (small integers the caller hands out and
// reuses); the package knows nothing of entries, so journal builds the
// indexes from its entries at unlock and keeps them in step on every save.
// Nothing here is written to disk: in an encrypted journal the index exists
// only in memory, for as long as the journal is open.
//
// None of the types are safe for concurrent writes; the caller serialises
// writes and may run searches concurrently with each other.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// Token is one word of a text: its index term (lower-cased, stemmed) and
// where it lies in the text, in bytes.
type Token struct {
	Term       string
	Start, End int
	// Stop is set for a stop word ("the", "and", "was"): kept for phrases
	// and snippets, never indexed.
	Stop bool
}

// maxWordBytes bounds one word: longer runs of letters (a pasted hash, a
// base64 blob) are not words a person searches for.
const maxWordBytes = 64

// Tokens splits text into words: runs of letters and digits, with an
// apostrophe inside a word kept ("don't"), a possessive "'s" dropped, each
// lower-cased and stemmed with the Snowball English stemmer.
func Tokens(text string) []Token {
	var out []Token
	stems := map[string]string{} // a long text repeats its words: stem each once
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		s, e := start, end
		start = -1
		w = strings.TrimRight(w, "'’")
		e = s + len(w)
		if w == "" || len(w) > maxWordBytes {
			return
		}
		lower := strings.ToLower(strings.ReplaceAll(w, "’", "'"))
		lower = strings.TrimSuffix(lower, "'s")
		if lower == "" {
			return
		}
		stop := english.IsStopWord(lower) || isContraction(lower)
		term := lower
		if !stop {
			var ok bool
			if term, ok = stems[lower]; !ok {
				term = english.Stem(lower, true)
				stems[lower] = term
			}
		}
		out = append(out, Token{Term: term, Start: s, End: e, Stop: stop})
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0:
			// inside a word only when a letter follows
			if next, _ := utf8.DecodeRuneInString(text[i+size:]); !unicode.IsLetter(next) {
				flush(i)
			}
		default:
			flush(i)
		}
		i += size
	}
	flush(len(text))
	return out
}

// Terms returns text's index terms in order: its words but the stop words,
// stemmed (see Tokens).
func Terms(text string) []string {
	ts := Tokens(text)
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		if !t.Stop {
			out = append(out, t.Term)
		}
	}
	return out
}

// isContraction reports whether w is a contracted function word ("couldn't",
// "we'll", "i'm"): like stop words, they say little of what an entry is about.
func isContraction(w string) bool {
	for _, suffix := range []string{"n't", "'ll", "'re", "'ve", "'d", "'m"} {
		if strings.HasSuffix(w, suffix) {
			return true
		}
	}
	return false
}
