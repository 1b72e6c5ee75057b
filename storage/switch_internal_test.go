package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
)

// failSteps makes the steps of finishSwitch named fail as on a full disk
// until the returned function is called.
func failSteps(steps ...string) (undo func()) {
	old := fault
	fault = func(step string) error {
		for _, s := range steps {
			if s == step {
				return syscall.ENOSPC
			}
		}
		return nil
	}
	return func() { fault = old }
}

var switchKDF = KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}

// plainJournal makes a plain journal at path of entries carrying marker.
func plainJournal(t *testing.T, path, marker string) *Store {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		e := journal.Entry{ID: "01JZ00000000000000000000" + string(rune('A'+i)) + "0", Created: at.Add(time.Duration(i) * time.Minute), Text: marker + " " + strings.Repeat("words ", 50)}
		e.Updated = e.Created
		if err := s.Put(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func holds(t *testing.T, path, marker string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(marker))
}

// On a disk too full for compaction's copy, Encrypt clears the old pages
// in place instead: no plaintext is left, and nothing is pending.
func TestEncrypt_WithoutRoomToCompactClearsInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s := plainJournal(t, path, "PLAIN-MARKER-5e1f")
	defer s.Close()
	defer failSteps("compact")()
	if err := s.Encrypt([]byte("pw"), switchKDF); err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	if holds(t, path, "PLAIN-MARKER-5e1f") {
		t.Error("the encrypted journal still holds plaintext")
	}
	if es, err := s.List(context.Background(), journal.Query{}); err != nil || len(es) != 20 {
		t.Errorf("list: %d, %v", len(es), err)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(path + compactSuffix); err == nil {
		t.Error("a compaction copy was left behind")
	}
}

// When the old pages can be neither compacted nor cleared, Encrypt says
// what state the journal is in; it stays readable (list, export, backup),
// opens with a warning while the disk is full, and the next open with room
// finishes the job.
func TestEncrypt_UnfinishedOnAFullDiskIsToldAndFinishedLater(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s := plainJournal(t, path, "PLAIN-MARKER-77c2")
	undo := failSteps("compact", "scrub")
	err := s.Encrypt([]byte("pw"), switchKDF)
	if !errors.Is(err, ErrSwitchUnfinished) || !strings.Contains(err.Error(), "is encrypted") || !strings.Contains(err.Error(), "next time it opens") {
		t.Fatalf("encrypt: %v; want ErrSwitchUnfinished saying the state", err)
	}
	if es, err := s.List(ctx, journal.Query{}); err != nil || len(es) != 20 {
		t.Errorf("list after the unfinished switch: %d, %v", len(es), err)
	}
	if err := s.Each(ctx, func(journal.Entry) error { return nil }); err != nil {
		t.Errorf("export: %v", err)
	}
	if err := s.Backup(filepath.Join(dir, "backup.db")); err != nil {
		t.Errorf("backup: %v", err)
	}
	s.Close()

	s, err = Open(path, Options{Passphrase: []byte("pw")})
	if err != nil {
		t.Fatalf("open while the disk is still full: %v", err)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "not finished") {
		t.Errorf("warnings = %q", w)
	}
	if es, err := s.List(ctx, journal.Query{}); err != nil || len(es) != 20 {
		t.Errorf("list: %d, %v", len(es), err)
	}
	s.Close()
	undo()

	s, err = Open(path, Options{Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Warnings()) != 0 {
		t.Errorf("warnings once finished: %q", s.Warnings())
	}
	if holds(t, path, "PLAIN-MARKER-77c2") {
		t.Error("the plaintext is still in the file after the next open")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"+compactSuffix))
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// A Create killed midway leaves its unfinished file and compaction copy,
// a killed encryption switch its compaction copy, a killed restore its
// copy of the backup; the next open removes them (a Create's once stale).
func TestOpen_RemovesWhatAKilledCreateLeft(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	stale := path + ".creating-123"
	for _, p := range []string{stale, stale + compactSuffix, stale + ".lock"} {
		os.WriteFile(p, []byte("half"), 0o600)
		old := time.Now().Add(-time.Hour)
		os.Chtimes(p, old, old)
	}
	for _, p := range []string{path + compactSuffix, path + restoreSuffix} {
		os.WriteFile(p, []byte("half a copy"), 0o600)
	}
	fresh := path + ".creating-456"
	os.WriteFile(fresh, []byte("being made"), 0o600)
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, p := range []string{stale, stale + compactSuffix, stale + ".lock", path + compactSuffix, path + restoreSuffix} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is left", filepath.Base(p))
		}
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a journal being made now was removed")
	}
}
