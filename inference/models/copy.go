package models

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// WriteCopy writes b's files to dir (unless dir is b's own folder) and a
// manifest with the thresholds th and note added to its notes, the manifest
// last and atomically.
func WriteCopy(b *Bundle, dir string, th []float32, note string) error {
	same := false
	if b.Dir != "" {
		a1, _ := filepath.Abs(b.Dir)
		a2, _ := filepath.Abs(dir)
		same = a1 == a2
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("models: write bundle: %w", err)
	}
	if !same {
		for _, f := range b.Manifest.Files {
			data, err := b.ReadFile(f.Path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, f.Path), data, 0o644); err != nil {
				return fmt.Errorf("models: write bundle: %w", err)
			}
		}
	}
	m := b.Manifest
	m.Thresholds = slices.Clone(th)
	m.Notes = strings.TrimSpace(m.Notes + " " + note)
	tmp, err := os.MkdirTemp(dir, ".manifest-")
	if err != nil {
		return fmt.Errorf("models: write bundle: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := Write(tmp, m); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(tmp, ManifestFile), filepath.Join(dir, ManifestFile)); err != nil {
		return fmt.Errorf("models: write bundle: %w", err)
	}
	return nil
}
