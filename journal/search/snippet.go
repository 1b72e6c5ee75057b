package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Snippet is a short piece of a text around the words a search matched.
type Snippet struct {
	// Text is the piece, with "…" where the text was cut.
	Text string `json:"text"`
	// Marks are the matched words' places in Text, as [start, end) byte
	// offsets, in order.
	Marks [][2]int `json:"marks,omitempty"`
}

// Highlighted returns the snippet's text with each matched word between
// open and close (e.g. "**" and "**", or terminal escapes).
func (s Snippet) Highlighted(open, close string) string {
	var b strings.Builder
	last := 0
	for _, m := range s.Marks {
		b.WriteString(s.Text[last:m[0]])
		b.WriteString(open)
		b.WriteString(s.Text[m[0]:m[1]])
		b.WriteString(close)
		last = m[1]
	}
	b.WriteString(s.Text[last:])
	return b.String()
}

// MakeSnippet cuts from text a piece of about width bytes where the most of
// terms (index terms, as Terms gives them) fall, marking them; without a
// match it is the text's beginning. White space runs become one space.
func MakeSnippet(text string, terms []string, width int) Snippet {
	want := map[string]bool{}
	for _, t := range terms {
		want[t] = true
	}
	var hits []Token
	for _, t := range Tokens(text) {
		if want[t.Term] {
			hits = append(hits, t)
		}
	}
	// the window [start, start+width) holding the most hits
	start, best := 0, 0
	for i, h := range hits {
		n := 0
		for _, g := range hits[i:] {
			if g.End-h.Start > width {
				break
			}
			n++
		}
		if n > best {
			best, start = n, h.Start
		}
	}
	if best > 0 {
		start = max(0, start-width/4) // a little before the first match
	}
	start = wordStart(text, start)
	end := wordEnd(text, min(len(text), start+width))

	var b strings.Builder
	var marks [][2]int
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, h := range hits {
		if h.Start < start || h.End > end {
			continue
		}
		writeSpaced(&b, text[pos:h.Start])
		m0 := b.Len()
		b.WriteString(text[h.Start:h.End])
		marks = append(marks, [2]int{m0, b.Len()})
		pos = h.End
	}
	writeSpaced(&b, text[pos:end])
	if end < len(text) {
		b.WriteString("…")
	}
	return Snippet{Text: b.String(), Marks: marks}
}

// writeSpaced writes s with every run of white space made one space.
func writeSpaced(b *strings.Builder, s string) {
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
}

// wordStart moves i back to the start of the word it falls in.
func wordStart(text string, i int) int {
	for i > 0 && i < len(text) {
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if unicode.IsSpace(r) {
			break
		}
		_, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
	}
	return i
}

// wordEnd moves i on to the end of the word it falls in.
func wordEnd(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}
