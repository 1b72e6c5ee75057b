package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are the hand-written sentences.
func fuzzSeeds(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "sentences.json"))
	if err != nil {
		f.Fatal(err)
	}
	var seeds []string
	if err := json.Unmarshal(data, &seeds); err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add("\xff\xfe invalid \xc3")
}

// haveVocab reports whether the fetched vocabularies are present; without
// them the fuzz targets run on the tiny built-in vocabularies.
func haveVocab() (string, bool) {
	dir := filepath.Join("..", "..", ".cache", "tokenizers")
	_, err := os.Stat(filepath.Join(dir, "gpt2", "tokenizer.json"))
	return dir, err == nil
}

func FuzzWordPiece(f *testing.F) {
	fuzzSeeds(f)
	var uncased, cased *WordPiece
	if dir, ok := haveVocab(); ok {
		var err error
		if uncased, err = LoadWordPieceVocab(filepath.Join(dir, "bert-uncased", "vocab.txt"), UncasedOptions()); err != nil {
			f.Fatal(err)
		}
		if cased, err = LoadWordPieceJSON(filepath.Join(dir, "bert-cased", "tokenizer.json")); err != nil {
			f.Fatal(err)
		}
	} else {
		uncased, cased = tinyWordPiece(f, UncasedOptions()), tinyWordPiece(f, CasedOptions())
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range []*WordPiece{uncased, cased} {
			enc := w.Encode(s, 0)
			n := len(enc.IDs)
			if n < 2 || len(enc.AttentionMask) != n || len(enc.TypeIDs) != n {
				t.Fatalf("malformed encoding %+v", enc)
			}
			for _, id := range enc.IDs {
				if id < 0 || id >= w.VocabSize() {
					t.Fatalf("id %d outside vocabulary of %d", id, w.VocabSize())
				}
			}
			for _, e := range w.EncodeWindows(s, 16, 4) {
				if len(e.IDs) > 16 {
					t.Fatalf("window of %d ids", len(e.IDs))
				}
			}
		}
	})
}

func FuzzBPE(f *testing.F) {
	fuzzSeeds(f)
	var b *BPE
	if dir, ok := haveVocab(); ok {
		var err error
		if b, err = LoadBPEJSON(filepath.Join(dir, "gpt2", "tokenizer.json")); err != nil {
			f.Fatal(err)
		}
	} else {
		b = tinyBPE(f)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids := b.IDs(s)
		for _, id := range ids {
			if id < 0 || id >= b.VocabSize() {
				t.Fatalf("id %d outside vocabulary of %d", id, b.VocabSize())
			}
		}
		if got, want := b.Decode(ids, false), strings.ToValidUTF8(s, "\uFFFD"); got != want && validUTF8(s) {
			t.Fatalf("round trip: got %q, want %q", got, s)
		}
	})
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
