package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// A SAMO waiting for the journal while another one switches its encryption
// (which replaces the file) must write into the new file, not the old one.
func TestOpen_WaiterWritesToTheReplacedFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	a, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opened := make(chan *storage.Store)
	go func() {
		b, err := storage.Open(path, storage.Options{Timeout: 20 * time.Second, Passphrase: []byte("pw")})
		if err != nil {
			t.Error(err)
		}
		opened <- b
	}()
	time.Sleep(100 * time.Millisecond) // b is waiting for the lock
	if err := a.Encrypt([]byte("pw"), fastKDF); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b := <-opened
	if b == nil {
		t.FailNow()
	}
	e := entryAt(time.Now(), "saved by the process that waited")
	if err := b.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	b.Close()
	c, err := storage.Open(path, storage.Options{Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Get(ctx, e.ID); err != nil {
		t.Fatalf("the waiter's acknowledged save is lost: %v", err)
	}
}

// Saves made while the journal is being encrypted are all kept.
func TestEncrypt_ConcurrentSavesKept(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	for i := range 200 {
		s.Put(ctx, entryAt(time.Now(), "before"+string(rune('a'+i%26))))
	}
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			e := entryAt(time.Now(), "during the switch")
			if err := s.Put(ctx, e); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			acked = append(acked, e.ID)
			mu.Unlock()
		}
	}()
	time.Sleep(10 * time.Millisecond)
	if err := s.Encrypt([]byte("pw"), fastKDF); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	close(stop)
	wg.Wait()
	for _, id := range acked {
		if _, err := s.Get(ctx, id); err != nil {
			t.Fatalf("save %s acknowledged during Encrypt is lost: %v", id, err)
		}
	}
	t.Logf("%d saves during the switch, all kept", len(acked))
}

// A damaged entry is left out of the listing; deleting it is allowed, and
// leaves the journal whole and writable.
func TestDelete_DamagedEntry(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	good, bad := entryAt(time.Now(), "good"), entryAt(time.Now().Add(time.Second), "bad")
	s.Put(ctx, good)
	s.Put(ctx, bad)
	if err := storage.CorruptValueForTest(s, bad.ID); err != nil {
		t.Fatal(err)
	}
	if es, err := s.List(ctx, journal.Query{}); err != nil || len(es) != 1 || es[0].ID != good.ID {
		t.Fatalf("listing with a damaged entry: %d entries, %v; want the good one", len(es), err)
	}
	if got := s.Damaged(); len(got) != 1 || got[0] != bad.ID {
		t.Errorf("Damaged() = %v, want [%s]", got, bad.ID)
	}
	if err := s.Put(ctx, entryAt(time.Now(), "refused")); !errors.Is(err, storage.ErrDamaged) {
		t.Errorf("a save to a damaged journal: %v, want ErrDamaged", err)
	}
	if err := s.Delete(ctx, bad.ID); err != nil {
		t.Fatal(err)
	}
	es, err := s.List(ctx, journal.Query{})
	if err != nil || len(es) != 1 || es[0].ID != good.ID {
		t.Errorf("after deleting the damaged entry: %v, %v", es, err)
	}
	if err := s.Put(ctx, entryAt(time.Now(), "saved again")); err != nil {
		t.Errorf("a save once the damaged entry is deleted: %v", err)
	}
}

func TestRestore_RefusesEmptyAndForeignFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	s, _ := storage.Open(path, storage.Options{})
	s.Put(ctx, entryAt(time.Now(), "keep me"))
	s.Close()
	empty := filepath.Join(t.TempDir(), "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if _, err := storage.Restore(path, empty, storage.Options{}); err == nil {
		t.Fatal("restored from an empty file")
	}
	s, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.Count(ctx); n != 1 {
		t.Errorf("a refused restore left %d entries", n)
	}
}

func TestCreate_NeverReplacesAndLeavesNothingHalfMade(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	s, err := storage.Create(path, []byte("pw"), fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Encrypted() {
		t.Error("created without encryption")
	}
	s.Put(ctx, entryAt(time.Now(), "the first entry"))
	s.Close()
	if _, err := storage.Create(path, nil, storage.KDFParams{}); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	if _, err := storage.Open(path, storage.Options{}); !errors.Is(err, storage.ErrPassphraseRequired) {
		t.Errorf("the journal is not the encrypted one created first: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.creating-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A crash between re-sealing and compaction leaves old plaintext on free
// pages; the next open finishes the compaction.
func TestOpen_FinishesAnInterruptedEncryption(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), storage.FileName)
	s, _ := storage.Open(path, storage.Options{})
	s.Put(ctx, entryAt(time.Now(), "qzxpendingmarker"))
	if err := storage.EncryptWithoutCompactForTest(s, []byte("pw"), fastKDF); err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, _ := os.ReadFile(path)
	if !bytes.Contains(raw, []byte("qzxpendingmarker")) {
		t.Fatal("precondition: the interrupted switch should leave the old plaintext on a free page")
	}
	s, err := storage.Open(path, storage.Options{Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, _ = os.ReadFile(path)
	if bytes.Contains(raw, []byte("qzxpendingmarker")) {
		t.Error("plaintext from before the encryption is still in the file after reopening")
	}
}
