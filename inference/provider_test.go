package inference_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/samojournal/samo/inference"
)

func TestParseProvider(t *testing.T) {
	for in, want := range map[string]inference.Provider{"": "auto", "CPU": "cpu", " cuda ": "cuda", "coreml": "coreml", "directml": "directml"} {
		if got, err := inference.ParseProvider(in); err != nil || got != want {
			t.Errorf("ParseProvider(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := inference.ParseProvider("tpu"); err == nil || !strings.Contains(err.Error(), "cuda") {
		t.Errorf("ParseProvider(tpu): %v, want an error listing the providers", err)
	}
}

// The onnxruntime that make deps fetches is the CPU build: every
// accelerator must fall back to the CPU, with one warning per provider
// asked for by name, and none for auto.
func TestRuntime_NewSessionOptionsFallsBackToCPU(t *testing.T) {
	rt := realRuntime(t)
	var mu sync.Mutex
	var warnings []string
	rt.OnWarning(func(m string) { mu.Lock(); warnings = append(warnings, m); mu.Unlock() })
	defer rt.OnWarning(nil)
	for _, tc := range []struct {
		p        inference.Provider
		warnings int
	}{{"cpu", 0}, {"auto", 0}, {"cuda", 1}, {"cuda", 1}, {"coreml", 2}, {"directml", 3}} {
		so, err := rt.NewSessionOptions(tc.p, 1)
		if err != nil {
			t.Fatalf("%s: %v", tc.p, err)
		}
		so.Destroy()
		if so.Provider != inference.ProviderCPU {
			t.Errorf("%s: runs on %s, want the CPU fallback", tc.p, so.Provider)
		}
		mu.Lock()
		if len(warnings) != tc.warnings {
			t.Errorf("after %s: %d warnings %q, want %d", tc.p, len(warnings), warnings, tc.warnings)
		}
		mu.Unlock()
	}
	if len(warnings) > 0 && (!strings.Contains(warnings[0], "cuda") || !strings.Contains(warnings[0], "CPU")) {
		t.Errorf("warning %q does not name the provider and the fallback", warnings[0])
	}
	t.Log(warnings)
}

func TestRuntime_CreateSessionPassesModelErrorsThrough(t *testing.T) {
	rt := realRuntime(t)
	calls := 0
	p, err := rt.CreateSession(inference.ProviderAuto, 1, func(*ort.SessionOptions) error {
		calls++
		return errors.New("damaged model")
	})
	if err == nil || err.Error() != "damaged model" || calls != 1 || p != "" {
		t.Errorf("CreateSession = %q, %v after %d calls; want the model's error once", p, err, calls)
	}
	p, err = rt.CreateSession(inference.ProviderCPU, 1, func(so *ort.SessionOptions) error { return nil })
	if err != nil || p != inference.ProviderCPU {
		t.Errorf("CreateSession on the CPU = %q, %v", p, err)
	}
}
