package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/inference/emotion/emotiontest"
	"github.com/samojournal/samo/journal"
)

// TestCLI_QuietUnderCLocale: a command that succeeds prints nothing on
// standard error under the C locales many containers and CI machines
// default to (Fyne used to report it could not parse "C" before main ran).
func TestCLI_QuietUnderCLocale(t *testing.T) {
	home := t.TempDir()
	for _, lang := range []string{"C.UTF-8", "C", "POSIX", "C.utf8"} {
		env := []string{"LANG=" + lang, "LC_ALL=", "LC_MESSAGES=", "LANGUAGE="}
		for _, args := range [][]string{{"list"}, {"add", "a quiet day"}, {"--version"}} {
			r := mustSucceed(t, samo(t, "", env, append([]string{"--home", home}, args...)...))
			if strings.TrimSpace(r.stderr) != "" {
				t.Errorf("LANG=%s samo %s wrote to stderr:\n%s", lang, strings.Join(args, " "), r.stderr)
			}
		}
	}
}

// TestCLI_UnknownSubcommandIsAnError: `samo emotions frobnicate` is a
// mistake, said as one with a non-zero exit, as `samo frobnicate` is; the
// group alone still shows its help.
func TestCLI_UnknownSubcommandIsAnError(t *testing.T) {
	home := t.TempDir()
	for _, group := range []string{"emotions", "speech", "embeddings"} {
		r := samo(t, "", nil, "--home", home, group, "frobnicate")
		if r.code == 0 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
			t.Errorf("samo %s frobnicate: exit %d, stderr %q", group, r.code, r.stderr)
		}
		r = mustSucceed(t, samo(t, "", nil, "--home", home, group))
		if !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("samo %s alone does not show its help: %q", group, r.stdout)
		}
	}
}

// TestCLI_EmptyHomeIsRefused: --home "" names no folder; it must not open
// the per-user journal without a word.
func TestCLI_EmptyHomeIsRefused(t *testing.T) {
	perUser := t.TempDir()
	env := []string{"HOME=" + perUser, "XDG_DATA_HOME=" + perUser}
	for _, home := range []string{"", "  "} {
		r := samo(t, "", env, "--home", home, "add", "where would this go?")
		if r.code == 0 || !strings.Contains(r.stderr, "--home") {
			t.Errorf("--home %q: exit %d, stderr %q", home, r.code, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(perUser); len(entries) != 0 {
		t.Errorf("--home \"\" wrote into the per-user folder: %v", entries)
	}
}

// TestCLI_TagsAreChecked: an empty tag is refused however it is written, a
// tag with a line break or an escape is refused, and the journal keeps only
// what was saved before.
func TestCLI_TagsAreChecked(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "--tag", " walk , walk,river", "kept"))
	for _, tag := range []string{"", ",,,", " ", "a\nb", "bell\x07", "\x1b[31mred"} {
		r := samo(t, "", nil, "--home", home, "add", "--tag", tag, "not kept")
		if r.code == 0 || !strings.Contains(r.stderr, "tag") {
			t.Errorf("--tag %q: exit %d, stderr %q", tag, r.code, r.stderr)
		}
		if strings.ContainsAny(r.stderr, "\x07\x1b") {
			t.Errorf("--tag %q: the error repeats the control character raw: %q", tag, r.stderr)
		}
	}
	var es []journal.Entry
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "list", "--json"))
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || !slices.Equal(es[0].Tags, []string{"walk", "river"}) {
		t.Errorf("journal after refused tags: %+v", es)
	}
}

// TestCLI_OutputToSpecialFiles: --output writes into a FIFO or a device
// instead of replacing it with a regular file holding the export, keeps a
// symbolic link, and a full device (--output or standard output) is an
// error, not exit 0.
func TestCLI_OutputToSpecialFiles(t *testing.T) {
	home, dir := t.TempDir(), t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "a private thought"))

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	mustSucceed(t, samo(t, "", nil, "--home", home, "export", "--format", "markdown", "--output", fifo))
	select {
	case s := <-got:
		if !strings.Contains(s, "a private thought") {
			t.Errorf("the FIFO's reader got %q", s)
		}
	case <-time.After(10 * time.Second): // nothing written into it: release the reader
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		t.Fatal("export --output FIFO wrote nothing into the FIFO")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi, err)
	}

	real, link := filepath.Join(dir, "real.json"), filepath.Join(dir, "link.json")
	os.WriteFile(real, nil, 0o600)
	os.Symlink(real, link)
	mustSucceed(t, samo(t, "", nil, "--home", home, "export", "--output", link))
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(real); !strings.Contains(string(b), "a private thought") {
		t.Errorf("the linked file holds %q", b)
	}

	r := samo(t, "", nil, "--home", home, "export", "--output", "/dev/full")
	if r.code == 0 || !strings.Contains(r.stderr, "no space") {
		t.Errorf("export --output /dev/full: exit %d, stderr %q", r.code, r.stderr)
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"export"}} {
		cmd := exec.Command(samoBin, append([]string{"--home", home}, args...)...)
		cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = full, &stderr
		err := cmd.Run()
		if out := stderr.String(); err == nil || !strings.Contains(out, "no space") {
			t.Errorf("samo %v > /dev/full: %v, stderr %q", args, err, out)
		}
	}
}

// TestCLI_ControlCharactersOnATerminal: an entry's text that holds
// terminal escape sequences is shown, not obeyed, on a terminal, and passes
// through unchanged to a pipe (a file made with `samo show ID > f` keeps it).
func TestCLI_ControlCharactersOnATerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script (util-linux) gives the test a terminal: %v", err)
	}
	home := t.TempDir()
	text := "red \x1b[31malert\x1b[0m and a bell\x07"
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "add", text))
	id := strings.TrimSpace(strings.TrimPrefix(r.stdout, "saved "))
	if r := mustSucceed(t, samo(t, "", nil, "--home", home, "show", id)); !strings.Contains(r.stdout, text) {
		t.Errorf("to a pipe, show changed the text: %q", r.stdout)
	}
	for _, args := range []string{"show " + id, "list"} {
		cmd := exec.Command(script, "-qec", samoBin+" --home "+home+" "+args, "/dev/null")
		cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("samo %s on a terminal: %v", args, err)
		}
		if strings.ContainsAny(string(out), "\x1b\x07") {
			t.Errorf("samo %s sent the text's control characters to the terminal: %q", args, out)
		}
		if !strings.Contains(string(out), "^[[31malert") {
			t.Errorf("samo %s on a terminal: %q", args, out)
		}
	}
}

// TestCLI_ImportedIDsAreChecked: an export whose ids are not SAMO ids (a
// path, a NUL, 3,000 characters) is imported with new ids, the old ones kept
// short as imported_id; every entry can then be shown, edited, corrected and
// deleted, and export --split names its files safely. Errors quote a short
// prefix of a bad value, never all of it.
func TestCLI_ImportedIDsAreChecked(t *testing.T) {
	home, dir := t.TempDir(), t.TempDir()
	long := strings.Repeat("x", 3000)
	bad := []string{"../../evil", "/etc/passwd", "a\x00b", long, "01m98yx49dtg8nbgmnq4bnbjx1"}
	var items []map[string]any
	for i, id := range bad {
		items = append(items, map[string]any{"id": id, "created": fmt.Sprintf("2026-01-0%dT10:00:00Z", i+1), "text": fmt.Sprintf("imported %d", i)})
	}
	doc, _ := json.Marshal(map[string]any{"format": "samo-journal", "version": 1, "entries": items})
	file := filepath.Join(dir, "export.json")
	os.WriteFile(file, doc, 0o600)
	mustSucceed(t, samo(t, "", nil, "--home", home, "import", file))

	var es []journal.Entry
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "list", "--json"))
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil || len(es) != len(bad) {
		t.Fatalf("list after import: %v\n%s", err, r.stdout)
	}
	for _, e := range es {
		if !journal.ValidID(e.ID) {
			t.Errorf("entry %q kept a foreign id", e.Text)
		}
		if e.Text == "imported 4" {
			if e.ID != "01M98YX49DTG8NBGMNQ4BNBJX1" || e.ImportedID != "" {
				t.Errorf("a lower-case SAMO id: id %s, imported_id %q", e.ID, e.ImportedID)
			}
		} else if e.ImportedID == "" || len(e.ImportedID) > journal.MaxImportedIDBytes || strings.ContainsRune(e.ImportedID, 0) {
			t.Errorf("entry %q: imported_id %.40q", e.Text, e.ImportedID)
		}
		mustSucceed(t, samo(t, "", nil, "--home", home, "show", e.ID))
		mustSucceed(t, samo(t, "", nil, "--home", home, "edit", e.ID, e.Text+", edited"))
		mustSucceed(t, samo(t, "", nil, "--home", home, "correct", e.ID, "joy"))
	}
	out := filepath.Join(dir, "split")
	mustSucceed(t, samo(t, "", nil, "--home", home, "export", "--format", "markdown", "--split", "--output", out))
	if files, _ := os.ReadDir(out); len(files) != len(bad) {
		t.Errorf("export --split wrote %d files, want %d", len(files), len(bad))
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "delete", es[0].ID))

	// A bad value in an error is quoted short.
	items[0]["corrections"] = map[string]any{"labels": []string{long}}
	doc, _ = json.Marshal(map[string]any{"format": "samo-journal", "version": 1, "entries": items[:1]})
	os.WriteFile(file, doc, 0o600)
	r = samo(t, "", nil, "--home", home, "import", file)
	if r.code == 0 || !strings.Contains(r.stderr, "label") || !strings.Contains(r.stderr, `xxxx"…`) {
		t.Errorf("an unknown label of 3,000 characters: exit %d, stderr %.300q", r.code, r.stderr)
	}
	if len(r.stderr) > 600 {
		t.Errorf("an error quotes the whole bad value (%d bytes): %.200s…", len(r.stderr), r.stderr)
	}
}

// TestCLI_ImportOfNothingIsAnError: a file from which no entry could be
// imported (every one skipped, or none at all) says so and exits non-zero.
func TestCLI_ImportOfNothingIsAnError(t *testing.T) {
	home, dir := t.TempDir(), t.TempDir()
	cases := map[string]string{
		"all skipped": `{"entries":[{"date":"2026-01-01","time":"10:00","title":"","body":"  "},{"date":"2026-01-02","time":"10:00","title":"","body":""}]}`,
		"no entries":  `{"tags":{},"entries":[],"body":"","date":""}`,
	}
	for name, doc := range cases {
		file := filepath.Join(dir, "jrnl.json")
		os.WriteFile(file, []byte(doc), 0o600)
		r := samo(t, "", nil, "--home", home, "import", "--format", "jrnl", file)
		if r.code == 0 || !strings.Contains(r.stderr, "nothing was imported") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, r.code, r.stdout, r.stderr)
		}
	}
	r := samo(t, "", nil, "--home", home, "import", dir)
	if r.code == 0 || !strings.Contains(r.stderr, "folder") {
		t.Errorf("import of a folder: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestCLI_EmotionModelFlagReadsAHuggingFaceFolder: --emotion-model DIR
// checks a Hugging Face export as `samo emotions install` does: a good one
// is read as it is, a bad one gets install's error naming what it lacks,
// not "read manifest.json".
func TestCLI_EmotionModelFlagReadsAHuggingFaceFolder(t *testing.T) {
	home := t.TempDir()
	export := filepath.Join(t.TempDir(), "bert-goemotions")
	vocab, _ := filepath.Abs(filepath.Join("..", "..", ".cache", "tokenizers", "bert-uncased", "tokenizer.json"))
	if err := emotiontest.WriteHFExport(export, vocab); err != nil {
		t.Fatal(err)
	}
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "--emotion-model", export, "analyze", "I feel nervous about tomorrow"))
	if !strings.Contains(r.stdout, "nervousness") {
		t.Errorf("analyze with the export: %s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(export, "manifest.json")); err == nil {
		t.Error("--emotion-model wrote into the person's folder")
	}
	os.WriteFile(filepath.Join(export, "config.json"), []byte(`{"id2label":{"0":"joy"}}`), 0o644)
	flag := samo(t, "", nil, "--home", home, "--emotion-model", export, "analyze", "hello")
	install := samo(t, "", nil, "--home", home, "emotions", "install", export)
	if flag.code == 0 || install.code == 0 || strings.Contains(flag.stderr, "manifest.json") || !strings.Contains(flag.stderr, "config.json has 1 labels") {
		t.Errorf("a bad export:\n--emotion-model: exit %d %q\ninstall: exit %d %q", flag.code, flag.stderr, install.code, install.stderr)
	}
}

// TestCLI_UTF8WarningIsALineForAPerson: the warning about repaired text is
// one "samo: warning:" line, not a log record with a time and a level.
func TestCLI_UTF8WarningIsALineForAPerson(t *testing.T) {
	home := t.TempDir()
	r := mustSucceed(t, samo(t, "caf\xe9\n", nil, "--home", home, "add", "-"))
	id := strings.TrimSpace(strings.TrimPrefix(r.stdout, "saved "))
	e := mustSucceed(t, samo(t, "th\xe9\n", nil, "--home", home, "edit", id, "-"))
	for _, stderr := range []string{r.stderr, e.stderr} {
		for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
			if !strings.HasPrefix(line, "samo: warning: ") || strings.Contains(line, "WARN") || strings.Contains(line, "level=") {
				t.Errorf("stderr line %q is not a warning for a person", line)
			}
		}
	}
}
