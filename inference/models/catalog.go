package models

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
)

// The kinds of model the catalog offers, as SAMO uses them.
const (
	KindSpeech    = "speech"    // Whisper, Hugging Face ONNX layout
	KindEmotion   = "emotion"   // a GoEmotions classifier export
	KindEmbedding = "embedding" // a sentence-embedding export for Memory Lane
)

// CatalogFile is one file of a catalog model, as its repository holds it.
type CatalogFile struct {
	// Path is the file's path in the repository (and in the installed
	// folder), with forward slashes.
	Path string `json:"path"`
	// Size is its size in bytes, where it is known exactly; 0 where it is
	// not, and then the server's is taken and recorded.
	Size int64 `json:"size,omitempty"`
	// About is its approximate size, where Size is not known (for the
	// list, the progress and the free-space check).
	About int64 `json:"about,omitempty"`
	// SHA256 is its digest where it is known (a Git LFS file's oid); ""
	// where it is not, and then the first download's digest is recorded
	// and later verifications use it.
	SHA256 string `json:"sha256,omitempty"`
}

// CatalogModel is a model SAMO can download.
type CatalogModel struct {
	// Name is how a person asks for it: samo models get NAME.
	Name string `json:"name"`
	// Kind is speech, emotion or embedding.
	Kind string `json:"kind"`
	// Title is a few words for a list ("Whisper base, English").
	Title string `json:"title"`
	// Description says what it is good for, in a sentence.
	Description string `json:"description"`
	// Repo is the Hugging Face repository ("Xenova/whisper-base.en").
	Repo string `json:"repo"`
	// Revision is the commit the files are pinned to.
	Revision string `json:"revision"`
	// Quantized says the model files are the int8 ones.
	Quantized bool   `json:"quantized,omitempty"`
	Licence   string `json:"licence,omitempty"`
	// Files are the files SAMO needs, in the repository's layout.
	Files []CatalogFile `json:"files"`
}

// Size is the model's total download size (approximate where a file's
// size is not known exactly).
func (m CatalogModel) Size() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.expected()
	}
	return n
}

// expected is the file's size, exact or approximate.
func (f CatalogFile) expected() int64 {
	if f.Size > 0 {
		return f.Size
	}
	return f.About
}

// Catalog is the list of models SAMO can download.
type Catalog struct {
	Models []CatalogModel `json:"models"`
}

//go:embed catalog.json
var builtInCatalog []byte

// BuiltInCatalog returns the catalog that ships with SAMO.
func BuiltInCatalog() (Catalog, error) {
	c, err := ParseCatalog(builtInCatalog)
	if err != nil {
		return Catalog{}, fmt.Errorf("models: built-in catalog: %w", err)
	}
	return c, nil
}

// ErrCatalog is wrapped by every error about a catalog's contents.
var ErrCatalog = errors.New("models: bad catalog")

var (
	nameRule     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	repoRule     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$`)
	revisionRule = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// ParseCatalog reads a catalog and checks every model in it.
func ParseCatalog(data []byte) (Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return Catalog{}, fmt.Errorf("%w: %w", ErrCatalog, err)
	}
	seen := map[string]bool{}
	for _, m := range c.Models {
		if err := m.Check(); err != nil {
			return Catalog{}, err
		}
		if seen[m.Name] {
			return Catalog{}, fmt.Errorf("%w: %s is listed twice", ErrCatalog, m.Name)
		}
		seen[m.Name] = true
	}
	return c, nil
}

// Check checks one model's entry: a plain name, a known kind, a
// repository and a pinned 40-hex-digit revision, and files with plain
// relative paths, sizes and (where given) sha256 digests.
func (m CatalogModel) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: model %q: %s", ErrCatalog, m.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case !nameRule.MatchString(m.Name):
		return bad("the name must be lower-case letters, digits, '.', '_' or '-' (at most 64)")
	case !slices.Contains([]string{KindSpeech, KindEmotion, KindEmbedding}, m.Kind):
		return bad("kind %q is not speech, emotion or embedding", m.Kind)
	case !repoRule.MatchString(m.Repo):
		return bad("repository %q is not OWNER/NAME", m.Repo)
	case !revisionRule.MatchString(m.Revision):
		return bad("revision %q is not a 40-digit commit hash (pin the files to a commit)", m.Revision)
	case len(m.Files) == 0:
		return bad("lists no files")
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		if !fs.ValidPath(f.Path) || f.Path == "." || strings.Contains(f.Path, "\\") || strings.HasPrefix(f.Path, ".") {
			return bad("file path %q is not a plain relative path", f.Path)
		}
		if f.Path == InstalledFile {
			return bad("file path %q is SAMO's own record", f.Path)
		}
		if seen[f.Path] {
			return bad("file %s is listed twice", f.Path)
		}
		seen[f.Path] = true
		if f.Size < 0 || f.About < 0 || f.Size == 0 && f.About == 0 {
			return bad("file %s: give its size (or, where it is not known exactly, about)", f.Path)
		}
		if f.SHA256 != "" && (len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "") {
			return bad("file %s: sha256 %q is not 64 lower-case hex digits", f.Path, f.SHA256)
		}
	}
	return nil
}

// Find returns the model called name.
func (c Catalog) Find(name string) (CatalogModel, bool) {
	for _, m := range c.Models {
		if m.Name == name {
			return m, true
		}
	}
	return CatalogModel{}, false
}

// Merge returns c with the models of more added; a model of more replaces
// one of c with the same name.
func (c Catalog) Merge(more Catalog) Catalog {
	out := Catalog{Models: slices.Clone(c.Models)}
	for _, m := range more.Models {
		if i := slices.IndexFunc(out.Models, func(o CatalogModel) bool { return o.Name == m.Name }); i >= 0 {
			out.Models[i] = m
		} else {
			out.Models = append(out.Models, m)
		}
	}
	return out
}

// ReadCatalogFile reads a person's own catalog file; a missing file is an
// empty catalog.
func ReadCatalogFile(path string) (Catalog, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Catalog{}, nil
	}
	if err != nil {
		return Catalog{}, fmt.Errorf("models: read catalog: %w", err)
	}
	c, err := ParseCatalog(data)
	if err != nil {
		return Catalog{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return c, nil
}
