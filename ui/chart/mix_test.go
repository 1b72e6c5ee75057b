package chart

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestMixGolden(t *testing.T) {
	test.NewTempApp(t)
	test.AssertImageMatches(t, "mix.png", Render(NewMix(mixFixture()), fyne.NewSize(420, 190), light(), 1))
	test.AssertImageMatches(t, "mix_dark.png", Render(NewMix(mixFixture()), fyne.NewSize(420, 190), dark(), 1))
}
