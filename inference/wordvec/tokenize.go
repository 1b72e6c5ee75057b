package wordvec

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// contractionSuffixes are the clitics the Stanford tokenizer splits off a
// word, as GloVe 6B has them: "don't" → "do" "n't", "I'm" → "i" "'m".
var contractionSuffixes = []string{"n't", "'s", "'m", "'re", "'ve", "'ll", "'d"}

// Tokenize splits text into GloVe 6B's lower-cased, Stanford-style tokens:
// runs of letters and digits, with hyphenated compounds kept whole
// ("well-known"), clitics split off ("don't" → "do" "n't", "can't" → "ca"
// "n't", "I'm" → "i" "'m", "sister's" → "sister" "'s"), curly quotes read as
// straight ones, accents removed ("Café" → "cafe": the table's words are
// ASCII), and everything else (punctuation, symbols, emoji) dropped. It knows
// no vocabulary: the model looks the tokens up, with the fallbacks its
// package documentation lists.
func Tokenize(text string) []string {
	var out []string
	forEachToken(text, func(tok string) { out = append(out, tok) })
	return out
}

// forEachToken calls f with each token of text, in order (see Tokenize).
func forEachToken(text string, f func(string)) {
	if !isASCII(text) {
		text = fold(text)
	}
	var b strings.Builder
	flush := func() {
		chunk := strings.Trim(b.String(), "'-")
		b.Reset()
		if chunk != "" {
			splitClitic(chunk, f)
		}
	}
	for _, r := range text {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '\'':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + ('a' - 'A'))
		case r < utf8.RuneSelf:
			flush()
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '’' || r == '‘' || r == 'ʼ' || r == '′':
			b.WriteRune('\'')
		case r == '‐' || r == '‑': // Unicode hyphens
			b.WriteRune('-')
		default:
			flush()
		}
	}
	flush()
}

// splitClitic calls f with chunk, or with its stem and its clitic when it
// ends in one of contractionSuffixes.
func splitClitic(chunk string, f func(string)) {
	for _, suf := range contractionSuffixes {
		if len(chunk) > len(suf) && strings.HasSuffix(chunk, suf) {
			if stem := strings.TrimRight(chunk[:len(chunk)-len(suf)], "'-"); stem != "" {
				f(stem)
			}
			f(suf)
			return
		}
	}
	f(chunk)
}

// fold removes combining marks after canonical decomposition ("é" → "e"),
// so that accented spellings find the table's ASCII words.
func fold(s string) string {
	d := norm.NFD.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
