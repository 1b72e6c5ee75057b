package audio

import "math"

// Resampling by band-limited interpolation: each output sample is a sum of
// input samples weighted by a Kaiser-windowed sinc low-pass filter. The
// filter's stopband starts at the lower of the two Nyquist frequencies, with
// about 80 dB of attenuation, so that when recordings are brought down to
// 16 kHz nothing above 8 kHz folds back into the speech band. The filter is
// tabulated per output phase when the ratio of the rates is a small fraction
// (all common rates), and evaluated directly otherwise.

const (
	resampleAttenuationDB = 80
	// resampleTransition is the filter's transition band as a fraction of
	// the lower rate: the passband ends at (0.5-resampleTransition)·rate.
	resampleTransition = 0.06
	maxTabulatedPhases = 4096
)

// Resample converts mono samples from one rate to another.
func Resample(in []float32, from, to int) []float32 {
	if from == to || len(in) == 0 || from <= 0 || to <= 0 {
		return append([]float32(nil), in...)
	}
	g := gcd(from, to)
	up, down := to/g, from/g // output n sits at input time n·down/up
	low := float64(min(from, to))
	// Normalised to the input rate: cutoff in the middle of the transition band.
	cutoff := (0.5 - resampleTransition/2) * low / float64(from)
	width := resampleTransition * low / float64(from) // transition width, cycles per input sample
	beta := 0.1102 * (resampleAttenuationDB - 8.7)
	half := int(math.Ceil((resampleAttenuationDB - 8) / (2.285 * 2 * math.Pi * width) / 2))

	kernel := func(x float64) float64 { // x in input samples from the output instant
		if math.Abs(x) > float64(half) {
			return 0
		}
		w := bessel0(beta*math.Sqrt(1-(x/float64(half))*(x/float64(half)))) / bessel0(beta)
		return 2 * cutoff * sinc(2*cutoff*x) * w
	}
	var table [][]float64
	if up <= maxTabulatedPhases {
		table = make([][]float64, up)
		for p := range table {
			frac := float64(p) / float64(up)
			row := make([]float64, 2*half+1)
			for k := -half; k <= half; k++ {
				row[k+half] = kernel(frac - float64(k))
			}
			table[p] = row
		}
	}

	n := int((int64(len(in))*int64(up) + int64(down) - 1) / int64(down))
	out := make([]float32, n)
	for i := range out {
		pos := int64(i) * int64(down)
		base := int(pos / int64(up))
		phase := int(pos % int64(up))
		var acc float64
		for k := -half; k <= half; k++ {
			j := base + k
			if j < 0 || j >= len(in) {
				continue
			}
			var c float64
			if table != nil {
				c = table[phase][k+half]
			} else {
				c = kernel(float64(phase)/float64(up) - float64(k))
			}
			acc += c * float64(in[j])
		}
		out[i] = float32(acc)
	}
	return out
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// bessel0 is the modified Bessel function of the first kind, order 0.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-12 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
