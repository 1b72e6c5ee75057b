package emotion_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/emotion/emotiontest"
	"github.com/samojournal/samo/inference/models"
)

// hfExport writes a scripted BERT GoEmotions export (see emotiontest).
func hfExport(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("..", "..", ".cache", "tokenizers", "bert-uncased", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := emotiontest.WriteHFExport(dir, src); err != nil {
		t.Fatalf("%v (the BERT vocabulary comes from inference/tokenizer/testdata/fetch.sh, which make deps runs)", err)
	}
	return dir
}

func TestClassifier_BERTFamilyExport(t *testing.T) {
	dir := hfExport(t)
	man, err := emotion.ManifestFromHF(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if man.Tokenizer.Kind != "wordpiece" || man.Tokenizer.MaxTokens != 512 || man.Architecture != emotion.ArchBERT {
		t.Fatalf("manifest %+v", man)
	}
	if err := models.Write(dir, man); err != nil {
		t.Fatal(err)
	}
	b, err := models.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := emotion.Open(realRuntime(t), b, emotion.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	long := strings.Repeat("we walked along the river and talked about nothing much. ", 150) + "Pure joy."
	rs, err := c.Analyze([]string{"Such GRIEF and remorse today", "I feel nervous", long, "nothing to see here"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"grief", "remorse"}, {"nervousness"}, {"joy"}}
	for i, w := range want {
		got := rs[i].LabelNames()
		if strings.Join(sorted(got), ",") != strings.Join(w, ",") {
			t.Errorf("text %d: labels %v, want %v", i, got, w)
		}
	}
	// sigmoid(10) passes the default 0.5 thresholds; nothing passes for the
	// last text, so the top-1 fallback answers
	if !rs[3].Fallback || len(rs[3].Labels) != 1 {
		t.Errorf("no trigger: %+v, want one fallback label", rs[3])
	}
	r, err := c.Explain("a day of quiet pride at work")
	if err != nil {
		t.Fatal(err)
	}
	if r.Labels[0].Name != "pride" || len(r.Labels[0].Reasons) == 0 || r.Labels[0].Reasons[0].Text != "pride" {
		t.Fatalf("explanation %+v, want the occluded word pride first", r.Labels)
	}
}

func TestManifestFromHF_RefusesOtherModels(t *testing.T) {
	dir := hfExport(t)
	cfgPath := filepath.Join(dir, "config.json")
	raw, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, []byte(strings.Replace(string(raw), "Joy", "Happiness", 1)), 0o644)
	if _, err := emotion.ManifestFromHF(dir, false); err == nil || !strings.Contains(err.Error(), "Happiness") {
		t.Fatalf("wrong label: %v", err)
	}
	os.WriteFile(cfgPath, raw, 0o644)
	if _, err := emotion.ManifestFromHF(dir, true); err == nil || !strings.Contains(err.Error(), "model_quantized.onnx") {
		t.Fatalf("missing quantized model: %v", err)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
