package textcls_test

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/onnxgen"
	"github.com/samojournal/samo/inference/textcls"
	"github.com/samojournal/samo/inference/tokenizer"
)

// openBERT writes a random BERT of spec into dir and opens it with the
// uncased BERT vocabulary.
func openBERT(tb testing.TB, dir, name string, spec textcls.BERTSpec) *textcls.Model {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := textcls.WriteModel(path, textcls.RandomBERT(spec)); err != nil {
		tb.Fatal(err)
	}
	m, err := textcls.Open(realRuntime(tb), textcls.Config{ModelPath: path, TokenizerKind: "wordpiece",
		TokenizerFiles: []string{vocabFile(tb, "bert-uncased/vocab.txt")}, Lowercase: true})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

var bertTexts = []string{
	"I finally talked to my sister and it went better than I expected.",
	"Why does everything always go wrong on Mondays?",
	"",
	"The concert was loud, crowded and absolutely wonderful!",
	strings.Repeat("a long entry about nothing in particular ", 80),
}

// A random BERT with real sizes, two layers deep, runs end to end in fp32
// and int8, gives finite logits of the right shape, the int8 logits follow
// the fp32 ones, and padding in a batch changes nothing.
func TestRandomBERT(t *testing.T) {
	dir := t.TempDir()
	spec := textcls.BERTBase(2)
	fp32 := openBERT(t, dir, "model.onnx", spec)
	defer fp32.Close()
	spec.Int8 = true
	int8 := openBERT(t, dir, "model_quantized.onnx", spec)
	defer int8.Close()

	logits := map[string][][]float32{}
	for name, m := range map[string]*textcls.Model{"fp32": fp32, "int8": int8} {
		if m.NumLabels() != 28 {
			t.Fatalf("%s: NumLabels = %d, want 28", name, m.NumLabels())
		}
		rows, err := m.Logits(bertTexts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rows) != len(bertTexts) {
			t.Fatalf("%s: %d rows for %d texts", name, len(rows), len(bertTexts))
		}
		for i, row := range rows {
			if len(row) != 28 {
				t.Fatalf("%s: text %d has %d logits", name, i, len(row))
			}
			for _, v := range row {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s: text %d has logit %v", name, i, v)
				}
			}
			alone, err := m.Logits(bertTexts[i : i+1])
			if err != nil {
				t.Fatal(err)
			}
			// int8 quantizes each batch's activations with one scale, so a
			// padded batch may differ a little from the text alone.
			tol := map[string]float64{"fp32": 1e-4, "int8": 0.05}[name]
			for k := range row {
				if d := math.Abs(float64(row[k] - alone[0][k])); d > tol {
					t.Errorf("%s: text %d label %d: %v in a batch, %v alone", name, i, k, row[k], alone[0][k])
					break
				}
			}
		}
		logits[name] = rows
	}
	var a, b []float64
	for i := range bertTexts {
		for k := range 28 {
			a = append(a, float64(logits["fp32"][i][k]))
			b = append(b, float64(logits["int8"][i][k]))
		}
	}
	r := correlation(a, b)
	t.Logf("int8 vs fp32 logits: correlation %.4f", r)
	if r < 0.9 {
		t.Errorf("int8 and fp32 logits correlate %.3f, want > 0.9", r)
	}
}

func correlation(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i] / n
		mb += b[i] / n
	}
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// BenchmarkBERTBase_64Tokens classifies one text of exactly 64 tokens
// ([CLS] and [SEP] included) with a random-weight BERT-base (12 layers) on
// onnxruntime's default two threads, in fp32 and int8.
func BenchmarkBERTBase_64Tokens(b *testing.B) {
	w, err := tokenizer.LoadWordPieceVocab(vocabFile(b, "bert-uncased/vocab.txt"), tokenizer.UncasedOptions())
	if err != nil {
		b.Fatal(err)
	}
	words := strings.Fields(strings.Repeat("today I felt calm and grateful after a long walk by the river with my friend ", 8))
	text := ""
	for i := 1; i <= len(words); i++ {
		if s := strings.Join(words[:i], " "); len(w.IDs(s)) == 62 {
			text = s
			break
		}
	}
	if text == "" {
		b.Fatal("no prefix of the benchmark text is 62 tokens")
	}
	for _, v := range []struct {
		name string
		int8 bool
	}{{"fp32", false}, {"int8", true}} {
		b.Run(v.name, func(b *testing.B) {
			spec := textcls.BERTBase(12)
			spec.Int8 = v.int8
			m := openBERT(b, b.TempDir(), "model.onnx", spec)
			defer m.Close()
			texts := []string{text}
			if _, err := m.Logits(texts); err != nil { // warm up
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := m.Logits(texts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
		})
	}
}

// WriteModel's file is the model Marshal encodes: onnxruntime gives the
// same logits for both.
func TestWriteModel(t *testing.T) {
	dir := t.TempDir()
	// Small, but with initializers over WriteModel's 1 MiB streaming size.
	spec := textcls.BERTSpec{VocabSize: 30522, Hidden: 32, Layers: 2, Heads: 4, FFN: 64, MaxPositions: 512, Labels: 5, TokenTypes: true, Seed: 7}
	model := textcls.RandomBERT(spec)
	marshalled := filepath.Join(dir, "marshalled.onnx")
	if err := os.WriteFile(marshalled, model.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	streamed := filepath.Join(dir, "streamed.onnx")
	if err := textcls.WriteModel(streamed, model); err != nil {
		t.Fatal(err)
	}
	var rows [][][]float32
	for _, path := range []string{marshalled, streamed} {
		m, err := textcls.Open(realRuntime(t), textcls.Config{ModelPath: path, TokenizerKind: "wordpiece",
			TokenizerFiles: []string{vocabFile(t, "bert-uncased/vocab.txt")}, Lowercase: true})
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.Logits(bertTexts)
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	for i := range rows[0] {
		if !slices.Equal(rows[0][i], rows[1][i]) {
			t.Errorf("text %d: marshalled %v, streamed %v", i, rows[0][i], rows[1][i])
		}
	}
}

// The signature Open reads from the file is the one onnxruntime reports.
func TestSignature(t *testing.T) {
	rt := realRuntime(t)
	dir := t.TempDir()
	small := textcls.BERTSpec{VocabSize: 3000, Hidden: 32, Layers: 1, Heads: 4, FFN: 64, MaxPositions: 128, Labels: 5, Seed: 3}
	int8 := small
	int8.Int8, int8.TokenTypes = true, true
	models := map[string]onnxgen.Model{
		"scripted":       textcls.ScriptedModel(textcls.ScriptedSpec{VocabSize: 100, Triggers: []int{1, 2, 3}}),
		"scripted_extra": textcls.ScriptedModel(textcls.ScriptedSpec{VocabSize: 100, Triggers: []int{1}, TokenTypes: true, ExtraInput: "position_ids"}),
		"bert":           textcls.RandomBERT(small),
		"bert_int8":      textcls.RandomBERT(int8),
		// An input backed by an initializer is optional, not required.
		"defaulted": {Graph: onnxgen.Graph{
			Initializers: []onnxgen.Tensor{{Name: "bias", Type: onnxgen.Float, Dims: []int64{2}, Floats: []float32{1, 2}}},
			Inputs: []onnxgen.Value{{Name: "input_ids", Type: onnxgen.Int64, Dims: []onnxgen.Dim{{Param: "b"}, {Size: 2}}},
				{Name: "bias", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Size: 2}}}},
			Outputs: []onnxgen.Value{{Name: "logits", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "b"}, {Size: 2}}}},
			Nodes: []onnxgen.Node{{Op: "Cast", Inputs: []string{"input_ids"}, Outputs: []string{"f"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("to", 1)}},
				{Op: "Add", Inputs: []string{"f", "bias"}, Outputs: []string{"logits"}}},
		}},
	}
	ortType := map[string]string{"ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64": "int64", "ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT": "float32"}
	for name, model := range models {
		t.Run(name, func(t *testing.T) {
			path := writeModel(t, dir, name+".onnx", model)
			want, err := rt.Inspect(path)
			if err != nil {
				t.Fatal(err)
			}
			ins, outs, err := textcls.Signature(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				kind      string
				got, want []inference.TensorInfo
			}{{"inputs", ins, want.Inputs}, {"outputs", outs, want.Outputs}} {
				if len(c.got) != len(c.want) {
					t.Fatalf("%s: read %v, onnxruntime says %v", c.kind, c.got, c.want)
				}
				for i := range c.got {
					g, w := c.got[i], c.want[i]
					if g.Name != w.Name || g.Type != ortType[w.Type] || !slices.Equal(g.Shape, w.Shape) {
						t.Errorf("%s[%d]: read %+v, onnxruntime says %+v", c.kind, i, g, w)
					}
				}
			}
		})
	}
}
