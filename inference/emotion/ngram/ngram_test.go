package ngram_test

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference/emotion/ngram"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"I can't BELIEVE it!!", []string{"i", "can't", "believe", "it", "!", "!"}},
		{"Thanks [NAME] 😂😂", []string{"thanks", "[", "name", "]", "😂", "😂"}},
		{"it’s   café\tnaïve", []string{"it's", "café", "naïve"}},
		{"bad \xff byte", []string{"bad", "byte"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			toks := ngram.Tokenize(tt.text)
			var got []string
			for _, tok := range toks {
				got = append(got, tok.Text)
				if tok.Start < 0 || tok.End > len(tt.text) || tok.Start >= tok.End {
					t.Fatalf("token %q has span %d–%d in a %d-byte text", tok.Text, tok.Start, tok.End, len(tt.text))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Tokenize(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

var corpus = []string{
	"I love this so much",
	"I love you",
	"this is so sad",
	"so sad and lonely",
	"thank you so much",
	"thank you!",
}

func TestVocab_Transform(t *testing.T) {
	cfg := ngram.DefaultConfig()
	cfg.CharMinDF = 3 // the small corpus has few character n-grams in 6 texts
	v := ngram.Fit(corpus, cfg, []string{"love", "sad", "love"})
	if v.Rows() != v.SparseRows()+2 {
		t.Fatalf("rows %d, sparse %d: want two vector rows (the repeated word once)", v.Rows(), v.SparseRows())
	}
	f := v.Transform("I love love this")
	var word, char float64
	var vecRows int
	for i, x := range f.Features {
		if i > 0 && x.Row <= f.Features[i-1].Row {
			t.Fatalf("rows not sorted and unique: %v", f.Features)
		}
		name := v.Name(x.Row)
		switch name[0] {
		case 'w':
			word += float64(x.Value * x.Value)
		case 'c':
			char += float64(x.Value * x.Value)
		case 'v':
			vecRows++
			if name != "v:love" || x.Value != 1 || len(x.Tokens) != 2 {
				t.Fatalf("vector feature %s value %v tokens %v, want v:love with value 1 from two tokens", name, x.Value, x.Tokens)
			}
		}
	}
	if math.Abs(word-1) > 1e-5 || math.Abs(char-1) > 1e-5 {
		t.Fatalf("group norms² word %v char %v, want 1 each", word, char)
	}
	if vecRows != 1 {
		t.Fatalf("%d vector rows, want 1", vecRows)
	}
	// "love this" is a bigram seen once in the corpus (min df 2): absent;
	// "love" (df 2) present, spanning tokens 1 and 2.
	for _, x := range f.Features {
		if v.Name(x.Row) == "w:love" && !slices.Equal(x.Tokens, []int32{1, 2}) {
			t.Fatalf("w:love tokens %v, want [1 2]", x.Tokens)
		}
		if v.Name(x.Row) == "w:love this" {
			t.Fatal("a bigram below the minimum document frequency became a feature")
		}
	}
	if got := v.Transform("zzzz qqqq"); len(got.Features) != 0 {
		t.Fatalf("unknown words gave features %v", got.Features)
	}
}

func TestVocab_WriteReadRoundTrip(t *testing.T) {
	v := ngram.Fit(corpus, ngram.DefaultConfig(), []string{"sad", "love"})
	var buf bytes.Buffer
	n, err := v.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	w, err := ngram.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if w.Config != v.Config || w.Rows() != v.Rows() || !slices.Equal(w.VectorWords(), v.VectorWords()) {
		t.Fatalf("round trip changed the vocabulary: %+v/%d vs %+v/%d", w.Config, w.Rows(), v.Config, v.Rows())
	}
	for _, text := range append(corpus, "so much love, so sad") {
		a, b := v.Transform(text), w.Transform(text)
		if len(a.Features) != len(b.Features) {
			t.Fatalf("%q: %d vs %d features after the round trip", text, len(a.Features), len(b.Features))
		}
		for i := range a.Features {
			if a.Features[i].Row != b.Features[i].Row || a.Features[i].Value != b.Features[i].Value {
				t.Fatalf("%q: feature %d differs after the round trip", text, i)
			}
		}
	}
	// every truncation is an error, never a panic or a short vocabulary
	data := buf.Bytes()
	for n := 0; n < len(data); n += max(1, len(data)/97) {
		if _, err := ngram.Read(bytes.NewReader(data[:n])); err == nil {
			t.Fatalf("a vocabulary cut to %d of %d bytes was accepted", n, len(data))
		}
	}
	if _, err := ngram.Read(strings.NewReader("not a vocabulary")); !errors.Is(err, ngram.ErrFormat) {
		t.Fatalf("bad magic: %v, want ErrFormat", err)
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	ngram.Fit(corpus, ngram.DefaultConfig(), []string{"sad"}).WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("SAMONGR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ngram.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, x := range v.Transform("I love this so much, so sad").Features {
			if int(x.Row) >= v.Rows() || math.IsNaN(float64(x.Value)) {
				t.Fatalf("feature %+v out of range or NaN", x)
			}
		}
	})
}

func FuzzTransform(f *testing.F) {
	v := ngram.Fit(corpus, ngram.DefaultConfig(), []string{"sad"})
	for _, c := range corpus {
		f.Add(c)
	}
	f.Add("\xff\xfe 😂 [NAME]")
	f.Fuzz(func(t *testing.T, text string) {
		for _, x := range v.Transform(text).Features {
			if int(x.Row) >= v.Rows() || math.IsNaN(float64(x.Value)) || math.IsInf(float64(x.Value), 0) {
				t.Fatalf("feature %+v out of range or not finite", x)
			}
		}
	})
}

func TestVocab_VectorIDs(t *testing.T) {
	cfg := ngram.DefaultConfig()
	cfg.WordMinDF, cfg.CharMinDF, cfg.VectorWeight = 1, 1, 2
	v := ngram.Fit([]string{"so sad today", "happy today"}, cfg, []string{"sad", "today", "!"})
	tests := []struct {
		text   string
		ids    []int32
		shares []float32
	}{
		// "so" has no vector; "!" does; each vector token's share is
		// VectorWeight over the 3 tokens with a vector.
		{"So sad today!", []int32{0, 1, 2, 3}, []float32{0, 2.0 / 3, 2.0 / 3, 2.0 / 3}},
		// padded to MinSequence
		{"sad", []int32{1, 0, 0}, []float32{2, 0, 0}},
		{"zzz", []int32{0, 0, 0}, []float32{0, 0, 0}},
		{"today today", []int32{2, 2, 0}, []float32{1, 1, 0}},
	}
	for _, tt := range tests {
		ids, shares := v.VectorIDs(v.Transform(tt.text))
		if !slices.Equal(ids, tt.ids) || !slices.EqualFunc(shares, tt.shares, func(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-6 }) {
			t.Errorf("%q: ids %v shares %v, want %v %v", tt.text, ids, shares, tt.ids, tt.shares)
		}
	}
}
