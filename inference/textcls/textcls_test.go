package textcls_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/onnxgen"
	"github.com/samojournal/samo/inference/textcls"
	"github.com/samojournal/samo/inference/tokenizer"
)

// onnxruntime allows one environment per process, so the tests share one.
var shared inferencetest.Shared

func TestMain(m *testing.M) { shared.Main(m) }

// realRuntime returns the real onnxruntime.
func realRuntime(tb testing.TB) *inference.Runtime { return shared.Runtime(tb) }

// vocabFile returns the path of a real vocabulary file under
// .cache/tokenizers, which inference/tokenizer/testdata/fetch.sh (run by
// make deps) fetches; the tests fail without it unless
// SAMO_SKIP_TOKENIZER_REFERENCE is set, as the tokenizer's own tests do.
func vocabFile(tb testing.TB, name string) string {
	tb.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", ".cache", "tokenizers", name))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("SAMO_SKIP_TOKENIZER_REFERENCE") != "" {
			tb.Skipf("vocabulary missing (%v); skipped because SAMO_SKIP_TOKENIZER_REFERENCE is set", err)
		}
		tb.Fatalf("tokenizer vocabularies are missing (%v): run inference/tokenizer/testdata/fetch.sh from the "+
			"repository root (make deps does), or set SAMO_SKIP_TOKENIZER_REFERENCE=1 to skip this test", err)
	}
	return path
}

// writeModel writes m into dir and returns its path.
func writeModel(tb testing.TB, dir, name string, m onnxgen.Model) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := textcls.WriteModel(path, m); err != nil {
		tb.Fatal(err)
	}
	return path
}

// emotions are the scripted model's labels; each is its own trigger word,
// one token in both the BERT and the GPT-2 vocabulary.
var emotions = []string{"joy", "anger", "fear", "sadness"}

// tokenizerSetup is one way to give the scripted model its tokenizer.
type tokenizerSetup struct {
	name  string
	kind  string
	files []string
	// id returns the id of a word's single token as it appears inside text.
	id func(tb testing.TB, word string) int
	// vocabSize is the tokenizer's VocabSize.
	vocabSize int
}

func singleID(tb testing.TB, ids []int, word string) int {
	tb.Helper()
	if len(ids) != 1 {
		tb.Fatalf("%q is %d tokens, want 1", word, len(ids))
	}
	return ids[0]
}

func wordPieceSetup(tb testing.TB, file string) tokenizerSetup {
	path := vocabFile(tb, file)
	var w *tokenizer.WordPiece
	var err error
	if strings.HasSuffix(file, ".json") {
		w, err = tokenizer.LoadWordPieceJSON(path)
	} else {
		w, err = tokenizer.LoadWordPieceVocab(path, tokenizer.UncasedOptions())
	}
	if err != nil {
		tb.Fatal(err)
	}
	return tokenizerSetup{name: "wordpiece " + file, kind: "wordpiece", files: []string{path}, vocabSize: w.VocabSize(),
		id: func(tb testing.TB, word string) int { return singleID(tb, w.IDs(word), word) }}
}

func bpeSetup(tb testing.TB, files ...string) tokenizerSetup {
	var paths []string
	for _, f := range files {
		paths = append(paths, vocabFile(tb, f))
	}
	var b *tokenizer.BPE
	var err error
	if len(paths) == 1 {
		b, err = tokenizer.LoadBPEJSON(paths[0])
	} else {
		b, err = tokenizer.LoadBPEFiles(paths[0], paths[1], tokenizer.BPEOptions{})
	}
	if err != nil {
		tb.Fatal(err)
	}
	// Inside a sentence, GPT-2 spells a word with its leading space.
	return tokenizerSetup{name: "bpe " + strings.Join(files, "+"), kind: "bpe", files: paths, vocabSize: b.VocabSize(),
		id: func(tb testing.TB, word string) int { return singleID(tb, b.IDs(" "+word), word) }}
}

// scripted opens a scripted model over ts in a temporary folder.
func scripted(t *testing.T, ts tokenizerSetup, spec textcls.ScriptedSpec, cfg textcls.Config) *textcls.Model {
	t.Helper()
	spec.VocabSize = ts.vocabSize
	for _, e := range emotions {
		spec.Triggers = append(spec.Triggers, ts.id(t, e))
	}
	cfg.ModelPath = writeModel(t, t.TempDir(), "model.onnx", textcls.ScriptedModel(spec))
	cfg.TokenizerKind, cfg.TokenizerFiles, cfg.Lowercase = ts.kind, ts.files, true
	m, err := textcls.Open(realRuntime(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// labelsOn returns the labels whose logit is +10 (the scripted model gives
// exactly +10 or -10), failing on anything else.
func labelsOn(t *testing.T, row []float32) []string {
	t.Helper()
	var on []string
	for k, v := range row {
		switch v {
		case 10:
			on = append(on, emotions[k])
		case -10:
		default:
			t.Fatalf("logit %d is %v, want ±10", k, v)
		}
	}
	return on
}

// longText is n words of filler with word at position at.
func longText(n, at int, word string) string {
	words := make([]string, n)
	filler := []string{"the", "morning", "was", "quiet", "and", "I", "walked", "to", "work", "slowly"}
	for i := range words {
		words[i] = filler[i%len(filler)]
	}
	words[at] = word
	return strings.Join(words, " ")
}

func TestModel_Logits(t *testing.T) {
	setups := []tokenizerSetup{
		wordPieceSetup(t, "bert-uncased/vocab.txt"),
		wordPieceSetup(t, "bert-uncased/tokenizer.json"),
		bpeSetup(t, "gpt2/vocab.json", "gpt2/merges.txt"),
		bpeSetup(t, "gpt2/tokenizer.json"),
	}
	texts := []struct {
		text string
		want []string
	}{
		{"I feel joy", []string{"joy"}},
		{"so much anger and fear today", []string{"anger", "fear"}},
		{"nothing special happened", nil},
		{"", nil},
		{longText(2000, 1990, "sadness"), []string{"sadness"}},
		{longText(2000, 5, "joy"), []string{"joy"}},
		{"a quiet day with some joy", []string{"joy"}},
	}
	var all []string
	for _, tc := range texts {
		all = append(all, tc.text)
	}
	for _, ts := range setups {
		for _, types := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/token_types=%v", ts.name, types), func(t *testing.T) {
				m := scripted(t, ts, textcls.ScriptedSpec{TokenTypes: types}, textcls.Config{})
				if m.NumLabels() != len(emotions) {
					t.Fatalf("NumLabels = %d, want %d", m.NumLabels(), len(emotions))
				}
				// One batch of all texts, then each alone: padding and
				// batching must not change a text's logits.
				batch, err := m.Logits(all)
				if err != nil {
					t.Fatal(err)
				}
				if len(batch) != len(texts) {
					t.Fatalf("%d rows for %d texts", len(batch), len(texts))
				}
				for i, tc := range texts {
					alone, err := m.Logits([]string{tc.text})
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(alone[0], batch[i]) {
						t.Errorf("text %d: alone %v, in a batch %v", i, alone[0], batch[i])
					}
					if got := labelsOn(t, batch[i]); !slices.Equal(got, tc.want) {
						t.Errorf("text %d (%.40q): labels %q, want %q", i, tc.text, got, tc.want)
					}
				}
			})
		}
	}
}

// Windowing: with short windows the trigger is found wherever it stands,
// at a window's edge or in the overlap of two windows.
func TestModel_LogitsWindows(t *testing.T) {
	ts := wordPieceSetup(t, "bert-uncased/vocab.txt")
	for _, cfg := range []textcls.Config{
		{MaxTokens: 8, Stride: 2},
		{MaxTokens: 8},
		{MaxTokens: 3},
		{MaxTokens: 64, Stride: 61},
	} {
		t.Run(fmt.Sprintf("max=%d,stride=%d", cfg.MaxTokens, cfg.Stride), func(t *testing.T) {
			m := scripted(t, ts, textcls.ScriptedSpec{TokenTypes: true}, cfg)
			var texts []string
			for at := range 40 {
				texts = append(texts, longText(40, at, "fear"))
			}
			rows, err := m.Logits(texts)
			if err != nil {
				t.Fatal(err)
			}
			for at, row := range rows {
				if got := labelsOn(t, row); !slices.Equal(got, []string{"fear"}) {
					t.Errorf("trigger at word %d: labels %q", at, got)
				}
			}
		})
	}
}

// A model without attention_mask is fed unpadded batches of equal length.
func TestModel_LogitsWithoutAttentionMask(t *testing.T) {
	ts := wordPieceSetup(t, "bert-uncased/vocab.txt")
	m := scripted(t, ts, textcls.ScriptedSpec{NoAttentionMask: true}, textcls.Config{MaxTokens: 16})
	texts := []string{"joy", "a much longer text about anger", "", longText(100, 97, "fear"), "x y"}
	want := [][]string{{"joy"}, {"anger"}, nil, {"fear"}, nil}
	rows, err := m.Logits(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		if got := labelsOn(t, row); !slices.Equal(got, want[i]) {
			t.Errorf("text %d: labels %q, want %q", i, got, want[i])
		}
	}
}

func TestModel_Occlusion(t *testing.T) {
	for _, ts := range []tokenizerSetup{wordPieceSetup(t, "bert-uncased/vocab.txt"), bpeSetup(t, "gpt2/tokenizer.json")} {
		t.Run(ts.name, func(t *testing.T) {
			m := scripted(t, ts, textcls.ScriptedSpec{}, textcls.Config{})
			text := "Today,  I felt\tpure joy walking home."
			for _, sigmoid := range []bool{true, false} {
				imp, err := m.Occlusion(text, 0, sigmoid)
				if err != nil {
					t.Fatal(err)
				}
				if len(imp) != 7 {
					t.Fatalf("%d words, want 7: %+v", len(imp), imp)
				}
				// Without "joy" every logit is -10: its sigmoid is ≈ 0, its
				// softmax share 1/4.
				want := map[bool]float64{true: 1, false: 0.75}[sigmoid]
				if imp[0].Word != "joy" || math.Abs(float64(imp[0].Impact)-want) > 1e-3 {
					t.Errorf("sigmoid=%v: first %+v, want joy with impact %v", sigmoid, imp[0], want)
				}
				for _, w := range imp {
					if text[w.Start:w.End] != w.Word {
						t.Errorf("word %q at [%d,%d) is %q in the text", w.Word, w.Start, w.End, text[w.Start:w.End])
					}
					if w.Word != "joy" && math.Abs(float64(w.Impact)) > 1e-6 {
						t.Errorf("word %q has impact %v, want 0", w.Word, w.Impact)
					}
				}
				if order := []string{imp[1].Word, imp[2].Word}; !slices.Equal(order, []string{"Today,", "I"}) {
					t.Errorf("ties not in text order: %q", order)
				}
			}
			if imp, err := m.Occlusion("  ", 0, true); err != nil || len(imp) != 0 {
				t.Errorf("Occlusion of blank text = %v, %v; want none", imp, err)
			}
			if _, err := m.Occlusion("joy", 4, true); err == nil || !strings.Contains(err.Error(), "label 4") {
				t.Errorf("label out of range: error %v", err)
			}
		})
	}
}

func TestOpen_Errors(t *testing.T) {
	rt := realRuntime(t)
	ts := wordPieceSetup(t, "bert-uncased/vocab.txt")
	dir := t.TempDir()
	triggers := []int{ts.id(t, "joy")}
	good := writeModel(t, dir, "good.onnx", textcls.ScriptedModel(textcls.ScriptedSpec{VocabSize: ts.vocabSize, Triggers: triggers}))
	extra := writeModel(t, dir, "extra.onnx", textcls.ScriptedModel(textcls.ScriptedSpec{VocabSize: ts.vocabSize, Triggers: triggers, ExtraInput: "position_ids"}))
	corrupt := filepath.Join(dir, "corrupt.onnx")
	if err := os.WriteFile(corrupt, []byte("this is not a protobuf"), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.onnx")
	data, _ := os.ReadFile(good)
	if err := os.WriteFile(truncated, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	// A float input where input_ids should be.
	floatIDs := writeModel(t, dir, "float_ids.onnx", onnxgen.Model{Graph: onnxgen.Graph{
		Inputs:  []onnxgen.Value{{Name: "input_ids", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "b"}, {Param: "s"}}}},
		Outputs: []onnxgen.Value{{Name: "logits", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "b"}, {Param: "s"}}}},
		Nodes:   []onnxgen.Node{{Op: "Identity", Inputs: []string{"input_ids"}, Outputs: []string{"logits"}}},
	}})
	// A token classifier: logits per token, [batch, sequence, labels].
	perToken := writeModel(t, dir, "per_token.onnx", onnxgen.Model{Graph: onnxgen.Graph{
		Initializers: []onnxgen.Tensor{{Name: "table", Type: onnxgen.Float, Dims: []int64{int64(ts.vocabSize), 2}, Floats: make([]float32, 2*ts.vocabSize)}},
		Inputs:       []onnxgen.Value{{Name: "input_ids", Type: onnxgen.Int64, Dims: []onnxgen.Dim{{Param: "b"}, {Param: "s"}}}},
		Outputs:      []onnxgen.Value{{Name: "logits", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "b"}, {Param: "s"}, {Size: 2}}}},
		Nodes:        []onnxgen.Node{{Op: "Gather", Inputs: []string{"table", "input_ids"}, Outputs: []string{"logits"}}},
	}})
	base := textcls.Config{ModelPath: good, TokenizerKind: "wordpiece", TokenizerFiles: ts.files, Lowercase: true}
	with := func(f func(*textcls.Config)) textcls.Config { c := base; f(&c); return c }
	tests := []struct {
		name string
		cfg  textcls.Config
		want []string
	}{
		{"corrupt model", with(func(c *textcls.Config) { c.ModelPath = corrupt }), []string{"corrupt.onnx"}},
		{"truncated model", with(func(c *textcls.Config) { c.ModelPath = truncated }), []string{"truncated.onnx"}},
		{"missing model", with(func(c *textcls.Config) { c.ModelPath = filepath.Join(dir, "absent.onnx") }), []string{"absent.onnx"}},
		{"unknown required input", with(func(c *textcls.Config) { c.ModelPath = extra }), []string{"extra.onnx", `"position_ids"`}},
		{"input of the wrong type", with(func(c *textcls.Config) { c.ModelPath = floatIDs }), []string{"float_ids.onnx", `"input_ids"`, "want int64"}},
		{"per-token output", with(func(c *textcls.Config) { c.ModelPath = perToken }), []string{"per_token.onnx", "[batch, labels]"}},
		{"unknown output", with(func(c *textcls.Config) { c.Output = "scores" }), []string{"good.onnx", `no output "scores"`, `"logits"`}},
		{"missing vocabulary", with(func(c *textcls.Config) { c.TokenizerFiles = []string{filepath.Join(dir, "vocab.txt")} }), []string{"vocab.txt"}},
		{"bpe without merges", with(func(c *textcls.Config) { c.TokenizerKind = "bpe" }), []string{"vocab.json and merges.txt"}},
		{"unknown tokenizer", with(func(c *textcls.Config) { c.TokenizerKind = "sentencepiece" }), []string{`"sentencepiece"`}},
		{"window too short", with(func(c *textcls.Config) { c.MaxTokens = 2 }), []string{"max tokens 2"}},
		{"stride too long", with(func(c *textcls.Config) { c.MaxTokens, c.Stride = 10, 8 }), []string{"stride 8"}},
		{"negative stride", with(func(c *textcls.Config) { c.Stride = -1 }), []string{"stride -1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := textcls.Open(rt, tc.cfg)
			if err == nil {
				m.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "textcls: ") {
				t.Errorf("error %q lacks the \"textcls: \" prefix", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %s", msg, w)
				}
			}
		})
	}
}

func TestModel_Close(t *testing.T) {
	m := scripted(t, wordPieceSetup(t, "bert-uncased/vocab.txt"), textcls.ScriptedSpec{}, textcls.Config{})
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := m.Logits([]string{"joy"}); !errors.Is(err, textcls.ErrClosed) {
		t.Errorf("Logits after Close: %v, want ErrClosed", err)
	}
}

// A model that gives NaN is an error where it happens, not a score.
func TestModel_LogitsNotFinite(t *testing.T) {
	ts := wordPieceSetup(t, "bert-uncased/vocab.txt")
	path := writeModel(t, t.TempDir(), "nan.onnx", onnxgen.Model{Graph: onnxgen.Graph{
		Inputs:  []onnxgen.Value{{Name: "input_ids", Type: onnxgen.Int64, Dims: []onnxgen.Dim{{Param: "b"}, {Param: "s"}}}},
		Outputs: []onnxgen.Value{{Name: "logits", Type: onnxgen.Float, Dims: []onnxgen.Dim{{Param: "b"}, {Size: 1}}}},
		Nodes: []onnxgen.Node{
			{Op: "Cast", Inputs: []string{"input_ids"}, Outputs: []string{"f"}, Attrs: []onnxgen.Attr{onnxgen.AttrInt("to", int64(onnxgen.Float))}},
			{Op: "ReduceMax", Inputs: []string{"f"}, Outputs: []string{"m"}, Attrs: []onnxgen.Attr{onnxgen.AttrInts("axes", 1), onnxgen.AttrInt("keepdims", 1)}},
			{Op: "Neg", Inputs: []string{"m"}, Outputs: []string{"neg"}},
			{Op: "Sqrt", Inputs: []string{"neg"}, Outputs: []string{"logits"}},
		},
	}})
	m, err := textcls.Open(realRuntime(t), textcls.Config{ModelPath: path, TokenizerKind: "wordpiece", TokenizerFiles: ts.files, Lowercase: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_, err = m.Logits([]string{"fine", "joy"})
	if err == nil || !strings.Contains(err.Error(), "nan.onnx gave logit NaN") {
		t.Errorf("error %v, want one naming the model and the NaN", err)
	}
}

func TestParts(t *testing.T) {
	words := make([][2]int, 10)
	for i := range words {
		words[i] = [2]int{3 * i, 3*i + 2}
	}
	if got := textcls.Parts(words, 10); !slices.Equal(got, words) {
		t.Fatalf("10 words in at most 10 parts: %v", got)
	}
	got := textcls.Parts(words, 4)
	want := [][2]int{{0, 5}, {6, 14}, {15, 20}, {21, 29}} // 2, 3, 2, 3 words
	if !slices.Equal(got, want) {
		t.Fatalf("10 words in 4 parts: %v, want %v", got, want)
	}
	if got := textcls.Parts(nil, 4); len(got) != 0 {
		t.Fatalf("no words: %v", got)
	}
}

func TestPrefix(t *testing.T) {
	for _, tt := range []struct {
		text string
		max  int
		want string
	}{
		{"short text", 20, "short text"},
		{"one two three", 9, "one two"},
		{"one two three", 8, "one two"},
		{"héhéhé", 2, "h"},             // no space: cut at a character's start, not inside é
		{"héhéhé", 3, "hé"},            // at a start already
		{"abc\u00a0def ghi", 8, "abc"}, // a no-break space is white space too
	} {
		if got := textcls.Prefix(tt.text, tt.max); got != tt.want {
			t.Errorf("Prefix(%q, %d) = %q, want %q", tt.text, tt.max, got, tt.want)
		}
	}
}

// A text of more words than MaxOcclusionParts is explained by runs of
// words, and an enormous one by its beginning: the cost stays bounded, and
// the run holding the cue still comes first.
func TestModel_OcclusionOfLongText(t *testing.T) {
	ts := wordPieceSetup(t, "bert-uncased/vocab.txt")
	m := scripted(t, ts, textcls.ScriptedSpec{}, textcls.Config{})
	long := strings.Repeat("a quiet day ", 200) + "joy " + strings.Repeat("then home ", 200)
	imps, err := m.OcclusionLabels(long, []int{0, 1}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(imps) != 2 || len(imps[0]) != textcls.MaxOcclusionParts {
		t.Fatalf("%d labels, %d parts; want 2 and %d", len(imps), len(imps[0]), textcls.MaxOcclusionParts)
	}
	top := imps[0][0]
	if !strings.Contains(top.Word, "joy") || long[top.Start:top.End] != top.Word || top.Impact < 0.5 {
		t.Fatalf("top part %+v, want the run with joy", top)
	}
	enormous := strings.Repeat("joy ", 1<<20) // 4 MiB
	imps, err = m.OcclusionLabels(enormous, []int{0}, true)
	if err != nil {
		t.Fatal(err)
	}
	last := slices.MaxFunc(imps[0], func(a, b textcls.Impact) int { return a.End - b.End })
	if len(imps[0]) != textcls.MaxOcclusionParts || last.End > textcls.MaxOcclusionBytes {
		t.Fatalf("%d parts, the last ending at %d; want %d within the first %d bytes", len(imps[0]), last.End, textcls.MaxOcclusionParts, textcls.MaxOcclusionBytes)
	}
}
