package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

func TestShell_OpensOnTheScreenAsked(t *testing.T) {
	for _, tt := range []struct {
		name     string
		settings bool
		notice   string
	}{
		{"", false, ""},
		{"journal", false, ""},
		{"settings", true, ""},
		{"memory-lane", false, `no screen called "memory-lane"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sh, w := newTestShell(t, journal.NewService(journaltest.NewMemStore()), WithScreen(tt.name))
			waitIdle(t, sh)
			if got := sh.tabs.Selected() == sh.settingsTab; got != tt.settings {
				t.Errorf("opened on %q", sh.tabs.Selected().Text)
			}
			if tt.notice != "" && !contains(shownLabels(w), tt.notice) {
				t.Errorf("no notice says %q; labels %q", tt.notice, shownLabels(w))
			}
		})
	}
}

// notices are the texts of the notice bar.
func notices(sh *shell) []string {
	var out []string
	for _, o := range test.LaidOutObjects(sh.notices) {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return out
}

// The notice bar shows what the Service says a person should know: the
// notices given before the window opened, then each as it comes, the
// latest few at most, each until it is closed.
func TestShell_NoticeBar(t *testing.T) {
	n := journal.NewNotices()
	n.Notify("the emotion model could not be loaded (bad file); entries are saved without emotions")
	sh, _ := newTestShell(t, journal.NewService(journaltest.NewMemStore(), journal.WithNotices(n)))
	if got := notices(sh); len(got) != 1 || !strings.Contains(got[0], "could not be loaded") {
		t.Fatalf("notices at open: %q", got)
	}
	n.Notify("a transcript was set aside")
	if got := notices(sh); len(got) != 2 || !strings.Contains(got[1], "set aside") {
		t.Fatalf("notices: %q", got)
	}
	for _, o := range test.LaidOutObjects(sh.notices.Objects[0]) {
		if b, ok := o.(*widget.Button); ok {
			test.Tap(b)
		}
	}
	if got := notices(sh); len(got) != 1 || !strings.Contains(got[0], "set aside") {
		t.Fatalf("after closing the first: %q", got)
	}
	for i := range 5 {
		n.Notify(fmt.Sprintf("notice %d", i))
	}
	if got := notices(sh); len(got) != keptNotices || !strings.HasSuffix(got[keptNotices-1], "notice 4") {
		t.Errorf("after many: %q, want the latest %d", got, keptNotices)
	}
}

// A reading that fails reaches the window, as it reaches the terminal.
func TestShell_FailedReadingIsShown(t *testing.T) {
	store := journaltest.NewMemStore()
	sh, w := newTestShell(t, journal.NewService(store, journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1", Fail: "xyzzy"})))
	test.Type(sh.journal.editor, "xyzzy, said the cave")
	save(t, sh.journal)
	if n, _ := store.Count(context.Background()); n != 1 {
		t.Fatalf("%d entries: the entry must be saved without its emotions", n)
	}
	if !contains(shownLabels(w), "analyzer refuses this text") {
		t.Errorf("the failed reading is not shown; labels %q", shownLabels(w))
	}
}

// typeShortcut presses a shortcut on the window (nothing focused).
func typeShortcut(w fyne.Window, s fyne.Shortcut) {
	w.Canvas().Unfocus()
	w.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

func TestShell_Shortcuts(t *testing.T) {
	store := journaltest.NewMemStore()
	v := &memVoice{dir: t.TempDir()}
	sh, w := newTestShell(t, journal.NewService(store, journal.WithSpeech(journaltest.PCMDecoder{}, waiting())), WithVoice(v))
	j := sh.journal

	typeShortcut(w, settingsShortcut)
	waitIdle(t, sh)
	if sh.tabs.Selected() != sh.settingsTab {
		t.Fatal("Ctrl+, does not open the settings")
	}
	typeShortcut(w, journalShortcut)
	if sh.tabs.Selected() != sh.journalTab || w.Canvas().Focused() != j.editor {
		t.Fatal("Ctrl+1 does not open the journal, ready to type")
	}

	test.Type(j.editor, "kept by Ctrl+S")
	waitSettled(t, sh, func() { typeShortcut(w, saveShortcut) })
	if n, _ := store.Count(context.Background()); n != 1 || j.dirty() {
		t.Fatalf("Ctrl+S on the window saved %d entries", n)
	}

	typeShortcut(w, settingsShortcut)
	waitIdle(t, sh)
	j.editor.SetText("kept by Ctrl+N") // the open entry, changed
	id := j.current
	waitSettled(t, sh, func() { typeShortcut(w, newShortcut) })
	e, _ := store.Get(context.Background(), id)
	if e.Text != "kept by Ctrl+N" || sh.tabs.Selected() != sh.journalTab || j.current != "" || j.editor.Text != "" {
		t.Fatalf("Ctrl+N from the settings: entry %q, open %q, editor %q", e.Text, j.current, j.editor.Text)
	}

	// In the editor, which keeps the keyboard.
	w.Canvas().Focus(j.editor)
	j.editor.TypedShortcut(recordShortcut)
	if v.count() != 1 || !j.recorder.content.Visible() {
		t.Fatal("Ctrl+R in the editor does not record")
	}
	v.take(0).speak(10)
	waitSettled(t, sh, func() { j.editor.TypedShortcut(recordShortcut) })
	if n, _ := store.Count(context.Background()); n != 2 {
		t.Fatalf("the second Ctrl+R saved %d entries in all, want 2", n)
	}
	j.editor.TypedShortcut(settingsShortcut)
	waitIdle(t, sh)
	if sh.tabs.Selected() != sh.settingsTab {
		t.Error("Ctrl+, in the editor does not open the settings")
	}
}

// The window opens at the size it had when it last closed.
func TestShell_WindowSizeRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	svc := journal.NewService(journaltest.NewMemStore(), withSettings(t))
	if err := svc.ChangeSettings(func(s *journal.Settings) { s.WindowWidth, s.WindowHeight = 700, 500 }); err != nil {
		t.Fatal(err)
	}
	sh, w := newTestShellIn(t, a, svc)
	if got := w.Canvas().Size(); got != fyne.NewSize(700, 500) {
		t.Errorf("opened at %v, want 700×500", got)
	}
	w.Resize(fyne.NewSize(820, 610))
	sh.onClose()
	if st, _ := svc.Settings(); st.WindowWidth != 820 || st.WindowHeight != 610 {
		t.Errorf("saved size %v×%v, want 820×610", st.WindowWidth, st.WindowHeight)
	}
}
