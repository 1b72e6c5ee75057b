package glove_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/internal/glove"
)

// word is one hand-made input vector.
type word struct {
	text string
	rank int
	vec  []float64
}

// words are deliberately not in rank order, so that a Convert that trusted
// key order would fail; they include non-ASCII words.
var words = []word{
	{"joy", 2, []float64{0.5, -0.25, 1}},
	{"café", 4, []float64{0.125, 0.75, -1.5}},
	{"the", 0, []float64{1, 0, 0}},
	{"“", 5, []float64{-0.001, 0.002, 0.003}},
	{"happy", 1, []float64{0.375, 1e-8, -3.25}},
	{"日本", 3, []float64{0, 0, 0}},
}

// inputJSON writes ws in the package's JSON layout, with the other members
// the real file has around "vectors".
func inputJSON(ws []word) string {
	var b strings.Builder
	dim := len(ws[0].vec)
	fmt.Fprintf(&b, `{"precision":8,"l2NormIndex":%d,"wordIndex":%d,"size":%d,"dimensions":%d,"words":[`,
		dim, dim+1, len(ws), dim)
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", w.text)
	}
	b.WriteString(`],"vectors":{`)
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(',')
		}
		var norm float64
		fmt.Fprintf(&b, "%q:[", w.text)
		for _, v := range w.vec {
			fmt.Fprintf(&b, "%v,", v)
			norm += v * v
		}
		fmt.Fprintf(&b, "%v,%d]", math.Sqrt(norm), w.rank)
	}
	fmt.Fprintf(&b, `},"unkVector":[%s-1]}`, strings.Repeat("0,", dim))
	return b.String()
}

// byRank returns the texts of ws sorted by rank.
func byRank(ws []word) []string {
	s := slices.Clone(ws)
	slices.SortFunc(s, func(a, b word) int { return a.rank - b.rank })
	out := make([]string, len(s))
	for i, w := range s {
		out[i] = w.text
	}
	return out
}

func convert(t testing.TB, in string, top int) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := glove.Convert(strings.NewReader(in), &out, top); err != nil {
		t.Fatalf("Convert: %v", err)
	}
	return out.Bytes()
}

func TestConvert_RoundTrip(t *testing.T) {
	tab, err := glove.Decode(convert(t, inputJSON(words), 100))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != len(words) || tab.Dim() != 3 {
		t.Fatalf("Len, Dim = %d, %d; want %d, 3", tab.Len(), tab.Dim(), len(words))
	}
	if got, want := tab.Words(), byRank(words); !slices.Equal(got, want) {
		t.Errorf("Words() = %q, want %q", got, want)
	}
	for _, w := range words {
		t.Run(w.text, func(t *testing.T) {
			if i, ok := tab.Index(w.text); !ok || i != w.rank {
				t.Errorf("Index = %d, %v; want %d, true", i, ok, w.rank)
			}
			v, ok := tab.Vector(w.text)
			if !ok || len(v) != 3 {
				t.Fatalf("Vector = %v, %v; want 3 values", v, ok)
			}
			for j, x := range v {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Errorf("value %d is %v", j, x)
				}
				if x != float32(w.vec[j]) {
					t.Errorf("value %d is %v, want %v", j, x, float32(w.vec[j]))
				}
			}
		})
	}
	if v, ok := tab.Vector("Joy"); ok {
		t.Errorf(`Vector("Joy") = %v, true; want no match (exact case)`, v)
	}
	if _, ok := tab.Index("absent"); ok {
		t.Error(`Index("absent") found a word`)
	}
	ws := tab.Words()
	ws[0] = "changed"
	if tab.Words()[0] != "the" {
		t.Error("changing the slice from Words changed the table")
	}
}

func TestConvert_TopN(t *testing.T) {
	all := byRank(words)
	for _, top := range []int{1, 2, 3, len(words), len(words) + 10} {
		t.Run(fmt.Sprint(top), func(t *testing.T) {
			tab, err := glove.Decode(convert(t, inputJSON(words), top))
			if err != nil {
				t.Fatal(err)
			}
			want := all[:min(top, len(all))]
			if got := tab.Words(); !slices.Equal(got, want) {
				t.Errorf("Words() = %q, want %q", got, want)
			}
			for _, w := range words {
				if _, ok := tab.Vector(w.text); ok != (w.rank < top) {
					t.Errorf("Vector(%q) found = %v, want %v (rank %d)", w.text, ok, w.rank < top, w.rank)
				}
			}
		})
	}
}

func TestConvert_Errors(t *testing.T) {
	valid := inputJSON(words)
	tests := []struct {
		name, in string
		top      int
		want     string
	}{
		{"no words wanted", valid, 0, "top 0"},
		{"empty input", "", 1, "EOF"},
		{"not an object", `[1,2]`, 1, "at the top level"},
		{"truncated", valid[:len(valid)/2], 1, "unexpected EOF"},
		{"no vectors", `{"words":["a"]}`, 1, "no word vectors"},
		{"empty vectors", `{"vectors":{}}`, 1, "no word vectors"},
		{"vectors not an object", `{"vectors":[1]}`, 1, `"vectors"`},
		{"vectors twice", `{"vectors":{"a":[1,1,0]},"vectors":{}}`, 1, "twice"},
		{"too few values", `{"vectors":{"a":[1,0]}}`, 1, `word "a": 2 values`},
		{"wrong length", `{"vectors":{"a":[1,1,0],"ünï":[1,2,1,1]}}`, 1, `word "ünï": 4 values, want 3`},
		{"string value", `{"vectors":{"a":[1,"x",0]}}`, 1, `word "a"`},
		{"null vector", `{"vectors":{"a":null}}`, 1, `word "a": 0 values`},
		{"beyond float32", `{"vectors":{"a":[1e39,1e39,0]}}`, 1, `word "a": value 0 is 1e+39`},
		{"beyond float64", `{"vectors":{"a":[1e999,1,0]}}`, 1, `word "a"`},
		{"negative norm", `{"vectors":{"a":[1,-1,0]}}`, 1, `word "a": norm`},
		{"fractional rank", `{"vectors":{"a":[1,1,0.5]}}`, 1, `word "a": rank is 0.5`},
		{"negative rank", `{"vectors":{"a":[1,1,-1]}}`, 1, `word "a": rank is -1`},
		{"repeated word", `{"vectors":{"a":[1,1,0],"a":[1,1,1]}}`, 1, `word "a" appears twice`},
		{"repeated rank", `{"vectors":{"a":[1,1,0],"b":[1,1,0]}}`, 1, `words "a" and "b" both have rank 0`},
		{"empty word", `{"vectors":{"":[1,1,0]}}`, 1, "empty word"},
		{"dimensions disagree", `{"dimensions":2,"vectors":{"a":[1,1,0]}}`, 1, `"dimensions" is 2, want 1`},
		{"wordIndex disagrees", `{"wordIndex":1,"vectors":{"a":[1,1,0]}}`, 1, `"wordIndex" is 1, want 2`},
		{"bad header", `{"dimensions":"x","vectors":{"a":[1,1,0]}}`, 1, `"dimensions"`},
		{"data after", `{"vectors":{"a":[1,1,0]}} {}`, 1, "after the top-level object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := glove.Convert(strings.NewReader(tt.in), &out, tt.top)
			if err == nil {
				t.Fatalf("Convert succeeded, want an error containing %q", tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "glove: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("Convert: %q, want it prefixed \"glove: \" and containing %q", msg, tt.want)
			}
		})
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestConvert_WriteError(t *testing.T) {
	err := glove.Convert(strings.NewReader(inputJSON(words)), errWriter{}, 10)
	if err == nil || !strings.Contains(err.Error(), "glove: write table: disk full") {
		t.Errorf("Convert = %v, want the write error", err)
	}
}

// table hand-writes a table file, so that tests can write bad ones.
func table(count, dim uint32, ws []string, vals []float32) []byte {
	b := []byte("SAMOGLV1")
	b = binary.LittleEndian.AppendUint32(b, count)
	b = binary.LittleEndian.AppendUint32(b, dim)
	for _, w := range ws {
		b = binary.AppendUvarint(b, uint64(len(w)))
		b = append(b, w...)
	}
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func TestDecode(t *testing.T) {
	// The hand-written table and Convert's agree byte for byte.
	ws := []word{{"a", 0, []float64{1, 2}}, {"bé", 1, []float64{-0.5, 0}}}
	want := table(2, 2, []string{"a", "bé"}, []float32{1, 2, -0.5, 0})
	if got := convert(t, inputJSON(ws), 10); !bytes.Equal(got, want) {
		t.Fatalf("Convert wrote\n%x\nwant\n%x", got, want)
	}
	empty, err := glove.Decode(table(0, 5, nil, nil))
	if err != nil || empty.Len() != 0 || empty.Dim() != 5 {
		t.Errorf("Decode(empty table) = %v, %v", empty, err)
	}
}

func TestDecode_Errors(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "0 bytes, shorter than the 16-byte header"},
		{"bad magic", append([]byte("SAMOGLV0"), table(1, 1, []string{"a"}, []float32{1})[8:]...), `magic "SAMOGLV0", want "SAMOGLV1"`},
		{"other file", []byte("<html><body>Not found</body></html>"), `magic "<html><b"`},
		{"dimension 0", table(1, 0, []string{"a"}, nil), "dimension 0"},
		{"huge count", table(math.MaxUint32, math.MaxUint32, []string{"a"}, []float32{1}), "truncated"},
		{"count too big", table(2, 1, []string{"a"}, []float32{1}), "truncated"},
		{"truncated vectors", table(2, 1, []string{"a", "b"}, []float32{1}), "truncated"},
		{"missing vectors", table(1, 1, []string{"abcdef"}, nil), "0 bytes of vectors, want 4"},
		{"extra bytes", table(1, 1, []string{"a"}, []float32{1, 2}), "8 bytes of vectors, want 4"},
		{"empty word", table(1, 1, []string{""}, []float32{1, 2}), "word 0 of 1: length 0"},
		{"word past the end", append(table(1, 1, nil, nil), 100, 'a', 0, 0, 0, 0), "word 0 of 1: length 100, with 5 bytes left"},
		{"bad utf-8", table(1, 1, []string{"\xff"}, []float32{1}), "not valid UTF-8"},
		{"repeated word", table(2, 1, []string{"a", "a"}, []float32{1, 2}), `word "a" at both 0 and 1`},
		{"NaN", table(2, 2, []string{"a", "bé"}, []float32{1, 2, 3, nan}), `word "bé": value 1 is NaN`},
		{"Inf", table(1, 1, []string{"a"}, []float32{float32(math.Inf(-1))}), `word "a": value 0 is -Inf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := glove.Decode(tt.data)
			if err == nil {
				t.Fatalf("Decode = %d words, want an error containing %q", tab.Len(), tt.want)
			}
			if !errors.Is(err, glove.ErrFormat) {
				t.Errorf("Decode: %v, want it to wrap ErrFormat", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "glove: bad table: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("Decode: %q, want it prefixed \"glove: bad table: \" and containing %q", msg, tt.want)
			}
		})
	}
}

func TestDecode_Truncated(t *testing.T) {
	data := convert(t, inputJSON(words), 100)
	for n := range len(data) {
		if _, err := glove.Decode(data[:n]); !errors.Is(err, glove.ErrFormat) {
			t.Fatalf("Decode(first %d of %d bytes) = %v, want ErrFormat", n, len(data), err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	data := convert(t, inputJSON(words), 100)
	good := filepath.Join(dir, "good.bin")
	short := filepath.Join(dir, "short.bin")
	if err := os.WriteFile(good, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(short, data[:len(data)-1], 0o644); err != nil {
		t.Fatal(err)
	}

	tab, err := glove.Load(good)
	if err != nil || tab.Len() != len(words) {
		t.Fatalf("Load(good) = %v, %v", tab, err)
	}
	_, err = glove.Load(short)
	if !errors.Is(err, glove.ErrFormat) || !strings.HasPrefix(err.Error(), "glove: load "+short+": bad table: ") {
		t.Errorf("Load(short) = %v, want ErrFormat naming the file", err)
	}
	_, err = glove.Load(filepath.Join(dir, "absent.bin"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "glove: load table: ") {
		t.Errorf("Load(absent) = %v, want fs.ErrNotExist", err)
	}
}

// realTable is where scripts/fetch-glove.sh (run by make deps) puts the
// converted vectors, relative to this package.
const realTable = "../../.cache/glove/glove-100d-100k.bin"

// loadReal loads the real vectors. Without them the test is skipped, or
// fails when SAMO_REQUIRE_ALL is set (make test sets it), so that CI never
// passes it by skipping.
func loadReal(t *testing.T) *glove.Table {
	t.Helper()
	if _, err := os.Stat(realTable); errors.Is(err, fs.ErrNotExist) {
		const msg = "no .cache/glove/glove-100d-100k.bin: run scripts/fetch-glove.sh (make deps runs it) to test the real vectors"
		if os.Getenv("SAMO_REQUIRE_ALL") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	tab, err := glove.Load(realTable)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func cos(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

func TestLoad_Real(t *testing.T) {
	tab := loadReal(t)
	if tab.Len() != 100000 || tab.Dim() != 100 {
		t.Fatalf("Len, Dim = %d, %d; want 100000, 100", tab.Len(), tab.Dim())
	}
	if ws := tab.Words(); !slices.Equal(ws[:5], []string{"the", ",", ".", "of", "to"}) {
		t.Errorf("the first words are %q", ws[:5])
	}
	vec := func(w string) []float32 {
		v, ok := tab.Vector(w)
		if !ok {
			t.Fatalf("%q is missing", w)
		}
		return v
	}
	for _, w := range []string{"happy", "sad", "angry", "afraid", "grateful", "lonely"} {
		vec(w)
	}
	king, queen, banana := vec("king"), vec("queen"), vec("banana")
	kq, kb := cos(king, queen), cos(king, banana)
	if kq <= kb {
		t.Errorf("cos(king, queen) = %.3f, not above cos(king, banana) = %.3f", kq, kb)
	}
	hg, ht := cos(vec("happy"), vec("glad")), cos(vec("happy"), vec("tuesday"))
	if hg <= ht {
		t.Errorf("cos(happy, glad) = %.3f, not above cos(happy, tuesday) = %.3f", hg, ht)
	}
	t.Logf("cos(king, queen) %.3f, cos(king, banana) %.3f, cos(happy, glad) %.3f, cos(happy, tuesday) %.3f", kq, kb, hg, ht)
}

func FuzzDecode(f *testing.F) {
	valid := convert(f, inputJSON(words), 100)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add(table(1, 1, []string{"a"}, []float32{1}))
	f.Add(table(0, 1, nil, nil))
	f.Add([]byte("SAMOGLV1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := glove.Decode(data)
		if err != nil {
			if !errors.Is(err, glove.ErrFormat) {
				t.Fatalf("Decode: %v, not ErrFormat", err)
			}
			return
		}
		for i, w := range tab.Words() {
			if j, ok := tab.Index(w); !ok || j != i {
				t.Fatalf("Index(%q) = %d, %v; want %d", w, j, ok, i)
			}
			v, ok := tab.Vector(w)
			if !ok || len(v) != tab.Dim() {
				t.Fatalf("Vector(%q) has %d values, want %d", w, len(v), tab.Dim())
			}
			for _, x := range v {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("Vector(%q) holds %v", w, x)
				}
			}
		}
	})
}
