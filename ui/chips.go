package ui

import (
	"cmp"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/ui/chart"
)

// groupColors are the Okabe–Ito hues of the Ekman groups, one palette for
// every view (colour-blind safe; a chip always carries its word too).
var groupColors = chart.GroupColors()

// newChips returns an empty row of emotion chips.
func newChips() *fyne.Container { return container.NewHBox() }

// newChipLine returns an empty row of chips that is as tall as a chip even
// while it holds none, for templates measured empty (the list's rows): a
// strut of a chip's height stands behind the chips.
func newChipLine() *fyne.Container {
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(0, chipHeight()))
	return container.NewStack(strut, newChips())
}

// chipsOf returns the chips' row of a line made by newChipLine.
func chipsOf(line fyne.CanvasObject) *fyne.Container {
	return line.(*fyne.Container).Objects[1].(*fyne.Container)
}

// chipHeight is the height of a chip: its word, or its dot if taller.
func chipHeight() float32 {
	h := fyne.MeasureText("Ág", theme.CaptionTextSize(), fyne.TextStyle{Bold: true}).Height
	return max(h, chipDot)
}

// chipDot is the diameter of a chip's dot.
const chipDot = 8

// setChips shows up to max of an entry's emotion labels as small coloured
// chips: a dot in the label's Ekman hue and the label's name.
func setChips(row *fyne.Container, labels []string, max int) {
	row.RemoveAll()
	for i, l := range labels {
		if i == max {
			break
		}
		c := groupColors[journal.EkmanGroup(l)]
		dot := canvas.NewCircle(c)
		dot.Resize(fyne.NewSize(chipDot, chipDot))
		text := canvas.NewText(l, c)
		text.TextSize = theme.CaptionTextSize()
		text.TextStyle = fyne.TextStyle{Bold: true}
		row.Add(container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(chipDot, chipDot), dot)), text))
	}
	row.Refresh()
}

// feelingRows is how many emotions the entry page shows.
const feelingRows = 4

// addBars adds to box the reading's strongest emotions, each a row of its
// name in its group's colour, a bar as long as its score and a word for its
// strength; a reading without scores adds nothing.
func addBars(box *fyne.Container, em *journal.Emotions) {
	if em == nil || len(em.Scores) != len(journal.EmotionLabels) {
		return
	}
	order := make([]int, len(em.Scores))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(em.Scores[b], em.Scores[a]) })
	const barWidth = 160
	for _, l := range order[:feelingRows] {
		name := journal.EmotionLabels[l]
		c := groupColors[journal.EkmanGroup(name)]
		text := canvas.NewText(name, c)
		text.TextStyle = fyne.TextStyle{Bold: true}
		track := canvas.NewRectangle(color.NRGBA{0x99, 0x99, 0x99, 0x30})
		bar := canvas.NewRectangle(c)
		w := float32(barWidth) * em.Scores[l]
		bars := container.NewStack(
			container.NewGridWrap(fyne.NewSize(barWidth, 10), track),
			container.NewHBox(container.NewGridWrap(fyne.NewSize(max(w, 1), 10), bar)),
		)
		word := canvas.NewText(journal.Strength(em.Scores[l]), theme.Color(theme.ColorNameForeground))
		word.TextSize = theme.CaptionTextSize()
		box.Add(container.NewHBox(container.NewGridWrap(fyne.NewSize(120, 20), text), container.NewCenter(bars), word))
	}
}
