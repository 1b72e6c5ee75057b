package mel

import "math"

// complexFFT is a plan for the forward discrete Fourier transform of one
// length, X[k] = Σ x[j]·exp(-2πi·jk/n): a Stockham autosort FFT (decimation
// in frequency, results in natural order, no bit reversal) with butterflies
// for radices 2, 3, 4 and 5 and a plain DFT for any other prime factor.
// A plan is read-only after newComplexFFT and safe for concurrent use.
type complexFFT struct {
	n      int
	stages []fftStage
}

// fftStage is one pass of the Stockham FFT: span/radix butterflies over
// sub-sequences of length span, interleaved with stride stride.
type fftStage struct {
	radix  int
	span   int // length of the sub-transforms this pass splits
	stride int // number of interleaved sub-transforms
	// tw[p*(radix-1)+k-1] = exp(-2πi·p·k/span) for p < span/radix, 0 < k < radix
	tw []complex128
	// roots[k] = exp(-2πi·k/radix), used by radices without a butterfly
	roots []complex128
}

// factorize splits n into the radices the FFT passes use, fours first.
func factorize(n int) []int {
	var fs []int
	for n%4 == 0 {
		fs = append(fs, 4)
		n /= 4
	}
	for _, p := range []int{2, 3, 5} {
		for n%p == 0 {
			fs = append(fs, p)
			n /= p
		}
	}
	for p := 7; p*p <= n; p += 2 {
		for n%p == 0 {
			fs = append(fs, p)
			n /= p
		}
	}
	if n > 1 {
		fs = append(fs, n)
	}
	return fs
}

// rootOfUnity returns exp(-2πi·k/n), reducing k modulo n first so that the
// angle stays small and exact multiples land on exact values.
func rootOfUnity(k, n int) complex128 {
	k %= n
	if k < 0 {
		k += n
	}
	s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
	return complex(c, s)
}

func newComplexFFT(n int) *complexFFT {
	f := &complexFFT{n: n}
	span, stride := n, 1
	for _, r := range factorize(n) {
		m := span / r
		st := fftStage{radix: r, span: span, stride: stride, tw: make([]complex128, m*(r-1))}
		for p := range m {
			for k := 1; k < r; k++ {
				st.tw[p*(r-1)+k-1] = rootOfUnity(p*k, span)
			}
		}
		if r > 5 {
			st.roots = make([]complex128, r)
			for k := range r {
				st.roots[k] = rootOfUnity(k, r)
			}
		}
		f.stages = append(f.stages, st)
		span, stride = m, stride*r
	}
	return f
}

// transform computes the FFT of x in place; work is scratch of the same
// length n.
func (f *complexFFT) transform(x, work []complex128) {
	x, work = x[:f.n], work[:f.n]
	src, dst := x, work
	for i := range f.stages {
		f.stages[i].apply(src, dst)
		src, dst = dst, src
	}
	if len(f.stages)%2 == 1 {
		copy(x, src)
	}
}

// mulNegI returns -i·z.
func mulNegI(z complex128) complex128 { return complex(imag(z), -real(z)) }

// Constants of the radix-3 and radix-5 butterflies (TestButterflyConstants
// checks them against package math).
const (
	sin3  = 0.8660254037844386  // sin(2π/3) = √3/2
	cos5  = 0.30901699437494745 // cos(2π/5)
	cos5b = -0.8090169943749475 // cos(4π/5)
	sin5  = 0.9510565162951535  // sin(2π/5)
	sin5b = 0.5877852522924731  // sin(4π/5)
)

// apply runs one pass: for each sub-transform q and p < m = span/radix, the
// radix-point DFT of src[q+s·(p+j·m)], j < radix, times the twiddles
// exp(-2πi·p·k/span), goes to dst[q+s·(radix·p+k)].
func (st *fftStage) apply(src, dst []complex128) {
	r, s := st.radix, st.stride
	m := st.span / r
	switch r {
	case 2:
		for p := range m {
			w1 := st.tw[p]
			for q := range s {
				a0, a1 := src[q+s*p], src[q+s*(p+m)]
				o := q + s*2*p
				dst[o] = a0 + a1
				dst[o+s] = (a0 - a1) * w1
			}
		}
	case 3:
		for p := range m {
			w1, w2 := st.tw[2*p], st.tw[2*p+1]
			for q := range s {
				a0, a1, a2 := src[q+s*p], src[q+s*(p+m)], src[q+s*(p+2*m)]
				t1, t2 := a1+a2, a1-a2
				mm := a0 - 0.5*t1
				n := mulNegI(complex(sin3, 0) * t2)
				o := q + s*3*p
				dst[o] = a0 + t1
				dst[o+s] = (mm + n) * w1
				dst[o+2*s] = (mm - n) * w2
			}
		}
	case 4:
		for p := range m {
			w1, w2, w3 := st.tw[3*p], st.tw[3*p+1], st.tw[3*p+2]
			for q := range s {
				a0, a1 := src[q+s*p], src[q+s*(p+m)]
				a2, a3 := src[q+s*(p+2*m)], src[q+s*(p+3*m)]
				t0, t1 := a0+a2, a0-a2
				t2, t3 := a1+a3, mulNegI(a1-a3)
				o := q + s*4*p
				dst[o] = t0 + t2
				dst[o+s] = (t1 + t3) * w1
				dst[o+2*s] = (t0 - t2) * w2
				dst[o+3*s] = (t1 - t3) * w3
			}
		}
	case 5:
		for p := range m {
			w := st.tw[4*p : 4*p+4]
			for q := range s {
				a0, a1, a2 := src[q+s*p], src[q+s*(p+m)], src[q+s*(p+2*m)]
				a3, a4 := src[q+s*(p+3*m)], src[q+s*(p+4*m)]
				t1, t2, t3, t4 := a1+a4, a2+a3, a1-a4, a2-a3
				m1 := a0 + complex(cos5, 0)*t1 + complex(cos5b, 0)*t2
				m2 := a0 + complex(cos5b, 0)*t1 + complex(cos5, 0)*t2
				n1 := mulNegI(complex(sin5, 0)*t3 + complex(sin5b, 0)*t4)
				n2 := mulNegI(complex(sin5b, 0)*t3 - complex(sin5, 0)*t4)
				o := q + s*5*p
				dst[o] = a0 + t1 + t2
				dst[o+s] = (m1 + n1) * w[0]
				dst[o+2*s] = (m2 + n2) * w[1]
				dst[o+3*s] = (m2 - n2) * w[2]
				dst[o+4*s] = (m1 - n1) * w[3]
			}
		}
	default:
		for p := range m {
			for q := range s {
				o := q + s*r*p
				for k := range r {
					var sum complex128
					for j := range r {
						sum += src[q+s*(p+j*m)] * st.roots[(j*k)%r]
					}
					if k > 0 {
						sum *= st.tw[p*(r-1)+k-1]
					}
					dst[o+s*k] = sum
				}
			}
		}
	}
}

// realFFT is a plan for the power spectrum of real frames of even length
// n = 2m, computed with one complex FFT of length m: the even samples as
// real parts, the odd ones as imaginary parts, then split apart.
type realFFT struct {
	n  int
	c  *complexFFT
	tw []complex128 // tw[k] = exp(-2πi·k/n), k ≤ m
}

func newRealFFT(n int) *realFFT {
	m := n / 2
	f := &realFFT{n: n, c: newComplexFFT(m), tw: make([]complex128, m+1)}
	for k := range f.tw {
		f.tw[k] = rootOfUnity(k, n)
	}
	return f
}

// power writes |X[k]|² for k = 0..n/2 into out, where X is the DFT of the
// real frame whose samples 2j and 2j+1 are real(z[j]) and imag(z[j]). z is
// overwritten; work is scratch; both have length n/2, out n/2+1.
func (f *realFFT) power(z, work []complex128, out []float64) {
	m := f.n / 2
	f.c.transform(z, work)
	for k := 0; k <= m; k++ {
		zk := z[k%m]
		zc := z[(m-k)%m]
		zc = complex(real(zc), -imag(zc))
		even := 0.5 * (zk + zc)
		odd := mulNegI(0.5 * (zk - zc))
		x := even + f.tw[k]*odd
		out[k] = real(x)*real(x) + imag(x)*imag(x)
	}
}
