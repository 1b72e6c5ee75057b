package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// flipInFile flips one byte of the file at path: the middle byte of the
// first place it holds needle.
func flipInFile(t testing.TB, path string, needle []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, needle)
	if i < 0 {
		t.Fatalf("%s does not hold the bytes to damage", path)
	}
	flipAt(t, path, int64(i+len(needle)/2))
}

// flipAt flips the byte at off of the file at path.
func flipAt(t testing.TB, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// damagedJournal makes an encrypted journal of five entries at path and
// flips one byte inside the stored values of the entries at positions bad,
// on disk. It returns the entries, oldest first.
func damagedJournal(t *testing.T, path string, bad ...int) []journal.Entry {
	t.Helper()
	ctx := context.Background()
	s, err := storage.Create(path, []byte("pass"), fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var es []journal.Entry
	for i := range 5 {
		e := entryAt(base.Add(time.Duration(i)*time.Hour), fmt.Sprintf("entry %d", i))
		if err := s.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	var values [][]byte
	for _, i := range bad {
		values = append(values, storage.StoredValueForTest(s, "entries", es[i].ID))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		flipInFile(t, path, v[len(v)-20:]) // inside the sealed text
	}
	return es
}

func ids(es []journal.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// One damaged entry used to fail every listing and export: the others
// must stay readable, the damaged ones be reported by id, and the journal
// not be written to.
func TestStore_DamagedEntriesAreLeftOutAndReported(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	es := damagedJournal(t, path, 1, 3)
	want := []string{es[4].ID, es[2].ID, es[0].ID}
	wantBad := []string{es[1].ID, es[3].ID}
	slices.Sort(wantBad)

	s, err := storage.Open(path, storage.Options{Passphrase: []byte("pass")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var reported [][]string
	s.OnDamage(func(ids []string) { reported = append(reported, ids) })

	got, err := s.List(ctx, journal.Query{})
	if err != nil || !slices.Equal(ids(got), want) {
		t.Fatalf("List = %v, %v; want %v", ids(got), err, want)
	}
	if len(reported) != 1 || !slices.Equal(slices.Sorted(slices.Values(reported[0])), wantBad) {
		t.Errorf("reported %v, want %v once", reported, wantBad)
	}
	// Paging with a damaged entry as the cursor goes on below it.
	if page, err := s.List(ctx, journal.Query{Before: es[3].ID, Limit: 1}); err != nil || len(page) != 1 || page[0].ID != es[2].ID {
		t.Errorf("List(before the damaged %s) = %v, %v; want [%s]", es[3].ID, ids(page), err, es[2].ID)
	}
	var exported []string
	err = s.EachWithAudio(ctx, func(e journal.Entry, _ []byte) error {
		exported = append(exported, e.ID)
		return nil
	})
	if err != nil || !slices.Equal(exported, []string{es[0].ID, es[2].ID, es[4].ID}) {
		t.Errorf("EachWithAudio = %v, %v; want the three readable entries", exported, err)
	}
	if _, err := s.Get(ctx, es[1].ID); !errors.Is(err, storage.ErrDamaged) || !strings.Contains(err.Error(), "samo restore") {
		t.Errorf("Get(damaged) = %v, want ErrDamaged naming samo restore", err)
	}
	if !slices.Equal(s.Damaged(), wantBad) {
		t.Errorf("Damaged() = %v, want %v", s.Damaged(), wantBad)
	}
}

// A journal with a damaged entry is not written to, not even by a first
// write in a new process that has read nothing yet; deleting the damaged
// entries is the one write it takes.
func TestStore_DamagedJournalRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	es := damagedJournal(t, path, 2)
	before := fileSum(t, path)

	s, err := storage.Open(path, storage.Options{Passphrase: []byte("pass")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writes := map[string]func() error{
		"put":        func() error { return s.Put(ctx, entryAt(time.Now(), "new")) },
		"put many":   func() error { return s.PutMany(ctx, []journal.Entry{entryAt(time.Now(), "new")}, nil) },
		"edit":       func() error { e := es[0]; e.Revision = 1; e.Text = "edited"; return s.Put(ctx, e) },
		"delete":     func() error { return s.Delete(ctx, es[0].ID) },
		"put record": func() error { return s.PutRecord(ctx, "layer", []byte("x")) },
	}
	for name, write := range writes {
		err := write()
		if !errors.Is(err, storage.ErrDamaged) || !strings.Contains(err.Error(), es[2].ID) || !strings.Contains(err.Error(), "samo restore") {
			t.Errorf("%s: %v; want ErrDamaged naming %s and samo restore", name, err, es[2].ID)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, path) != before {
		t.Fatal("the damaged journal was written to")
	}

	s, err = storage.Open(path, storage.Options{Passphrase: []byte("pass")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Delete(ctx, es[2].ID); err != nil {
		t.Fatalf("deleting the damaged entry: %v", err)
	}
	if err := s.Put(ctx, entryAt(time.Now(), "new")); err != nil {
		t.Errorf("a save once the damage is deleted: %v", err)
	}
	if h, err := s.Verify(ctx); err != nil || len(h.Damaged) != 0 {
		t.Errorf("Verify after the repair: %+v, %v", h, err)
	}
}

// Verify (samo doctor) checks every page and entry.
func TestStore_VerifyFindsDamagedEntries(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	es := damagedJournal(t, path, 0)
	s, err := storage.Open(path, storage.Options{Passphrase: []byte("pass"), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := s.Verify(ctx)
	if err != nil || !slices.Equal(h.Damaged, []string{es[0].ID}) {
		t.Errorf("Verify = %+v, %v; want %s damaged", h, err, es[0].ID)
	}
	st, err := storage.Inspect(ctx, path, []byte("pass"))
	if !errors.Is(err, storage.ErrDamaged) || !slices.Equal(st.Damaged, []string{es[0].ID}) || st.Entries != 5 {
		t.Errorf("Inspect = %+v, %v; want ErrDamaged with %s", st, err, es[0].ID)
	}
}

// A flipped byte in a page header made bbolt panic ("Page expected to
// be: 2, but self identifies as 3") in list, add, show and backup: each
// must be an error naming samo restore instead, and the file untouched.
func TestStore_DamagedPageHeaderIsAnError(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var first journal.Entry
	for i := range 60 {
		e := entryAt(time.Date(2025, 1, 1, 0, i, 0, 0, time.UTC), strings.Repeat(fmt.Sprintf("entry %d ", i), 20))
		if i == 0 {
			first = e
		}
		if err := s.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	pageSize, root := storage.BucketRootForTest(s, "entries")
	if root == 0 {
		t.Fatal("the entries bucket is inline: no page to damage")
	}
	s.Close()
	flipAt(t, path, int64(root)*int64(pageSize)) // the page's own id
	before := fileSum(t, path)

	s, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("open: %v", err) // the meta bucket is sound
	}
	defer s.Close()
	calls := map[string]func() error{
		"list": func() error { _, err := s.List(ctx, journal.Query{}); return err },
		"add":  func() error { return s.Put(ctx, entryAt(time.Now(), "new")) },
		"show": func() error { _, err := s.Get(ctx, first.ID); return err },
		"each": func() error { return s.Each(ctx, func(journal.Entry) error { return nil }) },
		"backup": func() error {
			if err := s.Backup(filepath.Join(t.TempDir(), "b.db")); err != nil {
				return err
			}
			_, err := s.Verify(ctx)
			return err
		},
	}
	// A write after a full check (backup's Verify) met the damage names
	// the cure too; then every call, in any order.
	names := append([]string{"backup", "add"}, slices.Collect(maps.Keys(calls))...)
	for _, name := range names {
		err := calls[name]()
		if !errors.Is(err, storage.ErrDamaged) || !strings.Contains(err.Error(), "samo restore") {
			t.Errorf("%s: %v; want ErrDamaged naming samo restore", name, err)
		}
	}
	s.Close()
	if fileSum(t, path) != before {
		t.Error("the damaged journal was written to")
	}
}

// A user function's own panic inside Each is not taken for damage.
func TestStore_CallersPanicIsNotDamage(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	s.Put(ctx, entryAt(time.Now(), "one"))
	func() {
		defer func() {
			if r := recover(); r != "mine" {
				t.Errorf("recovered %v, want the caller's own panic", r)
			}
		}()
		s.Each(ctx, func(journal.Entry) error { panic("mine") })
	}()
	if err := s.Put(ctx, entryAt(time.Now(), "two")); err != nil {
		t.Errorf("a save after a caller's panic: %v", err)
	}
}

// A damaged embedding is derived data: the entry is still shown and listed
// (without it), writes go on, and saving the entry with a new embedding
// (what samo reindex does) repairs it. samo doctor still reports it.
func TestStore_DamagedEmbeddingDoesNotStopTheJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Create(path, []byte("pass"), fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	e := entryAt(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC), "text that must stay readable")
	e.Embedding = &journal.Embedding{Model: "m", Dim: 3, Vector: []float32{1, 2, 3}}
	if err := s.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	v := storage.StoredValueForTest(s, "embeddings", e.ID)
	s.Close()
	flipInFile(t, path, v[len(v)-12:])

	s, err = storage.Open(path, storage.Options{Passphrase: []byte("pass")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Get(ctx, e.ID)
	if err != nil || got.Text != e.Text || got.Embedding != nil {
		t.Fatalf("Get = %q, embedding %v, %v", got.Text, got.Embedding, err)
	}
	if h, err := s.Verify(ctx); err != nil || !slices.Contains(h.Damaged, e.ID) {
		t.Errorf("Verify = %+v, %v: the damaged embedding is not reported", h, err)
	}
	if err := s.Put(ctx, entryAt(time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC), "a new entry")); err != nil {
		t.Fatalf("a write was refused for a damaged embedding: %v", err)
	}
	got.Embedding = &journal.Embedding{Model: "m", Dim: 3, Vector: []float32{3, 2, 1}}
	if err := s.Put(ctx, got); err != nil {
		t.Fatal(err)
	}
	if again, err := s.Get(ctx, e.ID); err != nil || again.Embedding == nil || again.Embedding.Vector[0] != 3 {
		t.Errorf("after a new embedding: %+v, %v", again.Embedding, err)
	}
	if h, err := s.Verify(ctx); err != nil || len(h.Damaged) != 0 {
		t.Errorf("after a new embedding Verify = %+v, %v", h, err)
	}
}

// A damaged timeline key (the index list and export walk) loses no entry:
// the entry itself is whole, so the first write (or samo doctor) puts it
// back under its time and drops the key that names nothing, and nothing is
// reported as damaged or refused.
func TestStore_DamagedTimelineKeyIsMended(t *testing.T) {
	for _, how := range []string{"write", "verify"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), storage.FileName)
			es := damagedJournal(t, path) // five whole entries, encrypted
			key := make([]byte, 8, 8+26)
			binary.BigEndian.PutUint64(key, uint64(es[2].Created.UnixNano())^(1<<63))
			key = append(key, es[2].ID...)
			b, _ := os.ReadFile(path)
			i := bytes.Index(b, key)
			if i < 0 {
				t.Fatal("the timeline key is not in the file")
			}
			flipAt(t, path, int64(i+len(key)-1)) // the id's last character
			s, err := storage.Open(path, storage.Options{Passphrase: []byte("pass")})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if how == "write" {
				if err := s.Put(ctx, entryAt(es[4].Created.Add(time.Hour), "after the damage")); err != nil {
					t.Fatalf("a write was refused: %v", err)
				}
			} else if h, err := s.Verify(ctx); err != nil || len(h.Damaged) != 0 {
				t.Fatalf("Verify = %+v, %v", h, err)
			}
			got, err := s.List(ctx, journal.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(ids(got), es[2].ID) || len(got) < 5 {
				t.Errorf("after mending, list holds %v", ids(got))
			}
			if d := s.Damaged(); len(d) != 0 {
				t.Errorf("damaged = %v", d)
			}
		})
	}
}

// A damaged journal never replaces an existing backup (perhaps the last
// good copy); its copy can still be written to a new file.
func TestStore_DamagedJournalKeepsTheBackupItWouldReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	damagedJournal(t, path, 1)
	good := filepath.Join(dir, "nightly.db")
	if err := os.WriteFile(good, []byte("the last good backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(path, storage.Options{Passphrase: []byte("pass")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Backup(good)
	if !errors.Is(err, storage.ErrDamaged) || !strings.Contains(err.Error(), "not replaced") {
		t.Errorf("Backup over an existing file = %v", err)
	}
	if b, _ := os.ReadFile(good); string(b) != "the last good backup" {
		t.Errorf("the existing backup was changed: %q", b)
	}
	if err := s.Backup(filepath.Join(dir, "damaged-copy.db")); err != nil {
		t.Errorf("Backup to a new file: %v", err)
	}
}
