package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/journal"
)

func listJSON(t *testing.T, env []string, home string) []journal.Entry {
	t.Helper()
	r := mustSucceed(t, samo(t, "", env, "--home", home, "list", "--json"))
	var es []journal.Entry
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil {
		t.Fatalf("list --json: %v\n%s", err, r.stdout)
	}
	return es
}

func TestCLI_AddAtEditDelete(t *testing.T) {
	home := t.TempDir()
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "add", "--at", "2026-03-01T21:30:00+01:00", "--tag", "travel,home", "Back from the trip."))
	id := strings.TrimSpace(strings.TrimPrefix(r.stdout, "saved "))
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "a newer entry"))

	es := listJSON(t, nil, home)
	if len(es) != 2 || es[1].ID != id {
		t.Fatalf("entries = %+v", es)
	}
	old := es[1]
	if old.Created.Format("2006-01-02 15:04 -07:00") != "2026-03-01 21:30 +01:00" || strings.Join(old.Tags, ",") != "travel,home" {
		t.Errorf("back-dated entry = %+v", old)
	}

	mustSucceed(t, samo(t, "Back from the trip, tired and happy.\n", nil, "--home", home, "edit", id, "-"))
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "show", id, "--json"))
	var e journal.Entry
	json.Unmarshal([]byte(r.stdout), &e)
	if e.Text != "Back from the trip, tired and happy.\n" || !e.Created.Equal(old.Created) || !e.Updated.After(e.Created) {
		t.Errorf("edited entry = %+v", e)
	}

	mustSucceed(t, samo(t, "", nil, "--home", home, "delete", id))
	if es := listJSON(t, nil, home); len(es) != 1 || es[0].Text != "a newer entry" {
		t.Errorf("after delete: %+v", es)
	}
	if r := samo(t, "", nil, "--home", home, "add", "--at", "yesterday-ish", "x"); r.code == 0 || !strings.Contains(r.stderr, "cannot read the time") {
		t.Errorf("bad --at: exit %d, %q", r.code, r.stderr)
	}
}

func TestCLI_EncryptedJournalLifecycle(t *testing.T) {
	home := t.TempDir()
	pass := []string{"SAMO_NEW_PASSPHRASE=first secret"}
	mustSucceed(t, samo(t, "", pass, "--home", home, "init", "--encrypt"))
	if r := samo(t, "", nil, "--home", home, "init"); r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("second init: exit %d, %q", r.code, r.stderr)
	}

	unlock := []string{"SAMO_PASSPHRASE=first secret"}
	mustSucceed(t, samo(t, "", unlock, "--home", home, "add", "zqmarker hidden thought"))
	raw, _ := os.ReadFile(filepath.Join(home, "journal.db"))
	if strings.Contains(string(raw), "zqmarker") {
		t.Fatal("the entry's text is in the journal file in plain")
	}

	// Without or with a wrong passphrase: a clear error, nothing changed.
	r := samo(t, "", nil, "--home", home, "list")
	if r.code == 0 || !strings.Contains(r.stderr, "SAMO_PASSPHRASE") {
		t.Errorf("no passphrase: exit %d, %q", r.code, r.stderr)
	}
	r = samo(t, "", []string{"SAMO_PASSPHRASE=wrong"}, "--home", home, "list")
	if r.code == 0 || !strings.Contains(r.stderr, "wrong passphrase") {
		t.Errorf("wrong passphrase: exit %d, %q", r.code, r.stderr)
	}

	// Change the passphrase, from a file this time.
	newFile := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(newFile, []byte("second secret\n"), 0o600)
	mustSucceed(t, samo(t, "", unlock, "--home", home, "passphrase", "--new-passphrase-file", newFile))
	if r := samo(t, "", unlock, "--home", home, "list"); r.code == 0 {
		t.Error("the old passphrase still unlocks")
	}
	if es := listJSON(t, []string{"SAMO_PASSPHRASE=second secret"}, home); len(es) != 1 || es[0].Text != "zqmarker hidden thought" {
		t.Errorf("after the change: %+v", es)
	}

	// Doctor sees an encrypted journal without unlocking it.
	r = samo(t, "", nil, "--home", home, "doctor", "--json")
	var rep engine.Report
	json.Unmarshal([]byte(r.stdout), &rep)
	if !rep.Journal.Encrypted || !rep.Journal.Locked {
		t.Errorf("doctor journal = %+v", rep.Journal)
	}

	// Decrypt, then encrypt again in place.
	mustSucceed(t, samo(t, "", nil, "--home", home, "--passphrase-file", newFile, "decrypt"))
	if es := listJSON(t, nil, home); len(es) != 1 {
		t.Errorf("after decrypt: %+v", es)
	}
	mustSucceed(t, samo(t, "", []string{"SAMO_NEW_PASSPHRASE=third"}, "--home", home, "encrypt"))
	if r := samo(t, "", nil, "--home", home, "list"); r.code == 0 {
		t.Error("re-encrypted journal opened without a passphrase")
	}
}

func TestCLI_BackupAndRestore(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "in the backup"))
	backup := filepath.Join(t.TempDir(), "journal-backup.db")
	mustSucceed(t, samo(t, "", nil, "--home", home, "backup", backup))
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "after the backup"))

	r := mustSucceed(t, samo(t, "", nil, "--home", home, "restore", backup))
	if !strings.Contains(r.stdout, "kept as") {
		t.Errorf("restore did not say where the replaced journal went: %s", r.stdout)
	}
	if es := listJSON(t, nil, home); len(es) != 1 || es[0].Text != "in the backup" {
		t.Errorf("after restore: %+v", es)
	}
	kept, _ := filepath.Glob(filepath.Join(home, "journal.db.before-restore-*"))
	if len(kept) != 1 {
		t.Fatalf("kept journals: %v", kept)
	}

	// Onto a new machine: a journal folder that does not exist yet.
	newHome := filepath.Join(t.TempDir(), "new", "home")
	r = mustSucceed(t, samo(t, "", nil, "--home", newHome, "restore", backup))
	if strings.Contains(r.stdout, "kept as") {
		t.Errorf("restore into an empty folder claims to keep a journal: %s", r.stdout)
	}
	if es := listJSON(t, nil, newHome); len(es) != 1 || es[0].Text != "in the backup" {
		t.Errorf("restored onto a new home: %+v", es)
	}

	bad := filepath.Join(t.TempDir(), "not-a-backup.db")
	os.WriteFile(bad, []byte(strings.Repeat("junk", 5000)), 0o600)
	if r := samo(t, "", nil, "--home", home, "restore", bad); r.code == 0 || !strings.Contains(r.stderr, "not a usable backup") {
		t.Errorf("restore from junk: exit %d, %q", r.code, r.stderr)
	}
	if es := listJSON(t, nil, home); len(es) != 1 {
		t.Errorf("a refused restore changed the journal: %+v", es)
	}
}

func TestCLI_DamagedJournal(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "journal.db")
	junk := []byte(strings.Repeat("this is not a journal ", 1000))
	os.WriteFile(path, junk, 0o600)
	r := samo(t, "", nil, "--home", home, "list")
	if r.code == 0 || !strings.Contains(r.stderr, "damaged") || !strings.Contains(r.stderr, "samo restore") {
		t.Errorf("damaged journal: exit %d, %q", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(path); string(after) != string(junk) {
		t.Error("the damaged file was changed")
	}
}
