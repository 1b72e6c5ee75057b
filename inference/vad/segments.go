package vad

import (
	"fmt"
	"io"
	"math"
)

// span is a run of windows [start, end).
type span struct{ start, end int }

// SegmentsFromProbabilities turns per-window speech probabilities (as
// Probabilities returns them for audio of nSamples samples) into speech
// segments under o (zero fields take their defaults). It lets a caller try
// other options without running the model again.
//
// A segment starts at the first window at or above Threshold and ends at the
// first window below NegThreshold that begins at least MinSilence of windows
// below Threshold; segments shorter than MinSpeech are dropped; a segment
// longer than MaxSegment is cut at its lowest-probability point (averaged
// over three windows) in the second half of the allowed length, and the
// windows of a pause at the cut are left out of both parts. Finally each
// segment is padded by Pad on each side, sharing gaps shorter than 2·Pad.
func SegmentsFromProbabilities(probs []float32, nSamples int, o Options) ([]Segment, error) {
	o, err := o.resolve()
	if err != nil {
		return nil, err
	}
	if want := (nSamples + WindowSamples - 1) / WindowSamples; nSamples < 0 || len(probs) != want {
		return nil, fmt.Errorf("vad: %d probabilities for %d samples, want %d", len(probs), nSamples, want)
	}
	for i, p := range probs {
		if !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("vad: probability %d is %v", i, p)
		}
	}
	spans := speechSpans(probs, o)
	if o.MaxSegment > 0 {
		maxW := (durationToSamples(o.MaxSegment) - 2*durationToSamples(o.Pad)) / WindowSamples
		var split []span
		for _, sp := range spans {
			split = splitSpan(split, sp, probs, maxW, o.NegThreshold)
		}
		spans = split
	}
	return pad(spans, nSamples, durationToSamples(o.Pad)), nil
}

// speechSpans applies the thresholds and minimum durations.
func speechSpans(probs []float32, o Options) []span {
	minSilence := durationToSamples(o.MinSilence)
	minSpeech := durationToSamples(o.MinSpeech)
	var spans []span
	add := func(sp span) {
		if (sp.end-sp.start)*WindowSamples >= minSpeech {
			spans = append(spans, sp)
		}
	}
	in := false
	start, quiet := 0, -1 // quiet: the first window of the current silence, or -1
	for i, p := range probs {
		switch {
		case !in:
			if p >= o.Threshold {
				in, start, quiet = true, i, -1
			}
			continue
		case p >= o.Threshold:
			quiet = -1
			continue
		case p < o.NegThreshold && quiet < 0:
			quiet = i
		}
		if quiet >= 0 && (i+1-quiet)*WindowSamples >= minSilence {
			add(span{start, quiet})
			in = false
		}
	}
	if in {
		end := len(probs)
		if quiet >= 0 {
			end = quiet
		}
		add(span{start, end})
	}
	return spans
}

// splitSpan appends sp to dst, cut into parts of at most maxW windows.
func splitSpan(dst []span, sp span, probs []float32, maxW int, neg float32) []span {
	for sp.end-sp.start > maxW {
		cut, best := -1, math.Inf(1)
		// The cut window begins the second part; the first part keeps at
		// least half the allowed length, so that parts are not tiny. Later
		// cuts win ties, for fewer parts.
		lo, hi := sp.start+maxW/2, sp.start+maxW
		for c := lo; c <= hi; c++ {
			if s := smoothed(probs, c, sp); s <= best {
				cut, best = c, s
			}
		}
		// Cut at the lowest window of the three, so that a pause falls at
		// the cut and is trimmed below.
		c := cut
		for _, j := range []int{c - 1, c + 1} {
			if j >= lo && j <= hi && probs[j] < probs[cut] {
				cut = j
			}
		}
		first, rest := span{sp.start, cut}, span{cut, sp.end}
		for first.end-first.start > 1 && probs[first.end-1] < neg {
			first.end--
		}
		for rest.end-rest.start > 1 && probs[rest.start] < neg {
			rest.start++
		}
		dst = append(dst, first)
		sp = rest
	}
	return append(dst, sp)
}

// smoothed is the mean probability of window c and its neighbours within sp.
func smoothed(probs []float32, c int, sp span) float64 {
	var sum float64
	n := 0
	for i := max(c-1, sp.start); i <= min(c+1, sp.end-1); i++ {
		sum += float64(probs[i])
		n++
	}
	return sum / float64(n)
}

// pad turns window spans into padded segments within nSamples.
func pad(spans []span, nSamples, padSamples int) []Segment {
	type bounds struct{ s, e int }
	bs := make([]bounds, len(spans))
	for i, sp := range spans {
		bs[i] = bounds{sp.start * WindowSamples, min(sp.end*WindowSamples, nSamples)}
	}
	for i := range bs {
		if i == 0 {
			bs[i].s = max(0, bs[i].s-padSamples)
		}
		if i == len(bs)-1 {
			bs[i].e = min(nSamples, bs[i].e+padSamples)
			break
		}
		gap := bs[i+1].s - bs[i].e
		if gap < 2*padSamples {
			bs[i].e += gap / 2
			bs[i+1].s -= gap - gap/2
		} else {
			bs[i].e += padSamples
			bs[i+1].s -= padSamples
		}
	}
	segs := make([]Segment, len(bs))
	for i, b := range bs {
		segs[i] = Segment{Start: samplesToDuration(b.s), End: samplesToDuration(b.e)}
	}
	return segs
}

// Report is what `samo vad --json` prints: the file, its length in seconds
// and the speech segments found.
type Report struct {
	File     string    `json:"file"`
	Seconds  float64   `json:"seconds"`
	Segments []Segment `json:"segments"`
}

// NewReport is the report of segs found in file, seconds long.
func NewReport(file string, seconds float64, segs []Segment) Report {
	if segs == nil {
		segs = []Segment{}
	}
	return Report{File: file, Seconds: seconds, Segments: segs}
}

// WriteText writes a line per segment, for a person.
func (r Report) WriteText(w io.Writer) {
	if len(r.Segments) == 0 {
		fmt.Fprintf(w, "no speech in %.1f s of audio\n", r.Seconds)
	}
	for _, s := range r.Segments {
		fmt.Fprintf(w, "%8.2f – %8.2f s  (%.2f s)\n", s.Start.Seconds(), s.End.Seconds(), s.Duration().Seconds())
	}
}
