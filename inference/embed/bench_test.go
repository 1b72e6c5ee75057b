package embed_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/samojournal/samo/inference/embed"
	"github.com/samojournal/samo/inference/embed/embedtest"
	"github.com/samojournal/samo/inference/tokenizer"
)

// journalTexts are journal-like entries of 40 to 60 tokens.
var journalTexts = []string{
	"Woke up before the alarm and lay there listening to the rain. Made coffee, read a few pages, and felt calmer than I have in weeks. Maybe the new routine is finally working, or maybe it's just the quiet weekend.",
	"The meeting ran over again and I snapped at Sam, which wasn't fair. He was only trying to help. I should apologise tomorrow and explain how tired I've been lately, with the move and everything else going on.",
	"Long walk by the river after work. The light on the water was beautiful and I kept thinking about Grandma's garden and the summers we spent there together, picking beans and shelling peas on the back step.",
	"Couldn't focus at all today. Kept checking my phone for news about the job interview. Nervous, hopeful, a little sick to my stomach. They said they'd call by Friday, so there are two more days of this waiting.",
	"Dinner with Priya and Tom. We laughed so much about the disastrous camping trip that my cheeks hurt. I forget how good it feels to be with old friends who knew me before all of this.",
	"Argued with Mum on the phone about the holidays. Same argument as every year. I hung up feeling guilty and angry at the same time, and then cried in the car outside the supermarket for ten minutes.",
	"Finished the first draft of the report! It's rough but it's done. Treated myself to a pastry from the bakery on the corner and ate it on the bench outside while the pigeons watched me hopefully.",
	"Bad night's sleep, woke at three with my heart racing about money. In daylight it seems smaller. Made a budget and a plan, and that helped more than I expected. Going to try to sleep earlier tonight.",
}

// bertTokenizer returns the real BERT-base-uncased tokenizer.json (30,522
// tokens, as all-MiniLM-L6-v2's), which make deps fetches into
// .cache/tokenizers.
func bertTokenizer(tb testing.TB) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", ".cache", "tokenizers", "bert-uncased", "tokenizer.json"))
	if err != nil {
		if os.Getenv("SAMO_SKIP_TOKENIZER_REFERENCE") != "" {
			tb.Skipf("BERT tokenizer missing (%v); skipped because SAMO_SKIP_TOKENIZER_REFERENCE is set", err)
		}
		tb.Fatalf("the BERT tokenizer is missing (%v): run inference/tokenizer/testdata/fetch.sh (make deps does)", err)
	}
	return raw
}

// BenchmarkEmbed_MiniLMSize embeds journal-like texts with a random-weight
// BERT encoder of all-MiniLM-L6-v2's sizes (vocabulary 30,522, hidden 384,
// 6 layers of 12 heads, feed-forward 1536: full BERT layers, see
// embedtest.RandomEncoder), int8 as onnxruntime's dynamic quantization
// writes it, and fp32, with the real BERT tokenizer; tokenizing, pooling
// and normalising included. batch embeds 32 texts per call, as
// re-indexing a journal does; its ms/text extrapolates to ms/10k-entries.
// one embeds one text per call, as a save does.
func BenchmarkEmbed_MiniLMSize(b *testing.B) {
	tok := bertTokenizer(b)
	texts := make([]string, 32)
	for i := range texts {
		texts[i] = journalTexts[i%len(journalTexts)]
	}
	for _, prec := range []string{"int8", "fp32"} {
		b.Run(prec, func(b *testing.B) {
			spec := embedtest.MiniLMSpec(prec == "int8")
			dir := filepath.Join(b.TempDir(), "minilm")
			err := embedtest.Write(dir, embedtest.Export{Tokenizer: tok, Model: embedtest.RandomEncoder(spec),
				Config: embedtest.Config("random-minilm-l6", spec.VocabSize, spec.Hidden)})
			if err != nil {
				b.Fatal(err)
			}
			m := open(b, dir, embed.WithBatchSize(32))
			wp, err := tokenizer.LoadWordPieceJSON(filepath.Join(dir, "tokenizer.json"))
			if err != nil {
				b.Fatal(err)
			}
			tokens := 0
			for _, t := range texts {
				tokens += len(wp.IDs(t)) + 2
			}
			// The first calls size onnxruntime's memory for these shapes.
			if _, err := m.Embed(b.Context(), texts); err != nil {
				b.Fatal(err)
			}
			b.Run("batch", func(b *testing.B) {
				for b.Loop() {
					if _, err := m.Embed(b.Context(), texts); err != nil {
						b.Fatal(err)
					}
				}
				perText := b.Elapsed().Seconds() * 1000 / float64(b.N*len(texts))
				b.ReportMetric(perText, "ms/text")
				b.ReportMetric(perText*10000, "ms/10k-entries")
				b.ReportMetric(float64(tokens)/float64(len(texts)), "tokens/text")
			})
			b.Run("one", func(b *testing.B) {
				i := 0
				for b.Loop() {
					if _, err := m.Embed(b.Context(), texts[i%len(journalTexts):][:1]); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/text")
			})
		})
	}
}
