package chart

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestBarsGolden(t *testing.T) {
	test.NewTempApp(t)
	test.AssertImageMatches(t, "bars_weekday.png", Render(NewBars(weekdayFixture()), fyne.NewSize(420, 240), light(), 1))
	test.AssertImageMatches(t, "bars_hours.png", Render(NewBars(hourFixture()), fyne.NewSize(600, 200), light(), 1))
	test.AssertImageMatches(t, "bars_weekday_dark.png", Render(NewBars(weekdayFixture()), fyne.NewSize(420, 240), dark(), 1))
}
