package audio_test

import (
	"math"
	"testing"

	"github.com/samojournal/samo/audio"
)

// rms of the middle of a signal, away from the edges' filter ramps.
func rms(s []float32) float64 {
	s = s[len(s)/4 : 3*len(s)/4]
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(s)))
}

func tone(n, rate int, hz float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.Sin(2 * math.Pi * hz * float64(i) / float64(rate)))
	}
	return s
}

// aliasRejection is the claim: what lies above the new Nyquist frequency
// folds back at least this far down (dB).
const aliasRejection = -80

// Tones every 25 Hz across the whole stopband (from just above the new
// Nyquist frequency, where a filter is weakest, to the old one), brought
// down to 16 kHz, each fold back more than 80 dB below where they started.
func TestResample_AliasRejection(t *testing.T) {
	for _, from := range []int{48000, 44100, 22050} {
		worst, worstHz := math.Inf(-1), 0.0
		for hz := 8025.0; hz < float64(from)/2; hz += 25 {
			// An eighth of a second: rms reads the middle half of the
			// 2,000 samples out, well clear of the filter's edges.
			in := tone(from/8, from, hz)
			out := audio.Resample(in, from, 16000)
			if db := 20 * math.Log10(rms(out)/rms(in)); db > worst {
				worst, worstHz = db, hz
			}
		}
		if worst > aliasRejection {
			t.Errorf("%d → 16000 Hz: worst alias %.1f dB (a tone at %.0f Hz), want ≤ %d", from, worst, worstHz, aliasRejection)
		}
		t.Logf("%d → 16000 Hz: worst alias %.1f dB, at %.0f Hz", from, worst, worstHz)
	}
}

// A continuous sine sweep (chirp) across everything above the new Nyquist
// frequency must come out at least 80 dB down, and one inside the passband
// must come through unchanged.
func TestResample_SineSweep(t *testing.T) {
	chirp := func(rate int, f0, f1 float64) []float32 {
		n := 2 * rate
		out := make([]float32, n)
		for i := range out {
			tt := float64(i) / float64(rate)
			// phase of a linear sweep from f0 to f1 over 2 s
			out[i] = float32(0.5 * math.Sin(2*math.Pi*(f0*tt+(f1-f0)*tt*tt/4)))
		}
		return out
	}
	for _, from := range []int{48000, 44100} {
		stop := chirp(from, 8400, float64(from)/2)
		if db := 20 * math.Log10(rms(audio.Resample(stop, from, 16000))/rms(stop)); db > aliasRejection {
			t.Errorf("%d Hz: a sweep above 8 kHz folds back at %.1f dB, want ≤ %d", from, db, aliasRejection)
		} else {
			t.Logf("%d Hz: sweep 8.4 kHz–%d Hz folds back at %.1f dB", from, from/2, db)
		}
		pass := chirp(from, 100, 6500)
		if db := 20 * math.Log10(rms(audio.Resample(pass, from, 16000))/rms(pass)); math.Abs(db) > 0.1 {
			t.Errorf("%d Hz: a sweep 100 Hz–6.5 kHz changed by %.2f dB", from, db)
		}
	}
}

func TestResample_PassbandAndLength(t *testing.T) {
	tests := []struct{ from, to int }{{48000, 16000}, {44100, 16000}, {8000, 16000}, {16000, 16000}, {11025, 16000}}
	for _, tt := range tests {
		in := tone(tt.from, tt.from, 1000) // one second of 1 kHz
		out := audio.Resample(in, tt.from, tt.to)
		if want := tt.to; abs(len(out)-want) > 1 {
			t.Errorf("%d → %d: %d samples for one second", tt.from, tt.to, len(out))
		}
		if d := 20 * math.Log10(rms(out)/rms(in)); math.Abs(d) > 0.1 {
			t.Errorf("%d → %d: 1 kHz changed by %.2f dB", tt.from, tt.to, d)
		}
		// The tone is still a 1 kHz tone: compare with an ideal one, allowing
		// for phase by correlating against sine and cosine.
		var s, c float64
		mid := out[len(out)/4 : 3*len(out)/4]
		for i, v := range mid {
			ph := 2 * math.Pi * 1000 * float64(i+len(out)/4) / float64(tt.to)
			s += float64(v) * math.Sin(ph)
			c += float64(v) * math.Cos(ph)
		}
		if amp := 2 * math.Hypot(s, c) / float64(len(mid)); math.Abs(amp-1) > 0.01 {
			t.Errorf("%d → %d: 1 kHz amplitude %.4f after resampling", tt.from, tt.to, amp)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func BenchmarkResample_48kTo16k(b *testing.B) {
	in := tone(48000*10, 48000, 440)
	for b.Loop() {
		audio.Resample(in, 48000, 16000)
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}

func BenchmarkResample_44kTo16k(b *testing.B) {
	in := tone(44100*10, 44100, 440)
	for b.Loop() {
		audio.Resample(in, 44100, 16000)
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}

func TestResampler_StreamingMatchesWhole(t *testing.T) {
	for _, rates := range [][2]int{{48000, 16000}, {44100, 16000}, {22050, 16000}, {8000, 16000}} {
		in := tone(44100, rates[0], 440)
		for i := range in {
			in[i] += 0.1 * float32(math.Sin(float64(i)*0.37))
		}
		whole := audio.Resample(in, rates[0], rates[1])
		r := audio.NewResampler(rates[0], rates[1])
		var got []float32
		for off, step := 0, 1; off < len(in); off, step = off+step, step*3%1013+1 {
			got = append(got, r.Process(in[off:min(off+step, len(in))])...)
		}
		got = append(got, r.Flush()...)
		if len(got) != len(whole) {
			t.Fatalf("%v: streamed %d samples, whole %d", rates, len(got), len(whole))
		}
		for i := range got {
			if got[i] != whole[i] {
				t.Fatalf("%v: sample %d streamed %v, whole %v", rates, i, got[i], whole[i])
			}
		}
	}
}
