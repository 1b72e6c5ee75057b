// Package tokenizer turns text into the token ids that SAMO's models expect,
// without Python or any native library.
//
// Two families are covered:
//
//   - WordPiece, for BERT-family classifiers such as the GoEmotions emotion
//     model, cased or uncased: BERT's basic tokenization (cleaning, CJK
//     splitting, optional lower-casing and accent stripping, splitting on
//     punctuation) followed by greedy longest-match-first WordPiece.
//   - Byte-level BPE, as used by GPT-2, RoBERTa and Whisper: GPT-2's
//     pre-tokenization, the reversible byte-to-character mapping and merges
//     applied by rank, with Decode as the exact inverse of encoding.
//
// Both load either from their classic vocabulary files (vocab.txt, or
// vocab.json with merges.txt) or from a Hugging Face tokenizer.json, whose
// added tokens are matched in the text before anything else and keep their
// own ids. Tokenizers are immutable after loading, apart from the BPE merge
// cache, which is guarded, so one value may be shared between goroutines.
//
// Encoding never fails and never panics on any input text, valid UTF-8 or
// not, and every id it returns is below VocabSize.
package tokenizer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Encoding is one model input: token ids with the attention mask and the
// segment (token type) ids that BERT-style models take beside them. All three
// slices have the same length.
type Encoding struct {
	IDs           []int
	AttentionMask []int
	TypeIDs       []int
}

// newEncoding wraps ids in an Encoding with a full attention mask and all
// tokens in segment 0.
func newEncoding(ids []int) Encoding {
	mask := make([]int, len(ids))
	types := make([]int, len(ids))
	for i := range mask {
		mask[i] = 1
	}
	return Encoding{IDs: ids, AttentionMask: mask, TypeIDs: types}
}

// AddedToken is a token matched verbatim in the input text before any
// normalization, and mapped to its own id, as tokenizer.json's added_tokens
// are; special ones are dropped by Decode when asked.
type AddedToken struct {
	Content string
	ID      int
	Special bool
	// LStrip and RStrip swallow the whitespace to the token's left or right.
	LStrip, RStrip bool
}

// addedMatcher splits text on added tokens. Like a regular expression that
// alternates the tokens in their listed order, it takes the leftmost match and,
// at one position, the first token listed that matches there.
// idTable checks a vocabulary and its added tokens and returns the vocabulary
// copied and a table from id to token text, as long as the largest id + 1.
func idTable(vocab map[string]int, added []AddedToken) (map[string]int, []string, error) {
	if len(vocab) == 0 {
		return nil, nil, fmt.Errorf("empty vocabulary")
	}
	size := 0
	copied := make(map[string]int, len(vocab))
	for tok, id := range vocab {
		if id < 0 {
			return nil, nil, fmt.Errorf("token %q has negative id %d", tok, id)
		}
		copied[tok] = id
		size = max(size, id+1)
	}
	for _, a := range added {
		if a.ID < 0 {
			return nil, nil, fmt.Errorf("added token %q has negative id %d", a.Content, a.ID)
		}
		size = max(size, a.ID+1)
	}
	tokens := make([]string, size)
	for tok, id := range copied {
		tokens[id] = tok
	}
	for _, a := range added {
		tokens[a.ID] = a.Content
	}
	return copied, tokens, nil
}

type addedMatcher struct {
	tokens  []AddedToken
	byFirst map[byte][]int // first byte of content -> indexes into tokens, in order
}

func newAddedMatcher(tokens []AddedToken) *addedMatcher {
	m := &addedMatcher{byFirst: map[byte][]int{}}
	for _, t := range tokens {
		if t.Content == "" {
			continue
		}
		m.byFirst[t.Content[0]] = append(m.byFirst[t.Content[0]], len(m.tokens))
		m.tokens = append(m.tokens, t)
	}
	return m
}

// segment is a piece of input: plain text to tokenize, or an added token.
type segment struct {
	text string
	id   int // the added token's id, or -1 for plain text
}

// split cuts text into plain segments and added tokens, dropping empty
// plain segments.
func (m *addedMatcher) split(text string) []segment {
	if m == nil || len(m.tokens) == 0 {
		return []segment{{text: text, id: -1}}
	}
	var out []segment
	plainStart := 0
	for i := 0; i < len(text); {
		cands := m.byFirst[text[i]]
		found := -1
		for _, k := range cands {
			if strings.HasPrefix(text[i:], m.tokens[k].Content) {
				found = k
				break
			}
		}
		if found < 0 {
			i++
			continue
		}
		t := m.tokens[found]
		start, end := i, i+len(t.Content)
		if t.LStrip {
			for start > plainStart {
				r, n := utf8.DecodeLastRuneInString(text[plainStart:start])
				if !isJSSpace(r) {
					break
				}
				start -= n
			}
		}
		if t.RStrip {
			for end < len(text) {
				r, n := utf8.DecodeRuneInString(text[end:])
				if !isJSSpace(r) {
					break
				}
				end += n
			}
		}
		if start > plainStart {
			out = append(out, segment{text: text[plainStart:start], id: -1})
		}
		out = append(out, segment{text: t.Content, id: t.ID})
		plainStart, i = end, end
	}
	if plainStart < len(text) {
		out = append(out, segment{text: text[plainStart:], id: -1})
	}
	return out
}

// isJSSpace reports whether r is white space as ECMAScript's \s defines it,
// which is what the GPT-2 pattern and BERT's splitting use in the reference
// implementation: Unicode Zs, the ASCII controls \t \n \v \f \r, the line and
// paragraph separators and the byte order mark.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x00a0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// isBERTPunct reports whether r is punctuation as BERT defines it: all
// non-alphanumeric printable ASCII, and every Unicode P* category.
func isBERTPunct(r rune) bool {
	if (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) {
		return true
	}
	return unicode.IsPunct(r)
}
