package models_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/samojournal/samo/inference/models"
)

// writeBundle makes a small valid bundle in a temp folder.
func writeBundle(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"model.onnx": "graph bytes", "vocab.bin": "vocabulary"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := models.Manifest{
		Name: "test", Version: "1", Task: "emotion", Architecture: "x", Precision: "fp32",
		Tokenizer:  models.Tokenizer{Kind: "ngram", Files: []string{"vocab.bin"}},
		Labels:     []string{"a", "b"},
		Thresholds: []float32{0.3, 0.6},
	}
	for _, f := range [][2]string{{"model.onnx", "model"}, {"vocab.bin", "vocab"}} {
		d, err := models.Describe(dir, f[0], f[1])
		if err != nil {
			t.Fatal(err)
		}
		m.Files = append(m.Files, d)
	}
	if err := models.Write(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpen_Valid(t *testing.T) {
	dir := writeBundle(t)
	b, err := models.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.Name != "test" || len(b.Manifest.Files) != 2 {
		t.Fatalf("manifest %+v", b.Manifest)
	}
	f, ok := b.FileWithRole("model")
	if !ok || f.Path != "model.onnx" || b.Path(f.Path) != filepath.Join(dir, "model.onnx") {
		t.Fatalf("model file %+v %v", f, ok)
	}
	data, err := b.ReadFile("vocab.bin")
	if err != nil || string(data) != "vocabulary" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
}

func TestOpen_RefusesDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(dir string)
		want   []string
	}{
		{"changed file", func(dir string) { os.WriteFile(filepath.Join(dir, "model.onnx"), []byte("graph bytez"), 0o644) }, []string{"model.onnx", "sha256", "damaged"}},
		{"short file", func(dir string) { os.WriteFile(filepath.Join(dir, "vocab.bin"), []byte("vocab"), 0o644) }, []string{"vocab.bin", "5 bytes", "10"}},
		{"missing file", func(dir string) { os.Remove(filepath.Join(dir, "model.onnx")) }, []string{"model.onnx"}},
		{"no manifest", func(dir string) { os.Remove(filepath.Join(dir, "manifest.json")) }, []string{"manifest.json"}},
		{"manifest not JSON", func(dir string) { os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("{"), 0o644) }, []string{"manifest.json"}},
		{"path escapes", func(dir string) { edit(dir, `"path": "vocab.bin"`, `"path": "../vocab.bin"`) }, []string{"../vocab.bin", "relative"}},
		{"threshold out of range", func(dir string) { edit(dir, "0.6", "1.5") }, []string{"threshold of b", "1.5"}},
		{"model is a link to /dev/zero", func(dir string) { replaceWith(dir, "model.onnx", func(p string) { os.Symlink("/dev/zero", p) }) }, []string{"model.onnx", "not a regular file"}},
		{"model is a FIFO", func(dir string) { replaceWith(dir, "model.onnx", func(p string) { syscall.Mkfifo(p, 0o644) }) }, []string{"model.onnx", "not a regular file"}},
		{"model is a folder", func(dir string) { replaceWith(dir, "model.onnx", func(p string) { os.Mkdir(p, 0o755) }) }, []string{"model.onnx", "not a regular file"}},
		{"model is longer", func(dir string) {
			os.WriteFile(filepath.Join(dir, "model.onnx"), []byte("graph bytes and more"), 0o644)
		}, []string{"model.onnx", "larger"}},
		{"manifest is a FIFO", func(dir string) { replaceWith(dir, "manifest.json", func(p string) { syscall.Mkfifo(p, 0o644) }) }, []string{"manifest.json", "not a regular file"}},
		{"manifest is a link to /dev/zero", func(dir string) { replaceWith(dir, "manifest.json", func(p string) { os.Symlink("/dev/zero", p) }) }, []string{"manifest.json", "not a regular file"}},
		{"manifest of 2 MB", func(dir string) {
			os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"name":"`+strings.Repeat("n", 2<<20)+`"}`), 0o644)
		}, []string{"manifest.json", "not a manifest"}},
		{"absolute path", func(dir string) { edit(dir, `"path": "vocab.bin"`, `"path": "/etc/passwd"`) }, []string{"/etc/passwd"}},
		{"tokenizer file unlisted", func(dir string) {
			edit(dir, `"vocab.bin"
    ]`, `"other.bin"
    ]`)
		}, []string{"other.bin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeBundle(t)
			tt.damage(dir)
			_, err := models.Open(dir)
			if !errors.Is(err, models.ErrBundle) {
				t.Fatalf("Open = %v, want ErrBundle", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// replaceWith removes the bundle's file name and makes something else there.
func replaceWith(dir, name string, make func(path string)) {
	p := filepath.Join(dir, name)
	os.Remove(p)
	make(p)
}

func edit(dir, old, new string) {
	p := filepath.Join(dir, "manifest.json")
	data, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
}
