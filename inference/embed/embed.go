// Package embed turns texts into sentence embeddings with Hugging Face ONNX
// exports of BERT-family sentence-embedding models, in the layout of
// all-MiniLM-L6-v2 or BGE-small: a folder holding the model (model.onnx,
// onnx/model.onnx, or a quantized variant), its tokenizer (tokenizer.json,
// or vocab.txt in older layouts) and config.json.
//
// The model takes input_ids and attention_mask, and token_type_ids where the
// export declares it, all int64 [batch, sequence]. Its output is either the
// token states, last_hidden_state (or token_embeddings, as sentence-
// transformers exports name it) [batch, sequence, hidden], which are pooled
// under the attention mask (the mean, or the [CLS] state when the folder's
// 1_Pooling/config.json asks for it, as BGE's does), or a pooled
// sentence_embedding [batch, dim], used as it is. Either way the vector is
// then scaled to unit length. Other outputs (attentions, pooler_output) are
// never computed. fp32 and int8 (dynamically quantized) graphs both run:
// nothing here reads the weights.
//
// A folder that cannot work is refused by Open (and Check) with a message
// naming the file and the problem: a missing or corrupt file, inputs the
// package cannot feed, no usable output, or a hidden size that differs from
// config.json's. Open runs the model once on an empty sequence, so that a
// graph whose output size is symbolic is checked before the first text.
package embed

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference"
)

// Defaults for the options left unset.
const (
	// DefaultMaxTokens caps a text's tokens, [CLS] and [SEP] included;
	// longer texts are truncated. all-MiniLM-L6-v2 was trained at this
	// length (its max_seq_length), and attention's cost grows with the
	// square of it. A model's own smaller limit (config.json's
	// max_position_embeddings, sentence_bert_config.json's max_seq_length)
	// wins.
	DefaultMaxTokens = 256
	// DefaultBatchSize is how many texts one onnxruntime call runs.
	DefaultBatchSize = 32
	// DefaultThreads is onnxruntime's intra-op thread count.
	DefaultThreads = 2
)

var (
	// ErrEmpty is returned by Embed for a text that is empty or only white
	// space: it has nothing to embed.
	ErrEmpty = errors.New("embed: empty text")
	// ErrClosed is returned by Embed after Close.
	ErrClosed = errors.New("embed: model is closed")
	// ErrInvalid is wrapped by every error that refuses a folder at Open or
	// Check: a missing, corrupt or unusable file.
	ErrInvalid = errors.New("embed: invalid model folder")
)

// Option changes how Open loads and runs a model.
type Option func(*options)

type options struct {
	threads   int
	provider  inference.Provider
	batch     int
	maxTokens int
	quantized bool
}

// WithThreads sets onnxruntime's intra-op thread count; the default is 2.
func WithThreads(n int) Option { return func(o *options) { o.threads = n } }

// WithProvider asks for an execution provider; the default is auto, which
// falls back to the CPU.
func WithProvider(p inference.Provider) Option { return func(o *options) { o.provider = p } }

// WithBatchSize sets how many texts one onnxruntime call runs, padded to the
// longest among them; the default is 32.
func WithBatchSize(n int) Option { return func(o *options) { o.batch = n } }

// WithMaxTokens caps a text's tokens, special tokens included; the default
// is DefaultMaxTokens, and the model's own limit always applies.
func WithMaxTokens(n int) Option { return func(o *options) { o.maxTokens = n } }

// WithQuantized prefers a quantized model file (model_quantized.onnx,
// model_int8.onnx) when the folder has one beside model.onnx. A folder with
// only one of them uses that one either way.
func WithQuantized(q bool) Option { return func(o *options) { o.quantized = q } }

// Model is an open sentence-embedding model. It is safe for concurrent use;
// Close it when done.
type Model struct {
	dir       string
	path      string // the model file
	name      string
	version   string
	tok       *encoder
	output    string
	pooling   pooling
	inputs    []string // fed in this order
	hasMask   bool
	dim       int
	batch     int
	maxTokens int
	provider  inference.Provider

	mu   sync.RWMutex
	sess *ort.DynamicAdvancedSession
}

// Open loads the sentence-embedding export in dir on rt, which it
// initializes if needed, and checks it (see the package documentation).
func Open(rt *inference.Runtime, dir string, opts ...Option) (*Model, error) {
	o := options{threads: DefaultThreads, batch: DefaultBatchSize, maxTokens: DefaultMaxTokens}
	for _, f := range opts {
		f(&o)
	}
	switch {
	case o.threads <= 0:
		return nil, fmt.Errorf("embed: threads %d: want at least 1", o.threads)
	case o.batch <= 0:
		return nil, fmt.Errorf("embed: batch size %d: want at least 1", o.batch)
	case o.maxTokens < 3:
		return nil, fmt.Errorf("embed: max tokens %d: want at least 3 ([CLS], a token, [SEP])", o.maxTokens)
	}
	ex, err := readExport(dir, o.quantized)
	if err != nil {
		return nil, err
	}
	m := &Model{dir: dir, path: ex.model, name: ex.name, version: ex.version, tok: ex.tok,
		pooling: ex.pooling, batch: o.batch, maxTokens: o.maxTokens}
	if ex.maxTokens > 0 {
		m.maxTokens = min(m.maxTokens, ex.maxTokens)
	}
	if err := rt.Init(); err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	info, err := rt.Inspect(m.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a readable ONNX model: %w", ErrInvalid, m.path, err)
	}
	if err := m.checkSignature(info, ex.hidden); err != nil {
		return nil, err
	}
	var sess *ort.DynamicAdvancedSession
	m.provider, err = rt.CreateSession(o.provider, o.threads, func(so *ort.SessionOptions) error {
		var err error
		sess, err = ort.NewDynamicAdvancedSession(m.path, m.inputs, []string{m.output}, so)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: load %s: %w", ErrInvalid, m.path, err)
	}
	m.sess = sess
	if err := m.probe(ex.hidden); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// Check opens the export in dir as Open does, runs it once, and closes it:
// what an install calls before it copies a folder.
func Check(rt *inference.Runtime, dir string) error {
	m, err := Open(rt, dir)
	if err != nil {
		return err
	}
	return m.Close()
}

// The names of the inputs and outputs of Hugging Face exports.
const (
	inputIDs       = "input_ids"
	attentionMask  = "attention_mask"
	tokenTypeIDs   = "token_type_ids"
	outHidden      = "last_hidden_state"
	outTokens      = "token_embeddings"
	outSentence    = "sentence_embedding"
	onnxTensorInt  = "ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64"
	onnxTensorFp32 = "ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT"
)

// checkSignature picks the inputs to feed and the output to read, and
// checks their types and, where the graph fixes it, the hidden size.
func (m *Model) checkSignature(info inference.ModelInfo, hidden int) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, m.path, fmt.Sprintf(format, args...))
	}
	for _, in := range info.Inputs {
		switch in.Name {
		case inputIDs, attentionMask, tokenTypeIDs:
		default:
			return bad("needs input %q, which a sentence embedder cannot give (it gives %s, %s and %s)",
				in.Name, inputIDs, attentionMask, tokenTypeIDs)
		}
		if in.Type != onnxTensorInt || len(in.Shape) != 2 {
			return bad("input %q is %s %v, want int64 [batch, sequence]", in.Name, typeName(in.Type), in.Shape)
		}
	}
	for _, name := range []string{inputIDs, attentionMask, tokenTypeIDs} {
		if slices.ContainsFunc(info.Inputs, func(t inference.TensorInfo) bool { return t.Name == name }) {
			m.inputs = append(m.inputs, name)
		}
	}
	if len(m.inputs) == 0 || m.inputs[0] != inputIDs {
		return bad("has no %s input", inputIDs)
	}
	m.hasMask = slices.Contains(m.inputs, attentionMask)

	// A pooled sentence_embedding is the model's own choice of pooling
	// (and any projection after it), so it wins over the token states.
	var out inference.TensorInfo
	for _, name := range []string{outSentence, outHidden, outTokens} {
		if i := slices.IndexFunc(info.Outputs, func(t inference.TensorInfo) bool { return t.Name == name }); i >= 0 {
			out = info.Outputs[i]
			break
		}
	}
	if out.Name == "" {
		names := make([]string, len(info.Outputs))
		for i, o := range info.Outputs {
			names[i] = fmt.Sprintf("%q", o.Name)
		}
		return bad("has no output %s, %s or %s (it has %s)", outHidden, outTokens, outSentence, strings.Join(names, ", "))
	}
	m.output = out.Name
	rank := 3
	if out.Name == outSentence {
		rank = 2
		m.pooling = poolNone
	}
	if out.Type != onnxTensorFp32 || len(out.Shape) != rank {
		want := "float32 [batch, sequence, hidden]"
		if rank == 2 {
			want = "float32 [batch, dim]"
		}
		return bad("output %q is %s %v, want %s", out.Name, typeName(out.Type), out.Shape, want)
	}
	if d := out.Shape[rank-1]; d > 0 {
		m.dim = int(d)
		if rank == 3 && hidden > 0 && m.dim != hidden {
			return bad("output %q has hidden size %d, but config.json says hidden_size %d", out.Name, m.dim, hidden)
		}
	}
	return nil
}

// typeName shortens onnxruntime's element type names for messages:
// "int64" for ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64.
func typeName(t string) string {
	return strings.ToLower(strings.TrimPrefix(t, "ONNX_TENSOR_ELEMENT_DATA_TYPE_"))
}

// probe runs the model on one empty sequence ([CLS] [SEP]) and checks the
// size and values of what it gives.
func (m *Model) probe(hidden int) error {
	vecs, err := m.run([][]int64{m.tok.wrap(nil, m.maxTokens)})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	got := len(vecs[0])
	switch {
	case m.dim > 0 && got != m.dim:
		return fmt.Errorf("%w: %s: output %q gave %d values per text, its declared size is %d", ErrInvalid, m.path, m.output, got, m.dim)
	case m.output != outSentence && hidden > 0 && got != hidden:
		return fmt.Errorf("%w: %s: output %q has hidden size %d, but config.json says hidden_size %d", ErrInvalid, m.path, m.output, got, hidden)
	}
	m.dim = got
	return nil
}

// Dim is the length of every vector Embed returns.
func (m *Model) Dim() int { return m.dim }

// Name is the model's name: config.json's _name_or_path, or else the
// folder's name.
func (m *Model) Name() string { return m.name }

// Version is a short content hash of the model file: the first 12 hex
// digits of its sha256.
func (m *Model) Version() string { return m.version }

// Provider is the execution provider the model runs on.
func (m *Model) Provider() inference.Provider { return m.provider }

// MaxTokens is the most tokens, [CLS] and [SEP] included, that a text is
// embedded with; the rest of a longer text is left out.
func (m *Model) MaxTokens() int { return m.maxTokens }

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
		return fmt.Errorf("embed: close %s: %w", m.path, err)
	}
	return nil
}

// MaxWindows is how many windows of MaxTokens a long text is read in; what
// lies past them (about 4,000 tokens, several thousand words, at the
// default) is left out.
const MaxWindows = 16

// Embed returns one vector of length Dim and unit length for each text, in
// the texts' order. Each text is tokenized and read in windows of at most
// MaxTokens, each wrapped in [CLS] … [SEP] (a text longer than one window,
// such as a long dictated entry, is the length-weighted mean of its
// windows' vectors, at most MaxWindows of them); windows of similar length run together, BatchSize
// at a time, padded to the longest of their batch (padding never changes a
// vector). A text that is empty or only white space is ErrEmpty, and a
// vector that is not finite or is zero is an error naming the model; either
// way no vectors are returned. ctx is checked between batches.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("%w (text %d of %d)", ErrEmpty, i+1, len(texts))
		}
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.sess == nil {
		return nil, ErrClosed
	}
	type seq struct {
		text   int
		ids    []int64
		weight float32
	}
	seqs := make([]seq, 0, len(texts))
	for i, t := range texts {
		for _, w := range m.tok.windows(t, m.maxTokens, MaxWindows) {
			seqs = append(seqs, seq{text: i, ids: w, weight: float32(len(w) - 2)})
		}
	}
	// Similar lengths together waste the least padding.
	slices.SortStableFunc(seqs, func(a, b seq) int { return cmp.Compare(len(a.ids), len(b.ids)) })
	out := make([][]float32, len(texts))
	batch := make([][]int64, 0, m.batch)
	for len(seqs) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("embed: %w", err)
		}
		// Without an attention mask padding would change the vectors, so
		// a batch then holds texts of one length only.
		n := 1
		for n < len(seqs) && n < m.batch && (m.hasMask || len(seqs[n].ids) == len(seqs[0].ids)) {
			n++
		}
		batch = batch[:0]
		for _, s := range seqs[:n] {
			batch = append(batch, s.ids)
		}
		vecs, err := m.run(batch)
		if err != nil {
			return nil, err
		}
		for k, s := range seqs[:n] {
			if out[s.text] == nil {
				out[s.text] = make([]float32, len(vecs[k]))
			}
			for j, x := range vecs[k] {
				out[s.text][j] += s.weight * x
			}
		}
		seqs = seqs[n:]
	}
	for i, v := range out {
		if err := normalize(v); err != nil { // its windows' vectors cancelled out
			return nil, fmt.Errorf("embed: model %s (%s) %w for text %d", m.name, m.path, err, i+1)
		}
	}
	return out, nil
}

// run feeds one batch, padded to its longest sequence, and returns each
// sequence's pooled, normalized vector.
func (m *Model) run(batch [][]int64) ([][]float32, error) {
	n, width := len(batch), 0
	for _, ids := range batch {
		width = max(width, len(ids))
	}
	shape := ort.NewShape(int64(n), int64(width))
	mask := make([]int64, n*width)
	values := make([]ort.Value, 0, len(m.inputs))
	defer func() {
		for _, v := range values {
			v.Destroy()
		}
	}()
	for _, name := range m.inputs {
		data := mask
		switch name {
		case inputIDs:
			data = make([]int64, n*width)
			for i, ids := range batch {
				row := data[i*width : (i+1)*width]
				copy(row, ids)
				for j := len(ids); j < width; j++ {
					row[j] = m.tok.pad
				}
				for j := range ids {
					mask[i*width+j] = 1
				}
			}
		case tokenTypeIDs:
			data = make([]int64, n*width) // one segment: all zeros
		}
		t, err := ort.NewTensor(shape, data)
		if err != nil {
			return nil, fmt.Errorf("embed: %s tensor: %w", name, err)
		}
		values = append(values, t)
	}
	outs := []ort.Value{nil}
	if err := m.sess.Run(values, outs); err != nil {
		return nil, fmt.Errorf("embed: run %s: %w", m.path, err)
	}
	defer outs[0].Destroy()
	t, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("embed: %s: output %q is %T, want a float32 tensor", m.path, m.output, outs[0])
	}
	got := t.GetShape()
	want := len(got) == 3 && got[0] == int64(n) && got[1] == int64(width) && got[2] > 0
	if m.pooling == poolNone {
		want = len(got) == 2 && got[0] == int64(n) && got[1] > 0
	}
	if !want {
		return nil, fmt.Errorf("embed: %s: output %q has shape %v for %d texts of %d tokens", m.path, m.output, got, n, width)
	}
	dim := int(got[len(got)-1])
	vecs := m.pooling.pool(t.GetData(), mask, n, width, dim)
	for i, v := range vecs {
		if err := normalize(v); err != nil {
			return nil, fmt.Errorf("embed: model %s (%s) %w for a text of %d tokens", m.name, m.path, err, len(batch[i]))
		}
	}
	return vecs, nil
}

// normalize scales v to unit length. A vector holding NaN or Inf, or a zero
// vector, has no direction: that is an error.
func normalize(v []float32) error {
	var sum float64
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("gave %v", x)
		}
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsInf(sum, 0) {
		return fmt.Errorf("gave a vector of length %v", math.Sqrt(sum))
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
	return nil
}
