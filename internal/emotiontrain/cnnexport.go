package emotiontrain

import (
	"fmt"
	"math"

	"github.com/samojournal/samo/inference/onnxgen"
)

// ONNX names of the token inputs of a graph with convolutional networks.
const (
	InputTokenIDs    = "token_ids"
	InputTokenShares = "token_shares"
	InputTokenMask   = "token_mask"
)

// cnnGraph builds the graph of a model with convolutional networks. The
// word vectors are in the graph once, as a table the networks convolve
// over and the linear model and the first network average (their
// n-gram tables hold the n-gram rows only). It takes, beside the n-gram
// features (n-gram rows only), each text's token vector ids (0 for none),
// each token's share of the mean vector and a mask that is 1 over the
// text's own tokens (ngram.Vocab.VectorIDs) and 0 over the batch's
// padding; it returns the 28 scores.
func (r *Result) cnnGraph(vecs Vectors, int8 bool) (onnxgen.Model, error) {
	if vecs == nil {
		return onnxgen.Model{}, fmt.Errorf("emotiontrain: export: the convolutional networks need the word vectors")
	}
	emb, err := embTable(r.Vocab, vecs)
	if err != nil {
		return onnxgen.Model{}, err
	}
	m := r.model
	D, S := int64(m.dim), m.rows
	batch := onnxgen.Dim{Param: "batch"}
	feats := []onnxgen.Dim{batch, {Param: "features"}}
	toks := []onnxgen.Dim{batch, {Param: "tokens"}}
	g := onnxgen.Graph{
		Name: "samo-emotion-cnn",
		Inputs: []onnxgen.Value{
			{Name: InputIDs, Type: onnxgen.Int64, Dims: feats},
			{Name: InputValues, Type: onnxgen.Float, Dims: feats},
			{Name: InputTokenIDs, Type: onnxgen.Int64, Dims: toks},
			{Name: InputTokenShares, Type: onnxgen.Float, Dims: toks},
			{Name: InputTokenMask, Type: onnxgen.Float, Dims: toks},
		},
		Outputs: []onnxgen.Value{{Name: OutputScores, Type: onnxgen.Float, Dims: []onnxgen.Dim{batch, {Size: int64(nl)}}}},
	}
	b := &builder{g: &g, int8: int8}
	b.ints("axis1", 1)
	b.ints("axis2", 2)
	if err := checkFinite("word vectors", emb); err != nil {
		return onnxgen.Model{}, err
	}
	// The word vectors of the tokens, and their weighted mean.
	e := b.gather("emb", emb, int(D), InputTokenIDs)
	b.node("Unsqueeze", []string{InputTokenShares, "axis2"}, "shares3")
	b.node("Mul", []string{e, "shares3"}, "emb_weighted")
	b.node("ReduceSum", []string{"emb_weighted", "axis1"}, "mean_vec", onnxgen.AttrInt("keepdims", 0))

	// The linear model.
	lin, err := b.ngramLayer("lin", m.w[:S*nl], m.g, m.b)
	if err != nil {
		return onnxgen.Model{}, err
	}
	b.node("Sigmoid", []string{lin}, "lin_scores")
	ngramScores := "lin_scores"

	if n := r.net; n != nil {
		H := int64(n.hidden)
		pre, err := b.ngramLayer("net", n.w1[:S*n.hidden], n.g1, n.b1)
		if err != nil {
			return onnxgen.Model{}, err
		}
		b.float("net_w2", []int64{H, int64(nl)}, n.w2)
		b.float("net_b2", []int64{int64(nl)}, n.b2)
		b.node("Relu", []string{pre}, "net_h")
		b.node("MatMul", []string{"net_h", "net_w2"}, "net_z0")
		b.node("Add", []string{"net_z0", "net_b2"}, "net_z")
		b.node("Sigmoid", []string{"net_z"}, "net_scores")
		b.blend("ngram_scores", "lin_scores", "net_scores", r.NetWeight)
		ngramScores = "ngram_scores"
	}

	// The convolutional networks as one product: every token's vector times
	// the filters of every width, fold and offset within the window
	// ([D, C] columns, a block of K·F per width and offset), then for each
	// width the sum of its offsets' blocks shifted along the text. A
	// filter's output at window t is its offset-o block at token t+o summed
	// over o; each filter keeps its largest output over the text's own
	// windows.
	K := len(r.cnns)
	c0 := r.cnns[0]
	F := c0.filters
	KF := K * F
	cols := 0
	for _, k := range c0.widths {
		cols += k * KF
	}
	w := make([]float32, int(D)*cols)
	bias := make([]float32, 0, len(c0.widths)*KF)
	scale := make([]float32, cols)
	col := 0
	for wi, k := range c0.widths {
		for fi, c := range r.cnns {
			bias = append(bias, c.kb[wi]...)
			if err := checkFinite(fmt.Sprintf("network %d conv%d", fi+1, k), c.kern[wi]); err != nil {
				return onnxgen.Model{}, err
			}
			// one int8 scale per filter, over all its offsets
			var fs []float32
			if int8 {
				fs = filterScales(c.kern[wi], F)
			}
			for o := 0; o < k; o++ {
				for f := 0; f < F; f++ {
					cc := col + o*KF + fi*F + f
					if int8 {
						scale[cc] = fs[f]
					}
					for d := 0; d < int(D); d++ {
						w[d*cols+cc] = c.kern[wi][o*int(D)*F+d*F+f]
					}
				}
			}
		}
		col += k * KF
	}
	wname := b.columns("conv", w, int(D), cols, scale)
	b.node("MatMul", []string{e, wname}, "conv_all")
	var pooled []string
	col = 0
	for wi, k := range c0.widths {
		p := fmt.Sprintf("conv%d", k)
		sum := ""
		for o := 0; o < k; o++ {
			bc := col + o*KF // this offset's block of columns
			end := int64(math.MaxInt64)
			if k-1-o > 0 {
				end = -int64(k - 1 - o)
			}
			name := fmt.Sprintf("%s_o%d", p, o)
			b.ints(name+"_start", int64(o), int64(bc))
			b.ints(name+"_end", end, int64(bc+KF))
			b.ints(name+"_axes", 1, 2)
			b.node("Slice", []string{"conv_all", name + "_start", name + "_end", name + "_axes"}, name)
			if sum == "" {
				sum = name
				continue
			}
			b.node("Add", []string{sum, name}, name+"_sum")
			sum = name + "_sum"
		}
		col += k * KF
		b.float(p+"_b", []int64{int64(KF)}, bias[wi*KF:(wi+1)*KF])
		b.node("Add", []string{sum, p + "_b"}, p+"_out")
		b.node("Relu", []string{p + "_out"}, p+"_relu")
		b.ints(p+"_start", int64(k-1))
		b.ints(p+"_end", math.MaxInt64)
		b.node("Slice", []string{InputTokenMask, p + "_start", p + "_end", "axis1"}, p+"_valid")
		b.node("Unsqueeze", []string{p + "_valid", "axis2"}, p+"_valid3")
		b.node("Mul", []string{p + "_relu", p + "_valid3"}, p+"_masked")
		b.node("ReduceMax", []string{p + "_masked"}, p+"_max", onnxgen.AttrInts("axes", 1), onnxgen.AttrInt("keepdims", 0))
		b.ints(p+"_shape", 0, int64(K), int64(F))
		b.node("Reshape", []string{p + "_max", p + "_shape"}, p+"_pooled")
		pooled = append(pooled, p+"_pooled")
	}
	P := len(c0.widths) * F
	w2 := make([]float32, 0, K*P*nl)
	b2 := make([]float32, 0, K*nl)
	for _, c := range r.cnns {
		w2, b2 = append(w2, c.w2...), append(b2, c.b2...)
	}
	b.float("cnn_w2", []int64{int64(K), int64(P), int64(nl)}, w2)
	b.float("cnn_b2", []int64{int64(K), int64(nl)}, b2)
	b.ints("cnn_zshape", 0, int64(K), int64(nl))
	b.node("Concat", pooled, "cnn_pooled", onnxgen.AttrInt("axis", 2))
	b.node("Unsqueeze", []string{"cnn_pooled", "axis2"}, "cnn_pooled4")
	b.node("MatMul", []string{"cnn_pooled4", "cnn_w2"}, "cnn_z4")
	b.node("Reshape", []string{"cnn_z4", "cnn_zshape"}, "cnn_z0")
	b.node("Add", []string{"cnn_z0", "cnn_b2"}, "cnn_z")
	b.node("Sigmoid", []string{"cnn_z"}, "cnn_fold_scores")
	b.node("ReduceMean", []string{"cnn_fold_scores"}, "cnn_scores", onnxgen.AttrInts("axes", 1), onnxgen.AttrInt("keepdims", 0))
	b.blend(OutputScores, ngramScores, "cnn_scores", r.CNNWeight)
	return onnxgen.Model{Graph: g, Opset: 17, Producer: "samo train-emotions"}, nil
}

// builder adds initializers and nodes to a graph.
type builder struct {
	g    *onnxgen.Graph
	int8 bool
}

func (b *builder) node(op string, in []string, out string, attrs ...onnxgen.Attr) {
	b.g.Nodes = append(b.g.Nodes, onnxgen.Node{Op: op, Inputs: in, Outputs: []string{out}, Attrs: attrs})
}

func (b *builder) float(name string, dims []int64, v []float32) {
	b.g.Initializers = append(b.g.Initializers, onnxgen.Tensor{Name: name, Type: onnxgen.Float, Dims: dims, Floats: append([]float32(nil), v...)})
}

func (b *builder) ints(name string, v ...int64) {
	b.g.Initializers = append(b.g.Initializers, onnxgen.Tensor{Name: name, Type: onnxgen.Int64, Dims: []int64{int64(len(v))}, Int64s: v})
}

// gather adds a table of rows of width n (int8 with a scale per row, or
// fp32) and the nodes that look up ids in it; it returns the looked-up
// rows' name.
func (b *builder) gather(name string, w []float32, n int, ids string) string {
	if !b.int8 {
		return b.floatRows(name, w, n, ids)
	}
	sc := b.int8Rows(name, w, n, ids, name+"_qf")
	b.node("Unsqueeze", []string{sc, "axis2"}, name+"_sc3")
	b.node("Mul", []string{name + "_qf", name + "_sc3"}, name+"_rows")
	return name + "_rows"
}

// sparse adds a table of n-gram rows of width n and the nodes that sum the
// text's features' rows weighted by their values into name+"_sum": the
// values (times the rows' int8 scales) as a [1, features] matrix times
// the rows, so no [features, n] product is materialized.
func (b *builder) sparse(name string, w []float32, n int) {
	vals := InputValues
	if b.int8 {
		sc := b.int8Rows(name, w, n, InputIDs, name+"_rows")
		b.node("Mul", []string{sc, InputValues}, name+"_sv")
		vals = name + "_sv"
	} else {
		b.floatRows(name, w, n, InputIDs)
	}
	b.node("Unsqueeze", []string{vals, "axis1"}, name+"_v3")
	b.node("MatMul", []string{name + "_v3", name + "_rows"}, name+"_sum3")
	b.node("Squeeze", []string{name + "_sum3", "axis1"}, name+"_sum")
}

// floatRows adds the fp32 table name of rows of width n and the node that
// looks up ids in it, and returns the looked-up rows' name.
func (b *builder) floatRows(name string, w []float32, n int, ids string) string {
	b.float(name, []int64{int64(len(w) / n), int64(n)}, w)
	b.node("Gather", []string{name, ids}, name+"_rows")
	return name + "_rows"
}

// int8Rows adds the table name as int8 rows of width n with a scale per
// row, and the nodes that look up ids' rows (as floats, unscaled, into
// out) and their scales; it returns the looked-up scales' name.
func (b *builder) int8Rows(name string, w []float32, n int, ids, out string) string {
	rows := int64(len(w) / n)
	q, scale := quantize(w, n)
	b.g.Initializers = append(b.g.Initializers, onnxgen.Tensor{Name: name + "_int8", Type: onnxgen.Int8, Dims: []int64{rows, int64(n)}, Raw: q})
	b.float(name+"_scale", []int64{rows}, scale)
	b.node("Gather", []string{name + "_int8", ids}, name+"_q")
	b.node("Cast", []string{name + "_q"}, out, onnxgen.AttrInt("to", int64(onnxgen.Float)))
	b.node("Gather", []string{name + "_scale", ids}, name+"_sc")
	return name + "_sc"
}

// ngramLayer adds a layer over the n-gram features and the mean word
// vector: features·w + mean_vec·g + bias, for w of n-gram rows of
// len(bias) and g of dim rows; it returns the layer's output name.
func (b *builder) ngramLayer(name string, w, g, bias []float32) (string, error) {
	for _, x := range [][]float32{w, g, bias} {
		if err := checkFinite(name, x); err != nil {
			return "", err
		}
	}
	n := int64(len(bias))
	b.sparse(name, w, int(n))
	b.float(name+"_g", []int64{int64(len(g)) / n, n}, g)
	b.float(name+"_bias", []int64{n}, bias)
	b.node("MatMul", []string{"mean_vec", name + "_g"}, name+"_vz")
	b.node("Add", []string{name + "_sum", name + "_vz"}, name+"_x0")
	b.node("Add", []string{name + "_x0", name + "_bias"}, name+"_x")
	return name + "_x", nil
}

// filterScales returns the int8 scale of each of the F filters of a
// kernel laid out [offset][dim][filter]: its largest absolute weight over
// all offsets and dims, over 127.
func filterScales(kern []float32, F int) []float32 {
	sc := make([]float32, F)
	for i, x := range kern {
		f := i % F
		sc[f] = max(sc[f], float32(math.Abs(float64(x))))
	}
	for f := range sc {
		sc[f] /= 127
	}
	return sc
}

// columns adds a [rows, cols] weight matrix (int8 with the given scale per
// column, or fp32) and returns the name of its float form (from
// initializers alone, so onnxruntime makes it once, with the session).
func (b *builder) columns(name string, w []float32, rows, cols int, scale []float32) string {
	dims := []int64{int64(rows), int64(cols)}
	if !b.int8 {
		b.float(name+"_w", dims, w)
		return name + "_w"
	}
	q := make([]byte, len(w))
	for i, x := range w {
		q[i] = q8(x, scale[i%cols])
	}
	b.g.Initializers = append(b.g.Initializers,
		onnxgen.Tensor{Name: name + "_int8", Type: onnxgen.Int8, Dims: dims, Raw: q})
	b.float(name+"_scale", []int64{1, int64(cols)}, scale)
	b.node("Cast", []string{name + "_int8"}, name+"_qf", onnxgen.AttrInt("to", int64(onnxgen.Float)))
	b.node("Mul", []string{name + "_qf", name + "_scale"}, name+"_w")
	return name + "_w"
}

// blend writes w·b + (1-w)·a into out.
func (b *builder) blend(out, a, bb string, w float32) {
	b.float(out+"_wb", []int64{1}, []float32{w})
	b.float(out+"_wa", []int64{1}, []float32{1 - w})
	b.node("Mul", []string{a, out + "_wa"}, out+"_a")
	b.node("Mul", []string{bb, out + "_wb"}, out+"_b")
	b.node("Add", []string{out + "_a", out + "_b"}, out)
}

// checkFinite refuses a NaN or infinite weight of the named part.
func checkFinite(what string, w []float32) error {
	for i, x := range w {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("emotiontrain: export: %s weight %d is %v", what, i, x)
		}
	}
	return nil
}
