// Package textcls runs BERT-family sequence classifiers (BERT, DistilBERT,
// RoBERTa and their fine-tunes, fp32 or int8 dynamic-quantized ONNX exports)
// on onnxruntime: it tokenizes text with SAMO's own WordPiece or byte-level
// BPE tokenizer, splits long text into overlapping windows, batches windows
// padded to the longest, and returns one row of logits per text. Occlusion
// explains a score word by word.
//
// The model's inputs are read from the model itself: input_ids, and
// attention_mask and token_type_ids where the export has them. A model that
// needs anything else is refused at Open, as is a missing or corrupt file.
//
// ScriptedModel, RandomBERT and WriteModel make ONNX models for tests and
// benchmarks, here and in the packages that use this one.
package textcls

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference"
)

// Defaults for the zero values of Config's fields.
const (
	DefaultMaxTokens = 512
	DefaultOutput    = "logits"
	DefaultThreads   = 2
)

// batchTokens bounds the padded tokens (windows × longest window) of one
// onnxruntime call, and batchWindows the windows, so that a long batch of
// long texts does not become one huge tensor.
const (
	batchTokens  = 16 * DefaultMaxTokens
	batchWindows = 64
)

// ErrClosed is returned by the methods of a Model after Close.
var ErrClosed = errors.New("textcls: model is closed")

// The input names of Hugging Face sequence-classification exports.
const (
	inputIDs      = "input_ids"
	attentionMask = "attention_mask"
	tokenTypeIDs  = "token_type_ids"
)

// Config says how to run one exported model. Paths are absolute.
type Config struct {
	// ModelPath is the ONNX file, e.g. model.onnx or model_quantized.onnx
	// (fp32 or int8 dynamic-quantized export).
	ModelPath string
	// TokenizerKind is "wordpiece" or "bpe".
	TokenizerKind string
	// TokenizerFiles are, for wordpiece, [vocab.txt] or [tokenizer.json];
	// for bpe, [vocab.json, merges.txt] or [tokenizer.json].
	TokenizerFiles []string
	// Lowercase selects uncased normalization for a wordpiece vocab.txt; a
	// tokenizer.json carries its own setting and ignores it.
	Lowercase bool
	// MaxTokens is the window length, special tokens included; 0 means 512.
	MaxTokens int
	// Stride is the overlap in tokens between consecutive windows; 0 means
	// MaxTokens/4.
	Stride int
	// Output names the model output holding the logits; "" means "logits".
	Output string
	// Threads is onnxruntime's intra-op thread count; 0 means 2.
	Threads int
	// Provider is the execution provider asked for; "" is auto.
	Provider inference.Provider
}

// Model is an open classifier. It is safe for concurrent use; Close it when
// done.
type Model struct {
	path      string
	enc       *encoder
	maxTokens int
	stride    int
	numLabels int
	// inputs lists the model's inputs in the order they are fed.
	inputs  []string
	hasMask bool
	// Provider is the execution provider the model runs on.
	Provider inference.Provider

	mu   sync.RWMutex
	sess *ort.DynamicAdvancedSession
}

// Open loads the tokenizer and the model described by cfg in rt, which it
// initializes if needed. The model's inputs must be among input_ids
// (required), attention_mask and token_type_ids, all int64 [batch, sequence],
// and its output a float32 [batch, labels] tensor with a fixed number of
// labels. Errors name the file at fault.
func Open(rt *inference.Runtime, cfg Config) (*Model, error) {
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = DefaultMaxTokens
	}
	if cfg.MaxTokens < 3 {
		return nil, fmt.Errorf("textcls: max tokens %d is too small: a window needs two special tokens and at least one more", cfg.MaxTokens)
	}
	room := cfg.MaxTokens - 2
	if cfg.Stride == 0 {
		cfg.Stride = min(cfg.MaxTokens/4, room-1)
	}
	if cfg.Stride < 0 || cfg.Stride >= room {
		return nil, fmt.Errorf("textcls: stride %d must be between 0 and %d for windows of %d tokens", cfg.Stride, room-1, cfg.MaxTokens)
	}
	if cfg.Output == "" {
		cfg.Output = DefaultOutput
	}
	if cfg.Threads == 0 {
		cfg.Threads = DefaultThreads
	}
	if cfg.Threads < 0 {
		return nil, fmt.Errorf("textcls: threads %d is negative", cfg.Threads)
	}
	enc, err := loadEncoder(cfg)
	if err != nil {
		return nil, err
	}
	if err := rt.Init(); err != nil {
		return nil, fmt.Errorf("textcls: %w", err)
	}
	m := &Model{path: cfg.ModelPath, enc: enc, maxTokens: cfg.MaxTokens, stride: cfg.Stride}
	if err := m.checkModel(cfg.Output); err != nil {
		return nil, err
	}

	var sess *ort.DynamicAdvancedSession
	prov, err := rt.CreateSession(cfg.Provider, cfg.Threads, func(so *ort.SessionOptions) error {
		var err error
		sess, err = ort.NewDynamicAdvancedSession(cfg.ModelPath, m.inputs, []string{cfg.Output}, so)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("textcls: load model %s: %w", cfg.ModelPath, err)
	}
	m.Provider = prov
	m.sess = sess
	return m, nil
}

// checkModel reads the model's inputs and outputs and checks that they are
// a sequence classifier's.
func (m *Model) checkModel(output string) error {
	if _, err := os.Stat(m.path); err != nil {
		return fmt.Errorf("textcls: model: %w", err)
	}
	ins, outs, err := readSignature(m.path)
	if err != nil {
		return fmt.Errorf("textcls: model %s is not a readable ONNX model: %w", m.path, err)
	}
	for _, in := range ins {
		switch in.name {
		case inputIDs, attentionMask, tokenTypeIDs:
		default:
			return fmt.Errorf("textcls: model %s needs input %q, which a text classifier cannot give "+
				"(it gives %s, %s and %s)", m.path, in.name, inputIDs, attentionMask, tokenTypeIDs)
		}
		if !in.tensor || in.elemType != onnxInt64 || len(in.dims) != 2 {
			return fmt.Errorf("textcls: model %s: input %q is %s %v, want int64 [batch, sequence]",
				m.path, in.name, in.typeName(), in.dims)
		}
	}
	// Feed the inputs in a fixed order, whatever the model's.
	for _, name := range []string{inputIDs, attentionMask, tokenTypeIDs} {
		if slices.ContainsFunc(ins, func(in decl) bool { return in.name == name }) {
			m.inputs = append(m.inputs, name)
		}
	}
	if len(m.inputs) == 0 || m.inputs[0] != inputIDs {
		return fmt.Errorf("textcls: model %s has no %s input", m.path, inputIDs)
	}
	m.hasMask = slices.Contains(m.inputs, attentionMask)

	i := slices.IndexFunc(outs, func(o decl) bool { return o.name == output })
	if i < 0 {
		var names []string
		for _, o := range outs {
			names = append(names, fmt.Sprintf("%q", o.name))
		}
		return fmt.Errorf("textcls: model %s has no output %q (it has %s)", m.path, output, strings.Join(names, ", "))
	}
	out := outs[i]
	if !out.tensor || out.elemType != onnxFloat {
		return fmt.Errorf("textcls: model %s: output %q is %s, want float32", m.path, output, out.typeName())
	}
	if len(out.dims) != 2 || out.dims[1] <= 0 {
		return fmt.Errorf("textcls: model %s: output %q has shape %v, want [batch, labels] with a fixed number of labels",
			m.path, output, out.dims)
	}
	m.numLabels = int(out.dims[1])
	return nil
}

// NumLabels is the number of logits the model gives per text.
func (m *Model) NumLabels() int { return m.numLabels }

// Close releases the onnxruntime session. Later calls return nil.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sess == nil {
		return nil
	}
	err := m.sess.Destroy()
	m.sess = nil
	if err != nil {
		return fmt.Errorf("textcls: close model %s: %w", m.path, err)
	}
	return nil
}

// window is one model input row: a text's tokens wrapped in the special
// tokens, and the text it came from.
type window struct {
	text int
	ids  []int64
}

// Logits returns one row of NumLabels logits for each text. A text longer
// than MaxTokens is split into windows that overlap by Stride tokens, each
// wrapped in its own special tokens ([CLS] … [SEP] or <s> … </s>), and each
// label's logit is its maximum over the windows. Empty text is still scored,
// as a window holding only the special tokens. Windows of similar length are
// batched, padded to the longest in their batch.
func (m *Model) Logits(texts []string) ([][]float32, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.sess == nil {
		return nil, ErrClosed
	}
	var ws []window
	for i, t := range texts {
		for _, ids := range m.enc.windows(t, m.maxTokens, m.stride) {
			ws = append(ws, window{text: i, ids: ids})
		}
	}
	// Similar lengths together waste the least padding.
	slices.SortStableFunc(ws, func(a, b window) int { return cmp.Compare(len(a.ids), len(b.ids)) })

	out := make([][]float32, len(texts))
	for len(ws) > 0 {
		// A window joins the batch while the batch stays within bounds and
		// padding at most doubles its tokens; without an attention mask
		// there is no padding at all.
		n, tokens := 1, len(ws[0].ids)
		for n < len(ws) {
			l := len(ws[n].ids)
			if n == batchWindows || (n+1)*l > batchTokens || (n+1)*l > 2*(tokens+l) || (!m.hasMask && l != len(ws[0].ids)) {
				break
			}
			n, tokens = n+1, tokens+l
		}
		rows, err := m.run(ws[:n])
		if err != nil {
			return nil, err
		}
		for k, w := range ws[:n] {
			row := rows[k*m.numLabels : (k+1)*m.numLabels]
			for j, v := range row {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return nil, fmt.Errorf("textcls: model %s gave logit %v for label %d of text %d", m.path, v, j, w.text)
				}
			}
			if out[w.text] == nil {
				out[w.text] = slices.Clone(row)
				continue
			}
			for j, v := range row {
				out[w.text][j] = max(out[w.text][j], v)
			}
		}
		ws = ws[n:]
	}
	return out, nil
}

// run feeds one batch of windows, padded to the longest, and returns the
// logits, row-major [len(ws), numLabels].
func (m *Model) run(ws []window) ([]float32, error) {
	n, seq := len(ws), 0
	for _, w := range ws {
		seq = max(seq, len(w.ids))
	}
	shape := ort.NewShape(int64(n), int64(seq))
	values := make([]ort.Value, 0, len(m.inputs))
	defer func() {
		for _, v := range values {
			v.Destroy()
		}
	}()
	for _, name := range m.inputs {
		data := make([]int64, n*seq)
		for i, w := range ws {
			row := data[i*seq : (i+1)*seq]
			switch name {
			case inputIDs:
				copy(row, w.ids)
				for j := len(w.ids); j < seq; j++ {
					row[j] = m.enc.pad
				}
			case attentionMask:
				for j := range w.ids {
					row[j] = 1
				}
			}
		}
		t, err := ort.NewTensor(shape, data)
		if err != nil {
			return nil, fmt.Errorf("textcls: %s tensor: %w", name, err)
		}
		values = append(values, t)
	}
	outs := []ort.Value{nil}
	if err := m.sess.Run(values, outs); err != nil {
		return nil, fmt.Errorf("textcls: run model %s: %w", m.path, err)
	}
	defer outs[0].Destroy()
	t, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("textcls: model %s: output is %T, want a float32 tensor", m.path, outs[0])
	}
	if got := t.GetShape(); len(got) != 2 || got[0] != int64(n) || got[1] != int64(m.numLabels) {
		return nil, fmt.Errorf("textcls: model %s gave output shape %v for %d windows, want [%d %d]",
			m.path, got, n, n, m.numLabels)
	}
	return slices.Clone(t.GetData()), nil
}
