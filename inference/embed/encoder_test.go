package embed_test

import (
	"math"
	"testing"

	"github.com/samojournal/samo/inference/embed"
	"github.com/samojournal/samo/inference/embed/embedtest"
)

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

// A random-weight BERT encoder of MiniLM's width, two layers deep, runs in
// fp32 and int8 (DynamicQuantizeLinear and MatMulInteger): real attention
// under the mask makes a padded text's vector its vector alone (in int8 up
// to the activations' quantization, whose scale padding changes), and the
// int8 vectors follow the fp32 ones.
func TestModel_Embed_RandomEncoder(t *testing.T) {
	vecs := map[bool][][]float32{}
	for _, int8 := range []bool{false, true} {
		spec := embedtest.MiniLMSpec(int8)
		spec.VocabSize, spec.Layers = len(vocab), 2
		e := embedtest.Export{Vocab: vocab, Model: embedtest.RandomEncoder(spec),
			Config: embedtest.Config("random-minilm", len(vocab), spec.Hidden)}
		if int8 {
			e.ModelFile = "onnx/model_quantized.onnx"
		}
		m := open(t, write(t, e), embed.WithBatchSize(8))
		if m.Dim() != spec.Hidden {
			t.Fatalf("Dim = %d, want %d", m.Dim(), spec.Hidden)
		}
		got, err := m.Embed(t.Context(), texts)
		if err != nil {
			t.Fatal(err)
		}
		vecs[int8] = got
		for i, text := range texts {
			alone, err := m.Embed(t.Context(), []string{text})
			if err != nil {
				t.Fatal(err)
			}
			c := cosine(alone[0], got[i])
			t.Logf("int8=%v %q: cosine alone/batched %.7f", int8, text, c)
			if (!int8 && c < 1-1e-6) || c < 0.9999 {
				t.Errorf("int8=%v %q: cosine of the text alone and batched is %v", int8, text, c)
			}
		}
	}
	for i, text := range texts {
		c := cosine(vecs[false][i], vecs[true][i])
		t.Logf("%q: cosine fp32/int8 %.5f", text, c)
		if c < 0.99 {
			t.Errorf("%q: cosine of the fp32 and int8 vectors is %v", text, c)
		}
	}
}
