package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
)

// Voice records spoken entries for the window. NewMicrophone is the real
// one (the audio package); tests use one in memory.
type Voice interface {
	// Devices lists the names of the microphones that can record.
	Devices() ([]string, error)
	// Record starts a recording from the named microphone ("" the
	// default one). level is called about 20 times a second, from another
	// goroutine, with the last 50 ms's peak in [0,1] and the length so far;
	// audio (when not nil) gets the samples as they are kept (16 kHz mono,
	// for the words read while speaking), from another goroutine: it must
	// copy what it keeps.
	Record(device string, level func(peak float32, elapsed time.Duration), audio func([]float32)) (Take, error)
	// Unfinished returns recordings left behind when SAMO stopped while
	// recording, already stopped, to be saved or discarded.
	Unfinished() ([]Take, error)
	// Play plays an entry's recording (as stored: WAV bytes) from the
	// moment from until it ends or ctx is cancelled.
	Play(ctx context.Context, recording []byte, from time.Duration) error
}

// Take is one recording.
type Take interface {
	Pause()
	Resume()
	// Length is the audio kept so far.
	Length() time.Duration
	// Done is closed when the recording ends by itself: at its maximum
	// length, or when the microphone fails or goes away. The window then
	// saves what was recorded.
	Done() <-chan struct{}
	// Stop ends the recording and returns its file, for
	// journal.Service.SaveRecording (which removes it once the journal
	// holds it). It is called off the UI goroutine. A recording that holds
	// no audio is ErrNothingRecorded.
	Stop(ctx context.Context) (Stopped, error)
	// Discard stops the recording if needed and deletes it.
	Discard() error
}

// Stopped is a finished recording.
type Stopped struct {
	// File is the recording on disk, with when it started.
	File journal.RecordingFile
	// Warnings say what went wrong while recording without costing what
	// was recorded (a microphone unplugged, audio lost to a busy
	// computer); the window shows them as notices.
	Warnings []string
}

// ErrNothingRecorded is what a Take's Stop returns when it holds no audio
// (stopped as soon as it started): the window drops it quietly.
var ErrNothingRecorded = errors.New("ui: nothing was recorded")

// recorderPanel is shown instead of the editor while a recording runs.
type recorderPanel struct {
	j       *journalScreen
	take    Take
	clock   *widget.Label
	meter   *levelMeter
	pause   *widget.Button
	stop    *widget.Button
	discard *widget.Button
	note    *widget.Label
	working *widget.ProgressBar
	content fyne.CanvasObject
	// stoppedByItself is set when the take ended at its length limit or
	// because the microphone failed, for the message after saving.
	stoppedByItself bool
	// saving is set while a stopped take is being saved: no new recording
	// starts until the panel is done with it.
	saving bool
	// words shows the words read while speaking (when a speech model is
	// installed); liveEvery is how often they are read (0: when asked).
	words     *liveText
	liveEvery time.Duration
}

// liveTake is a take whose words are read while it is made: saving it
// finishes the reading instead of transcribing the recording again.
type liveTake struct {
	Take
	live *liveWords
}

// liveShown is how much of the live text the panel shows: its end (a
// wrapped text lays out in time that grows with its square).
const liveShown = 600

func newRecorderPanel(j *journalScreen) *recorderPanel {
	p := &recorderPanel{j: j, liveEvery: liveEvery}
	title := widget.NewLabelWithStyle("Recording", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	p.clock = widget.NewLabelWithStyle("00:00", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	p.clock.SizeName = theme.SizeNameHeadingText
	p.meter = newLevelMeter()
	p.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), p.onPause)
	p.stop = widget.NewButtonWithIcon("Stop and save", theme.MediaStopIcon(), p.onStop)
	p.stop.Importance = widget.HighImportance
	p.discard = widget.NewButtonWithIcon("Discard", theme.DeleteIcon(), p.onDiscard)
	p.discard.Importance = widget.LowImportance
	p.note = widget.NewLabel("Speak freely. The recording is saved on this computer as you speak.")
	p.note.Alignment = fyne.TextAlignCenter
	p.note.Wrapping = fyne.TextWrapWord
	p.note.Importance = widget.LowImportance
	p.working = widget.NewProgressBar()
	p.working.Hide()
	p.words = newLiveText()
	p.words.Hide()
	p.content = container.NewBorder(container.NewCenter(container.NewVBox(
		title, p.clock, container.NewGridWrap(fyne.NewSize(360, 28), p.meter),
		container.NewHBox(p.discard, p.pause, p.stop), p.note, p.working)), nil, nil, nil,
		container.NewVScroll(container.NewPadded(p.words)))
	return p
}

func (p *recorderPanel) start() {
	var lt *liveTake
	live := newLiveWords(p.liveEvery, func(t journal.DictationText) {
		if p.take == lt || p.saving {
			p.showWords(t)
		}
	}, func(err error) {
		if !errors.Is(err, journal.ErrNoSpeechModel) {
			p.j.svc.Notices().Notify(fmt.Sprintf("The words could not be read while you spoke (%v); the recording is transcribed when you stop.", err))
		}
	})
	take, err := p.j.voice.Record(p.j.sh.microphone, func(peak float32, elapsed time.Duration) {
		fyne.Do(func() { p.show(peak, elapsed) })
	}, live.write)
	if err != nil {
		p.j.showError("Could not start recording", err)
		return
	}
	lt = &liveTake{Take: take, live: live}
	p.take = lt
	p.words.set("", "")
	p.words.Hide()
	// the speech model is looked up off the UI goroutine; this touches no
	// widget (the words show through live)
	go func() {
		d, err := p.j.svc.NewDictation(context.Background())
		if err != nil {
			live.drop() // no speech model: the recording waits for one, as before
			return
		}
		live.attach(d)
	}()
	p.pause.SetText("Pause")
	p.pause.SetIcon(theme.MediaPauseIcon())
	for _, b := range []*widget.Button{p.pause, p.stop, p.discard} {
		b.Enable()
	}
	p.show(0, 0)
	p.j.showRecorder(true)
	go func() {
		<-take.Done()
		fyne.Do(func() {
			if p.take == Take(lt) {
				p.stoppedByItself = true
				p.onStop()
			}
		})
	}()
}

// showWords shows the words read so far: the end of the committed text,
// and the partial words greyed after it.
func (p *recorderPanel) showWords(t journal.DictationText) {
	committed := t.Committed
	if len(committed)+len(t.Partial) > liveShown {
		cut := max(0, len(committed)+len(t.Partial)-liveShown)
		if cut < len(committed) {
			if i := strings.IndexByte(committed[cut:], ' '); i >= 0 {
				cut += i
			}
			committed = "…" + committed[min(cut, len(committed)):]
		}
	}
	p.words.set(committed, t.Partial)
	p.words.Show()
}

func (p *recorderPanel) show(peak float32, elapsed time.Duration) {
	s := int(elapsed.Seconds())
	p.clock.SetText(fmt.Sprintf("%02d:%02d", s/60, s%60))
	p.meter.set(peak)
}

func (p *recorderPanel) onPause() {
	if p.take == nil {
		return
	}
	if p.pause.Text == "Pause" {
		p.take.Pause()
		p.pause.SetText("Resume")
		p.pause.SetIcon(theme.MediaRecordIcon())
		p.meter.set(0)
		p.note.SetText("Paused. Nothing is recorded until you resume.")
		return
	}
	p.take.Resume()
	p.pause.SetText("Pause")
	p.pause.SetIcon(theme.MediaPauseIcon())
	p.note.SetText("Speak freely. The recording is saved on this computer as you speak.")
}

func (p *recorderPanel) onStop() {
	if p.take == nil {
		return
	}
	take := p.take
	p.take = nil
	for _, b := range []*widget.Button{p.pause, p.stop, p.discard} {
		b.Disable()
	}
	p.note.SetText("Saving… (transcribing when a speech model is installed)")
	p.working.SetValue(0)
	p.working.Show()
	p.saving = true
	p.j.saveTake(take, func() {
		p.saving = false
		p.j.showRecorder(false)
		p.working.Hide()
		p.note.SetText("Speak freely. The recording is saved on this computer as you speak.")
		if p.j.closeAfterSave {
			p.j.sh.close()
		}
	})
}

func (p *recorderPanel) onDiscard() {
	if p.take == nil {
		return
	}
	dialog.ShowConfirm("Discard this recording?", "It has not been saved to your journal and will be deleted.", func(yes bool) {
		if !yes || p.take == nil {
			return
		}
		if lt, ok := p.take.(*liveTake); ok {
			lt.live.halt()
		}
		if err := p.take.Discard(); err != nil {
			p.j.showError("The recording was not deleted", err)
		}
		p.take = nil
		p.j.showRecorder(false)
		p.j.status.SetText("Recording discarded.")
	}, p.j.window)
}

// saveTake stops a take and saves it as an entry, off the UI goroutine, then
// shows the entry. If saving fails the recording's file stays, and the next
// start offers it again: nothing spoken is lost.
func (j *journalScreen) saveTake(take Take, done func()) { j.saveTakes([]Take{take}, done) }

// saveTakes saves takes one after another on one goroutine, showing each
// result as it comes; done runs on the UI goroutine after the last.
func (j *journalScreen) saveTakes(takes []Take, done func()) {
	j.status.SetText("Saving the recording…")
	j.saveNext(takes, done)
}

func (j *journalScreen) saveNext(takes []Take, done func()) {
	if len(takes) == 0 {
		return
	}
	take, rest := takes[0], takes[1:]
	j.sh.background(func() func() {
		show := j.saveOne(take, len(rest) == 0, done)
		return func() {
			show()
			j.saveNext(rest, done)
		}
	})
}

// saveOne stops take and saves it, off the UI goroutine, and returns what
// shows the result; done (when last) runs first.
func (j *journalScreen) saveOne(take Take, last bool, done func()) func() {
	ctx := context.Background()
	st, err := take.Stop(ctx)
	for _, w := range st.Warnings {
		j.svc.Notices().Notify(w)
	}
	if lt, ok := take.(*liveTake); ok && err == nil {
		// the words read while speaking: only the last ones are read now
		st.File.Transcript = lt.live.transcript(ctx, take.Length())
	} else if ok {
		lt.live.halt()
	}
	var e journal.Entry
	if err == nil {
		e, _, err = j.svc.SaveRecording(ctx, st.File, func(done, total int) {
			if total > 0 {
				fyne.Do(func() { j.recorder.working.SetValue(float64(done) / float64(total)) })
			}
		})
	}
	empty := errors.Is(err, ErrNothingRecorded)
	if empty {
		take.Discard()
	}
	return func() {
		if last && done != nil {
			done()
		}
		if empty {
			j.status.SetText("Nothing was recorded.")
			return
		}
		if err != nil {
			j.showError("The recording was not saved (it is kept and offered again when SAMO starts)", err)
			return
		}
		j.reload()
		if !j.dirty() {
			j.showEntry(e)
		}
		msg := "Recording saved and transcribed."
		switch {
		case e.AwaitingTranscript():
			msg = "Recording saved. It will be transcribed when a speech model is installed."
		case e.NoSpeechHeard():
			msg = "Recording saved. No speech was heard in it."
		}
		if j.recorder.stoppedByItself {
			j.recorder.stoppedByItself = false
			msg = "The recording stopped by itself (its length limit, or the microphone went away). " + msg
		}
		j.status.SetText(msg)
	}
}

// offerUnfinished asks whether to save recordings a crash left behind.
func (j *journalScreen) offerUnfinished() {
	if j.voice == nil {
		return
	}
	takes, err := j.voice.Unfinished()
	if err != nil || len(takes) == 0 {
		return
	}
	var total time.Duration
	for _, t := range takes {
		total += t.Length()
	}
	msg := fmt.Sprintf("SAMO closed while recording, and %d %s (%s in all) %s not saved to your journal yet.",
		len(takes), journal.Plural(len(takes), "recording", "recordings"), total.Round(time.Second), journal.Plural(len(takes), "was", "were"))
	d := dialog.NewCustomConfirm("A recording was not saved", "Save to journal", "Discard", widget.NewLabel(msg), func(save bool) {
		if save {
			j.saveTakes(takes, nil)
			return
		}
		for _, t := range takes {
			if err := t.Discard(); err != nil {
				j.showError("The recording was not deleted", err)
			}
		}
	}, j.window)
	j.offer = d
	d.Show()
}

// showRecorder swaps the editor for the recording panel and back.
func (j *journalScreen) showRecorder(on bool) {
	if on {
		j.editorArea.Hide()
		j.recorder.content.Show()
		j.record.Disable()
		return
	}
	j.recorder.content.Hide()
	j.editorArea.Show()
	j.record.Enable()
}

// onRecordKey starts a recording, or stops and saves the one running.
func (j *journalScreen) onRecordKey() {
	if j.voice == nil {
		return
	}
	if j.recorder.take != nil {
		j.recorder.onStop()
		return
	}
	j.onRecord()
}

func (j *journalScreen) onRecord() {
	if j.voice == nil || j.recorder.take != nil || j.recorder.saving {
		return
	}
	j.saveDraft(func() {
		if j.recorder.take == nil && !j.recorder.saving {
			j.recorder.start()
			if j.recorder.take != nil {
				j.sh.settings.models.offerSpeech()
			}
		}
	})
}

// levelMeter is a horizontal bar showing the microphone's level.
type levelMeter struct {
	widget.BaseWidget
	level float32
	back  *canvas.Rectangle
	fill  *canvas.Rectangle
}

func newLevelMeter() *levelMeter {
	m := &levelMeter{
		back: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		// the joy hue of the palette: a warm, visible bar
		fill: canvas.NewRectangle(color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}),
	}
	m.back.CornerRadius, m.fill.CornerRadius = 4, 4
	m.ExtendBaseWidget(m)
	return m
}

func (m *levelMeter) set(level float32) {
	m.level = min(max(level, 0), 1)
	m.Refresh()
}

func (m *levelMeter) CreateRenderer() fyne.WidgetRenderer {
	return &meterRenderer{m: m}
}

type meterRenderer struct{ m *levelMeter }

func (r *meterRenderer) Layout(s fyne.Size) {
	r.m.back.Resize(s)
	r.m.fill.Resize(fyne.NewSize(s.Width*r.m.level, s.Height))
}
func (r *meterRenderer) MinSize() fyne.Size { return fyne.NewSize(120, 16) }
func (r *meterRenderer) Refresh() {
	r.m.back.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.Layout(r.m.Size())
	canvas.Refresh(r.m.back)
	canvas.Refresh(r.m.fill)
}
func (r *meterRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.m.back, r.m.fill} }
func (r *meterRenderer) Destroy()                     {}

// onPlay plays the open entry's recording (from the moment marked, if
// any), or stops the one playing.
func (j *journalScreen) onPlay() {
	if j.voice == nil || j.current == "" {
		return
	}
	j.moments.onPlay()
}

// onPlaying shows the Play button as Stop while the recording plays.
func (j *journalScreen) onPlaying(on bool) {
	if on {
		j.play.SetText("Stop")
		j.play.SetIcon(theme.MediaStopIcon())
		return
	}
	j.play.SetText("Play")
	j.play.SetIcon(theme.MediaPlayIcon())
}

// showPlay shows the Play button for an entry with a recording, with its
// words and how it felt, and stops any playback of another entry.
func (j *journalScreen) showPlay(e journal.Entry) {
	if e.ID == "" {
		j.moments.show(nil)
	} else {
		j.moments.show(&e)
	}
	if j.moments.content.Visible() {
		j.momentsBox.Show()
	} else {
		j.momentsBox.Hide()
	}
	if j.voice != nil && e.Audio != nil {
		j.play.Show()
	} else {
		j.play.Hide()
	}
}
