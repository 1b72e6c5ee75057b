// Package engine holds the models a SAMO process reads with, built once and
// shared by the CLI and the window: the onnxruntime environment, the emotion
// analyzer, the speech transcriber and the embedding model behind Memory
// Lane, each chosen by a flag, else its environment variable, else the
// person's settings (this lookup is written here and nowhere else). The
// models open on first use and open again when the settings choose another;
// the Engine implements journal.Analyzer, journal.Explainer,
// journal.Transcriber, journal.Embedder, journal.WordVectorer,
// journal.Models, journal.EmbeddingModels and journal.ModelManager (the
// model manager of inference/models, each download opened and run before
// it is used) over them, and Check probes everything for `samo doctor`.
package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/samojournal/samo/assets"
	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/inference/speech"
	"github.com/samojournal/samo/inference/vad"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/journal"
)

// Environment variables that choose what the flags choose.
const (
	EnvEmotionModel = "SAMO_EMOTION_MODEL"
	EnvSpeechModel  = "SAMO_SPEECH_MODEL"
	EnvProvider     = "SAMO_PROVIDER"
	// EnvEmbeddingModel chooses the sentence-embedding model folder.
	EnvEmbeddingModel = "SAMO_EMBEDDING_MODEL"
	// EnvSpeechPrecision is auto, int8 or fp32 (see Config.SpeechPrecision).
	EnvSpeechPrecision = "SAMO_SPEECH_PRECISION"
)

// Config is what the flags say; an empty value falls back to the
// environment, then to the settings.
type Config struct {
	// ORTLibrary is the onnxruntime shared library (else $SAMO_ORT_LIB,
	// else searched).
	ORTLibrary string
	// EmotionModel is an installed emotion bundle to use instead of the
	// one the settings name (or the built-in one).
	EmotionModel string
	// SpeechModel is the speech (Whisper) model folder to use.
	SpeechModel string
	// SpeechPrecision is auto, int8 or fp32: which files of a speech
	// model folder that has both are read.
	SpeechPrecision string
	// Provider is where models run: auto, cpu, cuda, coreml or directml.
	Provider string
	// SpeechLanguage is the language recordings are transcribed in ("":
	// detected).
	SpeechLanguage string
	// EmbeddingModel is the sentence-embedding model folder (a Hugging
	// Face ONNX export) to use instead of the built-in GloVe one.
	EmbeddingModel string
	// ModelsDir is the folder the model manager keeps downloaded models
	// in; CatalogFile a person's own catalog, added to the built-in one.
	ModelsDir, CatalogFile string
}

// Engine is the process's models. It is safe for concurrent use; Close
// releases everything it opened.
type Engine struct {
	cfg      Config
	settings *journal.SettingsFile
	notices  *journal.Notices
	// builtInReference parses the built-in model's score reference once.
	builtInReference func() (emotion.ScoreReference, error)

	// opening is held while a model opens, so that two callers never open
	// the same one twice; mu guards the fields below.
	opening sync.Mutex
	mu      sync.Mutex
	rt      *inference.Runtime
	closers []func() error
	// cl is the emotion model in use, opened for clKey (folder and
	// provider); clErr is why it could not be, reported once per key.
	cl      *emotion.Classifier
	clKey   string
	clErr   error
	pipe    *speech.Pipeline
	pipeKey string
	// emb is the embedding model in use (see embedder.go).
	emb    embedding
	closed bool
}

// ErrClosed is returned by an Engine's models after Close.
var ErrClosed = errors.New("engine: closed")

// New returns an Engine that reads its choices from cfg, the environment
// and settings, and gives its warnings (a provider that fell back to the
// CPU, a model that could not be loaded) to notices.
func New(cfg Config, settings *journal.SettingsFile, notices *journal.Notices) *Engine {
	if notices == nil {
		notices = journal.NewNotices()
	}
	return &Engine{cfg: cfg, settings: settings, notices: notices,
		builtInReference: sync.OnceValues(func() (emotion.ScoreReference, error) {
			return emotion.ParseReference(assets.EmotionReference(), journal.EmotionLabels[:])
		})}
}

var (
	_ journal.Analyzer    = (*Engine)(nil)
	_ journal.Explainer   = (*Engine)(nil)
	_ journal.Transcriber = (*Engine)(nil)
	_ journal.Models      = (*Engine)(nil)
	_ journal.Embedder    = (*Engine)(nil)
)

// Runtime returns the process's onnxruntime, created on first use.
func (e *Engine) Runtime() *inference.Runtime {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runtime()
}

func (e *Engine) runtime() *inference.Runtime {
	if e.rt == nil {
		e.rt = inference.NewRuntime(inference.NewLocator(e.cfg.ORTLibrary, inference.EnvLibrary))
		e.rt.OnWarning(e.notices.Notify)
	}
	return e.rt
}

// Close releases the models, then the onnxruntime environment.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var first error
	for i := len(e.closers) - 1; i >= 0; i-- {
		if err := e.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	e.closers, e.cl, e.pipe = nil, nil, nil
	if e.rt != nil {
		if err := e.rt.Close(); err != nil && first == nil {
			first = err
		}
		e.rt = nil
	}
	e.closed = true
	return first
}

// keep registers f to run at Close.
func (e *Engine) keep(f func() error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closers = append(e.closers, f)
}

// choice is what the flags, the environment and the settings choose.
type choice struct {
	emotionDir, speechDir string // "": the built-in emotion model, no speech model
	embedDir              string // "": the built-in GloVe embedding
	provider              inference.Provider
	// speechVariant is the whisper variant the speech precision asks for.
	speechVariant string
}

// key names a model in use: its folder and the provider it runs on.
func (c choice) key(dir string) string { return dir + "\x00" + string(c.provider) }

// choose reads the choices, each from its flag, else its environment
// variable, else the settings (read once, and only when needed).
func (e *Engine) choose() (choice, error) {
	var (
		set     journal.Settings
		loaded  bool
		loadErr error
	)
	pick := func(flag, env string, from func(journal.Settings) string) string {
		if v := cmp.Or(flag, os.Getenv(env)); v != "" {
			return v
		}
		if !loaded && e.settings != nil {
			set, loadErr = e.settings.Load()
			loaded = true
		}
		return from(set)
	}
	c := choice{
		emotionDir: pick(e.cfg.EmotionModel, EnvEmotionModel, func(s journal.Settings) string { return s.EmotionModel }),
		speechDir:  pick(e.cfg.SpeechModel, EnvSpeechModel, func(s journal.Settings) string { return s.SpeechModel }),
		embedDir:   pick(e.cfg.EmbeddingModel, EnvEmbeddingModel, func(s journal.Settings) string { return s.EmbeddingModel }),
	}
	p := pick(e.cfg.Provider, EnvProvider, func(s journal.Settings) string { return s.Provider })
	prec := pick(e.cfg.SpeechPrecision, EnvSpeechPrecision, func(s journal.Settings) string { return s.SpeechPrecision })
	if loadErr != nil {
		return choice{}, loadErr
	}
	var err error
	if c.speechVariant, err = SpeechVariant(prec); err != nil {
		return choice{}, err
	}
	c.provider, err = inference.ParseProvider(cmp.Or(p, "auto"))
	return c, err
}

// SpeechVariant turns a speech precision (auto or "", int8, fp32) into
// the whisper variant that reads it.
func SpeechVariant(precision string) (string, error) {
	switch precision {
	case "", "auto":
		return whisper.VariantAuto, nil
	case "int8", "quantized":
		return "quantized", nil
	case "fp32":
		return "", nil
	}
	return "", fmt.Errorf("engine: speech precision %q: want auto, int8 or fp32", precision)
}

// Provider is the execution provider asked for (auto when nothing says).
func (e *Engine) Provider() (inference.Provider, error) {
	c, err := e.choose()
	return c.provider, err
}

// EmotionModelDir is the emotion bundle folder in use, "" for the built-in one.
func (e *Engine) EmotionModelDir() (string, error) {
	c, err := e.choose()
	return c.emotionDir, err
}

// SpeechModelDir is the speech model folder in use, "" when none is installed.
func (e *Engine) SpeechModelDir() (string, error) {
	c, err := e.choose()
	return c.speechDir, err
}

// EmotionBundle opens the emotion bundle in dir, or the one in use when
// dir is "" (the built-in one when none is chosen).
func (e *Engine) EmotionBundle(dir string) (*models.Bundle, error) {
	if dir == "" {
		c, err := e.choose()
		if err != nil {
			return nil, err
		}
		dir = c.emotionDir
	}
	return openBundle(dir)
}

// openBundle opens the emotion bundle in dir, the built-in one for "".
func openBundle(dir string) (*models.Bundle, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, models.ManifestFile)); err != nil {
			// A Hugging Face export used as it is (--emotion-model DIR):
			// checked as `samo emotions install` checks it, so the error
			// names what the folder lacks.
			m, err := emotion.ManifestFromHF(dir, false)
			if err != nil {
				return nil, fmt.Errorf("emotion model: %w", err)
			}
			b, err := models.OpenManifest(dir, m)
			if err != nil {
				return nil, fmt.Errorf("emotion model: %w", err)
			}
			return b, nil
		}
		b, err := models.Open(dir)
		if err != nil {
			return nil, fmt.Errorf("emotion model: %w", err)
		}
		return b, nil
	}
	b, err := models.OpenFS(assets.EmotionModel())
	if err != nil {
		return nil, fmt.Errorf("built-in emotion model: %w", err)
	}
	return b, nil
}

// Classifier opens a classifier on the bundle in dir ("": the one in use)
// on the provider asked for; it is closed with the Engine.
func (e *Engine) Classifier(dir string, opts emotion.Options) (*emotion.Classifier, error) {
	c, err := e.choose()
	if err != nil {
		return nil, err
	}
	return e.classifier(c, cmp.Or(dir, c.emotionDir), opts)
}

// classifier opens the bundle in dir ("": the built-in one) as c chooses.
func (e *Engine) classifier(c choice, dir string, opts emotion.Options) (*emotion.Classifier, error) {
	if e.isClosed() {
		return nil, ErrClosed
	}
	b, err := openBundle(dir)
	if err != nil {
		return nil, err
	}
	opts.Provider = c.provider
	cl, err := emotion.Open(e.Runtime(), b, opts)
	if err != nil {
		return nil, err
	}
	e.keep(cl.Close)
	return cl, nil
}

// Analyzer returns the emotion model in use (the one AnalyzeText reads
// with), opening it when the settings chose another since.
func (e *Engine) Analyzer() (*emotion.Classifier, error) { return e.analyzer() }

// analyzer returns the emotion model in use, opening it when the settings
// chose another since. A model that cannot be opened is not tried again
// until the choice changes (the journal then saves entries without
// emotions, with a notice, and re-reads them later).
func (e *Engine) analyzer() (*emotion.Classifier, error) {
	c, err := e.choose()
	if err != nil {
		return nil, err
	}
	key := c.key(c.emotionDir)
	cached := func() (*emotion.Classifier, error, bool) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.cl, e.clErr, e.clKey == key && (e.cl != nil || e.clErr != nil)
	}
	if cl, err, hit := cached(); hit {
		return cl, err
	}
	// One model opens at a time: a caller that waited here finds the
	// model the one before it opened.
	e.opening.Lock()
	defer e.opening.Unlock()
	if cl, err, hit := cached(); hit {
		return cl, err
	}
	cl, err := e.classifier(c, c.emotionDir, emotion.Options{})
	e.keepAnalyzer(key, cl, err)
	return cl, err
}

// keepAnalyzer makes cl (or err) the emotion model in use for key.
func (e *Engine) keepAnalyzer(key string, cl *emotion.Classifier, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cl, e.clKey, e.clErr = cl, key, err
}

func (e *Engine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// AnalyzeText implements journal.Analyzer with the emotion model in use.
func (e *Engine) AnalyzeText(ctx context.Context, text string) (*journal.Emotions, error) {
	cl, err := e.analyzer()
	if err != nil {
		return nil, err
	}
	return cl.AnalyzeText(ctx, text)
}

// ExplainText implements journal.Explainer with the emotion model in use.
func (e *Engine) ExplainText(ctx context.Context, text string) ([]journal.Why, error) {
	cl, err := e.analyzer()
	if err != nil {
		return nil, err
	}
	return cl.ExplainText(ctx, text)
}

// ModelName implements journal.Analyzer ("" when the model cannot be opened).
func (e *Engine) ModelName() string {
	if cl, err := e.analyzer(); err == nil {
		return cl.ModelName()
	}
	return ""
}

// ModelVersion implements journal.Analyzer.
func (e *Engine) ModelVersion() string {
	if cl, err := e.analyzer(); err == nil {
		return cl.ModelVersion()
	}
	return ""
}

// Pipeline opens the speech model in dir (the installed one when dir is
// "") with the VAD; it is closed with the Engine. With no model installed
// it returns an error wrapping journal.ErrNoSpeechModel.
func (e *Engine) Pipeline(dir string, o whisper.Options) (*speech.Pipeline, error) {
	c, err := e.choose()
	if err != nil {
		return nil, err
	}
	return e.openPipeline(c, cmp.Or(dir, c.speechDir), o)
}

func (e *Engine) openPipeline(c choice, dir string, o whisper.Options) (*speech.Pipeline, error) {
	if e.isClosed() {
		return nil, ErrClosed
	}
	if dir == "" {
		return nil, fmt.Errorf("%w: install one (samo speech install DIR, or Settings in the window)", journal.ErrNoSpeechModel)
	}
	o.Provider = c.provider
	if o.Variant == "" {
		o.Variant = c.speechVariant
	}
	pl, err := speech.Open(e.Runtime(), dir, speech.Options{Whisper: o})
	if err != nil {
		return nil, err
	}
	e.keep(pl.Close)
	return pl, nil
}

// Transcribe implements journal.Transcriber with the installed speech model
// (with timestamps), opened on first use and again when the settings
// choose another.
func (e *Engine) Transcribe(ctx context.Context, samples []float32, progress func(done, total int)) (*journal.Transcript, error) {
	c, err := e.choose()
	if err != nil {
		return nil, err
	}
	if c.speechDir == "" {
		return nil, journal.ErrNoSpeechModel
	}
	pl, err := e.pipeline(c)
	if err != nil {
		return nil, err
	}
	return pl.Transcribe(ctx, samples, progress)
}

// pipeline returns the speech model c chooses, opened once for its folder
// and provider.
func (e *Engine) pipeline(c choice) (*speech.Pipeline, error) {
	key := c.key(c.speechDir) + "\x00" + c.speechVariant
	cached := func() *speech.Pipeline {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.pipeKey == key {
			return e.pipe
		}
		return nil
	}
	if pl := cached(); pl != nil {
		return pl, nil
	}
	e.opening.Lock()
	defer e.opening.Unlock()
	if pl := cached(); pl != nil {
		return pl, nil
	}
	pl, err := e.openPipeline(c, c.speechDir, whisper.Options{Timestamps: true, Language: e.cfg.SpeechLanguage})
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.pipe, e.pipeKey = pl, key
	e.mu.Unlock()
	return pl, nil
}

// VAD opens the Silero VAD model with opts on the provider asked for; it is
// closed with the Engine.
func (e *Engine) VAD(opts vad.Options) (*vad.Detector, error) {
	p, err := e.Provider()
	if err != nil {
		return nil, err
	}
	opts.Provider = p
	path, err := inference.NewLocator("", inference.EnvVADModel).FindVADModel()
	if err != nil {
		return nil, err
	}
	d, err := vad.Open(e.Runtime(), path, opts)
	if err != nil {
		return nil, err
	}
	e.keep(d.Close)
	return d, nil
}

// ErrNoSettings means the Engine was made without a settings file, so it
// cannot install models.
var ErrNoSettings = errors.New("engine: no settings file to record the model in")

func (e *Engine) update(change func(*journal.Settings)) error {
	if e.settings == nil {
		return ErrNoSettings
	}
	return e.settings.Update(change)
}

// absDir returns dir as an absolute path.
func absDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("engine: %s: %w", dir, err)
	}
	return abs, nil
}

// Thresholds implements journal.Thresholder: the per-label thresholds of
// the emotion model in use (nil when it cannot be opened).
func (e *Engine) Thresholds() []float32 {
	cl, err := e.analyzer()
	if err != nil {
		return nil
	}
	return cl.Thresholds()
}

// reference is the built-in model's score reference when it is the model
// in use (another model has none).
func (e *Engine) reference() (emotion.ScoreReference, bool) {
	cl, err := e.analyzer()
	if err != nil {
		return emotion.ScoreReference{}, false
	}
	ref, err := e.builtInReference()
	if err != nil || ref.Model != cl.ModelName() || ref.Version != cl.ModelVersion() || ref.Bins != journal.ReferenceBins {
		return emotion.ScoreReference{}, false
	}
	return ref, true
}

// Reference implements journal.ScoreReference: how the built-in model's
// scores fall on GoEmotions dev, when it is the model in use.
func (e *Engine) Reference() (hist [][]float64, noLabel float64, ok bool) {
	ref, ok := e.reference()
	if !ok {
		return nil, 0, false
	}
	for _, l := range journal.EmotionLabels {
		hist = append(hist, ref.Labels[l])
	}
	return hist, ref.NoLabel, true
}

// HeldOut implements journal.HeldOutReader: the built-in model's scores on
// a sample of GoEmotions dev with the texts' own labels, when it is the
// model in use.
func (e *Engine) HeldOut() (scores [][]float32, gold [][]int, ok bool) {
	ref, ok := e.reference()
	if !ok || len(ref.HeldOut) == 0 {
		return nil, nil, false
	}
	for _, h := range ref.HeldOut {
		s := make([]float32, len(h.Scores))
		for i, q := range h.Scores {
			s[i] = float32(q) / 255
		}
		scores, gold = append(scores, s), append(gold, h.Gold)
	}
	return scores, gold, true
}
