package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyWordPiece is a small vocabulary that needs no fetched files.
func tinyWordPiece(t testing.TB, opts WordPieceOptions) *WordPiece {
	t.Helper()
	toks := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "happy", "cafe", "café",
		"!", ",", "'", "s", "i", "m", "中", "文", "σ", "ς", "ab", "##c", "a", "##b"}
	path := filepath.Join(t.TempDir(), "vocab.txt")
	if err := os.WriteFile(path, []byte(strings.Join(toks, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := LoadWordPieceVocab(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWordPieceTokenize(t *testing.T) {
	uncased := tinyWordPiece(t, UncasedOptions())
	cased := tinyWordPiece(t, CasedOptions())
	long := strings.Repeat("a", 101)
	tests := []struct {
		name string
		w    *WordPiece
		in   string
		want []string
	}{
		{"pieces", uncased, "unaffable", []string{"un", "##aff", "##able"}},
		{"lower and punctuation", uncased, "HAPPY!", []string{"happy", "!"}},
		{"cased keeps case", cased, "HAPPY", []string{"[UNK]"}},
		{"accents stripped", uncased, "Café", []string{"cafe"}},
		{"accents kept when cased", cased, "café", []string{"café"}},
		{"contraction", uncased, "I'm", []string{"i", "'", "m"}},
		{"cjk split", uncased, "中文", []string{"中", "文"}},
		{"control dropped", uncased, "hap\u0000py\u200b", []string{"happy"}},
		{"whitespace kinds", uncased, "happy\t\u00a0\u3000happy\n", []string{"happy", "happy"}},
		{"unknown word", uncased, "zzz happy", []string{"[UNK]", "happy"}},
		{"partial match is unknown", uncased, "abx", []string{"[UNK]"}},
		{"longest first", uncased, "abc", []string{"ab", "##c"}},
		{"100 chars max", uncased, long, []string{"[UNK]"}},
		{"final sigma", uncased, "ΣΣ Σ", []string{"[UNK]", "σ"}},
		{"specials matched", uncased, "[MASK]happy[SEP]", []string{"[MASK]", "happy", "[SEP]"}},
		{"specials are case sensitive", uncased, "[mask]", []string{"[UNK]", "[UNK]", "[UNK]"}},
		{"invalid utf-8", uncased, "happy\xff\xfe", []string{"happy"}},
		{"empty", uncased, "", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.w.Tokenize(tc.in)
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLowerFull(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ΟΔΟΣ", "οδος"},
		{"ΟΔΟΣ.", "οδος."},
		{"Σ", "σ"},
		{"ΑΣΑ", "ασα"},
		{"ΑΣ'Α", "ασ'α"},
		{"İ", "i̇"},
		{"ÀB", "àb"},
	}
	for _, tc := range tests {
		if got := lowerFull(tc.in); got != tc.want {
			t.Errorf("lowerFull(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEncodeAndWindows(t *testing.T) {
	w := tinyWordPiece(t, UncasedOptions())
	enc := w.Encode("happy happy happy", 4)
	if want := []int{2, 8, 8, 3}; !slices.Equal(enc.IDs, want) {
		t.Errorf("Encode truncated = %v, want %v", enc.IDs, want)
	}
	if !slices.Equal(enc.AttentionMask, []int{1, 1, 1, 1}) || !slices.Equal(enc.TypeIDs, []int{0, 0, 0, 0}) {
		t.Errorf("mask %v, types %v", enc.AttentionMask, enc.TypeIDs)
	}
	if got := w.Encode("happy", 1).IDs; !slices.Equal(got, []int{2, 3}) {
		t.Errorf("Encode with maxLen 1 = %v, want [CLS] [SEP]", got)
	}
	text := strings.TrimSpace(strings.Repeat("happy cafe ", 600)) // 1200 tokens
	tests := []struct {
		name             string
		maxLen, overlap  int
		wantN, wantFirst int
	}{
		{"default 512, no overlap", 0, 0, 3, 512},
		{"512 with 64 overlap", 512, 64, 3, 512},
		{"small windows", 10, 2, 200, 10},
		{"overlap clamped", 10, 100, 299, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := w.EncodeWindows(text, tc.maxLen, tc.overlap)
			if len(ws) != tc.wantN || len(ws[0].IDs) != tc.wantFirst {
				t.Fatalf("%d windows, first %d ids; want %d and %d", len(ws), len(ws[0].IDs), tc.wantN, tc.wantFirst)
			}
			var joined []int
			for i, e := range ws {
				if len(e.IDs) > MaxModelTokens || e.IDs[0] != w.ClassifierID() || e.IDs[len(e.IDs)-1] != w.SeparatorID() {
					t.Fatalf("window %d malformed: %v", i, e.IDs)
				}
				joined = append(joined, e.IDs[1:len(e.IDs)-1]...)
			}
			if len(joined) < 1200 {
				t.Errorf("windows cover %d tokens, want at least 1200", len(joined))
			}
		})
	}
	if ws := w.EncodeWindows("", 0, 0); len(ws) != 1 || !slices.Equal(ws[0].IDs, []int{2, 3}) {
		t.Errorf("EncodeWindows(\"\") = %v", ws)
	}
}

// tinyBPE has the 256 byte tokens and a few merges.
func tinyBPE(t testing.TB) *BPE {
	t.Helper()
	vocab := map[string]int{}
	for _, r := range byteRunes {
		vocab[string(r)] = len(vocab)
	}
	merges := [][2]string{{"Ġ", "h"}, {"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {"Ġh", "ello"}, {"Ġ", "w"}}
	for _, m := range merges {
		if _, ok := vocab[m[0]+m[1]]; !ok {
			vocab[m[0]+m[1]] = len(vocab)
		}
	}
	merges = append(merges, [2]string{"x", "y"}) // result not in vocabulary: ignored
	b, err := NewBPE(vocab, merges, []AddedToken{{Content: "<|eot|>", ID: 1000, Special: true}, {Content: "<x>", ID: 1001}}, BPEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBPE(t *testing.T) {
	b := tinyBPE(t)
	tests := []struct {
		in   string
		want []string
	}{
		{"hello", []string{"hello"}},
		{" hello", []string{"Ġh", "e", "ll", "o"}},
		{" w", []string{"Ġw"}},
		{"hello<|eot|>", []string{"hello", "<|eot|>"}},
		{"xy", []string{"x", "y"}},
		{"hell", []string{"hell"}},
		{"llll", []string{"ll", "ll"}},
	}
	for _, tc := range tests {
		var got []string
		for _, id := range b.IDs(tc.in) {
			got = append(got, b.Token(id))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("IDs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, s := range []string{"hello world <|eot|> <x>", "\xff\x00 ok", "naïve 😂\n\n  x  "} {
		if got := b.Decode(b.IDs(s), false); got != strings.ToValidUTF8(s, "\uFFFD") {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
	if got := b.Decode(b.IDs("a<|eot|>b<x>"), true); got != "ab<x>" {
		t.Errorf("Decode skipping specials = %q, want %q", got, "ab<x>")
	}
	if got := b.Decode([]int{-1, 99999, b.byteID['a']}, false); got != "a" {
		t.Errorf("Decode with bad ids = %q", got)
	}
}

func TestSplitGPT2(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Hello world", []string{"Hello", " world"}},
		{"I'm here", []string{"I", "'m", " here"}},
		{"it's 'S 'll", []string{"it", "'s", " '", "S", " '", "ll"}},
		{"a  b", []string{"a", " ", " b"}},
		{"a   b", []string{"a", "  ", " b"}},
		{"a\nb", []string{"a", "\n", "b"}},
		{"a \n b", []string{"a", " \n", " b"}},
		{"end   ", []string{"end", "   "}},
		{"x123 456", []string{"x", "123", " 456"}},
		{"!!?? ..", []string{"!!??", " .."}},
		{"😂😂 x", []string{"😂😂", " x"}},
		{"中文 テキスト", []string{"中文", " テキスト"}},
		{"\t\tx", []string{"\t", "\t", "x"}},
		{"", nil},
	}
	for _, tc := range tests {
		if got := splitGPT2(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitGPT2(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestByteRunes(t *testing.T) {
	seen := map[rune]bool{}
	for b, r := range byteRunes {
		if seen[r] {
			t.Fatalf("rune %U used twice", r)
		}
		seen[r] = true
		if got, ok := runeByte(r); !ok || int(got) != b {
			t.Fatalf("runeByte(%U) = %d, %v; want %d", r, got, ok, b)
		}
	}
	if byteRunes[' '] != 'Ġ' || byteRunes['\n'] != 'Ċ' {
		t.Errorf("space maps to %q, newline to %q", byteRunes[' '], byteRunes['\n'])
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "missing.txt")
	noUnk := write("nounk.txt", "[CLS]\n[SEP]\nhello\n")
	badUTF8 := write("bad.txt", "[UNK]\n\xff\n")
	vocabJSON := write("vocab.json", `{"a": 0}`)
	badJSON := write("broken.json", `{"a": `)
	badMerges := write("merges.txt", "#version: 0.2\na b c\n")
	okMerges := write("ok_merges.txt", "#version: 0.2\n")
	wrongType := write("tokenizer.json", `{"model": {"type": "Unigram", "vocab": {"a": 0}}}`)
	tests := []struct {
		name string
		load func() error
		want []string
	}{
		{"missing vocab.txt", func() error { _, err := LoadWordPieceVocab(missing, UncasedOptions()); return err }, []string{"tokenizer: ", "missing.txt", "no such file"}},
		{"no [UNK]", func() error { _, err := LoadWordPieceVocab(noUnk, UncasedOptions()); return err }, []string{"nounk.txt", "no [UNK] token"}},
		{"not utf-8", func() error { _, err := LoadWordPieceVocab(badUTF8, UncasedOptions()); return err }, []string{"bad.txt", "not valid UTF-8"}},
		{"malformed vocab.json", func() error { _, err := LoadBPEFiles(badJSON, okMerges, BPEOptions{}); return err }, []string{"broken.json", "malformed vocab.json"}},
		{"malformed merges", func() error { _, err := LoadBPEFiles(vocabJSON, badMerges, BPEOptions{}); return err }, []string{"merges.txt", "line 2"}},
		{"missing byte tokens", func() error { _, err := LoadBPEFiles(vocabJSON, okMerges, BPEOptions{}); return err }, []string{"vocab.json", "no token for byte 0x00"}},
		{"missing merges", func() error { _, err := LoadBPEFiles(vocabJSON, missing, BPEOptions{}); return err }, []string{"missing.txt"}},
		{"wrong model type", func() error { _, err := LoadWordPieceJSON(wrongType); return err }, []string{"tokenizer.json", `model type is "Unigram", want "WordPiece"`}},
		{"malformed tokenizer.json", func() error { _, err := LoadBPEJSON(badJSON); return err }, []string{"broken.json", "malformed tokenizer.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.load()
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "tokenizer: ") {
				t.Errorf("error %q lacks the \"tokenizer: \" prefix", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}
