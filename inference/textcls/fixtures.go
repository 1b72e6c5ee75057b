package textcls

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/samojournal/samo/inference/onnxgen"
)

// This file builds ONNX fixtures for tests and benchmarks, here and in
// packages that use textcls: models with a classifier's real inputs and
// outputs whose logits are known by construction, and random-weight models
// of real architectures' sizes. Write one with WriteModel.

// WriteModel writes m to path as m.Marshal() encodes it, except that each
// large raw initializer is streamed to the file as a graph message of its
// own, which protobuf parsers merge into the one graph: a model of hundreds
// of megabytes is then written without being copied in memory several
// times over.
func WriteModel(path string, m onnxgen.Model) (err error) {
	const large = 1 << 20
	var big []onnxgen.Tensor
	small := m
	small.Graph.Initializers = nil
	for _, t := range m.Graph.Initializers {
		if len(t.Raw) >= large && t.Floats == nil && t.Int64s == nil {
			big = append(big, t)
		} else {
			small.Graph.Initializers = append(small.Graph.Initializers, t)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("textcls: write model: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("textcls: write model: %w", cerr)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(small.Marshal())
	for _, t := range big {
		// TensorProto: dims (1), data_type (2), name (8), raw_data (9).
		var tensor []byte
		var dims []byte
		for _, d := range t.Dims {
			dims = protowire.AppendVarint(dims, uint64(d))
		}
		tensor = protowire.AppendTag(tensor, 1, protowire.BytesType)
		tensor = protowire.AppendBytes(tensor, dims)
		tensor = protowire.AppendTag(tensor, 2, protowire.VarintType)
		tensor = protowire.AppendVarint(tensor, uint64(t.Type))
		tensor = protowire.AppendTag(tensor, 8, protowire.BytesType)
		tensor = protowire.AppendString(tensor, t.Name)
		tensor = protowire.AppendTag(tensor, 9, protowire.BytesType)
		tensor = protowire.AppendVarint(tensor, uint64(len(t.Raw)))
		tensorLen := len(tensor) + len(t.Raw)
		// ModelProto.graph (7) holding GraphProto.initializer (5).
		var head []byte
		head = protowire.AppendTag(head, 7, protowire.BytesType)
		head = protowire.AppendVarint(head, uint64(protowire.SizeTag(5)+protowire.SizeVarint(uint64(tensorLen))+tensorLen))
		head = protowire.AppendTag(head, 5, protowire.BytesType)
		head = protowire.AppendVarint(head, uint64(tensorLen))
		w.Write(head)
		w.Write(tensor)
		w.Write(t.Raw)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("textcls: write model: %w", err)
	}
	return nil
}

// ScriptedSpec describes a scripted classifier: label k's logit is +10 when
// token Triggers[k] is among a window's attended tokens and -10 otherwise.
type ScriptedSpec struct {
	// VocabSize is the tokenizer's VocabSize: the rows of the lookup table.
	VocabSize int
	// Triggers holds, for each label, the token id that turns it on.
	Triggers []int
	// TokenTypes declares a token_type_ids input (BERT); without it the
	// model looks like a RoBERTa or DistilBERT export.
	TokenTypes bool
	// NoAttentionMask leaves out the attention_mask input; padding then
	// must not be used, and the pad token must not be a trigger.
	NoAttentionMask bool
	// ExtraInput, when set, declares one more required int64 [batch,
	// sequence] input of that name, which no text classifier can feed.
	ExtraInput string
}

// ScriptedModel returns a model with a BERT classifier's inputs (input_ids,
// attention_mask, optionally token_type_ids, all int64 [batch, sequence]) and
// output (logits, float32 [batch, labels]) that computes
// logits[b][k] = max over s of table[input_ids[b][s]][k]·attention_mask[b][s] − 10,
// where the table holds +20 at [Triggers[k]][k] and 0 elsewhere. Token type ids
// and any extra input are read but contribute 0.
func ScriptedModel(spec ScriptedSpec) onnxgen.Model {
	labels := int64(len(spec.Triggers))
	table := make([]float32, int64(spec.VocabSize)*labels)
	for k, id := range spec.Triggers {
		table[int64(id)*labels+int64(k)] = 20
	}
	seqInput := func(name string) onnxgen.Value {
		return onnxgen.Value{Name: name, Type: onnxgen.Int64, Dims: []onnxgen.Dim{{Param: "batch"}, {Param: "sequence"}}}
	}
	g := onnxgen.Graph{
		Name: "scripted_classifier",
		Initializers: []onnxgen.Tensor{
			{Name: "table", Type: onnxgen.Float, Dims: []int64{int64(spec.VocabSize), labels}, Floats: table},
			{Name: "ten", Type: onnxgen.Float, Floats: []float32{10}},
			{Name: "zero", Type: onnxgen.Float, Floats: []float32{0}},
			{Name: "axis2", Type: onnxgen.Int64, Dims: []int64{1}, Int64s: []int64{2}},
		},
		Inputs:  []onnxgen.Value{seqInput(inputIDs)},
		Outputs: []onnxgen.Value{{Name: "logits", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, {Size: labels}}}},
		Nodes: []onnxgen.Node{
			{Op: "Gather", Inputs: []string{"table", inputIDs}, Outputs: []string{"rows"}},
		},
	}
	rows := "rows"
	// zeroed adds name·0 to rows, so that the input is used but changes nothing.
	zeroed := func(name string) {
		g.Inputs = append(g.Inputs, seqInput(name))
		g.Nodes = append(g.Nodes,
			onnxgen.Node{Op: "Cast", Inputs: []string{name}, Outputs: []string{name + "_f"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("to", int64(onnxgen.Float))}},
			onnxgen.Node{Op: "Mul", Inputs: []string{name + "_f", "zero"}, Outputs: []string{name + "_0"}},
			onnxgen.Node{Op: "Unsqueeze", Inputs: []string{name + "_0", "axis2"}, Outputs: []string{name + "_0u"}},
			onnxgen.Node{Op: "Add", Inputs: []string{rows, name + "_0u"}, Outputs: []string{rows + "+" + name}},
		)
		rows += "+" + name
	}
	if !spec.NoAttentionMask {
		g.Inputs = append(g.Inputs, seqInput(attentionMask))
		g.Nodes = append(g.Nodes,
			onnxgen.Node{Op: "Cast", Inputs: []string{attentionMask}, Outputs: []string{"mask_f"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("to", int64(onnxgen.Float))}},
			onnxgen.Node{Op: "Unsqueeze", Inputs: []string{"mask_f", "axis2"}, Outputs: []string{"mask_u"}},
			onnxgen.Node{Op: "Mul", Inputs: []string{rows, "mask_u"}, Outputs: []string{"masked"}},
		)
		rows = "masked"
	}
	if spec.TokenTypes {
		zeroed(tokenTypeIDs)
	}
	if spec.ExtraInput != "" {
		zeroed(spec.ExtraInput)
	}
	g.Nodes = append(g.Nodes,
		onnxgen.Node{Op: "ReduceMax", Inputs: []string{rows}, Outputs: []string{"pooled"}, Attrs: []onnxgen.Attr{
			onnxgen.AttrInts("axes", 1), onnxgen.AttrInt("keepdims", 0)}},
		onnxgen.Node{Op: "Sub", Inputs: []string{"pooled", "ten"}, Outputs: []string{"logits"}},
	)
	return onnxgen.Model{Graph: g, Opset: 17}
}

// BERTSpec gives the sizes of a random-weight BERT classifier.
type BERTSpec struct {
	VocabSize    int
	Hidden       int
	Layers       int
	Heads        int
	FFN          int // the feed-forward layer's inner size
	MaxPositions int
	Labels       int
	// TokenTypes adds BERT's token_type_ids input and its 2-row embedding.
	TokenTypes bool
	// Int8 quantizes every Linear layer's weights to int8 (symmetric, per
	// tensor), with activations quantized at run time, as onnxruntime's
	// dynamic quantization exports them: DynamicQuantizeLinear, MatMulInteger,
	// Cast and a scale multiply. Embeddings, LayerNorm and attention
	// products stay float32.
	Int8 bool
	// Seed chooses the weights; the fp32 and int8 models of one seed hold
	// the same weights, before quantization.
	Seed uint64
}

// BERTBase returns bert-base-uncased's sizes with the given number of layers
// (12 is the real model's) and GoEmotions' 28 labels.
func BERTBase(layers int) BERTSpec {
	return BERTSpec{VocabSize: 30522, Hidden: 768, Layers: layers, Heads: 12, FFN: 3072,
		MaxPositions: 512, Labels: 28, TokenTypes: true, Seed: 1}
}

// RandomBERT returns a BERT sequence classifier with random weights, built
// from standard ONNX operators at opset 17: word, position and token type
// embeddings with LayerNormalization; per layer, multi-head self-attention
// (Reshape, Transpose, MatMul, Softmax) with the attention mask as an
// additive bias, then a Gelu (Erf) feed-forward layer, each with a residual
// connection and LayerNormalization; the [CLS] state through a Tanh pooler
// into the classifier. Inputs are input_ids, attention_mask and, with
// TokenTypes, token_type_ids; the output is logits [batch, Labels]. Weights
// are uniform with BERT's initializer's standard deviation, 0.02; LayerNorm
// starts as the identity. At BERTBase(12) the fp32 model is about 440 MB.
func RandomBERT(spec BERTSpec) onnxgen.Model {
	if spec.Heads <= 0 || spec.Hidden%spec.Heads != 0 {
		panic(fmt.Sprintf("textcls: RandomBERT: hidden size %d is not a multiple of %d heads", spec.Hidden, spec.Heads))
	}
	b := &bertBuilder{spec: spec, rng: rand.New(rand.NewPCG(spec.Seed, 0x5a4d0)), q: spec.Int8}
	h, d := int64(spec.Hidden), int64(spec.Hidden/spec.Heads)
	seq := []onnxgen.Dim{{Param: "batch"}, {Param: "sequence"}}
	g := &b.g
	g.Name = "random_bert"
	g.Inputs = []onnxgen.Value{{Name: inputIDs, Type: onnxgen.Int64, Dims: seq}, {Name: attentionMask, Type: onnxgen.Int64, Dims: seq}}
	g.Outputs = []onnxgen.Value{{Name: "logits", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, {Size: int64(spec.Labels)}}}}
	g.Initializers = append(g.Initializers,
		onnxgen.Tensor{Name: "one", Type: onnxgen.Float, Floats: []float32{1}},
		onnxgen.Tensor{Name: "mask_min", Type: onnxgen.Float, Floats: []float32{-10000}},
		onnxgen.Tensor{Name: "att_scale", Type: onnxgen.Float, Floats: []float32{float32(1 / math.Sqrt(float64(d)))}},
		onnxgen.Tensor{Name: "axes12", Type: onnxgen.Int64, Dims: []int64{2}, Int64s: []int64{1, 2}},
		onnxgen.Tensor{Name: "heads_shape", Type: onnxgen.Int64, Dims: []int64{4}, Int64s: []int64{0, 0, int64(spec.Heads), d}},
		onnxgen.Tensor{Name: "hidden_shape", Type: onnxgen.Int64, Dims: []int64{3}, Int64s: []int64{0, 0, h}},
		onnxgen.Tensor{Name: "zero_i", Type: onnxgen.Int64, Dims: []int64{1}, Int64s: []int64{0}},
		onnxgen.Tensor{Name: "cls_index", Type: onnxgen.Int64, Int64s: []int64{0}},
	)

	// Embeddings.
	b.node("Gather", []string{b.weight("word_embeddings", int64(spec.VocabSize), h), inputIDs}, "words")
	b.node("Shape", []string{inputIDs}, "seq_len", onnxgen.AttrInt("start", 1), onnxgen.AttrInt("end", 2))
	b.node("Slice", []string{b.weight("position_embeddings", int64(spec.MaxPositions), h), "zero_i", "seq_len", "zero_i"}, "positions")
	b.node("Add", []string{"words", "positions"}, "emb_sum")
	emb := "emb_sum"
	if spec.TokenTypes {
		g.Inputs = append(g.Inputs, onnxgen.Value{Name: tokenTypeIDs, Type: onnxgen.Int64, Dims: seq})
		b.node("Gather", []string{b.weight("token_type_embeddings", 2, h), tokenTypeIDs}, "types")
		b.node("Add", []string{emb, "types"}, "emb_typed")
		emb = "emb_typed"
	}
	x := b.layerNorm("emb_ln", emb)

	// The mask as an additive bias, [batch, 1, 1, sequence]: 0 where
	// attended, -10000 at padding.
	b.node("Cast", []string{attentionMask}, "mask_f", onnxgen.AttrInt("to", int64(onnxgen.Float)))
	b.node("Unsqueeze", []string{"mask_f", "axes12"}, "mask_u")
	b.node("Sub", []string{"one", "mask_u"}, "mask_inv")
	b.node("Mul", []string{"mask_inv", "mask_min"}, "mask_bias")

	for l := range spec.Layers {
		p := fmt.Sprintf("layer%d.", l)
		heads := func(name, perm string) string {
			y := b.linear(p+name, x, h, h)
			b.node("Reshape", []string{y, "heads_shape"}, p+name+"_heads")
			var ax []int64
			for _, c := range perm {
				ax = append(ax, int64(c-'0'))
			}
			b.node("Transpose", []string{p + name + "_heads"}, p+name+"_t", onnxgen.AttrInts("perm", ax...))
			return p + name + "_t"
		}
		q := heads("query", "0213") // [batch, heads, sequence, d]
		k := heads("key", "0231")   // [batch, heads, d, sequence]
		v := heads("value", "0213")
		b.node("MatMul", []string{q, k}, p+"scores")
		b.node("Mul", []string{p + "scores", "att_scale"}, p+"scaled")
		b.node("Add", []string{p + "scaled", "mask_bias"}, p+"biased")
		b.node("Softmax", []string{p + "biased"}, p+"probs", onnxgen.AttrInt("axis", -1))
		b.node("MatMul", []string{p + "probs", v}, p+"context_heads")
		b.node("Transpose", []string{p + "context_heads"}, p+"context_t", onnxgen.AttrInts("perm", 0, 2, 1, 3))
		b.node("Reshape", []string{p + "context_t", "hidden_shape"}, p+"context")
		att := b.linear(p+"attention_output", p+"context", h, h)
		b.node("Add", []string{att, x}, p+"attention_residual")
		x = b.layerNorm(p+"attention_ln", p+"attention_residual")

		inner := b.linear(p+"intermediate", x, h, int64(spec.FFN))
		act := b.gelu(p+"gelu", inner)
		out := b.linear(p+"output", act, int64(spec.FFN), h)
		b.node("Add", []string{out, x}, p+"output_residual")
		x = b.layerNorm(p+"output_ln", p+"output_residual")
	}

	b.node("Gather", []string{x, "cls_index"}, "cls_state", onnxgen.AttrInt("axis", 1))
	pooled := b.linear("pooler", "cls_state", h, h)
	b.node("Tanh", []string{pooled}, "pooled")
	logits := b.linear("classifier", "pooled", h, int64(spec.Labels))
	b.node("Identity", []string{logits}, "logits")
	return onnxgen.Model{Graph: b.g, Opset: 17}
}

// bertBuilder accumulates RandomBERT's graph.
type bertBuilder struct {
	spec BERTSpec
	rng  *rand.Rand
	q    bool
	g    onnxgen.Graph
}

func (b *bertBuilder) node(op string, in []string, out string, attrs ...onnxgen.Attr) {
	b.g.Nodes = append(b.g.Nodes, onnxgen.Node{Op: op, Name: out, Inputs: in, Outputs: []string{out}, Attrs: attrs})
}

// halfWidth is the half-width of a uniform distribution with standard
// deviation 0.02, BERT's initializer's: 0.02·√3.
const halfWidth = 0.02 * 1.7320508075688772

// random returns n uniform weights with standard deviation 0.02, as weight
// draws them.
func (b *bertBuilder) random(n int64) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = (2*b.rng.Float32() - 1) * halfWidth
	}
	return w
}

// weight adds a float32 initializer of random weights and returns its name.
func (b *bertBuilder) weight(name string, dims ...int64) string {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	raw := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits((2*b.rng.Float32()-1)*halfWidth))
	}
	b.g.Initializers = append(b.g.Initializers, onnxgen.Tensor{Name: name, Type: onnxgen.Float, Dims: dims, Raw: raw})
	return name
}

// constant adds a float32 initializer of n copies of v.
func (b *bertBuilder) constant(name string, n int64, v float32) string {
	f := make([]float32, n)
	for i := range f {
		f[i] = v
	}
	b.g.Initializers = append(b.g.Initializers, onnxgen.Tensor{Name: name, Type: onnxgen.Float, Dims: []int64{n}, Floats: f})
	return name
}

// linear adds x·W + bias, W [in, out], and returns the result's name. With
// Int8 the product is quantized as onnxruntime's dynamic quantization
// writes it.
func (b *bertBuilder) linear(name, x string, in, out int64) string {
	bias := name + ".bias"
	b.g.Initializers = append(b.g.Initializers, onnxgen.Tensor{Name: bias, Type: onnxgen.Float, Dims: []int64{out}, Floats: b.random(out)})
	if !b.q {
		w := b.weight(name+".weight", in, out)
		b.node("MatMul", []string{x, w}, name+"_mm")
		b.node("Add", []string{name + "_mm", bias}, name+"_out")
		return name + "_out"
	}
	raw, scale := onnxgen.QuantizeInt8(b.random(in * out))
	wq, ws, wz := name+".weight_quantized", name+".weight_scale", name+".weight_zero_point"
	b.g.Initializers = append(b.g.Initializers,
		onnxgen.Tensor{Name: wq, Type: onnxgen.Int8, Dims: []int64{in, out}, Raw: raw},
		onnxgen.Tensor{Name: ws, Type: onnxgen.Float, Floats: []float32{scale}},
		onnxgen.Tensor{Name: wz, Type: onnxgen.Int8, Raw: []byte{0}},
	)
	xq, xs, xz := name+"_x_quantized", name+"_x_scale", name+"_x_zero_point"
	b.g.Nodes = append(b.g.Nodes,
		onnxgen.Node{Op: "DynamicQuantizeLinear", Name: xq, Inputs: []string{x}, Outputs: []string{xq, xs, xz}})
	b.node("MatMulInteger", []string{xq, wq, xz, wz}, name+"_mm_int")
	b.node("Cast", []string{name + "_mm_int"}, name+"_mm_f", onnxgen.AttrInt("to", int64(onnxgen.Float)))
	b.node("Mul", []string{xs, ws}, name+"_scale")
	b.node("Mul", []string{name + "_mm_f", name + "_scale"}, name+"_mm")
	b.node("Add", []string{name + "_mm", bias}, name+"_out")
	return name + "_out"
}

// layerNorm adds LayerNormalization over the last axis, starting as the
// identity (scale 1, bias 0).
func (b *bertBuilder) layerNorm(name, x string) string {
	h := int64(b.spec.Hidden)
	b.node("LayerNormalization", []string{x, b.constant(name+".weight", h, 1), b.constant(name+".bias", h, 0)}, name,
		onnxgen.AttrInt("axis", -1), onnxgen.AttrFloat("epsilon", 1e-12))
	return name
}

// gelu adds the exact Gelu, x·½·(1 + erf(x/√2)), as PyTorch exports it.
func (b *bertBuilder) gelu(name, x string) string {
	if !hasInit(b.g, "gelu_sqrt2") {
		b.g.Initializers = append(b.g.Initializers,
			onnxgen.Tensor{Name: "gelu_sqrt2", Type: onnxgen.Float, Floats: []float32{float32(math.Sqrt2)}},
			onnxgen.Tensor{Name: "gelu_half", Type: onnxgen.Float, Floats: []float32{0.5}})
	}
	b.node("Div", []string{x, "gelu_sqrt2"}, name+"_div")
	b.node("Erf", []string{name + "_div"}, name+"_erf")
	b.node("Add", []string{name + "_erf", "one"}, name+"_plus1")
	b.node("Mul", []string{x, name + "_plus1"}, name+"_mul")
	b.node("Mul", []string{name + "_mul", "gelu_half"}, name)
	return name
}

func hasInit(g onnxgen.Graph, name string) bool {
	for _, t := range g.Initializers {
		if t.Name == name {
			return true
		}
	}
	return false
}
