package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/internal/units"
	"github.com/samojournal/samo/journal"
)

// progressEvery is the least time between two progress updates a download
// shows (a phase change shows at once): faster, the numbers flicker past
// unread.
const progressEvery = 300 * time.Millisecond

// modelKinds are the kinds of model the list shows, in its order, with
// their headings and what they are for.
var modelKinds = []struct{ kind, heading, about string }{
	{journal.ModelSpeech, "Speech", "Turns your recordings into words."},
	{journal.ModelEmotion, "Emotions", "Reads the feelings in each entry."},
	{journal.ModelEmbedding, "Search by meaning", "Lets Memory Lane find entries by what they meant, not only their words."},
}

// modelsSection is the part of the settings that lists the models SAMO
// can download, has installed or has built in, by kind, and downloads,
// uses and removes them (through the Service's model manager). One
// download runs at a time, with its progress and a Cancel button.
type modelsSection struct {
	s *settingsScreen
	// status says how the last model action ended, or why there is no
	// list.
	status *widget.Label
	list   *fyne.Container
	// rows are the models shown, by name.
	rows     map[string]*modelRow
	listings []journal.ModelListing

	// dl is the download under way (nil: none); progressBox shows it.
	dl           *modelDownload
	progressBox  *fyne.Container
	progressWhat *widget.Label
	progressBar  *widget.ProgressBar
	progressText *widget.Label
	cancel       *widget.Button

	// offered is set once the speech model has been offered at a
	// recording in this run (the settings keep it for the next runs).
	offered bool
}

// modelRow is one model in the list: what it is, where it stands, and
// what can be done with it.
type modelRow struct {
	listing journal.ModelListing
	title   *widget.Label
	about   *widget.Label
	// action downloads (or resumes) or uses the model; remove deletes a
	// downloaded one. Either may be nil where it does not apply.
	action *widget.Button
	remove *widget.Button
}

// modelDownload is one download: its model and how to stop it.
type modelDownload struct {
	title  string
	cancel context.CancelFunc
	// then, when set, is told how the download ended (on the UI
	// goroutine), after the section has shown it.
	then func(journal.ModelInfo, error)

	mu    sync.Mutex
	last  time.Time
	phase string
}

func newModelsSection(s *settingsScreen) *modelsSection {
	m := &modelsSection{s: s, rows: map[string]*modelRow{}}
	m.status = widget.NewLabel("")
	m.status.Wrapping = fyne.TextWrapWord
	m.status.Hide()
	m.list = container.NewVBox()
	m.progressWhat = bold("")
	m.progressBar = widget.NewProgressBar()
	m.progressText = note("")
	m.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), m.onCancel)
	m.progressBox = container.NewVBox(m.progressWhat,
		container.NewBorder(nil, nil, nil, m.cancel, m.progressBar), m.progressText)
	m.progressBox.Hide()
	return m
}

// content is the section as the Models card shows it.
func (m *modelsSection) content() fyne.CanvasObject {
	return container.NewVBox(bold("Models to download"),
		note("Each runs on this computer; nothing you write or say leaves it. A download needs the internet once."),
		m.progressBox, m.status, m.list)
}

// load lists the models, off the UI goroutine; it returns what shows them.
func (m *modelsSection) load(ctx context.Context) func() {
	list, err := m.s.svc.ListModels(ctx)
	return func() { m.show(list, err) }
}

// show rebuilds the list from the model manager's listing.
func (m *modelsSection) show(list []journal.ModelListing, err error) {
	switch {
	case errors.Is(err, journal.ErrNoModelManager):
		if m.s.svc.Models() != nil { // else the Models card says so already
			m.say("This SAMO was started without its model manager, so no model can be downloaded here.", widget.MediumImportance)
		}
		m.list.RemoveAll()
		return
	case err != nil:
		m.say(fmt.Sprintf("The models could not be listed (%v). Check that the models folder can be read, then open the settings again.", err), widget.DangerImportance)
		return
	}
	m.listings = list
	m.rows = map[string]*modelRow{}
	var objects []fyne.CanvasObject
	for _, k := range modelKinds {
		first := true
		for _, l := range list {
			if l.Kind != k.kind {
				continue
			}
			if first {
				objects = append(objects, widget.NewSeparator(), bold(k.heading), note(k.about))
				first = false
			}
			r := m.newRow(l)
			m.rows[l.Name] = r
			objects = append(objects, r.content())
		}
	}
	m.list.Objects = objects
	m.list.Refresh()
	m.showBusy()
}

func (m *modelsSection) newRow(l journal.ModelListing) *modelRow {
	r := &modelRow{listing: l}
	r.title = widget.NewLabel(rowTitle(l))
	r.title.Wrapping = fyne.TextWrapWord
	r.about = note(l.Description)
	name := l.Name
	switch {
	case !l.Installed && l.Source == "catalog":
		text := "Download"
		if l.Partial > 0 {
			text = "Resume"
		}
		r.action = widget.NewButtonWithIcon(text, theme.DownloadIcon(), func() { m.onDownload(name) })
		r.action.Importance = widget.HighImportance
	case l.Installed && !l.InUse:
		r.action = widget.NewButtonWithIcon("Use", theme.ConfirmIcon(), func() { m.onUse(name) })
	}
	if l.Installed && l.Source == "catalog" {
		r.remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { m.onRemove(name) })
		r.remove.Importance = widget.LowImportance
	}
	return r
}

func (r *modelRow) content() fyne.CanvasObject {
	var buttons []fyne.CanvasObject
	for _, b := range []*widget.Button{r.action, r.remove} {
		if b != nil {
			buttons = append(buttons, b)
		}
	}
	text := container.NewVBox(r.title)
	if r.listing.Description != "" {
		text.Add(r.about)
	}
	return container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(buttons...)), text)
}

// rowTitle is a model's title, size and state: "Whisper base (int8) ·
// 79 MB · 45 % downloaded".
func rowTitle(l journal.ModelListing) string {
	parts := []string{l.Title}
	switch {
	case l.Size > 0:
		parts = append(parts, units.Bytes(l.Size))
	case l.Source == "built-in":
		parts = append(parts, "built in")
	}
	return strings.Join(append(parts, l.State()), " · ")
}

// shortTitle is a model's title without its details: "Whisper base" for
// "Whisper base, multilingual (int8)".
func shortTitle(l journal.ModelListing) string {
	t := l.Title
	if i := strings.IndexAny(t, ",("); i > 0 {
		t = strings.TrimSpace(t[:i])
	}
	if t == "" {
		return l.Name
	}
	return t
}

// aboutBytes is a size as said in passing: "about 80 MB".
func aboutBytes(n int64) string {
	if n >= 20e6 && n < 1e9 {
		n = (n + 5e6) / 10e6 * 10e6
	}
	return "about " + units.Bytes(n)
}

// say shows how the last model action ended.
func (m *modelsSection) say(msg string, importance widget.Importance) {
	m.status.Importance = importance
	m.status.SetText(msg)
	m.status.Show()
}

// reload lists the models again, off the UI goroutine: a model was
// installed from a folder, or its kind's model changed.
func (m *modelsSection) reload() {
	m.s.sh.background(func() func() { return m.load(context.Background()) })
}

// showBusy disables the Download buttons while a download runs.
func (m *modelsSection) showBusy() {
	for _, r := range m.rows {
		if r.action == nil || r.listing.Installed {
			continue
		}
		if m.dl != nil {
			r.action.Disable()
		} else {
			r.action.Enable()
		}
	}
}

func (m *modelsSection) listing(name string) (journal.ModelListing, bool) {
	i := slices.IndexFunc(m.listings, func(l journal.ModelListing) bool { return l.Name == name })
	if i < 0 {
		return journal.ModelListing{}, false
	}
	return m.listings[i], true
}

func (m *modelsSection) onDownload(name string) {
	if l, ok := m.listing(name); ok {
		m.download(l, nil)
	}
}

// download downloads, checks and uses the catalog model l, off the UI
// goroutine, showing its progress; then (when set) is told how it ended.
func (m *modelsSection) download(l journal.ModelListing, then func(journal.ModelInfo, error)) {
	name, title := l.Name, shortTitle(l)
	if m.dl != nil {
		m.say("Downloading "+m.dl.title+": wait for it to finish, or cancel it.", widget.WarningImportance)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &modelDownload{title: title, cancel: cancel, then: then}
	m.dl = d
	m.progressWhat.SetText("Downloading " + l.Title + "…")
	m.progressBar.SetValue(0)
	m.progressText.SetText("Connecting…")
	m.cancel.Enable()
	m.progressBox.Show()
	m.status.Hide()
	m.showBusy()
	sh := m.s.sh
	m.s.sh.background(func() func() {
		info, err := m.s.svc.GetModel(ctx, name, func(p journal.DownloadProgress) {
			if !d.due(p.Phase) {
				return
			}
			fyne.Do(func() {
				sh.shows.Lock()
				defer sh.shows.Unlock()
				m.showProgress(d, p)
			})
		})
		cancelled := err != nil && ctx.Err() != nil
		cancel()
		list, lerr := m.s.svc.ListModels(context.Background())
		return func() {
			m.dl = nil
			m.progressBox.Hide()
			m.show(list, lerr)
			switch {
			case cancelled:
				m.say("The download of "+title+" is cancelled; nothing of it was kept.", widget.WarningImportance)
			case err != nil:
				m.downloadFailed(name, title, err)
			default:
				m.say(title+" is downloaded, checked and in use: "+usedFor(l.Kind), widget.SuccessImportance)
				m.s.modelChanged(l.Kind, info)
			}
			if d.then != nil {
				if cancelled {
					err = context.Canceled
				}
				d.then(info, err)
			}
		}
	})
}

// due says whether a progress report in phase should be shown: a new phase
// always, the same one at most every progressEvery.
func (d *modelDownload) due(phase string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if phase == d.phase && now.Sub(d.last) < progressEvery {
		return false
	}
	d.phase, d.last = phase, now
	return true
}

// showProgress shows a download's progress, unless it has ended.
func (m *modelsSection) showProgress(d *modelDownload, p journal.DownloadProgress) {
	if m.dl != d {
		return
	}
	if p.Total > 0 {
		m.progressBar.SetValue(min(1, float64(p.Done)/float64(p.Total)))
	}
	m.progressText.SetText(p.String())
}

// downloadFailed says why a download failed and what to do, in the
// section and in a dialog.
func (m *modelsSection) downloadFailed(name, title string, err error) {
	advice := "Check the internet connection and the free disk space, then press Download to try again."
	if l, ok := m.listing(name); ok && l.Partial > 0 {
		advice = fmt.Sprintf("What was downloaded (%s) is kept: check the internet connection, then press Resume to go on from there.", units.Bytes(l.Partial))
	}
	m.say(title+" was not downloaded. "+advice, widget.DangerImportance)
	dialog.ShowError(fmt.Errorf("%s was not downloaded: %w\n\n%s", title, err, advice), m.s.window)
}

func (m *modelsSection) onCancel() {
	if m.dl == nil {
		return
	}
	m.cancel.Disable()
	m.progressText.SetText("Stopping…")
	m.dl.cancel()
}

// usedFor says what a model of kind does once in use.
func usedFor(kind string) string {
	switch kind {
	case journal.ModelSpeech:
		return "SAMO transcribes your recordings with it."
	case journal.ModelEmotion:
		return "SAMO reads the feelings in new entries with it."
	case journal.ModelEmbedding:
		return "Memory Lane finds new entries by meaning with it."
	}
	return "SAMO uses it from now on."
}

// onUse makes an installed model the one in use.
func (m *modelsSection) onUse(name string) {
	l, _ := m.listing(name)
	title := shortTitle(l)
	m.s.run("Checking "+title+" and switching to it…", true, func(ctx context.Context, _ func(int, int)) func() {
		info, err := m.s.svc.UseModel(ctx, name)
		list, lerr := m.s.svc.ListModels(context.Background())
		return func() {
			m.show(list, lerr)
			if err != nil {
				m.say(title+" is not in use; the model in use before stays.", widget.DangerImportance)
				m.s.fail(title+" could not be used (download it again if it is damaged)", err)
				return
			}
			m.say(title+" is in use: "+usedFor(l.Kind), widget.SuccessImportance)
			m.s.modelChanged(l.Kind, info)
		}
	})
}

// onRemove asks before deleting a downloaded model.
func (m *modelsSection) onRemove(name string) {
	l, _ := m.listing(name)
	title := shortTitle(l)
	msg := title + " (" + units.Bytes(l.Size) + ") is deleted from this computer; you can download it again."
	if l.InUse {
		switch l.Kind {
		case journal.ModelSpeech:
			msg += " It is in use: recordings are then kept without words, waiting for a speech model."
		default:
			msg += " It is in use: SAMO goes back to its built-in model."
		}
	}
	dialog.ShowCustomConfirm("Remove "+title+"?", "Remove", "Keep it", note(msg), func(yes bool) {
		if yes {
			m.remove(name, title, l.InUse)
		}
	}, m.s.window)
}

func (m *modelsSection) remove(name, title string, inUse bool) {
	m.s.run("Removing "+title+"…", false, func(ctx context.Context, _ func(int, int)) func() {
		err := m.s.svc.RemoveModel(ctx, name)
		list, lerr := m.s.svc.ListModels(context.Background())
		return func() {
			m.show(list, lerr)
			if err != nil {
				m.say(title+" was not removed.", widget.DangerImportance)
				m.s.fail(title+" was not removed", err)
				return
			}
			m.say(title+" is removed.", widget.SuccessImportance)
			if inUse {
				m.s.load() // the model in use now, the recordings waiting
			}
		}
	})
}

// ---- the offer at the first recording

// offerSpeech offers, once ever, to download a speech model when a
// recording starts and none is installed: the recording goes on and waits
// for it. The check runs off the UI goroutine.
func (m *modelsSection) offerSpeech() {
	if m.offered || m.s.svc.Models() == nil {
		return // a SAMO without its models cannot download one
	}
	m.offered = true
	m.s.sh.background(func() func() {
		if st, err := m.s.svc.Settings(); err != nil || st.SpeechDownloadOffered {
			return nil
		}
		list, err := m.s.svc.ListModels(context.Background())
		if err != nil {
			return nil
		}
		pick, ok := speechToOffer(list)
		if !ok {
			return nil
		}
		return func() { m.showOffer(pick) }
	})
}

// speechToOffer picks the speech model to offer, when none is installed:
// the int8 Whisper base if the catalog has it (small, and good enough for
// a journal), else a base, else the smallest.
func speechToOffer(list []journal.ModelListing) (journal.ModelListing, bool) {
	var speech []journal.ModelListing
	for _, l := range list {
		if l.Kind != journal.ModelSpeech {
			continue
		}
		if l.Installed {
			return journal.ModelListing{}, false
		}
		if l.Source == "catalog" && l.Size > 0 {
			speech = append(speech, l)
		}
	}
	if len(speech) == 0 {
		return journal.ModelListing{}, false
	}
	rank := func(l journal.ModelListing) int {
		base := strings.Contains(l.Name, "base")
		small := l.Quantized || strings.Contains(l.Name, "int8")
		switch {
		case base && small:
			return 0
		case base:
			return 1
		case small:
			return 2
		}
		return 3
	}
	return slices.MinFunc(speech, func(a, b journal.ModelListing) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Size, b.Size))
	}), true
}

// showOffer asks whether to download l; either answer is kept, so that it
// is not asked again.
func (m *modelsSection) showOffer(l journal.ModelListing) {
	title := shortTitle(l)
	text := container.NewVBox(
		widget.NewLabel("Recordings wait for a speech model. Download "+title+" ("+aboutBytes(l.Size)+")?"),
		note("Your recording goes on meanwhile; it is transcribed once the model is in."),
		note("Settings › Models shows the download, and the other models."))
	d := dialog.NewCustomConfirm("Turn recordings into words?", "Download", "Not now", text, func(yes bool) {
		m.keepOffered()
		if !yes {
			m.s.sh.journal.status.SetText("Recordings are kept and wait for a speech model; Settings › Models downloads one.")
			return
		}
		m.s.sh.journal.status.SetText("Downloading " + title + "; Settings › Models shows how far it is.")
		m.download(l, func(_ journal.ModelInfo, err error) {
			switch {
			case errors.Is(err, context.Canceled):
				m.s.sh.journal.status.SetText("The download of " + title + " was cancelled; recordings wait for a speech model.")
			case err != nil:
				m.s.sh.journal.status.SetText(title + " was not downloaded; Settings › Models says why.")
			default:
				m.s.sh.journal.status.SetText(title + " is in use: new recordings are transcribed, and Settings transcribes the waiting ones.")
			}
		})
	}, m.s.window)
	d.Show()
}

// keepOffered records in the settings that the speech model was offered,
// off the UI goroutine; a journal without a settings file remembers it
// for this run only.
func (m *modelsSection) keepOffered() {
	m.s.sh.background(func() func() {
		err := m.s.svc.ChangeSettings(func(st *journal.Settings) { st.SpeechDownloadOffered = true })
		if err != nil && !errors.Is(err, journal.ErrNoSettings) {
			return func() {
				m.s.sh.journal.showError("SAMO could not note that it offered the speech model, and may offer it again", err)
			}
		}
		return nil
	})
}
