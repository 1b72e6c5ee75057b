package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// texts lists the texts of a journal's entries, newest first.
func texts(t *testing.T, s *storage.Store) []string {
	t.Helper()
	es, err := s.List(context.Background(), journal.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Text)
	}
	return out
}

// textsIn opens the journal at path read-only and lists its texts.
func textsIn(t *testing.T, path string, pass []byte) []string {
	t.Helper()
	s, err := storage.Open(path, storage.Options{ReadOnly: true, Passphrase: pass})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	return texts(t, s)
}

func keptFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, storage.FileName+".before-restore-*"))
	if err != nil {
		t.Fatal(err)
	}
	// Opening a kept journal makes its lock file beside it.
	return slices.DeleteFunc(m, func(p string) bool { return strings.HasSuffix(p, ".lock") })
}

func TestStore_RestoreInPlace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	s, err := storage.Open(path, storage.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	for i, text := range []string{"one", "two"} {
		if err := s.Put(ctx, entryAt(base.Add(time.Duration(i)*time.Hour), text)); err != nil {
			t.Fatal(err)
		}
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(backup); err != nil {
		t.Fatal(err)
	}
	extra := entryAt(base.Add(2*time.Hour), "after the backup")
	if err := s.Put(ctx, extra); err != nil {
		t.Fatal(err)
	}

	kept, err := s.Restore(backup, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := texts(t, s), []string{"two", "one"}; !slices.Equal(got, want) {
		t.Errorf("after the restore the store lists %q, want %q", got, want)
	}
	if _, err := s.Get(ctx, extra.ID); !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("the entry made after the backup: err = %v, want ErrNotFound", err)
	}
	if filepath.Dir(kept) != dir || !strings.HasPrefix(filepath.Base(kept), storage.FileName+".before-restore-") {
		t.Errorf("kept as %s, want %s.before-restore-… beside the journal", kept, storage.FileName)
	}
	if got, want := textsIn(t, kept, nil), []string{"after the backup", "two", "one"}; !slices.Equal(got, want) {
		t.Errorf("the kept journal lists %q, want %q", got, want)
	}
	// The store writes to the restored file, and still holds the journal.
	three := entryAt(base.Add(3*time.Hour), "three")
	if err := s.Put(ctx, three); err != nil {
		t.Fatal(err)
	}
	if other, err := storage.Open(path, storage.Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, storage.ErrLocked) {
		if err == nil {
			other.Close()
		}
		t.Errorf("a second opener during use after the restore: err = %v, want ErrLocked", err)
	}

	// A failed restore leaves the journal in use as it was, and usable.
	garbage := filepath.Join(t.TempDir(), "garbage.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a journal "), 2000), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{garbage, filepath.Join(t.TempDir(), "missing.db")} {
		if k, err := s.Restore(from, nil); err == nil {
			t.Fatalf("restored from %s, kept %s", from, k)
		}
	}
	if got, want := texts(t, s), []string{"three", "two", "one"}; !slices.Equal(got, want) {
		t.Errorf("after the failed restores the store lists %q, want %q", got, want)
	}
	four := entryAt(base.Add(4*time.Hour), "four")
	if err := s.Put(ctx, four); err != nil {
		t.Fatalf("put after a failed restore: %v", err)
	}
	if got, err := s.Get(ctx, four.ID); err != nil || got.Text != "four" {
		t.Errorf("get after a failed restore: %+v, %v", got, err)
	}
	if n := len(keptFiles(t, dir)); n != 1 {
		t.Errorf("%d kept journals after one restore and two failed ones, want 1", n)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := textsIn(t, path, nil), []string{"four", "three", "two", "one"}; !slices.Equal(got, want) {
		t.Errorf("reopened, the journal lists %q, want %q", got, want)
	}
	if _, err := s.Restore(backup, nil); err == nil {
		t.Error("a closed store restored a backup")
	}
}

// Restoring an encrypted backup into a store: it needs the backup's
// passphrase, and a failed try leaves the store's own (encrypted) journal
// working, even though the store was encrypted after it was opened and its
// options hold no passphrase.
func TestStore_RestoreInPlaceEncrypted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mine := entryAt(time.Now(), "mine")
	if err := s.Put(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if err := s.Encrypt([]byte("mine"), fastKDF); err != nil {
		t.Fatal(err)
	}

	other := filepath.Join(t.TempDir(), storage.FileName)
	o, err := storage.Create(other, []byte("theirs"), fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Put(ctx, entryAt(time.Now(), "theirs")); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := o.Backup(backup); err != nil {
		t.Fatal(err)
	}
	o.Close()

	for pass, want := range map[string]error{"": storage.ErrPassphraseRequired, "wrong": storage.ErrWrongPassphrase} {
		if _, err := s.Restore(backup, []byte(pass)); !errors.Is(err, want) {
			t.Errorf("restore with passphrase %q: err = %v, want %v", pass, err, want)
		}
		if got := texts(t, s); !slices.Equal(got, []string{"mine"}) || !s.Encrypted() {
			t.Fatalf("after a failed restore the store lists %q (encrypted %v), want its own journal", got, s.Encrypted())
		}
		if err := s.Put(ctx, mustGet(t, s, ctx, mine.ID)); err != nil {
			t.Fatalf("put after a failed restore: %v", err)
		}
	}

	kept, err := s.Restore(backup, []byte("theirs"))
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(t, s); !slices.Equal(got, []string{"theirs"}) || !s.Encrypted() {
		t.Errorf("after the restore the store lists %q (encrypted %v)", got, s.Encrypted())
	}
	if err := s.Put(ctx, entryAt(time.Now(), "new")); err != nil {
		t.Fatal(err)
	}
	if got := textsIn(t, kept, []byte("mine")); !slices.Equal(got, []string{"mine"}) {
		t.Errorf("the kept journal lists %q", got)
	}
	s.Close()
	if got := textsIn(t, path, []byte("theirs")); len(got) != 2 {
		t.Errorf("reopened under the backup's passphrase, the journal lists %q", got)
	}
}

// Two restores within one clock tick must each keep the journal they
// replace: the second must not overwrite the first one's kept journal.
func TestRestore_TwoRestoresInOneSecondKeepBoth(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	write := func(path string, text string) {
		t.Helper()
		s, err := storage.Open(path, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Put(ctx, entryAt(time.Now(), text)); err != nil {
			t.Fatal(err)
		}
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	write(backup, "backed up")
	write(path, "first journal")

	defer storage.StopClockForTest(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))()
	kept1, err := storage.Restore(path, backup, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(path, "second journal")
	kept2, err := storage.Restore(path, backup, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if kept1 == kept2 {
		t.Fatalf("both restores kept the journal they replaced as %s", kept1)
	}
	if got, want := textsIn(t, kept1, nil), []string{"first journal"}; !slices.Equal(got, want) {
		t.Errorf("first kept journal %s lists %q, want %q", kept1, got, want)
	}
	if got := textsIn(t, kept2, nil); len(got) != 2 || !slices.Contains(got, "second journal") {
		t.Errorf("second kept journal %s lists %q, want the backup and %q", kept2, got, "second journal")
	}
	if got, want := textsIn(t, path, nil), []string{"backed up"}; !slices.Equal(got, want) {
		t.Errorf("the journal lists %q, want %q", got, want)
	}
	if n := len(keptFiles(t, dir)); n != 2 {
		t.Errorf("%d kept journals, want 2", n)
	}
}
