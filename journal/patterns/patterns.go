package patterns

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Series is one quantity per calendar day, from day 0 on.
type Series struct {
	Name   string
	Values []float64 // one per day; read only where Has is true
	Has    []bool    // false: no entry that day (never treat as zero)
}

// Kind names the sort of pattern a Finding reports.
type Kind string

// The kinds of pattern Detect looks for.
const (
	Shift   Kind = "shift"        // the level changed and stayed changed
	Cycle   Kind = "weekly cycle" // one weekday differs from the others
	Unusual Kind = "unusual day"  // one day far from its surroundings
)

// Finding is one pattern that survived the false-discovery-rate control.
type Finding struct {
	Series string
	Kind   Kind
	// Day is, for a Shift, the first day of the new level; for an Unusual
	// day, the day itself; for a Cycle, -1.
	Day int
	// Weekday is, for a Cycle only, the weekday that stands out.
	Weekday time.Weekday
	// Before and After are, for a Shift, the mean level before and after
	// Day; for a Cycle, the mean of the other days and the mean of Weekday;
	// for an Unusual day, the local baseline (median) and the day's value.
	Before, After float64
	// Size is After - Before.
	Size float64
	// Low and High bound a 95% interval for Size.
	Low, High float64
	// P is the test's p-value; Q the false-discovery-rate adjusted q-value
	// across all tests made in the same Detect call.
	P, Q float64
	// DaysBefore and DaysAfter count the days with entries each side of the
	// comparison rests on (Cycle: the other days / that weekday; Unusual:
	// the baseline days before / after the day).
	DaysBefore, DaysAfter int
	// Test says in plain words what was tested.
	Test string
}

// Correction chooses how p-values are adjusted for the number of tests.
type Correction int

const (
	// BH is Benjamini & Hochberg (1995): controls the false discovery rate
	// for independent or positively dependent tests. The default.
	BH Correction = iota
	// BY is Benjamini & Yekutieli (2001): controls it under any dependence,
	// at the cost of power (q-values about ln(m)+0.58 times larger).
	BY
)

// String names the correction as Finding.Test does.
func (c Correction) String() string {
	if c == BY {
		return "Benjamini–Yekutieli"
	}
	return "Benjamini–Hochberg"
}

// Options tune Detect. The zero value asks for the defaults.
type Options struct {
	// Start is the calendar date of day 0. Weekly cycles are only tested
	// when it is set (weekdays cannot be named without it).
	Start time.Time
	// MinDays: no claim rests on fewer days with entries per side. Default
	// and minimum 14; smaller values are raised to 14.
	MinDays int
	// FDR is the false discovery rate to control; default 0.05. Values
	// outside (0, 1) or NaN get the default.
	FDR float64
	// Permutations is the most shuffles a permutation test draws. Zero asks
	// for enough that one finding alone can pass the correction: at least
	// 999 and at least 2·m·c/FDR, where m is the number of tests and c is 1
	// for BH or the harmonic number of m for BY (4,200 for BH over 105
	// tests at FDR 0.05). Tests stop early once 10 shuffles reached the
	// observed statistic (Besag & Clifford 1991), so a test far from
	// significance costs a few dozen shuffles.
	Permutations int
	// Seed makes the permutation tests reproducible: the same input, options
	// and seed give the same findings.
	Seed uint64
	// Correction is BH (the default) or BY.
	Correction Correction
}

// Defaults.
const (
	defaultMinDays = 14
	defaultFDR     = 0.05
	minShuffles    = 999
	// stopHits is h in Besag & Clifford's sequential Monte Carlo p-value: a
	// permutation test stops once this many shuffles reach the observed
	// statistic.
	stopHits = 10
	// shiftBlock is the block length, in calendar days, of the block
	// permutation behind the shift test (chosen by TestCompareDetectors; see docs/insights-detectors.md).
	shiftBlock = 14
	// intervalBlock is the cluster length, in calendar days, behind the
	// shift's interval: longer than shiftBlock so that correlation across
	// cluster edges matters less (chosen by TestPlantedShift's coverage).
	intervalBlock = 28
	// confidence quantile of the standard normal for 95% intervals.
	z975 = 1.959963984540054
)

func (o Options) withDefaults() Options {
	if o.MinDays < defaultMinDays {
		o.MinDays = defaultMinDays
	}
	if !(o.FDR > 0 && o.FDR < 1) {
		o.FDR = defaultFDR
	}
	if o.Correction != BY {
		o.Correction = BH
	}
	return o
}

// obs is a series reduced to its days with usable values.
type obs struct {
	name string
	day  []int
	x    []float64
	span int // last day + 1
}

// prepare keeps the days where Has is true and the value is finite; NaN and
// infinite values are treated as missing days.
func prepare(s Series) obs {
	o := obs{name: s.Name}
	n := min(len(s.Values), len(s.Has))
	for d := 0; d < n; d++ {
		v := s.Values[d]
		if !s.Has[d] || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		o.day = append(o.day, d)
		o.x = append(o.x, v)
	}
	if len(o.day) > 0 {
		o.span = o.day[len(o.day)-1] + 1
	}
	return o
}

// result is one test made, significant or not.
type result struct {
	f     Finding
	tried bool
}

// test kinds, used to seed each test's random stream.
const (
	kindShift = iota + 1
	kindCycle
	kindUnusual
)

// Detect looks in every series for a level shift, a weekly cycle and an
// unusual day, and reports the patterns whose q-value is at most opt.FDR,
// smallest Q first. Each series gets at most one finding of each kind. The
// false discovery rate is controlled across all tests made in the call (up
// to three per series). Days without entries and NaN or infinite values are
// skipped, never read as zero; series too short for a test (fewer than
// MinDays days with entries on a side) are not tested and not counted.
func Detect(series []Series, opt Options) []Finding {
	opt = opt.withDefaults()
	prepared := make([]obs, len(series))
	m := 0
	for i, s := range series {
		prepared[i] = prepare(s)
		m += plannedTests(prepared[i], opt)
	}
	if m == 0 {
		return nil
	}
	c := 1.0
	if opt.Correction == BY {
		c = harmonic(m)
	}
	shuffles := opt.Permutations
	if shuffles <= 0 {
		shuffles = max(minShuffles, int(math.Ceil(2*float64(m)*c/opt.FDR)))
	}
	suffix := fmt.Sprintf(", %s over %d tests", opt.Correction, m)

	results := make([][3]result, len(series))
	workers := min(runtime.GOMAXPROCS(0), len(series))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				o := prepared[i]
				t := tester{opt: opt, shuffles: shuffles, index: uint64(i)}
				results[i][0].f, results[i][0].tried = t.shift(o)
				results[i][1].f, results[i][1].tried = t.cycle(o)
				results[i][2].f, results[i][2].tried = t.unusual(o)
			}
		})
	}
	for i := range series {
		next <- i
	}
	close(next)
	wg.Wait()

	var all []Finding
	for i := range results {
		for _, r := range results[i] {
			if r.tried {
				all = append(all, r.f)
			}
		}
	}
	p := make([]float64, len(all))
	for i, f := range all {
		p[i] = f.P
	}
	var q []float64
	if opt.Correction == BY {
		q = BenjaminiYekutieli(p)
	} else {
		q = BenjaminiHochberg(p)
	}
	var out []Finding
	for i, f := range all {
		if q[i] <= opt.FDR {
			f.Q = q[i]
			f.Test += suffix
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Q, b.Q), cmp.Compare(a.P, b.P),
			cmp.Compare(a.Series, b.Series), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}

// plannedTests counts the tests Detect will make on o, so that the number of
// shuffles can be set before any test runs.
func plannedTests(o obs, opt Options) int {
	m := 0
	if canShift(o, opt.MinDays) {
		m++
	}
	if !opt.Start.IsZero() && canCycle(o, opt.MinDays) {
		m++
	}
	if canUnusual(o, opt.MinDays) {
		m++
	}
	return m
}

// harmonic returns 1 + 1/2 + ... + 1/m.
func harmonic(m int) float64 {
	s := 0.0
	for i := m; i >= 1; i-- {
		s += 1 / float64(i)
	}
	return s
}
