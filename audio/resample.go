package audio

import "math"

// Resampling by band-limited interpolation: each output sample is a sum of
// input samples weighted by a Kaiser-windowed sinc low-pass filter. The
// filter's stopband starts at the lower of the two Nyquist frequencies and
// is designed for 90 dB of attenuation, so that when recordings are brought
// down to 16 kHz whatever lies above 8 kHz folds back into the speech band
// more than 80 dB down at every frequency (the Kaiser design formulas are
// approximate at the band edge: the margin keeps the worst alias below
// the claim). The filter is tabulated per output phase when the ratio of
// the rates is a small fraction (all common rates), and evaluated directly
// otherwise.

const (
	resampleAttenuationDB = 90
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
	r := NewResampler(from, to)
	out := r.Process(in)
	return append(out, r.Flush()...)
}

// Resampler converts a stream of mono samples from one rate to another,
// chunk by chunk, giving exactly what Resample gives for the whole stream.
// Each output sample waits for the input the filter needs after it (a few
// milliseconds), so Flush returns the stream's last samples.
type Resampler struct {
	up, down int64 // output n sits at input time n·down/up
	half     int
	kernel   func(float64) float64
	table    [][]float64

	buf      []float32 // input from absolute index start on
	start    int64
	inTotal  int64
	outNext  int64
	identity bool
}

// NewResampler returns a Resampler from one rate to another; equal rates
// (or a rate ≤ 0) pass samples through unchanged.
func NewResampler(from, to int) *Resampler {
	if from == to || from <= 0 || to <= 0 {
		return &Resampler{identity: true}
	}
	g := gcd(from, to)
	r := &Resampler{up: int64(to / g), down: int64(from / g)}
	low := float64(min(from, to))
	// Normalised to the input rate: cutoff in the middle of the transition band.
	cutoff := (0.5 - resampleTransition/2) * low / float64(from)
	width := resampleTransition * low / float64(from) // transition width, cycles per input sample
	beta := 0.1102 * (resampleAttenuationDB - 8.7)
	half := int(math.Ceil((resampleAttenuationDB - 8) / (2.285 * 2 * math.Pi * width) / 2))
	r.half = half
	r.kernel = func(x float64) float64 { // x in input samples from the output instant
		if math.Abs(x) > float64(half) {
			return 0
		}
		w := bessel0(beta*math.Sqrt(1-(x/float64(half))*(x/float64(half)))) / bessel0(beta)
		return 2 * cutoff * sinc(2*cutoff*x) * w
	}
	if r.up <= maxTabulatedPhases {
		r.table = make([][]float64, r.up)
		for p := range r.table {
			frac := float64(p) / float64(r.up)
			row := make([]float64, 2*half+1)
			for k := -half; k <= half; k++ {
				row[k+half] = r.kernel(frac - float64(k))
			}
			r.table[p] = row
		}
	}
	return r
}

// Process takes the next input chunk and returns the output samples that
// are now complete.
func (r *Resampler) Process(in []float32) []float32 {
	return r.appendProcess(nil, in)
}

// appendProcess is Process appending the output to out (a Stream reuses
// one buffer for it, making no garbage per chunk).
func (r *Resampler) appendProcess(out, in []float32) []float32 {
	if r.identity {
		return append(out, in...)
	}
	r.buf = append(r.buf, in...)
	r.inTotal += int64(len(in))
	for {
		pos := r.outNext * r.down
		base := pos / r.up
		if base+int64(r.half) >= r.inTotal {
			break
		}
		out = append(out, r.at(pos))
		r.outNext++
	}
	r.trim()
	return out
}

// Flush returns the last output samples, the input after the end counting
// as silence, and resets the Resampler for a new stream.
func (r *Resampler) Flush() []float32 {
	if r.identity {
		return nil
	}
	n := (r.inTotal*r.up + r.down - 1) / r.down
	var out []float32
	for ; r.outNext < n; r.outNext++ {
		out = append(out, r.at(r.outNext*r.down))
	}
	r.buf, r.start, r.inTotal, r.outNext = r.buf[:0], 0, 0, 0
	return out
}

// at computes the output sample at input time pos/up from the input the
// filter spans there (samples before the stream or after its end count as
// silence).
func (r *Resampler) at(pos int64) float32 {
	base := pos / r.up
	phase := int(pos % r.up)
	lo := max(base-int64(r.half), r.start)
	hi := min(base+int64(r.half), r.inTotal-1)
	if hi < lo {
		return 0
	}
	in := r.buf[lo-r.start : hi-r.start+1]
	var acc float64
	if r.table != nil {
		k0 := lo - base + int64(r.half)
		row := r.table[phase][k0 : k0+int64(len(in))]
		for i, c := range row {
			acc += c * float64(in[i])
		}
		return float32(acc)
	}
	frac := float64(phase) / float64(r.up)
	for i, v := range in {
		acc += r.kernel(frac-float64(lo+int64(i)-base)) * float64(v)
	}
	return float32(acc)
}

// trim drops input that no future output needs.
func (r *Resampler) trim() {
	need := r.outNext*r.down/r.up - int64(r.half)
	if drop := need - r.start; drop > 4096 {
		n := copy(r.buf, r.buf[drop:])
		r.buf = r.buf[:n]
		r.start = need
	}
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
