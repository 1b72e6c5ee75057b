package patterns

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// series builds a Series from values, NaN meaning no entry.
func series(name string, v []float64) Series {
	has := make([]bool, len(v))
	for i, x := range v {
		has[i] = !math.IsNaN(x)
	}
	return Series{Name: name, Values: v, Has: has}
}

// TestFewDaysNoClaim: a change that rests on fewer than MinDays days with
// entries on one side is not claimed, however large; with MinDays days it is.
func TestFewDaysNoClaim(t *testing.T) {
	build := func(high int) []float64 {
		// 13 or 14 days with entries at a high level, then 200 at a low one,
		// with noise, every other day without entries.
		r := rand.New(rand.NewPCG(9, 9))
		var v []float64
		for i := 0; i < high; i++ {
			v = append(v, 0.8+0.02*r.NormFloat64(), math.NaN())
		}
		for i := 0; i < 200; i++ {
			v = append(v, 0.1+0.02*r.NormFloat64(), math.NaN())
		}
		return v
	}
	for _, minDays := range []int{0, 5, 13, 14} { // all mean 14
		for _, f := range Detect([]Series{series("x", build(13))}, Options{Start: testStart, MinDays: minDays}) {
			if f.DaysBefore < 14 || f.DaysAfter < 14 {
				t.Errorf("MinDays %d: claim on %d/%d days: %+v", minDays, f.DaysBefore, f.DaysAfter, f)
			}
		}
	}
	found := false
	for _, f := range Detect([]Series{series("x", build(14))}, Options{Start: testStart}) {
		if f.Kind == Shift && f.Day == 28 && f.DaysBefore == 14 {
			found = true
		}
	}
	if !found {
		t.Error("a shift after 14 days with entries was not found")
	}
	// 27 days with entries: no test at all.
	short := build(0)[:54]
	if fs := Detect([]Series{series("x", short)}, Options{Start: testStart}); len(fs) != 0 {
		t.Errorf("findings on 27 days with entries: %+v", fs)
	}
	// A larger MinDays is honoured.
	for _, f := range Detect([]Series{series("x", build(14))}, Options{Start: testStart, MinDays: 30}) {
		if f.DaysBefore < 30 || f.DaysAfter < 30 {
			t.Errorf("MinDays 30: claim on %d/%d days", f.DaysBefore, f.DaysAfter)
		}
	}
}

func TestOddInput(t *testing.T) {
	nan := math.NaN()
	r := rand.New(rand.NewPCG(1, 1))
	noisy := make([]float64, 400)
	for i := range noisy {
		noisy[i] = r.Float64()
		if i%5 == 0 {
			noisy[i] = nan
		}
	}
	flat := make([]float64, 400)
	cases := map[string][]Series{
		"nil":          nil,
		"empty":        {{Name: "e"}},
		"all missing":  {{Name: "m", Values: make([]float64, 100), Has: make([]bool, 100)}},
		"all NaN":      {series("n", []float64{nan, nan, nan})},
		"NaN with Has": {{Name: "h", Values: []float64{nan, math.Inf(1), 0.2}, Has: []bool{true, true, true}}},
		"short Has":    {{Name: "s", Values: noisy, Has: []bool{true, true}}},
		"short Values": {{Name: "v", Values: noisy[:3], Has: make([]bool, 400)}},
		"constant":     {series("c", flat)},
		"noisy":        {series("z", noisy)},
	}
	for name, s := range cases {
		for _, opt := range []Options{{}, {Start: testStart, FDR: math.NaN(), Permutations: 5}, {FDR: 2, Correction: BY}} {
			fs := Detect(s, opt)
			for _, f := range fs {
				if f.Kind == Unusual && name == "constant" || math.IsNaN(f.Size) {
					t.Errorf("%s: finding %+v", name, f)
				}
			}
		}
	}
	// NaN on a day with Has true is skipped, not read: the same as no entry.
	v := slicesRepeat(0.1, 300)
	v[150] = nan
	a := Detect([]Series{{Name: "a", Values: v, Has: trues(300)}}, Options{Start: testStart})
	has := trues(300)
	has[150] = false
	v2 := slicesRepeat(0.1, 300)
	b := Detect([]Series{{Name: "a", Values: v2, Has: has}}, Options{Start: testStart})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("NaN with Has %v differs from no entry %v", a, b)
	}
}

func slicesRepeat(x float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = x
	}
	return v
}

func trues(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}

func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	s := genJournal(r, 400, plant{emotion: "joy", shiftAt: 200, shift: 0.1}, plant{emotion: "anger", slot: 3, cycle: 0.1})
	opt := Options{Start: time.Date(2023, 5, 17, 0, 0, 0, 0, time.UTC), Seed: 42}
	a, b := Detect(s, opt), Detect(s, opt)
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs differ or find nothing:\n%v\n%v", a, b)
	}
	for i := 1; i < len(a); i++ {
		if a[i].Q < a[i-1].Q {
			t.Errorf("not sorted by Q: %v before %v", a[i-1].Q, a[i].Q)
		}
	}
	for _, f := range a {
		if f.Q > 0.05 || f.P > f.Q*1.000001 || f.Test == "" {
			t.Errorf("finding %+v", f)
		}
	}
}

// TestCorrectionBY: with BY the q-values are those of BY over the same tests,
// so never smaller than with BH.
func TestCorrectionBY(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	s := genJournal(r, 500, plant{emotion: "fear", shiftAt: 250, shift: 0.15})
	bh := Detect(s, Options{Start: testStart, Seed: 1})
	by := Detect(s, Options{Start: testStart, Seed: 1, Correction: BY})
	if len(by) > len(bh) || len(by) == 0 {
		t.Errorf("BY found %d, BH %d", len(by), len(bh))
	}
	for _, f := range by {
		if f.Q > 0.05 {
			t.Errorf("BY finding with q %v", f.Q)
		}
	}
}
