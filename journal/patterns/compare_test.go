package patterns

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The detector comparison behind the choice of shift test. It runs only when
// SAMO_DETECTORS_OUT names the file to write (relative paths are taken from
// the module root):
//
//	SAMO_DETECTORS_OUT=docs/insights-detectors.md go test -run TestCompareDetectors ./journal/patterns

const (
	compareSeeds = 200 // series per scenario
	compareEnv   = "SAMO_DETECTORS_OUT"
	// compareAlpha is the level each series' offline test is held to in the
	// comparison: the level a lone finding faces in Detect, FDR 0.05 over
	// 105 tests (35 series, three tests each), with Benjamini–Hochberg.
	compareAlpha = 0.05 / 105
	// compareShuffles is the most shuffles per offline test: Detect's
	// default for 105 tests at FDR 0.05.
	compareShuffles = 4200
	warmup          = 28 // leading window of the online methods, days with entries
)

// scenario is one synthetic series with what was planted in it.
type scenario struct {
	s       Series
	o       obs
	shift   bool
	at      int // planted shift's first day
	atObs   int // index of its first day with entries
	planted float64
	years   float64
}

func scenarios(kind string) []scenario {
	out := make([]scenario, 0, compareSeeds)
	salt := map[string]uint64{"shift": 1, "cycle": 2, "none": 3}[kind]
	for seed := uint64(1); seed <= compareSeeds; seed++ {
		r := rand.New(rand.NewPCG(seed, 7000+salt))
		days := 180 + r.IntN(551)
		var p plant
		switch kind {
		case "shift":
			p = plant{shiftAt: days/4 + r.IntN(days/2), shift: 0.08 + 0.07*r.Float64()}
		case "cycle":
			p = plant{slot: r.IntN(7), cycle: 0.1}
		}
		s := genSingle(r, days, p)
		sc := scenario{s: s, o: prepare(s), shift: kind == "shift", at: p.shiftAt, planted: p.shift, years: float64(days) / 365.25}
		sc.atObs = len(sc.o.day)
		for i, d := range sc.o.day {
			if d >= p.shiftAt {
				sc.atObs = i
				break
			}
		}
		out = append(out, sc)
	}
	return out
}

// online is an online detector: it returns the indexes (days with entries)
// at which it raised an alarm, restarting after each.
type online struct {
	name, params string
	alarms       func(x []float64) []int
}

// robustStart returns the median and 1.4826·MAD of a leading window.
func robustStart(x []float64) (mu, sd float64) {
	w := slices.Clone(x)
	mu = median(w)
	for i := range w {
		w[i] = math.Abs(x[i] - mu)
	}
	sd = madScale * median(w)
	if !(sd > 1e-6) {
		sd = 1e-6
	}
	return mu, sd
}

// cusum is Page's (1954) two-sided tabular CUSUM on z-scores from the
// median and MAD of a leading window of `warmup` days with entries; after an
// alarm it starts over with a new leading window.
func cusum(k, h float64) func(x []float64) []int {
	return func(x []float64) []int {
		var alarms []int
		for start := 0; start+warmup < len(x); {
			mu, sd := robustStart(x[start : start+warmup])
			hi, lo := 0.0, 0.0
			alarm := -1
			for i := start + warmup; i < len(x); i++ {
				z := (x[i] - mu) / sd
				hi = math.Max(0, hi+z-k)
				lo = math.Max(0, lo-z-k)
				if hi > h || lo > h {
					alarm = i
					break
				}
			}
			if alarm < 0 {
				break
			}
			alarms = append(alarms, alarm)
			start = alarm + 1
		}
		return alarms
	}
}

// bocpd is Bayesian online change-point detection (Adams & MacKay 2007) for a
// Gaussian with unknown mean and known variance (the MAD of a leading
// window), a normal prior on the mean (centred on the window's median, sd
// priorSD) and a constant hazard. It raises an alarm when the posterior
// probability that the current run began within the last `recent` days with
// entries passes `threshold`, then starts over with a new leading window.
// Run lengths are truncated at 500.
func bocpd(hazard, priorSD float64, recent int, threshold float64) func(x []float64) []int {
	const maxRun = 500
	return func(x []float64) []int {
		var alarms []int
		for start := 0; start+warmup < len(x); {
			mu0, sd := robustStart(x[start : start+warmup])
			v := sd * sd
			prior := priorSD * priorSD
			// run-length distribution and the posterior of the mean per run
			prob := []float64{1}
			mean := []float64{mu0}
			vari := []float64{prior}
			alarm := -1
			for i := start + warmup; i < len(x); i++ {
				n := len(prob)
				next := make([]float64, min(n+1, maxRun))
				nmean := make([]float64, len(next))
				nvar := make([]float64, len(next))
				cp := 0.0
				for r := range n {
					pv := vari[r] + v
					d := x[i] - mean[r]
					like := math.Exp(-d*d/(2*pv)) / math.Sqrt(2*math.Pi*pv)
					w := prob[r] * like
					cp += w * hazard
					if r+1 < len(next) {
						next[r+1] = w * (1 - hazard)
						// conjugate update of the mean
						nv := 1 / (1/vari[r] + 1/v)
						nmean[r+1] = nv * (mean[r]/vari[r] + x[i]/v)
						nvar[r+1] = nv
					}
				}
				next[0] = cp
				nmean[0], nvar[0] = mu0, prior
				total := 0.0
				for _, p := range next {
					total += p
				}
				if !(total > 0) {
					next = []float64{1}
					nmean, nvar = []float64{mu0}, []float64{prior}
					total = 1
				}
				for r := range next {
					next[r] /= total
				}
				prob, mean, vari = next, nmean, nvar
				if i-start-warmup >= recent {
					short := 0.0
					for r := 0; r < min(recent, len(prob)); r++ {
						short += prob[r]
					}
					if short > threshold {
						alarm = i
						break
					}
				}
			}
			if alarm < 0 {
				break
			}
			alarms = append(alarms, alarm)
			start = alarm + 1
		}
		return alarms
	}
}

// longRunRatio estimates how much autocorrelation inflates the variance of a
// mean of res (residuals in day order): 1 + 2·Σ w(l)·ρ(l) over lags l = 1..L
// between days with entries, with Bartlett weights w(l) = 1 - l/(L+1) and
// L = ⌊4·(n/100)^(2/9)⌋ (Newey & West 1994). It is at least 1, so that it
// never makes a test bolder than one for independent days.
func longRunRatio(res []float64) float64 {
	n := len(res)
	if n < 3 {
		return 1
	}
	var c0 float64
	for _, r := range res {
		c0 += r * r
	}
	if !(c0 > 0) {
		return 1
	}
	lags := max(1, int(4*math.Pow(float64(n)/100, 2.0/9)))
	ratio := 1.0
	for l := 1; l <= lags && l < n; l++ {
		c := 0.0
		for i := l; i < n; i++ {
			c += res[i] * res[i-l]
		}
		ratio += 2 * (1 - float64(l)/float64(lags+1)) * c / c0
	}
	return max(1, ratio)
}

// shiftTestLRV is the best-split test with a plain permutation of days and
// the observed statistic divided by longRunRatio of the residuals around the
// best split (a variance correction for autocorrelation instead of blocks).
func shiftTestLRV(o obs, minDays, shuffles int, r *rand.Rand) (split int, p float64, drawn int, ratio float64, ok bool) {
	if len(o.x) < 2*minDays {
		return 0, 1, 0, 1, false
	}
	sum, cnt := blocks(o, 1)
	n := float64(len(o.x))
	md := float64(minDays)
	order := make([]int32, len(sum))
	for i := range order {
		order[i] = int32(i)
	}
	observed, at := scanBlocks(order, sum, cnt, n, md)
	split = refine(o, minDays)
	before, after := meanOf(o.x[:split]), meanOf(o.x[split:])
	res := make([]float64, len(o.x))
	for i, v := range o.x {
		if i < split {
			res[i] = v - before
		} else {
			res[i] = v - after
		}
	}
	ratio = longRunRatio(res)
	if at < 0 || observed <= 0 {
		return split, 1, 0, ratio, true
	}
	p, drawn = permP(observed/ratio, shuffles, func() float64 {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		v, _ := scanBlocks(order, sum, cnt, n, md)
		return v
	})
	return split, p, drawn, ratio, true
}

// row is one line of the comparison table.
type row struct {
	name, params      string
	misses            int
	delays            []float64 // online: days with entries until alarm; offline: |located - planted| days
	faNull, faCycle   float64   // false alarms per year
	nullShare         float64   // offline: share of no-pattern series with p <= 0.05
	offline           bool
	perSeries         float64 // ms per series (no-pattern)
	falseBeforeChange float64 // online: false alarms per year before the planted shift
}

func runOnline(d online, shifts, cycles, nulls []scenario) row {
	rw := row{name: d.name, params: d.params}
	years := 0.0
	fa := 0
	for _, sc := range shifts {
		alarms := d.alarms(sc.o.x)
		hit := false
		for _, a := range alarms {
			if a < sc.atObs {
				fa++
				continue
			}
			rw.delays = append(rw.delays, float64(a-sc.atObs))
			hit = true
			break
		}
		if !hit {
			rw.misses++
		}
		years += float64(sc.at) / 365.25
	}
	rw.falseBeforeChange = float64(fa) / years
	count := func(scs []scenario) float64 {
		n, y := 0, 0.0
		for _, sc := range scs {
			n += len(d.alarms(sc.o.x))
			y += sc.years
		}
		return float64(n) / y
	}
	t0 := time.Now()
	rw.faNull = count(nulls)
	rw.perSeries = float64(time.Since(t0).Microseconds()) / 1000 / float64(len(nulls))
	rw.faCycle = count(cycles)
	return rw
}

func runOffline(name string, block int, shifts, cycles, nulls []scenario) row {
	rw := row{name: name, params: fmt.Sprintf("%d-day blocks, up to %d shuffles, p <= 0.05/105", block, compareShuffles), offline: true}
	if block == 0 {
		rw.params = fmt.Sprintf("statistic / Newey–West long-run variance ratio, up to %d shuffles, p <= 0.05/105", compareShuffles)
	}
	test := func(sc scenario, seed uint64) (int, float64) {
		var split int
		var p float64
		var ok bool
		if block == 0 {
			split, p, _, _, ok = shiftTestLRV(sc.o, defaultMinDays, compareShuffles, rand.New(rand.NewPCG(seed, 99)))
		} else {
			split, p, _, ok = shiftTest(sc.o, defaultMinDays, block, compareShuffles, rand.New(rand.NewPCG(seed, 99)))
		}
		if !ok {
			return -1, 1
		}
		return sc.o.day[split], p
	}
	for i, sc := range shifts {
		day, p := test(sc, uint64(i))
		if p > compareAlpha {
			rw.misses++
			continue
		}
		rw.delays = append(rw.delays, math.Abs(float64(day-sc.at)))
	}
	count := func(scs []scenario) (float64, int) {
		n, loose, y := 0, 0, 0.0
		for i, sc := range scs {
			_, p := test(sc, uint64(i))
			if p <= compareAlpha {
				n++
			}
			if p <= 0.05 {
				loose++
			}
			y += sc.years
		}
		return float64(n) / y, loose
	}
	t0 := time.Now()
	var loose int
	rw.faNull, loose = count(nulls)
	rw.perSeries = float64(time.Since(t0).Microseconds()) / 1000 / float64(len(nulls))
	rw.nullShare = float64(loose) / float64(len(nulls))
	rw.faCycle, _ = count(cycles)
	return rw
}

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[int(math.Round(q*float64(len(s)-1)))]
}

func TestCompareDetectors(t *testing.T) {
	out := os.Getenv(compareEnv)
	if out == "" {
		t.Skipf("set %s to a file to run the detector comparison and write it there", compareEnv)
	}
	shifts, cycles, nulls := scenarios("shift"), scenarios("cycle"), scenarios("none")
	onlines := []online{
		{"CUSUM, robust baseline (Page 1954)", "k = 0.5, h = 5, median/MAD of first 28 days", cusum(0.5, 5)},
		{"CUSUM, robust baseline (Page 1954)", "k = 0.5, h = 10, median/MAD of first 28 days", cusum(0.5, 10)},
		{"Bayesian online change point (Adams & MacKay 2007)", "hazard 1/250, prior sd 0.1, alarm when P(run < 10 days) > 0.5", bocpd(1.0/250, 0.1, 10, 0.5)},
		{"Bayesian online change point (Adams & MacKay 2007)", "hazard 1/1000, prior sd 0.1, alarm when P(run < 10 days) > 0.9", bocpd(1.0/1000, 0.1, 10, 0.9)},
	}
	var rows []row
	for _, d := range onlines {
		rows = append(rows, runOnline(d, shifts, cycles, nulls))
	}
	for _, b := range []int{1, 0, 7, 14, 28} {
		name := "Best split, block permutation"
		switch b {
		case 1:
			name = "Best split, plain permutation (no blocks)"
		case 0:
			name = "Best split, plain permutation, autocorrelation-corrected"
		}
		rows = append(rows, runOffline(name, b, shifts, cycles, nulls))
	}
	// The chosen test's interval coverage on the shifts it found.
	covered, found := 0, 0
	for i, sc := range shifts {
		split, p, _, ok := shiftTest(sc.o, defaultMinDays, shiftBlock, compareShuffles, rand.New(rand.NewPCG(uint64(i), 99)))
		if !ok || p > compareAlpha {
			continue
		}
		found++
		if f := describeShift(sc.o, split, intervalBlock); f.Low <= sc.planted && sc.planted <= f.High {
			covered++
		}
	}
	// Detect end to end on pattern-free journals of 35 series.
	withAny := 0
	for seed := uint64(1); seed <= compareSeeds; seed++ {
		r := rand.New(rand.NewPCG(seed, 404))
		if len(detectSeeded(genJournal(r, 180+r.IntN(551)), seed)) > 0 {
			withAny++
		}
	}
	var tb strings.Builder
	fmt.Fprintf(&tb, "| Method | Parameters | Misses (of %d shifts) | Delay or location error, median (90th pct.) | False alarms per year, no pattern | False alarms per year, weekly cycle | No-pattern series with p ≤ 0.05 | ms per series |\n", compareSeeds)
	tb.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		unit := "days with entries after the change"
		share := "–"
		if r.offline {
			unit = "days from the planted day"
			share = fmt.Sprintf("%.3f", r.nullShare)
		}
		fmt.Fprintf(&tb, "| %s | %s | %d | %.0f (%.0f) %s | %.2f | %.2f | %s | %.2f |\n",
			r.name, r.params, r.misses, quantile(r.delays, 0.5), quantile(r.delays, 0.9), unit, r.faNull, r.faCycle, share, r.perSeries)
		t.Logf("%s %s: misses %d, delay %.0f (%.0f), FA/yr %.2f null %.2f cycle, before change %.2f, null p<=.05 %.3f",
			r.name, r.params, r.misses, quantile(r.delays, 0.5), quantile(r.delays, 0.9), r.faNull, r.faCycle, r.falseBeforeChange, r.nullShare)
	}
	doc := strings.NewReplacer(
		"{{TABLE}}", tb.String(),
		"{{SEEDS}}", fmt.Sprint(compareSeeds),
		"{{NULLSHARE}}", fmt.Sprintf("%.2f", maxNullShare),
		"{{SHIFTTOL}}", fmt.Sprint(shiftTolerance),
		"{{BLOCK}}", fmt.Sprint(shiftBlock),
		"{{INTERVALBLOCK}}", fmt.Sprint(intervalBlock),
		"{{COVERED}}", fmt.Sprintf("%d of %d (%.2f)", covered, found, float64(covered)/float64(max(found, 1))),
		"{{NULLMEASURED}}", fmt.Sprintf("%d of %d (%.3f)", withAny, compareSeeds, float64(withAny)/compareSeeds),
		"{{MINCOVERAGE}}", fmt.Sprintf("%.2f", minCoverage),
		"{{POWER}}", fmt.Sprintf("%.2f", minShiftPower),
		"{{CYCLEPOWER}}", fmt.Sprintf("%.2f", minCyclePower),
		"{{LOCATED}}", fmt.Sprintf("%.2f", minLocated),
	).Replace(docTemplate)
	if !filepath.IsAbs(out) {
		out = filepath.Join(moduleRoot(t), out)
	}
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", out)
}

// moduleRoot is the nearest folder above the working directory with a go.mod.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = up
	}
}

const docTemplate = `# Insights: how patterns are detected

*Generated by ` + "`TestCompareDetectors`" + ` in journal/patterns; do not edit by hand.
Regenerate with*

    SAMO_DETECTORS_OUT=docs/insights-detectors.md go test -count=1 -run TestCompareDetectors ./journal/patterns

The Insights screen reports patterns in the day-level series the journal
builds (28 GoEmotions emotions and 7 Ekman groups, one mean score per
calendar day, days without entries missing). Package ` + "`journal/patterns`" + `
makes three tests per series and reports only what survives a false
discovery rate of 5% across all tests of the call:

- **Shift** (the level changed and stayed changed): the split with the
  largest standardized mean difference (the squared two-sample t statistic,
  over splits at {{BLOCK}}-day block boundaries that leave at least 14 days with
  entries each side); its p-value from shuffling {{BLOCK}}-day blocks of calendar
  days, so that day-to-day autocorrelation is kept inside the blocks; the day
  then placed by the best split between single days. The 95% interval for the
  size uses a cluster-robust variance with {{INTERVALBLOCK}}-day clusters and a t quantile.
- **Weekly cycle**: each weekday's mean against the other days' (squared
  t statistic, the largest of the seven); its p-value from rotating each
  7-day week by a random number of days, which keeps weeks together (and with
  them drifts and shifts) but breaks any tie to weekdays.
- **Unusual day**: each day against the median of the 14 days with entries
  before it and the 14 after it, scaled by 1.4826 × the MAD of all days'
  deviations; the most extreme day is judged by Student's t with 0.37·n
  degrees of freedom (the precision of a MAD over n values) and Šidák's
  correction for the n days looked at. With a normal tail instead, pattern-free
  series gave p ≤ 0.002 1.5 times too often; with the t tail they err on the
  safe side.

p-values of the permutation tests are sequential Monte Carlo p-values
(Besag & Clifford 1991): a test stops once 10 shuffles reach the observed
statistic, so a test far from significance costs a few dozen shuffles, and
otherwise draws up to max(999, 2·m/FDR) shuffles for m tests (4,200 for 105
tests), enough for a lone finding to pass. Benjamini–Hochberg (1995) is the
default correction; Benjamini–Yekutieli (2001), valid under any dependence,
is an option (` + "`Options.Correction = BY`" + `) and then up to 2·m·H(m)/FDR shuffles
are drawn. Each finding's ` + "`Test`" + ` field names the test, the shuffles and the
correction with the number of tests.

## Choosing the shift detector

Synthetic series ({{SEEDS}} per scenario, seeds 1–{{SEEDS}}, see synth_test.go): 180–730
days, baseline 0.15, AR(1) noise with φ drawn from 0.3–0.5 and marginal sd
0.08, clipped to [0, 1], 30–50% of days without entries at random and, in half
the series, one or two gaps of 7–14 days. Scenarios: a level shift of
+0.08…+0.15 starting at a random day in the middle half; a weekly cycle (one
weekday +0.1); nothing. Online methods (CUSUM, BOCPD) run from the first day
and restart after each alarm; an alarm before the planted shift counts as a
false alarm, their delay counts days with entries from the change to the
alarm, and a miss is no alarm after the change. Offline methods test the whole
series once at p ≤ 0.05/105 (the level a lone finding faces in Detect:
FDR 0.05 over 35 series × 3 tests); their error is the distance in days
between the located and the planted first day, and a miss is p above that
level. "No-pattern series with p ≤ 0.05" checks calibration: it should be
0.05.

{{TABLE}}
**Chosen: best split with {{BLOCK}}-day block permutation.**

- Only the offline tests give a p-value, and the Insights screen needs one
  to control the false discovery rate over 35 series; it also looks at the
  whole history at once, so an online detector's speed of reaction buys
  nothing.
- The online detectors, at the usual settings, raise false alarms several
  times a year per series (CUSUM with h = 5 about 2, BOCPD 0.2–0.8): over 35
  series, that is dozens of false "shifts" a year. Their thresholds assume
  independent days; the AR(1) noise breaks that. Tightening them (h = 10,
  hazard 1/1000) trades false alarms for misses or long delays, and still
  gives no p-value.
- Without blocks, the permutation test ignores autocorrelation: 26% of
  pattern-free series come out at p ≤ 0.05. Dividing the statistic by a
  Newey–West long-run variance ratio was not enough (0.095). Blocks of 7 days
  still run hot (0.08); {{BLOCK}}-day blocks come close to the nominal 0.05 at a
  modest loss of power, while 28-day blocks are exact but leave too few blocks
  in a half-year series and miss almost half the shifts.
- The located day is within a few days of the planted one (see the table;
  TestPlantedShift requires at least {{LOCATED}} of the found shifts within
  {{SHIFTTOL}} days).
- The 95% interval for the size held the planted size in {{COVERED}} of the
  shifts found at that level: a little below 95%, since the interval is built
  around the best split (the split is chosen where the difference looks
  largest). TestPlantedShift requires at least {{MINCOVERAGE}}.

A learned model (an LSTM or similar) was not a candidate: a journal has tens
to a few thousand days per series, far too few to train one per person, a
model trained on others' journals would not give a p-value to control false
discoveries with, and the patterns sought (a mean shift, a weekday effect, an
outlier) are exactly what the classical tests above are built for.

## Speed

` + "`go test -run X -bench Detect ./journal/patterns`" + ` (35 series with a few planted
patterns, the rest pattern-free) on the 2-core development machine: about
22–25 ms for 35 × 1,100 days and 92–130 ms for 35 × 4,000 days. Series run in
parallel; each permutation test draws its own seeded stream, so results do not
depend on the order. Strong patterns cost the most (they draw every shuffle).

## What the tests hold Detect to

- Pattern-free journals (35 series, 180–730 days, group series the means of
  their emotions, one shared pattern of days with entries): at most
  ` + "`maxNullShare`" + ` = {{NULLSHARE}} of journals may show any finding (TestNullJournals,
  200 journals). Measured here: {{NULLMEASURED}} of journals had one.
- Planted shifts (+0.08…+0.15, 240–730 days) found in at least {{POWER}} of
  journals; planted weekly cycles (+0.1) found with the right weekday in at
  least {{CYCLEPOWER}}; a planted unusual day (+0.6) found on the right day.
- No claim rests on fewer than 14 days with entries on a side
  (TestFewDaysNoClaim); empty series, missing days and NaN values are skipped
  (TestOddInput).
`
