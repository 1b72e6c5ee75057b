package inference_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference"
)

// touch creates an empty file at path, with its folders.
func touch(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLocator_FindLibraryOrder(t *testing.T) {
	lib := inference.LibraryNames()[0]
	root := t.TempDir()
	// A source tree: root/go.mod, root/.cache/lib/LIB, and a sub-folder to run in.
	touch(t, filepath.Join(root, "go.mod"))
	cached := touch(t, filepath.Join(root, inference.CacheDir, "lib", lib))
	work := filepath.Join(root, "inference", "emotion")
	os.MkdirAll(work, 0o755)
	exeDir := filepath.Join(t.TempDir(), "bin")
	besideExe := filepath.Join(exeDir, lib)
	system := t.TempDir()
	inSystem := touch(t, filepath.Join(system, lib))
	explicit := touch(t, filepath.Join(t.TempDir(), "custom", lib))
	fromEnv := touch(t, filepath.Join(t.TempDir(), "env", lib))

	tests := []struct {
		name string
		loc  inference.Locator
		want string
	}{
		{"flag wins", inference.Locator{Explicit: explicit, Env: fromEnv, ExeDir: exeDir, WorkDir: work, SystemDirs: []string{system}}, explicit},
		{"environment next", inference.Locator{Env: fromEnv, ExeDir: exeDir, WorkDir: work, SystemDirs: []string{system}}, fromEnv},
		{"make cache above the current folder", inference.Locator{ExeDir: exeDir, WorkDir: work, SystemDirs: []string{system}}, cached},
		{"system folders last", inference.Locator{ExeDir: exeDir, WorkDir: t.TempDir(), SystemDirs: []string{system}}, inSystem},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.loc.FindLibrary()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("found %s, want %s", got, tt.want)
			}
		})
	}

	t.Run("beside the binary before the cache", func(t *testing.T) {
		touch(t, besideExe)
		defer os.Remove(besideExe)
		got, err := inference.Locator{ExeDir: exeDir, WorkDir: work, SystemDirs: []string{system}}.FindLibrary()
		if err != nil || got != besideExe {
			t.Errorf("found %s, %v; want %s", got, err, besideExe)
		}
	})
	t.Run("make cache above the binary", func(t *testing.T) {
		got, err := inference.Locator{ExeDir: filepath.Join(root, "bin"), SystemDirs: []string{}}.FindLibrary()
		if err != nil || got != cached {
			t.Errorf("found %s, %v; want %s", got, err, cached)
		}
	})
}

func TestLocator_WrongExplicitPathIsAnError(t *testing.T) {
	root := t.TempDir()
	touch(t, filepath.Join(root, "go.mod"))
	touch(t, filepath.Join(root, inference.CacheDir, "lib", inference.LibraryNames()[0]))
	wrong := filepath.Join(t.TempDir(), "nope.so")
	_, err := inference.Locator{Env: wrong, WorkDir: root}.FindLibrary()
	if !errors.Is(err, inference.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound rather than another copy", err)
	}
	if !strings.Contains(err.Error(), wrong) {
		t.Errorf("error does not name the wrong path: %v", err)
	}
}

func TestLocator_NotFoundSaysWhereAndHow(t *testing.T) {
	exeDir, work, system := t.TempDir(), t.TempDir(), t.TempDir()
	_, err := inference.Locator{ExeDir: exeDir, WorkDir: work, SystemDirs: []string{system}}.FindLibrary()
	var nf *inference.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want a NotFoundError", err)
	}
	for _, want := range []string{exeDir, work, system, "make deps", inference.EnvLibrary} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}

func TestLocator_FindVADModelSkipsSystemFolders(t *testing.T) {
	system := t.TempDir()
	touch(t, filepath.Join(system, inference.VADModelFile))
	_, err := inference.Locator{WorkDir: t.TempDir(), SystemDirs: []string{system}}.FindVADModel()
	if !errors.Is(err, inference.ErrNotFound) {
		t.Errorf("err = %v: models are not taken from system library folders", err)
	}
	root := t.TempDir()
	touch(t, filepath.Join(root, "go.mod"))
	want := touch(t, filepath.Join(root, inference.CacheDir, "models", inference.VADModelFile))
	if got, err := (inference.Locator{WorkDir: root}).FindVADModel(); err != nil || got != want {
		t.Errorf("found %s, %v; want %s", got, err, want)
	}
}

// An installed SAMO (make install, the Linux bundle, a macOS app) finds
// its library and model beside the binary's folder, from any current
// folder and before a make cache above the binary.
func TestLocator_FindsTheInstalledLayout(t *testing.T) {
	lib, model := inference.LibraryNames()[0], inference.VADModelFile
	tests := []struct {
		name              string
		exe, lib, model   string // relative to a fresh prefix
		withCacheAboveExe bool
	}{
		{"make install", "bin", "lib/samo", "lib/samo/models", false},
		{"installed, before a make cache above", "bin", "lib/samo", "lib/samo/models", true},
		{"macOS app", "SAMO.app/Contents/MacOS", "SAMO.app/Contents/Frameworks", "SAMO.app/Contents/Resources/models", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := t.TempDir()
			exeDir := filepath.Join(prefix, filepath.FromSlash(tt.exe))
			if err := os.MkdirAll(exeDir, 0o755); err != nil {
				t.Fatal(err)
			}
			wantLib := touch(t, filepath.Join(prefix, filepath.FromSlash(tt.lib), lib))
			wantModel := touch(t, filepath.Join(prefix, filepath.FromSlash(tt.model), model))
			if tt.withCacheAboveExe {
				touch(t, filepath.Join(prefix, "go.mod"))
				touch(t, filepath.Join(prefix, inference.CacheDir, "lib", lib))
				touch(t, filepath.Join(prefix, inference.CacheDir, "models", model))
			}
			loc := inference.Locator{ExeDir: exeDir, WorkDir: t.TempDir(), SystemDirs: []string{}}
			if got, err := loc.FindLibrary(); err != nil || got != wantLib {
				t.Errorf("FindLibrary = %s, %v; want %s", got, err, wantLib)
			}
			if got, err := loc.FindVADModel(); err != nil || got != wantModel {
				t.Errorf("FindVADModel = %s, %v; want %s", got, err, wantModel)
			}
		})
	}
	t.Run("not found names the installed folders", func(t *testing.T) {
		exeDir := filepath.Join(t.TempDir(), "bin")
		_, err := inference.Locator{ExeDir: exeDir, SystemDirs: []string{}}.FindLibrary()
		want := filepath.Join(exeDir, filepath.FromSlash(inference.InstallLibDir), lib)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v; want it to name %s", err, want)
		}
	})
}
