package mel

import (
	"fmt"
	"math"
	"testing"
)

func TestHzToMel(t *testing.T) {
	tests := []struct{ hz, mel float64 }{
		{0, 0},
		{200, 3},
		{500, 7.5},
		{1000, 15},
		{6400, 42}, // 27 mels per factor 6.4 above 1 kHz
		{6400 * 6.4, 69},
	}
	for _, tt := range tests {
		if got := hzToMel(tt.hz); math.Abs(got-tt.mel) > 1e-12 {
			t.Errorf("hzToMel(%v) = %v, want %v", tt.hz, got, tt.mel)
		}
		if got := melToHz(tt.mel); math.Abs(got-tt.hz) > 1e-9*max(1, tt.hz) {
			t.Errorf("melToHz(%v) = %v, want %v", tt.mel, got, tt.hz)
		}
	}
	for hz := 0.0; hz <= 8000; hz += 37 {
		if back := melToHz(hzToMel(hz)); math.Abs(back-hz) > 1e-9*max(1, hz) {
			t.Errorf("melToHz(hzToMel(%v)) = %v", hz, back)
		}
	}
}

func TestFilterBank_Properties(t *testing.T) {
	const nBins = NFFT/2 + 1
	const binHz = float64(SampleRate) / NFFT // 40 Hz
	for _, nMels := range []int{80, 128} {
		t.Run(fmt.Sprint(nMels), func(t *testing.T) {
			filters, edges := filterBank(nMels, nBins, SampleRate, 0, FMax)
			if len(filters) != nMels || len(edges) != nMels+2 {
				t.Fatalf("%d filters, %d edges", len(filters), len(edges))
			}
			if edges[0] != 0 || math.Abs(edges[nMels+1]-FMax) > 1e-9 {
				t.Errorf("edges span %v to %v Hz, want 0 to %v", edges[0], edges[nMels+1], FMax)
			}
			// Centres are evenly spaced in mels.
			step := hzToMel(FMax) / float64(nMels+1)
			for i := 1; i < len(edges); i++ {
				if d := hzToMel(edges[i]) - hzToMel(edges[i-1]); math.Abs(d-step) > 1e-9 {
					t.Fatalf("edge %d: %v mels after the previous, want %v", i, d, step)
				}
			}
			dense := make([][]float64, nMels)
			for i, f := range filters {
				lower, center, upper := edges[i], edges[i+1], edges[i+2]
				enorm := 2 / (upper - lower)
				if len(f.weights) == 0 {
					t.Fatalf("filter %d (%.1f–%.1f Hz) covers no bin", i, lower, upper)
				}
				dense[i] = make([]float64, nBins)
				peak := 0.0
				for k, w := range f.weights {
					j := f.first + k
					dense[i][j] = w
					hz := float64(j) * binHz
					if !(w > 0) || hz <= lower || hz >= upper {
						t.Errorf("filter %d: bin %d (%v Hz) weighs %v, want > 0 inside (%.2f, %.2f) Hz", i, j, hz, w, lower, upper)
					}
					// The triangle's value, scaled to unit area.
					want := enorm * min((hz-lower)/(center-lower), (upper-hz)/(upper-center))
					if math.Abs(w-want) > 1e-12*enorm {
						t.Errorf("filter %d bin %d: %v, want %v", i, j, w, want)
					}
					peak = max(peak, w)
				}
				if peak > enorm*(1+1e-12) {
					t.Errorf("filter %d: peak %v above 2/width %v", i, peak, enorm)
				}
				// Bins outside the stored range lie outside the triangle.
				if j := f.first - 1; j >= 0 && float64(j)*binHz > lower {
					t.Errorf("filter %d: bin %d inside the triangle but not stored", i, j)
				}
				if j := f.first + len(f.weights); j < nBins && float64(j)*binHz < upper {
					t.Errorf("filter %d: bin %d inside the triangle but not stored", i, j)
				}
				// Slaney normalization: area ≈ 1 where the triangle spans
				// many bins (the narrow low filters are sampled too coarsely).
				if upper-lower >= 10*binHz {
					area := 0.0
					for _, w := range f.weights {
						area += w * binHz
					}
					if math.Abs(area-1) > 0.01 {
						t.Errorf("filter %d (%.0f–%.0f Hz): area %v, want ≈ 1", i, lower, upper, area)
					}
				}
			}
			// Unnormalized, adjacent triangles sum to one between the first
			// and last centres: every bin there is fully covered.
			for j := range nBins {
				hz := float64(j) * binHz
				if hz < edges[1] || hz > edges[nMels] {
					continue
				}
				sum := 0.0
				for i := range nMels {
					sum += dense[i][j] * (edges[i+2] - edges[i]) / 2
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Errorf("bin %d (%v Hz): unnormalized filters sum to %v, want 1", j, hz, sum)
				}
			}
		})
	}
}
