package embed

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/samojournal/samo/inference/tokenizer"
)

// export is what readExport finds in a folder before onnxruntime sees it.
type export struct {
	model     string // the model file's path
	name      string
	version   string
	tok       *encoder
	pooling   pooling
	hidden    int // config.json's hidden_size; 0 when absent
	maxTokens int // the model's own limit; 0 when it gives none
}

// modelFiles are the model files an export may hold, relative to its
// folder, full precision first: Hugging Face's own layout, and Optimum's
// and transformers.js's, which put them under onnx/.
var modelFiles = []string{
	"model.onnx", "onnx/model.onnx",
	"model_quantized.onnx", "onnx/model_quantized.onnx",
	"model_int8.onnx", "onnx/model_int8.onnx",
}

// findModel returns the first model file in dir, the quantized ones first
// when quantized is set.
func findModel(dir string, quantized bool) (string, error) {
	order := modelFiles
	if quantized {
		order = append(append([]string{}, modelFiles[2:]...), modelFiles[:2]...)
	}
	for _, name := range order {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s: no model file (looked for %s)", ErrInvalid, dir, strings.Join(modelFiles, ", "))
}

// hfConfig is the part of config.json that embed reads.
type hfConfig struct {
	NameOrPath string `json:"_name_or_path"`
	Hidden     int    `json:"hidden_size"`
	MaxPos     int    `json:"max_position_embeddings"`
	VocabSize  int    `json:"vocab_size"`
}

// readExport finds and reads the files of the export in dir: the model
// (hashed for its version), config.json, the tokenizer, and the optional
// sentence-transformers settings.
func readExport(dir string, quantized bool) (export, error) {
	bad := func(file, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, filepath.Join(dir, file), fmt.Sprintf(format, args...))
	}
	var ex export
	var err error
	if ex.model, err = findModel(dir, quantized); err != nil {
		return export{}, err
	}
	var cfg hfConfig
	if err := readJSON(dir, "config.json", &cfg); err != nil {
		return export{}, err
	}
	if cfg.Hidden < 0 || cfg.MaxPos < 0 || cfg.VocabSize < 0 {
		return export{}, bad("config.json", "negative hidden_size, max_position_embeddings or vocab_size")
	}
	ex.hidden = cfg.Hidden
	ex.maxTokens = cfg.MaxPos
	abs, _ := filepath.Abs(dir)
	ex.name = cmp.Or(cfg.NameOrPath, filepath.Base(abs))

	var st struct {
		MaxSeqLength int `json:"max_seq_length"`
	}
	if err := readJSON(dir, "sentence_bert_config.json", &st); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return export{}, err
	}
	if st.MaxSeqLength > 0 {
		ex.maxTokens = cmp.Or(min(ex.maxTokens, st.MaxSeqLength), st.MaxSeqLength)
	}
	if ex.pooling, err = readPooling(dir); err != nil {
		return export{}, err
	}
	if ex.tok, err = loadEncoder(dir); err != nil {
		return export{}, err
	}
	if cfg.VocabSize > 0 && ex.tok.vocab > cfg.VocabSize {
		return export{}, bad(ex.tok.file, "the tokenizer has %d tokens, but config.json says vocab_size %d", ex.tok.vocab, cfg.VocabSize)
	}
	if ex.version, err = fileHash(ex.model); err != nil {
		return export{}, err
	}
	return ex, nil
}

// readPooling reads sentence-transformers' 1_Pooling/config.json, which
// sets one pooling_mode_… flag; without it the pooling is the mean.
func readPooling(dir string) (pooling, error) {
	var pc map[string]any
	err := readJSON(dir, "1_Pooling/config.json", &pc)
	if errors.Is(err, fs.ErrNotExist) {
		return poolMean, nil
	}
	if err != nil {
		return 0, err
	}
	var modes []string
	for k, v := range pc {
		if strings.HasPrefix(k, "pooling_mode_") && v == true {
			modes = append(modes, k)
		}
	}
	if len(modes) == 1 {
		switch modes[0] {
		case "pooling_mode_mean_tokens":
			return poolMean, nil
		case "pooling_mode_cls_token":
			return poolCLS, nil
		}
	}
	slices.Sort(modes)
	return 0, fmt.Errorf("%w: %s: pooling %s: embed pools by pooling_mode_mean_tokens or pooling_mode_cls_token, one of them",
		ErrInvalid, filepath.Join(dir, "1_Pooling", "config.json"), cmp.Or(strings.Join(modes, " and "), "none"))
}

// readJSON decodes dir/name into v. A missing file wraps fs.ErrNotExist.
func readJSON(dir, name string, v any) error {
	p := filepath.Join(dir, filepath.FromSlash(name))
	raw, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalid, p, err)
	}
	return nil
}

// fileHash returns the first 12 hex digits of the file's sha256.
func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%w: read %s: %w", ErrInvalid, path, err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// encoder tokenizes a text into a model's input ids.
type encoder struct {
	wp            *tokenizer.WordPiece
	file          string // the tokenizer file, relative to the folder
	vocab         int
	cls, sep, pad int64
}

// loadEncoder reads the folder's WordPiece tokenizer: tokenizer.json, or
// else vocab.txt, lower-cased unless tokenizer_config.json's do_lower_case
// says otherwise.
func loadEncoder(dir string) (*encoder, error) {
	e := &encoder{file: "tokenizer.json"}
	var err error
	if _, serr := os.Stat(filepath.Join(dir, "tokenizer.json")); serr == nil {
		e.wp, err = tokenizer.LoadWordPieceJSON(filepath.Join(dir, "tokenizer.json"))
	} else if _, serr := os.Stat(filepath.Join(dir, "vocab.txt")); serr == nil {
		e.file = "vocab.txt"
		var tc struct {
			DoLowerCase *bool `json:"do_lower_case"`
		}
		if err := readJSON(dir, "tokenizer_config.json", &tc); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		opts := tokenizer.UncasedOptions()
		if tc.DoLowerCase != nil && !*tc.DoLowerCase {
			opts = tokenizer.CasedOptions()
		}
		e.wp, err = tokenizer.LoadWordPieceVocab(filepath.Join(dir, "vocab.txt"), opts)
	} else {
		return nil, fmt.Errorf("%w: %s: no tokenizer.json or vocab.txt", ErrInvalid, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	e.vocab = e.wp.VocabSize()
	e.cls, e.sep = int64(e.wp.ClassifierID()), int64(e.wp.SeparatorID())
	// [PAD] is an added token wherever the vocabulary has it; BERT
	// vocabularies put it at 0 otherwise. Masked out, its value only
	// matters to a model that ignores the mask.
	if ids := e.wp.IDs("[PAD]"); len(ids) == 1 && e.wp.Token(ids[0]) == "[PAD]" {
		e.pad = int64(ids[0])
	}
	return e, nil
}

// windowBytes bounds the text read for its windows: more than MaxWindows
// windows of the longest MaxTokens a model has hold.
const windowBytes = 64 << 10

// windows returns text's ids in windows of at most limit ids, each wrapped
// in [CLS] … [SEP], at most most of them (one, empty, for a text without
// tokens).
func (e *encoder) windows(text string, limit, most int) [][]int64 {
	if len(text) > windowBytes {
		text = text[:windowBytes]
	}
	ids := e.wp.IDs(text)
	span := limit - 2
	var out [][]int64
	for start := 0; len(out) < most && (start < len(ids) || start == 0); start += span {
		out = append(out, e.wrap(ids[start:min(start+span, len(ids))], limit))
	}
	return out
}

// wrap puts [CLS] before ids and [SEP] after them, leaving out the ids
// past limit-2.
func (e *encoder) wrap(ids []int, limit int) []int64 {
	ids = ids[:min(len(ids), limit-2)]
	out := make([]int64, 0, len(ids)+2)
	out = append(out, e.cls)
	for _, id := range ids {
		out = append(out, int64(id))
	}
	return append(out, e.sep)
}
