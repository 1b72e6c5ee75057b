package whisper

import (
	"math"
	"math/rand/v2"
)

// The per-token work on a row of logits (51,865 of them) is kept to one or
// two float32 passes: the rules set the suppressed tokens to -Inf and say
// which ranges are left (the text tokens up to <|endoftext|>, the
// timestamps), and one pass over those finds the best token and the
// normaliser log Σ exp. The special tokens between <|endoftext|> and the
// timestamps are always suppressed and never scanned.

const (
	log2e    = 1.4426950408889634
	ln2      = 0.6931471805599453
	sqrtHalf = 0.7071067811865476
)

// expNeg returns e^x for x ≤ 0 (or NaN, giving 0) to about 3e-6 relative
// error: 2^(x·log2 e) split into an integer power, set in the exponent
// bits, and a fraction, by a degree-5 polynomial around 2^-½.
func expNeg(x float32) float32 {
	if !(x >= -87) {
		return 0
	}
	y := x * log2e
	n := int32(y)                     // toward zero: y ≤ n ≤ 0
	u := (y - float32(n) + 0.5) * ln2 // |u| ≤ ½·ln 2
	p := 1 + u*(1+u*(0.5+u*(1.0/6+u*(1.0/24+u*(1.0/120)))))
	p *= sqrtHalf
	return math.Float32frombits(uint32(int32(math.Float32bits(p)) + n<<23))
}

// expTab holds e^(-i/expTabK) for the exponentials of a row's sums, where
// a table lookup with a linear correction (relative error below 1e-5) is
// three times faster than expNeg's polynomial.
const (
	expTabK = 256
	expTabN = 24 * expTabK // e^-24: below float32's resolution of a sum ≥ 1
)

var expTab = func() (t [expTabN + 1]float32) {
	for i := range t {
		t[i] = float32(math.Exp(-float64(i) / expTabK))
	}
	return t
}()

// expRow returns e^x for x ≤ 0 from expTab: 0 below -24 (and for NaN).
func expRow(x float32) float32 {
	f := -x * expTabK
	if !(f < expTabN) {
		return 0
	}
	i := int32(f)
	r := f - float32(i)
	return expTab[i] * (1 - r*(1.0/expTabK))
}

// scanLSE returns the largest of xs, its index (-1 when all are -Inf) and
// Σ e^(x − top).
func scanLSE(xs []float32) (top float32, arg int, sum float32, nan bool) {
	top, arg, nan = maxArg(xs)
	if arg < 0 {
		return top, arg, 0, nan
	}
	return top, arg, sumExp(xs, top, 1), nan
}

// maxArg returns the largest of xs and its index (-1 when all are -Inf),
// and whether one was NaN (at no cost where none is).
func maxArg(xs []float32) (top float32, arg int, nan bool) {
	top, arg = float32(math.Inf(-1)), -1
	for i, x := range xs {
		if !(x <= top) {
			if x > top {
				top, arg = x, i
			} else {
				nan = true
			}
		}
	}
	return top, arg, nan
}

// sumExp returns Σ e^((x − top)·k) for x ≤ top, in four running sums (the
// additions, not the exponentials, would otherwise set the pace).
func sumExp(xs []float32, top, k float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+3 < len(xs); i += 4 {
		s0 += expRow((xs[i] - top) * k)
		s1 += expRow((xs[i+1] - top) * k)
		s2 += expRow((xs[i+2] - top) * k)
		s3 += expRow((xs[i+3] - top) * k)
	}
	for ; i < len(xs); i++ {
		s0 += expRow((xs[i] - top) * k)
	}
	return (s0 + s1) + (s2 + s3)
}

// live says which ranges of a filtered row may still be chosen, with what
// the rules already learned of them.
type live struct {
	textEnd int // text tokens are [0, textEnd): up to <|endoftext|>
	text    bool
	// textKnown: textTop and textArg are computed (with timestamps).
	textKnown bool
	textTop   float32
	textArg   int
	nan       bool // a NaN was seen
	stamps    bool // timestamps [timestampBegin, len) may be chosen
	tsTop     float32
	tsArg     int // index in the row
	tsSum     float32
}

// dist is a filtered row's summary: the best token and log Σ exp over the
// tokens left.
type dist struct {
	top float32
	arg int
	lse float32
	nan bool
}

// normalise finds the best token and the normaliser of a filtered row.
func (m *Model) normalise(logits []float32, l live) dist {
	d := dist{top: float32(math.Inf(-1)), arg: -1, nan: l.nan}
	var sum float32
	if l.text {
		if l.textKnown {
			d.top, d.arg = l.textTop, l.textArg
			sum = sumExp(logits[:l.textEnd], d.top, 1)
		} else {
			var nan bool
			d.top, d.arg, sum, nan = scanLSE(logits[:l.textEnd])
			d.nan = d.nan || nan
		}
	}
	if l.stamps && l.tsArg >= 0 {
		if l.tsTop > d.top {
			sum = sum*expNeg(d.top-l.tsTop) + l.tsSum
			d.top, d.arg = l.tsTop, l.tsArg
		} else {
			sum += l.tsSum * expNeg(l.tsTop-d.top)
		}
	}
	d.lse = d.top + float32(math.Log(float64(sum)))
	return d
}

// sampleLive draws a token from softmax(logits / t) over the live ranges.
func (m *Model) sampleLive(logits []float32, l live, d dist, t float32, rng *rand.Rand) int {
	k := 1 / t
	var ranges [2][2]int
	n := 0
	if l.text {
		ranges[n] = [2]int{0, l.textEnd}
		n++
	}
	if l.stamps {
		ranges[n] = [2]int{m.voc.timestampBegin, len(logits)}
		n++
	}
	var sum float32
	for _, r := range ranges[:n] {
		sum += sumExp(logits[r[0]:r[1]], d.top, k)
	}
	target := float32(rng.Float64()) * sum
	for _, r := range ranges[:n] {
		for i, x := range logits[r[0]:r[1]] {
			w := expRow((x - d.top) * k)
			target -= w
			if target < 0 && w > 0 {
				return r[0] + i
			}
		}
	}
	return d.arg
}

// next chooses the token after tokens from the logits row, which it
// filters in place, at temperature t, and returns it with its
// log-probability under the filtered distribution: NaN for a row that
// holds a NaN or +Inf.
func (m *Model) next(logits []float32, tokens []int, t float32, rng *rand.Rand) (int, float64) {
	l := m.filter(logits, tokens)
	d := m.normalise(logits, l)
	if d.nan || math.IsInf(float64(d.top), 1) {
		return m.voc.eot, math.NaN()
	}
	if d.arg < 0 {
		return m.voc.eot, math.Inf(-1) // every token suppressed: end
	}
	tok := d.arg
	if t > 0 {
		tok = m.sampleLive(logits, l, d, t, rng)
	}
	return tok, float64(logits[tok] - d.lse)
}

// choose picks the next token of a row: the most likely at temperature 0,
// else a sample from softmax(logits / t).
func choose(logits []float32, t float32, rng *rand.Rand) int {
	top, arg, _ := maxArg(logits)
	if arg < 0 {
		return 0
	}
	if t == 0 {
		return arg
	}
	k := 1 / t
	target := float32(rng.Float64()) * sumExp(logits, top, k)
	for i, x := range logits {
		w := expRow((x - top) * k)
		target -= w
		if target < 0 && w > 0 {
			return i
		}
	}
	return arg
}

// logSumExp is log Σ exp(xs), in float64, for the few rows read once per
// window (<|nospeech|>'s probability).
func logSumExp(xs []float32) float64 {
	top := math.Inf(-1)
	for _, x := range xs {
		top = max(top, float64(x))
	}
	if math.IsInf(top, -1) {
		return top
	}
	var sum float64
	for _, x := range xs {
		sum += math.Exp(float64(x) - top)
	}
	return top + math.Log(sum)
}

// logSoftmaxAt returns log softmax(logits)[i].
func logSoftmaxAt(logits []float32, i int) float64 {
	return float64(logits[i]) - logSumExp(logits)
}
