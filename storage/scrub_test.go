package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
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

// A free list damaged on disk that lists a page in use must never have that
// page zeroed: the next write is refused as damage (or, at worst, zeroes
// nothing), and the entry on that page stays whole.
func TestStore_DamagedFreeListNeverZeroesAPageInUse(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 200 {
		e := entryAt(base.Add(time.Duration(i)*time.Minute), fmt.Sprintf("KEPT-TEXT-%03d %s", i, strings.Repeat("filler text ", 40)))
		ids = append(ids, e.ID)
		if err := s.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Free some pages, so that the free list on disk has ids to damage.
	for _, id := range ids[150:160] {
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	// Point the first free id of the newest meta's free list at the page
	// that holds entry 5's text.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	ps := int(le.Uint32(b[16+8:]))
	newest, freelist := uint64(0), uint64(0)
	for m := range 2 {
		off := m*ps + 16
		if txid := le.Uint64(b[off+16+32:]); txid >= newest {
			newest, freelist = txid, le.Uint64(b[off+16+16:])
		}
	}
	fl := int(freelist) * ps
	if count := le.Uint16(b[fl+10:]); count == 0 || count == 0xFFFF {
		t.Fatalf("free list holds %d ids: the test proves nothing", count)
	}
	target := bytes.Index(b, []byte("KEPT-TEXT-005")) / ps
	le.PutUint64(b[fl+16:], uint64(target)) // free ids are sorted: the first is the smallest
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	s, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Put(ctx, entryAt(base.Add(24*time.Hour), "a new entry after the damage")) // refused or not, nothing is lost
	s.Close()
	if !fileHolds(t, path, "KEPT-TEXT-005") {
		t.Fatal("a page in use was zeroed: entry 5's text is gone from the file")
	}
}
