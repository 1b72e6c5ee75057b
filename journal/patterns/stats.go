package patterns

import (
	"math"
	"math/rand/v2"
)

// tester runs the tests on one series; its fields are read only.
type tester struct {
	opt      Options
	shuffles int
	index    uint64 // the series' position, to give each test its own stream
}

// rng returns the random stream of one test: the same seed, series position
// and test kind always give the same stream, whatever order tests run in.
func (t tester) rng(kind uint64) *rand.Rand {
	return rand.New(rand.NewPCG(t.opt.Seed, t.index<<4|kind))
}

// permP is a sequential Monte Carlo p-value (Besag & Clifford 1991): draw
// shuffled statistics until stopHits of them reach observed or max draws were
// made. It returns the p-value and the number of draws made.
func permP(observed float64, max int, draw func() float64) (float64, int) {
	// A small tolerance so that shuffles equal to the observed statistic up
	// to rounding count as reaching it.
	limit := observed * (1 - 1e-12)
	hits := 0
	for n := 1; n <= max; n++ {
		if draw() >= limit {
			hits++
			if hits == stopHits {
				return float64(hits) / float64(n), n
			}
		}
	}
	return float64(hits+1) / float64(max+1), max
}

// median returns the median of v, reordering v. v must not be empty.
func median(v []float64) float64 {
	n := len(v)
	k := n / 2
	hi := selectK(v, k)
	if n%2 == 1 {
		return hi
	}
	lo := v[0]
	for _, x := range v[:k] {
		lo = math.Max(lo, x)
	}
	return (lo + hi) / 2
}

// selectK reorders v so that v[k] is the k-th smallest (from 0), everything
// before it is not larger and everything after not smaller; it returns v[k].
func selectK(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		// median of three as pivot
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// tQuantile975 approximates the 0.975 quantile of Student's t with df degrees
// of freedom by its Cornish–Fisher expansion around the normal quantile
// (accurate to about 0.01 from df = 3 on). df below 2 is taken as 2.
func tQuantile975(df float64) float64 {
	if df < 2 {
		df = 2
	}
	z := z975
	z3, z5, z7 := z*z*z, z*z*z*z*z, z*z*z*z*z*z*z
	g1 := (z3 + z) / 4
	g2 := (5*z5 + 16*z3 + 3*z) / 96
	g3 := (3*z7 + 19*z5 + 17*z3 - 15*z) / 384
	return z + g1/df + g2/(df*df) + g3/(df*df*df)
}

// cluster accumulates residual sums per cluster (a block of calendar days on
// one side of a comparison) for a cluster-robust variance of a mean: the
// sum over clusters of (cluster's residual sum)², over n², with the
// small-sample factor G/(G-1). Days within a cluster may be correlated;
// clusters are taken as independent.
type cluster struct {
	sums []float64
	used []bool
	g    int
}

func newCluster(n int) cluster {
	return cluster{sums: make([]float64, n), used: make([]bool, n)}
}

func (c *cluster) add(i int, r float64) {
	if !c.used[i] {
		c.used[i] = true
		c.g++
	}
	c.sums[i] += r
}

// variance returns the variance of the mean of n values, and G.
func (c *cluster) variance(n int) (float64, int) {
	s := 0.0
	for _, v := range c.sums {
		s += v * v
	}
	if c.g < 2 || n == 0 {
		return math.Inf(1), c.g
	}
	g := float64(c.g)
	return s / float64(n) / float64(n) * g / (g - 1), c.g
}

// tTail2 returns the two-sided tail probability P(|T| >= t) of Student's t
// with df degrees of freedom, df > 0: the regularized incomplete beta
// function I_x(df/2, 1/2) at x = df/(df+t²).
func tTail2(t, df float64) float64 {
	if math.IsNaN(t) || !(df > 0) {
		return math.NaN()
	}
	if math.IsInf(t, 0) {
		return 0
	}
	return betaInc(df/2, 0.5, df/(df+t*t))
}

// betaInc is the regularized incomplete beta function I_x(a, b) for a, b > 0,
// by its continued fraction (DLMF 8.17.22) evaluated with the modified Lentz
// method, using I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges
// slowly.
func betaInc(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaFraction(a, b, x) / a
	}
	return 1 - front*betaFraction(b, a, 1-x)/b
}

// betaFraction evaluates 1/(1+d1/(1+d2/(1+...))) with
// d(2m+1) = -(a+m)(a+b+m)x/((a+2m)(a+2m+1)) and
// d(2m) = m(b-m)x/((a+2m-1)(a+2m)).
func betaFraction(a, b, x float64) float64 {
	const tiny, eps = 1e-300, 1e-15
	f, c, d := tiny, tiny, 0.0
	for j := 1; j <= 400; j++ {
		num := 1.0
		if j > 1 {
			k := j - 1 // index of the coefficient d(k)
			m := float64(k / 2)
			if k%2 == 1 {
				num = -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
			} else {
				num = m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
			}
		}
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		delta := c * d
		f *= delta
		if math.Abs(delta-1) < eps {
			break
		}
	}
	return f
}
