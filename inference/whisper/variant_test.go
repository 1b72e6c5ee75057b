package whisper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The variant picks the files: "auto" the int8 ones where a folder has
// both, "" the float32 ones (or the int8 ones of a folder that has only
// those), a variant named only its own.
func TestModelFiles_Variants(t *testing.T) {
	touch := func(dir string, names ...string) {
		for _, n := range names {
			p := filepath.Join(dir, "onnx", n)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, nil, 0o644)
		}
	}
	both, fp32, int8 := t.TempDir(), t.TempDir(), t.TempDir()
	touch(both, "encoder_model.onnx", "decoder_model_merged.onnx", "encoder_model_quantized.onnx", "decoder_model_merged_quantized.onnx")
	touch(fp32, "encoder_model.onnx", "decoder_model_merged.onnx")
	touch(int8, "encoder_model_quantized.onnx", "decoder_model_merged_quantized.onnx")
	for _, c := range []struct {
		dir, variant string
		quantized    bool
	}{
		{both, VariantAuto, true}, {both, "", false}, {both, "quantized", true},
		{fp32, VariantAuto, false}, {fp32, "", false},
		{int8, VariantAuto, true}, {int8, "", true},
	} {
		enc, merged, _, _, err := modelFiles(c.dir, c.variant)
		if err != nil {
			t.Fatalf("%s, %q: %v", c.dir, c.variant, err)
		}
		if q := strings.Contains(enc, "_quantized") && strings.Contains(merged, "_quantized"); q != c.quantized {
			t.Errorf("%s, %q: %s and %s", c.dir, c.variant, filepath.Base(enc), filepath.Base(merged))
		}
	}
	if _, _, _, _, err := modelFiles(fp32, "quantized"); err == nil {
		t.Error("a variant asked for by name was replaced by another")
	}
}
