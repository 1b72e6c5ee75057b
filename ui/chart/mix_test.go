package chart

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestMixGolden(t *testing.T) {
	test.NewTempApp(t)
	test.AssertImageMatches(t, "mix.png", Render(NewMix(mixFixture()), fyne.NewSize(420, 190), light(), 1))
	test.AssertImageMatches(t, "mix_dark.png", Render(NewMix(mixFixture()), fyne.NewSize(420, 190), dark(), 1))
}

func TestMixRowsSortedByShare(t *testing.T) {
	m := NewMix(mixFixture())
	c := place(t, m, fyne.NewSize(420, 190))
	var rows []string
	for _, s := range texts(m) {
		if strings.Contains(s, "(") {
			rows = append(rows, s)
		}
	}
	want := []string{
		"joy 43% (17 entries)", "sadness 23% (9 entries)", "neutral 15% (6 entries)",
		"fear 10% (4 entries)", "anger 8% (3 entries)", "surprise 3% (1 entry)",
	}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("rows %q, want %q", rows, want)
	}

	// The bar's first segment is joy, the largest share.
	test.MoveMouse(c, fyne.NewPos(20, m.barY0+5))
	if got := texts(m); !contains(got, "joy") || !contains(got, "43%") || !contains(got, "17 entries") {
		t.Errorf("hovering the first segment: %q", got)
	}
}

func TestMixOddShares(t *testing.T) {
	m := NewMix(MixData{Parts: []Part{{Name: "joy", Share: -1}, {Name: "fear", Share: nan}, {Name: "anger", Share: 0}}})
	place(t, m, fyne.NewSize(300, 120))
	if got := texts(m); len(got) != 1 || got[0] != EmptyText {
		t.Errorf("no positive share: %q", got)
	}
	m.Set(MixData{Parts: []Part{{Name: "joy", Share: 0.001, Count: 1}, {Name: "fear", Share: 0.999, Count: 999}}})
	if got := texts(m); !contains(got, "joy <1% (1 entry)") || !contains(got, "fear 100% (999 entries)") {
		t.Errorf("tiny share: %q", got)
	}
}
