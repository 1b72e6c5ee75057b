package mel

import "math"

// The Slaney mel scale (librosa's default, Auditory Toolbox): linear below
// 1 kHz at 3 mels per 200 Hz, logarithmic above it with 27 mels per factor
// 6.4 in frequency.
const (
	slaneyMinLogHz  = 1000.0
	slaneyMinLogMel = 15.0
)

// hzToMel converts a frequency in Hz to the Slaney mel scale.
func hzToMel(hz float64) float64 {
	if hz >= slaneyMinLogHz {
		return slaneyMinLogMel + math.Log(hz/slaneyMinLogHz)*(27/math.Log(6.4))
	}
	return 3 * hz / 200
}

// melToHz converts a Slaney mel value to Hz; it inverts hzToMel.
func melToHz(mel float64) float64 {
	if mel >= slaneyMinLogMel {
		return slaneyMinLogHz * math.Exp(math.Log(6.4)/27*(mel-slaneyMinLogMel))
	}
	return 200 * mel / 3
}

// linspace returns num evenly spaced values from start to end inclusive.
func linspace(start, end float64, num int) []float64 {
	step := (end - start) / float64(num-1)
	out := make([]float64, num)
	for i := range out {
		out[i] = start + step*float64(i)
	}
	return out
}

// melFilter is one triangular filter of the bank, kept sparse: weights for
// the frequency bins first, first+1, …; every other bin weighs zero.
type melFilter struct {
	first   int
	weights []float64
}

// filterBank computes the mel filter bank Whisper uses (librosa.filters.mel
// with htk=False and norm="slaney", as Hugging Face's mel_filter_bank with
// mel_scale and norm "slaney"): nMels triangles evenly spaced on the Slaney
// mel scale between fMin and fMax Hz, over nBins FFT bins spanning 0 to
// sampleRate/2, each scaled by 2/(its width in Hz) so that its area is about
// one. It also returns the nMels+2 corner frequencies in Hz: filter i rises
// from edges[i] to a peak at edges[i+1] and falls to zero at edges[i+2].
func filterBank(nMels, nBins, sampleRate int, fMin, fMax float64) ([]melFilter, []float64) {
	melPoints := linspace(hzToMel(fMin), hzToMel(fMax), nMels+2)
	edges := make([]float64, len(melPoints))
	for i, m := range melPoints {
		edges[i] = melToHz(m)
	}
	binHz := linspace(0, math.Floor(float64(sampleRate)/2), nBins)

	filters := make([]melFilter, nMels)
	row := make([]float64, nBins)
	for i := range filters {
		lower, center, upper := edges[i], edges[i+1], edges[i+2]
		enorm := 2 / (upper - lower)
		first, last := -1, -1
		for j, f := range binHz {
			down := -(lower - f) / (center - lower)
			up := (upper - f) / (upper - center)
			w := math.Max(0, math.Min(down, up)) * enorm
			row[j] = w
			if w > 0 {
				if first < 0 {
					first = j
				}
				last = j
			}
		}
		if first >= 0 {
			filters[i] = melFilter{first: first, weights: append([]float64(nil), row[first:last+1]...)}
		}
	}
	return filters, edges
}
