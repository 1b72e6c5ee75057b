package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/storage"
)

// readOnlyJournal makes a journal of one entry at path, with no lock file
// beside it.
func readOnlyJournal(t *testing.T, path string) {
	t.Helper()
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), entryAt(time.Now(), "readable")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Remove(path + ".lock")
}

// A journal whose folder or file cannot be written is opened read-only:
// it lists, writes nothing (not even a lock file), and refuses saves with
// an error that says why.
func TestOpen_UnwritableJournalOpensReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	readOnlyJournal(t, path)
	before := fileSum(t, path)
	defer storage.SetUnwritableForTest(func(p string) string { return filepath.Dir(p) + " is not writable" })()

	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("an unwritable journal does not open: %v", err)
	}
	defer s.Close()
	if !s.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	if got := texts(t, s); len(got) != 1 || got[0] != "readable" {
		t.Errorf("entries = %v", got)
	}
	err = s.Put(ctx, entryAt(time.Now(), "refused"))
	if !errors.Is(err, storage.ErrReadOnly) || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("a save: %v; want ErrReadOnly saying why", err)
	}
	if _, err := os.Stat(path + ".lock"); err == nil {
		t.Error("a lock file was written beside a read-only journal")
	}
	s.Close()
	if fileSum(t, path) != before {
		t.Error("the read-only journal was written to")
	}
}

// The same through the file system, where permissions hold (not as root,
// who passes them).
func TestOpen_UnwritableFolderOpensReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes to any folder; TestOpen_UnwritableJournalOpensReadOnly covers the choice")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	readOnlyJournal(t, path)
	os.Chmod(path, 0o400)
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("a journal in an unwritable folder does not open: %v", err)
	}
	defer s.Close()
	if !s.ReadOnly() || len(texts(t, s)) != 1 {
		t.Errorf("ReadOnly() = %v, entries %v", s.ReadOnly(), texts(t, s))
	}
}
