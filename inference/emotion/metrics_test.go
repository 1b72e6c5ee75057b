package emotion_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference/emotion"
)

func TestReadTSV(t *testing.T) {
	in := "plain text\t27\tid1\n\"She said \"\"hi\"\"\"\t1,17\tid2\n\"quoted but \"odd\"\t2\tid3\n"
	ex, err := emotion.ReadTSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []emotion.Example{
		{Text: "plain text", Labels: []int{27}, ID: "id1"},
		{Text: `She said "hi"`, Labels: []int{1, 17}, ID: "id2"},
		{Text: `"quoted but "odd"`, Labels: []int{2}, ID: "id3"},
	}
	for i := range want {
		if ex[i].Text != want[i].Text || !slices.Equal(ex[i].Labels, want[i].Labels) || ex[i].ID != want[i].ID {
			t.Fatalf("row %d = %+v, want %+v", i, ex[i], want[i])
		}
	}
	for _, bad := range []string{"no tabs here\n", "text\t28\tx\n", "text\tjoy\tx\n", "t\xff\t1\tx\n"} {
		if _, err := emotion.ReadTSV(strings.NewReader("ok\t1\ta\n" + bad)); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Fatalf("ReadTSV(%q) = %v, want an error naming line 2", bad, err)
		}
	}
}

func TestEvaluate_KnownCounts(t *testing.T) {
	// label 0: tp 1, fp 1, fn 1 → P=R=F1=0.5; label 17 (joy): tp 1;
	// label 27 (neutral): fn 1.
	gold := [][]int{{0}, {0, 17}, {27}}
	pred := [][]int{{0}, {17}, {0}}
	m, err := emotion.Evaluate(gold, pred)
	if err != nil {
		t.Fatal(err)
	}
	if a := m.PerLabel["admiration"]; a.Precision != 0.5 || a.Recall != 0.5 || a.F1 != 0.5 || a.Support != 2 {
		t.Fatalf("admiration %+v", a)
	}
	if j := m.PerLabel["joy"]; j.F1 != 1 || j.Support != 1 {
		t.Fatalf("joy %+v", j)
	}
	if near(m.MacroF1, 1.5/28) == false {
		t.Fatalf("macro-F1 %v, want %v", m.MacroF1, 1.5/28)
	}
	// micro: tp 2, fp 1, fn 2 → P 2/3, R 1/2, F1 4/7
	if !near(m.MicroF1, 4.0/7) {
		t.Fatalf("micro-F1 %v, want 4/7", m.MicroF1)
	}
	// Ekman: joy group gets admiration and joy: tp 2 (rows 1,2), fp 1 (row 3); neutral fn 1
	if !near(m.EkmanMacroF1, (2*2.0/(2*2+1))/7) {
		t.Fatalf("Ekman macro-F1 %v", m.EkmanMacroF1)
	}
	if _, err := emotion.Evaluate(gold, pred[:2]); err == nil {
		t.Fatal("mismatched lengths accepted")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestDecide_NeverEmpty(t *testing.T) {
	th := make([]float32, emotion.NumLabels)
	for i := range th {
		th[i] = 0.5
	}
	s := make([]float32, emotion.NumLabels)
	s[3], s[9], s[20] = 0.2, 0.4, 0.3
	if got := emotion.Decide(s, th, 1); !slices.Equal(got, []int{9}) {
		t.Fatalf("fallback top-1 = %v, want [9]", got)
	}
	if got := emotion.Decide(s, th, 2); !slices.Equal(got, []int{9, 20}) {
		t.Fatalf("fallback top-2 = %v, want [9 20]", got)
	}
	s[5], s[9] = 0.9, 0.7
	if got := emotion.Decide(s, th, 1); !slices.Equal(got, []int{5, 9}) {
		t.Fatalf("over thresholds = %v, want [5 9] (highest first)", got)
	}
}

func TestTuneThresholds_SeparatesClasses(t *testing.T) {
	// label 4 is positive exactly when its score is above 0.3; every other
	// label is never positive.
	var scores [][]float32
	var gold [][]int
	for i := 0; i < 100; i++ {
		s := make([]float32, emotion.NumLabels)
		s[4] = float32(i) / 100
		scores = append(scores, s)
		if s[4] > 0.3 {
			gold = append(gold, []int{4})
		} else {
			gold = append(gold, []int{27})
		}
	}
	th, err := emotion.TuneThresholds(scores, gold)
	if err != nil {
		t.Fatal(err)
	}
	if th[4] <= 0.30 || th[4] > 0.31 {
		t.Fatalf("threshold of label 4 = %v, want just above 0.30", th[4])
	}
	for l, x := range th {
		if x < 0.02 || x > 0.98 {
			t.Fatalf("threshold %d = %v outside [0.02, 0.98]", l, x)
		}
	}
	scores[7][2] = float32(math.NaN())
	if _, err := emotion.TuneThresholds(scores, gold); err == nil {
		t.Fatal("a NaN score was accepted")
	}
}
