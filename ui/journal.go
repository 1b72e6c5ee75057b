package ui

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// listPage is how many entries the list loads at a time.
const listPage = 200

// momentsHeight is the height the journal gives a recording's words and
// emotions under the editor (they scroll).
const momentsHeight = 150

// skipAfter is how long a save runs before the person is offered to skip
// the reading of its emotions.
const skipAfter = 700 * time.Millisecond

// journalScreen is the journal: the list of entries beside an editor.
type journalScreen struct {
	sh     *shell
	app    fyne.App
	window fyne.Window
	svc    *journal.Service
	now    func() time.Time

	entries []journal.Entry
	current string // id of the entry in the editor; "" for a new one
	saved   string // the editor's text as last loaded or saved
	// recorded says the entry in the editor has a recording (a dictation
	// then goes into a new entry).
	recorded bool

	list    *widget.List
	more    *widget.Button
	empty   *widget.Label
	heading *widget.Label
	editor  *editor
	save    *widget.Button
	remove  *widget.Button
	status  *widget.Label
	// busy and skip show while a save runs: skip, offered once it has
	// taken a moment, saves the entry without reading its emotions.
	busy      *widget.ProgressBarInfinite
	skip      *widget.Button
	savingRow *fyne.Container
	// saving is the save under way (nil: none); another waits for it:
	// again is set when one was asked for meanwhile, and queued is what
	// follows it.
	saving    *saveRun
	again     bool
	queued    func()
	skipAfter time.Duration
	// feelings shows the open entry's strongest emotions as bars, and the
	// person's own when they corrected them; correct opens the form that
	// does, and correction is that form while it is open; why shows the
	// words that raised each emotion.
	feelings *fyne.Container
	correct  *widget.Button
	why      *widget.Button
	// inLane shows the open entry in Memory Lane (its day in other years,
	// entries like it).
	inLane     *widget.Button
	correction *correctionForm
	content    fyne.CanvasObject

	// voice records spoken entries (nil: no recording); record starts
	// one, and the recorder panel replaces editorArea while it runs.
	voice  Voice
	record *widget.Button
	// play plays the open entry's recording, through moments: its words
	// and emotions along it, each a tap away from being heard.
	play       *widget.Button
	moments    *momentsView
	momentsBox *container.Scroll
	// dictate puts speech into the editor as it is spoken.
	dictate    *dictation
	recorder   *recorderPanel
	editorArea fyne.CanvasObject
	offer      dialog.Dialog
	// closeAfterSave is set when the window was closed while a recording
	// was being saved: it closes once the recording is in the journal.
	closeAfterSave bool
}

// saveRun is a save under way.
type saveRun struct {
	cancel context.CancelFunc
	timer  *time.Timer
}

func newJournalScreen(sh *shell) *journalScreen {
	j := &journalScreen{sh: sh, app: sh.app, window: sh.window, svc: sh.svc, now: sh.now, voice: sh.opts.voice, skipAfter: skipAfter}

	j.list = widget.NewList(
		func() int { return len(j.entries) },
		newRow,
		func(i widget.ListItemID, o fyne.CanvasObject) { j.showRow(j.entries[i], o.(*fyne.Container)) },
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
		container.NewVBox(container.NewHBox(widget.NewIcon(j.app.Icon()), brand), actions, widget.NewSeparator()),
		nil, nil, nil,
		container.NewBorder(nil, j.more, nil, nil, container.NewStack(j.list, container.NewCenter(j.empty))),
	)

	j.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	j.editor = newEditor(sh.onShortcut)
	j.editor.longPaste = j.onLongPaste
	j.editor.SetPlaceHolder("What's on your mind today?")
	j.editor.OnChanged = func(text string) {
		j.editor.fitWrapping(len(text))
		j.refreshButtons()
	}
	j.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), j.onSave)
	j.save.Importance = widget.HighImportance
	j.remove = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), j.onDelete)
	j.remove.Importance = widget.LowImportance
	j.play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), j.onPlay)
	j.play.Hide()
	j.moments = newMomentsView(sh, j.onPlaying, j.showError)
	j.momentsBox = container.NewVScroll(j.moments.content)
	j.momentsBox.SetMinSize(fyne.NewSize(0, momentsHeight))
	j.momentsBox.Hide()
	j.dictate = newDictation(j)
	j.status = widget.NewLabel("")
	j.status.Importance = widget.LowImportance
	j.status.Truncation = fyne.TextTruncateEllipsis
	j.busy = widget.NewProgressBarInfinite()
	j.skip = widget.NewButton("Skip reading", j.onSkip)
	j.skip.Importance = widget.LowImportance
	j.skip.Hide()
	j.savingRow = container.NewBorder(nil, nil, nil, j.skip, j.busy)
	j.savingRow.Hide()

	j.feelings = container.NewVBox()
	j.correct = widget.NewButton("Correct the emotions…", j.onCorrect)
	j.correct.Importance = widget.LowImportance
	j.why = widget.NewButton("Why?", j.onWhy)
	j.why.Importance = widget.LowImportance
	j.inLane = widget.NewButtonWithIcon("Like this…", theme.HistoryIcon(), j.onInLane)
	j.inLane.Importance = widget.LowImportance
	main := container.NewBorder(
		j.heading,
		container.NewVBox(j.momentsBox, j.dictate.bar, j.feelings, j.savingRow,
			container.NewBorder(nil, nil, container.NewHBox(j.remove, j.play, j.dictate.button), j.save, j.status)),
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

// newRow is the list's row: when, the first line, and a line of emotion
// chips. The chips' line is as tall as a chip even when it holds none, so
// every row is measured with it and a row's chips stay inside the row.
func newRow() fyne.CanvasObject {
	when := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title := widget.NewLabel("")
	title.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(when, title, newChipLine())
}

func (j *journalScreen) showRow(e journal.Entry, row *fyne.Container) {
	row.Objects[0].(*widget.Label).SetText(friendlyTime(e.Created, j.now()))
	row.Objects[1].(*widget.Label).SetText(e.Title(80))
	setChips(chipsOf(row.Objects[2]), e.Feelings(), 3)
}

// reload fetches the newest entries into the list.
// It keeps as many entries loaded as were shown before (one more, for an
// entry just added), at least a page.
func (j *journalScreen) reload() {
	limit := j.listLimit()
	es, err := j.svc.List(context.Background(), journal.Query{Limit: limit})
	if err != nil {
		j.showError("Could not read the journal", err)
		return
	}
	j.setEntries(es, limit)
}

func (j *journalScreen) listLimit() int { return max(listPage, len(j.entries)+1) }

// setEntries shows es, the newest entries read with limit.
func (j *journalScreen) setEntries(es []journal.Entry, limit int) {
	j.entries = es
	j.showEntries(len(es) == limit)
}

// refresh re-reads the list, and the open entry unless the person is
// changing it, after the journal changed elsewhere (an import, a restore,
// a re-reading).
func (j *journalScreen) refresh() {
	j.reload()
	if j.dirty() || j.current == "" {
		return
	}
	e, err := j.svc.Get(context.Background(), j.current)
	if err != nil {
		j.list.UnselectAll()
		j.startNew()
		return
	}
	j.showEntry(e)
}

// replaced shows the journal after it was replaced as a whole (a backup
// restored): the list afresh and an empty editor, or what the person was
// typing, kept as a new entry.
func (j *journalScreen) replaced() {
	text, dirty := j.editor.Text, j.dirty()
	j.list.UnselectAll()
	j.startNew()
	if dirty {
		j.editor.SetText(text)
		j.refreshButtons()
	}
	j.reload()
}

// onMore loads the next page of older entries.
func (j *journalScreen) onMore() {
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
func (j *journalScreen) showEntries(mayHaveMore bool) {
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
func (j *journalScreen) startNew() {
	j.current, j.saved, j.recorded = "", "", false
	j.heading.SetText("New entry · " + j.now().Format("Monday 2 January 2006"))
	j.editor.SetPlaceHolder("What's on your mind today?")
	j.editor.SetText("")
	j.editor.Enable()
	j.showFeelings(nil)
	j.showPlay(journal.Entry{})
	j.refreshButtons()
}

func (j *journalScreen) dirty() bool { return j.editor.Text != j.saved || j.dictate.pending() }

func (j *journalScreen) refreshButtons() {
	if j.current == "" || j.saving != nil {
		j.remove.Disable()
	} else {
		j.remove.Enable()
	}
	if j.saving == nil && j.dirty() && (hasText(j.editor.Text) || j.dictate.pending()) {
		j.save.Enable()
	} else {
		j.save.Disable()
	}
}

// saveDraft saves the editor's text if it changed, off the UI goroutine
// (reading its emotions takes a while for a long text), and then runs then
// on the UI goroutine, once nothing unsaved is left. When the save fails
// the text stays in the editor, the person is told, and then is not run.
// While a save runs the editor stays open to typing; a save asked for
// meanwhile waits for it, then saves what was typed since.
func (j *journalScreen) saveDraft(then func()) {
	if j.saving != nil {
		j.again = true
		if then != nil {
			j.queued = then
		}
		return
	}
	if j.dictate.busy && j.dictate.take != nil {
		// the last words are being read: save once they are in
		j.dictate.whenIdle = append(j.dictate.whenIdle, func() { j.saveDraft(then) })
		return
	}
	if j.dictate.listening() {
		// the last words first: they go into what is saved
		j.dictate.stopListening(func() { j.saveDraft(then) })
		return
	}
	spoken := j.dictate.take
	if !j.dirty() || !hasText(j.editor.Text) && spoken == nil {
		if then != nil {
			then()
		}
		return
	}
	id, text, limit := j.current, j.editor.Text, j.listLimit()
	parts := j.dictate.parts
	ctx, cancel := context.WithCancel(context.Background())
	run := &saveRun{cancel: cancel}
	j.saving = run
	j.status.SetText("Saving… reading the emotions")
	j.savingRow.Show()
	if j.skipAfter <= 0 {
		j.skip.Show()
	} else {
		run.timer = time.AfterFunc(j.skipAfter, func() {
			fyne.Do(func() {
				if j.saving == run {
					j.skip.Show()
				}
			})
		})
	}
	j.refreshButtons()
	j.sh.background(func() func() {
		var (
			e   journal.Entry
			err error
		)
		if spoken != nil {
			e, err = j.storeSpoken(ctx, id, spoken, parts, text)
		} else {
			e, err = j.store(ctx, id, text)
		}
		var (
			es   []journal.Entry
			lerr error
		)
		if err == nil {
			es, lerr = j.svc.List(context.Background(), journal.Query{Limit: limit})
		}
		return func() {
			skipped := ctx.Err() != nil
			cancel()
			if run.timer != nil {
				run.timer.Stop()
			}
			j.saving = nil
			j.savingRow.Hide()
			j.skip.Hide()
			again, queued := j.again, j.queued
			j.again, j.queued = false, nil
			if err != nil {
				j.showError("Your entry was not saved", err)
				j.keepSelection()
				j.refreshButtons()
				return
			}
			j.current, j.saved, j.recorded = e.ID, text, e.Audio != nil
			if spoken != nil && j.dictate.take == spoken {
				j.dictate.saved()
				j.showPlay(e)
			}
			j.heading.SetText("Entry · " + e.Created.Format("Monday 2 January 2006, 15:04"))
			words := len(strings.Fields(e.Text))
			saved := fmt.Sprintf("Saved at %s · %d %s", e.Updated.Format("15:04"), words, journal.Plural(words, "word", "words"))
			if skipped && e.Emotions == nil {
				saved += ", without its emotions (re-reading the journal in Settings reads them)"
			}
			j.status.SetText(saved)
			j.showFeelings(&e)
			if lerr != nil {
				j.showError("Could not read the journal", lerr)
			} else {
				j.setEntries(es, limit)
			}
			j.refreshButtons()
			if then != nil {
				then()
			}
			if again {
				j.saveDraft(queued)
			}
		}
	})
}

// store saves text as a new entry (id "") or as entry id's new text; when
// the person skips the reading (ctx cancelled) the Service saves it without
// emotions.
func (j *journalScreen) store(ctx context.Context, id, text string) (journal.Entry, error) {
	if id == "" {
		return j.svc.Add(ctx, text)
	}
	return j.svc.Update(ctx, id, text)
}

// onSkip saves the entry being saved without reading its emotions: they
// can be read later, when the journal is re-read.
func (j *journalScreen) onSkip() {
	if j.saving == nil {
		return
	}
	j.skip.Hide()
	j.status.SetText("Saving without reading the emotions…")
	j.saving.cancel()
}

// keepSelection highlights the open entry again in the list (nothing for
// a new one), after a click on another could not open it.
func (j *journalScreen) keepSelection() {
	if j.current == "" {
		j.list.UnselectAll()
		return
	}
	j.selectID(j.current)
}

func (j *journalScreen) onSave() {
	j.saveDraft(func() { j.selectID(j.current) })
}

func (j *journalScreen) onNew() {
	j.saveDraft(func() {
		j.list.UnselectAll()
		j.startNew()
		j.status.SetText("")
		j.window.Canvas().Focus(j.editor)
	})
}

func (j *journalScreen) onSelect(i widget.ListItemID) {
	if i < 0 || i >= len(j.entries) || j.entries[i].ID == j.current {
		return
	}
	target := j.entries[i].ID
	// Never drop what the person typed: save it before showing another entry.
	j.saveDraft(func() { j.open(target) })
}

// open shows the entry with the given id.
func (j *journalScreen) open(id string) {
	if id == j.current {
		return
	}
	e, err := j.svc.Get(context.Background(), id)
	if err != nil {
		j.showError("Could not open the entry", err)
		j.keepSelection()
		return
	}
	j.status.SetText("")
	j.showEntry(e)
}

// showEntry puts an entry in the editor and highlights it in the list.
func (j *journalScreen) showEntry(e journal.Entry) {
	j.current, j.saved, j.recorded = e.ID, e.Text, e.Audio != nil
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
	if len(e.Text) > editLimit {
		// laying out all of it would freeze the window for minutes
		shown := prefix(e.Text, editLimit) + " …"
		j.saved = shown
		j.editor.SetText(shown)
		j.editor.Disable()
		j.status.SetText(fmt.Sprintf("This entry is %s long: its beginning is shown, and it cannot be edited in the window (samo edit %s - replaces its text).",
			size(len(e.Text)), e.ID))
	} else {
		j.editor.SetText(e.Text)
		j.editor.Enable()
	}
	j.showFeelings(&e)
	j.showPlay(e)
	j.refreshButtons()
	j.selectID(e.ID)
}

// editLimit is the longest text, in bytes, the editor holds: Fyne lays
// text out in time that grows faster than its length (5 MB took two
// minutes here), so a longer paste is saved as an entry of its own, and a
// longer entry is shown by its beginning, not edited.
const editLimit = 64 << 10

// prefix is the first bytes of s, at most n, cut between characters.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// size says n bytes for a person: "5.0 MB", "120 KB".
func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)>>10)
}

// onLongPaste offers to save a text too long for the editor (see
// editLimit) as a new entry, as it is, in the background.
func (j *journalScreen) onLongPaste(text string) {
	msg := widget.NewLabel(fmt.Sprintf("This text is %s long. Editing a text this long here would freeze SAMO's window, "+
		"so SAMO can save it as a new entry as it is, without putting it in the editor.", size(len(text))))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("A long text", "Save as a new entry", "Cancel", msg, func(save bool) {
		if !save {
			return
		}
		j.status.SetText("Saving the long text… reading the emotions")
		j.sh.background(func() func() {
			e, err := j.svc.Add(context.Background(), text)
			return func() {
				if err != nil {
					j.showError("The long text was not saved", err)
					return
				}
				j.refresh()
				j.status.SetText(fmt.Sprintf("The long text (%s) is saved as an entry of %s.", size(len(e.Text)), e.Created.Format("15:04")))
			}
		})
	}, j.window)
	d.Resize(fyne.NewSize(min(480, j.window.Canvas().Size().Width), 220))
	d.Show()
}

// selectID highlights the list row of the entry with the given id, if shown.
func (j *journalScreen) selectID(id string) {
	for i, e := range j.entries {
		if e.ID == id {
			j.list.Select(i)
			return
		}
	}
}

// onClose saves unsaved text before the window closes; if saving fails the
// window stays open so nothing is lost.
func (j *journalScreen) onClose() {
	j.saveDraft(func() {
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
						j.saveTake(take, j.sh.close)
					}
				}, j.window)
			return
		}
		j.sh.close()
	})
}

// onDelete asks before deleting the entry in the editor.
func (j *journalScreen) onDelete() {
	if j.current == "" || j.saving != nil {
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

func (j *journalScreen) deleteCurrent() {
	if err := j.svc.Delete(context.Background(), j.current); err != nil {
		j.showError("The entry was not deleted", err)
		return
	}
	j.reload()
	j.list.UnselectAll()
	j.startNew()
	j.status.SetText("Entry deleted.")
}

func (j *journalScreen) showError(title string, err error) {
	j.status.SetText(title + ".")
	dialog.ShowError(fmt.Errorf("%s: %w", title, err), j.window)
}

// editor is a multi-line entry that keeps the window's shortcuts (save,
// record, new entry, screens) working while it has the keyboard focus.
type editor struct {
	widget.Entry
	// shortcut runs the window's shortcut s, reporting whether it is one.
	shortcut func(s fyne.Shortcut) bool
	// longPaste gets a pasted text that would make the editor's text
	// longer than editLimit, instead of the editor.
	longPaste func(text string)
}

// wrapLimit is the longest text, in bytes, that the editor wraps at word
// boundaries. Fyne lays a wrapped paragraph out in time that grows with
// the square of its length (measured in the test driver: 4 KB 0.15 s,
// 16 KB 1.9 s, 32 KB 7 s; unwrapped, 64 KB 0.08 s), so a longer text is
// shown unwrapped, scrolling sideways, and the window stays responsive.
const wrapLimit = 8 << 10

// fitWrapping wraps the editor's lines for a text of n bytes, or not (see
// wrapLimit).
func (e *editor) fitWrapping(n int) {
	want := fyne.TextWrapWord
	if n > wrapLimit {
		want = fyne.TextWrapOff
	}
	if e.Wrapping != want {
		e.Wrapping = want
		e.Refresh()
	}
}

// SetText shows text, wrapped when it is short enough to be. The wrapping
// changes while the shorter of the two texts is in the editor, so a long
// text is never laid out wrapped on the way.
func (e *editor) SetText(text string) {
	if len(text) > len(e.Text) {
		e.fitWrapping(len(text))
		e.Entry.SetText(text)
		return
	}
	e.Entry.SetText(text)
	e.fitWrapping(len(text))
}

func newEditor(shortcut func(fyne.Shortcut) bool) *editor {
	e := &editor{shortcut: shortcut}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut runs the window's shortcuts and passes the others on; a
// long paste stops the wrapping first (see wrapLimit).
func (e *editor) TypedShortcut(s fyne.Shortcut) {
	if e.shortcut != nil && e.shortcut(s) {
		return
	}
	if p, ok := s.(*fyne.ShortcutPaste); ok && p.Clipboard != nil {
		text := p.Clipboard.Content()
		if len(e.Text)+len(text) > editLimit && e.longPaste != nil {
			e.longPaste(text)
			return
		}
		e.fitWrapping(len(e.Text) + len(text))
	}
	e.Entry.TypedShortcut(s)
}

func hasText(s string) bool { return strings.TrimSpace(s) != "" }

// onInLane shows the open entry in Memory Lane, where its day in earlier
// years and the entries like it (by meaning or by feeling) are a tap away.
// What the editor holds is saved first.
func (j *journalScreen) onInLane() {
	if j.current == "" {
		return
	}
	j.saveDraft(func() {
		id := j.current
		// through Memory Lane's reads, so that what opening the screen
		// reads shows after the entry
		j.sh.lane.read(func() func() {
			e, err := j.svc.Get(context.Background(), id)
			return func() {
				if err != nil {
					j.showError("Could not open the entry in Memory Lane", err)
					return
				}
				j.sh.onLane()
				j.sh.lane.openEntry(e)
			}
		})
	})
}
