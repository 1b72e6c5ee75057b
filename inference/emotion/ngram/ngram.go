// Package ngram turns text into the sparse features of SAMO's own emotion
// model: word unigrams and bigrams and character 2–5-grams weighted by
// TF-IDF, plus one feature per word that has a pretrained word vector. The
// same code runs when the model is trained and when it is used, so the two
// can never disagree about what a text's features are.
//
// Every feature remembers which tokens of the text produced it, so a linear
// model's score can be split exactly over the words that pushed it.
package ngram

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Config holds the featurizer's hyper-parameters.
type Config struct {
	// WordMinDF and CharMinDF are the fewest training texts a word n-gram or
	// character n-gram must occur in to become a feature.
	WordMinDF int `json:"word_min_df"`
	CharMinDF int `json:"char_min_df"`
	// CharMin and CharMax bound the character n-gram lengths, in runes.
	CharMin int `json:"char_min"`
	CharMax int `json:"char_max"`
	// CharWeight scales the character group after its L2 normalization
	// (the word group has weight 1).
	CharWeight float32 `json:"char_weight"`
	// VectorWeight scales the mean word vector of a text.
	VectorWeight float32 `json:"vector_weight"`
}

// DefaultConfig returns the configuration the default model is trained with.
func DefaultConfig() Config {
	return Config{WordMinDF: 2, CharMinDF: 6, CharMin: 2, CharMax: 5, CharWeight: 1, VectorWeight: 1}
}

// Token is one token of a text, lower-cased, with its byte span in the
// original text.
type Token struct {
	Text       string
	Start, End int
	// Word is true for runs of letters, digits and apostrophes, false for
	// punctuation and symbols (emoji among them).
	Word bool
}

// Tokenize splits text into lower-cased tokens: runs of letters, digits and
// apostrophes are words, and every other visible rune (punctuation, emoji)
// is a token of its own. Invalid UTF-8 bytes and combining or format runes
// outside words are skipped.
func Tokenize(text string) []Token {
	var toks []Token
	var b strings.Builder
	start := -1
	flush := func(end int) {
		if start >= 0 {
			toks = append(toks, Token{Text: b.String(), Start: start, End: end, Word: true})
			b.Reset()
			start = -1
		}
	}
	for i, r := range text {
		switch {
		case r == utf8.RuneError:
			flush(i)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' ||
			(start >= 0 && unicode.Is(unicode.Mn, r)):
			if start < 0 {
				start = i
			}
			if r == '’' {
				r = '\''
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			flush(i)
			if unicode.IsSpace(r) || unicode.In(r, unicode.Mn, unicode.Cf, unicode.Cc, unicode.Sk) {
				continue
			}
			toks = append(toks, Token{Text: string(r), Start: i, End: i + utf8.RuneLen(r)})
		}
	}
	flush(len(text))
	return toks
}

// Vocab is a fitted featurizer: the feature strings with their inverse
// document frequencies, and the words that have a word-vector feature.
// Rows are numbered words first, then character n-grams, then vector words.
type Vocab struct {
	Config Config
	words  map[string]int32
	chars  map[string]int32
	vecs   map[string]int32
	names  []string
	idf    []float32
}

// Fit builds the vocabulary from training texts. vectorWords lists the
// words that have pretrained vectors (nil for none); they become rows in
// the order given.
func Fit(texts []string, cfg Config, vectorWords []string) *Vocab {
	wdf := map[string]int{}
	cdf := map[string]int{}
	for _, t := range texts {
		toks := Tokenize(t)
		seen := map[string]bool{}
		eachWordGram(toks, func(g string, _, _ int) {
			if !seen[g] {
				seen[g] = true
				wdf[g]++
			}
		})
		seenC := map[string]bool{}
		eachCharGram(toks, cfg, func(g string, _ int) {
			if !seenC[g] {
				seenC[g] = true
				cdf[g]++
			}
		})
	}
	n := float64(len(texts))
	v := &Vocab{Config: cfg, words: map[string]int32{}, chars: map[string]int32{}, vecs: map[string]int32{}}
	add := func(df map[string]int, min int, into map[string]int32, prefix string) {
		keys := make([]string, 0, len(df))
		for g, c := range df {
			if c >= min {
				keys = append(keys, g)
			}
		}
		slices.Sort(keys)
		for _, g := range keys {
			into[g] = int32(len(v.names))
			v.names = append(v.names, prefix+g)
			v.idf = append(v.idf, float32(math.Log((1+n)/(1+float64(df[g])))+1))
		}
	}
	add(wdf, cfg.WordMinDF, v.words, "w:")
	add(cdf, cfg.CharMinDF, v.chars, "c:")
	for _, w := range vectorWords {
		if _, dup := v.vecs[w]; dup {
			continue
		}
		v.vecs[w] = int32(len(v.names))
		v.names = append(v.names, "v:"+w)
		v.idf = append(v.idf, 1)
	}
	return v
}

// Rows is the number of feature rows.
func (v *Vocab) Rows() int { return len(v.names) }

// SparseRows is the number of word and character n-gram rows (the rows
// before the word-vector rows).
func (v *Vocab) SparseRows() int { return len(v.words) + len(v.chars) }

// Name returns a row's feature: "w:" and a word n-gram, "c:" and a
// character n-gram, or "v:" and a word with a vector.
func (v *Vocab) Name(row int32) string { return v.names[row] }

// VectorWords returns the words with a word-vector row, in row order.
func (v *Vocab) VectorWords() []string {
	out := make([]string, 0, len(v.vecs))
	for _, n := range v.names[v.SparseRows():] {
		out = append(out, strings.TrimPrefix(n, "v:"))
	}
	return out
}

// Feature is one non-zero feature of a text.
type Feature struct {
	Row   int32
	Value float32
	// Tokens are the indices of the tokens that produced the feature, once
	// per occurrence.
	Tokens []int32
}

// Features is a featurized text.
type Features struct {
	Tokens   []Token
	Features []Feature
	// VectorTokens are the indices of the tokens with a word-vector row,
	// whose mean vector a model may use; each has Value 1/len(VectorTokens)
	// times Config.VectorWeight in Features.
	VectorTokens []int32
}

// Transform featurizes one text. Rows are unique and sorted.
func (v *Vocab) Transform(text string) Features {
	toks := Tokenize(text)
	type occ struct{ row, tok int32 }
	pairs := make([]occ, 0, 16*len(toks)+8)
	eachWordGram(toks, func(g string, i, j int) {
		if r, ok := v.words[g]; ok {
			pairs = append(pairs, occ{r, int32(i)})
			if j != i {
				pairs = append(pairs, occ{r, int32(j)})
			}
		}
	})
	eachCharGram(toks, v.Config, func(g string, i int) {
		if r, ok := v.chars[g]; ok {
			pairs = append(pairs, occ{r, int32(i)})
		}
	})
	var f Features
	f.Tokens = toks
	for i, t := range toks {
		if r, ok := v.vecs[t.Text]; ok {
			pairs = append(pairs, occ{r, int32(i)})
			f.VectorTokens = append(f.VectorTokens, int32(i))
		}
	}
	slices.SortFunc(pairs, func(a, b occ) int {
		if a.row != b.row {
			return int(a.row - b.row)
		}
		return int(a.tok - b.tok)
	})
	idx := make([]int32, len(pairs))
	for i, p := range pairs {
		idx[i] = p.tok
	}
	// word and char groups: sublinear TF times IDF, L2-normalized per
	// group; vector rows: each word's share of the mean vector.
	var wsum, csum float64
	nWords := int32(len(v.words))
	sparseEnd := int32(len(v.words) + len(v.chars))
	for i := 0; i < len(pairs); {
		j := i
		for j < len(pairs) && pairs[j].row == pairs[i].row {
			j++
		}
		r := pairs[i].row
		c := j - i
		ft := Feature{Row: r, Tokens: idx[i:j:j]}
		switch {
		case r >= sparseEnd:
			ft.Value = v.Config.VectorWeight * float32(c) / float32(len(f.VectorTokens))
		default:
			if r < nWords && strings.Contains(v.names[r], " ") {
				c /= 2
			}
			ft.Value = float32(1+math.Log(float64(c))) * v.idf[r]
			if r < nWords {
				wsum += float64(ft.Value * ft.Value)
			} else {
				csum += float64(ft.Value * ft.Value)
			}
		}
		f.Features = append(f.Features, ft)
		i = j
	}
	for i := range f.Features {
		switch r := f.Features[i].Row; {
		case r < nWords && wsum > 0:
			f.Features[i].Value /= float32(math.Sqrt(wsum))
		case r >= nWords && r < sparseEnd && csum > 0:
			f.Features[i].Value *= v.Config.CharWeight / float32(math.Sqrt(csum))
		}
	}
	return f
}

// MinSequence is the shortest token sequence VectorIDs returns, so that a
// convolution over up to MinSequence tokens has a window on any text.
const MinSequence = 3

// VectorIDs returns, for a featurized text, each token's word-vector id
// (its vector row's index among VectorWords, plus one) or 0 for a token
// without a vector, padded with zeros to MinSequence tokens; and each
// token's share of the text's mean word vector (Config.VectorWeight over
// the number of tokens with a vector, 0 for the others).
func (v *Vocab) VectorIDs(f Features) (ids []int32, shares []float32) {
	n := max(len(f.Tokens), MinSequence)
	ids, shares = make([]int32, n), make([]float32, n)
	sparse := int32(v.SparseRows())
	for _, ft := range f.Features {
		if ft.Row < sparse {
			continue
		}
		for _, t := range ft.Tokens {
			ids[t] = ft.Row - sparse + 1
			shares[t] = v.Config.VectorWeight / float32(len(f.VectorTokens))
		}
	}
	return ids, shares
}

// eachWordGram calls f with every unigram and adjacent bigram of toks and
// the indices of the tokens it spans.
func eachWordGram(toks []Token, f func(g string, i, j int)) {
	for i, t := range toks {
		f(t.Text, i, i)
		if i+1 < len(toks) {
			f(t.Text+" "+toks[i+1].Text, i, i+1)
		}
	}
}

// eachCharGram calls f with every character n-gram of each word token,
// padded with a space on both sides, and the token's index.
func eachCharGram(toks []Token, cfg Config, f func(g string, i int)) {
	var off []int
	for i, t := range toks {
		if !t.Word {
			continue
		}
		padded := " " + t.Text + " "
		off = off[:0]
		for k := range padded {
			off = append(off, k)
		}
		off = append(off, len(padded))
		runes := len(off) - 1
		for n := cfg.CharMin; n <= cfg.CharMax; n++ {
			for s := 0; s+n <= runes; s++ {
				f(padded[off[s]:off[s+n]], i)
			}
		}
	}
}

const magic = "SAMONGR1"

// Bounds a vocabulary's numbers must keep: an inverse document frequency
// is at most ln(texts)+1, and group weights are small.
const (
	maxIDF    = 1000
	maxWeight = 1000
)

// ErrFormat is returned for a vocabulary file that is not one.
var ErrFormat = errors.New("ngram: not a SAMO n-gram vocabulary")

// WriteTo writes the vocabulary in SAMO's binary format and returns the
// bytes written.
func (v *Vocab) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriter(cw)
	bw.WriteString(magic)
	var buf [binary.MaxVarintLen64]byte
	uv := func(x uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], x)]) }
	f32 := func(x float32) { binary.Write(bw, binary.LittleEndian, x) }
	c := v.Config
	for _, x := range []int{c.WordMinDF, c.CharMinDF, c.CharMin, c.CharMax} {
		uv(uint64(x))
	}
	f32(c.CharWeight)
	f32(c.VectorWeight)
	uv(uint64(len(v.words)))
	uv(uint64(len(v.chars)))
	uv(uint64(len(v.vecs)))
	for i, n := range v.names {
		uv(uint64(len(n)))
		bw.WriteString(n)
		f32(v.idf[i])
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("ngram: write vocabulary: %w", err)
	}
	return cw.n, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Read reads a vocabulary written by WriteTo.
func Read(r io.Reader) (*Vocab, error) {
	br := bufio.NewReader(r)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(br, head); err != nil || string(head) != magic {
		return nil, ErrFormat
	}
	var err error
	uv := func() int {
		if err != nil {
			return 0
		}
		var x uint64
		x, err = binary.ReadUvarint(br)
		if err == nil && x > 1<<28 {
			err = fmt.Errorf("count %d too large", x)
		}
		return int(x)
	}
	var b4 [4]byte
	f32 := func() float32 {
		var x float32
		if err == nil {
			_, err = io.ReadFull(br, b4[:])
			x = math.Float32frombits(binary.LittleEndian.Uint32(b4[:]))
			if err == nil && (math.IsNaN(float64(x)) || math.IsInf(float64(x), 0)) {
				err = fmt.Errorf("non-finite weight")
			}
		}
		return x
	}
	var c Config
	c.WordMinDF, c.CharMinDF, c.CharMin, c.CharMax = uv(), uv(), uv(), uv()
	c.CharWeight, c.VectorWeight = f32(), f32()
	nw, nc, nv := uv(), uv(), uv()
	if err != nil {
		return nil, fmt.Errorf("ngram: read vocabulary header: %w", err)
	}
	if !(c.CharWeight >= 0 && c.CharWeight <= maxWeight && c.VectorWeight >= 0 && c.VectorWeight <= maxWeight) {
		return nil, fmt.Errorf("ngram: read vocabulary: group weights %v and %v out of range", c.CharWeight, c.VectorWeight)
	}
	if c.CharMin < 1 || c.CharMax < c.CharMin || c.CharMax > 16 {
		return nil, fmt.Errorf("ngram: read vocabulary: character n-gram lengths %d–%d", c.CharMin, c.CharMax)
	}
	// The counts only hint at sizes: a damaged header must not allocate.
	hint := func(n int) int { return min(n, 1<<18) }
	v := &Vocab{Config: c, words: make(map[string]int32, hint(nw)), chars: make(map[string]int32, hint(nc)), vecs: make(map[string]int32, hint(nv))}
	total := nw + nc + nv
	for i := 0; i < total; i++ {
		n := uv()
		if err != nil {
			break
		}
		if n > 1024 {
			err = fmt.Errorf("feature %d is %d bytes long", i, n)
			break
		}
		b := make([]byte, n)
		if _, err = io.ReadFull(br, b); err != nil {
			break
		}
		idf := f32()
		if err == nil && (idf <= 0 || idf > maxIDF) {
			err = fmt.Errorf("feature %d has inverse document frequency %v", i, idf)
			break
		}
		name := string(b)
		var into map[string]int32
		var prefix string
		switch {
		case i < nw:
			into, prefix = v.words, "w:"
		case i < nw+nc:
			into, prefix = v.chars, "c:"
		default:
			into, prefix = v.vecs, "v:"
		}
		if !strings.HasPrefix(name, prefix) {
			err = fmt.Errorf("feature %d %q is out of place", i, name)
			break
		}
		into[name[2:]] = int32(i)
		v.names = append(v.names, name)
		v.idf = append(v.idf, idf)
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("ngram: read vocabulary: %w", err)
	}
	if len(v.words) != nw || len(v.chars) != nc || len(v.vecs) != nv {
		return nil, fmt.Errorf("ngram: read vocabulary: repeated features")
	}
	return v, nil
}
