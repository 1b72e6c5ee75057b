package whisper

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/samojournal/samo/inference/whisper/whispertest"
)

func TestExpNeg(t *testing.T) {
	worst := 0.0
	for x := float32(-87); x <= 0; x += 0.0137 {
		want := math.Exp(float64(x))
		got := float64(expNeg(x))
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 5e-6 {
		t.Errorf("worst relative error %.2g", worst)
	}
	for _, x := range []float32{-88, -1000, float32(math.Inf(-1)), float32(math.NaN())} {
		if expNeg(x) != 0 {
			t.Errorf("expNeg(%v) = %v, want 0", x, expNeg(x))
		}
	}
	if expNeg(0) < 0.999995 || expNeg(0) > 1.000005 {
		t.Errorf("expNeg(0) = %v", expNeg(0))
	}
}

// The float32 normaliser over the live ranges gives the token and the
// log-probability that float64 over the whole filtered row gives.
func TestModel_Next(t *testing.T) {
	sp := whispertest.Layout(true)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, ts := range []bool{false, true} {
		m := &Model{opts: Options{Timestamps: ts}, voc: vocabulary{
			sot: sp.StartOfTranscript, eot: sp.EndOfText, noTimestamps: sp.NoTimestamps,
			timestampBegin: sp.TimestampBegin, noSpeech: sp.NoSpeech, suppress: sp.SuppressTokens(),
			beginSuppress: []int{220, sp.EndOfText}, maxInitialTimestamp: 50, maxLength: 448,
		}}
		for trial := range 40 {
			row := make([]float32, sp.VocabSize)
			for i := range row {
				row[i] = float32(rng.NormFloat64() * 4)
			}
			var tokens []int
			switch trial % 4 {
			case 1:
				tokens = []int{sp.TimestampBegin, 500}
			case 2:
				tokens = []int{sp.TimestampBegin, 500, sp.TimestampBegin + 30}
			case 3:
				row[sp.TimestampBegin+100] = 30 // the timestamps outweigh the text
				tokens = []int{sp.TimestampBegin + 10, 500}
			}
			ref := append([]float32(nil), row...)
			m.filter(ref, tokens)
			want := 0
			for i, x := range ref {
				if x > ref[want] {
					want = i
				}
			}
			wantLP := float64(ref[want]) - logSumExp(ref)
			got, lp := m.next(row, tokens, 0, rng)
			if got != want || math.Abs(lp-wantLP) > 2e-4 {
				t.Errorf("timestamps %v, trial %d: token %d (%.6f), want %d (%.6f)", ts, trial, got, lp, want, wantLP)
			}
		}
	}
}

func TestMedian7(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for range 2000 {
		x := make([]float64, 7)
		for i := range x {
			x[i] = float64(rng.IntN(5))
		}
		s := slices.Clone(x)
		slices.Sort(s)
		if got := median7(x); got != s[3] {
			t.Fatalf("median7(%v) = %v, want %v", x, got, s[3])
		}
	}
}
