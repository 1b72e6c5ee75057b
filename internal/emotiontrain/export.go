package emotiontrain

import (
	"fmt"
	"math"

	"github.com/samojournal/samo/inference/onnxgen"
)

// ONNX names of the exported graph.
const (
	InputIDs       = "feature_ids"
	InputValues    = "feature_values"
	OutputScores   = "scores"
	OutputLogits   = "logits"
	OutputContribs = "contributions"
)

// table returns the model's weights as one row per vocabulary row: the
// n-gram rows as trained, and each word-vector row as that word's vector
// projected through the word-vector weights, so the graph needs no vectors.
func (r *Result) table(vecs Vectors) ([]float32, error) {
	m := r.model
	words := r.Vocab.VectorWords()
	rows := r.Vocab.Rows()
	w := make([]float32, rows*nl)
	copy(w, m.w)
	for i, word := range words {
		vec, ok := vecs.Vector(word)
		if !ok {
			return nil, fmt.Errorf("emotiontrain: export: no vector for %q", word)
		}
		row := w[(m.rows+i)*nl : (m.rows+i+1)*nl]
		for d, x := range vec {
			g := m.g[d*nl : d*nl+nl]
			for l := range row {
				row[l] += x * g[l]
			}
		}
	}
	for i, x := range w {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("emotiontrain: export: weight %d of row %q is %v", i%nl, r.Vocab.Name(int32(i/nl)), x)
		}
	}
	return w, nil
}

// Graph builds the ONNX graph of the model. With int8 set the weight table
// is stored as int8 with one float scale per row (symmetric quantization),
// otherwise as float32. The graph takes a batch of padded feature lists
// (ids and values; padding has value 0) and returns the 28 scores, the
// logits and every feature's contribution to every logit, which is what
// explanations are made of.
func (r *Result) Graph(vecs Vectors, int8 bool) (onnxgen.Model, error) {
	if len(r.cnns) > 0 {
		return r.cnnGraph(vecs, int8)
	}
	w, err := r.table(vecs)
	if err != nil {
		return onnxgen.Model{}, err
	}
	rows := int64(r.Vocab.Rows())
	dyn := []onnxgen.Dim{{Param: "batch"}, {Param: "features"}}
	g := onnxgen.Graph{
		Name: "samo-emotion",
		Inputs: []onnxgen.Value{
			{Name: InputIDs, Type: onnxgen.Int64, Dims: dyn},
			{Name: InputValues, Type: onnxgen.Float, Dims: dyn},
		},
		Outputs: []onnxgen.Value{
			{Name: OutputScores, Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, {Size: int64(nl)}}},
			{Name: OutputLogits, Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, {Size: int64(nl)}}},
			{Name: OutputContribs, Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, {Param: "features"}, {Size: int64(nl)}}},
		},
	}
	bias := make([]float32, nl)
	copy(bias, r.model.b)
	g.Initializers = append(g.Initializers,
		onnxgen.Tensor{Name: "bias", Type: onnxgen.Float, Dims: []int64{int64(nl)}, Floats: bias},
		onnxgen.Tensor{Name: "axis2", Type: onnxgen.Int64, Dims: []int64{1}, Int64s: []int64{2}},
		onnxgen.Tensor{Name: "axis1", Type: onnxgen.Int64, Dims: []int64{1}, Int64s: []int64{1}},
	)
	if int8 {
		q, scale := quantize(w, nl)
		g.Initializers = append(g.Initializers,
			onnxgen.Tensor{Name: "weights_int8", Type: onnxgen.Int8, Dims: []int64{rows, int64(nl)}, Raw: q},
			onnxgen.Tensor{Name: "row_scale", Type: onnxgen.Float, Dims: []int64{rows}, Floats: scale},
		)
		g.Nodes = append(g.Nodes,
			onnxgen.Node{Op: "Gather", Inputs: []string{"weights_int8", InputIDs}, Outputs: []string{"wq"}},
			onnxgen.Node{Op: "Cast", Inputs: []string{"wq"}, Outputs: []string{"wf"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("to", int64(onnxgen.Float))}},
			onnxgen.Node{Op: "Gather", Inputs: []string{"row_scale", InputIDs}, Outputs: []string{"sc"}},
			onnxgen.Node{Op: "Mul", Inputs: []string{"sc", InputValues}, Outputs: []string{"sv"}},
		)
	} else {
		g.Initializers = append(g.Initializers,
			onnxgen.Tensor{Name: "weights", Type: onnxgen.Float, Dims: []int64{rows, int64(nl)}, Floats: w})
		g.Nodes = append(g.Nodes,
			onnxgen.Node{Op: "Gather", Inputs: []string{"weights", InputIDs}, Outputs: []string{"wf"}},
			onnxgen.Node{Op: "Identity", Inputs: []string{InputValues}, Outputs: []string{"sv"}},
		)
	}
	linScores := OutputScores
	if r.net != nil {
		linScores = "linear_scores"
	}
	g.Nodes = append(g.Nodes,
		onnxgen.Node{Op: "Unsqueeze", Inputs: []string{"sv", "axis2"}, Outputs: []string{"sv3"}},
		onnxgen.Node{Op: "Mul", Inputs: []string{"wf", "sv3"}, Outputs: []string{OutputContribs}},
		onnxgen.Node{Op: "ReduceSum", Inputs: []string{OutputContribs, "axis1"}, Outputs: []string{"sum"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("keepdims", 0)}},
		onnxgen.Node{Op: "Add", Inputs: []string{"sum", "bias"}, Outputs: []string{OutputLogits}},
		onnxgen.Node{Op: "Sigmoid", Inputs: []string{OutputLogits}, Outputs: []string{linScores}},
	)
	if r.net != nil {
		if err := r.netGraph(&g, vecs, int8, linScores); err != nil {
			return onnxgen.Model{}, err
		}
	}
	return onnxgen.Model{Graph: g, Opset: 17, Producer: "samo train-emotions"}, nil
}

// netGraph adds the network's branch and the average of both branches'
// scores (the output "scores") to g.
func (r *Result) netGraph(g *onnxgen.Graph, vecs Vectors, int8 bool, linScores string) error {
	n := r.net
	hdim := n.hidden
	rows := r.Vocab.Rows()
	w1 := make([]float32, rows*hdim)
	copy(w1, n.w1)
	for i, word := range r.Vocab.VectorWords() {
		vec, ok := vecs.Vector(word)
		if !ok {
			return fmt.Errorf("emotiontrain: export: no vector for %q", word)
		}
		row := w1[(n.rows+i)*hdim : (n.rows+i+1)*hdim]
		for d, x := range vec {
			gg := n.g1[d*hdim : (d+1)*hdim]
			for k := range row {
				row[k] += x * gg[k]
			}
		}
	}
	for i, x := range w1 {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("emotiontrain: export: network weight %d is %v", i, x)
		}
	}
	H := int64(hdim)
	w := r.NetWeight
	g.Initializers = append(g.Initializers,
		onnxgen.Tensor{Name: "net_b1", Type: onnxgen.Float, Dims: []int64{H}, Floats: append([]float32(nil), n.b1...)},
		onnxgen.Tensor{Name: "net_w2", Type: onnxgen.Float, Dims: []int64{H, int64(nl)}, Floats: append([]float32(nil), n.w2...)},
		onnxgen.Tensor{Name: "net_b2", Type: onnxgen.Float, Dims: []int64{int64(nl)}, Floats: append([]float32(nil), n.b2...)},
		onnxgen.Tensor{Name: "net_share", Type: onnxgen.Float, Dims: []int64{1}, Floats: []float32{w}},
		onnxgen.Tensor{Name: "linear_share", Type: onnxgen.Float, Dims: []int64{1}, Floats: []float32{1 - w}},
	)
	if int8 {
		q, scale := quantize(w1, hdim)
		g.Initializers = append(g.Initializers,
			onnxgen.Tensor{Name: "net_w1_int8", Type: onnxgen.Int8, Dims: []int64{int64(rows), H}, Raw: q},
			onnxgen.Tensor{Name: "net_w1_scale", Type: onnxgen.Float, Dims: []int64{int64(rows)}, Floats: scale},
		)
		g.Nodes = append(g.Nodes,
			onnxgen.Node{Op: "Gather", Inputs: []string{"net_w1_int8", InputIDs}, Outputs: []string{"net_q"}},
			onnxgen.Node{Op: "Cast", Inputs: []string{"net_q"}, Outputs: []string{"net_wf"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("to", int64(onnxgen.Float))}},
			onnxgen.Node{Op: "Gather", Inputs: []string{"net_w1_scale", InputIDs}, Outputs: []string{"net_sc"}},
			onnxgen.Node{Op: "Mul", Inputs: []string{"net_sc", InputValues}, Outputs: []string{"net_sv"}},
		)
	} else {
		g.Initializers = append(g.Initializers,
			onnxgen.Tensor{Name: "net_w1", Type: onnxgen.Float, Dims: []int64{int64(rows), H}, Floats: w1})
		g.Nodes = append(g.Nodes,
			onnxgen.Node{Op: "Gather", Inputs: []string{"net_w1", InputIDs}, Outputs: []string{"net_wf"}},
			onnxgen.Node{Op: "Identity", Inputs: []string{InputValues}, Outputs: []string{"net_sv"}},
		)
	}
	g.Nodes = append(g.Nodes,
		onnxgen.Node{Op: "Unsqueeze", Inputs: []string{"net_sv", "axis2"}, Outputs: []string{"net_sv3"}},
		onnxgen.Node{Op: "Mul", Inputs: []string{"net_wf", "net_sv3"}, Outputs: []string{"net_c"}},
		onnxgen.Node{Op: "ReduceSum", Inputs: []string{"net_c", "axis1"}, Outputs: []string{"net_sum"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("keepdims", 0)}},
		onnxgen.Node{Op: "Add", Inputs: []string{"net_sum", "net_b1"}, Outputs: []string{"net_pre"}},
		onnxgen.Node{Op: "Relu", Inputs: []string{"net_pre"}, Outputs: []string{"net_h"}},
		onnxgen.Node{Op: "MatMul", Inputs: []string{"net_h", "net_w2"}, Outputs: []string{"net_z0"}},
		onnxgen.Node{Op: "Add", Inputs: []string{"net_z0", "net_b2"}, Outputs: []string{"net_logits"}},
		onnxgen.Node{Op: "Sigmoid", Inputs: []string{"net_logits"}, Outputs: []string{"net_scores"}},
		onnxgen.Node{Op: "Mul", Inputs: []string{"net_scores", "net_share"}, Outputs: []string{"net_part"}},
		onnxgen.Node{Op: "Mul", Inputs: []string{linScores, "linear_share"}, Outputs: []string{"linear_part"}},
		onnxgen.Node{Op: "Add", Inputs: []string{"net_part", "linear_part"}, Outputs: []string{OutputScores}},
	)
	return nil
}

// quantize returns w (rows of width n) as int8 with one symmetric scale per
// row: w[r][l] ≈ scale[r] × q[r][l].
func quantize(w []float32, n int) ([]byte, []float32) {
	rows := len(w) / n
	q := make([]byte, len(w))
	scale := make([]float32, rows)
	for r := 0; r < rows; r++ {
		row := w[r*n : r*n+n]
		var mx float32
		for _, x := range row {
			mx = max(mx, float32(math.Abs(float64(x))))
		}
		if mx == 0 {
			continue
		}
		s := mx / 127
		scale[r] = s
		for l, x := range row {
			q[r*n+l] = q8(x, s)
		}
	}
	return q, scale
}

// q8 is x in steps of scale s as an int8 in [-127, 127] (0 for s = 0),
// in a byte.
func q8(x, s float32) byte {
	if s == 0 {
		return 0
	}
	return byte(int8(max(-127, min(127, math.Round(float64(x/s))))))
}
