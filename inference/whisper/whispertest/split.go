package whispertest

import (
	"strings"

	"github.com/samojournal/samo/inference/onnxgen"
)

// SplitDecoder turns a merged decoder into the pair of files that older
// exports have instead: decoder_model.onnx (input_ids and
// encoder_hidden_states → logits and all present keys and values) and
// decoder_with_past_model.onnx (input_ids and all past keys and values →
// logits and the self-attention's present keys and values). The inputs
// that a file lacks become constants: no past, or no encoder states, and
// use_cache_branch fixed.
func SplitDecoder(merged onnxgen.Model, heads, headDim, dModel int) (first, withPast onnxgen.Model) {
	split := func(cached bool) onnxgen.Model {
		m := merged
		g := merged.Graph
		g.Inputs, g.Outputs = nil, nil
		g.Initializers = append([]onnxgen.Tensor(nil), merged.Graph.Initializers...)
		for _, in := range merged.Graph.Inputs {
			switch {
			case in.Name == "use_cache_branch":
				flag := byte(0)
				if cached {
					flag = 1
				}
				g.Initializers = append(g.Initializers, onnxgen.Tensor{Name: in.Name, Type: onnxgen.Bool, Dims: []int64{1}, Raw: []byte{flag}})
			case strings.HasPrefix(in.Name, "past_key_values.") && !cached:
				g.Initializers = append(g.Initializers, onnxgen.Tensor{Name: in.Name, Type: onnxgen.Float,
					Dims: []int64{1, int64(heads), 0, int64(headDim)}, Raw: []byte{}})
			case in.Name == "encoder_hidden_states" && cached:
				g.Initializers = append(g.Initializers, onnxgen.Tensor{Name: in.Name, Type: onnxgen.Float,
					Dims: []int64{1, 0, int64(dModel)}, Raw: []byte{}})
			default:
				g.Inputs = append(g.Inputs, in)
			}
		}
		for _, out := range merged.Graph.Outputs {
			if cached && strings.Contains(out.Name, ".encoder.") {
				continue
			}
			g.Outputs = append(g.Outputs, out)
		}
		m.Graph = g
		return m
	}
	return split(false), split(true)
}
