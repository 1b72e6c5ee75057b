package storage_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// hostileBackup is a file offered to samo restore, made in dir from a good
// encrypted backup (passphrase "pass") of a journal with entries.
type hostileBackup struct {
	name string
	make func(t testing.TB, dir, good string, s *storage.Store) string
	// wantErr is what the error must mention ("" when the restore should
	// succeed).
	wantErr string
	// damaged is set when the refusal must say the file is damaged.
	damaged bool
}

// copyFileT copies from to to.
func copyFileT(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// altered is a copy of good changed by change.
func altered(change func(t testing.TB, path string, b []byte, s *storage.Store)) func(t testing.TB, dir, good string, s *storage.Store) string {
	return func(t testing.TB, dir, good string, s *storage.Store) string {
		p := filepath.Join(dir, "altered.db")
		copyFileT(t, good, p)
		b, _ := os.ReadFile(p)
		change(t, p, b, s)
		return p
	}
}

// hostileBackups are the hostile inputs samo restore must refuse with a
// clear error (and two friendly ones it must take).
var hostileBackups = []hostileBackup{
	{name: "zero-length", wantErr: "empty", make: func(t testing.TB, dir, _ string, _ *storage.Store) string {
		p := filepath.Join(dir, "empty.db")
		os.WriteFile(p, nil, 0o600)
		return p
	}},
	{name: "truncated to half", wantErr: "cut short", damaged: true, make: altered(func(t testing.TB, p string, b []byte, _ *storage.Store) {
		os.Truncate(p, int64(len(b)/2))
	})},
	{name: "truncated to one page", wantErr: "cut short", damaged: true, make: altered(func(t testing.TB, p string, b []byte, _ *storage.Store) {
		os.Truncate(p, 4096*2+100)
	})},
	{name: "truncated inside the meta page", wantErr: "too short", make: altered(func(t testing.TB, p string, b []byte, _ *storage.Store) {
		os.Truncate(p, 40)
	})},
	{name: "/dev/zero", wantErr: "not a regular file", make: func(testing.TB, string, string, *storage.Store) string { return "/dev/zero" }},
	{name: "symlink to /dev/zero", wantErr: "not a regular file", make: func(t testing.TB, dir, _ string, _ *storage.Store) string {
		p := filepath.Join(dir, "zero.db")
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Fatal(err)
		}
		return p
	}},
	{name: "directory", wantErr: "folder", make: func(t testing.TB, dir, _ string, _ *storage.Store) string {
		p := filepath.Join(dir, "folder.db")
		os.Mkdir(p, 0o700)
		return p
	}},
	{name: "missing", wantErr: "no such file", make: func(_ testing.TB, dir, _ string, _ *storage.Store) string {
		return filepath.Join(dir, "missing.db")
	}},
	{name: "random bytes", wantErr: "not a SAMO journal", make: func(t testing.TB, dir, _ string, _ *storage.Store) string {
		p := filepath.Join(dir, "random.db")
		b := make([]byte, 64<<10)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		os.WriteFile(p, b, 0o600)
		return p
	}},
	{name: "zeros the size of a journal", wantErr: "not a SAMO journal", make: func(t testing.TB, dir, _ string, _ *storage.Store) string {
		p := filepath.Join(dir, "zeros.db")
		os.WriteFile(p, make([]byte, 64<<10), 0o600)
		return p
	}},
	{name: "text file", wantErr: "not a SAMO journal", make: func(t testing.TB, dir, _ string, _ *storage.Store) string {
		p := filepath.Join(dir, "notes.txt")
		os.WriteFile(p, bytes.Repeat([]byte("dear diary\n"), 1000), 0o600)
		return p
	}},
	{name: "flipped magic in both meta pages", wantErr: "not a SAMO journal", make: altered(func(t testing.TB, p string, _ []byte, _ *storage.Store) {
		flipAt(t, p, 16)
		flipAt(t, p, 4096+16)
	})},
	{name: "flipped checksum byte in both meta pages", wantErr: "checksum", make: altered(func(t testing.TB, p string, _ []byte, _ *storage.Store) {
		flipAt(t, p, 16+60)
		flipAt(t, p, 4096+16+60)
	})},
	{name: "flipped page size in both meta pages", wantErr: "not a SAMO journal", make: altered(func(t testing.TB, p string, _ []byte, _ *storage.Store) {
		flipAt(t, p, 16+9)
		flipAt(t, p, 4096+16+9)
	})},
	{name: "flipped byte in one meta page (the other is used)", make: altered(func(t testing.TB, p string, _ []byte, _ *storage.Store) {
		flipAt(t, p, 16+44) // meta 0's high-water mark
	})},
	{name: "flipped byte in a page header", damaged: true, wantErr: "samo restore", make: altered(func(t testing.TB, p string, _ []byte, s *storage.Store) {
		size, root := storage.BucketRootForTest(s, "timeline")
		if root == 0 {
			t.Fatal("inline timeline bucket")
		}
		flipAt(t, p, int64(root)*int64(size))
	})},
	{name: "flipped byte in an entry", damaged: true, wantErr: "1 entry cannot be read", make: altered(func(t testing.TB, p string, b []byte, s *storage.Store) {
		v := firstValue(t, s, "entries")
		flipInFile(t, p, v[len(v)-20:])
	})},
	{name: "flipped byte in a recording", damaged: true, wantErr: "1 entry cannot be read", make: altered(func(t testing.TB, p string, b []byte, s *storage.Store) {
		v := firstValue(t, s, "audio")
		flipInFile(t, p, v[len(v)-20:])
	})},
	{name: "flipped byte in the key record", damaged: true, wantErr: "key record", make: altered(func(t testing.TB, p string, b []byte, s *storage.Store) {
		v := storage.StoredValueForTest(s, "meta", "crypto")
		i := bytes.Index(v, []byte(`"wrapped_key":"`)) + 20
		flipInFile(t, p, v[i-2:i+3])
	})},
	{name: "symlink to a good backup", make: func(t testing.TB, dir, good string, _ *storage.Store) string {
		p := filepath.Join(dir, "link.db")
		if err := os.Symlink(good, p); err != nil {
			t.Fatal(err)
		}
		return p
	}},
}

// firstValue is the stored value of the first entry's key in bucket.
func firstValue(t testing.TB, s *storage.Store, bucket string) []byte {
	t.Helper()
	es, err := s.List(context.Background(), journal.Query{})
	if err != nil || len(es) == 0 {
		t.Fatal(err)
	}
	return storage.StoredValueForTest(s, bucket, es[len(es)-1].ID)
}

// goodBackup makes an encrypted journal (passphrase "pass") of 80 entries
// with recordings, and a backup of it; it returns the backup's path and
// the journal, open until the test ends.
func goodBackup(t testing.TB) (string, *storage.Store) {
	t.Helper()
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Create(src, []byte("pass"), fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := range 80 {
		e := entryAt(time.Date(2025, 2, 1, 0, i, 0, 0, time.UTC), strings.Repeat("a line of the backup ", 10))
		if err := s.PutWithAudio(ctx, e, bytes.Repeat([]byte{byte(i)}, 300)); err != nil {
			t.Fatal(err)
		}
	}
	good := filepath.Join(t.TempDir(), "good.db")
	if err := s.Backup(good); err != nil {
		t.Fatal(err)
	}
	return good, s
}

// Every hostile backup is refused with a clear error, quickly, with no
// panic, no stray journal.db.restoring and the journal as it was.
func TestRestore_HostileBackups(t *testing.T) {
	ctx := context.Background()
	good, s := goodBackup(t)

	for _, tc := range hostileBackups {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "home", storage.FileName)
			js, err := storage.Create(path, []byte("pass"), fastKDF)
			if err != nil {
				t.Fatal(err)
			}
			js.Put(ctx, entryAt(time.Now(), "the journal in use"))
			js.Close()
			before := fileSum(t, path)
			from := tc.make(t, dir, good, s)

			_, err = storage.Restore(path, from, storage.Options{Passphrase: []byte("pass")})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("restore: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("restore: %v; want an error mentioning %q", err, tc.wantErr)
			case tc.damaged && !errors.Is(err, storage.ErrDamaged):
				t.Errorf("restore: %v; want ErrDamaged", err)
			case errors.Is(err, storage.ErrWrongPassphrase):
				t.Errorf("restore: %v; a damaged file is not a wrong passphrase", err)
			}
			left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.restoring*"))
			if len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
			if tc.wantErr != "" && fileSum(t, path) != before {
				t.Error("a refused restore changed the journal")
			}
			if tc.wantErr == "" && len(textsIn(t, path, []byte("pass"))) != 80 {
				t.Error("the restored journal does not hold the backup's 80 entries")
			}
		})
	}
}

// A damaged key record is told apart from a wrong passphrase by its own
// checksum; a journal written before the checksum still opens, and gains
// one.
func TestOpen_DamagedKeyRecordIsNotAWrongPassphrase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Create(path, []byte("pass"), fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	s.Put(ctx, entryAt(time.Now(), "secret"))
	record := storage.StoredValueForTest(s, "meta", "crypto")
	s.Close()
	if _, err := storage.Open(path, storage.Options{Passphrase: []byte("wrong")}); !errors.Is(err, storage.ErrWrongPassphrase) {
		t.Fatalf("a wrong passphrase: %v", err)
	}
	// Damage inside the salt: the JSON still decodes, to other bytes.
	i := bytes.Index(record, []byte(`"salt":"`)) + 10
	flipInFile(t, path, record[i-2:i+3])
	for _, pass := range []string{"pass", "wrong"} {
		_, err := storage.Open(path, storage.Options{Passphrase: []byte(pass)})
		if !errors.Is(err, storage.ErrKeyRecordDamaged) || storage.NeedsPassphrase(err) || !strings.Contains(err.Error(), "samo restore") {
			t.Errorf("passphrase %q on a damaged key record: %v; want ErrKeyRecordDamaged naming samo restore", pass, err)
		}
	}
}

func TestOpen_KeyRecordWithoutChecksumStillOpens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Create(path, []byte("pass"), fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	s.Put(ctx, entryAt(time.Now(), "old"))
	if err := storage.DropKeyChecksumForTest(s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := storage.Open(path, storage.Options{Passphrase: []byte("wrong")}); !errors.Is(err, storage.ErrWrongPassphrase) {
		t.Errorf("a wrong passphrase on an old key record: %v", err)
	}
	s, err = storage.Open(path, storage.Options{Passphrase: []byte("pass")})
	if err != nil {
		t.Fatalf("an old key record does not open: %v", err)
	}
	if !bytes.Contains(storage.StoredValueForTest(s, "meta", "crypto"), []byte(`"check"`)) {
		t.Error("opening for writing did not give the old key record its checksum")
	}
	s.Close()
	if got := textsIn(t, path, []byte("pass")); !slices.Equal(got, []string{"old"}) {
		t.Errorf("entries = %v", got)
	}
}

// FuzzRestore offers samo restore arbitrary bytes as a backup, seeded with
// the hostile backups that are files: it never panics or faults, never
// leaves its copy behind, and what it takes is a sound journal.
func FuzzRestore(f *testing.F) {
	good, s := goodBackup(f)
	for _, tc := range hostileBackups {
		p := tc.make(f, f.TempDir(), good, s)
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		from := filepath.Join(dir, "backup.db")
		if err := os.WriteFile(from, b, 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "home", storage.FileName)
		_, err := storage.Restore(path, from, storage.Options{Passphrase: []byte("pass")})
		if left, _ := filepath.Glob(path + ".restoring*"); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
		if err != nil {
			return
		}
		js, err := storage.Open(path, storage.Options{ReadOnly: true, Passphrase: []byte("pass")})
		if err != nil {
			t.Fatalf("a restored journal does not open: %v", err)
		}
		defer js.Close()
		if h, err := js.Verify(context.Background()); err != nil || len(h.Damaged) > 0 {
			t.Errorf("a restored journal is damaged: %+v, %v", h, err)
		}
	})
}
