package tokenizer

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// byteRunes is GPT-2's reversible byte-to-character table: printable Latin-1
// bytes stand for themselves and every other byte is shifted past U+00FF, so
// that each byte is one visible, non-space character.
var byteRunes = func() (t [256]rune) {
	next := rune(256)
	for b := range 256 {
		if (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff) {
			t[b] = rune(b)
		} else {
			t[b] = next
			next++
		}
	}
	return t
}()

// cacheLimit bounds the per-tokenizer cache of merged words.
const cacheLimit = 20000

// BPEOptions adjusts byte-level BPE.
type BPEOptions struct {
	// AddPrefixSpace puts a space before text that does not start with one,
	// as RoBERTa-style tokenizer.json files may ask; it breaks the exact
	// round trip of Decode.
	AddPrefixSpace bool
}

// BPE is a byte-level BPE tokenizer (GPT-2, RoBERTa, Whisper). It is safe
// for concurrent use.
type BPE struct {
	opts    BPEOptions
	vocab   map[string]int
	tokens  []string // id -> token, "" where an id has none
	special []bool   // id -> an added token marked special
	addedAt []bool   // id -> an added token (decoded verbatim)
	byteID  [256]int // byte -> id of its one-character token
	merges  map[[2]int]merge
	added   *addedMatcher
	size    int

	mu    sync.Mutex
	cache map[string][]int
}

type merge struct{ rank, id int }

// LoadBPEFiles reads GPT-2's vocab.json and merges.txt (see ReadBPEFiles).
// The token <|endoftext|>, when the vocabulary has it, is matched whole in
// the text as a special token.
func LoadBPEFiles(vocabPath, mergesPath string, opts BPEOptions) (*BPE, error) {
	vocab, merges, err := ReadBPEFiles(vocabPath, mergesPath)
	if err != nil {
		return nil, err
	}
	var added []AddedToken
	if id, ok := vocab["<|endoftext|>"]; ok {
		added = append(added, AddedToken{Content: "<|endoftext|>", ID: id, Special: true})
	}
	t, err := NewBPE(vocab, merges, added, opts)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", vocabPath, err)
	}
	return t, nil
}

// ReadBPEFiles reads a byte-level BPE vocabulary, vocab.json (token to
// id), and its merges, merges.txt (one merge "a b" a line, best first,
// after an optional "#version" line), for NewBPE.
func ReadBPEFiles(vocabPath, mergesPath string) (map[string]int, [][2]string, error) {
	data, err := os.ReadFile(vocabPath)
	if err != nil {
		return nil, nil, fmt.Errorf("tokenizer: reading vocabulary: %w", err)
	}
	var vocab map[string]int
	if err := json.Unmarshal(data, &vocab); err != nil {
		return nil, nil, fmt.Errorf("tokenizer: %s: malformed vocab.json: %w", vocabPath, err)
	}
	data, err = os.ReadFile(mergesPath)
	if err != nil {
		return nil, nil, fmt.Errorf("tokenizer: reading merges: %w", err)
	}
	var merges [][2]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSuffix(sc.Text(), "\r")
		if text == "" || (line == 1 && strings.HasPrefix(text, "#version")) {
			continue
		}
		a, b, ok := strings.Cut(text, " ")
		if !ok || a == "" || b == "" || strings.Contains(b, " ") {
			return nil, nil, fmt.Errorf("tokenizer: %s: line %d: want two tokens separated by one space, got %q", mergesPath, line, text)
		}
		merges = append(merges, [2]string{a, b})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("tokenizer: %s: %w", mergesPath, err)
	}
	return vocab, merges, nil
}

// NewBPE builds a byte-level BPE tokenizer from its vocabulary, its merges
// (best first) and the added tokens to match in the text, which keep their
// own ids whether or not the vocabulary has them. The vocabulary must have a
// token for each of the 256 bytes. A merge whose parts or result are not in
// the vocabulary can never apply and is ignored.
func NewBPE(vocab map[string]int, merges [][2]string, added []AddedToken, opts BPEOptions) (*BPE, error) {
	v, tokens, err := idTable(vocab, added)
	if err != nil {
		return nil, err
	}
	t := &BPE{opts: opts, vocab: v, tokens: tokens, size: len(tokens), cache: map[string][]int{}}
	t.special = make([]bool, t.size)
	t.addedAt = make([]bool, t.size)
	for _, a := range added {
		t.special[a.ID] = a.Special
		t.addedAt[a.ID] = true
	}
	for b, r := range byteRunes {
		id, ok := t.vocab[string(r)]
		if !ok {
			return nil, fmt.Errorf("vocabulary has no token for byte 0x%02x (%q)", b, string(r))
		}
		t.byteID[b] = id
	}
	t.merges = make(map[[2]int]merge, len(merges))
	for rank, m := range merges {
		a, okA := t.vocab[m[0]]
		b, okB := t.vocab[m[1]]
		ab, okAB := t.vocab[m[0]+m[1]]
		if !okA || !okB || !okAB {
			continue
		}
		if _, dup := t.merges[[2]int{a, b}]; !dup {
			t.merges[[2]int{a, b}] = merge{rank: rank, id: ab}
		}
	}
	t.added = newAddedMatcher(added)
	return t, nil
}

// VocabSize is one more than the largest id the tokenizer can return.
func (t *BPE) VocabSize() int { return t.size }

// TokenID returns the id of a token or added token, as it is spelled in the
// vocabulary (bytes mapped to characters, "Ġ" for a space).
func (t *BPE) TokenID(token string) (int, bool) {
	for _, a := range t.added.tokens {
		if a.Content == token {
			return a.ID, true
		}
	}
	id, ok := t.vocab[token]
	return id, ok
}

// Token returns the vocabulary's spelling of id, or "" when there is none.
func (t *BPE) Token(id int) string {
	if id < 0 || id >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// IDs returns the ids of text's tokens. Added tokens are found first and
// keep their own ids; the text between them is split with GPT-2's pattern,
// each piece's bytes are mapped to characters and merged by rank.
func (t *BPE) IDs(text string) []int {
	var ids []int
	for _, seg := range t.added.split(text) {
		if seg.id >= 0 {
			ids = append(ids, seg.id)
			continue
		}
		s := seg.text
		if t.opts.AddPrefixSpace && !strings.HasPrefix(s, " ") {
			s = " " + s
		}
		for _, piece := range splitGPT2(s) {
			ids = append(ids, t.word(piece)...)
		}
	}
	return ids
}

// Encode tokenizes text as IDs does and wraps the ids in an Encoding, with
// no special tokens added.
func (t *BPE) Encode(text string) Encoding { return newEncoding(t.IDs(text)) }

// Decode turns ids back into text: byte tokens to their bytes, added tokens
// verbatim, or dropped when special and skipSpecial is set. Ids outside the
// vocabulary are skipped; byte sequences that are not valid UTF-8 become
// U+FFFD.
func (t *BPE) Decode(ids []int, skipSpecial bool) string {
	var buf []byte
	for _, id := range ids {
		if id < 0 || id >= t.size {
			continue
		}
		if t.addedAt[id] {
			if !(skipSpecial && t.special[id]) {
				buf = append(buf, t.tokens[id]...)
			}
			continue
		}
		for _, r := range t.tokens[id] {
			if b, ok := runeByte(r); ok {
				buf = append(buf, b)
			}
		}
	}
	if utf8.Valid(buf) {
		return string(buf)
	}
	return strings.ToValidUTF8(string(buf), "\uFFFD")
}

// runeByte inverts byteRunes.
func runeByte(r rune) (byte, bool) {
	switch {
	case r < 256 && byteRunes[r] == r:
		return byte(r), true
	case r >= 256 && r < 256+68:
		for b, x := range byteRunes {
			if x == r {
				return byte(b), true
			}
		}
	}
	return 0, false
}

// word returns the ids for one pre-tokenized piece, from the cache when it
// has been seen.
func (t *BPE) word(piece string) []int {
	t.mu.Lock()
	ids, ok := t.cache[piece]
	t.mu.Unlock()
	if ok {
		return ids
	}
	ids = t.merge(piece)
	t.mu.Lock()
	if len(t.cache) >= cacheLimit {
		clear(t.cache)
	}
	t.cache[piece] = ids
	t.mu.Unlock()
	return ids
}

// symbol is one node of the doubly linked list of a word's current tokens.
type symbol struct {
	id, prev, next int
	gone           bool
}

// candidate is a possible merge of the symbol at pos with its successor.
type candidate struct{ rank, pos, left, right int }

type candidates []candidate

func (c candidates) Len() int { return len(c) }
func (c candidates) Less(i, j int) bool {
	if c[i].rank != c[j].rank {
		return c[i].rank < c[j].rank
	}
	return c[i].pos < c[j].pos
}
func (c candidates) Swap(i, j int) { c[i], c[j] = c[j], c[i] }
func (c *candidates) Push(x any)   { *c = append(*c, x.(candidate)) }
func (c *candidates) Pop() any {
	old := *c
	x := old[len(old)-1]
	*c = old[:len(old)-1]
	return x
}

// merge applies the merges to piece's bytes: repeatedly the best-ranked
// adjacent pair, the leftmost among equals, until none applies.
func (t *BPE) merge(piece string) []int {
	syms := make([]symbol, len(piece))
	for i := range len(piece) {
		syms[i] = symbol{id: t.byteID[piece[i]], prev: i - 1, next: i + 1}
	}
	if len(syms) == 0 {
		return nil
	}
	syms[len(syms)-1].next = -1
	var h candidates
	push := func(pos int) {
		next := syms[pos].next
		if next < 0 {
			return
		}
		if m, ok := t.merges[[2]int{syms[pos].id, syms[next].id}]; ok {
			heap.Push(&h, candidate{rank: m.rank, pos: pos, left: syms[pos].id, right: syms[next].id})
		}
	}
	for i := range syms {
		push(i)
	}
	for h.Len() > 0 {
		c := heap.Pop(&h).(candidate)
		s := &syms[c.pos]
		if s.gone || s.id != c.left || s.next < 0 || syms[s.next].id != c.right {
			continue
		}
		right := s.next
		s.id = t.merges[[2]int{c.left, c.right}].id
		s.next = syms[right].next
		syms[right].gone = true
		if s.next >= 0 {
			syms[s.next].prev = c.pos
		}
		if s.prev >= 0 {
			push(s.prev)
		}
		push(c.pos)
	}
	var ids []int
	for i := 0; i >= 0; i = syms[i].next {
		ids = append(ids, syms[i].id)
	}
	return ids
}

// splitGPT2 splits text as GPT-2's pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// does, with ECMAScript's \s. The look-ahead makes a run of white space
// leave its last character to the word that follows it, unless the run ends
// the text. Invalid UTF-8 bytes count as neither letters, digits nor space.
func splitGPT2(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		end := gpt2Match(text, i)
		out = append(out, text[i:end])
		i = end
	}
	return out
}

type charClass int

const (
	classOther charClass = iota
	classLetter
	classNumber
	classSpace
)

func classAt(text string, i int) (charClass, int) {
	r, n := utf8.DecodeRuneInString(text[i:])
	if r == utf8.RuneError && n <= 1 {
		return classOther, max(n, 1)
	}
	switch {
	case isJSSpace(r):
		return classSpace, n
	case unicode.IsLetter(r):
		return classLetter, n
	case unicode.IsNumber(r):
		return classNumber, n
	}
	return classOther, n
}

// run returns the end of the run of characters of class c starting at i.
func run(text string, i int, c charClass) int {
	for i < len(text) {
		k, n := classAt(text, i)
		if k != c {
			break
		}
		i += n
	}
	return i
}

// gpt2Match returns the end of the pattern's match starting at i.
func gpt2Match(text string, i int) int {
	if text[i] == '\'' {
		rest := text[i+1:]
		for _, suf := range []string{"s", "t", "re", "ve", "m", "ll", "d"} {
			if strings.HasPrefix(rest, suf) {
				return i + 1 + len(suf)
			}
		}
	}
	c, n := classAt(text, i)
	start := i
	if text[i] == ' ' && i+1 < len(text) {
		if next, _ := classAt(text, i+1); next != classSpace {
			c, start = next, i+1
			_, n = classAt(text, start)
		}
	}
	if c != classSpace {
		return run(text, start+n, c)
	}
	// White space: the whole run when it ends the text, else all of it but
	// the last character (so that one joins the next word), but at least one.
	end := run(text, i, classSpace)
	if end == len(text) {
		return end
	}
	_, last := utf8.DecodeLastRuneInString(text[i:end])
	if end-last > i {
		return end - last
	}
	return end
}
