package textcls

import (
	"os"
	"path/filepath"
	"testing"
)

// readSignature never panics, whatever the file holds.
func FuzzReadSignature(f *testing.F) {
	scripted := ScriptedModel(ScriptedSpec{VocabSize: 50, Triggers: []int{3, 7}, TokenTypes: true}).Marshal()
	bert := RandomBERT(BERTSpec{VocabSize: 50, Hidden: 8, Layers: 1, Heads: 2, FFN: 16, MaxPositions: 16, Labels: 3, Int8: true}).Marshal()
	for _, seed := range [][]byte{scripted, bert, scripted[:len(scripted)/2], bert[:100], []byte("this is not a protobuf"), {}} {
		f.Add(seed)
	}
	path := filepath.Join(f.TempDir(), "model.onnx")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		readSignature(path)
	})
}
