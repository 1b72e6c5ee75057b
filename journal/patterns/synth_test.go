package patterns

import (
	"math"
	"math/rand/v2"
	"time"
)

// The synthetic journal used by the tests, the benchmark and the detector
// comparison: day series like emotion scores (baseline 0.15, sd 0.08,
// clipped to [0, 1]) with AR(1) day-to-day noise, 30–50% of days without
// entries at random and sometimes one or two gaps of 7–14 days.

// emotions are the 28 GoEmotions labels; groups the 7 Ekman groups with
// their members.
var (
	emotions = []string{"admiration", "amusement", "anger", "annoyance", "approval", "caring",
		"confusion", "curiosity", "desire", "disappointment", "disapproval", "disgust",
		"embarrassment", "excitement", "fear", "gratitude", "grief", "joy", "love",
		"nervousness", "optimism", "pride", "realization", "relief", "remorse", "sadness",
		"surprise", "neutral"}
	groups = []struct {
		name    string
		members []string
	}{
		{"group:anger", []string{"anger", "annoyance", "disapproval"}},
		{"group:disgust", []string{"disgust"}},
		{"group:fear", []string{"fear", "nervousness"}},
		{"group:joy", []string{"joy", "amusement", "approval", "excitement", "gratitude", "love",
			"optimism", "relief", "pride", "admiration", "desire", "caring"}},
		{"group:sadness", []string{"sadness", "disappointment", "embarrassment", "grief", "remorse"}},
		{"group:surprise", []string{"surprise", "realization", "confusion", "curiosity"}},
		{"group:neutral", []string{"neutral"}},
	}
)

// testStart is day 0 of the synthetic journals: a Monday.
var testStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	synthBase = 0.15
	synthSD   = 0.08
)

// genMask draws which days have entries: a missing share in [0.3, 0.5] and,
// for half the journals, one or two gaps of 7 to 14 days.
func genMask(r *rand.Rand, days int) []bool {
	has := make([]bool, days)
	miss := 0.3 + 0.2*r.Float64()
	for d := range has {
		has[d] = r.Float64() >= miss
	}
	if r.IntN(2) == 0 {
		for range 1 + r.IntN(2) {
			l := 7 + r.IntN(8)
			s := r.IntN(max(1, days-l))
			for d := s; d < s+l && d < days; d++ {
				has[d] = false
			}
		}
	}
	return has
}

// genRaw draws the unclipped latent series: baseline plus AR(1) noise with
// phi in [0.3, 0.5] and marginal sd synthSD.
func genRaw(r *rand.Rand, days int) []float64 {
	phi := 0.3 + 0.2*r.Float64()
	innov := synthSD * math.Sqrt(1-phi*phi)
	v := make([]float64, days)
	e := synthSD * r.NormFloat64()
	for d := range v {
		v[d] = synthBase + e
		e = phi*e + innov*r.NormFloat64()
	}
	return v
}

func clip(v []float64) {
	for i, x := range v {
		v[i] = math.Max(0, math.Min(1, x))
	}
}

// plant describes what is planted in one emotion of a journal.
type plant struct {
	emotion string
	shiftAt int     // day the shift starts (with shift != 0)
	shift   float64 // level change
	slot    int     // day mod 7 that gets cycle added (with cycle != 0)
	cycle   float64
	spikeAt int // day that gets spike added (with spike != 0)
	spike   float64
}

func (p plant) apply(v []float64) {
	for d := range v {
		if p.shift != 0 && d >= p.shiftAt {
			v[d] += p.shift
		}
		if p.cycle != 0 && d%7 == p.slot {
			v[d] += p.cycle
		}
		if p.spike != 0 && d == p.spikeAt {
			v[d] += p.spike
		}
	}
}

// genJournal draws a journal of 35 series (28 emotions, then the 7 group
// means) over the given days, sharing one pattern of days with entries,
// with the plants applied to their emotions. Values on days without entries
// are set to NaN, so that reading one would show.
func genJournal(r *rand.Rand, days int, plants ...plant) []Series {
	has := genMask(r, days)
	vals := make(map[string][]float64, len(emotions))
	out := make([]Series, 0, len(emotions)+len(groups))
	for _, e := range emotions {
		v := genRaw(r, days)
		for _, p := range plants {
			if p.emotion == e {
				p.apply(v)
			}
		}
		clip(v)
		vals[e] = v
		out = append(out, Series{Name: e, Values: v, Has: has})
	}
	for _, g := range groups {
		v := make([]float64, days)
		for _, m := range g.members {
			for d, x := range vals[m] {
				v[d] += x / float64(len(g.members))
			}
		}
		out = append(out, Series{Name: g.name, Values: v, Has: has})
	}
	for i := range out {
		for d := range days {
			if !has[d] {
				out[i].Values[d] = math.NaN()
			}
		}
	}
	return out
}

// containsEmotion says whether series name is the emotion or a group that
// holds it.
func containsEmotion(name, emotion string) bool {
	if name == emotion {
		return true
	}
	for _, g := range groups {
		if g.name != name {
			continue
		}
		for _, m := range g.members {
			if m == emotion {
				return true
			}
		}
	}
	return false
}

// genSingle draws one series with its own mask (for the detector comparison).
func genSingle(r *rand.Rand, days int, p plant) Series {
	has := genMask(r, days)
	v := genRaw(r, days)
	p.apply(v)
	clip(v)
	return Series{Name: "x", Values: v, Has: has}
}
