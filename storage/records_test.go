package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

var _ journal.RecordStore = (*storage.Store)(nil)

// wantRecord fails the test unless the record saved under name is want.
func wantRecord(t *testing.T, s *storage.Store, name, want string) {
	t.Helper()
	got, err := s.Record(context.Background(), name)
	if err != nil {
		t.Fatalf("record %q: %v", name, err)
	}
	if string(got) != want {
		t.Fatalf("record %q = %q, want %q", name, got, want)
	}
}

// wantNoRecord fails the test unless no record is saved under name.
func wantNoRecord(t *testing.T, s *storage.Store, name string) {
	t.Helper()
	if got, err := s.Record(context.Background(), name); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("record %q = %q, %v; want ErrNotFound", name, got, err)
	}
}

func TestRecords_PutGetReplaceDelete(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	e := entryAt(time.Now(), "an entry beside the records")
	if err := s.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	wantNoRecord(t, s, "emotion-layer")
	if err := s.PutRecord(ctx, "emotion-layer", []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	wantRecord(t, s, "emotion-layer", `{"v":1}`)
	if err := s.PutRecord(ctx, "emotion-layer", []byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	}
	wantRecord(t, s, "emotion-layer", `{"v":2}`)
	// The caller's slice is not kept, nor is the returned one shared.
	data := []byte("history")
	if err := s.PutRecord(ctx, "emotion-layer.history", data); err != nil {
		t.Fatal(err)
	}
	data[0] = 'X'
	got, _ := s.Record(ctx, "emotion-layer.history")
	got[0] = 'Y'
	wantRecord(t, s, "emotion-layer.history", "history")
	// An empty record is a record.
	if err := s.PutRecord(ctx, "empty", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Record(ctx, "empty"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty record = %#v, %v; want an empty, non-nil slice", got, err)
	}

	if err := s.DeleteRecord(ctx, "emotion-layer"); err != nil {
		t.Fatal(err)
	}
	wantNoRecord(t, s, "emotion-layer")
	if err := s.DeleteRecord(ctx, "emotion-layer"); err != nil {
		t.Errorf("deleting a record that is not there: %v", err)
	}
	_, err := s.Record(ctx, "emotion-layer")
	if err == nil || !strings.Contains(err.Error(), `"emotion-layer"`) {
		t.Errorf("a missing record's error %v does not name it", err)
	}
	wantRecord(t, s, "emotion-layer.history", "history")

	// Records are not entries: entries, their count and their walk (what an
	// export reads) are as they were.
	if n, err := s.Count(ctx); n != 1 || err != nil {
		t.Errorf("Count = %d, %v; want the one entry", n, err)
	}
	var walked []string
	err = s.EachWithAudio(ctx, func(e journal.Entry, _ []byte) error {
		walked = append(walked, e.ID)
		return nil
	})
	if err != nil || len(walked) != 1 || walked[0] != e.ID {
		t.Errorf("EachWithAudio walked %q, %v; want only the entry", walked, err)
	}
	if got, err := s.Get(ctx, e.ID); err != nil || got.Text != e.Text {
		t.Errorf("the entry = %+v, %v", got, err)
	}
}

func TestRecords_InvalidNamesAndSizes(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	bad := map[string]string{
		"":                         "empty",
		strings.Repeat("n", 65):    "65 bytes",
		"emotion/layer":            "'/'",
		"émotion":                  "not printable ASCII",
		"line\nbreak":              "not printable ASCII",
		"nul\x00":                  "not printable ASCII",
		"del\x7f":                  "not printable ASCII",
		"tab\tname":                "not printable ASCII",
		"../escape":                "'/'",
		"\xff":                     "not printable ASCII",
		"emotion-layer\u00a0space": "not printable ASCII",
	}
	for name, why := range bad {
		for op, err := range map[string]error{
			"put":    s.PutRecord(ctx, name, []byte("x")),
			"delete": s.DeleteRecord(ctx, name),
			"get":    func() error { _, err := s.Record(ctx, name); return err }(),
		} {
			if !errors.Is(err, storage.ErrRecordName) {
				t.Errorf("%s %q: err = %v, want ErrRecordName", op, name, err)
				continue
			}
			if !strings.Contains(err.Error(), why) {
				t.Errorf("%s %q: err = %v, does not say %s", op, name, err, why)
			}
		}
	}
	for _, name := range []string{strings.Repeat("n", 64), "a", " ~!#emotion layer v2.json"} {
		if err := s.PutRecord(ctx, name, []byte(name)); err != nil {
			t.Errorf("put %q: %v", name, err)
		}
		wantRecord(t, s, name, name)
	}

	err := s.PutRecord(ctx, "huge", make([]byte, storage.MaxRecordSize+1))
	if !errors.Is(err, storage.ErrRecordTooLarge) || !strings.Contains(err.Error(), `"huge"`) {
		t.Errorf("a record over the limit: err = %v, want ErrRecordTooLarge naming it", err)
	}
	wantNoRecord(t, s, "huge")
}

func TestRecords_ContextAndReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecord(ctx, "layer", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.PutRecord(cancelled, "layer", []byte("not kept")); !errors.Is(err, context.Canceled) {
		t.Errorf("put with a cancelled context: %v", err)
	}
	if _, err := s.Record(cancelled, "layer"); !errors.Is(err, context.Canceled) {
		t.Errorf("get with a cancelled context: %v", err)
	}
	if err := s.DeleteRecord(cancelled, "layer"); !errors.Is(err, context.Canceled) {
		t.Errorf("delete with a cancelled context: %v", err)
	}
	wantRecord(t, s, "layer", "kept")
	s.Close()

	ro, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	wantRecord(t, ro, "layer", "kept")
	if err := ro.PutRecord(ctx, "layer", []byte("x")); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("put read-only: %v", err)
	}
	if err := ro.DeleteRecord(ctx, "layer"); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("delete read-only: %v", err)
	}
}

func TestRecords_SurviveReopenEncryptionAndPassphraseChange(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecord(ctx, "layer", []byte("plain layer")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecord(ctx, "gone", []byte("deleted before closing")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRecord(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	reopen := func(pass string) *storage.Store {
		t.Helper()
		var p []byte
		if pass != "" {
			p = []byte(pass)
		}
		s, err := storage.Open(path, storage.Options{Passphrase: p})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s = reopen("")
	wantRecord(t, s, "layer", "plain layer")
	wantNoRecord(t, s, "gone")

	// Encrypt in place: the record written plain is re-sealed and readable.
	if err := s.Encrypt([]byte("first"), fastKDF); err != nil {
		t.Fatal(err)
	}
	wantRecord(t, s, "layer", "plain layer")
	if err := s.PutRecord(ctx, "sealed", []byte("written encrypted")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := storage.Open(path, storage.Options{}); !errors.Is(err, storage.ErrPassphraseRequired) {
		t.Fatalf("the encrypted journal opened without a passphrase: %v", err)
	}
	s = reopen("first")
	wantRecord(t, s, "layer", "plain layer")
	wantRecord(t, s, "sealed", "written encrypted")

	if err := s.ChangePassphrase([]byte("second"), fastKDF); err != nil {
		t.Fatal(err)
	}
	wantRecord(t, s, "sealed", "written encrypted")
	s.Close()
	s = reopen("second")
	wantRecord(t, s, "layer", "plain layer")
	wantRecord(t, s, "sealed", "written encrypted")

	// Decrypt in place: both come back plain.
	if err := s.Decrypt(); err != nil {
		t.Fatal(err)
	}
	wantRecord(t, s, "sealed", "written encrypted")
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = reopen("")
	defer s.Close()
	if s.Encrypted() {
		t.Fatal("still encrypted")
	}
	wantRecord(t, s, "layer", "plain layer")
	wantRecord(t, s, "sealed", "written encrypted")
	raw, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(raw, []byte("written encrypted")) {
		t.Errorf("after Decrypt the record is not stored plain (%v)", err)
	}
}

func TestRecords_BackupAndRestoreCarryThem(t *testing.T) {
	for _, pass := range []string{"", "correct horse"} {
		t.Run(map[bool]string{true: "plain", false: "encrypted"}[pass == ""], func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), storage.FileName)
			var p []byte
			if pass != "" {
				p = []byte(pass)
			}
			s, err := storage.Create(path, p, fastKDF)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.PutRecord(ctx, "layer", []byte("as backed up")); err != nil {
				t.Fatal(err)
			}
			backup := filepath.Join(t.TempDir(), "backup.db")
			if err := s.Backup(backup); err != nil {
				t.Fatal(err)
			}
			if err := s.PutRecord(ctx, "layer", []byte("after the backup")); err != nil {
				t.Fatal(err)
			}
			if err := s.PutRecord(ctx, "later", []byte("made after the backup")); err != nil {
				t.Fatal(err)
			}

			// The backup itself holds the record.
			b, err := storage.Open(backup, storage.Options{ReadOnly: true, Passphrase: p})
			if err != nil {
				t.Fatal(err)
			}
			wantRecord(t, b, "layer", "as backed up")
			b.Close()

			kept, err := s.Restore(backup, p)
			if err != nil {
				t.Fatal(err)
			}
			wantRecord(t, s, "layer", "as backed up")
			wantNoRecord(t, s, "later")
			if err := s.PutRecord(ctx, "layer", []byte("after the restore")); err != nil {
				t.Fatal(err)
			}
			wantRecord(t, s, "layer", "after the restore")

			k, err := storage.Open(kept, storage.Options{ReadOnly: true, Passphrase: p})
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			wantRecord(t, k, "layer", "after the backup")
			wantRecord(t, k, "later", "made after the backup")
		})
	}
}

// writeSchema2 turns the new journal at path into one as schema 2 wrote it:
// the same buckets but records, and the version 2.
func writeSchema2(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("records")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("2"))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigration_FromSchema2AddsRecords(t *testing.T) {
	for _, pass := range []string{"", "pw"} {
		t.Run(map[bool]string{true: "plain", false: "encrypted"}[pass == ""], func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			path := filepath.Join(dir, storage.FileName)
			var p []byte
			if pass != "" {
				p = []byte(pass)
			}
			s, err := storage.Create(path, p, fastKDF)
			if err != nil {
				t.Fatal(err)
			}
			e, audio := markerEntry("qzxschematwo", time.Now())
			if err := s.PutWithAudio(ctx, e, audio); err != nil {
				t.Fatal(err)
			}
			s.Close()
			writeSchema2(t, path)
			backup := filepath.Join(t.TempDir(), "schema2.db")
			if err := os.WriteFile(backup, must(os.ReadFile(path)), 0o600); err != nil {
				t.Fatal(err)
			}

			// A reader cannot upgrade it; Inspect, which SAMO's status runs
			// before any window has opened the journal, upgrades it.
			if _, err := storage.Open(path, storage.Options{ReadOnly: true, Passphrase: p}); !errors.Is(err, storage.ErrNeedsUpgrade) {
				t.Fatalf("read-only open of a schema-2 journal: %v, want ErrNeedsUpgrade", err)
			}
			st, err := storage.Inspect(ctx, path, p)
			if err != nil || st.Entries != 1 || st.Encrypted != (pass != "") {
				t.Fatalf("Inspect of a schema-2 journal = %+v, %v", st, err)
			}

			s, err = storage.Open(path, storage.Options{Passphrase: p})
			if err != nil {
				t.Fatalf("open a schema-2 journal: %v", err)
			}
			defer s.Close()
			if got, err := s.Get(ctx, e.ID); err != nil || got.Text != e.Text {
				t.Fatalf("the entry after the upgrade = %+v, %v", got, err)
			}
			wantNoRecord(t, s, "layer")
			if err := s.PutRecord(ctx, "layer", []byte("qzxrecordafterupgrade")); err != nil {
				t.Fatal(err)
			}
			wantRecord(t, s, "layer", "qzxrecordafterupgrade")
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			if pass != "" {
				raw := must(os.ReadFile(path))
				if bytes.Contains(raw, []byte("qzxrecordafterupgrade")) {
					t.Error("the record is plain in the upgraded encrypted journal")
				}
			}

			// A schema-2 backup restores into a journal with records.
			if _, err := s.Restore(backup, p); err != nil {
				t.Fatal(err)
			}
			wantNoRecord(t, s, "layer")
			if err := s.PutRecord(ctx, "layer", []byte("after restoring an old backup")); err != nil {
				t.Fatal(err)
			}
			wantRecord(t, s, "layer", "after restoring an old backup")
		})
	}
}

// A journal claiming the new schema but without its records bucket is
// damaged, and says so rather than panicking.
func TestRecords_MissingBucketIsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("records")) })
	db.Close()
	s, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.PutRecord(ctx, "layer", []byte("x")); !errors.Is(err, storage.ErrDamaged) {
		t.Errorf("put: %v, want ErrDamaged", err)
	}
	if _, err := s.Record(ctx, "layer"); !errors.Is(err, storage.ErrDamaged) {
		t.Errorf("get: %v, want ErrDamaged", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
