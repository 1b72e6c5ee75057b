package emotion

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/journal"
)

// hfConfig is the part of a Hugging Face config.json SAMO reads.
type hfConfig struct {
	NameOrPath  string            `json:"_name_or_path"`
	ModelType   string            `json:"model_type"`
	ID2Label    map[string]string `json:"id2label"`
	ProblemType string            `json:"problem_type"`
	MaxPos      int               `json:"max_position_embeddings"`
}

// ManifestFromHF describes a Hugging Face ONNX export of a GoEmotions
// classifier in dir (config.json with the 28 labels as id2label; model.onnx
// or onnx/model.onnx, or the model_quantized.onnx variant when quantized;
// tokenizer.json, or vocab.txt, or vocab.json with merges.txt), so that it
// can be used as a bundle. Nothing is written; models.Write(dir, m) does.
func ManifestFromHF(dir string, quantized bool) (models.Manifest, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("emotion: %s: %s", dir, fmt.Sprintf(format, args...))
	}
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return models.Manifest{}, bad("no config.json: %v", err)
	}
	var cfg hfConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return models.Manifest{}, bad("config.json: %v", err)
	}
	if len(cfg.ID2Label) != NumLabels {
		return models.Manifest{}, bad("config.json has %d labels; a GoEmotions model has %d", len(cfg.ID2Label), NumLabels)
	}
	for i, want := range journal.EmotionLabels {
		got := strings.ToLower(strings.TrimSpace(cfg.ID2Label[strconv.Itoa(i)]))
		if got != want {
			return models.Manifest{}, bad("label %d is %q, want %q (GoEmotions order)", i, cfg.ID2Label[strconv.Itoa(i)], want)
		}
	}
	if cfg.ProblemType != "" && cfg.ProblemType != "multi_label_classification" {
		return models.Manifest{}, bad("problem_type %q: SAMO reads GoEmotions as multi-label (sigmoid) scores", cfg.ProblemType)
	}
	name := "model.onnx"
	prec := "fp32"
	if quantized {
		name, prec = "model_quantized.onnx", "int8"
	}
	var modelPath string
	for _, p := range []string{name, filepath.Join("onnx", name)} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			modelPath = filepath.ToSlash(p)
			break
		}
	}
	if modelPath == "" {
		return models.Manifest{}, bad("no %s or onnx/%s", name, name)
	}
	tok, err := hfTokenizer(dir)
	if err != nil {
		return models.Manifest{}, bad("%v", err)
	}
	if cfg.MaxPos > 0 {
		tok.MaxTokens = min(cfg.MaxPos, 512)
	}
	m := models.Manifest{
		Name:         cmp.Or(cfg.NameOrPath, filepath.Base(dir)),
		Version:      prec,
		Task:         "emotion",
		Architecture: ArchBERT,
		Precision:    prec,
		Tokenizer:    tok,
		Labels:       journal.EmotionLabels[:],
		Outputs:      []string{"logits"},
		Source:       "Hugging Face ONNX export in " + dir,
		Licence:      "see the model's own licence",
	}
	files := append([]string{modelPath, "config.json"}, tok.Files...)
	for _, f := range slices.Compact(files) {
		role := "tokenizer"
		switch f {
		case modelPath:
			role = "model"
		case "config.json":
			role = "config"
		}
		d, err := models.Describe(dir, f, role)
		if err != nil {
			return models.Manifest{}, err
		}
		m.Files = append(m.Files, d)
	}
	return m, m.Check()
}

// hfTokenizer finds an export's tokenizer files.
func hfTokenizer(dir string) (models.Tokenizer, error) {
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	if has("tokenizer.json") {
		raw, err := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
		if err != nil {
			return models.Tokenizer{}, err
		}
		var tj struct {
			Model struct {
				Type string `json:"type"`
			} `json:"model"`
		}
		if err := json.Unmarshal(raw, &tj); err != nil {
			return models.Tokenizer{}, fmt.Errorf("tokenizer.json: %w", err)
		}
		switch tj.Model.Type {
		case "WordPiece":
			return models.Tokenizer{Kind: "wordpiece", Files: []string{"tokenizer.json"}}, nil
		case "BPE":
			return models.Tokenizer{Kind: "bpe", Files: []string{"tokenizer.json"}}, nil
		}
		return models.Tokenizer{}, fmt.Errorf("tokenizer.json has model type %q; SAMO reads WordPiece and BPE", tj.Model.Type)
	}
	if has("vocab.txt") {
		lower := true
		if raw, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json")); err == nil {
			var tc struct {
				DoLowerCase *bool `json:"do_lower_case"`
			}
			if json.Unmarshal(raw, &tc) == nil && tc.DoLowerCase != nil {
				lower = *tc.DoLowerCase
			}
		}
		return models.Tokenizer{Kind: "wordpiece", Files: []string{"vocab.txt"}, Lowercase: lower}, nil
	}
	if has("vocab.json") && has("merges.txt") {
		return models.Tokenizer{Kind: "bpe", Files: []string{"vocab.json", "merges.txt"}}, nil
	}
	return models.Tokenizer{}, errors.New("no tokenizer.json, vocab.txt, or vocab.json with merges.txt")
}
