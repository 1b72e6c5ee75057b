package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// samoBin is the real binary, built once for these tests.
var samoBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "samo-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	samoBin = filepath.Join(dir, "samo")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", samoBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build samo:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// samo runs the binary with args in the package folder (so that the make
// cache is found by walking up), with extra environment variables.
func samo(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(samoBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	return runCommand(t, cmd, env)
}

// runCommand runs cmd with the tests' environment and env added, and
// returns what it printed and its exit code.
func runCommand(t *testing.T, cmd *exec.Cmd, env []string) result {
	t.Helper()
	cmd.Env = append(append(os.Environ(), "LANG=en_US.UTF-8", "SAMO_HOME="), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return r
}

func mustSucceed(t *testing.T, r result) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	return r
}

func TestCLI_AddListShow(t *testing.T) {
	home := t.TempDir()
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "add", "I feel great today"))
	id := strings.TrimSpace(strings.TrimPrefix(r.stdout, "saved "))
	mustSucceed(t, samo(t, "Walked by the river.\nFelt calm.\n", nil, "--home", home, "add", "-"))

	var es []journal.Entry
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "list", "--json"))
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil {
		t.Fatalf("list --json is not JSON: %v\n%s", err, r.stdout)
	}
	if len(es) != 2 || es[1].Text != "I feel great today" || es[1].ID != id || es[0].Text != "Walked by the river.\nFelt calm.\n" {
		t.Fatalf("list --json = %+v", es)
	}

	r = mustSucceed(t, samo(t, "", nil, "--home", home, "list"))
	if !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "I feel great today") {
		t.Errorf("list:\n%s", r.stdout)
	}

	var e journal.Entry
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "show", strings.ToLower(id), "--json"))
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Text != "I feel great today" {
		t.Errorf("show --json = %s (%v)", r.stdout, err)
	}
}

func TestCLI_HomeFromEnvironment(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", []string{"SAMO_HOME=" + home}, "add", "kept in SAMO_HOME"))
	if _, err := os.Stat(filepath.Join(home, storage.FileName)); err != nil {
		t.Fatalf("SAMO_HOME was not used: %v", err)
	}
	r := mustSucceed(t, samo(t, "", []string{"SAMO_HOME=" + home}, "list"))
	if !strings.Contains(r.stdout, "kept in SAMO_HOME") {
		t.Errorf("list:\n%s", r.stdout)
	}
}

func TestCLI_EmptyListJSONIsAnArray(t *testing.T) {
	r := mustSucceed(t, samo(t, "", nil, "--home", t.TempDir(), "list", "--json"))
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("empty journal list --json = %q, want []", r.stdout)
	}
}

func TestCLI_BadInput(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "an entry to keep"))
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"empty text", "", []string{"add", "  "}, "empty"},
		{"empty stdin", "\n\n", []string{"add", "-"}, "empty"},
		{"unknown id", "", []string{"show", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "not found"},
		{"unknown command", "", []string{"fly"}, "unknown command"},
		{"negative limit", "", []string{"list", "--limit", "-1"}, "--limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := samo(t, tt.stdin, nil, append([]string{"--home", home}, tt.args...)...)
			if r.code == 0 {
				t.Fatalf("exit 0 for bad input; stdout %q", r.stdout)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.want)
			}
		})
	}
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "list", "--json"))
	var es []journal.Entry
	json.Unmarshal([]byte(r.stdout), &es)
	if len(es) != 1 || es[0].Text != "an entry to keep" {
		t.Errorf("bad input changed the journal: %+v", es)
	}
}

func TestCLI_InvalidUTF8IsRepairedWithAWarning(t *testing.T) {
	home := t.TempDir()
	r := mustSucceed(t, samo(t, "caf\xe9\n", nil, "--home", home, "add", "-"))
	if !strings.Contains(r.stderr, "UTF-8") {
		t.Errorf("no warning on stderr: %q", r.stderr)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "list", "--json"))
	if !strings.Contains(r.stdout, "caf\uFFFD") {
		t.Errorf("stored text: %s", r.stdout)
	}
}

func TestCLI_JournalOpenElsewhere(t *testing.T) {
	home := t.TempDir()
	st, err := storage.Open(filepath.Join(home, storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	r := samo(t, "", nil, "--home", home, "add", "while the window is open")
	if r.code == 0 {
		t.Fatal("wrote to a journal another process holds")
	}
	if !strings.Contains(r.stderr, "open in another SAMO") {
		t.Errorf("stderr = %q", r.stderr)
	}
	t.Logf("gave up after %v", time.Since(start))
}

func TestCLI_DoctorJSON(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "one"))
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "doctor", "--json"))
	var rep engine.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, r.stdout)
	}
	if rep.ONNXRuntime.Version != "1.30.0" {
		t.Errorf("onnxruntime = %+v, want version 1.30.0 (run `make deps`)", rep.ONNXRuntime)
	}
	if !strings.HasSuffix(rep.ONNXRuntime.Library, "libonnxruntime.so.1") {
		t.Errorf("library path = %q", rep.ONNXRuntime.Library)
	}
	if rep.VADModel.Error != "" || len(rep.VADModel.Inputs) != 3 || rep.VADModel.SHA256 == "" {
		t.Errorf("vad model = %+v", rep.VADModel)
	}
	if e := rep.Emotion; e.Error != "" || e.Name != "samo-goemotions-ngram" || e.Source != "built-in" || e.Provider != "cpu" || e.Precision != "int8" {
		t.Errorf("emotion model = %+v", e)
	}
	if rep.Journal.Path != filepath.Join(home, storage.FileName) || rep.Journal.Entries != 1 {
		t.Errorf("journal = %+v", rep.Journal)
	}
	if rep.Audio.Error != "" || rep.Audio.Version == "" {
		t.Errorf("audio = %+v", rep.Audio)
	}
	if !rep.OK {
		t.Errorf("doctor says not OK: %s", r.stdout)
	}
}

// Without onnxruntime, SAMO still works for everything that needs no model,
// and doctor says where it looked and how to get the library.
func TestCLI_WithoutONNXRuntime(t *testing.T) {
	home := t.TempDir()
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	env := []string{"SAMO_ORT_LIB=" + missing}
	mustSucceed(t, samo(t, "", env, "--home", home, "add", "typed entries need no model"))
	mustSucceed(t, samo(t, "", env, "--home", home, "list"))

	r := samo(t, "", env, "--home", home, "doctor", "--json")
	if r.code != 1 {
		t.Errorf("doctor exit = %d, want 1 when onnxruntime is missing", r.code)
	}
	var rep engine.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, r.stdout)
	}
	if !strings.Contains(rep.ONNXRuntime.Error, missing) || rep.ONNXRuntime.Version != "" {
		t.Errorf("onnxruntime = %+v, want an error naming %s", rep.ONNXRuntime, missing)
	}
	if rep.Journal.Entries != 1 {
		t.Errorf("journal = %+v: the rest of the report must still be filled in", rep.Journal)
	}
	r = samo(t, "", env, "--home", home, "doctor")
	if !strings.Contains(r.stdout, "FAIL  onnxruntime") || !strings.Contains(r.stdout, "Typed entries still work") {
		t.Errorf("doctor:\n%s", r.stdout)
	}
}

func TestCLI_GUIWithoutDisplay(t *testing.T) {
	r := samo(t, "", []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "--home", t.TempDir())
	if r.code == 0 || !strings.Contains(r.stderr, "no display") {
		t.Errorf("exit %d, stderr %q; want a clear no-display error", r.code, r.stderr)
	}
}

// BenchmarkCLI_ListEmpty times `samo list` on an empty journal as a person
// runs it: process start, opening (creating) the journal, listing, exit.
func BenchmarkCLI_ListEmpty(b *testing.B) {
	home := b.TempDir()
	for b.Loop() {
		cmd := exec.Command(samoBin, "--home", home, "list")
		cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}
