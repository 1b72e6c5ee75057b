package engine

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/journal"
)

// EmotionModel implements journal.Models: the emotion model in use, opened
// (once, for the journal too) to say where it runs.
func (e *Engine) EmotionModel(ctx context.Context) (journal.ModelInfo, error) {
	if cl, err := e.analyzer(); err == nil {
		info := bundleInfo(cl.Bundle())
		info.Provider = string(cl.Provider())
		return info, nil
	}
	b, err := e.EmotionBundle("") // it does not run: describe it from its files
	if err != nil {
		return journal.ModelInfo{}, err
	}
	return bundleInfo(b), nil
}

func bundleInfo(b *models.Bundle) journal.ModelInfo {
	m := b.Manifest
	info := journal.ModelInfo{Name: m.Name, Version: m.Version, Source: b.Dir, Detail: m.Architecture + ", " + m.Precision}
	if b.Dir == "" {
		info.Source = "built-in"
	}
	return info
}

// SpeechModel implements journal.Models: the installed speech model
// (Source "" when none is), without opening it.
func (e *Engine) SpeechModel(ctx context.Context) (journal.ModelInfo, error) {
	dir, err := e.SpeechModelDir()
	if err != nil || dir == "" {
		return journal.ModelInfo{}, err
	}
	return journal.ModelInfo{Name: filepath.Base(filepath.Clean(dir)), Source: dir}, nil
}

// InstallEmotionModel implements journal.Models: dir holds a SAMO bundle
// (manifest.json) or a Hugging Face ONNX export of a GoEmotions classifier
// (a manifest is then written beside its files; quantized picks
// model_quantized.onnx). The model must load and read a text before it is
// recorded in the settings.
func (e *Engine) InstallEmotionModel(ctx context.Context, dir string, quantized bool) (journal.ModelInfo, error) {
	dir, err := absDir(dir)
	if err != nil {
		return journal.ModelInfo{}, err
	}
	if _, err := os.Stat(filepath.Join(dir, models.ManifestFile)); err != nil {
		m, err := emotion.ManifestFromHF(dir, quantized)
		if err != nil {
			return journal.ModelInfo{}, err
		}
		if err := models.Write(dir, m); err != nil {
			return journal.ModelInfo{}, err
		}
	}
	cl, err := e.Classifier(dir, emotion.Options{})
	if err != nil {
		return journal.ModelInfo{}, err
	}
	if _, err := cl.Analyze([]string{"Thank you, this is a test of the model."}); err != nil {
		return journal.ModelInfo{}, fmt.Errorf("the model loads but does not run: %w", err)
	}
	if err := e.update(func(s *journal.Settings) { s.EmotionModel = dir }); err != nil {
		return journal.ModelInfo{}, err
	}
	if c, err := e.choose(); err == nil && c.emotionDir == dir {
		e.keepAnalyzer(c.key(dir), cl, nil) // the model just checked is the one in use
	}
	info := bundleInfo(cl.Bundle())
	info.Provider = string(cl.Provider())
	return info, nil
}

// UseBuiltInEmotionModel implements journal.Models.
func (e *Engine) UseBuiltInEmotionModel() error {
	return e.update(func(s *journal.Settings) { s.EmotionModel = "" })
}

// InstallSpeechModel implements journal.Models: dir holds a Whisper export
// in the Hugging Face ONNX layout, which must open before it is recorded.
func (e *Engine) InstallSpeechModel(ctx context.Context, dir string) (journal.ModelInfo, error) {
	return e.installSpeech(dir, "")
}

// installSpeech checks the Whisper export in dir read at precision (auto,
// int8 or fp32; "" for the one the flag or environment asks for, else
// auto) and uses it from now on.
func (e *Engine) installSpeech(dir, precision string) (journal.ModelInfo, error) {
	precision = cmp.Or(precision, e.cfg.SpeechPrecision, os.Getenv(EnvSpeechPrecision))
	dir, err := absDir(dir)
	if err != nil {
		return journal.ModelInfo{}, err
	}
	variant, err := SpeechVariant(precision)
	if err != nil {
		return journal.ModelInfo{}, err
	}
	m, err := whisper.Open(e.Runtime(), dir, whisper.Options{Variant: variant})
	if err != nil {
		return journal.ModelInfo{}, fmt.Errorf("not installed: %w", err)
	}
	info := journal.ModelInfo{Name: filepath.Base(dir), Source: dir, Detail: "English-only", Provider: m.Provider()}
	if n := len(m.Languages()); n > 1 {
		info.Detail = fmt.Sprintf("%d languages", n)
	}
	info.Detail += ", " + m.Precision()
	m.Close()
	if err := e.update(func(s *journal.Settings) { s.SpeechModel, s.SpeechPrecision = dir, precision }); err != nil {
		return journal.ModelInfo{}, err
	}
	return info, nil
}

// RemoveSpeechModel implements journal.Models.
func (e *Engine) RemoveSpeechModel() error {
	return e.update(func(s *journal.Settings) { s.SpeechModel = "" })
}
