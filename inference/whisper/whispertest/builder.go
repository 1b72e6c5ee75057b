package whispertest

import (
	"fmt"

	"github.com/samojournal/samo/inference/onnxgen"
)

// builder accumulates a graph, naming intermediate values itself.
type builder struct {
	g onnxgen.Graph
	n int
}

// op adds a node with one output and returns the output's name.
func (b *builder) op(op string, in []string, attrs ...onnxgen.Attr) string {
	b.n++
	out := fmt.Sprintf("%s_%d", op, b.n)
	b.g.Nodes = append(b.g.Nodes, onnxgen.Node{Op: op, Name: out, Inputs: in, Outputs: []string{out}, Attrs: attrs})
	return out
}

// named adds a node with one output of a chosen name.
func (b *builder) named(out, op string, in []string, attrs ...onnxgen.Attr) string {
	b.g.Nodes = append(b.g.Nodes, onnxgen.Node{Op: op, Name: out, Inputs: in, Outputs: []string{out}, Attrs: attrs})
	return out
}

func (b *builder) init(t onnxgen.Tensor) string {
	if t.Name == "" {
		b.n++
		t.Name = fmt.Sprintf("const_%d", b.n)
	}
	b.g.Initializers = append(b.g.Initializers, t)
	return t.Name
}

// f returns a float32 constant; with one value it is a scalar.
func (b *builder) f(v ...float32) string {
	t := onnxgen.Tensor{Type: onnxgen.Float, Floats: v}
	if len(v) != 1 {
		t.Dims = []int64{int64(len(v))}
	}
	return b.init(t)
}

// fs returns a float32 constant of the given shape.
func (b *builder) fs(dims []int64, v []float32) string {
	return b.init(onnxgen.Tensor{Type: onnxgen.Float, Dims: dims, Floats: v})
}

// i returns a 1-D int64 constant.
func (b *builder) i(v ...int64) string {
	return b.init(onnxgen.Tensor{Type: onnxgen.Int64, Dims: []int64{int64(len(v))}, Int64s: v})
}

// si returns a scalar int64 constant.
func (b *builder) si(v int64) string {
	return b.init(onnxgen.Tensor{Type: onnxgen.Int64, Int64s: []int64{v}})
}

func (b *builder) add(x, y string) string { return b.op("Add", []string{x, y}) }
func (b *builder) sub(x, y string) string { return b.op("Sub", []string{x, y}) }
func (b *builder) mul(x, y string) string { return b.op("Mul", []string{x, y}) }

func (b *builder) cast(x string, to onnxgen.DataType) string {
	return b.op("Cast", []string{x}, onnxgen.AttrInt("to", int64(to)))
}

func (b *builder) reshape(x string, shape ...int64) string {
	return b.op("Reshape", []string{x, b.i(shape...)})
}

func (b *builder) transpose(x string, perm ...int64) string {
	return b.op("Transpose", []string{x}, onnxgen.AttrInts("perm", perm...))
}

func (b *builder) unsqueeze(x string, axes ...int64) string {
	return b.op("Unsqueeze", []string{x, b.i(axes...)})
}

// slice takes [start, end) on one axis; start and end are int64 tensor names.
func (b *builder) slice(x, start, end string, axis int64) string {
	return b.op("Slice", []string{x, start, end, b.i(axis)})
}

// concat joins along axis.
func (b *builder) concat(axis int64, xs ...string) string {
	return b.op("Concat", xs, onnxgen.AttrInt("axis", axis))
}

// dim returns dimension i of x's shape as a 1-D int64 tensor of one value.
func (b *builder) dim(x string, i int64) string {
	return b.op("Shape", []string{x}, onnxgen.AttrInt("start", i), onnxgen.AttrInt("end", i+1))
}

// reduce applies a Reduce* operator over axes (attribute form, opset 17).
func (b *builder) reduce(op, x string, keep bool, axes ...int64) string {
	k := int64(0)
	if keep {
		k = 1
	}
	if op == "ReduceSum" {
		return b.op(op, []string{x, b.i(axes...)}, onnxgen.AttrInt("keepdims", k))
	}
	return b.op(op, []string{x}, onnxgen.AttrInts("axes", axes...), onnxgen.AttrInt("keepdims", k))
}
