package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
	"github.com/samojournal/samo/storage"
)

// richJournal writes a journal whose entries use every field, with audio.
func richJournal(t testing.TB, home string, n int) {
	t.Helper()
	st, err := storage.Open(filepath.Join(home, storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := time.Date(2026, 3, 1, 21, 30, 0, 0, time.FixedZone("CET", 3600))
	var batch []journal.Entry
	audio := map[string][]byte{}
	for i := range n {
		e, err := journal.Prepare(journal.Entry{
			Created: base.Add(time.Duration(i) * time.Hour),
			Zone:    "Europe/Paris",
			Text:    "Entry " + strings.Repeat("é", i%5) + " about the day, the river and my sister.",
			Tags:    []string{"river", "family"},
			Audio:   &journal.Audio{Format: "wav", SampleRate: 16000, Channels: 1, Duration: 2 * time.Second, Bytes: 64},
			Transcript: &journal.Transcript{Language: "en", Model: "whisper-test", Segments: []journal.Segment{
				{Start: 0, End: 1500 * time.Millisecond, Text: "about the day"}}},
			Emotions:    &journal.Emotions{Scores: scoresFor(i), Labels: []string{"joy", "relief"}, Model: "samo-emotions", Version: "1", At: base},
			Corrections: &journal.Corrections{Labels: []string{"gratitude"}, At: base},
			Embedding:   &journal.Embedding{Model: "glove-mean", Dim: 4, Vector: []float32{0.1, -0.2, 0.3, float32(i)}},
		}, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, e)
		audio[e.ID] = bytes.Repeat([]byte{byte(i), 0xAB}, 32)
	}
	if err := st.PutMany(context.Background(), batch, audio); err != nil {
		t.Fatal(err)
	}
}

func scoresFor(i int) []float32 {
	s := make([]float32, 28)
	for j := range s {
		s[j] = float32((i*7+j)%100) / 100
	}
	return s
}

// withoutStamp drops the export time so two exports can be compared.
func withoutStamp(t *testing.T, doc string) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	delete(v, "exported")
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCLI_ExportImportRoundTrip(t *testing.T) {
	home := t.TempDir()
	richJournal(t, home, 12)
	out := filepath.Join(t.TempDir(), "journal.json")
	mustSucceed(t, samo(t, "", nil, "--home", home, "export", "--format", "json", "--output", out))

	fresh := t.TempDir()
	r := mustSucceed(t, samo(t, "", nil, "--home", fresh, "import", out))
	if !strings.Contains(r.stdout, "imported 12 entries") {
		t.Errorf("import said %q", r.stdout)
	}
	again := mustSucceed(t, samo(t, "", nil, "--home", fresh, "export", "--format", "json"))
	first, _ := os.ReadFile(out)
	if withoutStamp(t, string(first)) != withoutStamp(t, again.stdout) {
		t.Fatal("export → import → export changed the journal")
	}
	// Every field came back, the recordings included.
	items, _, err := transfer.ReadJSON(strings.NewReader(again.stdout))
	if err != nil || len(items) != 12 {
		t.Fatalf("re-export: %d entries, %v", len(items), err)
	}
	last := items[11]
	if len(last.AudioData) != 64 || last.AudioData[0] != 11 || last.Embedding == nil || last.Embedding.Vector[3] != 11 ||
		last.Corrections == nil || last.Transcript == nil || last.Zone != "Europe/Paris" {
		t.Errorf("re-imported entry lost fields: %+v", last)
	}
	if _, off := last.Created.Zone(); off != 3600 {
		t.Errorf("zone offset %d, want +01:00 kept", off)
	}

	// Importing again adds nothing.
	r = mustSucceed(t, samo(t, "", nil, "--home", fresh, "import", out))
	if !strings.Contains(r.stdout, "imported 0 entries") || !strings.Contains(r.stdout, "12 already in the journal") {
		t.Errorf("second import said %q", r.stdout)
	}
}

func TestCLI_ExportMarkdownAndCSV(t *testing.T) {
	home := t.TempDir()
	richJournal(t, home, 3)
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "export", "--format", "markdown"))
	if !strings.Contains(r.stdout, "about the day, the river") || !strings.Contains(r.stdout, "March 2026") {
		t.Errorf("markdown:\n%s", r.stdout)
	}
	dir := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "export", "--format", "markdown", "--split", "--output", dir))
	if files, _ := filepath.Glob(filepath.Join(dir, "*.md")); len(files) != 3 {
		t.Errorf("split markdown wrote %d files, want 3", len(files))
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "export", "--format", "csv"))
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 4 || len(rows[0]) != 2+28+2 || rows[0][2] != "admiration" {
		t.Fatalf("csv: %v\n%s", err, r.stdout)
	}
}

func TestCLI_ImportJrnlAndDayOne(t *testing.T) {
	for _, tt := range []struct{ file, format string }{
		{"jrnl.json", "jrnl"},
		{"dayone.json", "dayone"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			home := t.TempDir()
			src := filepath.Join("..", "..", "journal", "transfer", "testdata", tt.file)
			r := mustSucceed(t, samo(t, "", nil, "--home", home, "import", src))
			if !strings.Contains(r.stdout, "("+tt.format+")") {
				t.Errorf("format not detected: %q", r.stdout)
			}
			es := listJSON(t, nil, home)
			if len(es) == 0 {
				t.Fatal("nothing imported")
			}
			for _, e := range es {
				if e.Text == "" || e.ID == "" {
					t.Errorf("imported entry %+v", e)
				}
			}
		})
	}
	home := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"entries": [{"date": "2023-13-01", "time": "10:00", "title": "x", "body": ""}]}`), 0o600)
	if r := samo(t, "", nil, "--home", home, "import", "--format", "jrnl", bad); r.code == 0 || !strings.Contains(r.stderr, "2023-13-01") {
		t.Errorf("bad jrnl date: exit %d, %q", r.code, r.stderr)
	}
	if es := listJSON(t, nil, home); len(es) != 0 {
		t.Errorf("a failed import saved %d entries", len(es))
	}
}
