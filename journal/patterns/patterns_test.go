package patterns

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Stated limits the tests hold Detect to (docs/insights-detectors.md quotes
// them).
const (
	// maxNullShare is the largest share of pattern-free journals (35 series
	// each) in which Detect may report anything at FDR 0.05.
	maxNullShare = 0.10
	// minShiftPower is the least share of planted shifts (+0.08 to +0.15
	// over 240 to 730 days) Detect must find.
	minShiftPower = 0.90
	// shiftTolerance is how many days a found shift's start may be off
	// from the planted day, in at least minLocated of the shifts found.
	shiftTolerance = 14
	minLocated     = 0.90
	// minCoverage is the least share of found shifts whose 95% interval
	// must hold the planted size (the interval is built around the best
	// split, so it covers less than 95%; the doc says so).
	minCoverage = 0.80
	// minCyclePower is the least share of planted weekly cycles (one
	// weekday +0.1 over 240 to 730 days) Detect must find, with the right
	// weekday.
	minCyclePower = 0.90
)

func approx(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestBenjaminiHochbergByHand(t *testing.T) {
	cases := []struct{ p, bh, by []float64 }{
		{
			// sorted 0.005, 0.01, 0.03, 0.04: 4p/rank = 0.02, 0.02, 0.04, 0.04
			p:  []float64{0.01, 0.04, 0.03, 0.005},
			bh: []float64{0.02, 0.04, 0.04, 0.02},
			// times 1 + 1/2 + 1/3 + 1/4 = 25/12
			by: []float64{0.02 * 25 / 12, 0.04 * 25 / 12, 0.04 * 25 / 12, 0.02 * 25 / 12},
		},
		{
			// sorted 0.01, 0.011, 0.02, 0.9: 0.04, 0.022, 0.02667, 0.9;
			// running minimum from the top: 0.022, 0.022, 0.02667, 0.9
			p:  []float64{0.01, 0.02, 0.9, 0.011},
			bh: []float64{0.022, 0.08 / 3, 0.9, 0.022},
			by: []float64{0.022 * 25 / 12, 0.08 / 3 * 25 / 12, 1, 0.022 * 25 / 12},
		},
		{
			// NaN counts as 1; ties keep equal q.
			p:  []float64{math.NaN(), 0.02, 0.02},
			bh: []float64{1, 0.03, 0.03},
			by: []float64{1, 0.03 * 11 / 6, 0.03 * 11 / 6},
		},
		{p: nil, bh: []float64{}, by: []float64{}},
	}
	for _, c := range cases {
		bh, by := BenjaminiHochberg(c.p), BenjaminiYekutieli(c.p)
		if len(bh) != len(c.p) || len(by) != len(c.p) {
			t.Fatalf("lengths %d, %d for %d p-values", len(bh), len(by), len(c.p))
		}
		for i := range c.p {
			if !approx(bh[i], c.bh[i], 1e-12) {
				t.Errorf("BH(%v)[%d] = %v, want %v", c.p, i, bh[i], c.bh[i])
			}
			if !approx(by[i], c.by[i], 1e-12) {
				t.Errorf("BY(%v)[%d] = %v, want %v", c.p, i, by[i], c.by[i])
			}
		}
	}
}

func TestLiftByHand(t *testing.T) {
	// k=10, n=50, K=100, N=1000: lift 0.2/0.1 = 2;
	// se = sqrt(1/10 - 1/50 + 1/100 - 1/1000) = sqrt(0.089)
	l, lo, hi := Lift(10, 50, 100, 1000)
	if !approx(l, 2, 1e-12) || !approx(lo, 1.1145310310830197, 1e-9) || !approx(hi, 3.5889534597462873, 1e-9) {
		t.Errorf("Lift(10,50,100,1000) = %v [%v, %v], want 2 [1.11453, 3.58895]", l, lo, hi)
	}
	// k=0: lift 0, low 0; high from k=0.5, n=40.5: lift' = (0.5/40.5)/(30/600),
	// se = sqrt(1/0.5 - 1/40.5 + 1/30 - 1/600)
	l, lo, hi = Lift(0, 40, 30, 600)
	if l != 0 || lo != 0 || !approx(hi, 3.9666428765966497, 1e-9) {
		t.Errorf("Lift(0,40,30,600) = %v [%v, %v], want 0 [0, 3.96664]", l, lo, hi)
	}
	// Every entry has the word: lift 1 exactly.
	if l, _, _ := Lift(30, 600, 30, 600); !approx(l, 1, 1e-12) {
		t.Errorf("Lift(30,600,30,600) = %v, want 1", l)
	}
	for _, c := range [][4]int{{1, 0, 5, 10}, {3, 2, 5, 10}, {3, 5, 2, 10}, {1, 5, 5, 4}, {-1, 5, 5, 10}, {0, 0, 0, 0}} {
		l, lo, hi := Lift(c[0], c[1], c[2], c[3])
		if !math.IsNaN(l) || !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("Lift%v = %v [%v, %v], want NaN", c, l, lo, hi)
		}
	}
}

// detectSeeded runs Detect with the test start date and a seed.
func detectSeeded(s []Series, seed uint64) []Finding {
	return Detect(s, Options{Start: testStart, Seed: seed})
}

func TestPlantedShift(t *testing.T) {
	const seeds = 30
	covered, found, located := 0, 0, 0
	for seed := uint64(1); seed <= seeds; seed++ {
		r := rand.New(rand.NewPCG(seed, 101))
		days := 240 + r.IntN(491)
		at := days/4 + r.IntN(days/2)
		size := 0.08 + 0.07*r.Float64()
		fs := detectSeeded(genJournal(r, days, plant{emotion: "sadness", shiftAt: at, shift: size}), seed)
		var got *Finding
		for i, f := range fs {
			if f.Kind == Shift && !containsEmotion(f.Series, "sadness") {
				t.Logf("seed %d: shift in %s (q %.3g), nothing planted there", seed, f.Series, f.Q)
			}
			if f.Kind == Shift && f.Series == "sadness" {
				got = &fs[i]
			}
		}
		if got == nil {
			t.Logf("seed %d: shift of %.3f at day %d of %d not found", seed, size, at, days)
			continue
		}
		found++
		if d := got.Day - at; d >= -shiftTolerance && d <= shiftTolerance {
			located++
		} else {
			t.Logf("seed %d: shift at day %d, planted at %d", seed, got.Day, at)
		}
		if got.DaysBefore < 14 || got.DaysAfter < 14 || !approx(got.Size, got.After-got.Before, 1e-12) {
			t.Errorf("seed %d: inconsistent finding %+v", seed, *got)
		}
		if got.Low <= size && size <= got.High {
			covered++
		} else {
			t.Logf("seed %d: interval [%.3f, %.3f] misses planted %.3f", seed, got.Low, got.High, size)
		}
	}
	if share := float64(found) / seeds; share < minShiftPower {
		t.Errorf("found %.2f of %d planted shifts, want >= %.2f", share, seeds, minShiftPower)
	}
	if share := float64(located) / float64(max(found, 1)); share < minLocated {
		t.Errorf("%.2f of %d shifts found within %d days, want >= %.2f", share, found, shiftTolerance, minLocated)
	}
	if share := float64(covered) / float64(max(found, 1)); share < minCoverage {
		t.Errorf("intervals held the planted size in %.2f of %d shifts, want >= %.2f", share, found, minCoverage)
	}
}

func TestPlantedCycle(t *testing.T) {
	const seeds = 20
	found := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		r := rand.New(rand.NewPCG(seed, 202))
		days := 240 + r.IntN(491)
		slot := r.IntN(7)
		fs := detectSeeded(genJournal(r, days, plant{emotion: "joy", slot: slot, cycle: 0.1}), seed)
		want := (time.Monday + time.Weekday(slot)) % 7
		ok := false
		for _, f := range fs {
			if f.Kind == Cycle && f.Series == "joy" {
				ok = f.Weekday == want && f.Day == -1 && f.Size > 0
				if !ok {
					t.Errorf("seed %d: cycle on %v size %.3f [%.3f, %.3f], planted on %v +0.1", seed, f.Weekday, f.Size, f.Low, f.High, want)
				}
			}
		}
		if ok {
			found++
		} else {
			t.Logf("seed %d: weekly cycle on %v in joy over %d days not found", seed, want, days)
		}
	}
	if share := float64(found) / seeds; share < minCyclePower {
		t.Errorf("found %.2f of %d planted weekly cycles, want >= %.2f", share, seeds, minCyclePower)
	}
}

func TestPlantedUnusualDay(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 303))
		days := 240 + r.IntN(491)
		s := genJournal(r, days)
		// plant on a day with entries away from the ends
		at := days/4 + r.IntN(days/2)
		for !s[0].Has[at] {
			at++
		}
		for i := range s {
			if s[i].Name == "fear" {
				s[i].Values[at] = math.Min(1, s[i].Values[at]+0.6)
			}
		}
		ok := false
		for _, f := range detectSeeded(s, seed) {
			if f.Kind == Unusual && f.Series == "fear" {
				ok = f.Day == at && f.Size > 0.3
				if !ok {
					t.Errorf("seed %d: unusual day %d size %.2f, planted day %d", seed, f.Day, f.Size, at)
				}
			}
		}
		if !ok {
			t.Errorf("seed %d: unusual day %d in fear not found", seed, at)
		}
	}
}

// TestNullJournals: journals without patterns should almost never yield a
// finding: with the false discovery rate at 0.05 and nothing to find, a
// finding anywhere in a journal is a false one.
func TestNullJournals(t *testing.T) {
	sets := 200
	if testing.Short() {
		sets = 50
	}
	withAny := 0
	kinds := map[Kind]int{}
	for seed := uint64(1); seed <= uint64(sets); seed++ {
		r := rand.New(rand.NewPCG(seed, 404))
		fs := detectSeeded(genJournal(r, 180+r.IntN(551)), seed)
		if len(fs) > 0 {
			withAny++
		}
		for _, f := range fs {
			kinds[f.Kind]++
		}
	}
	share := float64(withAny) / float64(sets)
	t.Logf("%d of %d pattern-free journals with a finding (%.3f); by kind %v", withAny, sets, share, kinds)
	if share > maxNullShare {
		t.Errorf("%.3f of pattern-free journals had a finding, want <= %.2f", share, maxNullShare)
	}
}
