// Package models reads and checks SAMO's model bundles, and holds the
// model manager. A bundle is a folder holding a manifest.json beside the
// files it lists (ONNX graphs, vocabularies, tokenizer files, reports),
// each with its size and sha256. The same format carries the project's own
// default emotion model, a BERT-family GoEmotions export a person
// installs, and the speech and embedding models. A bundle is checked
// completely when it is opened, so a wrong or damaged file is refused
// then, with its name and what is wrong, never at the first inference.
//
// The manager (Manager) downloads the models of a catalog (catalog.json,
// files pinned to a repository revision) into a models folder: resuming
// with range requests, retrying with back-off, verifying each file's
// sha256 (or recording the first download's), locking against a second
// process, and installing in one rename. It is the only code in SAMO that
// opens a network connection.
package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// ManifestFile is the manifest's name inside a bundle.
const ManifestFile = "manifest.json"

// ErrBundle is wrapped by every error about a bundle's contents.
var ErrBundle = errors.New("models: bad bundle")

// File is one file of a bundle.
type File struct {
	// Path is relative to the bundle folder, with forward slashes.
	Path   string `json:"path"`
	Role   string `json:"role"` // model, vocab, tokenizer, config, report
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Tokenizer says how text becomes model input.
type Tokenizer struct {
	// Kind is "ngram" (SAMO's own featurizer), "wordpiece" or "bpe".
	Kind string `json:"kind"`
	// Files are the tokenizer's files, relative to the bundle: ngram:
	// [vocab.bin]; wordpiece: [vocab.txt] or [tokenizer.json]; bpe:
	// [vocab.json, merges.txt] or [tokenizer.json].
	Files     []string `json:"files"`
	Lowercase bool     `json:"lowercase,omitempty"`
	MaxTokens int      `json:"max_tokens,omitempty"`
}

// Manifest describes a bundle.
type Manifest struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Task is what the model does: "emotion", "transcribe", "embed", "vad".
	Task string `json:"task"`
	// Architecture names the model family, e.g. "samo-ngram-linear" or
	// "bert-sequence-classification".
	Architecture string    `json:"architecture"`
	Precision    string    `json:"precision"` // fp32 or int8
	Files        []File    `json:"files"`
	Tokenizer    Tokenizer `json:"tokenizer"`
	Labels       []string  `json:"labels,omitempty"`
	// Thresholds holds one decision threshold per label, in Labels order.
	Thresholds []float32 `json:"thresholds,omitempty"`
	Inputs     []string  `json:"inputs,omitempty"`
	Outputs    []string  `json:"outputs,omitempty"`
	Source     string    `json:"source"`
	Licence    string    `json:"licence"`
	// Notes is free text: how the model was made, its measured quality.
	Notes string `json:"notes,omitempty"`
}

// Bundle is an opened, checked bundle.
type Bundle struct {
	Manifest Manifest
	// Dir is the folder on disk, or "" for a bundle read from an fs.FS
	// (such as the default model embedded in the binary).
	Dir  string
	fsys fs.FS
}

// Open reads and checks the bundle in dir.
func Open(dir string) (*Bundle, error) {
	b, err := OpenFS(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("%w (bundle %s)", err, dir)
	}
	b.Dir = dir
	return b, nil
}

// OpenManifest checks the bundle that m describes in dir (a folder without
// a manifest file, e.g. a Hugging Face export described by the emotion
// package), as Open checks one with a manifest file.
func OpenManifest(dir string, m Manifest) (*Bundle, error) {
	b, err := checked(m, os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("%w (bundle %s)", err, dir)
	}
	b.Dir = dir
	return b, nil
}

// OpenFS reads and checks the bundle at the root of fsys: the manifest
// must parse and be complete, and every file it lists must exist with the
// size and sha256 it gives.
func OpenFS(fsys fs.FS) (*Bundle, error) {
	data, err := readManifest(fsys)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrBundle, ManifestFile, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBundle, ManifestFile, err)
	}
	return checked(m, fsys)
}

// maxManifestBytes bounds a manifest: a real one is a few kilobytes.
const maxManifestBytes = 1 << 20

// readManifest reads the manifest, a regular file of at most
// maxManifestBytes.
func readManifest(fsys fs.FS) ([]byte, error) {
	if fi, err := fs.Stat(fsys, ManifestFile); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	f, err := fsys.Open(ManifestFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err == nil && len(data) > maxManifestBytes {
		err = fmt.Errorf("larger than %d KiB, not a manifest", maxManifestBytes>>10)
	}
	return data, err
}

// checked checks m, and that every file it lists is in fsys as it says.
func checked(m Manifest, fsys fs.FS) (*Bundle, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	for _, f := range m.Files {
		if err := verify(fsys, f); err != nil {
			return nil, err
		}
	}
	return &Bundle{Manifest: m, fsys: fsys}, nil
}

// Check checks the manifest on its own: required fields, safe relative
// paths, thresholds that match the labels and lie in (0,1), tokenizer files
// that are listed.
func (m Manifest) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrBundle, ManifestFile, fmt.Sprintf(format, args...))
	}
	switch {
	case m.Name == "":
		return bad("no name")
	case m.Task == "":
		return bad("no task")
	case len(m.Files) == 0:
		return bad("lists no files")
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		if !fs.ValidPath(f.Path) || f.Path == "." || strings.Contains(f.Path, "\\") {
			return bad("file path %q is not a plain relative path", f.Path)
		}
		if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
			return bad("file %s: sha256 %q is not 64 lower-case hex digits", f.Path, f.SHA256)
		}
		if f.Size < 0 {
			return bad("file %s: negative size", f.Path)
		}
		listed[f.Path] = true
	}
	for _, t := range m.Tokenizer.Files {
		if !listed[t] {
			return bad("tokenizer file %s is not among the listed files", t)
		}
	}
	if len(m.Thresholds) > 0 && len(m.Thresholds) != len(m.Labels) {
		return bad("%d thresholds for %d labels", len(m.Thresholds), len(m.Labels))
	}
	for i, t := range m.Thresholds {
		if math.IsNaN(float64(t)) || t <= 0 || t >= 1 {
			return bad("threshold of %s is %v, want a number between 0 and 1", m.Labels[i], t)
		}
	}
	return nil
}

func verify(fsys fs.FS, f File) error {
	// A FIFO would block the read and a link to a device never end it: only
	// a regular file is read, and no more of it than the manifest says.
	if fi, err := fs.Stat(fsys, f.Path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file (%s)", ErrBundle, f.Path, fi.Mode().Type())
	}
	r, err := fsys.Open(f.Path)
	if err != nil {
		return fmt.Errorf("%w: file %s: %w", ErrBundle, f.Path, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, f.Size+1))
	if err != nil {
		return fmt.Errorf("%w: read %s: %w", ErrBundle, f.Path, err)
	}
	if n > f.Size {
		return fmt.Errorf("%w: file %s is larger than the %d bytes the manifest says (wrong file)", ErrBundle, f.Path, f.Size)
	}
	if n != f.Size {
		return fmt.Errorf("%w: file %s is %d bytes, the manifest says %d (incomplete download or wrong file)", ErrBundle, f.Path, n, f.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("%w: file %s has sha256 %s, the manifest says %s (damaged or replaced)", ErrBundle, f.Path, got, f.SHA256)
	}
	return nil
}

// ReadFile returns a listed file's contents.
func (b *Bundle) ReadFile(name string) ([]byte, error) {
	data, err := fs.ReadFile(b.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("models: bundle %s: %w", b.Manifest.Name, err)
	}
	return data, nil
}

// Path returns a file's path on disk, or "" for a bundle without a folder.
func (b *Bundle) Path(name string) string {
	if b.Dir == "" {
		return ""
	}
	return filepath.Join(b.Dir, filepath.FromSlash(name))
}

// FileWithRole returns the first listed file with the given role.
func (b *Bundle) FileWithRole(role string) (File, bool) {
	for _, f := range b.Manifest.Files {
		if f.Role == role {
			return f, true
		}
	}
	return File{}, false
}

// Describe fills in the size and sha256 of a file written into dir.
func Describe(dir, name, role string) (File, error) {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return File{}, fmt.Errorf("models: describe %s: %w", name, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return File{}, fmt.Errorf("models: describe %s: %w", name, err)
	}
	return File{Path: name, Role: role, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Write writes m as dir's manifest.json, after checking it.
func Write(dir string, m Manifest) error {
	if err := m.Check(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("models: write manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("models: write manifest: %w", err)
	}
	return nil
}
