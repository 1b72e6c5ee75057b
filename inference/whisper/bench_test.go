package whisper

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/whisper/mel"
	"github.com/samojournal/samo/inference/whisper/whispertest"
)

// benchModels are the random-weight models the benchmarks run: whisper-tiny
// and whisper-base sizes, float32 and int8.
func benchModels() []struct {
	name string
	spec whispertest.RandomSpec
} {
	var out []struct {
		name string
		spec whispertest.RandomSpec
	}
	for _, size := range []struct {
		name string
		spec whispertest.RandomSpec
	}{{"tiny", whispertest.Tiny()}, {"base", whispertest.Base()}} {
		for _, q := range []bool{false, true} {
			s := size.spec
			s.Int8 = q
			name := size.name + "/fp32"
			if q {
				name = size.name + "/int8"
			}
			out = append(out, struct {
				name string
				spec whispertest.RandomSpec
			}{name, s})
		}
	}
	return out
}

// openBench writes a random model into a temporary folder and opens it.
func openBench(b *testing.B, spec whispertest.RandomSpec, opts ...func(*Options)) *Model {
	b.Helper()
	dir := b.TempDir()
	if err := whispertest.WriteRandom(dir, spec); err != nil {
		b.Fatal(err)
	}
	variant := ""
	if spec.Int8 {
		variant = "quantized"
	}
	o := Options{Variant: variant, Threads: 2, Language: "en"}
	for _, f := range opts {
		f(&o)
	}
	m, err := Open(shared.Runtime(b), dir, o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m
}

func benchFeatures(nMels int) []float32 {
	rng := rand.New(rand.NewPCG(1, 1))
	f := make([]float32, nMels*WindowFrames)
	for i := range f {
		f[i] = 2*rng.Float32() - 1
	}
	return f
}

// BenchmarkModel measures random-weight models at whisper-tiny and
// whisper-base sizes, float32 and int8 (each generated once into a
// temporary folder): "encoder" is one 30 s window through the encoder;
// "decoder" feeds the 4-token prompt and then 60 tokens one at a time with
// the cache (context 4 to 64), and reports ms/token for those 60.
func BenchmarkModel(b *testing.B) {
	const tokens = 60
	for _, bm := range benchModels() {
		b.Run(bm.name, func(b *testing.B) {
			m := openBench(b, bm.spec)
			feats := benchFeatures(m.cfg.NumMelBins)
			b.Run("encoder", func(b *testing.B) {
				for b.Loop() {
					if err := m.encode(feats); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("decoder", func(b *testing.B) {
				if err := m.encode(feats); err != nil {
					b.Fatal(err)
				}
				w, err := m.newWindow()
				if err != nil {
					b.Fatal(err)
				}
				v := m.voc
				prompt := []int{v.sot, v.languages["en"], v.transcribe, v.noTimestamps}
				var perToken time.Duration
				for b.Loop() {
					// The prompt step also fills the cross-attention cache.
					_, past, err := w.step(prompt, cache{}, -1)
					if err != nil {
						b.Fatal(err)
					}
					start := time.Now()
					for i := range tokens {
						if _, past, err = w.step([]int{1000 + i}, past, -1); err != nil {
							b.Fatal(err)
						}
					}
					perToken += time.Since(start)
				}
				b.ReportMetric(float64(perToken.Microseconds())/1000/float64(b.N*tokens), "ms/token")
			})
		})
	}
}

// BenchmarkRealTime_5min transcribes five minutes of audio the way
// Transcribe does, at whisper-base sizes with int8 weights: for each of the
// ten 30 s windows the log-mel spectrogram, the encoder, the prompt, and
// greedy decoding of 100 tokens with the cache (argmax over the whole
// vocabulary at each step). It reports the real-time factor (seconds of
// work per second of audio) and the process's peak resident memory while
// transcribing (the model loaded; the memory that generating it took is
// released first, and the peak reset where Linux allows).
func BenchmarkRealTime_5min(b *testing.B) {
	const (
		windows = 10
		tokens  = 100
	)
	spec := whispertest.Base()
	spec.Int8 = true
	m := openBench(b, spec)
	ext, err := mel.New(mel.DefaultConfig(m.cfg.NumMelBins))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	audio := make([]float32, windows*WindowSamples)
	for i := range audio {
		audio[i] = 0.1 * (2*rng.Float32() - 1)
	}
	v := m.voc
	prompt := []int{v.sot, v.languages["en"], v.transcribe, v.noTimestamps}
	// Peak memory from here on: the model as loaded, not its generation.
	inferencetest.ResetPeakRSS()
	start := time.Now()
	for b.Loop() {
		for w := range windows {
			feats, err := ext.Features(audio[w*WindowSamples : (w+1)*WindowSamples])
			if err != nil {
				b.Fatal(err)
			}
			if err := m.encode(feats); err != nil {
				b.Fatal(err)
			}
			win, err := m.newWindow()
			if err != nil {
				b.Fatal(err)
			}
			logits, past, err := win.step(prompt, cache{}, -1)
			if err != nil {
				b.Fatal(err)
			}
			for range tokens {
				next := argmax(logits[len(logits)-1])
				if logits, past, err = win.step([]int{next}, past, -1); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	perRun := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(perRun/(float64(windows)*WindowDuration.Seconds()), "RTF")
	if kb := inferencetest.PeakRSSKiB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
	}
}

func argmax(xs []float32) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}

// benchRow returns a logits row of whisper-base's vocabulary, roughly as a
// real decoder step gives it: most tokens far below a few likely ones.
func benchRow(n int) []float32 {
	rng := rand.New(rand.NewPCG(5, 5))
	row := make([]float32, n)
	for i := range row {
		row[i] = float32(rng.NormFloat64() * 3)
	}
	row[1000] = 25
	return row
}

// BenchmarkToken is the Go work per generated token, without onnxruntime:
// Whisper's logit rules, the normaliser (the chosen token's
// log-probability) and the choice, over a 51,865-logit row, greedy and
// sampling, with and without timestamps.
func BenchmarkToken(b *testing.B) {
	sp := whispertest.Layout(true)
	for _, c := range []struct {
		name       string
		timestamps bool
		t          float32
	}{{"greedy", false, 0}, {"greedy-timestamps", true, 0}, {"sampling", false, 0.5}, {"sampling-timestamps", true, 0.5}} {
		b.Run(c.name, func(b *testing.B) {
			m := &Model{opts: Options{Timestamps: c.timestamps}, voc: vocabulary{
				sot: sp.StartOfTranscript, eot: sp.EndOfText, noTimestamps: sp.NoTimestamps,
				timestampBegin: sp.TimestampBegin, noSpeech: sp.NoSpeech, suppress: sp.SuppressTokens(),
				beginSuppress: []int{220, sp.EndOfText}, maxInitialTimestamp: 50, maxLength: 448,
			}}
			row := benchRow(sp.VocabSize)
			logits := make([]float32, len(row))
			tokens := []int{1000, 2000, 3000}
			if c.timestamps {
				tokens = []int{sp.TimestampBegin, 1000, 2000}
			}
			rng := rand.New(rand.NewPCG(1, 1))
			b.ReportAllocs()
			copy(logits, row)
			for b.Loop() {
				// The row is filtered in place, as a decoder step's is; the
				// rules leave it the same at each pass here.
				m.next(logits, tokens, c.t, rng)
			}
		})
	}
}

// BenchmarkWindow_30s decodes one 30 s window the way Transcribe does, at
// whisper-base size with int8 weights: the encoder, the prompt, greedy
// decoding of up to 100 tokens (the checks off, so that no fallback runs)
// and the words' times. "plain" is an export without cross-attention
// outputs (words interpolated); "words" one with them (a _timestamped
// export), aligned, and "words-off" the same export with NoAlignment: the
// difference is what word timestamps cost per window. The random tokens
// decode to no text with the fixtures' small vocabulary, so the window's
// tokens are made one segment here (as window does) before the words are
// timed.
//
// "bare" is the baseline (bare_test.go): the same files run with
// onnxruntime_go directly, the prompt and 100 argmax steps, nothing else;
// "timestamps" is "plain" with Timestamps, as the live path and the CLI
// decode. tokens is the window's generated tokens (100 for a fair ratio).
// Compare bare and plain each in its own process, back to back (scripts/
// bench.sh says how).
func BenchmarkWindow_30s(b *testing.B) {
	b.Run("bare", benchBare)
	for _, c := range []struct {
		name       string
		cross, off bool
		timestamps bool
	}{{"plain", false, false, false}, {"timestamps", false, false, true}, {"words", true, false, false}, {"words-off", true, true, false}} {
		b.Run(c.name, func(b *testing.B) {
			spec := whispertest.Base()
			spec.Int8 = true
			spec.CrossAttentions = c.cross
			m := openBench(b, spec, func(o *Options) {
				o.MaxTokens, o.Temperatures, o.NoAlignment = 100, []float32{0}, c.off
				o.Timestamps = c.timestamps
				o.NoSpeechThreshold, o.DisableLogProbCheck, o.CompressionRatioThreshold = -1, true, -1
			})
			feats := benchFeatures(m.cfg.NumMelBins)
			inferencetest.ResetPeakRSS()
			var wordsTime time.Duration
			tokens := 0
			for b.Loop() {
				if err := m.encode(feats); err != nil {
					b.Fatal(err)
				}
				a, lang, err := m.decodeWindow(context.Background(), 0, "en")
				if err != nil {
					b.Fatal(err)
				}
				// The random tokens are one segment, as window makes it
				// of a transcript without timestamps.
				var pos []int
				for i, t := range a.tokens {
					if t < m.voc.eot {
						pos = append(pos, i)
					}
				}
				tokens += len(a.tokens)
				segs := []Segment{{Start: 0, End: WindowDuration}}
				start := time.Now()
				m.addWords(a, segs, [][]int{pos}, 0, WindowDuration, lang)
				wordsTime += time.Since(start)
			}
			b.ReportMetric(float64(wordsTime.Microseconds())/1000/float64(b.N), "words-ms")
			b.ReportMetric(float64(tokens)/float64(b.N), "tokens")
			if kb := inferencetest.PeakRSSKiB(); kb > 0 {
				b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
			}
		})
	}
}
