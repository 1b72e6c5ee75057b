package storage_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// fileHolds reports whether the file at path holds s.
func fileHolds(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}

// Deleting means gone: the text of a deleted entry, and the old text of an
// edited one, must not stay in the file's freed pages.
func TestStore_DeletedAndReplacedTextLeavesTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		if err := s.Put(ctx, entryAt(base.Add(time.Duration(i)*time.Minute), strings.Repeat("filler text ", 30))); err != nil {
			t.Fatal(err)
		}
	}
	deleted := entryAt(base.Add(time.Hour), "DELETED-SECRET-7f3a wrote this")
	edited := entryAt(base.Add(2*time.Hour), "REPLACED-SECRET-91bc wrote this")
	big := entryAt(base.Add(3*time.Hour), "BIG-SECRET-c0de "+strings.Repeat("long ", 3000)) // overflow pages
	for _, e := range []journal.Entry{deleted, edited, big} {
		if err := s.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{"DELETED-SECRET-7f3a", "REPLACED-SECRET-91bc", "BIG-SECRET-c0de"} {
		if !fileHolds(t, path, m) {
			t.Fatalf("the file does not hold %s before: the test proves nothing", m)
		}
	}
	if err := s.Delete(ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, big.ID); err != nil {
		t.Fatal(err)
	}
	edited.Revision, edited.Text = 1, "the new text"
	if err := s.Put(ctx, edited); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"DELETED-SECRET-7f3a", "REPLACED-SECRET-91bc", "BIG-SECRET-c0de"} {
		if fileHolds(t, path, m) {
			t.Errorf("the file still holds %s", m)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx); n != 31 {
		t.Errorf("%d entries left, want 31", n)
	}
}
