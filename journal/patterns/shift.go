package patterns

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// blocks sums o's values and counts its days with entries per block of
// `block` calendar days (block i holds days i·block to i·block+block-1).
func blocks(o obs, block int) (sum, cnt []float64) {
	nb := (o.span + block - 1) / block
	sum = make([]float64, nb)
	cnt = make([]float64, nb)
	for i, d := range o.day {
		sum[d/block] += o.x[i]
		cnt[d/block]++
	}
	return sum, cnt
}

// scanBlocks returns the largest squared standardized mean difference
// between the blocks before and after a boundary, over the boundaries of the
// block order given that leave at least minDays days with entries each side,
// and the position of the last block before the best boundary (-1: none).
// The statistic, (S - k·mean)²·n / (k·(n-k)) for k days before summing to S,
// is the squared two-sample t statistic up to the overall variance, which
// shuffling blocks leaves unchanged.
func scanBlocks(order []int32, sum, cnt []float64, n, minDays float64) (float64, int) {
	total := 0.0
	for _, s := range sum {
		total += s
	}
	mean := total / n
	best, at := 0.0, -1
	k, s := 0.0, 0.0
	for j := 0; j < len(order)-1; j++ {
		b := order[j]
		k += cnt[b]
		s += sum[b]
		if k < minDays {
			continue
		}
		if n-k < minDays {
			break
		}
		d := s - k*mean
		if v := d * d * n / (k * (n - k)); v > best {
			best, at = v, j
		}
	}
	return best, at
}

// canShift says whether some block boundary leaves minDays days with entries
// on each side.
func canShift(o obs, minDays int) bool {
	return shiftable(o, minDays, shiftBlock)
}

func shiftable(o obs, minDays, block int) bool {
	n := len(o.x)
	if n < 2*minDays {
		return false
	}
	// The boundary after the block holding the minDays-th day must leave
	// minDays days after it.
	end := (o.day[minDays-1]/block + 1) * block
	after := 0
	for _, d := range o.day {
		if d >= end {
			after++
		}
	}
	return after >= minDays
}

// shiftTest is the shift test on o with blocks of `block` days: the best
// split by standardized mean difference, its significance by shuffling
// blocks. It returns the index of the first day with entries of the new
// level, the p-value and the number of shuffles drawn; ok is false when no
// split leaves minDays days with entries on each side.
func shiftTest(o obs, minDays, block, shuffles int, r *rand.Rand) (split int, p float64, drawn int, ok bool) {
	if !shiftable(o, minDays, block) {
		return 0, 1, 0, false
	}
	sum, cnt := blocks(o, block)
	n := float64(len(o.x))
	md := float64(minDays)
	order := make([]int32, len(sum))
	for i := range order {
		order[i] = int32(i)
	}
	observed, at := scanBlocks(order, sum, cnt, n, md)
	if at < 0 || observed <= 0 {
		return refine(o, minDays, block, at), 1, 0, true
	}
	p, drawn = permP(observed, shuffles, func() float64 {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		v, _ := scanBlocks(order, sum, cnt, n, md)
		return v
	})
	return refine(o, minDays, block, at), p, drawn, true
}

// refine places the split to the day: among the splits between days with
// entries within one block of the best block boundary, the one with the
// largest standardized mean difference.
func refine(o obs, minDays, block, at int) int {
	const global = true
	n := len(o.x)
	boundary := (at + 1) * block
	total := 0.0
	for _, v := range o.x {
		total += v
	}
	mean := total / float64(n)
	best, split := -1.0, -1
	s := 0.0
	for i := 1; i < n; i++ {
		s += o.x[i-1]
		if i < minDays || n-i < minDays {
			continue
		}
		if d := o.day[i]; !global && (d < boundary-block || d > boundary+block) {
			continue
		}
		dev := s - float64(i)*mean
		if v := dev * dev / (float64(i) * float64(n-i)); v > best {
			best, split = v, i
		}
	}
	if split < 0 {
		split = max(minDays, min(n-minDays, n/2))
	}
	return split
}

// shift runs the shift test on one series.
func (t tester) shift(o obs) (Finding, bool) {
	split, p, drawn, ok := shiftTest(o, t.opt.MinDays, shiftBlock, t.shuffles, t.rng(kindShift))
	if !ok {
		return Finding{}, false
	}
	f := describeShift(o, split, intervalBlock)
	f.P = p
	f.Test = fmt.Sprintf("mean of %d days before vs %d days after, block permutation (%d-day blocks, %s)",
		f.DaysBefore, f.DaysAfter, shiftBlock, shuffleWords(drawn, t.shuffles))
	return f, true
}

// describeShift fills in a Shift finding for the split before o's split-th
// day with entries, with a 95% interval for the size from block-clustered
// variances of the two means.
func describeShift(o obs, split, block int) Finding {
	n := len(o.x)
	before, after := meanOf(o.x[:split]), meanOf(o.x[split:])
	nb := (o.span + block - 1) / block
	cb, ca := newCluster(nb), newCluster(nb)
	for i, d := range o.day {
		if i < split {
			cb.add(d/block, o.x[i]-before)
		} else {
			ca.add(d/block, o.x[i]-after)
		}
	}
	vb, gb := cb.variance(split)
	va, ga := ca.variance(n - split)
	half := tQuantile975(float64(gb+ga-2)) * math.Sqrt(vb+va)
	size := after - before
	return Finding{
		Series: o.name, Kind: Shift, Day: o.day[split],
		Before: before, After: after, Size: size,
		Low: size - half, High: size + half,
		DaysBefore: split, DaysAfter: n - split,
	}
}

func meanOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// shuffleWords says how many shuffles a test drew.
func shuffleWords(drawn, most int) string {
	if drawn < most {
		return fmt.Sprintf("stopped after %d of up to %d shuffles", drawn, most)
	}
	return fmt.Sprintf("%d shuffles", drawn)
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
	split = refine(o, minDays, 1, at)
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
