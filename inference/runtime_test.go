package inference_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/inferencetest"
)

// The real onnxruntime library and Silero model come from `make deps`
// (found in the repository's .cache by walking up from this folder).
// onnxruntime allows one environment per process, so the tests share one.
var shared inferencetest.Shared

func TestMain(m *testing.M) { shared.Main(m) }

func realRuntime(t *testing.T) *inference.Runtime { return shared.Runtime(t) }

func TestRuntime_Version(t *testing.T) {
	rt := realRuntime(t)
	v, err := rt.Version()
	if err != nil {
		t.Fatal(err)
	}
	if v != "1.30.0" {
		t.Errorf("onnxruntime version = %q, want 1.30.0 (the version make deps pins)", v)
	}
	if !strings.HasSuffix(rt.LibraryPath(), inference.LibraryNames()[0]) {
		t.Errorf("library path = %q", rt.LibraryPath())
	}
}

func TestRuntime_InspectSileroVAD(t *testing.T) {
	rt := realRuntime(t)
	path, err := inference.NewLocator("", inference.EnvVADModel).FindVADModel()
	if err != nil {
		t.Fatalf("the Silero model is needed (run `make deps`): %v", err)
	}
	info, err := rt.Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	names := func(ts []inference.TensorInfo) string {
		var n []string
		for _, x := range ts {
			n = append(n, x.Name)
		}
		return strings.Join(n, ",")
	}
	if got := names(info.Inputs); got != "input,state,sr" {
		t.Errorf("inputs = %s, want input,state,sr", got)
	}
	if got := names(info.Outputs); got != "output,stateN" {
		t.Errorf("outputs = %s, want output,stateN", got)
	}
}

func TestRuntime_InspectCorruptModelNamesTheFile(t *testing.T) {
	rt := realRuntime(t)
	bad := filepath.Join(t.TempDir(), "broken.onnx")
	os.WriteFile(bad, []byte("this is not a protobuf"), 0o644)
	_, err := rt.Inspect(bad)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("err = %v, want an error naming %s", err, bad)
	}
}

func TestRuntime_MissingLibrary(t *testing.T) {
	rt := inference.NewRuntime(inference.Locator{WorkDir: t.TempDir(), SystemDirs: []string{}})
	_, err := rt.Version()
	if !errors.Is(err, inference.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if _, err2 := rt.Version(); err2 != err {
		t.Errorf("second call gave %v, want the first call's error", err2)
	}
	if err := rt.Close(); err != nil {
		t.Errorf("closing a runtime that never started: %v", err)
	}
}
