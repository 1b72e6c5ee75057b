package glove

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"unicode/utf8"
)

// magic opens every table file.
const magic = "SAMOGLV1"

// ErrFormat is wrapped by every error Load and Decode return for data that
// is not a well-formed table: a bad magic, a truncated or oversized file, a
// bad word or a value that is not finite.
var ErrFormat = errors.New("bad table")

// Table holds word vectors in rank order, most frequent word first. It is
// read-only after Load or Decode and safe for concurrent use.
type Table struct {
	dim   int
	words []string
	index map[string]int
	vecs  []float32 // len(words) × dim
}

// Load reads the table file at path, as written by Convert.
func Load(path string) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("glove: load table: %w", err)
	}
	t, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("glove: load %s: %w", path, err)
	}
	return t, nil
}

// Decode reads a table from data, as written by Convert. The table does not
// keep data.
func Decode(data []byte) (*Table, error) {
	t, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("glove: %w", err)
	}
	return t, nil
}

func decode(data []byte) (*Table, error) {
	const headerLen = len(magic) + 8
	if len(data) < headerLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrFormat, len(data), headerLen)
	}
	if got := string(data[:len(magic)]); got != magic {
		return nil, fmt.Errorf("%w: magic %q, want %q", ErrFormat, got, magic)
	}
	count := uint64(binary.LittleEndian.Uint32(data[len(magic):]))
	dim := uint64(binary.LittleEndian.Uint32(data[len(magic)+4:]))
	rest := data[headerLen:]
	if dim == 0 {
		return nil, fmt.Errorf("%w: dimension 0", ErrFormat)
	}
	// Each word takes at least 2 bytes (length and one byte) and each vector
	// 4×dim: refuse a count the data cannot hold before allocating for it.
	// (Divide rather than multiply: the product can overflow.)
	if count > uint64(len(rest))/(2+4*dim) {
		return nil, fmt.Errorf("%w: truncated: %d words of %d dimensions do not fit in the %d bytes after the header",
			ErrFormat, count, dim, len(rest))
	}

	t := &Table{
		dim:   int(dim),
		words: make([]string, count),
		index: make(map[string]int, count),
	}
	for i := range t.words {
		n, size := binary.Uvarint(rest)
		if size <= 0 {
			return nil, fmt.Errorf("%w: word %d of %d: truncated or bad length", ErrFormat, i, count)
		}
		rest = rest[size:]
		if n == 0 || n > uint64(len(rest)) {
			return nil, fmt.Errorf("%w: word %d of %d: length %d, with %d bytes left", ErrFormat, i, count, n, len(rest))
		}
		word := string(rest[:n])
		rest = rest[n:]
		if !utf8.ValidString(word) {
			return nil, fmt.Errorf("%w: word %d of %d (%q) is not valid UTF-8", ErrFormat, i, count, word)
		}
		if j, dup := t.index[word]; dup {
			return nil, fmt.Errorf("%w: word %q at both %d and %d", ErrFormat, word, j, i)
		}
		t.words[i] = word
		t.index[word] = i
	}
	if want := count * dim * 4; uint64(len(rest)) != want {
		return nil, fmt.Errorf("%w: %d bytes of vectors, want %d (%d words × %d dimensions × 4)",
			ErrFormat, len(rest), want, count, dim)
	}
	t.vecs = make([]float32, count*dim)
	for k := range t.vecs {
		v := math.Float32frombits(binary.LittleEndian.Uint32(rest[4*k:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("%w: word %q: value %d is %v, want finite", ErrFormat, t.words[uint64(k)/dim], uint64(k)%dim, v)
		}
		t.vecs[k] = v
	}
	return t, nil
}

// Dim returns the number of dimensions of every vector.
func (t *Table) Dim() int { return t.dim }

// Len returns the number of words.
func (t *Table) Len() int { return len(t.words) }

// Words returns the words in rank order, most frequent first, in a new slice.
func (t *Table) Words() []string { return append([]string(nil), t.words...) }

// Index returns word's rank: 0 for the most frequent word in the table. Words
// are matched exactly; the GloVe vocabulary is lower case.
func (t *Table) Index(word string) (int, bool) {
	i, ok := t.index[word]
	return i, ok
}

// Vector returns word's vector, of Dim values, and whether the table has the
// word. The slice shares the table's memory: read it, do not change it.
func (t *Table) Vector(word string) ([]float32, bool) {
	i, ok := t.index[word]
	if !ok {
		return nil, false
	}
	return t.vecs[i*t.dim : (i+1)*t.dim : (i+1)*t.dim], true
}
