package outfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// leftovers lists the files in dir other than want.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		if !strings.Contains(strings.Join(want, "\x00"), de.Name()) {
			out = append(out, de.Name())
		}
	}
	return out
}

func TestWrite_NewAndReplacedFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.json")
	if err := Write(path, 0o600, text("first")); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, 0o600, text("second")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "second" {
		t.Errorf("content %q", got)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// A failed write leaves the old file whole and nothing beside it.
	boom := errors.New("boom")
	err := Write(path, 0o600, func(w io.Writer) error { io.WriteString(w, "half"); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := read(t, path); got != "second" {
		t.Errorf("after a failed write the file holds %q", got)
	}
	if l := leftovers(t, dir, "export.json"); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
}

func TestWrite_SymlinkToAFileKeepsTheLink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.md")
	link := filepath.Join(dir, "link.md")
	os.WriteFile(real, []byte("old"), 0o600)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, 0o600, text("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi, err)
	}
	if got := read(t, real); got != "new" {
		t.Errorf("the linked file holds %q", got)
	}
	// A dangling link is written through: its target is created.
	dangling := filepath.Join(dir, "dangling")
	os.Symlink(filepath.Join(dir, "made.md"), dangling)
	if err := Write(dangling, 0o600, text("made")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "made.md")); got != "made" {
		t.Errorf("through a dangling link: %q", got)
	}
}

func TestWrite_FIFOIsWrittenNotReplaced(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	if err := Write(fifo, 0o600, text("through the pipe")); err != nil {
		t.Fatal(err)
	}
	if s := awaitReader(t, fifo, got); s != "through the pipe" {
		t.Errorf("reader got %q", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi, err)
	}
}

func TestWrite_Devices(t *testing.T) {
	if err := Write("/dev/null", 0o600, text("gone")); err != nil {
		t.Errorf("/dev/null: %v", err)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode().IsRegular() {
		t.Fatalf("/dev/null is now %v (%v)", fi, err)
	}
	err := Write("/dev/full", 0o600, text(strings.Repeat("x", 1<<16)))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("/dev/full: err = %v, want no space left", err)
	}
	if fi, err := os.Stat("/dev/full"); err != nil || fi.Mode().IsRegular() {
		t.Fatalf("/dev/full is now %v (%v)", fi, err)
	}
}

func TestWrite_FolderIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, 0o600, text("x")); !errors.Is(err, ErrFolder) {
		t.Errorf("err = %v, want ErrFolder", err)
	}
	if err := Write("", 0o600, text("x")); err == nil {
		t.Error("an empty path was accepted")
	}
}

// awaitReader waits for the FIFO's reader; if nothing was written into the
// FIFO (it was replaced), it releases the reader and fails at once rather
// than leaving the test to hang.
func awaitReader(t *testing.T, fifo string, got <-chan string) string {
	t.Helper()
	select {
	case s := <-got:
		return s
	case <-time.After(10 * time.Second):
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		t.Fatal("nothing was written into the FIFO")
		return ""
	}
}
