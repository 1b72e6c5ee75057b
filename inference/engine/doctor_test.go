package engine

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// Without onnxruntime the emotion model cannot run: doctor used to call it
// "ok" because it never tried.
func TestEngine_CheckWithoutONNXRuntimeFailsTheEmotionModel(t *testing.T) {
	e, _ := newEngine(t, Config{ORTLibrary: filepath.Join(t.TempDir(), "libonnxruntime.so")})
	r := e.Check(context.Background(), "test", JournalCheck{})
	if r.ONNXRuntime.Error == "" {
		t.Fatal("a missing onnxruntime library was found")
	}
	if r.Emotion.Error == "" {
		t.Error("the emotion model is ok without onnxruntime")
	}
	if r.OK {
		t.Error("the report is ok without onnxruntime")
	}
	var b bytes.Buffer
	r.WriteText(&b)
	if strings.Contains(b.String(), "ok    emotions") {
		t.Errorf("the report says the emotion model is ok:\n%s", b.String())
	}
}

// A damaged journal is a failure in the report, with what to do, even when
// it is encrypted and locked.
func TestReport_DamagedJournalFails(t *testing.T) {
	r := Report{Journal: JournalCheck{Path: "/j/journal.db", Locked: true, Encrypted: true,
		Error: "storage: the journal file is damaged: page 3: unreachable unfreed; replace the journal with a backup: `samo restore BACKUP`"}}
	var b bytes.Buffer
	r.WriteText(&b)
	if !strings.Contains(b.String(), "FAIL  journal") || !strings.Contains(b.String(), "samo restore") {
		t.Errorf("report:\n%s\nwant the journal failed, naming samo restore", b.String())
	}
}
