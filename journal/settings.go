package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Settings are the person's choices, kept in the journal folder beside the
// journal (they hold no journal content, so they are not encrypted).
type Settings struct {
	// EmotionModel is the installed emotion bundle in use, or "" for the
	// built-in one.
	EmotionModel string `json:"emotion_model,omitempty"`
	// SpeechModel is the installed speech (Whisper) model folder, or "".
	SpeechModel string `json:"speech_model,omitempty"`
	// SpeechPrecision picks its files where the folder has both: "int8",
	// "fp32", or "" for the int8 ones (smaller and faster on a CPU).
	SpeechPrecision string `json:"speech_precision,omitempty"`
	// EmbeddingModel is the installed sentence-embedding model folder, or
	// "" for the built-in GloVe one.
	EmbeddingModel string `json:"embedding_model,omitempty"`
	// Provider is where models run (auto, cpu, cuda, coreml, directml);
	// "" is auto.
	Provider string `json:"provider,omitempty"`
	// Microphone is the input device's name, or "" for the default one.
	Microphone string `json:"microphone,omitempty"`
	// Theme is "light", "dark", or "" to follow the system.
	Theme string `json:"theme,omitempty"`
	// SpeechDownloadOffered is set once the window has offered, at a
	// recording, to download a speech model: it is offered only once.
	SpeechDownloadOffered bool `json:"speech_download_offered,omitempty"`
	// WindowWidth and WindowHeight are the window's last size.
	WindowWidth  float32 `json:"window_width,omitempty"`
	WindowHeight float32 `json:"window_height,omitempty"`
}

// SettingsFileName is the settings file's name in the journal folder.
const SettingsFileName = "settings.json"

// SettingsFile keeps Settings in a JSON file, written atomically. It is
// safe for concurrent use.
type SettingsFile struct {
	path string
	mu   sync.Mutex
}

// NewSettingsFile returns the settings kept in the journal folder home.
func NewSettingsFile(home string) *SettingsFile {
	return &SettingsFile{path: filepath.Join(home, SettingsFileName)}
}

// Path is the settings file.
func (f *SettingsFile) Path() string { return f.path }

// Load reads the settings; a missing file gives the defaults.
func (f *SettingsFile) Load() (Settings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.load()
}

func (f *SettingsFile) load() (Settings, error) {
	var s Settings
	raw, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("journal: read settings: %w", err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("journal: settings %s: %w", f.path, err)
	}
	return s, nil
}

// Update loads the settings, applies change and saves them (a temporary
// file renamed into place, so a crash never leaves half a file).
func (f *SettingsFile) Update(change func(*Settings)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.load()
	if err != nil {
		return err
	}
	change(&s)
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("journal: save settings: %w", err)
	}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("journal: save settings: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".settings-")
	if err != nil {
		return fmt.Errorf("journal: save settings: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(raw, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		return fmt.Errorf("journal: save settings: %w", err)
	}
	return nil
}

// ModelInfo describes a model SAMO reads with.
type ModelInfo struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// Source is "built-in" or the model's folder.
	Source string `json:"source,omitempty"`
	// Detail says more in a few words ("int8", "English-only").
	Detail string `json:"detail,omitempty"`
	// Provider is where it runs (cpu, cuda…), once loaded.
	Provider string `json:"provider,omitempty"`
}

// Models are the emotion and speech models the journal reads with, as the
// settings choose them. inference/engine's Engine is the real one.
type Models interface {
	// EmotionModel describes the emotion model in use; SpeechModel the
	// speech model, with an empty Source when none is installed.
	EmotionModel(ctx context.Context) (ModelInfo, error)
	SpeechModel(ctx context.Context) (ModelInfo, error)
	// InstallEmotionModel checks the model in dir (a SAMO bundle or a
	// Hugging Face export; quantized picks its int8 file) and uses it from
	// now on; UseBuiltInEmotionModel goes back to SAMO's own.
	InstallEmotionModel(ctx context.Context, dir string, quantized bool) (ModelInfo, error)
	UseBuiltInEmotionModel() error
	// InstallSpeechModel checks the Whisper export in dir and uses it from
	// now on; RemoveSpeechModel stops transcribing (recordings then wait).
	InstallSpeechModel(ctx context.Context, dir string) (ModelInfo, error)
	RemoveSpeechModel() error
}

// EmbeddingModels are Models that also choose the embedding model behind
// Memory Lane's "by meaning". inference/engine's Engine is one.
type EmbeddingModels interface {
	// EmbeddingModel describes the embedding model in use.
	EmbeddingModel(ctx context.Context) (ModelInfo, error)
	// InstallEmbeddingModel checks the sentence-embedding export in dir
	// (quantized picks its int8 file) and uses it from now on;
	// UseBuiltInEmbeddingModel goes back to SAMO's own.
	InstallEmbeddingModel(ctx context.Context, dir string, quantized bool) (ModelInfo, error)
	UseBuiltInEmbeddingModel() error
}

// WithSettings gives the Service the person's settings.
func WithSettings(f *SettingsFile) Option { return func(s *Service) { s.settings = f } }

// WithModels gives the Service the models it reads with, to describe and
// change them.
func WithModels(m Models) Option { return func(s *Service) { s.models = m } }

// ErrNoSettings means the Service was made without settings.
var ErrNoSettings = errors.New("journal: no settings file")

// Settings returns the person's settings (the defaults without a file).
func (s *Service) Settings() (Settings, error) {
	if s.settings == nil {
		return Settings{}, nil
	}
	return s.settings.Load()
}

// ChangeSettings applies change to the person's settings and saves them.
func (s *Service) ChangeSettings(change func(*Settings)) error {
	if s.settings == nil {
		return ErrNoSettings
	}
	return s.settings.Update(change)
}

// Models returns the models the journal reads with, or nil when the
// Service was made without them.
func (s *Service) Models() Models { return s.models }
