// Package inferencetest helps tests run real models: onnxruntime allows one
// environment per process, so a test binary shares one Runtime.
package inferencetest

import (
	"os"
	"testing"

	"github.com/samojournal/samo/inference"
)

// Shared is a test binary's onnxruntime, created on first use. Declare one
// in the test package and call Main from TestMain.
type Shared struct{ rt *inference.Runtime }

// Runtime returns the real onnxruntime (found as `make deps` puts it in the
// repository's .cache, or through SAMO_ORT_LIB); the test fails without it.
func (s *Shared) Runtime(tb testing.TB) *inference.Runtime {
	tb.Helper()
	if s.rt == nil {
		s.rt = inference.NewRuntime(inference.NewLocator("", inference.EnvLibrary))
	}
	if err := s.rt.Init(); err != nil {
		tb.Fatalf("the real onnxruntime library is needed (run `make deps`): %v", err)
	}
	return s.rt
}

// Main runs the tests, closes the runtime and exits.
func (s *Shared) Main(m *testing.M) {
	code := m.Run()
	if s.rt != nil {
		s.rt.Close()
	}
	os.Exit(code)
}
