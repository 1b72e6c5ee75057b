package journal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/samojournal/samo/internal/units"
)

// Model kinds, as the model manager lists them.
const (
	ModelSpeech    = "speech"
	ModelEmotion   = "emotion"
	ModelEmbedding = "embedding"
)

// ModelListing is a model SAMO can download, has installed, or has built
// in, and where it stands.
type ModelListing struct {
	Name string `json:"name"`
	// Kind is speech, emotion or embedding.
	Kind string `json:"kind"`
	// Title and Description say what it is and what it is good for.
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Size is the download size in bytes (0 for a built-in model).
	Size      int64 `json:"size"`
	Quantized bool  `json:"quantized,omitempty"`
	// Source is "catalog" (downloadable), "folder" (installed from a
	// folder by hand) or "built-in".
	Source    string `json:"source"`
	Installed bool   `json:"installed"`
	InUse     bool   `json:"in_use"`
	// Partial is what an interrupted download holds, in bytes.
	Partial int64  `json:"partial,omitempty"`
	Folder  string `json:"folder,omitempty"`
	// Files are an installed model's files with their digests, and whether
	// each digest is the first download's (the catalog gave none).
	Files []ModelFile `json:"files,omitempty"`
}

// State says where a model stands, in a few words: "in use", "installed",
// "45 % downloaded" (an interrupted download) or "available".
func (l ModelListing) State() string {
	switch {
	case l.InUse:
		return "in use"
	case l.Installed:
		return "installed"
	case l.Partial > 0 && l.Size > 0:
		return fmt.Sprintf("%d %% downloaded", min(99, l.Partial*100/l.Size))
	}
	return "available"
}

// ModelFile is one file of an installed model.
type ModelFile struct {
	Path     string `json:"path"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	Recorded bool   `json:"recorded,omitempty"`
}

// Download phases, in DownloadProgress.Phase.
const (
	PhaseWaiting     = "waiting"
	PhaseDownloading = "downloading"
	PhaseRetrying    = "retrying"
	PhaseVerifying   = "verifying"
	PhaseChecking    = "checking"
	PhaseDone        = "done"
)

// DownloadProgress is a model download's state, reported at a steady
// interval while it runs.
type DownloadProgress struct {
	Model string `json:"model"`
	Phase string `json:"phase"`
	File  string `json:"file,omitempty"`
	// Done and Total are bytes of the whole model.
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
	// Rate is bytes a second lately; Left the time left at that rate
	// (0: not known yet).
	Rate float64       `json:"rate"`
	Left time.Duration `json:"left"`
	// Note says why it waits or retries.
	Note string `json:"note,omitempty"`
}

// ModelManager lists, downloads, installs, checks and removes the models
// SAMO reads with (inference/engine's Engine is the real one). A model
// becomes the one in use only after it has been opened and has run.
type ModelManager interface {
	ListModels(ctx context.Context) ([]ModelListing, error)
	// GetModel downloads the catalog model called name (resuming an
	// interrupted download), verifies and checks it, installs it and uses
	// it from now on.
	GetModel(ctx context.Context, name string, progress func(DownloadProgress)) (ModelInfo, error)
	// InstallModel uses the model in the folder dir; kind "" detects it.
	InstallModel(ctx context.Context, dir, kind string, quantized bool) (ModelInfo, error)
	// VerifyModel checks an installed model's files and that it opens.
	VerifyModel(ctx context.Context, name string) (ModelListing, error)
	// RemoveModel deletes a downloaded model (and any interrupted
	// download of it); when it was in use, its kind goes back to the
	// built-in model (speech: to none).
	RemoveModel(ctx context.Context, name string) error
	// UseModel makes an installed or built-in model the one in use.
	UseModel(ctx context.Context, name string) (ModelInfo, error)
}

// ErrNoModelManager means the Service was made without a model manager.
var ErrNoModelManager = errors.New("journal: no model manager")

// WithModelManager gives the Service its model manager.
func WithModelManager(m ModelManager) Option { return func(s *Service) { s.manager = m } }

func (s *Service) modelManager() (ModelManager, error) {
	if s.manager == nil {
		return nil, ErrNoModelManager
	}
	return s.manager, nil
}

// ListModels lists the models SAMO can download, has installed or has
// built in, and which are in use.
func (s *Service) ListModels(ctx context.Context) ([]ModelListing, error) {
	m, err := s.modelManager()
	if err != nil {
		return nil, err
	}
	return m.ListModels(ctx)
}

// GetModel downloads, verifies, checks, installs and uses the catalog
// model called name, reporting progress; cancelling ctx stops it and
// leaves nothing behind.
func (s *Service) GetModel(ctx context.Context, name string, progress func(DownloadProgress)) (ModelInfo, error) {
	m, err := s.modelManager()
	if err != nil {
		return ModelInfo{}, err
	}
	return m.GetModel(ctx, name, progress)
}

// InstallModel uses the model in the folder dir (kind "" detects it).
func (s *Service) InstallModel(ctx context.Context, dir, kind string, quantized bool) (ModelInfo, error) {
	m, err := s.modelManager()
	if err != nil {
		return ModelInfo{}, err
	}
	return m.InstallModel(ctx, dir, kind, quantized)
}

// VerifyModel checks an installed model.
func (s *Service) VerifyModel(ctx context.Context, name string) (ModelListing, error) {
	m, err := s.modelManager()
	if err != nil {
		return ModelListing{}, err
	}
	return m.VerifyModel(ctx, name)
}

// RemoveModel deletes a downloaded model.
func (s *Service) RemoveModel(ctx context.Context, name string) error {
	m, err := s.modelManager()
	if err != nil {
		return err
	}
	return m.RemoveModel(ctx, name)
}

// UseModel makes an installed or built-in model the one in use.
func (s *Service) UseModel(ctx context.Context, name string) (ModelInfo, error) {
	m, err := s.modelManager()
	if err != nil {
		return ModelInfo{}, err
	}
	return m.UseModel(ctx, name)
}

// String is the progress as a person reads it: "Whisper… 45 % · 36 MB of
// 80 MB · 4.1 MB/s · 11 s left", or what it waits for.
func (p DownloadProgress) String() string {
	switch p.Phase {
	case PhaseWaiting:
		return p.Model + ": " + p.Note
	case PhaseVerifying:
		return fmt.Sprintf("%s: checking %s", p.Model, p.File)
	case PhaseChecking:
		return p.Model + ": opening the model to check it works"
	case PhaseDone:
		return fmt.Sprintf("%s: %s, done", p.Model, units.Bytes(p.Total))
	}
	s := fmt.Sprintf("%s: %s of %s", p.Model, units.Bytes(p.Done), units.Bytes(p.Total))
	if p.Total > 0 {
		s = fmt.Sprintf("%s: %d %% · %s of %s", p.Model, min(100, p.Done*100/p.Total), units.Bytes(p.Done), units.Bytes(p.Total))
	}
	switch {
	case p.Phase == PhaseRetrying:
		s += " · " + p.Note
	case p.Rate > 0:
		s += fmt.Sprintf(" · %s/s", units.Bytes(int64(p.Rate)))
		if p.Left > 0 {
			s += " · " + units.Left(p.Left) + " left"
		}
	default:
		s += " · waiting for data"
	}
	return s
}
