package whisper

import (
	"testing"

	"github.com/samojournal/samo/inference/inferencetest"
)

// shared is the test binary's onnxruntime, for the internal and the
// external tests alike.
var shared inferencetest.Shared

func TestMain(m *testing.M) { shared.Main(m) }
