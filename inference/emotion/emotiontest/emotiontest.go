// Package emotiontest makes emotion model fixtures for tests of the
// emotion package and the commands above it.
package emotiontest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/samojournal/samo/inference/textcls"
	"github.com/samojournal/samo/inference/tokenizer"
	"github.com/samojournal/samo/journal"
)

// WriteHFExport writes into dir a folder in the Hugging Face ONNX layout of
// a BERT GoEmotions classifier (config.json, tokenizer.json,
// onnx/model.onnx), with the BERT-base-uncased tokenizer.json at
// tokenizerJSON. Its model is scripted: label k's logit is +10 exactly when
// the text holds the label's own name as a token ("nervous" for
// nervousness, which is not one WordPiece token), else -10.
func WriteHFExport(dir, tokenizerJSON string) error {
	raw, err := os.ReadFile(tokenizerJSON)
	if err != nil {
		return fmt.Errorf("emotiontest: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "onnx"), 0o755); err != nil {
		return fmt.Errorf("emotiontest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), raw, 0o644); err != nil {
		return fmt.Errorf("emotiontest: %w", err)
	}
	tok, err := tokenizer.LoadWordPieceJSON(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return fmt.Errorf("emotiontest: %w", err)
	}
	var triggers []int
	id2label := map[string]string{}
	for k, l := range journal.EmotionLabels {
		w := l
		if l == "nervousness" {
			w = "nervous"
		}
		ids := tok.IDs(w)
		if len(ids) != 1 {
			return fmt.Errorf("emotiontest: %q is not one token: %v", w, ids)
		}
		triggers = append(triggers, ids[0])
		id2label[strconv.Itoa(k)] = strings.ToUpper(l[:1]) + l[1:]
	}
	m := textcls.ScriptedModel(textcls.ScriptedSpec{VocabSize: tok.VocabSize(), Triggers: triggers, TokenTypes: true})
	if err := textcls.WriteModel(filepath.Join(dir, "onnx", "model.onnx"), m); err != nil {
		return err
	}
	cfg, err := json.Marshal(map[string]any{"_name_or_path": "scripted-bert-goemotions", "model_type": "bert",
		"id2label": id2label, "problem_type": "multi_label_classification", "max_position_embeddings": 512})
	if err != nil {
		return fmt.Errorf("emotiontest: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644)
}
