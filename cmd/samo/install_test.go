package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/ui"
)

// installScript is what make install and make uninstall run.
const installScript = "../../scripts/install.sh"

// requireAll is set by make test (SAMO_REQUIRE_ALL=1): a tool a test needs
// is then a failure when missing, not a skip.
func requireAll() bool { return os.Getenv("SAMO_REQUIRE_ALL") != "" }

// runInstall runs scripts/install.sh with args and fails the test on an error.
func runInstall(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("bash", append([]string{installScript}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("install.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// An installed SAMO runs from any folder: install.sh puts the binary, the
// onnxruntime library, the VAD model, a menu entry and its icon under a
// prefix (one with a space in its name), and samo doctor, started in
// another folder with none of SAMO's variables set, finds the library and
// the model under that prefix; uninstall takes it all away again.
func TestInstall_DoctorFromAnotherFolder(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "my apps")
	runInstall(t, "install", "--prefix", prefix, "--bin", samoBin)

	exe := filepath.Join(prefix, "bin", "samo")
	lib := filepath.Join(prefix, "lib", "samo", "libonnxruntime.so.1")
	model := filepath.Join(prefix, "lib", "samo", "models", inference.VADModelFile)
	desktop := filepath.Join(prefix, "share", "applications", ui.AppID+".desktop")
	icon := filepath.Join(prefix, "share", "icons", "hicolor", "256x256", "apps", ui.AppID+".png")
	for _, f := range []string{exe, lib, model, desktop, icon} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("not installed: %v", err)
		}
	}

	t.Run("doctor finds the library and the model under the prefix", func(t *testing.T) {
		home := t.TempDir()
		cmd := exec.Command(exe, "--home", filepath.Join(home, "journal"), "doctor", "--json")
		cmd.Dir = t.TempDir()
		cmd.Env = []string{"HOME=" + home, "LANG=en_US.UTF-8", "PATH=" + os.Getenv("PATH")}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run() // exits 1 when a part is missing (a microphone, say)
		if _, exited := err.(*exec.ExitError); err != nil && !exited {
			t.Fatal(err)
		}
		var r engine.Report
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("doctor --json: %v\nstdout: %s\nstderr: %s", err, out.String(), errb.String())
		}
		if r.ONNXRuntime.Error != "" || r.ONNXRuntime.Library != lib {
			t.Errorf("onnxruntime: %q, %q; want %s", r.ONNXRuntime.Library, r.ONNXRuntime.Error, lib)
		}
		if r.VADModel.Error != "" || r.VADModel.Path != model {
			t.Errorf("vad model: %q, %q; want %s", r.VADModel.Path, r.VADModel.Error, model)
		}
		if r.Emotion.Error != "" {
			t.Errorf("emotion model: %s", r.Emotion.Error)
		}
	})

	t.Run("the menu entry starts the installed binary", func(t *testing.T) {
		b, err := os.ReadFile(desktop)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, want := range []string{"\nExec=\"" + exe + "\"\n", "\nIcon=" + ui.AppID + "\n", "\nName=SAMO\n"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", desktop, strings.TrimSpace(want), text)
			}
		}
		if _, err := exec.LookPath("desktop-file-validate"); err != nil {
			if requireAll() {
				t.Fatalf("desktop-file-validate is needed (make deps installs desktop-file-utils): %v", err)
			}
			t.Skip("desktop-file-validate not installed; make deps installs desktop-file-utils")
		}
		// It exits 0 on hints; any line it prints is a finding.
		if out, err := exec.Command("desktop-file-validate", desktop).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("desktop-file-validate: %v\n%s", err, out)
		}
	})

	t.Run("uninstall removes it", func(t *testing.T) {
		runInstall(t, "uninstall", "--prefix", prefix)
		for _, f := range []string{exe, lib, model, desktop, icon, filepath.Join(prefix, "lib", "samo")} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("%s is still there (%v)", f, err)
			}
		}
	})
}

// A staged install (DESTDIR, as a package build does) writes under DESTDIR
// while the menu entry names the binary where it will be installed.
func TestInstall_DestdirStagesForThePrefix(t *testing.T) {
	stage := t.TempDir()
	runInstall(t, "install", "--prefix", "/usr/local", "--destdir", stage, "--bin", samoBin)
	b, err := os.ReadFile(filepath.Join(stage, "usr", "local", "share", "applications", ui.AppID+".desktop"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\nExec=/usr/local/bin/samo\n") {
		t.Errorf("Exec is not /usr/local/bin/samo:\n%s", b)
	}
	for _, f := range []string{"bin/samo", "lib/samo/libonnxruntime.so.1", "lib/samo/models/" + inference.VADModelFile} {
		if _, err := os.Stat(filepath.Join(stage, "usr", "local", filepath.FromSlash(f))); err != nil {
			t.Errorf("not staged: %v", err)
		}
	}
}

// make install and make uninstall run install.sh with the PREFIX and
// DESTDIR given to make (checked with make -n: nothing is built or copied).
func TestInstall_MakeTargetsRunTheScript(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	for target, want := range map[string]string{
		"install":   "./scripts/install.sh install --prefix '/opt/my apps' --destdir '/stage' --bin bin/samo",
		"uninstall": "./scripts/install.sh uninstall --prefix '/opt/my apps' --destdir '/stage'",
	} {
		out, err := exec.Command("make", "-n", "-C", "../..", target, "PREFIX=/opt/my apps", "DESTDIR=/stage").CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("make -n %s: %v; want a line %q in:\n%s", target, err, want, out)
		}
	}
}
