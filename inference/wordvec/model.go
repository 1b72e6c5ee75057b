package wordvec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/samojournal/samo/assets"
)

// Method is a way of weighting a text's word vectors and removing the
// component common to all texts.
type Method int

const (
	// USIF is unsupervised smoothed inverse frequency (Ethayarajh 2018):
	// unit-length word vectors weighted by a/(a/2 + p(w)), averaged, minus
	// their projections on the five common components, each weighted by
	// its share of the variance. The default.
	USIF Method = iota
	// SIF is smooth inverse frequency (Arora et al. 2017): word vectors
	// weighted by a/(a + p(w)), averaged, minus the projection on the first
	// principal component.
	SIF
	// Mean is the plain unweighted mean of the word vectors, with nothing
	// removed: a baseline for measurement.
	Mean
)

// String returns the method's name as it appears in Model.Name.
func (m Method) String() string {
	switch m {
	case USIF:
		return "usif"
	case SIF:
		return "sif"
	case Mean:
		return "mean"
	}
	return fmt.Sprintf("method(%d)", int(m))
}

// Option changes how Load builds a Model.
type Option func(*options)

type options struct{ method Method }

// WithMethod chooses the weighting (USIF, the default, SIF or Mean).
func WithMethod(m Method) Option { return func(o *options) { o.method = m } }

// Neighbour is a word near another one, with their cosine similarity.
type Neighbour struct {
	Word string
	Sim  float32
}

// Model embeds texts as unit-length averages of GloVe word vectors. It is
// read-only after Load and safe for concurrent use.
type Model struct {
	method  Method
	version string
	dim     int
	words   []string
	index   map[string]int32
	vecs    []int8
	norms   []float32 // L2 norm of each int8 vector (before scaling)
	coef    []float32 // each word's weight × dequantisation scale for the method
	comps   [][]float32
	compW   []float32

	// wordPost is what WordVectors removes from each unit-length word
	// vector, made on first use (see postprocess).
	wordPostOnce sync.Once
	wordMean     []float32
	wordComps    [][]float32
}

// Default loads the asset SAMO ships (assets.WordVectors) with opts. Each
// call decodes it anew (about 5 ms); keep the Model.
func Default(opts ...Option) (*Model, error) {
	return Load(assets.WordVectors(), opts...)
}

// Load reads a model from data in the package's binary format. The Model
// does not keep data. An error for data that is not a well-formed asset
// wraps ErrFormat.
func Load(data []byte, opts ...Option) (*Model, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.method < USIF || o.method > Mean {
		return nil, fmt.Errorf("wordvec: load: unknown method %d", int(o.method))
	}
	a, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("wordvec: load: %w", err)
	}
	sum := sha256.Sum256(data)
	return newModel(a, o.method, hex.EncodeToString(sum[:6])), nil
}

// newModel prepares a decoded asset for embedding with method.
func newModel(a *asset, method Method, version string) *Model {
	m := &Model{
		method:  method,
		version: version,
		dim:     a.dim,
		words:   a.words,
		index:   a.index,
		vecs:    a.vecs,
		norms:   make([]float32, len(a.words)),
		coef:    make([]float32, len(a.words)),
	}
	for i := range a.words {
		var ss int64
		for _, q := range a.vecs[i*a.dim : (i+1)*a.dim] {
			ss += int64(q) * int64(q)
		}
		m.norms[i] = float32(math.Sqrt(float64(ss)))
	}
	for i := range m.coef {
		p, s := a.prob[i], a.scale[i]
		switch method {
		case Mean:
			m.coef[i] = s
		case SIF:
			m.coef[i] = a.sifA / (a.sifA + p) * s
		case USIF:
			// Unit-length word vectors: the int8 vector divided by its norm.
			if m.norms[i] > 0 {
				m.coef[i] = a.usifA / (0.5*a.usifA + p) / m.norms[i]
			}
		}
	}
	switch method {
	case SIF:
		m.comps = a.sifComp
		m.compW = make([]float32, len(a.sifComp))
		for i := range m.compW {
			m.compW[i] = 1
		}
	case USIF:
		m.comps, m.compW = a.usifComp, a.usifW
	}
	return m
}

// Name returns the model's name: "glove-usif-100d", "glove-sif-100d" or
// "glove-mean-100d".
func (m *Model) Name() string { return fmt.Sprintf("glove-%s-%dd", m.method, m.dim) }

// Version returns a short hash of the asset the model was loaded from: two
// models with the same Name and Version give the same vectors.
func (m *Model) Version() string { return m.version }

// Dim returns the length of every vector Embed returns (100).
func (m *Model) Dim() int { return m.dim }

// Len returns the number of words the model knows.
func (m *Model) Len() int { return len(m.words) }

// Embed returns one unit-length vector for each text. A text with no word
// the model knows (empty, only numbers, punctuation or emoji, or only
// unknown words) gets the zero vector, whose cosine similarity with any
// vector is 0, so it matches nothing. Embed fails only when ctx is done.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("wordvec: embed: %w", err)
			}
		}
		v := make([]float32, m.dim)
		if m.sum(t, v) > 0 {
			m.removeCommon(v)
			normalize(v)
		}
		out[i] = v
	}
	return out, nil
}

// sum adds the weighted vectors of text's known words to v, dividing by
// their number, and returns that number.
func (m *Model) sum(text string, v []float32) int {
	n := 0
	m.forEachWord(text, func(id int32) {
		c := m.coef[id]
		row := m.vecs[int(id)*m.dim : int(id+1)*m.dim]
		for d, q := range row {
			v[d] += c * float32(q)
		}
		n++
	})
	if n > 0 {
		inv := 1 / float32(n)
		for d := range v {
			v[d] *= inv
		}
	}
	return n
}

// removeCommon subtracts from v its weighted projections on the common
// components.
func (m *Model) removeCommon(v []float32) {
	for i, c := range m.comps {
		var dot float32
		for d := range v {
			dot += v[d] * c[d]
		}
		dot *= m.compW[i]
		for d := range v {
			v[d] -= dot * c[d]
		}
	}
}

func normalize(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(ss))
	for d := range v {
		v[d] *= inv
	}
}

// informal maps spellings without an apostrophe, common in typed and
// transcribed text, to the tokens GloVe has for them: the table knows
// "dont" as a rare word, which would weigh it like a rare content word.
var informal = map[string][]string{
	"dont": {"do", "not"}, "didnt": {"did", "not"}, "doesnt": {"does", "not"},
	"isnt": {"is", "not"}, "wasnt": {"was", "not"}, "arent": {"are", "not"},
	"werent": {"were", "not"}, "cant": {"can", "not"}, "couldnt": {"could", "not"},
	"wouldnt": {"would", "not"}, "shouldnt": {"should", "not"}, "havent": {"have", "not"},
	"hasnt": {"has", "not"}, "hadnt": {"had", "not"}, "aint": {"not"},
	"im": {"am"}, "ive": {"have"}, "youre": {"you", "are"}, "theyre": {"they", "are"},
	"youve": {"you", "have"}, "theyve": {"they", "have"}, "thats": {"that"},
}

// clitics maps the Stanford clitic tokens to the words they stand for: the
// table was filtered to words without apostrophes, so "n't" is read as
// "not". "'s" (is, has or a possessive) is dropped.
var clitics = map[string]string{
	"n't": "not", "'m": "am", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would",
}

// forEachWord calls f with the index of each of text's tokens the model
// knows, after the fallbacks the package documentation lists.
func (m *Model) forEachWord(text string, f func(int32)) {
	forEachToken(text, func(tok string) { m.resolve(tok, f) })
}

// resolve calls f with the index of tok, or of the words it stands for
// when the model does not know it: a contraction without its apostrophe,
// a clitic, the parts of a hyphenated or apostrophised token, the word
// with letters repeated for emphasis brought to two and then one
// ("sleeeep"), the word without an inflection's suffix ("flunked",
// "cigs"), or the two known words it is made of ("houseplant").
func (m *Model) resolve(tok string, f func(int32)) {
	if id, ok := m.index[tok]; ok {
		f(id)
		return
	}
	if ws, ok := informal[tok]; ok {
		for _, w := range ws {
			m.lookup(w, f)
		}
		return
	}
	if w, ok := clitics[tok]; ok {
		m.lookup(w, f)
		return
	}
	if strings.ContainsAny(tok, "-'") {
		for _, part := range strings.FieldsFunc(tok, func(r rune) bool { return r == '-' || r == '\'' }) {
			m.lookup(part, f)
		}
		return
	}
	if len(tok) > maxFallback || !isLetters(tok) {
		return
	}
	for _, keep := range []int{2, 1} {
		if w := squeeze(tok, keep); w != tok {
			if id, ok := m.index[w]; ok {
				f(id)
				return
			}
		}
	}
	for _, w := range stems(tok) {
		if id, ok := m.index[w]; ok {
			f(id)
			return
		}
	}
	// a compound of two common words: of the splits, the one whose rarer
	// part is the commonest ("over" + "training", not "overt" + "raining")
	best, bestA, bestB := int32(compoundRank), int32(-1), int32(-1)
	for i := minPart; i <= len(tok)-minPart; i++ {
		a, okA := m.index[tok[:i]]
		b, okB := m.index[tok[i:]]
		if okA && okB && max(a, b) < best {
			best, bestA, bestB = max(a, b), a, b
		}
	}
	if bestA >= 0 {
		f(bestA)
		f(bestB)
	}
}

// minPart is the shortest part a compound is split into and the shortest
// stem, and compoundRank the frequency rank each part of a compound must be
// within: short and rare parts are more often letters of a name or of a
// suffix than words ("hannah" is not "han" + "nah", nor "sulking" "sul" +
// "king").
// maxFallback is the longest unknown word the fallbacks read: longer ones
// are no word (and trying every split of a long run of letters would take
// time growing with its square).
const (
	minPart      = 4
	compoundRank = 30000
	maxFallback  = 40
)

// isLetters reports whether s is ASCII lower-case letters only.
func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

// squeeze shortens every run of three or more of the same letter to keep
// letters.
func squeeze(s string, keep int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		n := j - i
		if n >= 3 {
			n = keep
		}
		for range n {
			b.WriteByte(s[i])
		}
		i = j
	}
	return b.String()
}

// stems returns the words tok may be an inflection of, by its suffix:
// plural and third person -s and -es, past -ed, -ing, and the doubled or
// dropped letters English spells them with.
func stems(tok string) []string {
	var out []string
	add := func(w string) {
		if len(w) >= minPart {
			out = append(out, w)
		}
	}
	switch {
	case strings.HasSuffix(tok, "ies"):
		add(tok[:len(tok)-3] + "y")
	case strings.HasSuffix(tok, "es"):
		add(tok[:len(tok)-2])
		add(tok[:len(tok)-1])
	case strings.HasSuffix(tok, "s") && !strings.HasSuffix(tok, "ss"):
		if len(tok) > minPart { // "cigs"
			out = append(out, tok[:len(tok)-1])
		}
	case strings.HasSuffix(tok, "ied"):
		add(tok[:len(tok)-3] + "y")
	case strings.HasSuffix(tok, "ed"), strings.HasSuffix(tok, "ing"):
		stem := strings.TrimSuffix(strings.TrimSuffix(tok, "ed"), "ing")
		add(stem)
		add(stem + "e")
		if n := len(stem); n >= 2 && stem[n-1] == stem[n-2] {
			add(stem[:n-1])
		}
	}
	return out
}

func (m *Model) lookup(w string, f func(int32)) {
	if id, ok := m.index[w]; ok {
		f(id)
	}
}

// Neighbours returns the k words whose vectors are nearest word's by cosine
// similarity, most similar first, without word itself; nil when the model
// does not know word (read as a single lower-cased token) or k < 1. It
// scans every word (about 11 ms for 70,000 on a 2-core Intel Xeon VM,
// BenchmarkModel_Neighbours).
func (m *Model) Neighbours(word string, k int) []Neighbour {
	toks := Tokenize(word)
	if k < 1 || len(toks) != 1 {
		return nil
	}
	qi, ok := m.index[toks[0]]
	if !ok || m.norms[qi] == 0 {
		return nil
	}
	q := m.vecs[int(qi)*m.dim : int(qi+1)*m.dim]
	top := make([]Neighbour, 0, k+1)
	for i := range m.words {
		if int32(i) == qi || m.norms[i] == 0 {
			continue
		}
		row := m.vecs[i*m.dim : (i+1)*m.dim]
		row = row[:len(q)]
		var d0, d1, d2, d3 int32
		d := 0
		for ; d+4 <= len(q); d += 4 {
			d0 += int32(q[d]) * int32(row[d])
			d1 += int32(q[d+1]) * int32(row[d+1])
			d2 += int32(q[d+2]) * int32(row[d+2])
			d3 += int32(q[d+3]) * int32(row[d+3])
		}
		for ; d < len(q); d++ {
			d0 += int32(q[d]) * int32(row[d])
		}
		dot := d0 + d1 + d2 + d3
		sim := float32(dot) / (m.norms[qi] * m.norms[i])
		if len(top) == k && sim <= top[k-1].Sim {
			continue
		}
		j := len(top)
		if j < k {
			top = append(top, Neighbour{})
		} else {
			j = k - 1
		}
		for j > 0 && top[j-1].Sim < sim {
			top[j] = top[j-1]
			j--
		}
		top[j] = Neighbour{Word: m.words[i], Sim: sim}
	}
	return top
}

// wordPostComponents is how many of the word vectors' principal components
// WordVectors removes ("all-but-the-top", Mu and Viswanath 2018). Chosen on
// internal/retrieval's queries.json with Memory Lane's default ranking: 0
// (the mean only) MRR 0.424, 1 0.430, 2 0.446, 3 0.437, 5 0.435.
const wordPostComponents = 2

// postprocess computes, once, the mean of the model's unit-length word
// vectors and the top wordPostComponents principal components of the
// vectors less that mean.
func (m *Model) postprocess() {
	m.wordPostOnce.Do(func() {
		d := m.dim
		mean := make([]float64, d)
		gram := make([]float64, d*d)
		u := make([]float64, d)
		n := 0
		for i := range m.words {
			if m.norms[i] == 0 {
				continue
			}
			inv := 1 / float64(m.norms[i])
			for j, q := range m.vecs[i*d : (i+1)*d] {
				u[j] = float64(q) * inv
				mean[j] += u[j]
			}
			for a := range d {
				ua := u[a]
				row := gram[a*d : (a+1)*d]
				for b := a; b < d; b++ {
					row[b] += ua * u[b]
				}
			}
			n++
		}
		if n == 0 {
			return
		}
		for j := range mean {
			mean[j] /= float64(n)
		}
		// the covariance: E[uuᵀ] − μμᵀ
		for a := range d {
			for b := a; b < d; b++ {
				c := gram[a*d+b]/float64(n) - mean[a]*mean[b]
				gram[a*d+b], gram[b*d+a] = c, c
			}
		}
		vals, vecs := jacobiEigen(gram, d)
		order := make([]int, d)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(x, y int) bool { return vals[order[x]] > vals[order[y]] })
		m.wordMean = make([]float32, d)
		for j, x := range mean {
			m.wordMean[j] = float32(x)
		}
		for c := range min(wordPostComponents, d) {
			comp := make([]float32, d)
			for i := range d {
				comp[i] = float32(vecs[i*d+order[c]])
			}
			m.wordComps = append(m.wordComps, comp)
		}
	})
}

// WordVectors returns each word's GloVe vector (a new slice), post-processed
// for comparing words: the mean of all the model's unit-length word vectors
// is subtracted, and so are the projections on the top two principal
// components of what remains ("all-but-the-top", Mu and Viswanath 2018),
// and the result is scaled to unit length. What every word shares (its
// frequency, mostly) then no longer makes unrelated words look alike. A
// word the model does not know (read as a single lower-cased token) gets
// nil. Callers that compare words by meaning (a search that matches a word
// by its near neighbours) use it; it takes a map look-up per word, and the
// first call about 0.4 s to compute the components.
func (m *Model) WordVectors(words []string) [][]float32 {
	m.postprocess()
	out := make([][]float32, len(words))
	for i, w := range words {
		var ids []int32
		if id, ok := m.index[w]; ok {
			ids = []int32{id}
		} else if toks := Tokenize(w); len(toks) == 1 {
			m.resolve(toks[0], func(id int32) { ids = append(ids, id) })
		}
		v := make([]float32, m.dim)
		known := 0
		for _, id := range ids {
			n := m.norms[id]
			if n == 0 {
				continue
			}
			known++
			inv := 1 / n
			for d, q := range m.vecs[int(id)*m.dim : int(id+1)*m.dim] {
				v[d] += float32(q) * inv
			}
		}
		if known == 0 {
			continue
		}
		for d := range v {
			v[d] = v[d]/float32(known) - m.wordMean[d]
		}
		for _, c := range m.wordComps {
			var dot float32
			for d := range v {
				dot += v[d] * c[d]
			}
			for d := range v {
				v[d] -= dot * c[d]
			}
		}
		normalize(v)
		out[i] = v
	}
	return out
}
