// Package embedtest makes sentence-embedding fixtures for the tests and
// benchmarks of the embed package and the packages above it: folders in
// the Hugging Face ONNX export layout holding scripted models, whose
// vectors are known by construction, or random-weight MiniLM-sized ones.
package embedtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/samojournal/samo/inference/onnxgen"
	"github.com/samojournal/samo/inference/textcls"
)

// Specials are the special tokens a fixture vocabulary starts with, at ids
// 0 to 4, as in BERT's.
var Specials = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}

// Export is a fixture folder's content.
type Export struct {
	// Vocab holds the tokens, the id of each its index; it should start
	// with Specials.
	Vocab []string
	// VocabTxt writes vocab.txt and tokenizer_config.json (an older
	// layout) instead of tokenizer.json.
	VocabTxt bool
	// Cased keeps the text's case; the default lower-cases it.
	Cased bool
	// Tokenizer, when set, is written as tokenizer.json instead of one
	// made from Vocab (a real vocabulary, for benchmarks).
	Tokenizer []byte
	// Model is written to ModelFile ("" means onnx/model.onnx).
	Model     onnxgen.Model
	ModelFile string
	// Config is written as config.json; nil writes none.
	Config map[string]any
	// Pooling, "cls" or "mean", writes sentence-transformers'
	// 1_Pooling/config.json asking for it; "" writes none.
	Pooling string
}

// Write writes e into dir, which it creates if needed.
func Write(dir string, e Export) error {
	file := func(name string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("embedtest: %w", err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("embedtest: %w", err)
		}
		return nil
	}
	jsonFile := func(name string, v any) error {
		raw, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("embedtest: %s: %w", name, err)
		}
		return file(name, raw)
	}
	if e.VocabTxt {
		if err := file("vocab.txt", []byte(strings.Join(e.Vocab, "\n")+"\n")); err != nil {
			return err
		}
		if err := jsonFile("tokenizer_config.json", map[string]any{"do_lower_case": !e.Cased}); err != nil {
			return err
		}
	} else {
		tok := e.Tokenizer
		if tok == nil {
			tok = TokenizerJSON(e.Vocab, !e.Cased)
		}
		if err := file("tokenizer.json", tok); err != nil {
			return err
		}
	}
	if e.Config != nil {
		if err := jsonFile("config.json", e.Config); err != nil {
			return err
		}
	}
	if e.Pooling != "" {
		if err := jsonFile("1_Pooling/config.json", map[string]any{"word_embedding_dimension": 0,
			"pooling_mode_cls_token": e.Pooling == "cls", "pooling_mode_mean_tokens": e.Pooling == "mean"}); err != nil {
			return err
		}
	}
	name := e.ModelFile
	if name == "" {
		name = "onnx/model.onnx"
	}
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("embedtest: %w", err)
	}
	return textcls.WriteModel(p, e.Model)
}

// TokenizerJSON returns a Hugging Face tokenizer.json for a BERT WordPiece
// vocabulary (ids are indexes), with its special tokens as added tokens.
func TokenizerJSON(vocab []string, lowercase bool) []byte {
	ids := map[string]int{}
	var added []map[string]any
	for i, t := range vocab {
		ids[t] = i
		if slices.Contains(Specials, t) {
			added = append(added, map[string]any{"id": i, "content": t, "single_word": false,
				"lstrip": false, "rstrip": false, "normalized": false, "special": true})
		}
	}
	raw, err := json.Marshal(map[string]any{
		"version":      "1.0",
		"added_tokens": added,
		"normalizer": map[string]any{"type": "BertNormalizer", "clean_text": true,
			"handle_chinese_chars": true, "strip_accents": nil, "lowercase": lowercase},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"model": map[string]any{"type": "WordPiece", "unk_token": "[UNK]",
			"continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": ids},
	})
	if err != nil {
		panic(err) // only maps of strings, numbers and bools
	}
	return raw
}

// Config returns a BERT config.json's fields as a sentence-embedding
// export has them.
func Config(name string, vocab, hidden int) map[string]any {
	return map[string]any{"_name_or_path": name, "model_type": "bert", "architectures": []string{"BertModel"},
		"vocab_size": vocab, "hidden_size": hidden, "max_position_embeddings": 512}
}

// Table returns a vocab × hidden table of small whole numbers and quarters,
// no row zero, for Scripted: row id, column j holds ((id·31 + j·17) mod 23
// − 11)/4, or 1/8 where that is 0.
func Table(vocab, hidden int) []float32 {
	t := make([]float32, vocab*hidden)
	for id := range vocab {
		for j := range hidden {
			v := float32((id*31+j*17)%23-11) / 4
			if v == 0 {
				v = 0.125
			}
			t[id*hidden+j] = v
		}
	}
	return t
}

// The outputs a scripted model may give.
const (
	LastHiddenState   = "last_hidden_state"
	TokenEmbeddings   = "token_embeddings"
	SentenceEmbedding = "sentence_embedding"
)

// ScriptedSpec describes a scripted sentence-embedding model.
type ScriptedSpec struct {
	// Table is the vocab × Hidden lookup table (see Table).
	Table  []float32
	Hidden int
	// Output is LastHiddenState (""), TokenEmbeddings or
	// SentenceEmbedding.
	Output string
	// TokenTypes declares a token_type_ids input; the model adds 1000 ×
	// the token type to every state, so only type 0 leaves them alone.
	TokenTypes bool
	// NoMask leaves out the attention_mask input.
	NoMask bool
	// Extras declares pooler_output and attentions outputs before the
	// main one, as exports with every output have them.
	Extras bool
	// SymbolicHidden declares the output's last dimension by name instead
	// of its size, so that only running the model tells it.
	SymbolicHidden bool
}

// Scripted returns a model with a BERT export's inputs (input_ids,
// attention_mask, optionally token_type_ids, all int64 [batch, sequence])
// whose state for each token is its row of the table: last_hidden_state
// (or token_embeddings) [batch, sequence, hidden] is Table[input_ids],
// padding included; sentence_embedding [batch, hidden] is the state of the
// second token, the text's first after [CLS]. The attention mask is read
// but changes nothing.
func Scripted(spec ScriptedSpec) onnxgen.Model {
	h := int64(spec.Hidden)
	vocab := int64(len(spec.Table)) / h
	seq := []onnxgen.Dim{{Param: "batch"}, {Param: "sequence"}}
	last := onnxgen.Dim{Size: h}
	if spec.SymbolicHidden {
		last = onnxgen.Dim{Param: "hidden"}
	}
	out := spec.Output
	if out == "" {
		out = LastHiddenState
	}
	cast := func(in, out string) onnxgen.Node {
		return onnxgen.Node{Op: "Cast", Inputs: []string{in}, Outputs: []string{out}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("to", int64(onnxgen.Float))}}
	}
	g := onnxgen.Graph{
		Name: "scripted_embedder",
		Initializers: []onnxgen.Tensor{
			{Name: "table", Type: onnxgen.Float, Dims: []int64{vocab, h}, Floats: spec.Table},
			{Name: "zero", Type: onnxgen.Float, Floats: []float32{0}},
			{Name: "thousand", Type: onnxgen.Float, Floats: []float32{1000}},
			{Name: "axis2", Type: onnxgen.Int64, Dims: []int64{1}, Int64s: []int64{2}},
			{Name: "first", Type: onnxgen.Int64, Int64s: []int64{0}},
			{Name: "second", Type: onnxgen.Int64, Int64s: []int64{1}},
		},
		Inputs: []onnxgen.Value{{Name: "input_ids", Type: onnxgen.Int64, Dims: seq}},
		Nodes:  []onnxgen.Node{{Op: "Gather", Inputs: []string{"table", "input_ids"}, Outputs: []string{"rows"}}},
	}
	rows := "rows"
	// add adds factor × input to every state.
	add := func(input, factor string) {
		g.Inputs = append(g.Inputs, onnxgen.Value{Name: input, Type: onnxgen.Int64, Dims: seq})
		g.Nodes = append(g.Nodes,
			cast(input, input+"_f"),
			onnxgen.Node{Op: "Mul", Inputs: []string{input + "_f", factor}, Outputs: []string{input + "_x"}},
			onnxgen.Node{Op: "Unsqueeze", Inputs: []string{input + "_x", "axis2"}, Outputs: []string{input + "_u"}},
			onnxgen.Node{Op: "Add", Inputs: []string{rows, input + "_u"}, Outputs: []string{rows + "+" + input}},
		)
		rows += "+" + input
	}
	if !spec.NoMask {
		add("attention_mask", "zero")
	}
	if spec.TokenTypes {
		add("token_type_ids", "thousand")
	}
	if spec.Extras {
		g.Nodes = append(g.Nodes,
			onnxgen.Node{Op: "Gather", Inputs: []string{rows, "first"}, Outputs: []string{"pooler_output"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("axis", 1)}},
			onnxgen.Node{Op: "Transpose", Inputs: []string{rows}, Outputs: []string{rows + "_t"}, Attrs: []onnxgen.Attr{onnxgen.AttrInts("perm", 0, 2, 1)}},
			onnxgen.Node{Op: "MatMul", Inputs: []string{rows, rows + "_t"}, Outputs: []string{"attentions"}},
		)
		g.Outputs = append(g.Outputs,
			onnxgen.Value{Name: "pooler_output", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, last}},
			onnxgen.Value{Name: "attentions", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, {Param: "sequence"}, {Param: "sequence"}}},
		)
	}
	if out == SentenceEmbedding {
		g.Nodes = append(g.Nodes, onnxgen.Node{Op: "Gather", Inputs: []string{rows, "second"}, Outputs: []string{out}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("axis", 1)}})
		g.Outputs = append(g.Outputs, onnxgen.Value{Name: out, Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, last}})
	} else {
		g.Nodes = append(g.Nodes, onnxgen.Node{Op: "Identity", Inputs: []string{rows}, Outputs: []string{out}})
		g.Outputs = append(g.Outputs, onnxgen.Value{Name: out, Type: onnxgen.Float, Dims: append(slices.Clone(seq), last)})
	}
	return onnxgen.Model{Graph: g, Opset: 17}
}

// MiniLMSpec returns all-MiniLM-L6-v2's sizes: vocabulary 30,522, hidden
// size 384, 6 layers of 12 heads, feed-forward size 1536, 512 positions.
func MiniLMSpec(int8 bool) textcls.BERTSpec {
	return textcls.BERTSpec{VocabSize: 30522, Hidden: 384, Layers: 6, Heads: 12, FFN: 1536,
		MaxPositions: 512, Labels: 1, TokenTypes: true, Int8: int8, Seed: 1}
}

// RandomEncoder returns a random-weight BERT encoder of spec's sizes whose
// output is last_hidden_state [batch, sequence, hidden]: textcls's
// RandomBERT (full BERT layers, int8 as onnxruntime's dynamic quantization
// writes them) without its pooler and classifier head.
func RandomEncoder(spec textcls.BERTSpec) onnxgen.Model {
	m := textcls.RandomBERT(spec)
	g := &m.Graph
	// The head starts where the [CLS] state is gathered from the last
	// layer's output.
	head := slices.IndexFunc(g.Nodes, func(n onnxgen.Node) bool {
		return n.Op == "Gather" && len(n.Attrs) > 0 && slices.Contains(n.Outputs, "cls_state")
	})
	if head < 0 {
		panic("embedtest: RandomBERT's graph has no cls_state node; its head can no longer be cut off")
	}
	final := g.Nodes[head].Inputs[0]
	g.Nodes = append(g.Nodes[:head:head], onnxgen.Node{Op: "Identity", Name: LastHiddenState, Inputs: []string{final}, Outputs: []string{LastHiddenState}})
	used := map[string]bool{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			used[in] = true
		}
	}
	g.Initializers = slices.DeleteFunc(g.Initializers, func(t onnxgen.Tensor) bool { return !used[t.Name] })
	g.Outputs = []onnxgen.Value{{Name: LastHiddenState, Type: onnxgen.Float,
		Dims: []onnxgen.Dim{{Param: "batch"}, {Param: "sequence"}, {Size: int64(spec.Hidden)}}}}
	g.Name = "random_bert_encoder"
	return m
}
