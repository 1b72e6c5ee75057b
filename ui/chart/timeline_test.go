package chart

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestTimelineGolden(t *testing.T) {
	test.NewTempApp(t)
	img := Render(NewTimeline(timelineFixture()), fyne.NewSize(600, 260), light(), 1)
	test.AssertImageMatches(t, "timeline.png", img)
	img = Render(NewTimeline(timelineFixture()), fyne.NewSize(600, 260), dark(), 1)
	test.AssertImageMatches(t, "timeline_dark.png", img)
}
