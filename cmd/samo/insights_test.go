package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
	"github.com/samojournal/samo/journal/transfer"
	"github.com/samojournal/samo/ui"
)

// moodHome imports a synthetic journal of the last days (ending today),
// with a sadness shift planted 100 days ago and "hospital" going with
// sadness, into a new journal folder.
func moodHome(t *testing.T, days int) string {
	t.Helper()
	y, m, d := time.Now().Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, time.Local).AddDate(0, 0, 1-days)
	es := journaltest.MoodEntries(journaltest.MoodPlan{Start: start, Days: days, Seed: 11, Written: 0.7,
		Shift: &journaltest.PlantedShift{Label: "sadness", Day: days - 100, By: 0.15},
		Word:  &journaltest.PlantedWord{Word: "hospital", Label: "sadness"}})
	return homeWith(t, es)
}

// homeWith imports entries (as a SAMO JSON export) into a new journal
// folder and returns it.
func homeWith(t *testing.T, es []journal.Entry) string {
	t.Helper()
	home := t.TempDir()
	items := make([]journal.Exported, len(es))
	for i, e := range es {
		items[i] = journal.Exported{Entry: e}
	}
	path := filepath.Join(t.TempDir(), "entries.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := transfer.WriteJSON(f, transfer.FromSlice(items)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "import", path))
	return home
}

func TestCLI_InsightsAndCharts(t *testing.T) {
	home := moodHome(t, 300)
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "insights", "--range", "all", "--json"))
	var in journal.Insights
	if err := json.Unmarshal([]byte(r.stdout), &in); err != nil {
		t.Fatalf("insights --json: %v\n%s", err, r.stdout)
	}
	if in.Entries < 100 || in.By != journal.Week || len(in.Periods) < 43 {
		t.Errorf("insights over 300 days: %d entries by %s in %d periods", in.Entries, in.By, len(in.Periods))
	}
	shift := false
	for _, p := range in.Patterns {
		shift = shift || p.Kind == "shift" && p.Series == "sadness" && len(p.Evidence) > 0
	}
	if !shift {
		t.Errorf("the planted sadness shift is not among the patterns: %+v", in.Patterns)
	}
	if len(in.Words) == 0 || in.Words[0].Word != "hospital" {
		t.Errorf("words: %+v, want hospital first", in.Words)
	}

	r = mustSucceed(t, samo(t, "", nil, "--home", home, "insights", "--range", "all"))
	for _, want := range []string{"entries on", "Valence by weekday", "Patterns:", "sadness", journal.PatternCaveat} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("insights text lacks %q:\n%s", want, r.stdout)
		}
	}

	dir := t.TempDir()
	for _, kind := range ui.ChartNames() {
		out := filepath.Join(dir, kind+".png")
		mustSucceed(t, samo(t, "", nil, "--home", home, "chart", kind, "--range", "all", "--out", out, "--scale", "1"))
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if b := img.Bounds(); b.Dx() != 900 || b.Dy() != 360 {
			t.Errorf("%s is %v, want 900×360", kind, b)
		}
	}
	for _, bad := range [][]string{
		{"chart", "pie", "--out", filepath.Join(dir, "x.png")},
		{"chart", "mix"},
		{"insights", "--range", "ninety"},
		{"insights", "--since", "2026-13"},
	} {
		r := samo(t, "", nil, append([]string{"--home", home}, bad...)...)
		if r.code == 0 || r.stderr == "" {
			t.Errorf("%v: exit %d, %q: want a clear error", bad, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.png")); !os.IsNotExist(err) {
		t.Errorf("a failed chart left a file behind (%v)", err)
	}
}
