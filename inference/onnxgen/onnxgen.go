// Package onnxgen writes ONNX models from Go. SAMO's tests use it to make
// their own fixtures: scripted models whose outputs are known by
// construction, and random-weight models of real architectures' sizes for
// benchmarks. It encodes the handful of ONNX protobuf messages a graph
// needs (model, graph, node, attribute, tensor, value info) directly with
// protowire, following onnx.proto's field numbers.
package onnxgen

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// DataType is an ONNX tensor element type (TensorProto.DataType).
type DataType int32

// The element types fixtures use.
const (
	Float DataType = 1
	Uint8 DataType = 2
	Int8  DataType = 3
	Int32 DataType = 6
	Int64 DataType = 7
	Bool  DataType = 9
)

// Tensor is a constant: an initializer or a tensor attribute. Exactly one of
// Floats, Int64s and Raw holds its data (Raw for the other types, little-endian).
type Tensor struct {
	Name   string
	Type   DataType
	Dims   []int64
	Floats []float32
	Int64s []int64
	Raw    []byte
}

// Dim is one dimension of a graph input or output: a fixed size, or a named
// symbolic one ("batch") when Param is set.
type Dim struct {
	Size  int64
	Param string
}

// Value declares a graph input or output.
type Value struct {
	Name string
	Type DataType
	Dims []Dim
}

// Attr is a node attribute; build it with the Attr* functions.
type Attr struct {
	name   string
	kind   int32 // AttributeProto.AttributeType
	i      int64
	f      float32
	s      string
	t      *Tensor
	ints   []int64
	floats []float32
}

// AttrInt is an integer attribute.
func AttrInt(name string, v int64) Attr { return Attr{name: name, kind: 2, i: v} }

// AttrFloat is a float attribute.
func AttrFloat(name string, v float32) Attr { return Attr{name: name, kind: 1, f: v} }

// AttrString is a string attribute.
func AttrString(name, v string) Attr { return Attr{name: name, kind: 3, s: v} }

// AttrTensor is a tensor attribute (Constant's "value").
func AttrTensor(name string, t Tensor) Attr { return Attr{name: name, kind: 4, t: &t} }

// AttrInts is an attribute holding integers.
func AttrInts(name string, v ...int64) Attr { return Attr{name: name, kind: 7, ints: v} }

// AttrFloats is an attribute holding floats.
func AttrFloats(name string, v ...float32) Attr { return Attr{name: name, kind: 6, floats: v} }

// Node is one operator application.
type Node struct {
	Op      string
	Name    string
	Domain  string // "" for the default ONNX domain, "com.microsoft" for contrib ops
	Inputs  []string
	Outputs []string
	Attrs   []Attr
}

// Graph is a computation: nodes in topological order, constants, and its
// declared inputs and outputs.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []Value
	Outputs      []Value
}

// Model is a whole ONNX model.
type Model struct {
	Graph Graph
	// Opset is the default domain's operator set version; 0 means 17.
	Opset int64
	// ContribOpset, when set, imports com.microsoft at that version.
	ContribOpset int64
	// Producer names what wrote the model.
	Producer string
	// Metadata is stored as the model's metadata_props.
	Metadata map[string]string
}

// Marshal encodes the model as an ONNX protobuf.
func (m Model) Marshal() []byte {
	opset := m.Opset
	if opset == 0 {
		opset = 17
	}
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType) // ir_version
	b = protowire.AppendVarint(b, 8)
	b = appendString(b, 2, orDefault(m.Producer, "samo onnxgen"))
	b = appendMessage(b, 7, m.Graph.marshal())
	b = appendMessage(b, 8, opsetImport("", opset))
	if m.ContribOpset > 0 {
		b = appendMessage(b, 8, opsetImport("com.microsoft", m.ContribOpset))
	}
	for k, v := range m.Metadata {
		var p []byte
		p = appendString(p, 1, k)
		p = appendString(p, 2, v)
		b = appendMessage(b, 14, p)
	}
	return b
}

func opsetImport(domain string, version int64) []byte {
	var b []byte
	if domain != "" {
		b = appendString(b, 1, domain)
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(version))
}

func (g Graph) marshal() []byte {
	var b []byte
	for _, n := range g.Nodes {
		b = appendMessage(b, 1, n.marshal())
	}
	b = appendString(b, 2, orDefault(g.Name, "graph"))
	for _, t := range g.Initializers {
		b = appendMessage(b, 5, t.marshal())
	}
	for _, v := range g.Inputs {
		b = appendMessage(b, 11, v.marshal())
	}
	for _, v := range g.Outputs {
		b = appendMessage(b, 12, v.marshal())
	}
	return b
}

func (n Node) marshal() []byte {
	var b []byte
	for _, in := range n.Inputs {
		b = appendString(b, 1, in)
	}
	for _, out := range n.Outputs {
		b = appendString(b, 2, out)
	}
	if n.Name != "" {
		b = appendString(b, 3, n.Name)
	}
	b = appendString(b, 4, n.Op)
	for _, a := range n.Attrs {
		b = appendMessage(b, 5, a.marshal())
	}
	if n.Domain != "" {
		b = appendString(b, 7, n.Domain)
	}
	return b
}

func (a Attr) marshal() []byte {
	var b []byte
	b = appendString(b, 1, a.name)
	switch a.kind {
	case 1:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case 2:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.i))
	case 3:
		b = appendString(b, 4, a.s)
	case 4:
		b = appendMessage(b, 5, a.t.marshal())
	case 6:
		var p []byte
		for _, f := range a.floats {
			p = protowire.AppendFixed32(p, math.Float32bits(f))
		}
		b = appendMessage(b, 7, p)
	case 7:
		var p []byte
		for _, i := range a.ints {
			p = protowire.AppendVarint(p, uint64(i))
		}
		b = appendMessage(b, 8, p)
	}
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(a.kind))
}

func (t Tensor) marshal() []byte {
	var b []byte
	if len(t.Dims) > 0 {
		var p []byte
		for _, d := range t.Dims {
			p = protowire.AppendVarint(p, uint64(d))
		}
		b = appendMessage(b, 1, p)
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(t.Type))
	if t.Name != "" {
		b = appendString(b, 8, t.Name)
	}
	raw := t.Raw
	switch {
	case t.Floats != nil:
		raw = make([]byte, 0, 4*len(t.Floats))
		for _, f := range t.Floats {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(f))
		}
	case t.Int64s != nil:
		raw = make([]byte, 0, 8*len(t.Int64s))
		for _, v := range t.Int64s {
			raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
		}
	}
	return appendMessage(b, 9, raw) // raw_data
}

func (v Value) marshal() []byte {
	var shape []byte
	for _, d := range v.Dims {
		var dim []byte
		if d.Param != "" {
			dim = appendString(dim, 2, d.Param)
		} else {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d.Size))
		}
		shape = appendMessage(shape, 1, dim)
	}
	var tensorType []byte
	tensorType = protowire.AppendTag(tensorType, 1, protowire.VarintType)
	tensorType = protowire.AppendVarint(tensorType, uint64(v.Type))
	tensorType = appendMessage(tensorType, 2, shape)
	var typ []byte
	typ = appendMessage(typ, 1, tensorType)
	var b []byte
	b = appendString(b, 1, v.Name)
	return appendMessage(b, 2, typ)
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, field protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// QuantizeInt8 quantizes weights symmetrically, one scale for the tensor,
// as onnxruntime's dynamic quantization does for MatMul weights: it
// returns the int8 values as bytes and the scale (w ≈ q × scale).
func QuantizeInt8(w []float32) (raw []byte, scale float32) {
	var peak float32
	for _, v := range w {
		peak = max(peak, float32(math.Abs(float64(v))))
	}
	scale = peak / 127
	if scale == 0 {
		scale = 1
	}
	raw = make([]byte, len(w))
	for i, v := range w {
		raw[i] = byte(int8(math.Round(float64(v / scale))))
	}
	return raw, scale
}
