package wordvec_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference/wordvec"
	"github.com/samojournal/samo/internal/glove"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"empty", "", nil},
		{"lower case", "The Dog RAN", []string{"the", "dog", "ran"}},
		{"n't", "I don't know", []string{"i", "do", "n't", "know"}},
		{"can't and won't", "can't won't", []string{"ca", "n't", "wo", "n't"}},
		{"'m and 's", "I'm at my sister's", []string{"i", "'m", "at", "my", "sister", "'s"}},
		{"'re 've 'll 'd", "we're they've you'll she'd", []string{"we", "'re", "they", "'ve", "you", "'ll", "she", "'d"}},
		{"curly apostrophe", "don’t it’s", []string{"do", "n't", "it", "'s"}},
		{"quotes dropped", "“hello” 'world' \"x\"", []string{"hello", "world", "x"}},
		{"trailing possessive", "the students' books", []string{"the", "students", "books"}},
		{"hyphenated compound", "a well-known place", []string{"a", "well-known", "place"}},
		{"dashes", "tired -- really - tired", []string{"tired", "really", "tired"}},
		{"punctuation", "Wait... what?! (no), yes; ok.", []string{"wait", "what", "no", "yes", "ok"}},
		{"numbers", "3.5 km in 2019, 1,000 times", []string{"3", "5", "km", "in", "2019", "1", "000", "times"}},
		{"letters and digits", "the mid-1990s g7", []string{"the", "mid-1990s", "g7"}},
		{"accents folded", "Café naïve Zoë", []string{"cafe", "naive", "zoe"}},
		{"combining accent", "cafe\u0301", []string{"cafe"}},
		{"emoji and symbols", "so happy 😊🎉 #blessed @you", []string{"so", "happy", "blessed", "you"}},
		{"other scripts", "Привет мир", []string{"привет", "мир"}},
		{"urls", "see https://example.com/a_b", []string{"see", "https", "example", "com", "a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wordvec.Tokenize(tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"I don't know", "sister's", "Café", "well-known", "😊", "'''", "--", "n't"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range wordvec.Tokenize(s) {
			if tok == "" || tok != strings.ToLower(tok) || strings.ContainsAny(tok, " \t\n.,!?\"") {
				t.Errorf("Tokenize(%q) yields %q", s, tok)
			}
		}
	})
}

// tableBytes returns a GloVe table in internal/glove's format: words in
// rank order with random vectors, the same for the same seed.
func tableBytes(words []string, dim int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := []byte("SAMOGLV1")
	b = binary.LittleEndian.AppendUint32(b, uint32(len(words)))
	b = binary.LittleEndian.AppendUint32(b, uint32(dim))
	for _, w := range words {
		b = binary.AppendUvarint(b, uint64(len(w)))
		b = append(b, w...)
	}
	for range len(words) * dim {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(r.NormFloat64())))
	}
	return b
}

var smallWords = []string{"the", ",", "and", "do", "not", "am", "dog", "cat", "ran", "sat", "happy", "sad", "well-known", "park", "rain"}

// smallAsset builds an asset from a 15-word random table.
func smallAsset(t testing.TB) []byte {
	t.Helper()
	tab, err := glove.Decode(tableBytes(smallWords, 8, 7))
	if err != nil {
		t.Fatal(err)
	}
	o := wordvec.DefaultBuildOptions()
	o.Words, o.USIFComponents = 12, 3
	texts := []string{"the dog ran in the park", "the cat sat", "I'm happy", "I don't like rain", "sad and happy", "a well-known dog"}
	data, _, err := wordvec.Build(tab, texts, o)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestBuild_Reproducible(t *testing.T) {
	a, b := smallAsset(t), smallAsset(t)
	if !bytes.Equal(a, b) {
		t.Fatal("two builds from the same inputs differ")
	}
}

func TestLoad_RoundTrip(t *testing.T) {
	data := smallAsset(t)
	for _, method := range []wordvec.Method{wordvec.USIF, wordvec.SIF, wordvec.Mean} {
		t.Run(method.String(), func(t *testing.T) {
			m, err := wordvec.Load(data, wordvec.WithMethod(method))
			if err != nil {
				t.Fatal(err)
			}
			// "," is skipped: Tokenize never yields it.
			if m.Len() != 12 || m.Dim() != 8 {
				t.Errorf("Len, Dim = %d, %d; want 12, 8", m.Len(), m.Dim())
			}
			if want := "glove-" + method.String() + "-8d"; m.Name() != want {
				t.Errorf("Name = %q, want %q", m.Name(), want)
			}
			if len(m.Version()) != 12 {
				t.Errorf("Version = %q, want 12 hex digits", m.Version())
			}
			vs, err := m.Embed(context.Background(), []string{"the dog sat in the park", "happy"})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if n := norm(v); math.Abs(n-1) > 1e-5 {
					t.Errorf("norm %v, want 1", n)
				}
			}
		})
	}
}

func TestLoad_Rejects(t *testing.T) {
	good := smallAsset(t)
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "shorter than the"},
		{"header only", good[:20], "shorter than the"},
		{"bad magic", mutate(func(b []byte) []byte { copy(b, "SAMOGLV1"); return b }), `magic "SAMOGLV1"`},
		{"bad version", mutate(func(b []byte) []byte { b[8] = 9; return b }), "format version 9"},
		{"truncated", good[:len(good)-100], "truncated or corrupt"},
		{"truncated by one", good[:len(good)-1], "truncated or corrupt"},
		{"trailing bytes", append(bytes.Clone(good), 0), "truncated or corrupt"},
		{"flipped vector byte", mutate(func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }), "checksum"},
		{"flipped count", mutate(func(b []byte) []byte { b[12] ^= 1; return b }), "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := wordvec.Load(tt.data)
			if err == nil {
				t.Fatalf("Load = %v, want an error", m)
			}
			if !errors.Is(err, wordvec.ErrFormat) {
				t.Errorf("error %q does not wrap ErrFormat", err)
			}
			if !strings.HasPrefix(err.Error(), "wordvec: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to start with \"wordvec: \" and mention %q", err, tt.want)
			}
		})
	}
}

func TestLoad_UnknownMethod(t *testing.T) {
	if _, err := wordvec.Load(smallAsset(t), wordvec.WithMethod(wordvec.Method(9))); err == nil {
		t.Fatal("Load with method 9: no error")
	}
}

// defaultModel loads the shipped asset with the default method.
func defaultModel(t testing.TB) *wordvec.Model {
	t.Helper()
	m, err := wordvec.Default()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDefault(t *testing.T) {
	m := defaultModel(t)
	if m.Name() != "glove-usif-100d" || m.Dim() != 100 || m.Len() != 70000 {
		t.Errorf("Name, Dim, Len = %q, %d, %d; want glove-usif-100d, 100, 70000", m.Name(), m.Dim(), m.Len())
	}
}

func TestModel_Embed(t *testing.T) {
	m := defaultModel(t)
	texts := []string{
		"I'm so anxious about tomorrow's exam",
		"We grilled burgers in the garden and it rained.",
		"don't",
		"Café", // known after folding accents
	}
	a, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Embed(context.Background(), slices.Clone(texts))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range a {
		if len(v) != 100 {
			t.Fatalf("text %d: %d values, want 100", i, len(v))
		}
		if n := norm(v); math.Abs(n-1) > 1e-5 {
			t.Errorf("%q: norm %v, want 1", texts[i], n)
		}
		if !slices.Equal(v, b[i]) {
			t.Errorf("%q: two embeddings differ", texts[i])
		}
	}
	t.Run("no known word gives zero", func(t *testing.T) {
		for _, text := range []string{"", "   ", "?!...", "😊😊", "12345", "qwxzzkvj"} {
			vs, err := m.Embed(context.Background(), []string{text})
			if err != nil {
				t.Fatal(err)
			}
			if n := norm(vs[0]); n != 0 {
				t.Errorf("%q: norm %v, want the zero vector", text, n)
			}
		}
	})
	t.Run("done context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := m.Embed(ctx, texts); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}

func TestModel_EmbedSimilarity(t *testing.T) {
	for _, method := range []wordvec.Method{wordvec.USIF, wordvec.SIF, wordvec.Mean} {
		t.Run(method.String(), func(t *testing.T) {
			m, err := wordvec.Default(wordvec.WithMethod(method))
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct{ anchor, near, far string }{
				{"I am so anxious about tomorrow's exam", "nervous about the test", "we grilled burgers in the garden"},
				{"my dog died and I can't stop crying", "grieving the loss of my pet", "the quarterly budget meeting went fine"},
				{"I got the job, I'm thrilled!", "so happy about the new position", "the car needs new tyres"},
			}
			for _, tt := range tests {
				vs, err := m.Embed(context.Background(), []string{tt.anchor, tt.near, tt.far})
				if err != nil {
					t.Fatal(err)
				}
				near, far := dot(vs[0], vs[1]), dot(vs[0], vs[2])
				if near <= far {
					t.Errorf("%q: similarity %.3f with %q, not above %.3f with %q", tt.anchor, near, tt.near, far, tt.far)
				}
			}
		})
	}
}

func TestModel_Neighbours(t *testing.T) {
	m := defaultModel(t)
	got := m.Neighbours("Anxious", 10)
	if len(got) != 10 {
		t.Fatalf("Neighbours(anxious, 10): %d words, want 10", len(got))
	}
	var words []string
	for i, n := range got {
		words = append(words, n.Word)
		if n.Word == "anxious" {
			t.Error("the word itself is among its neighbours")
		}
		if i > 0 && n.Sim > got[i-1].Sim {
			t.Errorf("not sorted: %v", got)
		}
		if n.Sim <= 0 || n.Sim > 1.0001 {
			t.Errorf("%s: similarity %v", n.Word, n.Sim)
		}
	}
	if !slices.Contains(words, "nervous") && !slices.Contains(words, "worried") {
		t.Errorf("Neighbours(anxious) = %v, want nervous or worried among them", words)
	}
	for _, tt := range []struct {
		word string
		k    int
	}{{"qwxzzkvj", 5}, {"anxious", 0}, {"", 5}, {"two words", 5}} {
		if got := m.Neighbours(tt.word, tt.k); got != nil {
			t.Errorf("Neighbours(%q, %d) = %v, want nil", tt.word, tt.k, got)
		}
	}
}

func ExampleModel_Embed() {
	m, err := wordvec.Default()
	if err != nil {
		panic(err)
	}
	vs, err := m.Embed(context.Background(), []string{"nervous about the exam", "worried about the test", "grilled burgers"})
	if err != nil {
		panic(err)
	}
	fmt.Println(dot(vs[0], vs[1]) > dot(vs[0], vs[2]))
	// Output: true
}

func BenchmarkModel_Embed(b *testing.B) {
	m := defaultModel(b)
	text := []string{strings.Repeat("Today I felt anxious about the meeting, but my sister called and we laughed about old times. ", 3)[:270]}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Embed(context.Background(), text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkModel_Neighbours(b *testing.B) {
	m := defaultModel(b)
	for b.Loop() {
		m.Neighbours("anxious", 10)
	}
}

func BenchmarkDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wordvec.Default(); err != nil {
			b.Fatal(err)
		}
	}
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestModel_WordVectors(t *testing.T) {
	m, err := wordvec.Default()
	if err != nil {
		t.Fatal(err)
	}
	got := m.WordVectors([]string{"grandma", "Café", "zzqxv", "granny"})
	if got[2] != nil {
		t.Errorf("an unknown word has a vector")
	}
	for _, i := range []int{0, 1, 3} {
		if len(got[i]) != m.Dim() {
			t.Fatalf("word %d: %d values", i, len(got[i]))
		}
		var n float32
		for _, x := range got[i] {
			n += x * x
		}
		if n < 0.99 || n > 1.01 {
			t.Errorf("word %d: squared norm %v", i, n)
		}
	}
	// the vectors are post-processed (all-but-the-top): near words stay
	// near, and an unrelated word is far
	cos := func(a, b []float32) float32 {
		var c float32
		for d := range a {
			c += a[d] * b[d]
		}
		return c
	}
	far := m.WordVectors([]string{"spreadsheet"})[0]
	if near, other := cos(got[0], got[3]), cos(got[0], far); near < 0.4 || near <= other+0.2 {
		t.Errorf("cos(grandma, granny) %v, cos(grandma, spreadsheet) %v", near, other)
	}
}

// Unknown words are read as the known words they are spelt from.
func TestModel_UnknownWordFallbacks(t *testing.T) {
	m := defaultModel(t)
	same := func(a, b string) {
		t.Helper()
		vs := m.WordVectors([]string{a, b})
		if vs[0] == nil || vs[1] == nil {
			t.Fatalf("WordVectors(%q, %q) = %v", a, b, vs)
		}
		if c := dot(vs[0], vs[1]); c < 0.9999 {
			t.Errorf("%q is read as %q: cosine %.4f, want 1", a, b, c)
		}
	}
	same("sleeeep", "sleep") // emphasis, to two letters, then one
	same("happyyyy", "happy")
	same("sleeeeeeeep", "sleep")
	for _, w := range []string{"houseplant", "overtraining"} {
		if m.WordVectors([]string{w})[0] == nil {
			t.Errorf("the compound %q has no vector", w)
		}
	}
	// a compound is its two words: "houseplant" is near "plant" and
	// "house", and "overtraining" reads "over" "training", not "overt"
	// "raining"
	vs := m.WordVectors([]string{"houseplant", "plant", "house", "overtraining", "training", "raining"})
	if dot(vs[0], vs[1]) < 0.6 || dot(vs[0], vs[2]) < 0.6 {
		t.Errorf("houseplant: cosine %.2f with plant, %.2f with house; want both ≥ 0.6", dot(vs[0], vs[1]), dot(vs[0], vs[2]))
	}
	if dot(vs[3], vs[4]) <= dot(vs[3], vs[5]) {
		t.Errorf("overtraining is nearer raining (%.2f) than training (%.2f)", dot(vs[3], vs[5]), dot(vs[3], vs[4]))
	}
	// short or rare pieces are not words: nothing is made up
	for _, w := range []string{"sulkingx", "qzxv", "purrrred1"} {
		if v := m.WordVectors([]string{w})[0]; v != nil {
			t.Errorf("%q got a vector", w)
		}
	}
	// the text embedding reads them too
	e, err := m.Embed(context.Background(), []string{"cant sleeeep", "cant sleep", "qzxv"})
	if err != nil {
		t.Fatal(err)
	}
	if c := dot(e[0], e[1]); c < 0.999 {
		t.Errorf(`"cant sleeeep" and "cant sleep": cosine %.4f, want 1`, c)
	}
	if norm(e[2]) != 0 {
		t.Errorf("a text of no known word has a vector of norm %v", norm(e[2]))
	}
	// a word longer than any word is not read by the fallbacks: a
	// megabyte of letters ("househouse…") is embedded at once, as nothing
	long := strings.Repeat("house", 200_000)
	e, err = m.Embed(context.Background(), []string{long, "a " + long + " plant"})
	if err != nil {
		t.Fatal(err)
	}
	if norm(e[0]) != 0 || norm(e[1]) == 0 {
		t.Errorf("a megabyte word: norms %v and %v, want 0 and the rest's", norm(e[0]), norm(e[1]))
	}
	if v := m.WordVectors([]string{long})[0]; v != nil {
		t.Error("a megabyte word got a word vector")
	}
}
