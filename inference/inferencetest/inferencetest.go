// Package inferencetest helps tests run real models: onnxruntime allows one
// environment per process, so a test binary shares one Runtime.
package inferencetest

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
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

// ResetPeakRSS returns freed memory to the system and restarts the
// process's peak resident set size from what it holds now (Linux; a no-op
// elsewhere), so that PeakRSSKiB measures what follows.
func ResetPeakRSS() {
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// PeakRSSKiB reads the process's peak resident set size (VmHWM, Linux);
// 0 where it is not available.
func PeakRSSKiB() int {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	return 0
}
