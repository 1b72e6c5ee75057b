package emotion

import (
	"fmt"
	"math"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/inference/textcls"
)

// bertModel runs a BERT-family GoEmotions classifier exported to ONNX
// (multi-label: a sigmoid over each logit).
type bertModel struct {
	m *textcls.Model
}

func openBERT(rt *inference.Runtime, b *models.Bundle, opts Options) (*bertModel, error) {
	man := b.Manifest
	if b.Dir == "" {
		return nil, fmt.Errorf("emotion: model %s: a BERT-family bundle must be a folder on disk", man.Name)
	}
	f, ok := b.FileWithRole("model")
	if !ok {
		return nil, fmt.Errorf("emotion: model %s lists no file with role \"model\"", man.Name)
	}
	cfg := textcls.Config{
		ModelPath:     b.Path(f.Path),
		TokenizerKind: man.Tokenizer.Kind,
		Lowercase:     man.Tokenizer.Lowercase,
		MaxTokens:     man.Tokenizer.MaxTokens,
		Threads:       opts.Threads,
		Provider:      opts.Provider,
	}
	for _, t := range man.Tokenizer.Files {
		cfg.TokenizerFiles = append(cfg.TokenizerFiles, b.Path(t))
	}
	if len(man.Outputs) > 0 {
		cfg.Output = man.Outputs[0]
	}
	m, err := textcls.Open(rt, cfg)
	if err != nil {
		return nil, fmt.Errorf("emotion: model %s: %w", man.Name, err)
	}
	if m.NumLabels() != NumLabels {
		m.Close()
		return nil, fmt.Errorf("emotion: model %s gives %d logits, want %d", man.Name, m.NumLabels(), NumLabels)
	}
	return &bertModel{m: m}, nil
}

func (b *bertModel) scores(texts []string) ([][]float32, error) {
	logits, err := b.m.Logits(texts)
	if err != nil {
		return nil, fmt.Errorf("emotion: %w", err)
	}
	// textcls refuses non-finite logits, so every score is a probability.
	out := make([][]float32, len(logits))
	for i, row := range logits {
		out[i] = make([]float32, len(row))
		for l, z := range row {
			out[i][l] = float32(1 / (1 + math.Exp(-float64(z))))
		}
	}
	return out, nil
}

// explain occludes each word in turn; a word's weight is how much the
// label's score drops without it.
func (b *bertModel) explain(text string, labels []int) ([][]Reason, error) {
	imps, err := b.m.OcclusionLabels(text, labels, true)
	if err != nil {
		return nil, fmt.Errorf("emotion: explain: %w", err)
	}
	out := make([][]Reason, len(labels))
	for i, imp := range imps {
		for _, x := range imp {
			out[i] = append(out[i], Reason{Text: x.Word, Start: x.Start, End: x.End, Weight: x.Impact})
		}
	}
	return out, nil
}

func (b *bertModel) close() error { return b.m.Close() }

func (b *bertModel) provider() inference.Provider { return b.m.Provider }
