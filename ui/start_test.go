package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// diskOpener opens a real journal file in a temporary folder, with fast
// key-derivation parameters.
type diskOpener struct {
	path string
	st   *storage.Store
}

func (o *diskOpener) Exists() bool { _, err := os.Stat(o.path); return err == nil }

func (o *diskOpener) Open(pass []byte) (*journal.Service, error) {
	st, err := storage.Open(o.path, storage.Options{Passphrase: pass})
	if err != nil {
		return nil, err
	}
	o.st = st
	return journal.NewService(st), nil
}

func (o *diskOpener) Create(pass []byte) (*journal.Service, error) {
	st, err := storage.Create(o.path, pass, storage.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1})
	if err != nil {
		return nil, err
	}
	o.st = st
	return journal.NewService(st), nil
}

func (o *diskOpener) NeedsPassphrase(err error) bool {
	return errors.Is(err, storage.ErrPassphraseRequired) || errors.Is(err, storage.ErrWrongPassphrase)
}

func (o *diskOpener) close() {
	if o.st != nil {
		o.st.Close()
		o.st = nil
	}
}

// tapAndWait taps the gate's button and waits for its background work
// (key derivation runs off the UI goroutine) to show its result.
func tapAndWait(t *testing.T, g *Gate) {
	t.Helper()
	done := make(chan struct{}, 1)
	g.settled = func() { done <- struct{}{} }
	test.Tap(g.action)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the gate's work did not finish")
	}
}

func TestGate_CreateEncryptedJournalThenUnlock(t *testing.T) {
	a := test.NewTempApp(t)
	o := &diskOpener{path: filepath.Join(t.TempDir(), storage.FileName)}
	defer o.close()

	w := a.NewWindow("SAMO")
	g := Start(a, w, o)
	if g.protect == nil || !g.protect.Checked {
		t.Fatal("a new journal should offer a passphrase, ticked by default")
	}
	test.Type(g.pass, "river stones")
	test.Type(g.repeat, "river stone")
	test.Tap(g.action)
	if g.message.Text != "The two passphrases differ." || o.Exists() {
		t.Fatalf("mismatched passphrases: message %q, journal created: %v", g.message.Text, o.Exists())
	}
	test.Type(g.repeat, "s")
	tapAndWait(t, g)
	if g.Journal == nil {
		t.Fatalf("the journal did not open: %q", g.message.Text)
	}

	test.Type(g.Journal.editor, "a secret thought")
	test.Tap(g.Journal.save)
	o.close()

	// Start again: the journal is encrypted, so SAMO asks to unlock it.
	w2 := a.NewWindow("SAMO")
	g2 := Start(a, w2, o)
	if g2.Journal != nil || g2.pass == nil {
		t.Fatal("an encrypted journal opened without its passphrase")
	}
	test.Type(g2.pass, "wrong")
	tapAndWait(t, g2)
	if g2.Journal != nil || g2.message.Text != "That passphrase does not unlock the journal." {
		t.Fatalf("wrong passphrase: journal %v, message %q", g2.Journal != nil, g2.message.Text)
	}
	test.Type(g2.pass, "river stones")
	tapAndWait(t, g2)
	if g2.Journal == nil {
		t.Fatalf("the right passphrase did not unlock: %q", g2.message.Text)
	}
	es, _ := o.st.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Text != "a secret thought" {
		t.Errorf("after unlocking: %+v", es)
	}
	if !o.st.Encrypted() {
		t.Error("the journal created with a passphrase is not encrypted")
	}
}

// createPlain goes through the welcome screen with the passphrase box
// unticked and returns the opened journal screen.
func createPlain(t *testing.T, a fyne.App, o *diskOpener) *Journal {
	t.Helper()
	g := Start(a, a.NewWindow("SAMO"), o)
	g.protect.SetChecked(false)
	tapAndWait(t, g)
	if g.Journal == nil {
		t.Fatalf("the journal did not open: %q", g.message.Text)
	}
	return g.Journal
}

func TestGate_PlainJournal(t *testing.T) {
	a := test.NewTempApp(t)
	o := &diskOpener{path: filepath.Join(t.TempDir(), storage.FileName)}
	defer o.close()
	createPlain(t, a, o)
	if o.st.Encrypted() {
		t.Error("encrypted although the box was unticked")
	}
	o.close()
	// A plain journal opens straight away next time.
	if g2 := Start(a, a.NewWindow("SAMO"), o); g2.Journal == nil {
		t.Error("a plain journal asked for a passphrase")
	}
}
