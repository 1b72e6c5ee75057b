package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
)

// micTestLength is how long the microphone test listens.
const micTestLength = 3 * time.Second

// The choices of the settings screen, as shown and as kept in
// journal.Settings.
var (
	defaultMicrophone = "Default microphone"
	providers         = []string{"auto", "cpu", "cuda", "coreml", "directml"}
	themeChoices      = []string{"Light", "Dark", "Follow the system"}
	themeNames        = map[string]string{"Light": themeLight, "Dark": themeDark, "Follow the system": themeSystem}
	exportFormats     = []string{transfer.FormatJSON, transfer.FormatMarkdown, transfer.FormatCSV}
	exportExtensions  = map[string]string{transfer.FormatJSON: ".json", transfer.FormatMarkdown: ".md", transfer.FormatCSV: ".csv"}
)

// settingsScreen is where the person changes how SAMO works and handles
// their journal's data as a whole. Every action runs off the UI goroutine,
// one at a time, with its progress shown above the settings.
type settingsScreen struct {
	// whole is the dialog covering the window while work that holds the
	// whole journal runs (see runWhole).
	whole dialog.Dialog
	// canTranscribe is set while a speech model is installed: only then
	// are the waiting recordings offered for transcription.
	canTranscribe bool
	sh            *shell
	app           fyne.App
	window        fyne.Window
	svc           *journal.Service
	opener        journal.Opener
	voice         Voice

	content fyne.CanvasObject
	// task cancels the action under way (nil: none), taskWhat says what
	// it does; taskBox shows it.
	task       context.CancelFunc
	taskWhat   string
	taskBox    *fyne.Container
	taskLabel  *widget.Label
	taskBar    *widget.ProgressBar
	taskWait   *widget.ProgressBarInfinite
	taskCancel *widget.Button
	// message says how the last action ended.
	message *widget.Label
	loading bool

	folder *widget.Label

	encryption *widget.Label
	encrypt    *widget.Button
	changePass *widget.Button
	decrypt    *widget.Button
	passForm   *passphraseForm

	mic        *widget.Select
	micTest    *widget.Button
	micMeter   *levelMeter
	micNote    *widget.Label
	micTestFor time.Duration

	provider *widget.Select
	theme    *widget.RadioGroup

	modelsNote     *widget.Label
	emotionInfo    *widget.Label
	installEmotion *widget.Button
	quantized      *widget.Check
	builtInEmotion *widget.Button
	reread         *widget.Button
	speechInfo     *widget.Label
	installSpeech  *widget.Button
	removeSpeech   *widget.Button
	transcribe     *widget.Button
	meaning        *meaningSection
	personal       *personalSection
	models         *modelsSection

	format     *widget.Select
	export     *widget.Button
	importData *widget.Button
	backup     *widget.Button
	restore    *widget.Button
}

func newSettingsScreen(sh *shell) *settingsScreen {
	s := &settingsScreen{sh: sh, app: sh.app, window: sh.window, svc: sh.svc, opener: sh.opener, voice: sh.opts.voice, micTestFor: micTestLength}

	s.taskLabel = widget.NewLabel("")
	s.taskBar = widget.NewProgressBar()
	s.taskWait = widget.NewProgressBarInfinite()
	s.taskCancel = widget.NewButton("Cancel", s.onCancel)
	s.taskBox = container.NewVBox(s.taskLabel, container.NewBorder(nil, nil, nil, s.taskCancel, container.NewStack(s.taskBar, s.taskWait)))
	s.taskBox.Hide()
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord

	s.folder = widget.NewLabel(s.opener.Path())
	s.folder.Selectable = true
	s.folder.Wrapping = fyne.TextWrapBreak

	s.encryption = note("")
	s.encryption.Importance = widget.MediumImportance
	s.encrypt = widget.NewButton("Encrypt…", s.onEncrypt)
	s.changePass = widget.NewButton("Change passphrase…", s.onChangePassphrase)
	s.decrypt = widget.NewButton("Remove encryption…", s.onDecrypt)
	s.decrypt.Importance = widget.LowImportance
	s.showEncryption()

	s.mic = widget.NewSelect([]string{defaultMicrophone}, s.onMicrophone)
	s.mic.Selected = micChoice(sh.microphone)
	s.micTest = widget.NewButtonWithIcon("Test", theme.MediaRecordIcon(), s.onTestMicrophone)
	s.micMeter = newLevelMeter()
	s.micNote = note("")
	if s.voice == nil {
		s.mic.Disable()
		s.micTest.Disable()
		s.micNote.SetText("This SAMO cannot record: it was started without a microphone.")
	}

	s.provider = widget.NewSelect(providers, nil)
	s.theme = widget.NewRadioGroup(themeChoices, nil)
	s.theme.Horizontal = true
	if st, err := s.svc.Settings(); err == nil {
		s.provider.Selected = providerChoice(st.Provider)
		s.theme.Selected = themeChoice(st.Theme)
	}
	s.provider.OnChanged = s.onProvider
	s.theme.OnChanged = s.onTheme

	s.modelsNote = note("")
	s.emotionInfo = widget.NewLabel("")
	s.emotionInfo.Wrapping = fyne.TextWrapWord
	s.installEmotion = widget.NewButton("Install from a folder…", s.onInstallEmotion)
	s.quantized = widget.NewCheck("Use the int8 file (smaller and faster, a little less exact)", nil)
	s.builtInEmotion = widget.NewButton("Use the built-in model", s.useBuiltInEmotion)
	// entries saved without emotions, or read by another model, are read
	// again with the model in use; offered strongly after a model change
	s.reread = widget.NewButton("Re-read your journal", s.onReread)
	s.reread.Importance = widget.LowImportance
	s.speechInfo = widget.NewLabel("")
	s.speechInfo.Wrapping = fyne.TextWrapWord
	s.installSpeech = widget.NewButton("Install from a folder…", s.onInstallSpeech)
	s.removeSpeech = widget.NewButton("Remove", s.onRemoveSpeech)
	s.removeSpeech.Importance = widget.LowImportance
	s.transcribe = widget.NewButton("", s.transcribePending)
	s.transcribe.Hide()
	s.meaning = newMeaningSection(s)
	s.personal = newPersonalSection(s)
	s.models = newModelsSection(s)
	if s.svc.Models() == nil {
		s.modelsNote.SetText("The models cannot be changed here: this SAMO was started without its model manager. " +
			"The samo models command shows and installs them.")
		for _, b := range []*widget.Button{s.installEmotion, s.builtInEmotion, s.installSpeech, s.removeSpeech} {
			b.Disable()
		}
		s.quantized.Disable()
	}

	s.format = widget.NewSelect(exportFormats, nil)
	s.format.Selected = transfer.FormatJSON
	s.export = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), s.onExport)
	s.importData = widget.NewButtonWithIcon("Import…", theme.FolderOpenIcon(), s.onImport)
	s.backup = widget.NewButtonWithIcon("Back up…", theme.DownloadIcon(), s.onBackup)
	s.restore = widget.NewButtonWithIcon("Restore…", theme.HistoryIcon(), s.onRestore)

	sections := container.NewVBox(
		widget.NewCard("Your journal", "Where it lives on this computer",
			container.NewVBox(s.folder)),
		widget.NewCard("Privacy", "",
			container.NewVBox(s.encryption, container.NewHBox(s.encrypt, s.changePass, s.decrypt))),
		widget.NewCard("Microphone", "",
			container.NewVBox(
				container.NewBorder(nil, nil, nil, s.micTest, s.mic),
				container.NewGridWrap(fyne.NewSize(360, 20), s.micMeter), s.micNote)),
		widget.NewCard("Appearance", "",
			container.NewVBox(s.theme)),
		widget.NewCard("Models", "SAMO reads emotions, transcribes speech and finds entries by meaning on this computer",
			container.NewVBox(
				s.modelsNote,
				container.NewBorder(nil, nil, widget.NewLabel("Where models run"), nil, s.provider),
				note("A change of where models run applies from the next time a model is used."),
				widget.NewSeparator(),
				s.models.content(),
				widget.NewSeparator(),
				bold("Emotion model"), s.emotionInfo,
				container.NewHBox(s.installEmotion, s.builtInEmotion), s.quantized, s.reread,
				widget.NewSeparator(),
				s.personal.content(),
				widget.NewSeparator(),
				bold("Speech model"), s.speechInfo,
				container.NewHBox(s.installSpeech, s.removeSpeech), s.transcribe,
				widget.NewSeparator(),
				s.meaning.content())),
		widget.NewCard("Your journal's data", "",
			container.NewVBox(
				container.NewHBox(widget.NewLabel("Export as"), s.format, s.export),
				note("JSON keeps everything, recordings included, and SAMO can import it again; Markdown is for reading; CSV holds the emotion scores."),
				container.NewHBox(s.importData, s.backup, s.restore),
				note("Import reads SAMO, jrnl and Day One exports. A backup is a copy of the whole journal; restoring one keeps the journal it replaces."))),
	)
	s.content = container.NewBorder(container.NewVBox(s.taskBox, s.message), nil, nil, nil, container.NewVScroll(container.NewPadded(sections)))
	return s
}

func note(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return l
}

func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func micChoice(name string) string {
	if name == "" {
		return defaultMicrophone
	}
	return name
}

func providerChoice(name string) string {
	if name == "" {
		return "auto"
	}
	return name
}

func themeChoice(name string) string {
	for k, v := range themeNames {
		if v == name {
			return k
		}
	}
	return "Follow the system"
}

// load reads, off the UI goroutine, what the screen shows that takes a
// while to learn: the microphones, the models in use, and the recordings
// waiting for a transcript.
func (s *settingsScreen) load() {
	if s.loading {
		return
	}
	s.loading = true
	s.showEncryption()
	models := s.svc.Models()
	s.sh.background(func() func() {
		ctx := context.Background()
		var (
			devices      []string
			devErr       error
			emotion      journal.ModelInfo
			speech       journal.ModelInfo
			emErr, spErr error
		)
		if s.voice != nil {
			devices, devErr = s.voice.Devices()
		}
		if models != nil {
			emotion, emErr = models.EmotionModel(ctx)
			speech, spErr = models.SpeechModel(ctx)
		}
		waiting, wErr := s.svc.AwaitingTranscript(ctx)
		showMeaning := s.meaning.load(ctx)
		showPersonal := s.personal.load(ctx)
		showModels := s.models.load(ctx)
		return func() {
			s.loading = false
			showMeaning()
			showPersonal()
			showModels()
			if s.voice != nil {
				s.showDevices(devices, devErr)
			}
			if models != nil {
				s.showEmotionModel(emotion, emErr)
				s.showSpeechModel(speech, spErr)
			}
			if wErr == nil {
				s.showWaiting(len(waiting))
			}
		}
	})
}

// run starts an action off the UI goroutine, one at a time, showing what it
// does with a progress bar, and a Cancel button when it can stop early
// (cancellable). work reports its progress (total 0: not known) from its
// goroutine and returns what shows its outcome, run on the UI goroutine.
func (s *settingsScreen) run(what string, cancellable bool, work func(ctx context.Context, progress func(done, total int)) func()) {
	if s.task != nil {
		s.say(s.taskWhat+" Wait for it to finish, or cancel it.", widget.WarningImportance)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.task, s.taskWhat = cancel, what
	s.taskLabel.SetText(what)
	s.taskBar.SetValue(0)
	s.taskBar.Hide()
	s.taskWait.Show()
	s.taskCancel.Enable()
	if cancellable {
		s.taskCancel.Show()
	} else {
		s.taskCancel.Hide()
	}
	s.taskBox.Show()
	s.say("", widget.MediumImportance)
	progress := func(done, total int) {
		if total <= 0 {
			return
		}
		fyne.Do(func() {
			s.taskWait.Hide()
			s.taskBar.Show()
			s.taskBar.SetValue(float64(done) / float64(total))
		})
	}
	s.sh.background(func() func() {
		show := work(ctx, progress)
		return func() {
			cancel()
			s.task = nil
			s.taskBox.Hide()
			if show != nil {
				show()
			}
		}
	})
}

// runWhole runs work as run does, for work that holds the whole journal
// (re-encrypting it, switching to a backup): meanwhile a dialog covers the
// window, since reading an entry would have to wait for it.
func (s *settingsScreen) runWhole(what string, work func(ctx context.Context, progress func(done, total int)) func()) {
	if s.task != nil {
		s.run(what, false, work) // says to wait
		return
	}
	note := widget.NewLabel("Your journal is closed to reading and writing until this is done.")
	d := dialog.NewCustomWithoutButtons(what, container.NewVBox(widget.NewProgressBarInfinite(), note), s.window)
	d.Show()
	s.whole = d
	s.run(what, false, func(ctx context.Context, progress func(int, int)) func() {
		show := work(ctx, progress)
		return func() {
			d.Hide()
			s.whole = nil
			if show != nil {
				show()
			}
		}
	})
}

func (s *settingsScreen) onCancel() {
	if s.task == nil {
		return
	}
	s.taskCancel.Disable()
	s.taskLabel.SetText("Stopping…")
	s.task()
}

// say shows how an action ended.
func (s *settingsScreen) say(msg string, importance widget.Importance) {
	s.message.Importance = importance
	s.message.SetText(msg)
}

// fail says that an action failed, in the screen and in a dialog; an
// action the person cancelled only says that it stopped.
func (s *settingsScreen) fail(title string, err error) {
	if errors.Is(err, context.Canceled) {
		s.say(title+": you stopped it.", widget.WarningImportance)
		return
	}
	s.say(title+".", widget.DangerImportance)
	dialog.ShowError(fmt.Errorf("%s: %w", title, err), s.window)
}

// changeSettings saves a change to the person's settings, off the UI
// goroutine (what the change shows, it shows at once); only a failure
// comes back to the window.
func (s *settingsScreen) changeSettings(what string, change func(*journal.Settings)) {
	s.sh.background(func() func() {
		if err := s.svc.ChangeSettings(change); err != nil {
			return func() { s.fail(what+" was not saved", err) }
		}
		return nil
	})
}

// ---- encryption

func (s *settingsScreen) showEncryption() {
	if s.svc.Encrypted() {
		s.encryption.SetText("Your journal is encrypted: without your passphrase nobody can read it, and nobody, SAMO included, can recover it if the passphrase is forgotten.")
		s.encrypt.Hide()
		s.changePass.Show()
		s.decrypt.Show()
		return
	}
	s.encryption.SetText("Your journal is not encrypted: anyone who can read this computer's files can read it.")
	s.encrypt.Show()
	s.changePass.Hide()
	s.decrypt.Hide()
}

// passphraseForm is the open dialog that asks for a passphrase (twice
// when repeat is set).
type passphraseForm struct {
	pass, repeat *widget.Entry
	dialog       *dialog.FormDialog
}

// askPassphrase asks for a passphrase (twice, to catch a typo, when twice
// is set) and gives it to then.
func (s *settingsScreen) askPassphrase(title, confirm, intro string, twice bool, then func(pass []byte)) {
	f := &passphraseForm{pass: widget.NewPasswordEntry()}
	items := []*widget.FormItem{widget.NewFormItem("", note(intro)), widget.NewFormItem("Passphrase", f.pass)}
	if twice {
		f.repeat = widget.NewPasswordEntry()
		items = append(items, widget.NewFormItem("Again", f.repeat))
	}
	f.dialog = dialog.NewForm(title, confirm, "Cancel", items, func(ok bool) {
		s.passForm = nil
		switch {
		case !ok:
		case f.pass.Text == "":
			s.say("No passphrase was given; nothing was changed.", widget.WarningImportance)
		case twice && f.pass.Text != f.repeat.Text:
			s.say("The two passphrases differ; nothing was changed.", widget.WarningImportance)
		default:
			then([]byte(f.pass.Text))
		}
	}, s.window)
	f.dialog.Resize(fyne.NewSize(min(480, s.window.Canvas().Size().Width), f.dialog.MinSize().Height))
	s.passForm = f
	f.dialog.Show()
	s.window.Canvas().Focus(f.pass)
}

func (s *settingsScreen) onEncrypt() {
	s.askPassphrase("Encrypt your journal", "Encrypt",
		"Everything in your journal is encrypted with this passphrase. Nobody, SAMO included, can recover it if you forget it.",
		true, s.encryptWith)
}

func (s *settingsScreen) encryptWith(pass []byte) {
	s.runWhole("Encrypting your journal…", func(context.Context, func(int, int)) func() {
		err := s.svc.Encrypt(pass)
		return func() {
			s.showEncryption()
			if err != nil {
				s.fail("Your journal was not encrypted", err)
				return
			}
			s.say("Your journal is encrypted. SAMO asks for the passphrase when it starts.", widget.SuccessImportance)
		}
	})
}

func (s *settingsScreen) onChangePassphrase() {
	s.askPassphrase("Change your passphrase", "Change", "Your journal is opened with this passphrase from now on.", true, s.changePassphrase)
}

func (s *settingsScreen) changePassphrase(pass []byte) {
	s.runWhole("Changing your passphrase…", func(context.Context, func(int, int)) func() {
		err := s.svc.ChangePassphrase(pass)
		return func() {
			if err != nil {
				s.fail("Your passphrase was not changed", err)
				return
			}
			s.say("Your passphrase is changed.", widget.SuccessImportance)
		}
	})
}

func (s *settingsScreen) onDecrypt() {
	dialog.ShowCustomConfirm("Remove encryption?", "Remove encryption", "Keep it",
		note("Your journal will be stored unencrypted: anyone who can read this computer's files can read it."),
		func(yes bool) {
			if yes {
				s.decryptJournal()
			}
		}, s.window)
}

func (s *settingsScreen) decryptJournal() {
	s.runWhole("Removing the encryption…", func(context.Context, func(int, int)) func() {
		err := s.svc.Decrypt()
		return func() {
			s.showEncryption()
			if err != nil {
				s.fail("The encryption was not removed", err)
				return
			}
			s.say("Your journal is no longer encrypted.", widget.SuccessImportance)
		}
	})
}

// ---- microphone

func (s *settingsScreen) showDevices(devices []string, err error) {
	s.mic.Options = append([]string{defaultMicrophone}, devices...)
	s.mic.Refresh()
	if err != nil {
		s.micNote.SetText(fmt.Sprintf("The microphones could not be listed (%v); the default one records.", err))
	}
}

func (s *settingsScreen) onMicrophone(choice string) {
	name := choice
	if choice == defaultMicrophone {
		name = ""
	}
	s.sh.microphone = name
	s.micNote.SetText("Recordings use " + choice + ".")
	s.changeSettings("The microphone", func(st *journal.Settings) { st.Microphone = name })
}

// onTestMicrophone records a few seconds from the chosen microphone,
// showing its level, then deletes the recording.
func (s *settingsScreen) onTestMicrophone() {
	if s.voice == nil || s.micTest.Disabled() {
		return
	}
	take, err := s.voice.Record(s.sh.microphone, func(peak float32, _ time.Duration) {
		fyne.Do(func() { s.micMeter.set(peak) })
	}, nil)
	if err != nil {
		s.fail("The microphone could not record", err)
		return
	}
	s.micTest.Disable()
	s.micNote.SetText(fmt.Sprintf("Listening for %d seconds: speak, and the bar should move.", int(s.micTestFor.Seconds())))
	s.sh.background(func() func() {
		select {
		case <-time.After(s.micTestFor):
		case <-take.Done():
		}
		err := take.Discard()
		return func() {
			s.micMeter.set(0)
			s.micTest.Enable()
			if err != nil {
				s.fail("The test recording was not deleted", err)
				return
			}
			s.micNote.SetText("Done; the test recording is deleted. If the bar did not move, choose another microphone.")
		}
	})
}

// ---- where models run, and the theme

func (s *settingsScreen) onProvider(choice string) {
	name := choice
	if choice == "auto" {
		name = ""
	}
	s.say("Models run on "+choice+" from their next use.", widget.MediumImportance)
	s.changeSettings("Where models run", func(st *journal.Settings) { st.Provider = name })
}

func (s *settingsScreen) onTheme(choice string) {
	if choice == "" {
		return // the radio group was cleared
	}
	name := themeNames[choice]
	applyTheme(s.app, name)
	s.changeSettings("The theme", func(st *journal.Settings) { st.Theme = name })
}

// ---- models

func describeModel(m journal.ModelInfo) string {
	name := strings.TrimSpace(m.Name + " " + m.Version)
	if m.Detail != "" {
		name += " (" + m.Detail + ")"
	}
	switch m.Source {
	case "built-in":
		name += ", built into SAMO"
	case "":
	default:
		name += ", from " + m.Source
	}
	if m.Provider != "" {
		name += "; runs on " + m.Provider
	}
	return name
}

func (s *settingsScreen) showEmotionModel(m journal.ModelInfo, err error) {
	if err != nil {
		s.emotionInfo.SetText(fmt.Sprintf("The emotion model could not be loaded: %v", err))
		return
	}
	s.emotionInfo.SetText("In use: " + describeModel(m) + ".")
}

func (s *settingsScreen) showSpeechModel(m journal.ModelInfo, err error) {
	switch {
	case err != nil:
		s.speechInfo.SetText(fmt.Sprintf("The speech model could not be loaded: %v", err))
	case m.Source == "":
		s.canTranscribe = false
		s.transcribe.Hide()
		s.speechInfo.SetText("No speech model is installed: recordings are kept and wait to be transcribed. Download one above, or install a Whisper export (Hugging Face ONNX layout) from a folder.")
		s.removeSpeech.Disable()
	default:
		s.canTranscribe = true
		s.speechInfo.SetText("In use: " + describeModel(m) + ".")
		s.removeSpeech.Enable()
	}
}

func (s *settingsScreen) showWaiting(n int) {
	if n == 0 || !s.canTranscribe {
		s.transcribe.Hide()
		return
	}
	s.transcribe.SetText(fmt.Sprintf("Transcribe the %d waiting %s", n, journal.Plural(n, "recording", "recordings")))
	s.transcribe.Show()
}

func (s *settingsScreen) onInstallEmotion() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		s.installEmotionFrom(dir.Path(), s.quantized.Checked)
	}, s.window)
	d.Show()
}

// installEmotionFrom checks and uses the emotion model in dir (its int8
// file when quantized), then offers to re-read the journal with it.
func (s *settingsScreen) installEmotionFrom(dir string, quantized bool) {
	models := s.svc.Models()
	if models == nil {
		return
	}
	s.run("Checking and installing the emotion model…", true, func(ctx context.Context, _ func(int, int)) func() {
		m, err := models.InstallEmotionModel(ctx, dir, quantized)
		return func() {
			if err != nil {
				s.fail("The emotion model was not installed", err)
				return
			}
			s.emotionChanged(m, nil)
		}
	})
}

func (s *settingsScreen) useBuiltInEmotion() {
	models := s.svc.Models()
	if models == nil {
		return
	}
	s.run("Going back to the built-in emotion model…", false, func(ctx context.Context, _ func(int, int)) func() {
		err := models.UseBuiltInEmotionModel()
		var m journal.ModelInfo
		var merr error
		if err == nil {
			m, merr = models.EmotionModel(ctx)
		}
		return func() {
			if err != nil {
				s.fail("The built-in emotion model was not put back", err)
				return
			}
			s.emotionChanged(m, merr)
		}
	})
}

// emotionChanged shows the emotion model now in use and offers to re-read
// the journal with it.
func (s *settingsScreen) emotionChanged(m journal.ModelInfo, err error) {
	s.showEmotionModel(m, err)
	s.models.reload()
	s.offer(s.reread, true)
	s.say("SAMO reads new entries with "+describeModel(m)+". Your earlier entries keep their reading until you re-read your journal.", widget.SuccessImportance)
}

// modelChanged shows a model of kind just put in use from the list of
// models where the settings show that kind's model, and offers what brings
// the journal up to date with it.
func (s *settingsScreen) modelChanged(kind string, m journal.ModelInfo) {
	switch kind {
	case journal.ModelEmotion:
		s.emotionChanged(m, nil)
	case journal.ModelEmbedding:
		s.meaning.changed(m, nil)
	default:
		s.load() // the speech model in use, and the recordings waiting for it
	}
}

// offer makes b, the button that brings the journal up to date with a
// model just chosen (re-read, re-index), stand out, or stop standing out
// once it has run.
func (s *settingsScreen) offer(b *widget.Button, on bool) {
	b.Importance = widget.LowImportance
	if on {
		b.Importance = widget.HighImportance
	}
	b.Refresh()
}

func (s *settingsScreen) onReread() {
	s.run("Re-reading your journal…", true, func(ctx context.Context, progress func(int, int)) func() {
		n, err := s.svc.Reanalyze(ctx, false, journal.ReanalyzeProgress(progress))
		return func() {
			if n > 0 {
				s.sh.journal.refresh()
			}
			if err != nil {
				s.fail(fmt.Sprintf("Re-reading stopped after %d %s", n, journal.Plural(n, "entry", "entries")), err)
				return
			}
			s.offer(s.reread, false)
			s.say(fmt.Sprintf("Re-read %d %s with the emotion model in use.", n, journal.Plural(n, "entry", "entries")), widget.SuccessImportance)
		}
	})
}

func (s *settingsScreen) onInstallSpeech() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		s.installSpeechFrom(dir.Path())
	}, s.window)
	d.Show()
}

// installSpeechFrom checks and uses the Whisper export in dir.
func (s *settingsScreen) installSpeechFrom(dir string) {
	models := s.svc.Models()
	if models == nil {
		return
	}
	s.run("Checking and installing the speech model…", true, func(ctx context.Context, _ func(int, int)) func() {
		m, err := models.InstallSpeechModel(ctx, dir)
		waiting, _ := s.svc.AwaitingTranscript(ctx)
		return func() {
			if err != nil {
				s.fail("The speech model was not installed", err)
				return
			}
			s.showSpeechModel(m, nil)
			s.showWaiting(len(waiting))
			s.models.reload()
			s.say("SAMO transcribes recordings with "+describeModel(m)+".", widget.SuccessImportance)
		}
	})
}

func (s *settingsScreen) onRemoveSpeech() {
	dialog.ShowConfirm("Remove the speech model?", "Recordings are then kept without words, waiting for a speech model.", func(yes bool) {
		if yes {
			s.removeSpeechModel()
		}
	}, s.window)
}

func (s *settingsScreen) removeSpeechModel() {
	models := s.svc.Models()
	if models == nil {
		return
	}
	s.run("Removing the speech model…", false, func(context.Context, func(int, int)) func() {
		err := models.RemoveSpeechModel()
		return func() {
			if err != nil {
				s.fail("The speech model was not removed", err)
				return
			}
			s.showSpeechModel(journal.ModelInfo{}, nil)
			s.models.reload()
			s.say("The speech model is removed; recordings wait for another.", widget.SuccessImportance)
		}
	})
}

// transcribePending transcribes the recordings waiting for a transcript.
func (s *settingsScreen) transcribePending() {
	s.run("Transcribing the waiting recordings…", true, func(ctx context.Context, progress func(int, int)) func() {
		var skipped []string
		done, total, err := s.svc.TranscribePending(ctx, func(p journal.Pending) {
			if p.Err != nil {
				skipped = append(skipped, p.Err.Error())
			}
			progress(p.Index, p.Total)
		})
		waiting, _ := s.svc.AwaitingTranscript(context.Background())
		return func() {
			s.showWaiting(len(waiting))
			if done > 0 {
				s.sh.journal.refresh()
			}
			for _, m := range skipped {
				s.svc.Notices().Notify(m)
			}
			if err != nil {
				s.fail(fmt.Sprintf("Transcribing stopped (%d of %d recordings got their words)", done, total), err)
				return
			}
			s.say(fmt.Sprintf("%d of %d %s transcribed.", done, total, journal.Plural(total, "recording", "recordings")), widget.SuccessImportance)
		}
	})
}

// ---- the journal's data

func (s *settingsScreen) onExport() {
	format := s.format.Selected
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		s.exportTo(path, format)
	}, s.window)
	d.SetFileName("samo-journal-" + s.sh.now().Format("2006-01-02") + exportExtensions[format])
	d.Show()
}

// exportTo writes the journal in format to the file at path.
func (s *settingsScreen) exportTo(path, format string) {
	s.run("Exporting your journal…", true, func(ctx context.Context, _ func(int, int)) func() {
		err := transfer.WriteFile(path, func(w io.Writer) error {
			return transfer.Write(ctx, ctxWriter{ctx, w}, format, s.svc)
		})
		return func() {
			if err != nil {
				s.fail("Your journal was not exported", err)
				return
			}
			s.say("Your journal is exported to "+path+".", widget.SuccessImportance)
		}
	})
}

// ctxWriter stops writing once ctx ends, so an export can be cancelled.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

func (s *settingsScreen) onImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		s.importFrom(path)
	}, s.window)
	d.Show()
}

// importFrom adds the entries of the export at path (SAMO's own, jrnl's or
// Day One's, told apart by their content) to the journal.
func (s *settingsScreen) importFrom(path string) {
	s.run("Importing…", true, func(ctx context.Context, progress func(int, int)) func() {
		n, err := transfer.ImportFile(ctx, s.svc, path, "auto", nil, progress)
		rep := n.Report
		return func() {
			if n.Added > 0 {
				s.sh.journal.refresh()
			}
			if err != nil {
				s.fail(fmt.Sprintf("The import stopped (%d %s added before it did)", n.Added, journal.Plural(n.Added, "entry was", "entries were")), err)
				return
			}
			s.say(fmt.Sprintf("Imported from %s: %d %s added, %d already in your journal, %d skipped.",
				formatName(n.Format), n.Added, journal.Plural(n.Added, "entry", "entries"), n.Present, rep.Skipped), widget.SuccessImportance)
			if lines := rep.Lines(); len(lines) > 0 {
				text := widget.NewLabel(strings.Join(lines, "\n"))
				text.Wrapping = fyne.TextWrapWord
				d := dialog.NewCustom("What the import changed or left out", "Close", container.NewVScroll(text), s.window)
				d.Resize(fyne.NewSize(min(600, s.window.Canvas().Size().Width), min(400, s.window.Canvas().Size().Height)))
				d.Show()
			}
		}
	})
}

func formatName(format string) string {
	switch format {
	case transfer.FormatSAMO:
		return "a SAMO export"
	case transfer.FormatJrnl:
		return "a jrnl export"
	case transfer.FormatDayOne:
		return "a Day One export"
	}
	return format
}

// onBackup asks where to write a backup and writes it; the journal stays in
// use meanwhile, and the copy is consistent.
func (s *settingsScreen) onBackup() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		s.backupTo(path)
	}, s.window)
	d.SetFileName("samo-backup-" + s.sh.now().Format("2006-01-02") + ".db")
	d.Show()
}

func (s *settingsScreen) backupTo(path string) {
	s.run("Backing up your journal…", false, func(context.Context, func(int, int)) func() {
		err := s.svc.Backup(path)
		return func() {
			if err != nil {
				s.fail("The backup was not written", err)
				return
			}
			s.say("Backed up to "+path+".", widget.SuccessImportance)
		}
	})
}

func (s *settingsScreen) onRestore() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		s.confirmRestore(path)
	}, s.window)
	d.Show()
}

// confirmRestore asks before replacing the journal with the backup at path.
func (s *settingsScreen) confirmRestore(path string) {
	dialog.ShowCustomConfirm("Restore this backup?", "Restore", "Cancel",
		note("Your journal is replaced by the backup "+path+". The journal in use now is kept beside it, so nothing is lost."),
		func(yes bool) {
			if yes {
				s.restoreFrom(path, nil)
			}
		}, s.window)
}

// restoreFrom replaces the journal with the backup at path, asking for the
// backup's passphrase when it is encrypted, then shows the restored
// journal and says where the one it replaced is kept.
func (s *settingsScreen) restoreFrom(path string, pass []byte) {
	s.runWhole("Restoring the backup…", func(context.Context, func(int, int)) func() {
		kept, err := s.svc.Restore(path, pass)
		return func() {
			switch {
			case err != nil && s.opener.NeedsPassphrase(err):
				msg := "The backup is encrypted: enter the passphrase it was made with."
				if pass != nil {
					msg = "That passphrase does not unlock the backup. Try again."
				}
				s.askPassphrase("Unlock the backup", "Restore", msg, false, func(p []byte) { s.restoreFrom(path, p) })
			case err != nil:
				s.fail("The backup was not restored (your journal is as it was)", err)
			default:
				s.sh.journal.replaced()
				s.showEncryption()
				msg := "The backup is restored."
				if pass != nil {
					msg += " It opens with the backup's passphrase from now on."
				}
				if kept != "" {
					msg += " The journal it replaced is kept at " + kept + "."
				}
				s.say(msg, widget.SuccessImportance)
			}
		}
	})
}
