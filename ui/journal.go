// Package ui is SAMO's desktop interface in Fyne. It talks to the journal
// only through journal.Service; the app and window are passed down, never
// looked up globally.
package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// listPage is how many entries the list loads at a time.
const listPage = 200

// Create builds SAMO's main screen into window w and loads the newest entries.
func Create(app fyne.App, w fyne.Window, svc *journal.Service, opts ...Option) *Journal {
	j := newJournal(app, w, svc, opts...)
	w.SetContent(j.content)
	w.SetCloseIntercept(j.onClose)
	w.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("Journal",
		fyne.NewMenuItem("New entry", j.onNew),
		fyne.NewMenuItem("Back up…", j.onBackup),
	)))
	w.Canvas().AddShortcut(saveShortcut, func(fyne.Shortcut) { j.onSave() })
	w.Canvas().AddShortcut(recordShortcut, func(fyne.Shortcut) { j.onRecordKey() })
	j.reload()
	w.Canvas().Focus(j.editor)
	j.offerUnfinished()
	return j
}

var (
	saveShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	// recordShortcut starts a recording, and stops and saves it.
	recordShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
)

// Journal is the main screen: the list of entries beside an editor.
type Journal struct {
	app    fyne.App
	window fyne.Window
	svc    *journal.Service
	now    func() time.Time

	entries []journal.Entry
	current string // id of the entry in the editor; "" for a new one
	saved   string // the editor's text as last loaded or saved

	list    *widget.List
	more    *widget.Button
	empty   *widget.Label
	heading *widget.Label
	editor  *editor
	save    *widget.Button
	remove  *widget.Button
	status  *widget.Label
	// feelings shows the open entry's strongest emotions as bars, and the
	// person's own when they corrected them; correct opens the form that
	// does, and correction is that form while it is open; why shows the
	// words that raised each emotion.
	feelings   *fyne.Container
	correct    *widget.Button
	why        *widget.Button
	correction *correctionForm
	content    fyne.CanvasObject

	// voice records spoken entries (nil: no recording); record starts
	// one, and the recorder panel replaces editorArea while it runs.
	voice  Voice
	record *widget.Button
	// play plays the open entry's recording; stopPlaying, while it plays,
	// stops it.
	play        *widget.Button
	stopPlaying func()
	recorder    *recorderPanel
	editorArea  fyne.CanvasObject
	offer       dialog.Dialog
	// closeAfterSave is set when the window was closed while a recording
	// was being saved: it closes once the recording is in the journal.
	closeAfterSave bool
	// settled, when set, is called on the UI goroutine after background
	// work has shown its result (tests wait on it).
	settled func()
}

func newJournal(app fyne.App, w fyne.Window, svc *journal.Service, opts ...Option) *Journal {
	j := &Journal{app: app, window: w, svc: svc, now: time.Now}
	for _, o := range opts {
		o(j)
	}

	j.list = widget.NewList(
		func() int { return len(j.entries) },
		func() fyne.CanvasObject {
			when := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title := widget.NewLabel("")
			title.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(when, title, newChips())
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := j.entries[i]
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Label).SetText(friendlyTime(e.Created, j.now()))
			row.Objects[1].(*widget.Label).SetText(e.Title(80))
			setChips(row.Objects[2].(*fyne.Container), e.Feelings(), 3)
		},
	)
	j.list.OnSelected = j.onSelect

	j.more = widget.NewButton("Show older entries", j.onMore)
	j.more.Importance = widget.LowImportance
	j.more.Hide()

	j.empty = widget.NewLabel("No entries yet.\nWrite your first one on the right.")
	j.empty.Alignment = fyne.TextAlignCenter
	j.empty.Importance = widget.LowImportance

	newBtn := widget.NewButtonWithIcon("New entry", theme.ContentAddIcon(), j.onNew)
	j.record = widget.NewButtonWithIcon("Record", theme.MediaRecordIcon(), j.onRecord)
	j.record.Importance = widget.HighImportance
	actions := fyne.CanvasObject(newBtn)
	if j.voice != nil {
		actions = container.NewGridWithColumns(2, j.record, newBtn)
	}
	brand := widget.NewLabelWithStyle("SAMO", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	side := container.NewBorder(
		container.NewVBox(container.NewHBox(widget.NewIcon(app.Icon()), brand), actions, widget.NewSeparator()),
		nil, nil, nil,
		container.NewBorder(nil, j.more, nil, nil, container.NewStack(j.list, container.NewCenter(j.empty))),
	)

	j.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	j.editor = newEditor(j.onSave, j.onRecordKey)
	j.editor.SetPlaceHolder("What's on your mind today?")
	j.editor.OnChanged = func(string) { j.refreshButtons() }
	j.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), j.onSave)
	j.save.Importance = widget.HighImportance
	j.remove = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), j.onDelete)
	j.remove.Importance = widget.LowImportance
	j.play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), j.onPlay)
	j.play.Hide()
	j.status = widget.NewLabel("")
	j.status.Importance = widget.LowImportance
	j.status.Truncation = fyne.TextTruncateEllipsis

	j.feelings = container.NewVBox()
	j.correct = widget.NewButton("Correct the emotions…", j.onCorrect)
	j.correct.Importance = widget.LowImportance
	j.why = widget.NewButton("Why?", j.onWhy)
	j.why.Importance = widget.LowImportance
	main := container.NewBorder(
		j.heading,
		container.NewVBox(j.feelings, container.NewBorder(nil, nil, container.NewHBox(j.remove, j.play), j.save, j.status)),
		nil, nil,
		j.editor,
	)
	j.editorArea = main
	j.recorder = newRecorderPanel(j)
	j.recorder.content.Hide()
	split := container.NewHSplit(side, container.NewPadded(container.NewStack(main, j.recorder.content)))
	split.SetOffset(0.32)
	j.content = split
	j.startNew()
	return j
}

// reload fetches the newest entries into the list.
// It keeps as many entries loaded as were shown before (one more, for an
// entry just added), at least a page.
func (j *Journal) reload() {
	limit := max(listPage, len(j.entries)+1)
	es, err := j.svc.List(context.Background(), journal.Query{Limit: limit})
	if err != nil {
		j.showError("Could not read the journal", err)
		return
	}
	j.entries = es
	j.showEntries(len(es) == limit)
}

// onMore loads the next page of older entries.
func (j *Journal) onMore() {
	if len(j.entries) == 0 {
		return
	}
	es, err := j.svc.List(context.Background(), journal.Query{Limit: listPage, Before: j.entries[len(j.entries)-1].ID})
	if err != nil {
		j.showError("Could not read the journal", err)
		return
	}
	j.entries = append(j.entries, es...)
	j.showEntries(len(es) == listPage)
}

// showEntries refreshes the list, the empty-journal message, and the button
// for older entries (shown while a page came back full).
func (j *Journal) showEntries(mayHaveMore bool) {
	if len(j.entries) == 0 {
		j.empty.Show()
	} else {
		j.empty.Hide()
	}
	if mayHaveMore {
		j.more.Show()
	} else {
		j.more.Hide()
	}
	j.list.Refresh()
}

// startNew puts an empty editor up for a new entry.
func (j *Journal) startNew() {
	j.current, j.saved = "", ""
	j.heading.SetText("New entry · " + j.now().Format("Monday 2 January 2006"))
	j.editor.SetPlaceHolder("What's on your mind today?")
	j.editor.SetText("")
	j.showFeelings(nil)
	j.showPlay(journal.Entry{})
	j.refreshButtons()
}

func (j *Journal) dirty() bool { return j.editor.Text != j.saved }

func (j *Journal) refreshButtons() {
	if j.current == "" {
		j.remove.Disable()
	} else {
		j.remove.Enable()
	}
	if j.dirty() && hasText(j.editor.Text) {
		j.save.Enable()
	} else {
		j.save.Disable()
	}
}

// saveDraft saves the editor's text if it changed; it reports whether the
// editor may be cleared or replaced (nothing unsaved is left).
func (j *Journal) saveDraft() bool {
	if !j.dirty() || !hasText(j.editor.Text) {
		return true
	}
	ctx := context.Background()
	var (
		e   journal.Entry
		err error
	)
	if j.current == "" {
		e, err = j.svc.Add(ctx, j.editor.Text)
	} else {
		e, err = j.svc.Update(ctx, j.current, j.editor.Text)
	}
	if err != nil {
		j.showError("Your entry was not saved", err)
		return false
	}
	j.current, j.saved = e.ID, j.editor.Text
	j.heading.SetText("Entry · " + e.Created.Format("Monday 2 January 2006, 15:04"))
	words := len(strings.Fields(e.Text))
	j.status.SetText(fmt.Sprintf("Saved at %s · %d %s", e.Updated.Format("15:04"), words, plural(words, "word", "words")))
	j.showFeelings(&e)
	j.refreshButtons()
	return true
}

func (j *Journal) onSave() {
	if !j.saveDraft() {
		return
	}
	id := j.current
	j.reload()
	j.selectID(id)
}

func (j *Journal) onNew() {
	if !j.saveDraft() {
		return
	}
	j.reload()
	j.list.UnselectAll()
	j.startNew()
	j.status.SetText("")
	j.window.Canvas().Focus(j.editor)
}

func (j *Journal) onSelect(i widget.ListItemID) {
	if i < 0 || i >= len(j.entries) || j.entries[i].ID == j.current {
		return
	}
	target := j.entries[i].ID
	if j.dirty() {
		// Never drop what the person typed: save it before showing another entry.
		if !j.saveDraft() {
			j.selectID(j.current)
			return
		}
		j.reload()
	}
	e, err := j.svc.Get(context.Background(), target)
	if err != nil {
		j.showError("Could not open the entry", err)
		return
	}
	j.showEntry(e)
	j.status.SetText("")
}

// showEntry puts an entry in the editor and highlights it in the list.
func (j *Journal) showEntry(e journal.Entry) {
	j.current, j.saved = e.ID, e.Text
	heading := "Entry · " + e.Created.Format("Monday 2 January 2006, 15:04")
	if e.Audio != nil {
		heading = fmt.Sprintf("Recording · %s · %s", e.Created.Format("Monday 2 January 2006, 15:04"), e.Audio.Duration.Round(time.Second))
	}
	j.heading.SetText(heading)
	if e.AwaitingTranscript() {
		j.editor.SetPlaceHolder("This recording waits to be transcribed (install a speech model), or type what you said.")
	} else if e.NoSpeechHeard() {
		j.editor.SetPlaceHolder("No speech was heard in this recording. Type what you meant to say, if you like.")
	} else {
		j.editor.SetPlaceHolder("What's on your mind today?")
	}
	j.editor.SetText(e.Text)
	j.showFeelings(&e)
	j.showPlay(e)
	j.refreshButtons()
	j.selectID(e.ID)
}

func (j *Journal) settle() {
	if j.settled != nil {
		j.settled()
	}
}

// selectID highlights the list row of the entry with the given id, if shown.
func (j *Journal) selectID(id string) {
	for i, e := range j.entries {
		if e.ID == id {
			j.list.Select(i)
			return
		}
	}
}

// onClose saves unsaved text before the window closes; if saving fails the
// window stays open so nothing is lost.
func (j *Journal) onClose() {
	if !j.saveDraft() {
		return
	}
	if j.recorder.saving {
		j.closeAfterSave = true
		j.status.SetText("Saving your recording; SAMO closes when it is saved.")
		return
	}
	if take := j.recorder.take; take != nil {
		dialog.ShowCustomConfirm("You are recording", "Save and close", "Keep recording",
			widget.NewLabel("Save the recording to your journal before closing?"), func(save bool) {
				if save && j.recorder.take == take {
					j.recorder.take = nil
					j.saveTake(take, j.window.Close)
				}
			}, j.window)
		return
	}
	j.window.Close()
}

// onDelete asks before deleting the entry in the editor.
func (j *Journal) onDelete() {
	if j.current == "" {
		return
	}
	dialog.ShowConfirm("Delete this entry?",
		"It will be gone from your journal, with its recording and analysis. This cannot be undone.",
		func(yes bool) {
			if yes {
				j.deleteCurrent()
			}
		}, j.window)
}

func (j *Journal) deleteCurrent() {
	if err := j.svc.Delete(context.Background(), j.current); err != nil {
		j.showError("The entry was not deleted", err)
		return
	}
	j.reload()
	j.list.UnselectAll()
	j.startNew()
	j.status.SetText("Entry deleted.")
}

// onBackup asks where to write a backup and writes it; the journal stays in
// use meanwhile, and the copy is consistent.
func (j *Journal) onBackup() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		j.backupTo(path)
	}, j.window)
	d.SetFileName("samo-backup-" + j.now().Format("2006-01-02") + ".db")
	d.Show()
}

func (j *Journal) backupTo(path string) {
	if err := j.svc.Backup(path); err != nil {
		j.showError("The backup was not written", err)
		return
	}
	j.status.SetText("Backed up to " + path)
}

func (j *Journal) showError(title string, err error) {
	j.status.SetText(title + ".")
	dialog.ShowError(fmt.Errorf("%s: %w", title, err), j.window)
}

// editor is a multi-line entry that saves on Ctrl+S (⌘S on macOS), and
// records on Ctrl+R, even while it has the keyboard focus.
type editor struct {
	widget.Entry
	onSave, onRecord func()
}

func newEditor(onSave, onRecord func()) *editor {
	e := &editor{onSave: onSave, onRecord: onRecord}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut handles the save shortcut and passes the others on.
func (e *editor) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && cs.ShortcutName() == saveShortcut.ShortcutName() {
		e.onSave()
		return
	}
	if cs, ok := s.(*desktop.CustomShortcut); ok && cs.ShortcutName() == recordShortcut.ShortcutName() && e.onRecord != nil {
		e.onRecord()
		return
	}
	e.Entry.TypedShortcut(s)
}

func hasText(s string) bool { return strings.TrimSpace(s) != "" }
