package wordvec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"unicode/utf8"
)

// magic opens every asset; formatVersion is the layout this package reads
// and writes.
const (
	magic         = "SAMOWVEC"
	formatVersion = 1
	headerLen     = len(magic) + 4*5 + 4*2
)

// ErrFormat is wrapped by every error Load returns for data that is not a
// well-formed asset: a bad magic or version, truncated or trailing bytes, a
// checksum mismatch, a bad word or a value that is not finite.
var ErrFormat = errors.New("bad asset")

// asset is the decoded content of the binary format (see the package
// documentation).
type asset struct {
	dim      int
	sifA     float32
	usifA    float32
	words    []string
	index    map[string]int32 // word → its position in words
	prob     []float32        // p(w), one per word
	scale    []float32        // dequantisation scale, one per word
	vecs     []int8           // len(words) × dim
	sifComp  [][]float32
	usifComp [][]float32
	usifW    []float32 // λ_i, one per uSIF component
}

// encode writes a in the binary format.
func (a *asset) encode() []byte {
	n, k, m := len(a.words), len(a.sifComp), len(a.usifComp)
	out := make([]byte, 0, headerLen+n*(12+a.dim)+(k+m)*a.dim*4+m*4+4)
	out = append(out, magic...)
	for _, v := range []int{formatVersion, n, a.dim, k, m} {
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	out = binary.LittleEndian.AppendUint32(out, math.Float32bits(a.sifA))
	out = binary.LittleEndian.AppendUint32(out, math.Float32bits(a.usifA))
	for _, w := range a.words {
		out = binary.AppendUvarint(out, uint64(len(w)))
		out = append(out, w...)
	}
	out = appendFloats(out, a.prob)
	out = appendFloats(out, a.scale)
	for _, q := range a.vecs {
		out = append(out, byte(q))
	}
	for _, c := range a.sifComp {
		out = appendFloats(out, c)
	}
	for i, c := range a.usifComp {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(a.usifW[i]))
		out = appendFloats(out, c)
	}
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
}

func appendFloats(out []byte, v []float32) []byte {
	for _, f := range v {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
	}
	return out
}

// decode reads an asset from data; the result does not keep data.
func decode(data []byte) (*asset, error) {
	if len(data) < headerLen+4 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header and checksum", ErrFormat, len(data), headerLen+4)
	}
	if got := string(data[:len(magic)]); got != magic {
		return nil, fmt.Errorf("%w: magic %q, want %q", ErrFormat, got, magic)
	}
	u32 := func(i int) uint64 { return uint64(binary.LittleEndian.Uint32(data[len(magic)+4*i:])) }
	if v := u32(0); v != formatVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrFormat, v, formatVersion)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.ChecksumIEEE(body); got != sum {
		return nil, fmt.Errorf("%w: checksum %08x, the data says %08x: truncated or corrupt", ErrFormat, got, sum)
	}
	count, dim, k, m := u32(1), u32(2), u32(3), u32(4)
	if dim == 0 || dim > 4096 || k > dim || m > dim {
		return nil, fmt.Errorf("%w: %d dimensions with %d and %d components", ErrFormat, dim, k, m)
	}
	a := &asset{dim: int(dim)}
	a.sifA = math.Float32frombits(uint32(u32(5)))
	a.usifA = math.Float32frombits(uint32(u32(6)))
	if !positive(a.sifA) || !positive(a.usifA) {
		return nil, fmt.Errorf("%w: weight parameters %v and %v, want finite and positive", ErrFormat, a.sifA, a.usifA)
	}
	rest := body[headerLen:]
	// Each word takes at least 2 bytes, 8 for its probability and scale and
	// dim for its vector: refuse a count the data cannot hold before
	// allocating for it.
	if count == 0 || count > uint64(len(rest))/(10+dim) {
		return nil, fmt.Errorf("%w: %d words of %d dimensions do not fit in %d bytes", ErrFormat, count, dim, len(rest))
	}
	// The words share one string: one allocation instead of one per word.
	a.words = make([]string, count)
	a.index = make(map[string]int32, count)
	ends := make([]int, count)
	var text []byte
	for i := range a.words {
		n, size := binary.Uvarint(rest)
		if size <= 0 || n == 0 || n > uint64(len(rest)-size) {
			return nil, fmt.Errorf("%w: word %d of %d: bad length", ErrFormat, i, count)
		}
		text = append(text, rest[size:size+int(n)]...)
		ends[i] = len(text)
		rest = rest[size+int(n):]
	}
	all, start := string(text), 0
	for i, end := range ends {
		w := all[start:end]
		start = end
		if !utf8.ValidString(w) {
			return nil, fmt.Errorf("%w: word %d (%q) is not valid UTF-8", ErrFormat, i, w)
		}
		if _, dup := a.index[w]; dup {
			return nil, fmt.Errorf("%w: word %q appears twice", ErrFormat, w)
		}
		a.index[w] = int32(i)
		a.words[i] = w
	}
	want := count*(8+dim) + (k+m)*dim*4 + m*4
	if uint64(len(rest)) != want {
		return nil, fmt.Errorf("%w: %d bytes after the words, want %d for %d words, %d dimensions, %d+%d components",
			ErrFormat, len(rest), want, count, dim, k, m)
	}
	var err error
	if a.prob, rest, err = readFloats(rest, int(count), "probability"); err != nil {
		return nil, err
	}
	for i, p := range a.prob {
		if !positive(p) || p > 1 {
			return nil, fmt.Errorf("%w: word %q: probability %v, want in (0, 1]", ErrFormat, a.words[i], p)
		}
	}
	if a.scale, rest, err = readFloats(rest, int(count), "scale"); err != nil {
		return nil, err
	}
	for i, s := range a.scale {
		if s < 0 {
			return nil, fmt.Errorf("%w: word %q: scale %v, want at least 0", ErrFormat, a.words[i], s)
		}
	}
	a.vecs = make([]int8, count*dim)
	for i := range a.vecs {
		a.vecs[i] = int8(rest[i])
	}
	rest = rest[count*dim:]
	a.sifComp = make([][]float32, k)
	for i := range a.sifComp {
		if a.sifComp[i], rest, err = readFloats(rest, int(dim), "component"); err != nil {
			return nil, err
		}
	}
	a.usifComp, a.usifW = make([][]float32, m), make([]float32, m)
	for i := range a.usifComp {
		var w []float32
		if w, rest, err = readFloats(rest, 1, "component weight"); err != nil {
			return nil, err
		}
		a.usifW[i] = w[0]
		if a.usifComp[i], rest, err = readFloats(rest, int(dim), "component"); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// readFloats reads n little-endian float32s from the front of b; each must
// be finite.
func readFloats(b []byte, n int, what string) ([]float32, []byte, error) {
	out := make([]float32, n)
	for i := range out {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, nil, fmt.Errorf("%w: %s %d is %v, want finite", ErrFormat, what, i, v)
		}
		out[i] = v
	}
	return out, b[4*n:], nil
}

func positive(f float32) bool {
	return f > 0 && !math.IsInf(float64(f), 0)
}
