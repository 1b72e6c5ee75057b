package whisper

import (
	"testing"

	"github.com/samojournal/samo/inference"
)

// SharedRuntime gives the external tests the test binary's onnxruntime.
func SharedRuntime(tb testing.TB) *inference.Runtime { return shared.Runtime(tb) }
