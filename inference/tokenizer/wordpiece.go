package tokenizer

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxModelTokens is the longest sequence, special tokens included, that a
// BERT-base model accepts.
const MaxModelTokens = 512

// WordPieceOptions chooses BERT's normalization. The zero value is cased
// BERT with text cleaning and CJK splitting switched off; most callers want
// UncasedOptions or CasedOptions.
type WordPieceOptions struct {
	// Lowercase lower-cases the text (uncased models).
	Lowercase bool
	// StripAccents removes combining marks after canonical decomposition
	// (NFD). Uncased BERT does it together with Lowercase.
	StripAccents bool
	// CleanText drops NUL, U+FFFD and control characters and turns every
	// white-space character into a plain space.
	CleanText bool
	// ChineseChars puts spaces around each CJK ideograph so that each is a
	// word of its own.
	ChineseChars bool
	// MaxInputCharsPerWord: a longer word becomes the unknown token. Zero
	// means BERT's 100.
	MaxInputCharsPerWord int
	// ContinuingPrefix marks a piece that continues a word. Empty means "##".
	ContinuingPrefix string
	// UnknownToken, ClassifierToken and SeparatorToken name the special
	// tokens; empty means "[UNK]", "[CLS]" and "[SEP]".
	UnknownToken, ClassifierToken, SeparatorToken string
}

// UncasedOptions returns the settings of bert-base-uncased and its
// fine-tunes.
func UncasedOptions() WordPieceOptions {
	return WordPieceOptions{Lowercase: true, StripAccents: true, CleanText: true, ChineseChars: true}
}

// CasedOptions returns the settings of bert-base-cased and its fine-tunes.
func CasedOptions() WordPieceOptions {
	return WordPieceOptions{CleanText: true, ChineseChars: true}
}

// WordPiece is a BERT tokenizer. It is safe for concurrent use.
type WordPiece struct {
	opts   WordPieceOptions
	vocab  map[string]int
	size   int
	unkID  int
	clsID  int
	sepID  int
	added  *addedMatcher
	tokens []string // id -> token, "" where an id has none
}

// bertSpecials are the tokens that a vocab.txt loader treats as added tokens,
// as Hugging Face's BERT tokenizers do.
var bertSpecials = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}

// LoadWordPieceVocab reads a BERT vocab.txt, one token a line, the line
// number (from 0) being the id. The tokens [PAD], [UNK], [CLS], [SEP] and
// [MASK], where the vocabulary has them, are matched whole in the text.
func LoadWordPieceVocab(path string, opts WordPieceOptions) (*WordPiece, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: reading vocabulary: %w", err)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("tokenizer: %s: vocabulary is not valid UTF-8", path)
	}
	vocab := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		tok := strings.TrimSuffix(sc.Text(), "\r")
		if tok != "" {
			vocab[tok] = n
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	var added []AddedToken
	for _, s := range bertSpecials {
		if id, ok := vocab[s]; ok {
			added = append(added, AddedToken{Content: s, ID: id, Special: true})
		}
	}
	w, err := NewWordPiece(vocab, added, opts)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	return w, nil
}

// NewWordPiece builds a WordPiece tokenizer from a token-to-id vocabulary
// and the added tokens to match in the text before normalization.
func NewWordPiece(vocab map[string]int, added []AddedToken, opts WordPieceOptions) (*WordPiece, error) {
	if opts.MaxInputCharsPerWord <= 0 {
		opts.MaxInputCharsPerWord = 100
	}
	if opts.ContinuingPrefix == "" {
		opts.ContinuingPrefix = "##"
	}
	if opts.UnknownToken == "" {
		opts.UnknownToken = "[UNK]"
	}
	if opts.ClassifierToken == "" {
		opts.ClassifierToken = "[CLS]"
	}
	if opts.SeparatorToken == "" {
		opts.SeparatorToken = "[SEP]"
	}
	v, tokens, err := idTable(vocab, added)
	if err != nil {
		return nil, err
	}
	w := &WordPiece{opts: opts, vocab: v, tokens: tokens, size: len(tokens)}
	lookup := func(name string) (int, error) {
		if id, ok := w.vocab[name]; ok {
			return id, nil
		}
		for _, a := range added {
			if a.Content == name {
				return a.ID, nil
			}
		}
		return 0, fmt.Errorf("vocabulary has no %s token", name)
	}
	if w.unkID, err = lookup(opts.UnknownToken); err != nil {
		return nil, err
	}
	if w.clsID, err = lookup(opts.ClassifierToken); err != nil {
		return nil, err
	}
	if w.sepID, err = lookup(opts.SeparatorToken); err != nil {
		return nil, err
	}
	w.added = newAddedMatcher(added)
	return w, nil
}

// VocabSize is one more than the largest id the tokenizer can return.
func (w *WordPiece) VocabSize() int { return w.size }

// Options returns the normalization settings in use.
func (w *WordPiece) Options() WordPieceOptions { return w.opts }

// Token returns the token with the given id, or "" when there is none.
func (w *WordPiece) Token(id int) string {
	if id < 0 || id >= len(w.tokens) {
		return ""
	}
	return w.tokens[id]
}

// ClassifierID is the id of the classifier token, [CLS].
func (w *WordPiece) ClassifierID() int { return w.clsID }

// SeparatorID is the id of the separator token, [SEP].
func (w *WordPiece) SeparatorID() int { return w.sepID }

// UnknownID is the id of the unknown token, [UNK].
func (w *WordPiece) UnknownID() int { return w.unkID }

// IDs returns the ids of text's tokens, without [CLS] and [SEP].
func (w *WordPiece) IDs(text string) []int {
	var ids []int
	for _, seg := range w.added.split(text) {
		if seg.id >= 0 {
			ids = append(ids, seg.id)
			continue
		}
		for _, word := range w.basicTokens(w.normalize(seg.text)) {
			ids = w.wordPieces(word, ids)
		}
	}
	return ids
}

// Tokenize returns text's tokens as strings, without [CLS] and [SEP].
func (w *WordPiece) Tokenize(text string) []string {
	ids := w.IDs(text)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = w.tokens[id]
	}
	return out
}

// Encode tokenizes text as one sequence, [CLS] tokens [SEP]. When maxLen is
// positive the tokens are truncated so that the whole has at most maxLen ids
// (never fewer than the two special ones).
func (w *WordPiece) Encode(text string, maxLen int) Encoding {
	ids := w.IDs(text)
	if maxLen > 0 {
		ids = ids[:min(len(ids), max(maxLen-2, 0))]
	}
	return newEncoding(w.wrap(ids))
}

// EncodeWindows tokenizes text of any length into overlapping windows of at
// most maxLen ids each, every one [CLS] tokens [SEP], consecutive windows
// sharing overlap tokens, so that a long journal entry can be classified
// piece by piece. maxLen outside 3..MaxModelTokens means MaxModelTokens;
// overlap is clamped to at most half a window's tokens. Empty text gives
// one window, [CLS] [SEP].
func (w *WordPiece) EncodeWindows(text string, maxLen, overlap int) []Encoding {
	if maxLen < 3 || maxLen > MaxModelTokens {
		maxLen = MaxModelTokens
	}
	room := maxLen - 2
	overlap = min(max(overlap, 0), room/2)
	step := room - overlap
	ids := w.IDs(text)
	var out []Encoding
	for start := 0; ; start += step {
		end := min(start+room, len(ids))
		out = append(out, newEncoding(w.wrap(ids[start:end])))
		if end == len(ids) {
			return out
		}
	}
}

func (w *WordPiece) wrap(ids []int) []int {
	out := make([]int, 0, len(ids)+2)
	out = append(out, w.clsID)
	out = append(out, ids...)
	return append(out, w.sepID)
}

// normalize applies BERT's cleaning, CJK spacing, lower-casing and accent
// stripping as the options ask.
func (w *WordPiece) normalize(text string) string {
	if w.opts.CleanText {
		text = cleanText(text)
	}
	if w.opts.ChineseChars {
		text = spaceCJK(text)
	}
	if w.opts.Lowercase {
		text = lowerFull(text)
	}
	if w.opts.StripAccents {
		text = stripMarks(text)
	}
	return text
}

// cleanText drops NUL, U+FFFD (and so any invalid UTF-8) and control
// characters other than tab, newline and carriage return, and turns white
// space into plain spaces.
func cleanText(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == 0 || r == utf8.RuneError || isControl(r):
		case isJSSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isControl reports whether r is in a C* category (control, format, private
// use or surrogate), tab, newline and carriage return excepted: BERT counts
// those as white space.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// isCJK reports whether r is in one of the CJK ideograph blocks BERT treats
// as words of their own (not Hangul, Hiragana or Katakana).
func isCJK(r rune) bool {
	return (r >= 0x4e00 && r <= 0x9fff) || (r >= 0x3400 && r <= 0x4dbf) ||
		(r >= 0x20000 && r <= 0x2a6df) || (r >= 0x2a700 && r <= 0x2b73f) ||
		(r >= 0x2b740 && r <= 0x2b81f) || (r >= 0x2b820 && r <= 0x2ceaf) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0x2f800 && r <= 0x2fa1f)
}

func spaceCJK(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		if isCJK(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lowerFull lower-cases text with Unicode's full, language-neutral mapping,
// which differs from the simple one of strings.ToLower in two places: capital
// I with dot above becomes "i" and a combining dot, and capital sigma becomes
// final sigma at the end of a word.
func lowerFull(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for i, r := range text {
		switch r {
		case 0x130:
			b.WriteString("i\u0307")
		case 0x3a3:
			if finalSigma(text, i) {
				b.WriteRune(0x3c2)
			} else {
				b.WriteRune(0x3c3)
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma applies Unicode's Final_Sigma condition to the sigma at byte
// offset i: a cased letter before it and none after it, skipping
// case-ignorable characters on both sides.
func finalSigma(text string, i int) bool {
	before := false
	for j := i; j > 0; {
		r, n := utf8.DecodeLastRuneInString(text[:j])
		j -= n
		if isCaseIgnorable(r) {
			continue
		}
		before = isCased(r)
		break
	}
	if !before {
		return false
	}
	for j := i + len("Σ"); j < len(text); {
		r, n := utf8.DecodeRuneInString(text[j:])
		j += n
		if isCaseIgnorable(r) {
			continue
		}
		return !isCased(r)
	}
	return true
}

func isCased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xa8, 0xad, 0xaf, 0xb4, 0xb7, 0xb8, 0x387, 0x5f4, 0x2018, 0x2019, 0x2024, 0x2027,
		0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// stripMarks decomposes text (NFD) and drops the non-spacing marks.
func stripMarks(text string) string {
	text = norm.NFD.String(text)
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// basicTokens splits normalized text into words on white space and makes
// each punctuation character a word of its own.
func (w *WordPiece) basicTokens(text string) []string {
	var words []string
	start := -1
	for i, r := range text {
		space, punct := isJSSpace(r), isBERTPunct(r)
		if space || punct {
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
			if punct {
				words = append(words, text[i:i+utf8.RuneLen(r)])
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, text[start:])
	}
	return words
}

// wordPieces appends the ids of word's pieces, longest match first, or the
// unknown id when the word is too long or some part of it has no piece.
func (w *WordPiece) wordPieces(word string, ids []int) []int {
	if utf8.RuneCountInString(word) > w.opts.MaxInputCharsPerWord {
		return append(ids, w.unkID)
	}
	mark := len(ids)
	prefix := w.opts.ContinuingPrefix
	buf := make([]byte, 0, len(prefix)+len(word))
	for start := 0; start < len(word); {
		end := len(word)
		found := -1
		for end > start {
			buf = buf[:0]
			if start > 0 {
				buf = append(buf, prefix...)
			}
			buf = append(buf, word[start:end]...)
			if id, ok := w.vocab[string(buf)]; ok {
				found = id
				break
			}
			_, n := utf8.DecodeLastRuneInString(word[start:end])
			end -= n
		}
		if found < 0 {
			return append(ids[:mark], w.unkID)
		}
		ids = append(ids, found)
		start = end
	}
	return ids
}
