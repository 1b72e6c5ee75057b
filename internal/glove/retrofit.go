package glove

// Retrofit returns a copy of t whose vectors are pulled toward those of
// their neighbours in a lexicon (Faruqui et al. 2015, "Retrofitting Word
// Vectors to Semantic Lexicons"): iters times, in rank order, each word
// with neighbours in the table becomes
//
//	(alpha·original + mean of its neighbours' current vectors) / (alpha + 1)
//
// Words without neighbours keep their vectors. The same inputs give the
// same table.
func (t *Table) Retrofit(neighbours map[string][]string, iters int, alpha float64) *Table {
	out := &Table{dim: t.dim, words: t.words, index: t.index, vecs: append([]float32(nil), t.vecs...)}
	links := make([][]int, len(t.words))
	for i, w := range t.words {
		for _, n := range neighbours[w] {
			if j, ok := t.index[n]; ok && j != i {
				links[i] = append(links[i], j)
			}
		}
	}
	d := t.dim
	sum := make([]float64, d)
	for range iters {
		for i, ns := range links {
			if len(ns) == 0 {
				continue
			}
			clear(sum)
			for _, j := range ns {
				for k, x := range out.vecs[j*d : (j+1)*d] {
					sum[k] += float64(x)
				}
			}
			inv := 1 / float64(len(ns))
			for k := range d {
				out.vecs[i*d+k] = float32((alpha*float64(t.vecs[i*d+k]) + sum[k]*inv) / (alpha + 1))
			}
		}
	}
	return out
}
