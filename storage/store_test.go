package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// mustOpen opens a journal in a fresh temporary folder; its cleanup runs
// bbolt's consistency check and closes it.
func mustOpen(t testing.TB) *storage.Store {
	t.Helper()
	s, err := storage.Open(filepath.Join(t.TempDir(), storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Errorf("consistency check: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func entryAt(at time.Time, text string) journal.Entry {
	return journal.Entry{ID: ulid.MustNew(ulid.Timestamp(at), ulid.DefaultEntropy()).String(), Created: at, Updated: at, Text: text}
}

func TestStore_PutGet(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	zone := time.FixedZone("NZDT", 13*3600)
	e := entryAt(time.Date(2026, 11, 25, 21, 30, 0, 123456789, zone), "Ça va 🙂\nsecond line")
	if err := s.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != e.ID || got.Text != e.Text || !got.Created.Equal(e.Created) || !got.Updated.Equal(e.Updated) {
		t.Errorf("got %+v, want %+v", got, e)
	}
	if _, off := got.Created.Zone(); off != 13*3600 {
		t.Errorf("zone offset = %d, want the writer's +13:00 kept", off)
	}
	if _, err := s.Get(ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV"); !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("missing entry: err = %v, want ErrNotFound", err)
	}
}

func TestStore_ListNewestFirstInPages(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	base := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 25 {
		e := entryAt(base.Add(time.Duration(i)*time.Hour), fmt.Sprintf("entry %02d", i))
		if err := s.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	var got []string
	before := ""
	// Bounded: a store that pages the wrong way round would loop forever.
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatalf("still paging after %d pages of 10 for 25 entries: %v", pages, got)
		}
		page, err := s.List(ctx, journal.Query{Limit: 10, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 10 {
			t.Fatalf("page of %d, limit 10", len(page))
		}
		for _, e := range page {
			got = append(got, e.ID)
		}
		before = page[len(page)-1].ID
	}
	if len(got) != len(ids) {
		t.Fatalf("paged through %d entries, want %d", len(got), len(ids))
	}
	for i := range got {
		if want := ids[len(ids)-1-i]; got[i] != want {
			t.Fatalf("position %d: %s, want %s (newest first)", i, got[i], want)
		}
	}
	if n, err := s.Count(ctx); err != nil || n != 25 {
		t.Errorf("count = %d, %v; want 25", n, err)
	}
	// A time range: [10:00 on entry 5's hour, entry 10's hour + 1 minute).
	page, err := s.List(ctx, journal.Query{From: base.Add(5 * time.Hour), To: base.Add(10*time.Hour + time.Minute)})
	if err != nil || len(page) != 6 || page[0].ID != ids[10] || page[5].ID != ids[5] {
		t.Errorf("List(range 5..10) = %d entries, %v; want entries 10 down to 5", len(page), err)
	}
}

func TestStore_ReopenKeepsEntries(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := entryAt(time.Now(), "still here after a restart")
	if err := s.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Get(ctx, e.ID); err != nil || got.Text != e.Text {
		t.Errorf("after reopen: %+v, %v", got, err)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

func TestOpen_SecondOpenerGetsLockedQuickly(t *testing.T) {
	path := filepath.Join(t.TempDir(), storage.FileName)
	first, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()

	start := time.Now()
	second, err := storage.Open(path, storage.Options{Timeout: 200 * time.Millisecond})
	waited := time.Since(start)
	if err == nil {
		second.Close()
		t.Fatal("a second writer opened a journal that is already open")
	}
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	// Not a timing assertion: a hang would never return at all; this only
	// checks the timeout given was the one used, with generous slack.
	if waited > 10*time.Second {
		t.Errorf("waited %v for a 200ms timeout", waited)
	}
}

func TestOpen_DamagedFileIsRefusedAndUntouched(t *testing.T) {
	tests := map[string][]byte{
		"garbage":   bytes.Repeat([]byte("not a journal "), 2000),
		"truncated": nil, // filled below from a real journal cut short
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s, err := storage.Open(good, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Put(context.Background(), entryAt(time.Now(), "x"))
	s.Close()
	b, _ := os.ReadFile(good)
	tests["truncated"] = b[:1000]

	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := storage.Open(path, storage.Options{})
			if err == nil {
				s.Close()
				t.Fatal("a damaged journal was opened")
			}
			if !errors.Is(err, storage.ErrDamaged) {
				t.Errorf("err = %v, want ErrDamaged", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, content) {
				t.Error("opening a damaged journal changed the file")
			}
		})
	}
}

func TestOpen_NewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), storage.FileName)
	if err := storage.WriteSchemaVersionForTest(path, storage.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(path, storage.Options{})
	if err == nil {
		s.Close()
		t.Fatal("opened a journal from a newer SAMO")
	}
	if !errors.Is(err, storage.ErrNewerSchema) {
		t.Errorf("err = %v, want ErrNewerSchema", err)
	}
}

func TestStore_BackupWhileSaving(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	for i := range 50 {
		s.Put(ctx, entryAt(time.Now(), fmt.Sprintf("before %d", i)))
	}
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			if err := s.Put(ctx, entryAt(time.Now(), fmt.Sprintf("during %d", n))); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	backup := filepath.Join(t.TempDir(), "backup.db")
	time.Sleep(20 * time.Millisecond)
	err := s.Backup(backup)
	close(stop)
	written := <-done
	if err != nil {
		t.Fatal(err)
	}
	b, err := storage.Open(backup, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	n, _ := b.Count(ctx)
	if n < 50 || n > 50+written {
		t.Errorf("backup holds %d entries; 50 before, %d written during", n, written)
	}
	if _, err := os.Stat(backup + ".partial"); !os.IsNotExist(err) {
		t.Error("a partial backup file was left behind")
	}
}
