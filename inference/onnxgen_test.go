package inference_test

import (
	"math"
	"testing"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference/onnxgen"
)

// A graph written by onnxgen runs in the real onnxruntime and gives what a
// plain Go computation of the same graph gives: Gather rows of a table by
// token id, take the maximum over the sequence, squash with a sigmoid.
func TestONNXGen_ModelRunsInONNXRuntime(t *testing.T) {
	realRuntime(t)
	const vocab, width = 6, 3
	table := make([]float32, vocab*width)
	for i := range table {
		table[i] = float32(i%7)*0.5 - 1.25
	}
	model := onnxgen.Model{Graph: onnxgen.Graph{
		Name: "scripted",
		Initializers: []onnxgen.Tensor{
			{Name: "table", Type: onnxgen.Float, Dims: []int64{vocab, width}, Floats: table},
		},
		Inputs:  []onnxgen.Value{{Name: "input_ids", Type: onnxgen.Int64, Dims: []onnxgen.Dim{{Param: "batch"}, {Param: "seq"}}}},
		Outputs: []onnxgen.Value{{Name: "scores", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "batch"}, {Size: width}}}},
		Nodes: []onnxgen.Node{
			{Op: "Gather", Inputs: []string{"table", "input_ids"}, Outputs: []string{"rows"}},
			{Op: "ReduceMax", Inputs: []string{"rows"}, Outputs: []string{"pooled"}, Attrs: []onnxgen.Attr{
				onnxgen.AttrInts("axes", 1), onnxgen.AttrInt("keepdims", 0)}},
			{Op: "Sigmoid", Inputs: []string{"pooled"}, Outputs: []string{"scores"}},
		},
	}}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(model.Marshal(), []string{"input_ids"}, []string{"scores"}, nil)
	if err != nil {
		t.Fatalf("onnxruntime refused the generated model: %v", err)
	}
	defer sess.Destroy()

	ids := []int64{0, 5, 2, 3, 3, 1, 4, 0}
	in, err := ort.NewTensor(ort.NewShape(2, 4), ids)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Destroy()
	outs := []ort.Value{nil}
	if err := sess.Run([]ort.Value{in}, outs); err != nil {
		t.Fatal(err)
	}
	defer outs[0].Destroy()
	got := outs[0].(*ort.Tensor[float32]).GetData()

	for b := range 2 {
		for c := range width {
			m := float32(math.Inf(-1))
			for s := range 4 {
				m = max(m, table[ids[b*4+s]*width+int64(c)])
			}
			want := 1 / (1 + math.Exp(-float64(m)))
			if d := math.Abs(float64(got[b*width+c]) - want); d > 1e-6 {
				t.Errorf("score[%d][%d] = %v, want %v", b, c, got[b*width+c], want)
			}
		}
	}
}
