package tokenizer

import (
	"path/filepath"
	"strings"
	"testing"
)

// benchText is a typical 64-word journal sentence.
var benchText = strings.Join(strings.Fields(`Today I finally talked to my sister about the argument we had last
month, and honestly it went better than I expected. She apologised first, which surprised me, and
then we both laughed together about how silly the whole thing was. I still feel a little anxious about seeing
Dad on Sunday, but I'm grateful that at least one thing is fixed now 🙂`), " ")

func BenchmarkWordPiece(b *testing.B) {
	w, err := LoadWordPieceVocab(filepath.Join(vocabDir(b), "bert-uncased", "vocab.txt"), UncasedOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		w.Encode(benchText, MaxModelTokens)
	}
}

func BenchmarkBPE(b *testing.B) {
	t, err := LoadBPEJSON(filepath.Join(vocabDir(b), "gpt2", "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		t.IDs(benchText)
	}
}

// BenchmarkBPEUncached measures merging without the word cache.
func BenchmarkBPEUncached(b *testing.B) {
	t, err := LoadBPEJSON(filepath.Join(vocabDir(b), "gpt2", "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	pieces := splitGPT2(benchText)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pieces {
			t.merge(p)
		}
	}
}
