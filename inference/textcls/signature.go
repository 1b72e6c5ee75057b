package textcls

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// The ONNX element types (TensorProto.DataType) that a classifier's
// signature is checked against.
const (
	onnxFloat = 1
	onnxInt64 = 7
)

// onnxTypeNames names the element types for error messages.
var onnxTypeNames = map[int32]string{1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16",
	6: "int32", 7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32",
	13: "uint64", 16: "bfloat16"}

// decl is one graph input or output as the model file declares it.
type decl struct {
	name     string
	tensor   bool    // false for sequences, maps and other non-tensor types
	elemType int32   // TensorProto.DataType
	dims     []int64 // -1 for a symbolic or unknown size; nil when no shape is declared
}

func (d decl) typeName() string {
	if !d.tensor {
		return "not a tensor"
	}
	if n, ok := onnxTypeNames[d.elemType]; ok {
		return n
	}
	return fmt.Sprintf("element type %d", d.elemType)
}

// readSignature reads a model's graph inputs, less those that an
// initializer backs (optional, as onnxruntime treats them), and its outputs,
// straight from the ONNX protobuf. It reads only the graph's declarations
// and initializer names, seeking past the weights, so that Open need not
// load the model twice; onnxruntime checks the rest when it loads the model.
func readSignature(path string) (ins, outs []decl, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	r := &protoReader{f: f, r: bufio.NewReaderSize(f, 64<<10), size: fi.Size()}
	var inits []string
	graphs := 0
	for {
		num, typ, err := r.tag()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if num != 7 || typ != protowire.BytesType { // ModelProto.graph
			if err := r.skipField(typ); err != nil {
				return nil, nil, err
			}
			continue
		}
		graphs++
		n, err := r.length()
		if err != nil {
			return nil, nil, err
		}
		// A graph may come in several messages, which protobuf merges.
		for end := r.pos + n; r.pos < end; {
			num, typ, err := r.tag()
			if err != nil {
				return nil, nil, noEOF(err)
			}
			switch {
			case typ == protowire.BytesType && (num == 11 || num == 12): // input, output
				msg, err := r.bytes()
				if err != nil {
					return nil, nil, err
				}
				d, err := parseValueInfo(msg)
				if err != nil {
					return nil, nil, err
				}
				if num == 11 {
					ins = append(ins, d)
				} else {
					outs = append(outs, d)
				}
			case typ == protowire.BytesType && num == 5: // initializer
				name, err := r.tensorName()
				if err != nil {
					return nil, nil, err
				}
				inits = append(inits, name)
			default:
				if err := r.skipField(typ); err != nil {
					return nil, nil, err
				}
			}
			if r.pos > end {
				return nil, nil, errors.New("a graph field overruns its message")
			}
		}
	}
	if graphs == 0 {
		return nil, nil, errors.New("no graph")
	}
	ins = slices.DeleteFunc(ins, func(d decl) bool { return slices.Contains(inits, d.name) })
	return ins, outs, nil
}

// protoReader reads protobuf fields from a file, counting its position and
// seeking past large fields.
type protoReader struct {
	f    *os.File
	r    *bufio.Reader
	pos  int64
	size int64
}

func (p *protoReader) ReadByte() (byte, error) {
	b, err := p.r.ReadByte()
	if err == nil {
		p.pos++
	}
	return b, err
}

func (p *protoReader) varint() (uint64, error) {
	v, err := binary.ReadUvarint(p)
	return v, noEOF(err)
}

func (p *protoReader) tag() (protowire.Number, protowire.Type, error) {
	v, err := binary.ReadUvarint(p)
	if err != nil {
		return 0, 0, err // a clean io.EOF here ends the message
	}
	num, typ := protowire.DecodeTag(v)
	if num < protowire.MinValidNumber {
		return 0, 0, fmt.Errorf("invalid field number at byte %d", p.pos)
	}
	return num, typ, nil
}

// length reads a length prefix and checks it against the file's size.
func (p *protoReader) length() (int64, error) {
	v, err := p.varint()
	if err != nil {
		return 0, err
	}
	if v > uint64(p.size-p.pos) {
		return 0, fmt.Errorf("a field of %d bytes at byte %d runs past the end of the file (%d bytes)", v, p.pos, p.size)
	}
	return int64(v), nil
}

// bytes reads a length-delimited field whole; for small messages only.
func (p *protoReader) bytes() ([]byte, error) {
	n, err := p.length()
	if err != nil {
		return nil, err
	}
	if n > 64<<20 {
		return nil, fmt.Errorf("a declaration of %d bytes at byte %d", n, p.pos)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(p.r, b); err != nil {
		return nil, noEOF(err)
	}
	p.pos += n
	return b, nil
}

// skip moves n bytes on, seeking when they are not buffered.
func (p *protoReader) skip(n int64) error {
	if n <= int64(p.r.Buffered()) {
		p.r.Discard(int(n))
		p.pos += n
		return nil
	}
	p.pos += n
	if p.pos > p.size {
		return io.ErrUnexpectedEOF
	}
	if _, err := p.f.Seek(p.pos, io.SeekStart); err != nil {
		return err
	}
	p.r.Reset(p.f)
	return nil
}

func (p *protoReader) skipField(typ protowire.Type) error {
	switch typ {
	case protowire.VarintType:
		_, err := p.varint()
		return err
	case protowire.Fixed32Type:
		return p.skip(4)
	case protowire.Fixed64Type:
		return p.skip(8)
	case protowire.BytesType:
		n, err := p.length()
		if err != nil {
			return err
		}
		return p.skip(n)
	}
	return fmt.Errorf("unexpected wire type %d at byte %d", typ, p.pos)
}

// tensorName reads a TensorProto's name (field 8), skipping its data.
func (p *protoReader) tensorName() (string, error) {
	n, err := p.length()
	if err != nil {
		return "", err
	}
	var name string
	for end := p.pos + n; p.pos < end; {
		num, typ, err := p.tag()
		if err != nil {
			return "", noEOF(err)
		}
		if num == 8 && typ == protowire.BytesType {
			b, err := p.bytes()
			if err != nil {
				return "", err
			}
			name = string(b)
			continue
		}
		if err := p.skipField(typ); err != nil {
			return "", err
		}
	}
	return name, nil
}

// parseValueInfo decodes a ValueInfoProto: name (1) and type (2), a
// TypeProto whose tensor_type (1) holds elem_type (1) and shape (2), a
// TensorShapeProto of dims (1), each dim_value (1) or dim_param (2).
func parseValueInfo(b []byte) (decl, error) {
	var d decl
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			d.name = string(v)
		case num == 2 && typ == protowire.BytesType:
			return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				if num != 1 || typ != protowire.BytesType {
					return nil
				}
				d.tensor = true
				return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
					switch {
					case num == 1 && typ == protowire.VarintType:
						d.elemType = int32(x)
					case num == 2 && typ == protowire.BytesType:
						d.dims = []int64{}
						return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
							if num != 1 || typ != protowire.BytesType {
								return nil
							}
							size := int64(-1)
							err := fields(v, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64) error {
								if num == 1 && typ == protowire.VarintType {
									size = int64(x)
								}
								return nil
							})
							d.dims = append(d.dims, size)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	if err == nil && d.name == "" {
		err = errors.New("a graph input or output without a name")
	}
	return d, err
}

// fields calls f for each field of the message b, with a bytes field's
// content or a varint's value.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

// noEOF turns an end of file inside a message into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
