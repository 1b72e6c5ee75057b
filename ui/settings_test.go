package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// withSettings gives a Service settings kept in a temporary folder.
func withSettings(t *testing.T) journal.Option {
	return journal.WithSettings(journal.NewSettingsFile(t.TempDir()))
}

// newSettings opens the window on the settings screen of svc and waits
// for what the screen loads.
func newSettings(t *testing.T, a fyne.App, svc *journal.Service, opts ...Option) (*settingsScreen, fyne.Window) {
	t.Helper()
	sh, w := newTestShellIn(t, a, svc, append([]Option{WithScreen(ScreenSettings)}, opts...)...)
	waitIdle(t, sh)
	return sh.settings, w
}

// dismissDialog closes the window's top overlay (an error dialog).
func dismissDialog(t *testing.T, w fyne.Window) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	w.Canvas().Overlays().Remove(top)
}

func TestSettings_OpensOnItsScreenWithTheFolder(t *testing.T) {
	a := test.NewTempApp(t)
	o := journaltest.NewMemOpener(withSettings(t))
	if _, err := o.Create(nil); err != nil {
		t.Fatal(err)
	}
	w := a.NewWindow("SAMO")
	g := Start(a, w, o, WithScreen(ScreenSettings))
	if !g.Opened() {
		t.Fatal("the journal did not open")
	}
	waitIdle(t, g.shell)
	s := g.shell.settings
	if g.shell.tabs.Selected() != g.shell.settingsTab {
		t.Fatalf("the window opened on %q, want the settings", g.shell.tabs.Selected().Text)
	}
	if s.folder.Text != o.Path() || !s.folder.Selectable || !contains(shownLabels(w), o.Path()) {
		t.Errorf("the folder shown is %q (selectable %v), want %q", s.folder.Text, s.folder.Selectable, o.Path())
	}
	if !contains(shownLabels(w), "not encrypted") || !s.encrypt.Visible() || s.decrypt.Visible() {
		t.Errorf("a plain journal's privacy section: labels %q", shownLabels(w))
	}
}

func TestSettings_ThemeIsSavedAndApplied(t *testing.T) {
	a := test.NewTempApp(t)
	svc := journal.NewService(journaltest.NewMemStore(), withSettings(t))
	s, _ := newSettings(t, a, svc)
	if s.theme.Selected != "Follow the system" {
		t.Errorf("theme %q chosen at first, want the system's", s.theme.Selected)
	}
	dark := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	s.theme.SetSelected("Dark")
	waitIdle(t, s.sh)
	if st, _ := svc.Settings(); st.Theme != "dark" {
		t.Errorf("saved theme %q, want dark", st.Theme)
	}
	if got := a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight); got != dark {
		t.Errorf("the window's background is %v, want the dark theme's %v", got, dark)
	}

	// The next start applies it.
	a.Settings().SetTheme(test.Theme())
	sh2, _ := newTestShellIn(t, a, svc)
	if got := a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight); got != dark {
		t.Errorf("at start the background is %v, want the dark theme's %v", got, dark)
	}
	if sh2.settings.theme.Selected != "Dark" {
		t.Errorf("the settings show %q, want Dark", sh2.settings.theme.Selected)
	}

	s.theme.SetSelected("Light")
	waitIdle(t, s.sh)
	light := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight)
	if got := a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark); got != light {
		t.Errorf("the window's background is %v, want the light theme's %v", got, light)
	}
}

// passphrase fills the open passphrase dialog and confirms it with the
// button named confirm, waiting for the work it starts.
func passphrase(t *testing.T, s *settingsScreen, w fyne.Window, confirm, pass, repeat string) {
	t.Helper()
	if s.passForm == nil {
		t.Fatal("no passphrase is asked for")
	}
	test.Type(s.passForm.pass, pass)
	if s.passForm.repeat != nil {
		test.Type(s.passForm.repeat, repeat)
	}
	tapDialogButton(t, w, confirm)
	waitIdle(t, s.sh)
}

func TestSettings_EncryptChangeAndDecrypt(t *testing.T) {
	store := journaltest.NewMemStore()
	svc := journal.NewService(store)
	s, w := newSettings(t, test.NewTempApp(t), svc)

	test.Tap(s.encrypt)
	passphrase(t, s, w, "Encrypt", "river stones", "river stone")
	if svc.Encrypted() || !strings.Contains(s.message.Text, "differ") {
		t.Fatalf("mismatched passphrases: encrypted %v, message %q", svc.Encrypted(), s.message.Text)
	}
	test.Tap(s.encrypt)
	passphrase(t, s, w, "Encrypt", "river stones", "river stones")
	if !svc.Encrypted() || string(store.Passphrase()) != "river stones" {
		t.Fatalf("after Encrypt: encrypted %v with %q; message %q", svc.Encrypted(), store.Passphrase(), s.message.Text)
	}
	if s.encrypt.Visible() || !s.changePass.Visible() || !s.decrypt.Visible() || !contains(shownLabels(w), "is encrypted") {
		t.Errorf("an encrypted journal's privacy section: labels %q", shownLabels(w))
	}

	test.Tap(s.changePass)
	passphrase(t, s, w, "Change", "sea glass", "sea glass")
	if string(store.Passphrase()) != "sea glass" || !strings.Contains(s.message.Text, "changed") {
		t.Fatalf("after a change: passphrase %q, message %q", store.Passphrase(), s.message.Text)
	}

	test.Tap(s.decrypt)
	tapDialogButton(t, w, "Keep it")
	if !svc.Encrypted() {
		t.Fatal("the encryption went without confirmation")
	}
	test.Tap(s.decrypt)
	tapDialogButton(t, w, "Remove encryption")
	waitIdle(t, s.sh)
	if svc.Encrypted() || !s.encrypt.Visible() {
		t.Errorf("after removing the encryption: encrypted %v; message %q", svc.Encrypted(), s.message.Text)
	}
}

func TestSettings_ExportThenImportRoundTrips(t *testing.T) {
	a := test.NewTempApp(t)
	ctx := context.Background()
	from := journaltest.NewMemStore()
	svc := journal.NewService(from, journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"}))
	base := time.Now().Add(-72 * time.Hour)
	for i, text := range []string{"a day of joy", "some fear tonight", "calm, then surprise"} {
		if _, err := svc.AddAt(ctx, text, base.Add(time.Duration(i)*time.Hour), "tag"); err != nil {
			t.Fatal(err)
		}
	}
	es, _ := from.List(ctx, journal.Query{})
	if _, err := svc.Correct(ctx, es[0].ID, []string{"relief"}); err != nil {
		t.Fatal(err)
	}
	s, _ := newSettings(t, a, svc)
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.json")
	s.exportTo(path, "json")
	waitIdle(t, s.sh)
	if !strings.Contains(s.message.Text, "exported to "+path) {
		t.Fatalf("after exporting: %q", s.message.Text)
	}
	md := filepath.Join(dir, "journal.md")
	s.exportTo(md, "markdown")
	waitIdle(t, s.sh)
	if b, err := os.ReadFile(md); err != nil || !strings.Contains(string(b), "some fear tonight") {
		t.Errorf("the Markdown export holds %q, %v", b, err)
	}

	to := journaltest.NewMemStore()
	s2, _ := newSettings(t, a, journal.NewService(to))
	s2.importFrom(path)
	waitIdle(t, s2.sh)
	if !strings.Contains(s2.message.Text, "3 entries added, 0 already in your journal") {
		t.Fatalf("after importing: %q", s2.message.Text)
	}
	want, _ := from.List(ctx, journal.Query{})
	got, _ := to.List(ctx, journal.Query{})
	if len(got) != len(want) {
		t.Fatalf("imported %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Text != w.Text || !g.Created.Equal(w.Created) || !slices.Equal(g.Tags, w.Tags) ||
			!slices.Equal(g.Feelings(), w.Feelings()) || g.Emotions == nil || !slices.Equal(g.Emotions.Scores, w.Emotions.Scores) {
			t.Errorf("entry %d imported as %+v, want %+v", i, g, w)
		}
	}
	if len(s2.sh.journal.entries) != 3 {
		t.Errorf("the journal screen lists %d entries after the import, want 3", len(s2.sh.journal.entries))
	}
	s2.importFrom(path)
	waitIdle(t, s2.sh)
	if !strings.Contains(s2.message.Text, "0 entries added, 3 already in your journal") {
		t.Errorf("importing again: %q", s2.message.Text)
	}
}

// fakeModels is a journal.Models that installs any folder but refuse.
type fakeModels struct {
	mu        sync.Mutex
	emotion   journal.ModelInfo
	speech    journal.ModelInfo
	quantized bool
	refuse    string
	// hold, when set, makes InstallEmotionModel wait for it (or its
	// context).
	hold chan struct{}
	// speaks, once a speech model is installed, says what it hears.
	speaks *journaltest.Transcriber
}

var builtIn = journal.ModelInfo{Name: "samo-goemotions", Version: "3", Source: "built-in"}

func (m *fakeModels) EmotionModel(context.Context) (journal.ModelInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.emotion, nil
}

func (m *fakeModels) SpeechModel(context.Context) (journal.ModelInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.speech, nil
}

func (m *fakeModels) InstallEmotionModel(ctx context.Context, dir string, quantized bool) (journal.ModelInfo, error) {
	if m.hold != nil {
		select {
		case <-m.hold:
		case <-ctx.Done():
			return journal.ModelInfo{}, ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if dir == m.refuse {
		return journal.ModelInfo{}, errors.New("models: " + dir + ": no model.onnx")
	}
	m.quantized = quantized
	m.emotion = journal.ModelInfo{Name: filepath.Base(dir), Version: "1", Source: dir}
	if quantized {
		m.emotion.Detail = "int8"
	}
	return m.emotion, nil
}

func (m *fakeModels) UseBuiltInEmotionModel() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.emotion = builtIn
	return nil
}

func (m *fakeModels) InstallSpeechModel(_ context.Context, dir string) (journal.ModelInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.speech = journal.ModelInfo{Name: filepath.Base(dir), Version: "1", Source: dir, Detail: "English-only"}
	m.speaks.Fail, m.speaks.Text = nil, "words from the recording"
	return m.speech, nil
}

func (m *fakeModels) RemoveSpeechModel() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.speech = journal.ModelInfo{}
	return nil
}

func TestSettings_Models(t *testing.T) {
	ctx := context.Background()
	store := journaltest.NewMemStore()
	for _, text := range []string{"a day of joy", "some fear tonight"} { // read by no model
		if _, err := journal.NewService(store).Add(ctx, text); err != nil {
			t.Fatal(err)
		}
	}
	tr := waiting()
	models := &fakeModels{emotion: builtIn, refuse: "/models/empty", speaks: tr}
	svc := journal.NewService(store, journal.WithModels(models), journal.WithSpeech(journaltest.PCMDecoder{}, tr),
		journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"}))
	rec, err := svc.AddRecording(ctx, journal.NewRecording{At: time.Now().Add(-time.Minute), Data: journaltest.PCM(16000),
		Audio: journal.Audio{Format: "pcm", SampleRate: 16000, Channels: 1, Duration: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	s, w := newSettings(t, test.NewTempApp(t), svc)
	if !strings.Contains(s.emotionInfo.Text, "samo-goemotions 3, built into SAMO") || !strings.Contains(s.speechInfo.Text, "No speech model") {
		t.Fatalf("models shown: %q; %q", s.emotionInfo.Text, s.speechInfo.Text)
	}
	// no speech model: the waiting recording is not offered for transcription
	if s.transcribe.Visible() || s.reread.Importance == widget.HighImportance {
		t.Fatalf("transcribe %q shown %v, re-read offered %v", s.transcribe.Text, s.transcribe.Visible(), s.reread.Importance)
	}

	s.installEmotionFrom("/models/empty", false)
	waitIdle(t, s.sh)
	if !strings.Contains(s.message.Text, "not installed") || !strings.Contains(strings.Join(overlayTexts(w), " "), "no model.onnx") {
		t.Fatalf("a refused model: message %q, dialog %q", s.message.Text, overlayTexts(w))
	}
	dismissDialog(t, w)

	s.quantized.SetChecked(true)
	s.installEmotionFrom("/models/roberta", s.quantized.Checked)
	waitIdle(t, s.sh)
	if !strings.Contains(s.emotionInfo.Text, "roberta 1 (int8), from /models/roberta") || !models.quantized || s.reread.Importance != widget.HighImportance {
		t.Fatalf("after installing: %q, quantized %v, re-read offered %v", s.emotionInfo.Text, models.quantized, s.reread.Importance)
	}
	test.Tap(s.reread)
	waitIdle(t, s.sh)
	if !strings.Contains(s.message.Text, "Re-read 2 entries") || s.reread.Importance == widget.HighImportance {
		t.Fatalf("after re-reading: %q", s.message.Text)
	}
	es, _ := store.List(ctx, journal.Query{})
	for _, e := range es {
		if e.Emotions == nil && !e.Wordless() {
			t.Errorf("%q was not re-read", e.Text)
		}
	}
	if l := s.sh.journal.entries; len(l) != 3 || l[1].Emotions == nil {
		t.Errorf("the journal screen does not show the new readings")
	}

	s.useBuiltInEmotion()
	waitIdle(t, s.sh)
	if !strings.Contains(s.emotionInfo.Text, "built into SAMO") {
		t.Errorf("after going back: %q", s.emotionInfo.Text)
	}

	s.installSpeechFrom("/models/whisper-base")
	waitIdle(t, s.sh)
	if !strings.Contains(s.speechInfo.Text, "whisper-base 1 (English-only)") || s.removeSpeech.Disabled() || !s.transcribe.Visible() ||
		s.transcribe.Text != "Transcribe the 1 waiting recording" {
		t.Fatalf("after installing speech: %q, transcribe %q shown %v", s.speechInfo.Text, s.transcribe.Text, s.transcribe.Visible())
	}
	test.Tap(s.transcribe)
	waitIdle(t, s.sh)
	if !strings.Contains(s.message.Text, "1 of 1 recording transcribed") || s.transcribe.Visible() {
		t.Fatalf("after transcribing: %q", s.message.Text)
	}
	if e, _ := store.Get(ctx, rec.ID); e.Text != "words from the recording" {
		t.Errorf("the recording's text is %q", e.Text)
	}
	s.removeSpeechModel()
	waitIdle(t, s.sh)
	if !strings.Contains(s.speechInfo.Text, "No speech model") {
		t.Errorf("after removing speech: %q", s.speechInfo.Text)
	}
}

func TestSettings_WithoutModels(t *testing.T) {
	s, _ := newSettings(t, test.NewTempApp(t), journal.NewService(journaltest.NewMemStore()))
	if !strings.Contains(s.modelsNote.Text, "cannot be changed here") || !s.installEmotion.Disabled() || !s.installSpeech.Disabled() {
		t.Errorf("without models: note %q, install enabled %v", s.modelsNote.Text, !s.installEmotion.Disabled())
	}
}

// The microphones listed are the Voice's; the one chosen is kept and
// records; Test shows its level, then deletes what it recorded.
func TestSettings_Microphone(t *testing.T) {
	a := test.NewTempApp(t)
	v := &memVoice{dir: t.TempDir(), devices: []string{"USB microphone", "Laptop microphone"}}
	svc := journal.NewService(journaltest.NewMemStore(), withSettings(t), journal.WithSpeech(journaltest.PCMDecoder{}, waiting()))
	s, _ := newSettings(t, a, svc, WithVoice(v))
	if want := []string{"Default microphone", "USB microphone", "Laptop microphone"}; !slices.Equal(s.mic.Options, want) || s.mic.Selected != want[0] {
		t.Fatalf("microphones %q, chosen %q; want %q, the default", s.mic.Options, s.mic.Selected, want)
	}
	s.mic.SetSelected("USB microphone")
	waitIdle(t, s.sh)
	if st, _ := svc.Settings(); st.Microphone != "USB microphone" {
		t.Errorf("saved microphone %q", st.Microphone)
	}

	s.micTestFor = time.Hour
	test.Tap(s.micTest)
	take := v.take(0)
	if take.device != "USB microphone" || !s.micTest.Disabled() {
		t.Fatalf("the test records from %q", take.device)
	}
	take.speak(4)
	if s.micMeter.level < 0.5 {
		t.Errorf("the meter shows %v while the microphone hears", s.micMeter.level)
	}
	close(take.done)
	waitIdle(t, s.sh)
	if _, deleted := take.state(); !deleted || s.micMeter.level != 0 || s.micTest.Disabled() {
		t.Errorf("after the test: recording deleted %v, meter %v", deleted, s.micMeter.level)
	}

	j := s.sh.journal
	j.onRecordKey()
	if got := v.take(1).device; got != "USB microphone" {
		t.Errorf("the journal records from %q, want the microphone chosen", got)
	}
	v.take(1).speak(10)
	waitSettled(t, s.sh, j.onRecordKey)

	// The next start records from it too.
	sh2, _ := newTestShellIn(t, a, svc, WithVoice(v))
	if sh2.microphone != "USB microphone" || sh2.settings.mic.Selected != "USB microphone" {
		t.Errorf("at start: microphone %q", sh2.microphone)
	}
}

func TestSettings_WhereModelsRun(t *testing.T) {
	svc := journal.NewService(journaltest.NewMemStore(), withSettings(t))
	s, _ := newSettings(t, test.NewTempApp(t), svc)
	if s.provider.Selected != "auto" {
		t.Errorf("models run on %q at first, want auto", s.provider.Selected)
	}
	s.provider.SetSelected("cuda")
	waitIdle(t, s.sh)
	if st, _ := svc.Settings(); st.Provider != "cuda" || !strings.Contains(s.message.Text, "next use") {
		t.Errorf("saved provider %q, message %q", st.Provider, s.message.Text)
	}
	s.provider.SetSelected("auto")
	waitIdle(t, s.sh)
	if st, _ := svc.Settings(); st.Provider != "" {
		t.Errorf("auto is saved as %q, want empty", st.Provider)
	}
}

func TestSettings_BackupWhileOpen(t *testing.T) {
	a := test.NewTempApp(t)
	o := journaltest.NewMemOpener()
	sh := createPlain(t, a, o)
	test.Type(sh.journal.editor, "worth keeping")
	save(t, sh.journal)

	backup := filepath.Join(t.TempDir(), "backup.db")
	sh.settings.backupTo(backup)
	waitIdle(t, sh)
	if !strings.HasPrefix(sh.settings.message.Text, "Backed up to") {
		t.Fatalf("message = %q", sh.settings.message.Text)
	}
	if b, err := os.ReadFile(backup); err != nil || strings.TrimSpace(string(b)) != sh.journal.current {
		t.Errorf("the backup holds %q, %v; want the entry", b, err)
	}

	o.Store.SetFail(errors.New("storage: no space left on device"))
	sh.settings.backupTo(backup)
	waitIdle(t, sh)
	if !strings.Contains(sh.settings.message.Text, "not written") || sh.window.Canvas().Overlays().Top() == nil {
		t.Errorf("a failed backup: message %q", sh.settings.message.Text)
	}
}

// restoringStore is a MemStore that can restore its one backup, kept with
// a passphrase.
type restoringStore struct {
	*journaltest.MemStore
	backup []journal.Entry
	pass   string
}

func (r *restoringStore) Restore(from string, pass []byte) (string, error) {
	if string(pass) != r.pass {
		return "", journaltest.ErrWrongPassphrase
	}
	ctx := context.Background()
	es, _ := r.List(ctx, journal.Query{})
	for _, e := range es {
		r.Delete(ctx, e.ID)
	}
	if err := r.PutMany(ctx, r.backup, nil); err != nil {
		return "", err
	}
	return from + ".kept", nil
}

func TestSettings_Restore(t *testing.T) {
	ctx := context.Background()
	at := time.Now().Add(-time.Hour)
	store := &restoringStore{MemStore: journaltest.NewMemStore(), pass: "old key",
		backup: []journal.Entry{{ID: "01HZZZZZZZZZZZZZZZZZZZZZZZ", Created: at, Updated: at, Text: "from the backup", Revision: 1}}}
	svc := journal.NewService(store)
	if _, err := svc.Add(ctx, "written since"); err != nil {
		t.Fatal(err)
	}
	s, w := newSettings(t, test.NewTempApp(t), svc)
	j := s.sh.journal
	j.list.Select(0)
	if len(j.entries) != 1 || j.current == "" {
		t.Fatal("the entry did not open")
	}

	s.confirmRestore("/backups/samo.db")
	tapDialogButton(t, w, "Cancel")
	if n, _ := store.Count(ctx); n != 1 || store.Has("01HZZZZZZZZZZZZZZZZZZZZZZZ") {
		t.Fatal("restored without confirmation")
	}
	s.confirmRestore("/backups/samo.db")
	tapDialogButton(t, w, "Restore")
	waitIdle(t, s.sh)
	passphrase(t, s, w, "Restore", "wrong", "")
	if !contains(overlayTexts(w), "does not unlock") {
		t.Fatalf("a wrong passphrase: dialog %q", overlayTexts(w))
	}
	passphrase(t, s, w, "Restore", "old key", "")
	if !strings.Contains(s.message.Text, "kept at /backups/samo.db.kept") {
		t.Fatalf("after restoring: %q", s.message.Text)
	}
	if len(j.entries) != 1 || j.entries[0].Text != "from the backup" || j.current != "" || j.editor.Text != "" {
		t.Errorf("the journal screen shows %d entries, open %q; want the backup's", len(j.entries), j.current)
	}

	// A journal that cannot restore says so.
	s2, w2 := newSettings(t, test.NewTempApp(t), journal.NewService(journaltest.NewMemStore()))
	s2.restoreFrom("/backups/samo.db", nil)
	waitIdle(t, s2.sh)
	if !strings.Contains(s2.message.Text, "not restored") || !contains(overlayTexts(w2), "cannot restore") {
		t.Errorf("a journal that cannot restore: message %q, dialog %q", s2.message.Text, overlayTexts(w2))
	}
}

// The window stays open while a setting is being changed, and a long
// action can be cancelled.
func TestSettings_WindowStaysOpenWhileBusy(t *testing.T) {
	store := journaltest.NewMemStore()
	models := &fakeModels{emotion: builtIn, hold: make(chan struct{})}
	s, w := newSettings(t, test.NewTempApp(t), journal.NewService(store, journal.WithModels(models)))
	s.sh.journal.editor.SetText("a draft")
	s.installEmotionFrom("/models/roberta", false)
	if !s.taskBox.Visible() || !s.taskCancel.Visible() {
		t.Fatal("the installation shows no progress, or cannot be cancelled")
	}
	s.sh.onClose()
	if !contains(overlayTexts(w), "SAMO is busy") {
		t.Fatalf("closing while busy: dialog %q", overlayTexts(w))
	}
	dismissDialog(t, w)
	test.Tap(s.taskCancel)
	waitIdle(t, s.sh)
	if !strings.Contains(s.message.Text, "you stopped it") || s.taskBox.Visible() || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("after cancelling: message %q", s.message.Text)
	}
	if n, _ := store.Count(context.Background()); n != 0 {
		t.Fatal("the draft was saved while the window stayed open")
	}
	waitSettled(t, s.sh, s.sh.onClose)
	if n, _ := store.Count(context.Background()); n != 1 {
		t.Errorf("closing once idle saved %d entries, want the draft", n)
	}
}
