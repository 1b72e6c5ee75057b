package textcls

import "github.com/samojournal/samo/inference"

// Signature exposes readSignature to the external tests, in the form of
// inference.Runtime.Inspect.
func Signature(path string) (ins, outs []inference.TensorInfo, err error) {
	i, o, err := readSignature(path)
	conv := func(ds []decl) []inference.TensorInfo {
		var ts []inference.TensorInfo
		for _, d := range ds {
			ts = append(ts, inference.TensorInfo{Name: d.name, Type: d.typeName(), Shape: d.dims})
		}
		return ts
	}
	return conv(i), conv(o), err
}
