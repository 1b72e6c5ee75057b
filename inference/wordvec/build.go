package wordvec

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/samojournal/samo/internal/glove"
)

// BuildOptions says how Build makes an asset. DefaultBuildOptions gives the
// values the shipped asset was built with.
type BuildOptions struct {
	// Words is how many of the table's most frequent words to keep
	// (punctuation and symbols, which Tokenize never yields, are skipped
	// and not counted).
	Words int `json:"words"`
	// ZipfVocab and ZipfOffset give each word's prior probability from its
	// frequency rank r (0 for the most frequent word of the table):
	// p(r) = 1/(r+1+ZipfOffset) / Σ_{s<ZipfVocab} 1/(s+1+ZipfOffset), a
	// Zipf–Mandelbrot law over GloVe 6B's whole vocabulary of 400,000.
	ZipfVocab  int     `json:"zipf_vocab"`
	ZipfOffset float64 `json:"zipf_offset"`
	// CorpusBlend is the share of a word's probability taken from its
	// relative frequency in the build texts (0: Zipf alone):
	// p = (1−CorpusBlend)·p_zipf + CorpusBlend·count/total.
	CorpusBlend float64 `json:"corpus_blend"`
	// SIFA is SIF's weight parameter a in a/(a + p(w)).
	SIFA float64 `json:"sif_a"`
	// SIFComponents and USIFComponents are how many common components each
	// method removes (1 and 5 in their papers).
	SIFComponents  int `json:"sif_components"`
	USIFComponents int `json:"usif_components"`
}

// DefaultBuildOptions returns the options the shipped asset was built with.
func DefaultBuildOptions() BuildOptions {
	return BuildOptions{
		Words:          70000,
		ZipfVocab:      400000,
		ZipfOffset:     2.7,
		CorpusBlend:    0.5,
		SIFA:           1e-3,
		SIFComponents:  1,
		USIFComponents: 5,
	}
}

// BuildInfo describes a built asset, for its manifest.
type BuildInfo struct {
	Words int `json:"words"`
	// Texts is the number of build texts with at least one known word;
	// MeanLength their mean number of known words (uSIF's n).
	Texts      int     `json:"texts"`
	MeanLength float64 `json:"mean_length"`
	// USIFAlpha is the share of words with p(w) above uSIF's threshold
	// 1 − (1 − 1/V)^n, USIFA the weight parameter (1 − α)/(α·V/2).
	USIFAlpha float64 `json:"usif_alpha"`
	USIFA     float64 `json:"usif_a"`
	// SIFSingular and USIFSingular are the singular values of the removed
	// components, USIFWeights uSIF's λ_i = σ_i²/Σσ².
	SIFSingular  []float64 `json:"sif_singular_values"`
	USIFSingular []float64 `json:"usif_singular_values"`
	USIFWeights  []float64 `json:"usif_weights"`
}

// Build makes an asset from the GloVe table t and build texts (GoEmotions
// train comments for the shipped one): it keeps o.Words words, quantizes
// their vectors to int8 with a per-word scale, gives each a probability
// and computes each method's common components over the texts' sentence
// vectors. The same inputs give the same bytes.
func Build(t *glove.Table, texts []string, o BuildOptions) ([]byte, BuildInfo, error) {
	var info BuildInfo
	switch {
	case o.Words < 1, o.ZipfVocab < t.Len(), o.ZipfOffset < 0, o.CorpusBlend < 0, o.CorpusBlend > 1,
		!(o.SIFA > 0), o.SIFComponents < 0, o.USIFComponents < 0, o.SIFComponents > t.Dim(), o.USIFComponents > t.Dim():
		return nil, info, fmt.Errorf("wordvec: build: bad options %+v", o)
	}
	a := &asset{dim: t.Dim(), sifA: float32(o.SIFA), index: map[string]int32{}}
	all := t.Words()
	var ranks []int
	for r, w := range all {
		if len(a.words) == o.Words {
			break
		}
		if tokenLike(w) {
			a.index[w] = int32(len(a.words))
			a.words = append(a.words, w)
			ranks = append(ranks, r)
		}
	}
	if len(a.words) == 0 {
		return nil, info, errors.New("wordvec: build: the table has no word to keep")
	}
	n := len(a.words)
	info.Words = n

	// Vectors: symmetric int8 with a per-word scale.
	a.scale = make([]float32, n)
	a.vecs = make([]int8, n*a.dim)
	for i, w := range a.words {
		v, _ := t.Vector(w)
		var maxAbs float32
		for _, x := range v {
			maxAbs = max(maxAbs, float32(math.Abs(float64(x))))
		}
		if maxAbs == 0 {
			continue
		}
		s := maxAbs / 127
		a.scale[i] = s
		for d, x := range v {
			a.vecs[i*a.dim+d] = int8(math.Round(float64(x / s)))
		}
	}

	// Probabilities: Zipf–Mandelbrot by rank, blended with build-text counts.
	var h float64
	for s := range o.ZipfVocab {
		h += 1 / (float64(s) + 1 + o.ZipfOffset)
	}
	a.prob = make([]float32, n)
	tmp := newModel(a, Mean, "")
	counts := make([]float64, n)
	var total float64
	for _, text := range texts {
		tmp.forEachWord(text, func(id int32) { counts[id]++; total++ })
	}
	for i, r := range ranks {
		p := 1 / (float64(r) + 1 + o.ZipfOffset) / h
		if total > 0 {
			p = (1-o.CorpusBlend)*p + o.CorpusBlend*counts[i]/total
		}
		a.prob[i] = float32(p)
	}

	// uSIF's weight parameter from the mean text length.
	var lengths, nonEmpty int
	for _, text := range texts {
		k := 0
		tmp.forEachWord(text, func(int32) { k++ })
		if k > 0 {
			lengths += k
			nonEmpty++
		}
	}
	if nonEmpty == 0 {
		return nil, info, errors.New("wordvec: build: no build text has a known word")
	}
	info.Texts = nonEmpty
	info.MeanLength = float64(lengths) / float64(nonEmpty)
	v := float64(n)
	threshold := 1 - math.Pow(1-1/v, info.MeanLength)
	above := 0
	for _, p := range a.prob {
		if float64(p) > threshold {
			above++
		}
	}
	info.USIFAlpha = float64(max(above, 1)) / v
	info.USIFA = (1 - info.USIFAlpha) / (info.USIFAlpha * 0.5 * v)
	a.usifA = float32(info.USIFA)

	// Common components: the top right singular vectors of each method's
	// (uncentred) sentence vectors over the build texts.
	var err error
	a.sifComp, info.SIFSingular, err = components(a, SIF, texts, o.SIFComponents)
	if err != nil {
		return nil, info, err
	}
	a.usifComp, info.USIFSingular, err = components(a, USIF, texts, o.USIFComponents)
	if err != nil {
		return nil, info, err
	}
	var ss float64
	for _, s := range info.USIFSingular {
		ss += s * s
	}
	a.usifW = make([]float32, len(a.usifComp))
	for i, s := range info.USIFSingular {
		w := 0.0
		if ss > 0 {
			w = s * s / ss
		}
		info.USIFWeights = append(info.USIFWeights, w)
		a.usifW[i] = float32(w)
	}
	return a.encode(), info, nil
}

// tokenLike reports whether Tokenize can yield w: letters and digits with
// inner hyphens or apostrophes.
func tokenLike(w string) bool {
	var toks []string
	forEachToken(w, func(s string) { toks = append(toks, s) })
	return len(toks) == 1 && toks[0] == w
}

// components returns the top k right singular vectors of the method's
// sentence vectors over texts, each with its largest entry positive, and
// their singular values.
func components(a *asset, method Method, texts []string, k int) ([][]float32, []float64, error) {
	if k == 0 {
		return nil, nil, nil
	}
	m := newModel(a, method, "")
	d := a.dim
	gram := make([]float64, d*d)
	v := make([]float32, d)
	for _, text := range texts {
		clear(v)
		if m.sum(text, v) == 0 {
			continue
		}
		for i := range d {
			for j := i; j < d; j++ {
				gram[i*d+j] += float64(float64(v[i]) * float64(v[j])) // no fused multiply-add
			}
		}
	}
	for i := range d {
		for j := range i {
			gram[i*d+j] = gram[j*d+i]
		}
	}
	vals, vecs := jacobiEigen(gram, d)
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return vals[order[x]] > vals[order[y]] })
	comps := make([][]float32, k)
	sing := make([]float64, k)
	for c := range k {
		col := order[c]
		sing[c] = math.Sqrt(max(vals[col], 0))
		best := 0
		for i := range d {
			if math.Abs(vecs[i*d+col]) > math.Abs(vecs[best*d+col]) {
				best = i
			}
		}
		sign := 1.0
		if vecs[best*d+col] < 0 {
			sign = -1
		}
		comps[c] = make([]float32, d)
		for i := range d {
			comps[c][i] = float32(sign * vecs[i*d+col])
		}
	}
	return comps, sing, nil
}

// jacobiEigen returns the eigenvalues of the symmetric n×n matrix a
// (row-major; it is overwritten) and the eigenvectors as the columns of an
// n×n matrix, by cyclic Jacobi rotations: plain arithmetic in a fixed
// order, so the result is the same on every run.
func jacobiEigen(a []float64, n int) ([]float64, []float64) {
	v := make([]float64, n*n)
	for i := range n {
		v[i*n+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		var off, diag float64
		for i := range n {
			diag += a[i*n+i] * a[i*n+i]
			for j := i + 1; j < n; j++ {
				off += a[i*n+j] * a[i*n+j]
			}
		}
		if off <= 1e-30*diag {
			break
		}
		for p := range n {
			for q := p + 1; q < n; q++ {
				apq := a[p*n+q]
				if apq == 0 {
					continue
				}
				theta := (a[q*n+q] - a[p*n+p]) / (2 * apq)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range n {
					akp, akq := a[k*n+p], a[k*n+q]
					a[k*n+p] = float64(c*akp) - float64(s*akq)
					a[k*n+q] = float64(s*akp) + float64(c*akq)
				}
				for k := range n {
					apk, aqk := a[p*n+k], a[q*n+k]
					a[p*n+k] = float64(c*apk) - float64(s*aqk)
					a[q*n+k] = float64(s*apk) + float64(c*aqk)
				}
				for k := range n {
					vkp, vkq := v[k*n+p], v[k*n+q]
					v[k*n+p] = float64(c*vkp) - float64(s*vkq)
					v[k*n+q] = float64(s*vkp) + float64(c*vkq)
				}
			}
		}
	}
	vals := make([]float64, n)
	for i := range n {
		vals[i] = a[i*n+i]
	}
	return vals, v
}
