package patterns

import "math"

// Lift says how much more often an emotion goes with a word than usual: k
// entries have the word and the emotion, n have the word, K have the emotion,
// N entries in all. It returns lift = (k/n)/(K/N) and a 95% interval by the
// Katz log method, log lift ± 1.96·sqrt(1/k - 1/n + 1/K - 1/N). That
// variance treats the two proportions as independent; since the n entries
// are among the N, the true variance is smaller and the interval errs wide.
// When k is 0 the lift and its lower bound are 0 and the upper bound uses
// k = 0.5 and n + 0.5 (a continuity correction). Counts that cannot be
// (n, K or N not positive, k > n, k > K, n > N, K > N, negative k) give NaN
// for all three.
func Lift(k, n, K, N int) (lift, low, high float64) {
	if k < 0 || n <= 0 || K <= 0 || N <= 0 || k > n || k > K || n > N || K > N {
		return math.NaN(), math.NaN(), math.NaN()
	}
	fk, fn, fK, fN := float64(k), float64(n), float64(K), float64(N)
	if k == 0 {
		fk, fn = 0.5, fn+0.5
		l := (fk / fn) / (fK / fN)
		se := math.Sqrt(1/fk - 1/fn + 1/fK - 1/fN)
		return 0, 0, l * math.Exp(z975*se)
	}
	lift = (fk / fn) / (fK / fN)
	se := math.Sqrt(1/fk - 1/fn + 1/fK - 1/fN)
	return lift, lift * math.Exp(-z975*se), lift * math.Exp(z975*se)
}
