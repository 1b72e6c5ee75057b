package emotiontrain

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/journal"
)

// Bundle file names.
const (
	ModelFile  = "model.onnx"
	VocabFile  = "vocab.bin"
	ReportFile = "report.json"
)

// BundleInfo names a bundle being written.
type BundleInfo struct {
	Name    string
	Version string
	Source  string
	Licence string
	Notes   string
}

// WriteBundle writes the trained model as a bundle in dir: the vocabulary,
// the ONNX graph (int8 or fp32) and the manifest with the thresholds, plus
// any extra files already in dir (such as the report), listed with role.
func (r *Result) WriteBundle(dir string, vecs Vectors, int8 bool, info BundleInfo, extra map[string]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("emotiontrain: write bundle: %w", err)
	}
	vf, err := os.Create(filepath.Join(dir, VocabFile))
	if err != nil {
		return fmt.Errorf("emotiontrain: write bundle: %w", err)
	}
	if _, err := r.Vocab.WriteTo(vf); err != nil {
		vf.Close()
		return err
	}
	if err := vf.Close(); err != nil {
		return fmt.Errorf("emotiontrain: write bundle: %w", err)
	}
	g, err := r.Graph(vecs, int8)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ModelFile), g.Marshal(), 0o644); err != nil {
		return fmt.Errorf("emotiontrain: write bundle: %w", err)
	}
	prec := "fp32"
	if int8 {
		prec = "int8"
	}
	arch := emotion.ArchNgram
	inputs := []string{InputIDs, InputValues}
	outputs := []string{OutputScores, OutputLogits, OutputContribs}
	switch {
	case len(r.cnns) > 0:
		arch = emotion.ArchNgramCNN
		inputs = append(inputs, InputTokenIDs, InputTokenShares, InputTokenMask)
		outputs = outputs[:1]
	case r.net != nil:
		arch = emotion.ArchNgramEnsemble
	}
	m := models.Manifest{
		Name: info.Name, Version: info.Version, Task: "emotion",
		Architecture: arch, Precision: prec,
		Tokenizer:  models.Tokenizer{Kind: "ngram", Files: []string{VocabFile}},
		Labels:     journal.EmotionLabels[:],
		Thresholds: r.Thresholds,
		Inputs:     inputs,
		Outputs:    outputs,
		Source:     info.Source, Licence: info.Licence, Notes: info.Notes,
	}
	files := [][2]string{{ModelFile, "model"}, {VocabFile, "vocab"}}
	for name, role := range extra {
		files = append(files, [2]string{name, role})
	}
	for _, f := range files {
		d, err := models.Describe(dir, f[0], f[1])
		if err != nil {
			return err
		}
		m.Files = append(m.Files, d)
	}
	return models.Write(dir, m)
}
