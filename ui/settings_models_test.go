package ui

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// modelServer serves fixture model files at /OWNER/NAME/resolve/REV/PATH
// with range requests, as the Hugging Face endpoint does, chunk bytes at
// a time with delay between chunks (until the request is cancelled).
type modelServer struct {
	files map[string][]byte // by URL path
	delay atomic.Int64      // nanoseconds between chunks
	chunk int
	// missing answers 404 for every file.
	missing atomic.Bool
}

const fixtureRev = "0123456789abcdef0123456789abcdef01234567"

func newModelServer(t *testing.T) (*modelServer, *httptest.Server) {
	s := &modelServer{files: map[string][]byte{}, chunk: 8 << 10}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

func (s *modelServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, ok := s.files[r.URL.Path]
	if !ok || s.missing.Load() {
		http.NotFound(w, r)
		return
	}
	var from int64
	if h := r.Header.Get("Range"); h != "" {
		from, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(h, "bytes="), "-"), 10, 64)
	}
	if from > int64(len(data)) {
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(int64(len(data))-from, 10))
	if from > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(data)-1, len(data)))
		w.WriteHeader(http.StatusPartialContent)
	}
	for rest := data[from:]; len(rest) > 0; {
		n := min(s.chunk, len(rest))
		if _, err := w.Write(rest[:n]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		rest = rest[n:]
		if d := time.Duration(s.delay.Load()); d > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(d):
			}
		}
	}
}

// fixtureModel adds a model of kind with one file of size random bytes to
// the server and returns its catalog entry; about, when set, is the size
// the catalog gives instead of the exact one.
func (s *modelServer) fixtureModel(name, kind, title string, size int, quantized bool, about int64) models.CatalogModel {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(rand.IntN(256))
	}
	repo := "samo-test/" + name
	s.files["/"+repo+"/resolve/"+fixtureRev+"/onnx/model.onnx"] = data
	f := models.CatalogFile{Path: "onnx/model.onnx", Size: int64(size)}
	if about > 0 {
		f = models.CatalogFile{Path: f.Path, About: about}
	}
	return models.CatalogModel{Name: name, Kind: kind, Title: title, Description: "A fixture " + kind + " model.",
		Repo: repo, Revision: fixtureRev, Quantized: quantized, Files: []models.CatalogFile{f}}
}

// managedModels is a journal.ModelManager for the window's tests: the
// model manager of inference/models downloads from a local server into a
// temporary models folder, and a model put in use becomes fakeModels'.
type managedModels struct {
	*fakeModels
	mgr   *models.Manager
	lock  sync.Mutex
	inUse map[string]string // by kind; "" for the built-in one
}

func newManagedModels(t *testing.T, endpoint string, cms ...models.CatalogModel) *managedModels {
	mgr := models.NewManager(filepath.Join(t.TempDir(), "models"), models.Catalog{Models: cms}, endpoint)
	mgr.Backoff, mgr.Retries = 10*time.Millisecond, 1
	return &managedModels{fakeModels: &fakeModels{emotion: builtIn, speaks: waiting()}, mgr: mgr, inUse: map[string]string{}}
}

const builtInEmotions = "built-in-emotions"

func (f *managedModels) ListModels(context.Context) ([]journal.ModelListing, error) {
	f.lock.Lock()
	defer f.lock.Unlock()
	list, err := f.mgr.List()
	if err != nil {
		return nil, err
	}
	out := []journal.ModelListing{{Name: builtInEmotions, Kind: journal.ModelEmotion, Title: "SAMO's own emotion model",
		Source: "built-in", Installed: true, InUse: f.inUse[journal.ModelEmotion] == "", Description: "Built into the program."}}
	for _, l := range list {
		out = append(out, journal.ModelListing{Name: l.Name, Kind: l.Kind, Title: l.Title, Description: l.Description,
			Size: l.Size(), Quantized: l.Quantized, Source: "catalog", Installed: l.Installed, Partial: l.Partial,
			InUse: l.Installed && f.inUse[l.Kind] == l.Name})
	}
	return out, nil
}

func (f *managedModels) GetModel(ctx context.Context, name string, progress func(journal.DownloadProgress)) (journal.ModelInfo, error) {
	_, err := f.mgr.Get(ctx, name, progress, nil)
	if err != nil {
		return journal.ModelInfo{}, err
	}
	return f.UseModel(ctx, name)
}

func (f *managedModels) UseModel(ctx context.Context, name string) (journal.ModelInfo, error) {
	if name == builtInEmotions {
		f.lock.Lock()
		f.inUse[journal.ModelEmotion] = ""
		f.lock.Unlock()
		return builtIn, f.UseBuiltInEmotionModel()
	}
	rec, err := f.mgr.Verify(name)
	if err != nil {
		return journal.ModelInfo{}, err
	}
	f.lock.Lock()
	f.inUse[rec.Model.Kind] = name
	f.lock.Unlock()
	switch dir := f.mgr.Folder(name); rec.Model.Kind {
	case journal.ModelSpeech:
		return f.InstallSpeechModel(ctx, dir)
	case journal.ModelEmotion:
		return f.InstallEmotionModel(ctx, dir, rec.Model.Quantized)
	default:
		return journal.ModelInfo{Name: name, Version: "1", Source: dir}, nil
	}
}

func (f *managedModels) RemoveModel(ctx context.Context, name string) error {
	f.lock.Lock()
	for kind, n := range f.inUse {
		if n == name {
			delete(f.inUse, kind)
			if kind == journal.ModelSpeech {
				f.RemoveSpeechModel()
			} else if kind == journal.ModelEmotion {
				f.UseBuiltInEmotionModel()
			}
		}
	}
	f.lock.Unlock()
	return f.mgr.Remove(ctx, name)
}

func (f *managedModels) InstallModel(context.Context, string, string, bool) (journal.ModelInfo, error) {
	return journal.ModelInfo{}, errors.New("managedModels: install from a folder is not faked")
}

func (f *managedModels) VerifyModel(context.Context, string) (journal.ModelListing, error) {
	return journal.ModelListing{}, errors.New("managedModels: verify is not faked")
}

// modelFixtures is a server with three catalog models (two speech, one
// emotion) and the Service whose model manager downloads them.
type modelFixtures struct {
	server *modelServer
	models *managedModels
	svc    *journal.Service
}

func newModelFixtures(t *testing.T, opts ...journal.Option) *modelFixtures {
	t.Helper()
	srv, hs := newModelServer(t)
	mm := newManagedModels(t, hs.URL,
		srv.fixtureModel("whisper-tiny-int8", journal.ModelSpeech, "Whisper tiny, multilingual (int8)", 96<<10, true, 0),
		srv.fixtureModel("whisper-base-int8", journal.ModelSpeech, "Whisper base, multilingual (int8)", 256<<10, true, 0),
		srv.fixtureModel("roberta-go-emotions-int8", journal.ModelEmotion, "RoBERTa GoEmotions (int8)", 1_500_000, true, 0))
	opts = append([]journal.Option{journal.WithModels(mm), journal.WithModelManager(mm), withSettings(t),
		journal.WithSpeech(journaltest.PCMDecoder{}, mm.speaks)}, opts...)
	return &modelFixtures{server: srv, models: mm, svc: journal.NewService(journaltest.NewMemStore(), opts...)}
}

// rowText is the title line of the model's row ("" when it has none),
// read as an action on the window would.
func rowText(sh *shell, name string) string {
	var text string
	act(sh, func() {
		if r := sh.settings.models.rows[name]; r != nil {
			text = r.title.Text
		}
	})
	return text
}

// tapRow taps the row's action (or, with remove, its Remove button).
func tapRow(t *testing.T, sh *shell, name string, remove bool) {
	t.Helper()
	act(sh, func() {
		r := sh.settings.models.rows[name]
		switch {
		case r == nil:
			t.Fatalf("no row for %s", name)
		case remove && r.remove != nil:
			test.Tap(r.remove)
		case !remove && r.action != nil:
			test.Tap(r.action)
		default:
			t.Fatalf("the row of %s has no such button", name)
		}
	})
}

// eventually polls cond, as an action on the window, until it holds or
// the deadline passes.
func eventually(t *testing.T, sh *shell, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok := false
		act(sh, func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestModelsSection_ListsModelsByKind(t *testing.T) {
	fx := newModelFixtures(t)
	// an interrupted download of a quarter of Whisper base
	part := filepath.Join(fx.models.mgr.Dir, ".partial", "whisper-base-int8", "onnx", "model.onnx.part")
	if err := os.MkdirAll(filepath.Dir(part), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part, make([]byte, 64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	s, w := newSettings(t, test.NewTempApp(t), fx.svc)

	labels := shownLabels(w)
	for _, want := range []string{"Speech", "Emotions", "Models to download",
		"Whisper tiny, multilingual (int8) · 98 KB · available",
		"Whisper base, multilingual (int8) · 262 KB · 25 % downloaded",
		"RoBERTa GoEmotions (int8) · 1.5 MB · available",
		"SAMO's own emotion model · built in · in use",
		"A fixture speech model."} {
		if !contains(labels, want) {
			t.Errorf("no label shows %q; labels %q", want, labels)
		}
	}
	if contains(labels, "Search by meaning") {
		t.Error("a heading shows for a kind with no model")
	}
	rows := s.models.rows
	if b := rows["whisper-tiny-int8"].action; b == nil || b.Text != "Download" || rows["whisper-tiny-int8"].remove != nil {
		t.Errorf("an available model offers %v, want Download alone", b)
	}
	if b := rows["whisper-base-int8"].action; b == nil || b.Text != "Resume" {
		t.Errorf("a partly downloaded model offers %v, want Resume", b)
	}
	if r := rows[builtInEmotions]; r.action != nil || r.remove != nil {
		t.Error("the built-in model in use offers an action")
	}
}

// Download on a model the local server serves ends with it downloaded and
// in use, the list saying so; Use switches back to the built-in model, and
// Remove (confirmed) deletes a download.
func TestModelsSection_DownloadUseAndRemove(t *testing.T) {
	fx := newModelFixtures(t)
	sh, w := newTestShellIn(t, test.NewTempApp(t), fx.svc, WithScreen(ScreenSettings))
	waitIdle(t, sh)
	s := sh.settings

	fx.server.delay.Store(int64(5 * time.Millisecond)) // long enough to see it run
	tapRow(t, sh, "whisper-base-int8", false)
	act(sh, func() {
		if !s.models.progressBox.Visible() || !s.models.cancel.Visible() || !strings.Contains(s.models.progressWhat.Text, "Whisper base") {
			t.Errorf("no progress shows for the download: %q", s.models.progressWhat.Text)
		}
		if !s.models.rows["whisper-tiny-int8"].action.Disabled() {
			t.Error("another download can start during this one")
		}
	})
	eventually(t, sh, 20*time.Second, "Whisper base is not in use", func() bool {
		return strings.HasSuffix(s.models.rows["whisper-base-int8"].title.Text, "· in use")
	})
	waitIdle(t, sh)
	if s.models.progressBox.Visible() || !strings.Contains(s.models.status.Text, "Whisper base is downloaded, checked and in use") {
		t.Errorf("after the download: progress shown %v, status %q", s.models.progressBox.Visible(), s.models.status.Text)
	}
	if !strings.Contains(s.speechInfo.Text, "whisper-base-int8") || s.removeSpeech.Disabled() {
		t.Errorf("the speech model shown is %q", s.speechInfo.Text)
	}
	if r := s.models.rows["whisper-base-int8"]; r.action != nil || r.remove == nil {
		t.Error("the model in use should offer Remove alone")
	}
	if _, err := os.Stat(filepath.Join(fx.models.mgr.Dir, "whisper-base-int8", "onnx", "model.onnx")); err != nil {
		t.Errorf("the model is not installed: %v", err)
	}

	// the emotion model, then back to the built-in one
	tapRow(t, sh, "roberta-go-emotions-int8", false)
	waitIdle(t, sh)
	if got := rowText(sh, "roberta-go-emotions-int8"); !strings.HasSuffix(got, "in use") || !strings.HasSuffix(rowText(sh, builtInEmotions), "· installed") {
		t.Fatalf("after downloading the emotion model: %q", got)
	}
	if s.reread.Importance != widget.HighImportance || !strings.Contains(s.emotionInfo.Text, "roberta-go-emotions-int8") {
		t.Errorf("the new emotion model is not shown, or re-reading not offered: %q", s.emotionInfo.Text)
	}
	tapRow(t, sh, builtInEmotions, false)
	waitIdle(t, sh)
	if !strings.HasSuffix(rowText(sh, builtInEmotions), "in use") || !strings.HasSuffix(rowText(sh, "roberta-go-emotions-int8"), "· installed") {
		t.Fatalf("after Use: %q", rowText(sh, builtInEmotions))
	}

	// Remove asks first; Keep it keeps it
	tapRow(t, sh, "whisper-base-int8", true)
	if !strings.Contains(strings.Join(overlayTexts(w), " "), "recordings are then kept without words") {
		t.Errorf("the confirmation says %q", overlayTexts(w))
	}
	tapDialogButton(t, w, "Keep it")
	waitIdle(t, sh)
	if !strings.HasSuffix(rowText(sh, "whisper-base-int8"), "in use") {
		t.Fatal("Keep it removed the model")
	}
	tapRow(t, sh, "whisper-base-int8", true)
	tapDialogButton(t, w, "Remove")
	waitIdle(t, sh)
	if got := rowText(sh, "whisper-base-int8"); !strings.HasSuffix(got, "· available") || !strings.Contains(s.speechInfo.Text, "No speech model") {
		t.Errorf("after Remove: %q; speech %q", got, s.speechInfo.Text)
	}
}

// Cancel during a slow download stops it: the model is not installed, and
// nothing of it is left in the models folder.
func TestModelsSection_CancelLeavesNothing(t *testing.T) {
	fx := newModelFixtures(t)
	fx.server.chunk = 4 << 10
	fx.server.delay.Store(int64(40 * time.Millisecond)) // 1.5 MB in about 15 s
	sh, _ := newTestShellIn(t, test.NewTempApp(t), fx.svc, WithScreen(ScreenSettings))
	waitIdle(t, sh)
	m := sh.settings.models

	tapRow(t, sh, "roberta-go-emotions-int8", false)
	eventually(t, sh, 10*time.Second, "no progress is shown", func() bool {
		return m.progressBar.Value > 0 && strings.Contains(m.progressText.Text, "%") && strings.Contains(m.progressText.Text, "of 1.5 MB")
	})
	act(sh, func() { test.Tap(m.cancel) })
	waitIdle(t, sh)
	if m.progressBox.Visible() || !strings.Contains(m.status.Text, "cancelled") {
		t.Errorf("after Cancel: progress shown %v, status %q", m.progressBox.Visible(), m.status.Text)
	}
	if got := rowText(sh, "roberta-go-emotions-int8"); !strings.HasSuffix(got, "· available") {
		t.Errorf("after Cancel the model shows %q", got)
	}
	for _, dir := range []string{filepath.Join(fx.models.mgr.Dir, ".partial", "roberta-go-emotions-int8"), fx.models.mgr.Folder("roberta-go-emotions-int8")} {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left behind (%v)", dir, err)
		}
	}
	if info, _ := fx.models.EmotionModel(context.Background()); info != builtIn {
		t.Errorf("the emotion model in use is %+v, want the built-in one", info)
	}
}

// A download the server refuses says so, in a dialog and in the section,
// with what to do.
func TestModelsSection_FailedDownloadIsShown(t *testing.T) {
	fx := newModelFixtures(t)
	fx.server.missing.Store(true)
	sh, w := newTestShellIn(t, test.NewTempApp(t), fx.svc, WithScreen(ScreenSettings))
	waitIdle(t, sh)
	tapRow(t, sh, "whisper-tiny-int8", false)
	waitIdle(t, sh)
	m := sh.settings.models
	if !strings.Contains(m.status.Text, "Whisper tiny was not downloaded") || !strings.Contains(m.status.Text, "try again") {
		t.Errorf("status %q", m.status.Text)
	}
	if d := strings.Join(overlayTexts(w), " "); !strings.Contains(d, "not found") {
		t.Errorf("the dialog says %q", d)
	}
	if got := rowText(sh, "whisper-tiny-int8"); !strings.HasSuffix(got, "· available") {
		t.Errorf("the model shows %q", got)
	}
}

func TestSpeechToOffer(t *testing.T) {
	l := func(name string, size int64, q bool) journal.ModelListing {
		return journal.ModelListing{Name: name, Kind: journal.ModelSpeech, Source: "catalog", Size: size, Quantized: q}
	}
	for _, tt := range []struct {
		name string
		list []journal.ModelListing
		want string
	}{
		{"base int8 first", []journal.ModelListing{l("whisper-tiny-int8", 43e6, true), l("whisper-base", 294e6, false), l("whisper-base-int8", 79e6, true)}, "whisper-base-int8"},
		{"then base", []journal.ModelListing{l("whisper-tiny", 150e6, false), l("whisper-base", 294e6, false)}, "whisper-base"},
		{"then the smallest quantized", []journal.ModelListing{l("whisper-small", 900e6, false), l("whisper-tiny-int8", 43e6, true), l("whisper-large-int8", 900e6, true)}, "whisper-tiny-int8"},
		{"none", []journal.ModelListing{{Name: "e", Kind: journal.ModelEmotion, Source: "catalog", Size: 5}}, ""},
		{"one installed", []journal.ModelListing{l("whisper-base-int8", 79e6, true), {Name: "mine", Kind: journal.ModelSpeech, Source: "folder", Installed: true}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := speechToOffer(tt.list)
			if ok != (tt.want != "") || got.Name != tt.want {
				t.Errorf("offers %q (%v), want %q", got.Name, ok, tt.want)
			}
		})
	}
}

// Record with no speech model offers the download once: after Not now it
// is not offered again, in this run or the next.
func TestJournal_RecordOffersSpeechModelOnce(t *testing.T) {
	srv, hs := newModelServer(t)
	mm := newManagedModels(t, hs.URL,
		srv.fixtureModel("whisper-tiny-int8", journal.ModelSpeech, "Whisper tiny, multilingual (int8)", 1000, true, 43_288_499),
		srv.fixtureModel("whisper-base-int8", journal.ModelSpeech, "Whisper base, multilingual (int8)", 1000, true, 79_388_559),
		srv.fixtureModel("whisper-base", journal.ModelSpeech, "Whisper base, multilingual", 1000, false, 293_988_559))
	settings := withSettings(t)
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithModels(mm), journal.WithModelManager(mm), settings,
		journal.WithSpeech(journaltest.PCMDecoder{}, mm.speaks))
	a := test.NewTempApp(t)
	v := &memVoice{dir: t.TempDir()}
	sh, w := newTestShellIn(t, a, svc, WithVoice(v))
	j := sh.journal

	onUI(func() { test.Tap(j.record) })
	waitIdle(t, sh)
	if v.count() != 1 || !j.recorder.content.Visible() {
		t.Fatal("the recording did not start")
	}
	const ask = "Recordings wait for a speech model. Download Whisper base (about 80 MB)?"
	if got := strings.Join(overlayTexts(w), " "); !strings.Contains(got, ask) {
		t.Fatalf("the offer says %q, want %q", got, ask)
	}
	tapDialogButton(t, w, "Not now")
	waitIdle(t, sh)
	if st, _ := svc.Settings(); !st.SpeechDownloadOffered {
		t.Error("the settings do not keep that the offer was made")
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("a dialog is still open")
	}
	v.take(0).speak(10)
	waitSettled(t, sh, j.onRecordKey)
	if e := j.entries; len(e) != 1 || !e[0].AwaitingTranscript() {
		t.Fatalf("the recording was not kept waiting for words: %+v", e)
	}

	onUI(func() { test.Tap(j.record) })
	waitIdle(t, sh)
	if w.Canvas().Overlays().Top() != nil {
		t.Errorf("offered again: %q", overlayTexts(w))
	}
	v.take(1).speak(10)
	waitSettled(t, sh, j.onRecordKey)

	// the next start does not offer it either
	sh2, w2 := newTestShellIn(t, a, svc, WithVoice(v))
	onUI(func() { test.Tap(sh2.journal.record) })
	waitIdle(t, sh2)
	if w2.Canvas().Overlays().Top() != nil {
		t.Errorf("offered again at the next start: %q", overlayTexts(w2))
	}
	v.take(2).speak(10)
	waitSettled(t, sh2, sh2.journal.onRecordKey)
}

// Download in the offer downloads the model while the recording goes on;
// once it is in use the journal says so.
func TestJournal_RecordOfferDownloads(t *testing.T) {
	fx := newModelFixtures(t)
	v := &memVoice{dir: t.TempDir()}
	sh, w := newTestShellIn(t, test.NewTempApp(t), fx.svc, WithVoice(v))
	j := sh.journal
	onUI(func() { test.Tap(j.record) })
	waitIdle(t, sh)
	if !strings.Contains(strings.Join(overlayTexts(w), " "), "Download Whisper base (about 262 KB)?") {
		t.Fatalf("the offer says %q", overlayTexts(w))
	}
	tapDialogButton(t, w, "Download")
	if j.recorder.take == nil {
		t.Fatal("the recording stopped")
	}
	waitIdle(t, sh)
	if st, _ := fx.svc.Settings(); !st.SpeechDownloadOffered {
		t.Error("the settings do not keep that the offer was made")
	}
	if !strings.Contains(j.status.Text, "Whisper base is in use") || !strings.HasSuffix(rowText(sh, "whisper-base-int8"), "in use") {
		t.Errorf("after the download: status %q, row %q", j.status.Text, rowText(sh, "whisper-base-int8"))
	}
	v.take(0).speak(10)
	waitSettled(t, sh, j.onRecordKey)
	if e := j.entries; len(e) != 1 || e[0].Text != "words from the recording" {
		t.Errorf("the recording was not transcribed with the model downloaded: %+v", e)
	}
}
