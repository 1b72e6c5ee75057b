package whisper

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/whisper/whispertest"
)

// rulesModel is a Model with whisper-tiny.en's token layout and no
// sessions, for the logit rules.
func rulesModel(timestamps bool) *Model {
	return &Model{opts: Options{Timestamps: timestamps}, voc: vocabulary{
		sot: 50257, eot: 50256, noTimestamps: 50362, timestampBegin: 50363, noSpeech: 50361,
		suppress: []int{1, 2}, beginSuppress: []int{220, 50256}, maxInitialTimestamp: 50, maxLength: 448,
	}}
}

// allowed returns which of ids survive the filter on logits that favour
// no token but make the timestamps together less likely than one text
// token.
func allowed(m *Model, tokens []int, ids ...int) []bool {
	logits := make([]float32, m.voc.timestampBegin+1501)
	for i := m.voc.timestampBegin; i < len(logits); i++ {
		logits[i] = -10
	}
	m.filter(logits, tokens)
	out := make([]bool, len(ids))
	for i, id := range ids {
		out[i] = !math.IsInf(float64(logits[id]), -1)
	}
	return out
}

func TestModel_Filter(t *testing.T) {
	const ts = 50363
	tests := []struct {
		name       string
		timestamps bool
		tokens     []int
		ids        []int
		want       []bool
	}{
		{"suppress tokens", false, []int{100}, []int{1, 2, 3, 220}, []bool{false, false, true, true}},
		{"begin suppress", false, nil, []int{220, 50256, 13}, []bool{false, false, true}},
		{"end allowed later", false, []int{13}, []int{50256}, []bool{true}},
		{"specials never", false, []int{13}, []int{50257, 50258, 50361, 50362}, []bool{false, false, false, false}},
		{"no timestamps", false, []int{13}, []int{ts, ts + 10}, []bool{false, false}},
		{"first is a timestamp ≤ 1 s", true, nil, []int{13, ts, ts + 50, ts + 51}, []bool{false, true, true, false}},
		{"after a start: text", true, []int{ts}, []int{13, ts + 5}, []bool{true, false}},
		{"after text: text, end, or a later timestamp", true, []int{ts + 10, 13}, []int{14, 50256, ts + 10, ts + 11},
			[]bool{true, true, false, true}},
		{"after an end: a timestamp from it, or the end", true, []int{ts, 13, ts + 40}, []int{14, ts + 39, ts + 40, ts + 41, 50256},
			[]bool{false, false, true, true, true}},
		{"after a pair: text", true, []int{ts, 13, ts + 40, ts + 40}, []int{14, ts + 41, 50256}, []bool{true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allowed(rulesModel(tt.timestamps), tt.tokens, tt.ids...); !slices.Equal(got, tt.want) {
				t.Errorf("allowed %v = %v, want %v", tt.ids, got, tt.want)
			}
		})
	}
}

// When the timestamps together outweigh every text token, a timestamp is
// forced.
func TestModel_Filter_TimestampMass(t *testing.T) {
	m := rulesModel(true)
	logits := make([]float32, m.voc.timestampBegin+1501)
	logits[13] = 5 // one text token, e^5 ≈ 148 against 1,501 timestamps at e^0
	m.filter(logits, []int{m.voc.timestampBegin, 100})
	if !math.IsInf(float64(logits[13]), -1) {
		t.Error("text token kept against a heavier timestamp mass")
	}
}

func TestChoose(t *testing.T) {
	logits := []float32{0, 3, 1, float32(math.Inf(-1))}
	rng := rand.New(rand.NewPCG(1, 2))
	if got := choose(logits, 0, rng); got != 1 {
		t.Errorf("greedy chose %d", got)
	}
	counts := make([]int, 4)
	for range 4000 {
		counts[choose(logits, 1, rng)]++
	}
	// Softmax of 0, 3, 1: 0.042, 0.844, 0.114.
	if counts[3] != 0 || counts[1] < 3200 || counts[1] > 3550 || counts[0] < 100 || counts[2] < 330 {
		t.Errorf("sampled counts %v", counts)
	}
	counts = make([]int, 4)
	for range 1000 {
		counts[choose(logits, 0.2, rng)]++
	}
	if counts[1] < 990 {
		t.Errorf("at temperature 0.2 counts %v", counts)
	}
}

func TestCompressionRatio(t *testing.T) {
	varied := "Today I walked along the river and felt calm for the first time this week."
	repeated := ""
	for range 30 {
		repeated += " la la"
	}
	if r := compressionRatio(varied); r > 1.5 {
		t.Errorf("varied text ratio %.2f", r)
	}
	if r := compressionRatio(repeated); r < 2.4 {
		t.Errorf("repeated text ratio %.2f", r)
	}
	if compressionRatio("") != 0 {
		t.Error("empty text")
	}
}

func TestWindows(t *testing.T) {
	s := func(a, b float64) Span {
		return Span{time.Duration(a * float64(time.Second)), time.Duration(b * float64(time.Second))}
	}
	got := windows([]Span{s(1, 5), s(8, 20), s(25, 40), s(41, 42), s(90, 200)}, 100*SampleRate)
	want := [][2]int{{1 * SampleRate, 20 * SampleRate}, {25 * SampleRate, 42 * SampleRate}, {90 * SampleRate, 100 * SampleRate}}
	if !slices.Equal(got, want) {
		t.Errorf("windows %v, want %v", got, want)
	}
}

// Segments timed past a window's audio (in its padding, where Whisper
// likes to invent a "Thank you.") are dropped, and times stay inside the
// window, so a transcript never has a segment that ends before it starts.
func TestWindow_DropsSegmentsInThePadding(t *testing.T) {
	dir := t.TempDir()
	if err := whispertest.WriteScripted(dir, whispertest.ScriptConfig{}, ""); err != nil {
		t.Fatal(err)
	}
	m, err := Open(shared.Runtime(t), dir, Options{Timestamps: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// Loud encoder frames 50–100 (1–2 s) and 300–320 (6–6.4 s): the model
	// times a word in each. The window holds 4.2 s of audio.
	f := make([]float32, 80*WindowFrames)
	for i := range f {
		f[i] = -1.1
	}
	for _, sp := range [][2]int{{50, 100}, {300, 320}} {
		for b := range 80 {
			for fr := 2 * sp[0]; fr < 2*sp[1]; fr++ {
				f[b*WindowFrames+fr] = 0.9
			}
		}
	}
	offset := 10 * time.Second
	d, err := m.window(context.Background(), f, 0, offset, 4200*time.Millisecond, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.segments) != 1 || d.segments[0].Text != "Today" {
		t.Fatalf("segments %+v, want the one inside the audio", d.segments)
	}
	for _, s := range d.segments {
		if s.Start < offset || s.End > offset+4200*time.Millisecond || s.End < s.Start {
			t.Errorf("segment %v–%v outside the window's audio", s.Start, s.End)
		}
	}
}
