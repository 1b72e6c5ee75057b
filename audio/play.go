package audio

import "math"

// toInt16 converts samples in [-1, 1] to 16-bit values at the scale
// DecodeWAV reads with (÷32768), clipped to the 16-bit range; a NaN
// becomes silence.
func toInt16(s []float32) []int16 {
	out := make([]int16, len(s))
	for i, x := range s {
		v := math.Round(float64(x) * 32768)
		if math.IsNaN(v) {
			v = 0
		}
		out[i] = int16(max(-32768, min(32767, v)))
	}
	return out
}

// resampleInterleaved resamples each channel of interleaved samples.
func resampleInterleaved(s []float32, chans, from, to int) []float32 {
	if chans == 1 {
		return Resample(s, from, to)
	}
	var out []float32
	per := make([][]float32, chans)
	for ch := range chans {
		mono := make([]float32, len(s)/chans)
		for i := range mono {
			mono[i] = s[i*chans+ch]
		}
		per[ch] = Resample(mono, from, to)
	}
	out = make([]float32, len(per[0])*chans)
	for i := range per[0] {
		for ch := range chans {
			out[i*chans+ch] = per[ch][i]
		}
	}
	return out
}
