package patterns

import (
	"fmt"
	"math"
)

// madDF is the degrees of freedom of Student's t against which a robust z
// is judged when its scale is a MAD over n values: that scale varies about
// as much as a standard deviation with 0.37·n degrees of freedom would (its
// large-sample variance is 1.36·σ²/n against σ²/(2·df)). Judging by the
// normal tail instead would ignore the scale's own noise, which inflates
// the far tail.
func madDF(n int) float64 { return max(3, 0.37*float64(n)) }

// madScale turns a median absolute deviation into a standard deviation for
// normal data.
const madScale = 1.482602218505602

// canUnusual says whether some day has minDays days with entries on each
// side.
func canUnusual(o obs, minDays int) bool {
	return len(o.x) >= 2*minDays+1
}

// unusualTest compares each day with entries with the median of the minDays
// days with entries before it and the minDays after it. Deviations are
// scaled by 1.4826 times the median absolute deviation of all days'
// deviations (a robust standard deviation); the day with the largest
// |deviation| is tested against Student's t with madDF degrees of freedom,
// with Šidák's correction for the number of days looked at. It returns the day's index, its baseline,
// the robust z, the scale, the p-value and the days looked at; ok is false
// when no day has minDays days with entries on each side.
func unusualTest(o obs, minDays int) (at int, base, z, scale, p float64, days int, ok bool) {
	if !canUnusual(o, minDays) {
		return 0, 0, 0, 0, 1, 0, false
	}
	n := len(o.x)
	days = n - 2*minDays
	res := make([]float64, days)
	bases := make([]float64, days)
	window := make([]float64, 2*minDays)
	for i := minDays; i < n-minDays; i++ {
		copy(window, o.x[i-minDays:i])
		copy(window[minDays:], o.x[i+1:i+1+minDays])
		bases[i-minDays] = median(window)
		res[i-minDays] = o.x[i] - bases[i-minDays]
	}
	abs := make([]float64, days)
	for i, r := range res {
		abs[i] = math.Abs(r)
	}
	scale = madScale * median(abs)
	best := 0
	for i, r := range res {
		if math.Abs(r) > math.Abs(res[best]) {
			best = i
		}
	}
	at, base = best+minDays, bases[best]
	if !(scale > 1e-9) {
		// Most days equal their surroundings exactly; no scale to judge by.
		return at, base, 0, scale, 1, days, true
	}
	z = res[best] / scale
	p1 := tTail2(z, madDF(days))
	p = -math.Expm1(float64(days) * math.Log1p(-p1))
	return at, base, z, scale, min(1, p), days, true
}

// unusual runs the unusual-day test on one series.
func (t tester) unusual(o obs) (Finding, bool) {
	md := t.opt.MinDays
	at, base, z, scale, p, days, ok := unusualTest(o, md)
	if !ok {
		return Finding{}, false
	}
	v := o.x[at]
	size := v - base
	// The day's own noise plus that of a median of 2·MinDays values.
	half := z975 * scale * math.Sqrt(1+math.Pi/2/float64(2*md))
	return Finding{
		Series: o.name, Kind: Unusual, Day: o.day[at],
		Before: base, After: v, Size: size,
		Low: size - half, High: size + half,
		P: p, DaysBefore: md, DaysAfter: md,
		Test: fmt.Sprintf("day against the median of %d days with entries before and %d after, robust z %.1f (1.4826·MAD of all days' deviations), t tail (%.0f df) with Šidák over %d days",
			md, md, z, madDF(days), days),
	}, true
}
