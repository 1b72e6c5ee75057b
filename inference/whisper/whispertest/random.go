package whispertest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/samojournal/samo/inference/onnxgen"
)

// RandomSpec gives the sizes of a random-weight Whisper model pair.
type RandomSpec struct {
	NMels, DModel, Heads, EncoderLayers, DecoderLayers int
	Multilingual                                       bool
	// Int8 quantizes the weights of every linear layer to int8, with
	// activations quantized at run time (DynamicQuantizeLinear,
	// MatMulInteger), as onnxruntime's dynamic quantization writes it.
	// Convolutions, embeddings and LayerNorm stay float32.
	Int8 bool
	// Seed chooses the weights.
	Seed uint64
	// CrossAttentions adds each layer's cross-attention probabilities as
	// cross_attentions.N [1, heads, seq, 1500] and alignment_heads (three
	// heads of each layer of the last half; whisper-base has eight in all)
	// to generation_config.json, as
	// the onnx-community _timestamped exports have.
	CrossAttentions bool
}

// Tiny is whisper-tiny's sizes: 80 mel bins, d_model 384, 6 heads, 4 encoder
// and 4 decoder layers, 51,865 tokens.
func Tiny() RandomSpec {
	return RandomSpec{NMels: 80, DModel: 384, Heads: 6, EncoderLayers: 4, DecoderLayers: 4, Multilingual: true, Seed: 1}
}

// Base is whisper-base's sizes: d_model 512, 8 heads, 6 and 6 layers.
func Base() RandomSpec {
	return RandomSpec{NMels: 80, DModel: 512, Heads: 8, EncoderLayers: 6, DecoderLayers: 6, Multilingual: true, Seed: 1}
}

// randomBuilder adds weights to a builder.
type randomBuilder struct {
	builder
	spec RandomSpec
	rng  *rand.Rand
}

func newRandomBuilder(spec RandomSpec, stream uint64) *randomBuilder {
	if spec.Heads <= 0 || spec.DModel%spec.Heads != 0 {
		panic(fmt.Sprintf("whispertest: d_model %d is not a multiple of %d heads", spec.DModel, spec.Heads))
	}
	return &randomBuilder{spec: spec, rng: rand.New(rand.NewPCG(spec.Seed, stream))}
}

const initWidth = 0.02 * 1.7320508075688772 // uniform with standard deviation 0.02

func (b *randomBuilder) values(n int64) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = (2*b.rng.Float32() - 1) * initWidth
	}
	return w
}

// weight adds a random float32 initializer.
func (b *randomBuilder) weight(dims ...int64) string {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	return b.floats(b.values(n), dims...)
}

func (b *randomBuilder) fill(n int64, v float32) string {
	f := make([]float32, n)
	for i := range f {
		f[i] = v
	}
	return b.fs([]int64{n}, f)
}

// linear adds x·W (+ bias), W [in, out], quantized with Int8.
func (b *randomBuilder) linear(x string, in, out int64, bias bool) string {
	var y string
	if !b.spec.Int8 {
		y = b.op("MatMul", []string{x, b.weight(in, out)})
	} else {
		y = b.quantized(x, b.values(in*out), in, out)
	}
	if bias {
		y = b.add(y, b.fs([]int64{out}, b.values(out)))
	}
	return y
}

// quantized adds x·W with W [in, out] quantized to int8 (symmetric, per
// tensor) and x quantized to uint8 at run time.
func (b *randomBuilder) quantized(x string, w []float32, in, out int64) string {
	raw, scale := onnxgen.QuantizeInt8(w)
	wq := b.init(onnxgen.Tensor{Type: onnxgen.Int8, Dims: []int64{in, out}, Raw: raw})
	ws := b.f(scale)
	wz := b.init(onnxgen.Tensor{Type: onnxgen.Int8, Raw: []byte{0}})
	b.n++
	xq, xs, xz := fmt.Sprintf("xq_%d", b.n), fmt.Sprintf("xs_%d", b.n), fmt.Sprintf("xz_%d", b.n)
	b.g.Nodes = append(b.g.Nodes, onnxgen.Node{Op: "DynamicQuantizeLinear", Name: xq, Inputs: []string{x}, Outputs: []string{xq, xs, xz}})
	mm := b.cast(b.op("MatMulInteger", []string{xq, wq, xz, wz}), onnxgen.Float)
	return b.mul(mm, b.mul(xs, ws))
}

// floats adds a float32 initializer holding w.
func (b *randomBuilder) floats(w []float32, dims ...int64) string {
	raw := make([]byte, 4*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return b.init(onnxgen.Tensor{Type: onnxgen.Float, Dims: dims, Raw: raw})
}

func (b *randomBuilder) layerNorm(x string) string {
	d := int64(b.spec.DModel)
	return b.op("LayerNormalization", []string{x, b.fill(d, 1), b.fill(d, 0)},
		onnxgen.AttrInt("axis", -1), onnxgen.AttrFloat("epsilon", 1e-5))
}

// gelu is the exact Gelu, x·½·(1 + erf(x/√2)), as PyTorch exports it.
func (b *randomBuilder) gelu(x string) string {
	e := b.op("Erf", []string{b.op("Div", []string{x, b.f(float32(math.Sqrt2))})})
	return b.mul(b.mul(x, b.add(e, b.f(1))), b.f(0.5))
}

// heads turns [1, T, d] into [1, heads, T, head_dim].
func (b *randomBuilder) heads(x string) string {
	hd := int64(b.spec.DModel / b.spec.Heads)
	return b.transpose(b.reshape(x, 0, 0, int64(b.spec.Heads), hd), 0, 2, 1, 3)
}

// merge turns [1, heads, T, head_dim] into [1, T, d].
func (b *randomBuilder) merge(x string) string {
	return b.reshape(b.transpose(x, 0, 2, 1, 3), 0, 0, int64(b.spec.DModel))
}

func (b *randomBuilder) scale() string {
	return b.f(float32(1 / math.Sqrt(float64(b.spec.DModel/b.spec.Heads))))
}

// mlp adds the feed-forward block with its residual.
func (b *randomBuilder) mlp(x string) string {
	d := int64(b.spec.DModel)
	h := b.linear(b.gelu(b.linear(b.layerNorm(x), d, 4*d, true)), 4*d, d, true)
	return b.add(x, h)
}

// RandomEncoder returns an encoder with Whisper's structure and random
// weights: two Conv1d (kernel 3, the second with stride 2) with Gelu,
// sinusoid-free learned positions, pre-LayerNorm self-attention and
// feed-forward layers, and a final LayerNorm.
func RandomEncoder(spec RandomSpec) onnxgen.Model {
	b := newRandomBuilder(spec, 1)
	d, m := int64(spec.DModel), int64(spec.NMels)
	b.g.Name = "random_whisper_encoder"
	b.g.Inputs = []onnxgen.Value{{Name: "input_features", Type: onnxgen.Float,
		Dims: []onnxgen.Dim{{Param: "batch_size"}, {Size: m}, {Size: 3000}}}}
	b.g.Outputs = []onnxgen.Value{{Name: "last_hidden_state", Type: onnxgen.Float,
		Dims: []onnxgen.Dim{{Param: "batch_size"}, {Size: 1500}, {Size: d}}}}
	c1 := b.op("Conv", []string{"input_features", b.weight(d, m, 3), b.fs([]int64{d}, b.values(d))},
		onnxgen.AttrInts("pads", 1, 1), onnxgen.AttrInts("kernel_shape", 3))
	c2 := b.op("Conv", []string{b.gelu(c1), b.weight(d, d, 3), b.fs([]int64{d}, b.values(d))},
		onnxgen.AttrInts("pads", 1, 1), onnxgen.AttrInts("kernel_shape", 3), onnxgen.AttrInts("strides", 2))
	x := b.add(b.transpose(b.gelu(c2), 0, 2, 1), b.weight(1500, d))
	for range spec.EncoderLayers {
		h := b.layerNorm(x)
		q := b.heads(b.linear(h, d, d, true))
		k := b.transpose(b.reshape(b.linear(h, d, d, false), 0, 0, int64(spec.Heads), d/int64(spec.Heads)), 0, 2, 3, 1)
		v := b.heads(b.linear(h, d, d, true))
		p := b.op("Softmax", []string{b.mul(b.op("MatMul", []string{q, k}), b.scale())}, onnxgen.AttrInt("axis", -1))
		x = b.add(x, b.linear(b.merge(b.op("MatMul", []string{p, v})), d, d, true))
		x = b.mlp(x)
	}
	b.named("last_hidden_state", "Identity", []string{b.layerNorm(x)})
	return onnxgen.Model{Graph: b.g, Opset: 17}
}

// RandomDecoder returns a merged decoder with Whisper's structure and
// random weights: token and learned position embeddings; per layer,
// causal self-attention over the past and new keys and values,
// cross-attention over the encoder's keys and values (computed from
// encoder_hidden_states when use_cache_branch is false, taken from the past
// otherwise), and the feed-forward block; a final LayerNorm and logits
// against the token embedding. The cross-attention scores the past and the
// new encoder keys separately, so that a cached step copies no encoder
// cache.
func RandomDecoder(spec RandomSpec) onnxgen.Model {
	b := newRandomBuilder(spec, 2)
	sp := Layout(spec.Multilingual)
	d, hd, v := int64(spec.DModel), int64(spec.DModel/spec.Heads), int64(sp.VocabSize)
	b.g.Name = "random_whisper_decoder"
	decoderSignature(&b.g, spec.DecoderLayers, spec.Heads, int(hd), spec.DModel, sp.VocabSize)
	sw := newCacheSwitch(&b.builder)
	zero1 := b.i(0)

	embedW := b.values(v * d)
	embed := b.floats(embedW, v, d)
	pastLen := b.dim(b.slice("past_key_values.0.decoder.key", zero1, sw.pastEnd, 2), 2)
	seqLen := b.dim("input_ids", 1)
	total := b.add(pastLen, seqLen)
	positions := b.op("Range", []string{b.op("Squeeze", []string{pastLen, zero1}), b.op("Squeeze", []string{total, zero1}), b.si(1)})
	x := b.add(b.op("Gather", []string{embed, "input_ids"}), b.op("Gather", []string{b.weight(448, d), positions}))
	// Causal mask [seq, past+seq]: -1e9 where the key lies after the query.
	keys := b.op("Range", []string{b.si(0), b.op("Squeeze", []string{total, zero1}), b.si(1)})
	future := b.op("Greater", []string{keys, b.unsqueeze(positions, 1)})
	mask := b.op("Where", []string{future, b.f(-1e9), b.f(0)})
	enc := b.slice("encoder_hidden_states", zero1, sw.encEnd, 1)

	for l := range spec.DecoderLayers {
		name := func(kind string) string { return fmt.Sprintf("%d.%s", l, kind) }
		h := b.layerNorm(x)
		q := b.heads(b.linear(h, d, d, true))
		var kv [2]string
		for i, kind := range []string{"key", "value"} {
			fresh := b.heads(b.linear(h, d, d, kind == "value"))
			past := b.slice("past_key_values."+name("decoder."+kind), zero1, sw.pastEnd, 2)
			kv[i] = b.named("present."+name("decoder."+kind), "Concat", []string{past, fresh}, onnxgen.AttrInt("axis", 2))
		}
		s := b.add(b.mul(b.op("MatMul", []string{q, b.transpose(kv[0], 0, 1, 3, 2)}), b.scale()), mask)
		p := b.op("Softmax", []string{s}, onnxgen.AttrInt("axis", -1))
		x = b.add(x, b.linear(b.merge(b.op("MatMul", []string{p, kv[1]})), d, d, true))

		// Cross-attention over past (cached) and new encoder keys.
		h = b.layerNorm(x)
		q = b.heads(b.linear(h, d, d, true))
		newK := b.named("present."+name("encoder.key"), "Identity", []string{b.heads(b.linear(enc, d, d, false))})
		newV := b.named("present."+name("encoder.value"), "Identity", []string{b.heads(b.linear(enc, d, d, true))})
		pastK, pastV := "past_key_values."+name("encoder.key"), "past_key_values."+name("encoder.value")
		s1 := b.op("MatMul", []string{q, b.transpose(pastK, 0, 1, 3, 2)})
		s2 := b.op("MatMul", []string{q, b.transpose(newK, 0, 1, 3, 2)})
		p = b.op("Softmax", []string{b.mul(b.concat(3, s1, s2), b.scale())}, onnxgen.AttrInt("axis", -1))
		if spec.CrossAttentions {
			name := fmt.Sprintf("cross_attentions.%d", l)
			b.named(name, "Identity", []string{p})
			b.g.Outputs = append(b.g.Outputs, onnxgen.Value{Name: name, Type: onnxgen.Float, Dims: []onnxgen.Dim{
				{Param: "batch_size"}, {Size: int64(spec.Heads)}, {Param: "decoder_sequence_length"}, {Param: "encoder_sequence_length_out"}}})
		}
		split := b.dim(pastK, 2)
		p1 := b.slice(p, zero1, split, 3)
		p2 := b.slice(p, split, b.i(1<<40), 3)
		ctx := b.add(b.op("MatMul", []string{p1, pastV}), b.op("MatMul", []string{p2, newV}))
		x = b.add(x, b.linear(b.merge(ctx), d, d, true))
		x = b.mlp(x)
	}
	h := b.layerNorm(x)
	var logits string
	if spec.Int8 {
		t := make([]float32, len(embedW)) // the embedding transposed, [d, v]
		for i := range v {
			for j := range d {
				t[j*v+i] = embedW[i*d+j]
			}
		}
		logits = b.quantized(h, t, d, v)
	} else {
		// Tied to the embedding: Gemm reads it transposed, without a copy.
		flat := b.reshape(h, -1, d)
		logits = b.op("Unsqueeze", []string{b.op("Gemm", []string{flat, embed}, onnxgen.AttrInt("transB", 1)), zero1})
	}
	b.named("logits", "Identity", []string{logits})
	return onnxgen.Model{Graph: b.g, Opset: 17}
}

// RandomFiles returns the file names of a random pair: the Hugging Face
// names, with _quantized for Int8.
func RandomFiles(spec RandomSpec) (encoder, decoder string) {
	if spec.Int8 {
		return "encoder_model_quantized.onnx", "decoder_model_merged_quantized.onnx"
	}
	return "encoder_model.onnx", "decoder_model_merged.onnx"
}

// WriteRandomBoth writes a random-weight model folder with both precisions,
// as Hugging Face exports often come: the float32 files and the int8 ones
// of the same spec (spec.Int8 is ignored).
func WriteRandomBoth(dir string, spec RandomSpec) error {
	for _, q := range []bool{false, true} {
		spec.Int8 = q
		if err := WriteRandom(dir, spec); err != nil {
			return err
		}
	}
	return nil
}

// WriteRandom writes a random-weight model folder: the encoder and merged
// decoder (see RandomFiles) under onnx/, the configuration files and the
// small tokenizer. At Tiny sizes the fp32 pair is about 150 MB.
func WriteRandom(dir string, spec RandomSpec) error {
	if err := os.MkdirAll(filepath.Join(dir, "onnx"), 0o755); err != nil {
		return fmt.Errorf("whispertest: %w", err)
	}
	encName, decName := RandomFiles(spec)
	if err := WriteModel(filepath.Join(dir, "onnx", encName), RandomEncoder(spec)); err != nil {
		return err
	}
	if err := WriteModel(filepath.Join(dir, "onnx", decName), RandomDecoder(spec)); err != nil {
		return err
	}
	mc := ModelConfig{Multilingual: spec.Multilingual, NMels: spec.NMels, DModel: spec.DModel,
		Heads: spec.Heads, EncoderLayers: spec.EncoderLayers, DecoderLayers: spec.DecoderLayers}
	if spec.CrossAttentions {
		for l := spec.DecoderLayers / 2; l < spec.DecoderLayers; l++ {
			for h := range min(spec.Heads, 3) {
				mc.AlignmentHeads = append(mc.AlignmentHeads, [2]int{l, h})
			}
		}
	}
	if err := WriteConfigs(dir, mc); err != nil {
		return err
	}
	return WriteTokenizer(dir, "", spec.Multilingual)
}
