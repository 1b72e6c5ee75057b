package patterns

import (
	"math"
	"slices"
)

// BenjaminiHochberg returns the Benjamini & Hochberg (1995) adjusted
// q-values of p, in the same order: q of the i-th smallest of m p-values is
// the smallest m·p(j)/j over j >= i, at most 1. Rejecting the tests with
// q <= α controls the false discovery rate at α for independent or
// positively dependent tests. NaN p-values are taken as 1.
func BenjaminiHochberg(p []float64) []float64 {
	return stepUp(p, 1)
}

// BenjaminiYekutieli returns the Benjamini & Yekutieli (2001) adjusted
// q-values of p, in the same order: the Benjamini–Hochberg ones times
// 1 + 1/2 + ... + 1/m, at most 1, which controls the false discovery rate
// under any dependence between tests. NaN p-values are taken as 1.
func BenjaminiYekutieli(p []float64) []float64 {
	return stepUp(p, harmonic(len(p)))
}

func stepUp(p []float64, c float64) []float64 {
	m := len(p)
	q := make([]float64, m)
	if m == 0 {
		return q
	}
	clean := make([]float64, m)
	for i, v := range p {
		switch {
		case math.IsNaN(v) || v > 1:
			v = 1
		case v < 0:
			v = 0
		}
		clean[i] = v
	}
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case clean[a] < clean[b]:
			return -1
		case clean[a] > clean[b]:
			return 1
		}
		return 0
	})
	run := 1.0
	for r := m - 1; r >= 0; r-- {
		i := idx[r]
		v := clean[i] * float64(m) * c / float64(r+1)
		run = math.Min(run, v)
		q[i] = run
	}
	return q
}
