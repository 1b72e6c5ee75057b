package patterns

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkDetect runs Detect on a synthetic journal of 35 series with a few
// planted patterns (a shift in two emotions, a weekly cycle, an unusual
// day), the rest pattern-free.
func BenchmarkDetect(b *testing.B) {
	for _, days := range []int{1100, 4000} {
		r := rand.New(rand.NewPCG(uint64(days), 1))
		s := genJournal(r, days,
			plant{emotion: "sadness", shiftAt: days / 2, shift: 0.1},
			plant{emotion: "joy", shiftAt: days / 3, shift: -0.1},
			plant{emotion: "anger", slot: 2, cycle: 0.1},
			plant{emotion: "fear", spikeAt: days / 4, spike: 0.6})
		b.Run(fmt.Sprintf("35x%d", days), func(b *testing.B) {
			opt := Options{Start: testStart, Seed: 1}
			n := 0
			for b.Loop() {
				n = len(Detect(s, opt))
			}
			b.ReportMetric(float64(n), "findings")
		})
	}
}
