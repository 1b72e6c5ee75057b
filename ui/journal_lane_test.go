package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// An entry open in the journal is a tap from Memory Lane: "Like this…"
// shows it there, with what was written on its day in earlier years and
// the entries like it.
func TestJournal_OpenEntryInMemoryLane(t *testing.T) {
	svc := laneService(t)
	// An hour ago, and a year before that: the same calendar day, even in
	// the first hour after midnight.
	at := time.Now().Add(-time.Hour)
	now := at.Add(time.Hour)
	before := addAt(t, svc, "Lost the keys again, grief", at.AddDate(-1, 0, 0))
	e := addAt(t, svc, "Locked out, sat on the step", at)
	addAt(t, svc, "Joy at the concert", now.AddDate(0, 0, -3))
	sh, _ := newTestShell(t, svc)
	waitIdle(t, sh)
	sh.journal.open(e.ID)
	waitIdle(t, sh)
	if !sh.journal.inLane.Visible() {
		t.Fatal("no Like this… button on an open entry")
	}
	test.Tap(sh.journal.inLane)
	waitIdle(t, sh)
	l := sh.lane
	if sh.tabs.Selected() != sh.laneTab || l.opened == nil || l.opened.ID != e.ID {
		t.Fatalf("Memory Lane shows %v on tab %q, want the entry", l.opened, sh.tabs.Selected().Text)
	}
	if !strings.Contains(strings.Join(texts(l.memories), " "), "1 year ago") {
		t.Errorf("On This Day from the entry's day: %q", texts(l.memories))
	}
	test.Tap(l.likeThis)
	waitIdle(t, sh)
	if rs := results(l); len(rs) == 0 || !contains(rs[0], "Lost the keys") {
		t.Errorf("entries like it: %q, want the one written a year before first (%s)", rs, before.ID)
	}
}
