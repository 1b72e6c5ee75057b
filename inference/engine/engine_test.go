package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/samojournal/samo/journal"
)

// newEngine returns an Engine with settings in a temporary journal folder;
// it is closed when the test ends (one onnxruntime environment at a time).
func newEngine(t *testing.T, cfg Config) (*Engine, *journal.SettingsFile) {
	t.Helper()
	for _, v := range []string{EnvEmotionModel, EnvSpeechModel, EnvProvider} {
		t.Setenv(v, "")
	}
	settings := journal.NewSettingsFile(t.TempDir())
	e := New(cfg, settings, nil)
	t.Cleanup(func() { e.Close() })
	return e, settings
}

func TestEngine_ChoosesFlagThenEnvironmentThenSettings(t *testing.T) {
	e, settings := newEngine(t, Config{})
	if d, err := e.EmotionModelDir(); err != nil || d != "" {
		t.Fatalf("nothing chosen: %q, %v; want the built-in model", d, err)
	}
	if p, err := e.Provider(); err != nil || p != "auto" {
		t.Fatalf("provider %q, %v; want auto", p, err)
	}
	if err := settings.Update(func(s *journal.Settings) { s.EmotionModel, s.SpeechModel, s.Provider = "/settings", "/speech", "cpu" }); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.EmotionModelDir(); d != "/settings" {
		t.Errorf("settings: %q", d)
	}
	if p, _ := e.Provider(); p != "cpu" {
		t.Errorf("settings provider: %q", p)
	}
	t.Setenv(EnvEmotionModel, "/environment")
	if d, _ := e.EmotionModelDir(); d != "/environment" {
		t.Errorf("environment: %q", d)
	}
	e.cfg.EmotionModel = "/flag"
	if d, _ := e.EmotionModelDir(); d != "/flag" {
		t.Errorf("flag: %q", d)
	}
	if d, _ := e.SpeechModelDir(); d != "/speech" {
		t.Errorf("speech from the settings: %q", d)
	}
	e.cfg.Provider = "tpu"
	if _, err := e.Provider(); err == nil {
		t.Error("an unknown provider was taken")
	}
}

// The emotion model in use follows the settings: installing another (here
// the built-in one with every threshold near zero, so every label passes)
// changes the next reading, and going back to the built-in one too.
func TestEngine_AnalyzerFollowsTheSettings(t *testing.T) {
	ctx := context.Background()
	e, settings := newEngine(t, Config{})
	read := func() int {
		t.Helper()
		em, err := e.AnalyzeText(ctx, "I am so happy and grateful today")
		if err != nil {
			t.Fatal(err)
		}
		return len(em.Labels)
	}
	before := read()
	if before == 0 || before >= len(journal.EmotionLabels) {
		t.Fatalf("the built-in model read %d labels", before)
	}
	cl, err := e.Analyzer()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "all-labels")
	if err := writeZeroThresholds(cl.Bundle(), dir); err != nil {
		t.Fatal(err)
	}
	info, err := e.InstallEmotionModel(ctx, dir, false)
	if err != nil || info.Source != dir || info.Provider != "cpu" {
		t.Fatalf("install: %+v, %v", info, err)
	}
	if s, _ := settings.Load(); s.EmotionModel != dir {
		t.Errorf("settings after install: %+v", s)
	}
	if n := read(); n != len(journal.EmotionLabels) {
		t.Errorf("after installing the model with thresholds near zero: %d labels, want all 28", n)
	}
	if err := e.UseBuiltInEmotionModel(); err != nil {
		t.Fatal(err)
	}
	if n := read(); n != before {
		t.Errorf("back on the built-in model: %d labels, want %d", n, before)
	}
	if m, err := e.EmotionModel(ctx); err != nil || m.Source != "built-in" {
		t.Errorf("model in use: %+v, %v", m, err)
	}
}

// A model that does not load is refused, and the settings are left as
// they were.
func TestEngine_InstallRefusesWhatDoesNotLoad(t *testing.T) {
	ctx := context.Background()
	e, settings := newEngine(t, Config{})
	empty := t.TempDir()
	if _, err := e.InstallEmotionModel(ctx, empty, false); err == nil {
		t.Error("an empty folder was installed as an emotion model")
	}
	if _, err := e.InstallSpeechModel(ctx, empty); err == nil {
		t.Error("an empty folder was installed as a speech model")
	}
	if s, _ := settings.Load(); s != (journal.Settings{}) {
		t.Errorf("settings changed: %+v", s)
	}
	if _, err := e.Transcribe(ctx, make([]float32, 16000), nil); !errors.Is(err, journal.ErrNoSpeechModel) {
		t.Errorf("transcribe without a model: %v, want ErrNoSpeechModel", err)
	}
	if m, err := e.SpeechModel(ctx); err != nil || m.Source != "" {
		t.Errorf("speech model: %+v, %v; want none", m, err)
	}
}
