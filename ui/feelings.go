package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// groupOrder is the order the correction form lists the Ekman groups in:
// the feelings people write most first, neutral last.
var groupOrder = []string{"joy", "sadness", "anger", "fear", "surprise", "disgust", "neutral"}

// showFeelings fills the feelings box for the open entry (nil: a new one,
// which has none): the person's own emotions as chips when they gave some,
// the model's strongest emotions as bars, and the button that corrects them.
func (j *journalScreen) showFeelings(e *journal.Entry) {
	box := j.feelings
	box.RemoveAll()
	if e == nil {
		box.Refresh()
		return
	}
	j.correct.SetText("Correct the emotions…")
	var head fyne.CanvasObject = widget.NewLabel("")
	if e.Corrected() {
		j.correct.SetText("Change your emotions…")
		chips := newChips()
		setChips(chips, e.Corrections.Labels, len(e.Corrections.Labels))
		head = container.NewHBox(widget.NewLabelWithStyle("Your emotions", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), chips)
	} else if e.Emotions == nil {
		head = widget.NewLabel("Emotions not read yet.")
	}
	buttons := container.NewHBox(j.correct)
	if e.Emotions != nil && !e.Wordless() && j.svc.CanExplain() {
		j.why.Enable()
		buttons.Objects = []fyne.CanvasObject{j.why, j.correct}
	}
	if !e.Wordless() {
		buttons.Objects = append([]fyne.CanvasObject{j.inLane}, buttons.Objects...)
	}
	box.Add(container.NewBorder(nil, nil, nil, buttons, head))
	if e.Corrected() && e.Emotions != nil {
		read := widget.NewLabel("SAMO read")
		read.Importance = widget.LowImportance
		box.Add(read)
	}
	addBars(box, e.Emotions)
	box.Refresh()
}

// correctionForm is the open "How did you feel?" dialog: a box to tick
// per emotion, grouped by Ekman group.
type correctionForm struct {
	id     string
	checks map[string]*widget.Check
	dialog *dialog.ConfirmDialog
}

// labels are the emotions ticked, in EmotionLabels' order.
func (f *correctionForm) labels() []string {
	var out []string
	for _, l := range journal.EmotionLabels {
		if f.checks[l].Checked {
			out = append(out, l)
		}
	}
	return out
}

// onCorrect opens the form for the open entry's emotions, ticked as they
// are now (the person's own, else the model's); saving it records them.
func (j *journalScreen) onCorrect() {
	if j.current == "" {
		return
	}
	e, err := j.svc.Get(context.Background(), j.current)
	if err != nil {
		j.showError("Could not open the entry", err)
		return
	}
	now := e.Feelings()
	f := &correctionForm{id: e.ID, checks: map[string]*widget.Check{}}
	rows := []fyne.CanvasObject{widget.NewLabel("Tick what you felt. With nothing ticked, SAMO's own reading shows again.")}
	for _, g := range groupOrder {
		// the boxes wrap onto as many lines as the dialog's width needs
		boxes := container.NewGridWrap(fyne.NewSize(160, 36))
		for _, l := range journal.EmotionLabels {
			if journal.EkmanGroup(l) == g {
				c := widget.NewCheck(l, nil)
				c.Checked = slices.Contains(now, l)
				f.checks[l] = c
				boxes.Add(c)
			}
		}
		name := canvas.NewText(g, groupColors[g])
		name.TextStyle = fyne.TextStyle{Bold: true}
		rows = append(rows, name, boxes)
	}
	f.dialog = dialog.NewCustomConfirm("How did you feel?", "Save", "Cancel",
		container.NewVScroll(container.NewVBox(rows...)), func(save bool) {
			j.correction = nil
			if save {
				j.saveCorrection(f.id, f.labels())
			}
		}, j.window)
	f.dialog.Resize(fyne.NewSize(min(720, j.window.Canvas().Size().Width), min(560, j.window.Canvas().Size().Height)))
	j.correction = f
	f.dialog.Show()
}

// saveCorrection records the person's emotions for entry id, off the UI
// goroutine, and shows them.
func (j *journalScreen) saveCorrection(id string, labels []string) {
	j.status.SetText("Saving your emotions…")
	j.sh.background(func() func() {
		e, err := j.svc.Correct(context.Background(), id, labels)
		return func() {
			if err != nil {
				j.showError("Your emotions were not saved", err)
				return
			}
			j.reload()
			if j.current == e.ID {
				j.showFeelings(&e)
			}
			if e.Corrected() {
				j.status.SetText("Your emotions are saved; SAMO shows them from now on.")
			} else {
				j.status.SetText("SAMO's own reading shows again.")
			}
		}
	})
}

// onWhy reads the open entry again, away from the UI goroutine (a long
// entry takes a while), and shows which words raised each emotion.
func (j *journalScreen) onWhy() {
	id := j.current
	if id == "" {
		return
	}
	j.why.Disable()
	j.status.SetText("Reading why…")
	which := j.heading.Text // the person may open another entry meanwhile
	j.sh.background(func() func() {
		ws, err := j.svc.Explain(context.Background(), id)
		return func() {
			j.why.Enable()
			if err != nil {
				j.showError("SAMO could not say why", err)
				return
			}
			j.status.SetText("")
			j.showWhy(which, ws)
		}
	})
}

// showWhy shows, for each emotion read in the entry (named by which), the
// words that raised it most as bars in the emotion's colour, as long as
// each word's push.
func (j *journalScreen) showWhy(which string, ws []journal.Why) {
	hint := widget.NewLabel("The words that raised each emotion most: the longer the bar, the more.")
	hint.Importance = widget.LowImportance
	rows := []fyne.CanvasObject{widget.NewLabelWithStyle(which, fyne.TextAlignLeading, fyne.TextStyle{Italic: true}), hint}
	for _, w := range ws {
		c := groupColors[journal.EkmanGroup(w.Label)]
		name := canvas.NewText(w.Label, c)
		name.TextStyle = fyne.TextStyle{Bold: true}
		rows = append(rows, container.NewHBox(name, widget.NewLabel(journal.Strength(w.Score))))
		if len(w.Words) == 0 {
			none := widget.NewLabel("No single word stood out: it comes from the whole of what you wrote.")
			none.Importance = widget.LowImportance
			rows = append(rows, none)
			continue
		}
		top := w.Words[0].Weight
		for _, p := range w.Words {
			top = max(top, p.Weight)
		}
		const barWidth = 200
		for _, p := range w.Words {
			word := widget.NewLabel("“" + p.Text + "”")
			word.Truncation = fyne.TextTruncateEllipsis
			bar := canvas.NewRectangle(c)
			rows = append(rows, container.NewHBox(container.NewGridWrap(fyne.NewSize(180, word.MinSize().Height), word),
				container.NewCenter(container.NewGridWrap(fyne.NewSize(max(barWidth*p.Weight/top, 2), 10), bar))))
		}
	}
	if len(ws) == 0 {
		rows = append(rows, widget.NewLabel("SAMO read no emotion in this entry."))
	}
	d := dialog.NewCustom("Why SAMO read this", "Close", container.NewVScroll(container.NewVBox(rows...)), j.window)
	d.Resize(fyne.NewSize(min(520, j.window.Canvas().Size().Width), min(480, j.window.Canvas().Size().Height)))
	d.Show()
}
