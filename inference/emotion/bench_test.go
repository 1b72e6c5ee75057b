package emotion_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/assets"
	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/models"
)

// benchTexts are journal-like texts of 5 to 64 words.
var benchTexts = []string{
	"Thank you so much for coming to my birthday, it meant the world to me.",
	"I can't believe they cancelled the trip again without telling anyone.",
	"Woke up early, made coffee, and watched the rain for a while before work.",
	"I miss my grandmother. Her garden is still there but nobody tends it anymore, and every time I walk past it I remember the summers we spent there together.",
	"Honestly I'm nervous about the interview tomorrow, what if I freeze?",
	"That was the funniest thing I've seen all week lol",
	"Finally finished the marathon! My legs hurt but I'm so proud of myself.",
	"Why does this keep happening to me?",
	"The meeting moved to Thursday.",
	"I'm so angry at how they treated her in front of everyone, it was humiliating and completely unnecessary, and nobody said a word. I should have spoken up, and I'm disappointed in myself for staying quiet while my friend was embarrassed like that.",
	"What a relief, the test results came back clear.",
	"Ugh, this traffic is disgusting and I'm going to be late again.",
}

func builtIn(b testing.TB) *emotion.Classifier {
	b.Helper()
	bundle, err := models.OpenFS(assets.EmotionModel())
	if err != nil {
		b.Fatal(err)
	}
	c, err := emotion.Open(realRuntime(b), bundle, emotion.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkEmotion_OneText reads one text at a time, as a save does:
// featurizing and onnxruntime included.
func BenchmarkEmotion_OneText(b *testing.B) {
	c := builtIn(b)
	for _, t := range benchTexts { // the first runs size onnxruntime's memory
		if _, err := c.Analyze([]string{t}); err != nil {
			b.Fatal(err)
		}
	}
	var ds []time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := c.Analyze([]string{benchTexts[i%len(benchTexts)]}); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		i++
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds()), "p95-µs")
}

// BenchmarkEmotion_Batch scores 1,024 texts per call, in steady state:
// onnxruntime sizes its memory for the batches' shapes over the first
// calls, whose time on a freshly opened classifier is reported apart
// (cold-ms, the first two calls together).
func BenchmarkEmotion_Batch(b *testing.B) {
	c := builtIn(b)
	texts := make([]string, 1024)
	for i := range texts {
		texts[i] = benchTexts[i%len(benchTexts)]
	}
	t0 := time.Now()
	for range 2 {
		if _, err := c.Scores(texts); err != nil {
			b.Fatal(err)
		}
	}
	cold := time.Since(t0)
	for b.Loop() {
		if _, err := c.Scores(texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(texts))*float64(b.N)/b.Elapsed().Seconds(), "texts/s")
	b.ReportMetric(float64(cold.Milliseconds()), "cold-ms")
}

// BenchmarkEmotion_LongEntry reads one 1 MiB text (128 windows of 8 KiB)
// and explains it: MB/s, and the process's peak resident memory over the
// reading (a text's features grow with its length; windows bound them).
func BenchmarkEmotion_LongEntry(b *testing.B) {
	c := builtIn(b)
	var sb strings.Builder
	for i := 0; sb.Len() < 1<<20; i++ {
		sb.WriteString(benchTexts[i%len(benchTexts)])
		sb.WriteString(" ")
	}
	text := sb.String()
	if _, err := c.Explain(text); err != nil { // warm: onnxruntime sizes its memory
		b.Fatal(err)
	}
	inferencetest.ResetPeakRSS()
	for b.Loop() {
		if _, err := c.Explain(text); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(text))*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
	if kb := inferencetest.PeakRSSKiB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-MiB")
	}
}

// BenchmarkEmotion_Explain reads one text with its reasons.
func BenchmarkEmotion_Explain(b *testing.B) {
	c := builtIn(b)
	text := strings.Join(benchTexts[:2], " ")
	for b.Loop() {
		if _, err := c.Explain(text); err != nil {
			b.Fatal(err)
		}
	}
}
