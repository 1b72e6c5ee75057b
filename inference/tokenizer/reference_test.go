package tokenizer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fetchScript is what puts the vocabularies in place.
const fetchScript = "inference/tokenizer/testdata/fetch.sh"

// vocabDir returns the repository's .cache/tokenizers folder. When the
// vocabularies are missing the test fails, telling how to fetch them, unless
// SAMO_SKIP_TOKENIZER_REFERENCE is set, in which case it is skipped.
func vocabDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", ".cache", "tokenizers"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range []string{"bert-uncased/vocab.txt", "bert-uncased/tokenizer.json", "bert-cased/tokenizer.json",
		"gpt2/vocab.json", "gpt2/merges.txt", "gpt2/tokenizer.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			if os.Getenv("SAMO_SKIP_TOKENIZER_REFERENCE") != "" {
				tb.Skipf("vocabularies missing (%v); skipped because SAMO_SKIP_TOKENIZER_REFERENCE is set", err)
			}
			tb.Fatalf("tokenizer vocabularies are missing (%v): run %s from the repository root (make deps does), "+
				"or set SAMO_SKIP_TOKENIZER_REFERENCE=1 to skip this test", err, fetchScript)
		}
	}
	return dir
}

// referenceFile is one of testdata/reference_*.json.
type referenceFile struct {
	Reference      string  `json:"reference"`
	GoEmotionsFile string  `json:"goemotions_file"`
	GoEmotionsN    int     `json:"goemotions_count"`
	Sentences      [][]int `json:"sentences"`
	GoEmotions     [][]int `json:"goemotions"`
}

func readJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

func referenceSentences(tb testing.TB) []string {
	var s []string
	readJSON(tb, "reference_sentences.json", &s)
	return s
}

// goEmotionsTexts returns the first n texts of GoEmotions' dev.tsv, or nil
// when the data set is not on this machine.
func goEmotionsTexts(tb testing.TB, file string, n int) []string {
	tb.Helper()
	dir := os.Getenv("SAMO_GOEMOTIONS_DIR")
	if dir == "" {
		dir = "/work/shared/data/goemotions"
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if errors.Is(err, os.ErrNotExist) {
		tb.Logf("GoEmotions not found in %s (set SAMO_GOEMOTIONS_DIR): its part is skipped", dir)
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	var texts []string
	for line := range strings.SplitSeq(string(data), "\n") {
		if line == "" {
			continue
		}
		if len(texts) == n {
			break
		}
		text, _, _ := strings.Cut(line, "\t")
		texts = append(texts, text)
	}
	if len(texts) < n {
		tb.Fatalf("%s has %d texts, the reference has %d", file, len(texts), n)
	}
	return texts
}

// TestReference compares every tokenizer, loaded both ways, with the ids
// transformers.js produced (testdata/reference.mjs) for the same sentences.
func TestReference(t *testing.T) {
	dir := vocabDir(t)
	sentences := referenceSentences(t)
	at := func(p string) string { return filepath.Join(dir, p) }

	type idsFunc func(string) []int
	wordpiece := func(w *WordPiece, err error) idsFunc {
		if err != nil {
			t.Fatal(err)
		}
		return func(s string) []int { return w.Encode(s, 0).IDs }
	}
	bpe := func(b *BPE, err error) idsFunc {
		if err != nil {
			t.Fatal(err)
		}
		return b.IDs
	}
	// Whisper-style added tokens exist only in gpt2/tokenizer.json.
	whisperOnly := func(s string) bool {
		return strings.Contains(s, "<|") && strings.ContainsAny(strings.ReplaceAll(s, "<|endoftext|>", ""), "|")
	}
	tests := []struct {
		name, family, ref string
		ids               idsFunc
		skip              func(string) bool
	}{
		{"uncased vocab.txt", "wordpiece", "reference_wordpiece_uncased.json", wordpiece(LoadWordPieceVocab(at("bert-uncased/vocab.txt"), UncasedOptions())), nil},
		{"uncased tokenizer.json", "wordpiece", "reference_wordpiece_uncased.json", wordpiece(LoadWordPieceJSON(at("bert-uncased/tokenizer.json"))), nil},
		{"cased vocab.txt", "wordpiece", "reference_wordpiece_cased.json", wordpiece(LoadWordPieceVocab(at("bert-uncased/vocab.txt"), CasedOptions())), nil},
		{"cased tokenizer.json", "wordpiece", "reference_wordpiece_cased.json", wordpiece(LoadWordPieceJSON(at("bert-cased/tokenizer.json"))), nil},
		{"gpt2 tokenizer.json", "bpe", "reference_bpe.json", bpe(LoadBPEJSON(at("gpt2/tokenizer.json"))), nil},
		{"gpt2 vocab.json+merges.txt", "bpe", "reference_bpe.json", bpe(LoadBPEFiles(at("gpt2/vocab.json"), at("gpt2/merges.txt"), BPEOptions{})), whisperOnly},
	}
	agree := map[string]int{}
	total := map[string]int{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ref referenceFile
			readJSON(t, tc.ref, &ref)
			if len(ref.Sentences) != len(sentences) {
				t.Fatalf("%s has %d sentences, reference_sentences.json %d", tc.ref, len(ref.Sentences), len(sentences))
			}
			texts := slices.Clone(sentences)
			want := slices.Clone(ref.Sentences)
			if goe := goEmotionsTexts(t, ref.GoEmotionsFile, ref.GoEmotionsN); goe != nil {
				texts = append(texts, goe...)
				want = append(want, ref.GoEmotions...)
			}
			ok, n := 0, 0
			for i, text := range texts {
				if tc.skip != nil && tc.skip(text) {
					continue
				}
				n++
				got := tc.ids(text)
				if slices.Equal(got, want[i]) {
					ok++
					continue
				}
				if n-ok <= 10 {
					t.Errorf("text %d %q:\n got %v\nwant %v", i, text, got, want[i])
				}
			}
			t.Logf("%s: %d/%d agree with %s", tc.name, ok, n, ref.Reference)
			agree[tc.family] += ok
			total[tc.family] += n
		})
	}
	t.Logf("wordpiece: %d/%d agree, bpe: %d/%d agree", agree["wordpiece"], total["wordpiece"], agree["bpe"], total["bpe"])
}
