package embed_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/embed"
	"github.com/samojournal/samo/inference/embed/embedtest"
	"github.com/samojournal/samo/inference/inferencetest"
)

// onnxruntime allows one environment per process, so the tests share one.
var shared inferencetest.Shared

func TestMain(m *testing.M) { shared.Main(m) }

func realRuntime(tb testing.TB) *inference.Runtime { return shared.Runtime(tb) }

// vocab is the fixtures' vocabulary; a token's id is its index.
var vocab = append(slices.Clone(embedtest.Specials),
	"i", "felt", "calm", "today", "the", "sea", "was", "loud", "##er", "walk", "a", "long", ".", ",", "and")

const hidden = 8

// table is the scripted models' lookup table: each token's state.
var table = embedtest.Table(len(vocab), hidden)

// id returns a token's id in vocab.
func id(tb testing.TB, tok string) int {
	tb.Helper()
	i := slices.Index(vocab, tok)
	if i < 0 {
		tb.Fatalf("%q is not in the fixture vocabulary", tok)
	}
	return i
}

// export returns a folder's content with the scripted model of spec.
func export(spec embedtest.ScriptedSpec) embedtest.Export {
	spec.Table, spec.Hidden = table, hidden
	return embedtest.Export{Vocab: vocab, Model: embedtest.Scripted(spec),
		Config: embedtest.Config("scripted-minilm", len(vocab), hidden)}
}

// write writes e into a new folder and returns it.
func write(tb testing.TB, e embedtest.Export) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "scripted")
	if err := embedtest.Write(dir, e); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func open(tb testing.TB, dir string, opts ...embed.Option) *embed.Model {
	tb.Helper()
	m, err := embed.Open(realRuntime(tb), dir, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Error(err)
		}
	})
	return m
}

// unit scales v, a sum or mean of rows, to unit length.
func unit(v []float64) []float32 {
	var n float64
	for _, x := range v {
		n += x * x
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x / math.Sqrt(n))
	}
	return out
}

// meanOf is the unit mean of the table's rows of tokens: what mean pooling
// of [CLS] tokens [SEP] must give.
func meanOf(tb testing.TB, tokens ...string) []float32 {
	tb.Helper()
	sum := make([]float64, hidden)
	for _, tok := range append(append([]string{"[CLS]"}, tokens...), "[SEP]") {
		for j := range hidden {
			sum[j] += float64(table[id(tb, tok)*hidden+j])
		}
	}
	return unit(sum)
}

// rowOf is the unit vector of one token's row.
func rowOf(tb testing.TB, tok string) []float32 {
	tb.Helper()
	row := make([]float64, hidden)
	for j := range hidden {
		row[j] = float64(table[id(tb, tok)*hidden+j])
	}
	return unit(row)
}

func assertClose(tb testing.TB, what string, got, want []float32, tol float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var norm float64
	for i := range got {
		norm += float64(got[i]) * float64(got[i])
		if math.Abs(float64(got[i]-want[i])) > tol {
			tb.Fatalf("%s:\n got %v\nwant %v", what, got, want)
		}
	}
	if math.Abs(norm-1) > 1e-5 {
		tb.Fatalf("%s: squared norm %v, want 1", what, norm)
	}
}

// texts are embedded together, in batches of two; sorted by length they
// pair texts of different lengths, so the shorter of a pair is padded.
var texts = []string{
	"I felt calm today.",
	"The sea was LOUDER",
	"a long, long walk and a calm sea",
	"walk",
	"the sea",
}

// tokensOf are the texts' tokens, lower-cased by the tokenizer.
var tokensOf = [][]string{
	{"i", "felt", "calm", "today", "."},
	{"the", "sea", "was", "loud", "##er"},
	{"a", "long", ",", "long", "walk", "and", "a", "calm", "sea"},
	{"walk"},
	{"the", "sea"},
}

// Every layout and output of a sentence-embedding export gives, for each
// text, the vector known by construction, batched or alone.
func TestModel_Embed(t *testing.T) {
	mean := func(tb testing.TB, i int) []float32 { return meanOf(tb, tokensOf[i]...) }
	tests := []struct {
		name string
		e    embedtest.Export
		opts []embed.Option
		want func(tb testing.TB, i int) []float32
	}{
		{"last_hidden_state with token_type_ids", export(embedtest.ScriptedSpec{TokenTypes: true}), nil, mean},
		{"last_hidden_state without token_type_ids", export(embedtest.ScriptedSpec{}), nil, mean},
		{"extra outputs", export(embedtest.ScriptedSpec{TokenTypes: true, Extras: true}), nil, mean},
		{"token_embeddings", export(embedtest.ScriptedSpec{Output: embedtest.TokenEmbeddings}), nil, mean},
		{"symbolic hidden size", export(embedtest.ScriptedSpec{SymbolicHidden: true}), nil, mean},
		{"no attention mask", export(embedtest.ScriptedSpec{NoMask: true}), nil, mean},
		{"sentence_embedding", export(embedtest.ScriptedSpec{Output: embedtest.SentenceEmbedding, Extras: true}), nil,
			func(tb testing.TB, i int) []float32 { return rowOf(tb, tokensOf[i][0]) }},
		{"cls pooling", func() embedtest.Export {
			e := export(embedtest.ScriptedSpec{TokenTypes: true})
			e.Pooling = "cls"
			return e
		}(), nil, func(tb testing.TB, _ int) []float32 { return rowOf(tb, "[CLS]") }},
		{"mean pooling named", func() embedtest.Export {
			e := export(embedtest.ScriptedSpec{})
			e.Pooling = "mean"
			return e
		}(), nil, mean},
		{"vocab.txt layout", func() embedtest.Export {
			e := export(embedtest.ScriptedSpec{TokenTypes: true})
			e.VocabTxt = true
			return e
		}(), nil, mean},
		{"quantized file name at the root", func() embedtest.Export {
			e := export(embedtest.ScriptedSpec{})
			e.ModelFile = "model_quantized.onnx"
			return e
		}(), nil, mean},
		{"one batch", export(embedtest.ScriptedSpec{TokenTypes: true}), []embed.Option{embed.WithBatchSize(32)}, mean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := open(t, write(t, tt.e), append([]embed.Option{embed.WithBatchSize(2)}, tt.opts...)...)
			if m.Dim() != hidden {
				t.Fatalf("Dim = %d, want %d", m.Dim(), hidden)
			}
			got, err := m.Embed(t.Context(), texts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(texts) {
				t.Fatalf("%d vectors for %d texts", len(got), len(texts))
			}
			for i, text := range texts {
				assertClose(t, text, got[i], tt.want(t, i), 1e-6)
				alone, err := m.Embed(t.Context(), []string{text})
				if err != nil {
					t.Fatal(err)
				}
				assertClose(t, text+" alone", alone[0], got[i], 1e-7)
			}
		})
	}
}

// A text longer than MaxTokens keeps its first MaxTokens-2 tokens between
// [CLS] and [SEP]; the model's own limit caps the option.
func TestModel_Embed_Truncates(t *testing.T) {
	e := export(embedtest.ScriptedSpec{TokenTypes: true})
	m := open(t, write(t, e), embed.WithMaxTokens(4))
	if m.MaxTokens() != 4 {
		t.Fatalf("MaxTokens = %d, want 4", m.MaxTokens())
	}
	got, err := m.Embed(t.Context(), []string{"i felt calm today", "walk", "i felt calm"})
	if err != nil {
		t.Fatal(err)
	}
	// a text longer than a window is its windows' vectors, weighted by
	// their tokens: two windows of two tokens weigh the same
	assertClose(t, "two windows", got[0], unit(add(meanOf(t, "i", "felt"), meanOf(t, "calm", "today"), 1)), 1e-6)
	assertClose(t, "short", got[1], meanOf(t, "walk"), 1e-6)
	// a window of two tokens weighs twice a window of one
	assertClose(t, "uneven windows", got[2], unit(add(meanOf(t, "i", "felt"), meanOf(t, "calm"), 0.5)), 1e-6)

	for _, tt := range []struct{ positions, seqLength, want int }{
		{512, 0, embed.DefaultMaxTokens},
		{128, 0, 128},
		{512, 200, 200},
		{128, 200, 128},
	} {
		e.Config["max_position_embeddings"] = tt.positions
		dir := write(t, e)
		if tt.seqLength > 0 {
			writeFile(t, dir, "sentence_bert_config.json", []byte(fmt.Sprintf(`{"max_seq_length": %d}`, tt.seqLength)))
		}
		if m := open(t, dir); m.MaxTokens() != tt.want {
			t.Errorf("MaxTokens = %d with %d positions and max_seq_length %d, want %d", m.MaxTokens(), tt.positions, tt.seqLength, tt.want)
		}
	}
}

// An empty or blank text is ErrEmpty, naming which; nothing is embedded.
func TestModel_Embed_Empty(t *testing.T) {
	m := open(t, write(t, export(embedtest.ScriptedSpec{})))
	for _, in := range [][]string{{""}, {"walk", " \n\t"}} {
		got, err := m.Embed(t.Context(), in)
		if !errors.Is(err, embed.ErrEmpty) || got != nil {
			t.Errorf("Embed(%q) = %v, %v; want ErrEmpty", in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "text "+string(rune('0'+len(in)))) {
			t.Errorf("Embed(%q): %v does not say which text", in, err)
		}
	}
	if got, err := m.Embed(t.Context(), nil); err != nil || len(got) != 0 {
		t.Errorf("Embed(nil) = %v, %v; want nothing", got, err)
	}
}

// A NaN or infinite state, or a zero vector, is an error naming the model.
func TestModel_Embed_NotFinite(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    float32
		out  string
	}{
		{"nan", float32(math.NaN()), ""},
		{"inf", float32(math.Inf(1)), ""},
		{"zero", 0, embedtest.SentenceEmbedding},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := slices.Clone(table)
			for j := range hidden {
				bad[id(t, "loud")*hidden+j] = tt.v
			}
			e := export(embedtest.ScriptedSpec{Output: tt.out})
			e.Model = embedtest.Scripted(embedtest.ScriptedSpec{Table: bad, Hidden: hidden, Output: tt.out})
			m := open(t, write(t, e))
			got, err := m.Embed(t.Context(), []string{"walk", "loud sea"})
			if err == nil || got != nil || !strings.Contains(err.Error(), "scripted-minilm") {
				t.Fatalf("Embed = %v, %v; want an error naming the model", got, err)
			}
			t.Log(err)
		})
	}
}

// A cancelled context stops Embed before it runs a batch.
func TestModel_Embed_Cancelled(t *testing.T) {
	m := open(t, write(t, export(embedtest.ScriptedSpec{})))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.Embed(ctx, texts); !errors.Is(err, context.Canceled) {
		t.Fatalf("Embed = %v, want context.Canceled", err)
	}
}

// One model serves several goroutines at once, and Close waits for them.
func TestModel_Embed_Concurrent(t *testing.T) {
	m, err := embed.Open(realRuntime(t), write(t, export(embedtest.ScriptedSpec{TokenTypes: true})))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				got, err := m.Embed(context.Background(), texts)
				if err != nil {
					t.Error(err)
					return
				}
				for i := range texts {
					assertClose(t, texts[i], got[i], meanOf(t, tokensOf[i]...), 1e-6)
				}
			}
		})
	}
	wg.Wait()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Embed(t.Context(), texts); !errors.Is(err, embed.ErrClosed) {
		t.Errorf("Embed after Close = %v, want ErrClosed", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// Name comes from config.json's _name_or_path, else the folder; Version is
// a short hash of the model file, which WithQuantized chooses.
func TestModel_NameVersion(t *testing.T) {
	e := export(embedtest.ScriptedSpec{})
	dir := write(t, e)
	m := open(t, dir)
	if m.Name() != "scripted-minilm" {
		t.Errorf("Name = %q, want scripted-minilm", m.Name())
	}
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(m.Version()) {
		t.Errorf("Version = %q, want 12 hex digits", m.Version())
	}
	if again := open(t, dir); again.Version() != m.Version() {
		t.Errorf("Version changed from %s to %s on reopening", m.Version(), again.Version())
	}

	// Beside onnx/model.onnx, a quantized file that differs.
	other := slices.Clone(table)
	other[0] = 42
	e.ModelFile = "onnx/model_quantized.onnx"
	e.Model = embedtest.Scripted(embedtest.ScriptedSpec{Table: other, Hidden: hidden})
	delete(e.Config, "_name_or_path")
	if err := embedtest.Write(dir, e); err != nil {
		t.Fatal(err)
	}
	full, q := open(t, dir), open(t, dir, embed.WithQuantized(true))
	if full.Version() != m.Version() || q.Version() == m.Version() {
		t.Errorf("Versions: fp32 %s, quantized %s; want the first file's %s, then another", full.Version(), q.Version(), m.Version())
	}
	if q.Name() != "scripted" {
		t.Errorf("Name without _name_or_path = %q, want the folder's, scripted", q.Name())
	}
}

// A folder that cannot work is refused by Open and Check, the message
// naming the file and what is wrong with it.
func TestOpen_Invalid(t *testing.T) {
	good := func() embedtest.Export { return export(embedtest.ScriptedSpec{TokenTypes: true}) }
	tests := []struct {
		name  string
		e     embedtest.Export
		after func(tb testing.TB, dir string) // damages the written folder
		want  []string                        // in the message
	}{
		{"no model file", good(), func(tb testing.TB, dir string) {
			remove(tb, dir, "onnx/model.onnx")
		}, []string{"scripted", "no model file", "model.onnx"}},
		{"corrupt model file", good(), func(tb testing.TB, dir string) {
			writeFile(tb, dir, "onnx/model.onnx", []byte("this is not a protobuf\x00\xff\x01"))
		}, []string{"onnx/model.onnx", "not a readable ONNX model"}},
		{"truncated model file", good(), func(tb testing.TB, dir string) {
			raw, err := os.ReadFile(filepath.Join(dir, "onnx", "model.onnx"))
			if err != nil {
				tb.Fatal(err)
			}
			writeFile(tb, dir, "onnx/model.onnx", raw[:len(raw)/2])
		}, []string{"onnx/model.onnx", "not a readable ONNX model"}},
		{"no embedding output", func() embedtest.Export {
			e := good()
			e.Model.Graph.Outputs[0].Name = "logits"
			e.Model.Graph.Nodes[len(e.Model.Graph.Nodes)-1].Outputs = []string{"logits"}
			return e
		}(), nil, []string{"onnx/model.onnx", `no output last_hidden_state`, `"logits"`}},
		{"hidden size differs from config.json", func() embedtest.Export {
			e := good()
			e.Config["hidden_size"] = hidden * 2
			return e
		}(), nil, []string{"onnx/model.onnx", "hidden size 8", "hidden_size 16"}},
		{"symbolic hidden size differs from config.json", func() embedtest.Export {
			e := export(embedtest.ScriptedSpec{SymbolicHidden: true})
			e.Config["hidden_size"] = hidden * 2
			return e
		}(), nil, []string{"onnx/model.onnx", "hidden size 8", "hidden_size 16"}},
		{"an input it cannot feed", func() embedtest.Export {
			e := good()
			e.Model.Graph.Inputs[1].Name = "position_ids"
			e.Model.Graph.Nodes[1].Inputs[0] = "position_ids"
			return e
		}(), nil, []string{"onnx/model.onnx", `input "position_ids"`}},
		{"no config.json", good(), func(tb testing.TB, dir string) {
			remove(tb, dir, "config.json")
		}, []string{"config.json", "no such file"}},
		{"malformed config.json", good(), func(tb testing.TB, dir string) {
			writeFile(tb, dir, "config.json", []byte(`{"hidden_size": "eight"}`))
		}, []string{"config.json", "hidden_size"}},
		{"no tokenizer", good(), func(tb testing.TB, dir string) {
			remove(tb, dir, "tokenizer.json")
		}, []string{"scripted", "no tokenizer.json or vocab.txt"}},
		{"tokenizer larger than the model's vocabulary", func() embedtest.Export {
			e := good()
			e.Config["vocab_size"] = len(vocab) - 1
			return e
		}(), nil, []string{"tokenizer.json", "vocab_size 19"}},
		{"unsupported pooling", good(), func(tb testing.TB, dir string) {
			writeFile(tb, dir, "1_Pooling/config.json", []byte(`{"pooling_mode_max_tokens": true}`))
		}, []string{"1_Pooling/config.json", "pooling"}},
	}
	rt := realRuntime(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t, tt.e)
			if tt.after != nil {
				tt.after(t, dir)
			}
			for name, err := range map[string]error{"Open": openErr(rt, dir), "Check": embed.Check(rt, dir)} {
				if !errors.Is(err, embed.ErrInvalid) {
					t.Fatalf("%s = %v, want ErrInvalid", name, err)

				}
				msg := err.Error()
				if !strings.HasPrefix(msg, "embed: ") {
					t.Errorf("%s: %q lacks the package prefix", name, msg)
				}
				for _, w := range tt.want {
					if !strings.Contains(filepath.ToSlash(msg), w) {
						t.Errorf("%s: %q does not say %q", name, msg, w)
					}
				}
			}
		})
	}
	if err := embed.Check(rt, write(t, good())); err != nil {
		t.Errorf("Check of a good folder = %v", err)
	}
}

func openErr(rt *inference.Runtime, dir string) error {
	m, err := embed.Open(rt, dir)
	if err == nil {
		m.Close()
	}
	return err
}

func remove(tb testing.TB, dir, name string) {
	tb.Helper()
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
		tb.Fatal(err)
	}
}

func writeFile(tb testing.TB, dir, name string, data []byte) {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// add returns a + k·b.
func add(a, b []float32, k float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = float64(a[i]) + k*float64(b[i])
	}
	return out
}
