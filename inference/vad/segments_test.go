package vad

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// probsOf reads a probability per window from a string: digit d is
// d/10+0.05 (so '9' is speech, '0' silence, '4' between the default
// thresholds); spaces are ignored.
func probsOf(s string) []float32 {
	var p []float32
	for _, r := range strings.ReplaceAll(s, " ", "") {
		p = append(p, float32(r-'0')/10+0.05)
	}
	return p
}

// win is a time in windows.
func win(w int) time.Duration { return time.Duration(w) * Window }

func segW(start, end int) Segment { return Segment{win(start), win(end)} }

var noPad = -time.Nanosecond

// segmentCases are checked by TestSegmentsFromProbabilities and seed
// FuzzSegmentsFromProbabilities.
var segmentCases = []struct {
	name  string
	probs string
	short int // samples missing from the last window
	o     Options
	want  []Segment
}{
	{"silence", "0000000000", 0, Options{}, nil},
	{"one", "000 9999999999 000000", 0, Options{Pad: noPad}, []Segment{segW(3, 13)}},
	{"hysteresis keeps speech between thresholds", "00 9999999999 4444 9999999999 00000", 0, Options{Pad: noPad},
		[]Segment{segW(2, 26)}},
	{"three quiet windows (96 ms) are no pause", "00 9999999999 000 9999999999 00000", 0, Options{Pad: noPad},
		[]Segment{segW(2, 25)}},
	{"four quiet windows (128 ms) end a segment", "00 9999999999 0000 9999999999 00000", 0, Options{Pad: noPad},
		[]Segment{segW(2, 12), segW(16, 26)}},
	{"a between window counts towards the pause", "00 9999999999 0400 9999999999 00000", 0, Options{Pad: noPad},
		[]Segment{segW(2, 12), segW(16, 26)}},
	{"longer MinSilence", "00 9999999999 0000 9999999999 00000", 0, Options{Pad: noPad, MinSilence: 200 * time.Millisecond},
		[]Segment{segW(2, 26)}},
	{"too short (224 ms)", "000 9999999 0000", 0, Options{Pad: noPad}, nil},
	{"just long enough (256 ms)", "000 99999999 0000", 0, Options{Pad: noPad}, []Segment{segW(3, 11)}},
	{"no minimum", "000 9 0000", 0, Options{Pad: noPad, MinSpeech: -1}, []Segment{segW(3, 4)}},
	{"speech to the end", "000 9999999999", 100, Options{Pad: noPad},
		[]Segment{{win(3), win(13) - samplesToDuration(100)}}},
	{"short trailing silence", "000 9999999999 00", 0, Options{Pad: noPad}, []Segment{segW(3, 13)}},
	{"padding", "00 9999999999 00000000 9999999999 0", 100, Options{},
		[]Segment{{win(2) - 30*time.Millisecond, win(12) + 30*time.Millisecond},
			{win(20) - 30*time.Millisecond, win(31) - samplesToDuration(100)}}},
	{"padding stops at the start", "9999999999 0000", 0, Options{}, []Segment{{0, win(10) + 30*time.Millisecond}}},
	{"padding shares a short gap", "00 9999999999 0000 9999999999 00", 0, Options{MinSilence: 50 * time.Millisecond, Pad: 100 * time.Millisecond},
		[]Segment{{0, win(14)}, {win(14), win(28)}}},
	{"split at the dip", "0 " + strings.Repeat("9", 30) + " 1 " + strings.Repeat("9", 19) + " 00000", 0,
		Options{Pad: noPad, MaxSegment: win(40)},
		[]Segment{segW(1, 31), segW(32, 51)}},
	{"split ignores a dip in the first half", "0 99999999 1 " + strings.Repeat("9", 41) + " 0000", 0,
		Options{Pad: noPad, MaxSegment: win(40)},
		[]Segment{segW(1, 41), segW(41, 51)}},
	{"split at the lowest of several dips", "0 9999999999999999999999 5 99999 2 9999999 6 999999999999999 0000", 0,
		Options{Pad: noPad, MaxSegment: win(40)},
		[]Segment{segW(1, 29), segW(30, 53)}},
	{"split with padding", "0 " + strings.Repeat("9", 49) + " 0000", 0,
		Options{MaxSegment: win(20)},
		[]Segment{{win(1) - 30*time.Millisecond, win(19)}, {win(19), win(37)}, {win(37), win(50) + 30*time.Millisecond}}},
	{"no maximum", "0 " + strings.Repeat("9", 1000) + " 0000", 0, Options{MaxSegment: -1, Pad: noPad},
		[]Segment{segW(1, 1001)}},
	{"default maximum 30 s", "0 " + strings.Repeat("9", 1000) + " 0000", 0, Options{Pad: noPad},
		[]Segment{segW(1, 938), segW(938, 1001)}},
}

func TestSegmentsFromProbabilities(t *testing.T) {
	for _, tc := range segmentCases {
		t.Run(tc.name, func(t *testing.T) {
			probs := probsOf(tc.probs)
			n := len(probs)*WindowSamples - tc.short
			got, err := SegmentsFromProbabilities(probs, n, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestSegmentsFromProbabilities_errors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		probs []float32
		n     int
		o     Options
	}{
		{"too few", make([]float32, 3), 4 * WindowSamples, Options{}},
		{"too many", make([]float32, 3), 2 * WindowSamples, Options{}},
		{"negative length", nil, -1, Options{}},
		{"NaN", []float32{0, float32(math.NaN())}, 2 * WindowSamples, Options{}},
		{"above 1", []float32{0, 1.5}, 2 * WindowSamples, Options{}},
		{"bad options", []float32{0}, WindowSamples, Options{Threshold: -0.1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := SegmentsFromProbabilities(tc.probs, tc.n, tc.o); err == nil || !strings.HasPrefix(err.Error(), "vad: ") {
				t.Errorf("got %v, %v; want a vad: error", got, err)
			}
		})
	}
}

func TestOptions_resolve(t *testing.T) {
	o, err := Options{}.resolve()
	if err != nil || o != DefaultOptions() {
		t.Errorf("zero options resolve to %+v, %v; want %+v", o, err, DefaultOptions())
	}
	o, err = Options{Threshold: 0.1}.resolve()
	if err != nil || o.NegThreshold != 0.01 {
		t.Errorf("threshold 0.1: negative threshold %v, %v; want 0.01", o.NegThreshold, err)
	}
	o, err = Options{Pad: -1, MinSpeech: -1, MinSilence: -1, MaxSegment: -1}.resolve()
	if err != nil || o.Pad != 0 || o.MinSpeech != 0 || o.MinSilence != 0 || o.MaxSegment >= 0 {
		t.Errorf("negative durations resolve to %+v, %v; want none", o, err)
	}
}

// FuzzSegmentsFromProbabilities checks what holds for any probabilities:
// segments in order, inside the audio, none longer than MaxSegment.
func FuzzSegmentsFromProbabilities(f *testing.F) {
	for _, tc := range segmentCases {
		var b []byte
		for _, p := range probsOf(tc.probs) {
			b = append(b, byte(p*255))
		}
		f.Add(b, uint16(tc.short), uint16(max(tc.o.MaxSegment/time.Millisecond, 0)), uint8(max(tc.o.Pad/time.Millisecond, 0)))
	}
	f.Fuzz(func(t *testing.T, b []byte, short, maxMS uint16, padMS uint8) {
		probs := make([]float32, len(b))
		for i, x := range b {
			probs[i] = float32(x) / 255
		}
		n := max(len(probs)*WindowSamples-int(short)%WindowSamples, 0)
		if len(probs) == 0 {
			n = 0
		}
		o := Options{MaxSegment: time.Duration(maxMS) * time.Millisecond, Pad: time.Duration(padMS) * time.Millisecond}
		if _, err := o.resolve(); err != nil {
			return
		}
		segs, err := SegmentsFromProbabilities(probs, n, o)
		if err != nil {
			t.Fatal(err)
		}
		ro, _ := o.resolve()
		total := samplesToDuration(n)
		for i, s := range segs {
			if s.Start < 0 || s.End > total || s.Start >= s.End {
				t.Fatalf("segment %d %v is empty or outside [0, %v]", i, s, total)
			}
			if i > 0 && s.Start < segs[i-1].End {
				t.Fatalf("segment %d %v overlaps %v", i, s, segs[i-1])
			}
			if s.Duration() > ro.MaxSegment {
				t.Fatalf("segment %d %v is longer than %v", i, s, ro.MaxSegment)
			}
		}
	})
}
