package chart

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestCalendarGolden(t *testing.T) {
	test.NewTempApp(t)
	img := Render(NewCalendar(calendarFixture()), fyne.NewSize(600, 200), light(), 1)
	test.AssertImageMatches(t, "calendar.png", img)
	img = Render(NewCalendar(calendarFixture()), fyne.NewSize(600, 200), dark(), 1)
	test.AssertImageMatches(t, "calendar_dark.png", img)
}
