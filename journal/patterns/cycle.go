package patterns

import (
	"fmt"
	"math"
	"time"
)

// canCycle says whether some weekday has minDays days with entries and the
// other weekdays together have minDays too.
func canCycle(o obs, minDays int) bool {
	var cnt [7]int
	for _, d := range o.day {
		cnt[d%7]++
	}
	for _, c := range cnt {
		if c >= minDays && len(o.day)-c >= minDays {
			return true
		}
	}
	return false
}

// weekdayStat returns the largest squared standardized difference between
// one slot's mean and the other slots' mean, over slots with at least
// minDays days with entries whose complement has minDays too, and the slot
// (-1: none). The overall variance is left out: rotating days within weeks
// does not change it.
func weekdayStat(sum, cnt *[7]float64, minDays float64) (float64, int) {
	total, n := 0.0, 0.0
	for s := range 7 {
		total += sum[s]
		n += cnt[s]
	}
	best, at := 0.0, -1
	for s := range 7 {
		k := cnt[s]
		if k < minDays || n-k < minDays {
			continue
		}
		d := sum[s]/k - (total-sum[s])/(n-k)
		if v := d * d / (1/k + 1/(n-k)); v > best {
			best, at = v, s
		}
	}
	return best, at
}

// cycleTest compares each slot of the week (day mod 7) with the other days;
// its significance comes from rotating each 7-day week by a random number of
// days, which keeps each week's days together (and with them slow drifts and
// shifts) but breaks any tie to weekdays. It returns the slot, the p-value
// and the shuffles drawn; ok is false when no slot can be tested.
func cycleTest(o obs, minDays, shuffles int, t tester) (slot int, p float64, drawn int, ok bool) {
	if !canCycle(o, minDays) {
		return -1, 1, 0, false
	}
	weeks := (o.span + 6) / 7
	wsum := make([][7]float64, weeks)
	wcnt := make([][7]float64, weeks)
	var sum, cnt [7]float64
	for i, d := range o.day {
		wsum[d/7][d%7] += o.x[i]
		wcnt[d/7][d%7]++
		sum[d%7] += o.x[i]
		cnt[d%7]++
	}
	md := float64(minDays)
	observed, slot := weekdayStat(&sum, &cnt, md)
	if slot < 0 || observed <= 0 {
		return max(slot, 0), 1, 0, true
	}
	// Each week's sums and counts twice over, so that a week rotated by k
	// days is the window [7-k, 14-k) with no wrapping; weeks without
	// entries are left out.
	type week struct{ sum, cnt [14]float64 }
	ws := make([]week, 0, weeks)
	for w := range wsum {
		var k week
		for s := range 7 {
			k.sum[s], k.sum[s+7] = wsum[w][s], wsum[w][s]
			k.cnt[s], k.cnt[s+7] = wcnt[w][s], wcnt[w][s]
		}
		if k.cnt != ([14]float64{}) {
			ws = append(ws, k)
		}
	}
	r := t.rng(kindCycle)
	p, drawn = permP(observed, shuffles, func() float64 {
		var ps, pc [7]float64
		for i := range ws {
			off := 7 - r.IntN(7)
			s := (*[7]float64)(ws[i].sum[off : off+7])
			c := (*[7]float64)(ws[i].cnt[off : off+7])
			for j := range 7 {
				ps[j] += s[j]
				pc[j] += c[j]
			}
		}
		v, _ := weekdayStat(&ps, &pc, md)
		return v
	})
	return slot, p, drawn, true
}

// cycle runs the weekly-cycle test on one series; it needs Options.Start.
func (t tester) cycle(o obs) (Finding, bool) {
	if t.opt.Start.IsZero() {
		return Finding{}, false
	}
	slot, p, drawn, ok := cycleTest(o, t.opt.MinDays, t.shuffles, t)
	if !ok {
		return Finding{}, false
	}
	f := describeCycle(o, slot)
	f.Weekday = (t.opt.Start.Weekday() + time.Weekday(slot)) % 7
	f.P = p
	f.Test = fmt.Sprintf("mean of %d %ss vs %d other days, weekly rotation permutation (%s)",
		f.DaysAfter, f.Weekday, f.DaysBefore, shuffleWords(drawn, t.shuffles))
	return f, true
}

// describeCycle fills in a Cycle finding for one slot, with a 95% interval
// for the size from week-clustered residuals.
func describeCycle(o obs, slot int) Finding {
	var in, out []float64
	for i, d := range o.day {
		if d%7 == slot {
			in = append(in, o.x[i])
		} else {
			out = append(out, o.x[i])
		}
	}
	ma, mb := meanOf(in), meanOf(out)
	na, nb := float64(len(in)), float64(len(out))
	weeks := (o.span + 6) / 7
	c := newCluster(weeks)
	for i, d := range o.day {
		if d%7 == slot {
			c.add(d/7, (o.x[i]-ma)/na)
		} else {
			c.add(d/7, -(o.x[i]-mb)/nb)
		}
	}
	v, g := c.variance(1)
	half := tQuantile975(float64(g-1)) * math.Sqrt(v)
	size := ma - mb
	return Finding{
		Series: o.name, Kind: Cycle, Day: -1,
		Before: mb, After: ma, Size: size,
		Low: size - half, High: size + half,
		DaysBefore: len(out), DaysAfter: len(in),
	}
}
