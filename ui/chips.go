package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/samojournal/samo/journal"
)

// groupColors are the Okabe–Ito hues of the Ekman groups, one palette for
// every view (colour-blind safe; a chip always carries its word too).
var groupColors = map[string]color.NRGBA{
	"joy":      {0xE6, 0x9F, 0x00, 0xFF},
	"sadness":  {0x00, 0x72, 0xB2, 0xFF},
	"anger":    {0xD5, 0x5E, 0x00, 0xFF},
	"fear":     {0xCC, 0x79, 0xA7, 0xFF},
	"disgust":  {0x00, 0x9E, 0x73, 0xFF},
	"surprise": {0x56, 0xB4, 0xE9, 0xFF},
	"neutral":  {0x99, 0x99, 0x99, 0xFF},
}

// newChips returns an empty row of emotion chips.
func newChips() *fyne.Container { return container.NewHBox() }

// setChips shows up to max of an entry's predicted labels as small
// coloured chips: a dot in the label's Ekman hue and the label's name.
func setChips(row *fyne.Container, em *journal.Emotions, max int) {
	row.RemoveAll()
	if em == nil {
		return
	}
	for i, l := range em.Labels {
		if i == max {
			break
		}
		c := groupColors[journal.EkmanGroup(l)]
		dot := canvas.NewCircle(c)
		dot.Resize(fyne.NewSize(8, 8))
		text := canvas.NewText(l, c)
		text.TextSize = theme.CaptionTextSize()
		text.TextStyle = fyne.TextStyle{Bold: true}
		row.Add(container.NewHBox(container.NewGridWrap(fyne.NewSize(8, 8), dot), text))
	}
	row.Refresh()
}
