package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

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
	o := journaltest.NewMemOpener()

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
	if !g.Opened() {
		t.Fatalf("the journal did not open: %q", g.message.Text)
	}
	t.Cleanup(func() { waitIdle(t, g.shell) })

	test.Type(g.shell.journal.editor, "a secret thought")
	save(t, g.shell.journal)

	// Start again: the journal is encrypted, so SAMO asks to unlock it.
	w2 := a.NewWindow("SAMO")
	g2 := Start(a, w2, o)
	if g2.Opened() || g2.pass == nil {
		t.Fatal("an encrypted journal opened without its passphrase")
	}
	test.Type(g2.pass, "wrong")
	tapAndWait(t, g2)
	if g2.Opened() || g2.message.Text != "That passphrase does not unlock the journal." {
		t.Fatalf("wrong passphrase: journal %v, message %q", g2.Opened(), g2.message.Text)
	}
	test.Type(g2.pass, "river stones")
	tapAndWait(t, g2)
	if !g2.Opened() {
		t.Fatalf("the right passphrase did not unlock: %q", g2.message.Text)
	}
	es, _ := o.Store.List(context.Background(), journal.Query{})
	if len(es) != 1 || es[0].Text != "a secret thought" {
		t.Errorf("after unlocking: %+v", es)
	}
	if len(g2.shell.journal.entries) != 1 {
		t.Errorf("the unlocked window lists %d entries, want 1", len(g2.shell.journal.entries))
	}
	if !o.Store.Encrypted() || string(o.Store.Passphrase()) != "river stones" {
		t.Error("the journal created with a passphrase is not encrypted with it")
	}
}

// createPlain goes through the welcome screen with the passphrase box
// unticked and returns the opened window's shell.
func createPlain(t *testing.T, a fyne.App, o journal.Opener, opts ...Option) *shell {
	t.Helper()
	g := Start(a, a.NewWindow("SAMO"), o, opts...)
	g.protect.SetChecked(false)
	tapAndWait(t, g)
	if !g.Opened() {
		t.Fatalf("the journal did not open: %q", g.message.Text)
	}
	t.Cleanup(func() { waitIdle(t, g.shell) })
	return g.shell
}

func TestGate_PlainJournal(t *testing.T) {
	a := test.NewTempApp(t)
	o := journaltest.NewMemOpener()
	createPlain(t, a, o)
	if o.Store.Encrypted() {
		t.Error("encrypted although the box was unticked")
	}
	// A plain journal opens straight away next time.
	if g2 := Start(a, a.NewWindow("SAMO"), o); !g2.Opened() {
		t.Error("a plain journal asked for a passphrase")
	}
}
