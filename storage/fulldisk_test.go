//go:build linux

package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/storage"
)

// smallDisk mounts a tmpfs of size bytes for the test, or skips it where
// mounting is not allowed.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a small tmpfs here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
	return dir
}

// On a disk without room for the switch, Encrypt refuses before changing
// anything: the journal stays plain, whole and readable.
func TestEncrypt_RefusedOnAFullDiskChangesNothing(t *testing.T) {
	ctx := context.Background()
	dir := smallDisk(t, "4m")
	path := filepath.Join(dir, storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 200 {
		if err := s.Put(ctx, entryAt(time.Date(2025, 8, 1, 0, i, 0, 0, time.UTC), strings.Repeat("a plain line ", 100))); err != nil {
			t.Fatal(err)
		}
	}
	// Fill the disk but for a little less than the journal's size.
	fi, _ := os.Stat(path)
	var st syscall.Statfs_t
	syscall.Statfs(dir, &st)
	fill := int64(st.Bavail)*st.Bsize - fi.Size()/2
	if fill > 0 {
		if err := os.WriteFile(filepath.Join(dir, "fill"), make([]byte, fill), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := fileSum(t, path)
	err = s.Encrypt([]byte("pw"), fastKDF)
	if !errors.Is(err, storage.ErrDiskFull) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("encrypt on a full disk: %v; want ErrDiskFull saying nothing was changed", err)
	}
	if s.Encrypted() || fileSum(t, path) != before {
		t.Error("the refused switch changed the journal")
	}
	if n := len(texts(t, s)); n != 200 {
		t.Errorf("%d entries listed, want 200", n)
	}
}

// A journal on a read-only file system opens read-only: it lists, and
// refuses saves saying why. (Root passes permission checks, but not a
// read-only mount.)
func TestOpen_ReadOnlyFileSystemOpensReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := smallDisk(t, "4m")
	path := filepath.Join(dir, storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, entryAt(time.Now(), "on a disk made read-only")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount read-only: %v", err)
	}
	s, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("a journal on a read-only file system does not open: %v", err)
	}
	defer s.Close()
	if !s.ReadOnly() || len(texts(t, s)) != 1 {
		t.Errorf("ReadOnly() = %v, entries %v", s.ReadOnly(), texts(t, s))
	}
	if err := s.Put(ctx, entryAt(time.Now(), "refused")); !errors.Is(err, storage.ErrReadOnly) || !strings.Contains(err.Error(), "read-only file system") {
		t.Errorf("a save: %v; want ErrReadOnly naming the read-only file system", err)
	}
}
