package emotion

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// noisy returns texts whose label scores follow their gold labels with
// noise: a set where thresholds matter.
func noisy(n int, seed uint64) ([][]float32, [][]int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	scores := make([][]float32, n)
	gold := make([][]int, n)
	for i := range scores {
		s := make([]float32, NumLabels)
		g := []int{rng.IntN(NumLabels)}
		if rng.Float64() < 0.4 {
			g[0] = NumLabels - 1 // a label most texts carry, as neutral is
		}
		if rng.Float64() < 0.2 {
			g = append(g, rng.IntN(NumLabels))
		}
		for l := range s {
			s[l] = float32(rng.Float64() * 0.6)
		}
		for _, l := range g {
			s[l] = float32(0.25 + rng.Float64()*0.75)
		}
		scores[i], gold[i] = s, g
	}
	return scores, gold
}

func TestMaskEval_MatchesEvaluate(t *testing.T) {
	if numGroups != len(EkmanGroups) {
		t.Fatalf("numGroups %d, %d Ekman groups", numGroups, len(EkmanGroups))
	}
	scores, gold := noisy(2000, 3)
	// ties for the top score, where the fallback takes the lowest label:
	// rounded scores, and rows of zeros
	for i := range scores[:600] {
		for l := range scores[i] {
			scores[i][l] = float32(math.Round(float64(scores[i][l])*4) / 4)
			if i < 50 {
				scores[i][l] = 0
			}
		}
	}
	ev := newMaskEval(scores, gold)
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := 0; trial < 40; trial++ {
		th := make([]float32, NumLabels)
		for l := range th {
			th[l] = float32(0.2 + 0.7*rng.Float64())
			if trial%2 == 1 {
				th[l] = 0.98 // most rows fall back to their top label
			}
		}
		m, err := EvaluateScores(scores, th, gold)
		if err != nil {
			t.Fatal(err)
		}
		want := m.MacroF1 + 0.5*m.MicroF1 + 0.5*m.EkmanMacroF1
		if got := ev.objective(th); math.Abs(got-want) > 1e-9 {
			t.Fatalf("trial %d: objective %v, Evaluate gives %v", trial, got, want)
		}
	}
}

func TestTuneBalanced_RaisesObjective(t *testing.T) {
	scores, gold := noisy(3000, 5)
	per, err := TuneThresholds(scores, gold)
	if err != nil {
		t.Fatal(err)
	}
	bal, err := TuneBalanced(scores, gold)
	if err != nil {
		t.Fatal(err)
	}
	ev := newMaskEval(scores, gold)
	if a, b := ev.objective(per), ev.objective(bal); b <= a {
		t.Fatalf("balanced objective %v not above per-label %v", b, a)
	}
	changed := 0
	for l := range bal {
		if bal[l] < minThreshold || bal[l] > 1-minThreshold {
			t.Fatalf("threshold %d = %v outside the clamp", l, bal[l])
		}
		if bal[l] != per[l] {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no threshold moved")
	}
	// TuneBalanced is BalanceThresholds from the per-label thresholds,
	// which it leaves as they were
	kept := slices.Clone(per)
	if b, err := BalanceThresholds(scores, gold, per); err != nil || !slices.Equal(b, bal) {
		t.Fatalf("BalanceThresholds from the per-label thresholds = %v, %v; TuneBalanced gave %v", b, err, bal)
	}
	if !slices.Equal(per, kept) {
		t.Fatal("BalanceThresholds changed the thresholds it was given")
	}
	if _, err := BalanceThresholds(scores, gold, per[:5]); err == nil {
		t.Fatal("5 thresholds accepted")
	}
	if _, err := TuneBalanced(scores, gold[:10]); err == nil {
		t.Fatal("mismatched scores and gold accepted")
	}
}
