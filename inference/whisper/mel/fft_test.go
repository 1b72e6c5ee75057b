package mel

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveDFT is the O(n²) definition the FFT must agree with.
func naiveDFT(x []complex128) []complex128 {
	n := len(x)
	out := make([]complex128, n)
	for k := range n {
		var sum complex128
		for j, v := range x {
			s, c := math.Sincos(-2 * math.Pi * float64((j*k)%n) / float64(n))
			sum += v * complex(c, s)
		}
		out[k] = sum
	}
	return out
}

func TestFactorize(t *testing.T) {
	tests := []struct {
		n    int
		want []int
	}{
		{1, nil},
		{2, []int{2}},
		{8, []int{4, 2}},
		{200, []int{4, 2, 5, 5}},
		{400, []int{4, 4, 5, 5}},
		{210, []int{2, 3, 5, 7}},
		{143, []int{11, 13}},
		{97, []int{97}},
		{121, []int{11, 11}},
	}
	for _, tt := range tests {
		if got := factorize(tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("factorize(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestButterflyConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"sin3", sin3, math.Sin(2 * math.Pi / 3)},
		{"cos5", cos5, math.Cos(2 * math.Pi / 5)},
		{"cos5b", cos5b, math.Cos(4 * math.Pi / 5)},
		{"sin5", sin5, math.Sin(2 * math.Pi / 5)},
		{"sin5b", sin5b, math.Sin(4 * math.Pi / 5)},
	} {
		if math.Abs(c.got-c.want) > 1e-15 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestComplexFFT_Transform(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 25, 49, 50, 64, 100, 143, 200, 210, 256, 400} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		want := naiveDFT(x)
		got := slices.Clone(x)
		newComplexFFT(n).transform(got, make([]complex128, n))
		var worst float64
		for k := range got {
			worst = max(worst, cmplx.Abs(got[k]-want[k]))
		}
		if tol := 1e-12 * float64(n); worst > tol {
			t.Errorf("n=%d: max |FFT - DFT| = %g, want ≤ %g", n, worst, tol)
		}
	}
}

func TestRealFFT_Power(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{2, 4, 6, 10, 16, 30, 50, 256, 400, 512} {
		x := make([]float64, n)
		cx := make([]complex128, n)
		for i := range x {
			x[i] = rng.Float64()*2 - 1
			cx[i] = complex(x[i], 0)
		}
		ref := naiveDFT(cx)
		z := make([]complex128, n/2)
		for j := range z {
			z[j] = complex(x[2*j], x[2*j+1])
		}
		got := make([]float64, n/2+1)
		newRealFFT(n).power(z, make([]complex128, n/2), got)
		var worst float64
		for k, p := range got {
			want := real(ref[k])*real(ref[k]) + imag(ref[k])*imag(ref[k])
			worst = max(worst, math.Abs(p-want)/(1+want))
		}
		if tol := 1e-12 * float64(n); worst > tol {
			t.Errorf("n=%d: max relative power error %g, want ≤ %g", n, worst, tol)
		}
	}
}

// A pure cosine at bin k puts all of its power, (n/2)², into bins k and n-k.
func TestRealFFT_PowerOfCosine(t *testing.T) {
	const n, k = 400, 37
	z := make([]complex128, n/2)
	for j := range z {
		z[j] = complex(math.Cos(2*math.Pi*k*float64(2*j)/n), math.Cos(2*math.Pi*k*float64(2*j+1)/n))
	}
	got := make([]float64, n/2+1)
	newRealFFT(n).power(z, make([]complex128, n/2), got)
	for b, p := range got {
		want := 0.0
		if b == k {
			want = n * n / 4
		}
		if math.Abs(p-want) > 1e-8 {
			t.Errorf("bin %d: power %g, want %g", b, p, want)
		}
	}
}
