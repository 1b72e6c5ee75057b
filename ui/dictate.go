package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// dictateShortcut starts and stops a dictation into the editor.
var dictateShortcut = shortcut(fyne.KeyD)

// dictation puts speech into the editor at its cursor while it is spoken:
// each word the speech model settles on is inserted for good, the words
// still being heard show greyed in the bar under the editor until they
// settle. Its recording is made as Record makes them (on disk as it is
// spoken) and is kept with the entry it went into, with the words' times: stopping pauses it, a second dictation into the same entry goes
// on with it, and saving the entry saves it.
type dictation struct {
	j      *journalScreen
	button *widget.Button
	bar    *fyne.Container
	words  *liveText
	state  *widget.Label

	// take is the recording of the new entry's dictations (nil: none);
	// live reads the words while one runs; offset is where in take the
	// running one started; inserted is what it has put in the editor.
	take     Take
	live     *liveWords
	offset   time.Duration
	inserted string
	// parts are the transcripts of the dictations finished, their times in
	// take.
	parts []*journal.Transcript
	// feed passes take's audio to the dictation listening.
	feed audioFeed
	// busy is set while a dictation starts or finishes; whenIdle runs once
	// it has finished.
	busy     bool
	whenIdle []func()
	// every is how often the words are read (0: when asked, tests).
	every time.Duration
	// offer is the speech model's offer, when one was shown.
	offer dialog.Dialog
}

func newDictation(j *journalScreen) *dictation {
	d := &dictation{j: j, every: liveEvery}
	d.button = widget.NewButtonWithIcon("Dictate", theme.MediaRecordIcon(), d.onDictate)
	if j.voice == nil {
		d.button.Hide()
	}
	d.state = widget.NewLabelWithStyle("Listening…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.words = newLiveText()
	d.bar = container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.MediaRecordIcon()), d.state), nil, d.words)
	d.bar.Hide()
	return d
}

func (d *dictation) listening() bool { return d.live != nil }

// pending reports whether a recording waits to be saved with the editor's
// new entry.
func (d *dictation) pending() bool { return d != nil && d.take != nil }

// onDictate starts a dictation into the editor, or stops the one running.
// A dictation goes into the entry in the editor, and its recording is kept
// with it; an entry that has a recording already keeps it, and the
// dictation goes into a new entry (what the open one holds is saved
// first).
func (d *dictation) onDictate() {
	j := d.j
	switch {
	case j.voice == nil || d.busy || j.recorder.take != nil || j.recorder.saving:
		return
	case d.live != nil:
		d.stopListening(nil)
		return
	case j.current != "" && j.recorded && d.take == nil:
		j.saveDraft(func() {
			if j.saving != nil || d.busy || d.live != nil {
				return
			}
			j.list.UnselectAll()
			j.startNew()
			j.status.SetText("That entry has its recording already: dictating into a new entry, which keeps this one.")
			d.begin()
		})
		return
	}
	d.begin()
}

// begin looks up the speech model off the UI goroutine, then listens;
// without one it offers the model manager instead.
func (d *dictation) begin() {
	into := d.j.current
	d.busy = true
	d.button.Disable()
	d.j.sh.background(func() func() {
		dict, err := d.j.svc.NewDictation(context.Background())
		return func() {
			d.busy = false
			d.button.Enable()
			switch {
			case errors.Is(err, journal.ErrNoSpeechModel):
				d.offerModel()
			case err != nil:
				d.j.showError("Could not start dictating", err)
			case d.j.current != into:
				// another entry was opened meanwhile: dictate nothing into it
			default:
				d.listen(dict)
			}
		}
	})
}

// listen records (or resumes the entry's recording) and reads the words.
func (d *dictation) listen(dict *journal.Dictation) {
	j := d.j
	live := newLiveWords(d.every, d.show, d.failed)
	if d.take == nil {
		d.feed.set(nil)
		take, err := j.voice.Record(j.sh.microphone, func(float32, time.Duration) {}, d.feed.write)
		if err != nil {
			j.showError("Could not start recording", err)
			return
		}
		d.take, d.offset, d.parts = take, 0, nil
		go func() {
			<-take.Done()
			fyne.Do(func() {
				if d.take == take && d.live != nil {
					d.stopListening(nil) // its length limit, or the microphone went
				}
			})
		}()
	} else {
		d.offset = d.take.Length()
	}
	d.feed.set(live.write)
	d.take.Resume()
	d.live, d.inserted = live, ""
	live.attach(dict)
	d.state.SetText("Listening…")
	d.words.set("", "")
	d.bar.Show()
	d.button.SetText("Stop dictating")
	d.button.SetIcon(theme.MediaStopIcon())
	j.refreshButtons()
	j.window.Canvas().Focus(j.editor)
}

// show inserts the words just committed at the cursor and shows the
// partial ones greyed.
func (d *dictation) show(t journal.DictationText) {
	if d.live == nil && !d.busy {
		return
	}
	if strings.HasPrefix(t.Committed, d.inserted) {
		if fresh := t.Committed[len(d.inserted):]; strings.TrimSpace(fresh) != "" {
			d.j.insertAtCursor(fresh)
		}
		d.inserted = t.Committed
	}
	d.words.set("", t.Partial)
}

// failed says once what went wrong while reading the words.
func (d *dictation) failed(err error) {
	if errors.Is(err, journal.ErrNoSpeechModel) {
		d.j.status.SetText("Dictation needs a speech model; Settings › Models downloads one.")
		return
	}
	d.j.svc.Notices().Notify(fmt.Sprintf("Dictation could not read some words (%v); the recording keeps them.", err))
}

// stopListening pauses the recording, reads the last words into the
// editor, and then runs then (when not nil).
func (d *dictation) stopListening(then func()) {
	live := d.live
	if live == nil {
		if then != nil {
			then()
		}
		return
	}
	d.live, d.busy = nil, true
	d.take.Pause()
	d.state.SetText("Finishing the last words…")
	d.button.Disable()
	offset := d.offset
	d.j.sh.background(func() func() {
		_, err := live.finish(context.Background()) // shows the last words
		tr := live.dictation().Transcript()
		return func() {
			d.busy = false
			d.parts = append(d.parts, shifted(tr, offset))
			d.words.set("", "")
			d.bar.Hide()
			d.button.Enable()
			d.button.SetText("Dictate")
			d.button.SetIcon(theme.MediaRecordIcon())
			if err != nil && !errors.Is(err, journal.ErrNoSpeechModel) {
				d.j.svc.Notices().Notify(fmt.Sprintf("The last words could not be read (%v); the recording keeps them.", err))
			}
			d.j.refreshButtons()
			if then != nil {
				then()
			}
			waiting := d.whenIdle
			d.whenIdle = nil
			for _, f := range waiting {
				f()
			}
		}
	})
}

// audioFeed passes a recording's audio on to whichever dictation listens.
type audioFeed struct {
	mu sync.Mutex
	to func([]float32)
}

func (f *audioFeed) set(to func([]float32)) {
	f.mu.Lock()
	f.to = to
	f.mu.Unlock()
}

func (f *audioFeed) write(samples []float32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.to != nil {
		f.to(samples)
	}
}

// saved forgets the recording saved with the entry.
func (d *dictation) saved() { d.take, d.parts = nil, nil }

// shifted moves a transcript's times by offset (a dictation resumed later
// in the recording).
func shifted(t *journal.Transcript, offset time.Duration) *journal.Transcript {
	if t == nil || offset == 0 {
		return t
	}
	out := *t
	out.Segments = make([]journal.Segment, len(t.Segments))
	for i, s := range t.Segments {
		s.Start += offset
		s.End += offset
		words := make([]journal.Word, len(s.Words))
		for k, w := range s.Words {
			w.Start += offset
			w.End += offset
			words[k] = w
		}
		s.Words = words
		out.Segments[i] = s
	}
	return &out
}

// joinedTranscripts is the dictations' transcripts as one.
func joinedTranscripts(parts []*journal.Transcript) *journal.Transcript {
	out := &journal.Transcript{}
	for _, p := range parts {
		if p == nil {
			continue
		}
		if out.Model == "" {
			out.Language, out.Model = p.Language, p.Model
		}
		out.Segments = append(out.Segments, p.Segments...)
	}
	return out
}

// storeSpoken saves text with the dictations' recording and their
// transcript, off the UI goroutine: as a new entry (id ""), or as entry
// id's text with the recording kept with it. A recording that holds
// nothing is dropped and the text saved alone.
func (j *journalScreen) storeSpoken(ctx context.Context, id string, take Take, parts []*journal.Transcript, text string) (journal.Entry, error) {
	st, err := take.Stop(ctx)
	for _, w := range st.Warnings {
		j.svc.Notices().Notify(w)
	}
	if errors.Is(err, ErrNothingRecorded) {
		take.Discard()
		return j.store(ctx, id, text)
	}
	if err != nil {
		return journal.Entry{}, err
	}
	f := st.File
	f.Transcript, f.Text = joinedTranscripts(parts), text
	if id != "" {
		return j.svc.AttachRecording(ctx, id, f)
	}
	e, _, err := j.svc.SaveRecording(ctx, f, nil)
	return e, err
}

// insertAtCursor puts words at the editor's cursor (over its selection, as
// typing does), with a space on either side where the text needs one, and
// leaves the cursor after them.
func (j *journalScreen) insertAtCursor(words string) {
	e := j.editor
	if e.Disabled() {
		return
	}
	text := []rune(e.Text)
	pos := min(max(e.CursorTextOffset(), 0), len(text))
	words = strings.TrimLeft(words, " ")
	if words == "" {
		return
	}
	if pos > 0 && !unicode.IsSpace(text[pos-1]) {
		words = " " + words
	}
	if pos < len(text) && !unicode.IsSpace(text[pos]) && !unicode.IsPunct(text[pos]) {
		words += " "
	}
	e.Entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: textClipboard(words)})
}

// textClipboard is a clipboard holding one text, for inserting it as a
// paste does.
type textClipboard string

func (c textClipboard) Content() string   { return string(c) }
func (c textClipboard) SetContent(string) {}

// offerModel offers, in place of a dictation, the speech model it needs:
// the suggested one's download, or Settings › Models.
func (d *dictation) offerModel() {
	j := d.j
	if j.svc.Models() == nil {
		d.offer = dialog.NewInformation("Dictation needs a speech model",
			"This SAMO cannot download models. `samo models get` downloads one; `samo models` lists them.", j.window)
		d.offer.Show()
		return
	}
	j.sh.background(func() func() {
		list, err := j.svc.ListModels(context.Background())
		pick, ok := speechToOffer(list)
		return func() {
			if err != nil {
				j.showError("Dictation needs a speech model, and the models could not be listed", err)
				return
			}
			openModels := func() {
				j.sh.onSettings()
				j.status.SetText("Dictation needs a speech model: Settings › Models downloads one.")
			}
			if !ok {
				d.offer = dialog.NewCustomConfirm("Dictation needs a speech model", "Open Settings › Models", "Not now",
					widget.NewLabel("Choose a speech model in Settings › Models, then dictate."), func(yes bool) {
						if yes {
							openModels()
						}
					}, j.window)
				d.offer.Show()
				return
			}
			title := shortTitle(pick)
			text := container.NewVBox(
				widget.NewLabel("Dictation turns your speech into words on this computer. Download "+title+" ("+aboutBytes(pick.Size)+")?"),
				note("Settings › Models shows the download, and the other models."))
			d.offer = dialog.NewCustomConfirm("Dictation needs a speech model", "Download", "Settings › Models", text, func(yes bool) {
				if !yes {
					openModels()
					return
				}
				j.status.SetText("Downloading " + title + "; Settings › Models shows how far it is.")
				j.sh.settings.models.download(pick, func(_ journal.ModelInfo, err error) {
					switch {
					case errors.Is(err, context.Canceled):
						j.status.SetText("The download of " + title + " was cancelled.")
					case err != nil:
						j.status.SetText(title + " was not downloaded; Settings › Models says why.")
					default:
						j.status.SetText(title + " is in use: press Dictate (Ctrl+D) and speak.")
					}
				})
			}, j.window)
			d.offer.Show()
		}
	})
}
