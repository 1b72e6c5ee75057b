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
		return refine(o, minDays), 1, 0, true
	}
	p, drawn = permP(observed, shuffles, func() float64 {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		v, _ := scanBlocks(order, sum, cnt, n, md)
		return v
	})
	return refine(o, minDays), p, drawn, true
}

// refine places the split to the day: the split between days with entries,
// leaving minDays each side, with the largest standardized mean difference.
// The block-level scan only serves the permutation test.
func refine(o obs, minDays int) int {
	n := len(o.x)
	mean := meanOf(o.x)
	best, split := -1.0, max(minDays, min(n-minDays, n/2))
	s := 0.0
	for i := 1; i < n; i++ {
		s += o.x[i-1]
		if i < minDays || n-i < minDays {
			continue
		}
		dev := s - float64(i)*mean
		if v := dev * dev / (float64(i) * float64(n-i)); v > best {
			best, split = v, i
		}
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
