package storage_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

func TestStore_PutWithAStaleRevisionConflicts(t *testing.T) {
	tests := []struct {
		name                 string
		encrypted, withAudio bool
	}{
		{"Put", false, false},
		{"PutWithAudio", false, true},
		{"encrypted Put", true, false},
		{"encrypted PutWithAudio", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := mustOpen(t)
			if tt.encrypted {
				if err := s.Encrypt([]byte("correct horse"), fastKDF); err != nil {
					t.Fatal(err)
				}
			}
			put := func(e journal.Entry, audio string) error {
				if tt.withAudio {
					return s.PutWithAudio(ctx, e, []byte(audio))
				}
				return s.Put(ctx, e)
			}
			created := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
			e := entryAt(created, "first")
			if err := put(e, "audio one"); err != nil {
				t.Fatal(err)
			}
			first := mustGet(t, s, ctx, e.ID)
			if first.Revision != 1 {
				t.Fatalf("a new entry put at revision 0 is stored at %d, want 1", first.Revision)
			}
			changed := first
			changed.Text = "second"
			if err := put(changed, "audio two"); err != nil {
				t.Fatal(err)
			}
			if got := mustGet(t, s, ctx, e.ID); got.Revision != 2 || got.Text != "second" {
				t.Fatalf("after the change: revision %d, %q; want 2, %q", got.Revision, got.Text, "second")
			}

			// The stale copy also moves the entry in time: nothing of it may stick.
			stale := first
			stale.Text = "stale"
			stale.Created = created.Add(-48 * time.Hour)
			err := put(stale, "audio stale")
			if !errors.Is(err, journal.ErrConflict) {
				t.Fatalf("put at stale revision 1: err = %v, want ErrConflict", err)
			}
			if !strings.Contains(err.Error(), e.ID) {
				t.Errorf("the conflict %q does not name the entry %s", err, e.ID)
			}
			got := mustGet(t, s, ctx, e.ID)
			if got.Revision != 2 || got.Text != "second" || !got.Created.Equal(created) {
				t.Errorf("after the conflict: revision %d, %q, created %v; want the revision-2 entry unchanged", got.Revision, got.Text, got.Created)
			}
			if tt.withAudio {
				if a, err := s.Audio(ctx, e.ID); err != nil || !bytes.Equal(a, []byte("audio two")) {
					t.Errorf("audio after the conflict: %q, %v; want %q", a, err, "audio two")
				}
			}
			es, err := s.List(ctx, journal.Query{})
			if err != nil || len(es) != 1 || es[0].Text != "second" {
				t.Errorf("list after the conflict: %v, %v; want the one revision-2 entry", es, err)
			}
			// A copy that is not behind fails too: only the stored revision fits.
			ahead := got
			ahead.Revision = 5
			if err := put(ahead, "audio ahead"); !errors.Is(err, journal.ErrConflict) {
				t.Errorf("put at revision 5 over revision 2: err = %v, want ErrConflict", err)
			}

			got.Text = "third"
			if err := put(got, "audio three"); err != nil {
				t.Fatalf("put at the stored revision: %v", err)
			}
			if got := mustGet(t, s, ctx, e.ID); got.Revision != 3 || got.Text != "third" {
				t.Errorf("after a put at the stored revision: %d, %q; want 3, %q", got.Revision, got.Text, "third")
			}
		})
	}
}

// PutMany (imports) stores entries at the revisions they carry, without the
// check; an entry stored before revisions (at 0) takes a Put at revision 0.
func TestStore_PutManyKeepsRevisions(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	old, imported := entryAt(at, "from before revisions"), entryAt(at.Add(time.Hour), "imported")
	imported.Revision = 7
	if err := s.PutMany(ctx, []journal.Entry{old, imported}, nil); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, ctx, old.ID); got.Revision != 0 {
		t.Errorf("entry imported at revision 0 is stored at %d", got.Revision)
	}
	if got := mustGet(t, s, ctx, imported.ID); got.Revision != 7 {
		t.Errorf("entry imported at revision 7 is stored at %d", got.Revision)
	}
	if err := s.Put(ctx, old); err != nil {
		t.Errorf("put at revision 0 over an entry stored at 0: %v", err)
	}
	if got := mustGet(t, s, ctx, old.ID); got.Revision != 1 {
		t.Errorf("after the put: revision %d, want 1", got.Revision)
	}
	imported.Revision = 3
	if err := s.Put(ctx, imported); !errors.Is(err, journal.ErrConflict) {
		t.Errorf("put at revision 3 over revision 7: err = %v, want ErrConflict", err)
	}
	imported.Text = "imported again"
	if err := s.PutMany(ctx, []journal.Entry{imported}, nil); err != nil {
		t.Fatalf("PutMany checks revisions: %v", err)
	}
	if got := mustGet(t, s, ctx, imported.ID); got.Revision != 3 || got.Text != "imported again" {
		t.Errorf("after importing again: %d, %q", got.Revision, got.Text)
	}
}

// The revision is kept in the file: it survives closing the journal, plain
// and encrypted.
func TestStore_RevisionSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	for _, pass := range [][]byte{nil, []byte("pw")} {
		path := filepath.Join(t.TempDir(), storage.FileName)
		s, err := storage.Create(path, pass, fastKDF)
		if err != nil {
			t.Fatal(err)
		}
		e := entryAt(time.Now(), "saved twice")
		if err := s.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
		e.Revision = 1
		if err := s.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, err = storage.Open(path, storage.Options{Passphrase: pass, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, s, ctx, e.ID); got.Revision != 2 {
			t.Errorf("encrypted %v: revision %d after reopening, want 2", pass != nil, got.Revision)
		}
		s.Close()
	}
}

func mustGet(t testing.TB, s *storage.Store, ctx context.Context, id string) journal.Entry {
	t.Helper()
	e, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
