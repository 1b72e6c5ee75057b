package transfer_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
)

// markdownEntries returns entries for the Markdown tests.
func markdownEntries(t *testing.T) []journal.Entry {
	paris := mustZone(t, "Europe/Paris")
	scores := make([]float32, len(journal.EmotionLabels))
	scores[15], scores[17], scores[20] = 0.65, 0.71, 0.4 // gratitude, joy, optimism
	said := "Woke up early and walked to the bakery."
	return []journal.Entry{
		{
			ID:      "01JDXK3Q9Z8Y7X6W5V4T3S2R1P",
			Created: time.Date(2026, 11, 25, 9, 41, 0, 0, paris),
			Zone:    "Europe/Paris",
			Text:    "Woke up early and walked  to the bakery.\n",
			Tags:    []string{"morning", "*bold*"},
			Transcript: &journal.Transcript{Segments: []journal.Segment{
				{Text: " Woke up early"}, {Text: " and walked to the bakery."},
			}},
			Emotions: &journal.Emotions{Scores: scores, Labels: []string{"optimism", "gratitude", "joy"}},
		},
		{
			ID:          "01JE1111111111111111111111",
			Created:     time.Date(2026, 11, 26, 22, 5, 0, 0, mustZone(t, "America/New_York")),
			Text:        "Edited after dictation.",
			Transcript:  &journal.Transcript{Segments: []journal.Segment{{Text: " Edited after the dictation, um."}}},
			Corrections: &journal.Corrections{Labels: []string{"relief"}},
		},
		{
			ID:      "01JE2222222222222222222222",
			Created: time.Date(2026, 12, 1, 7, 0, 0, 0, paris),
			Text:    said,
		},
	}
}

func TestWriteMarkdown_Content(t *testing.T) {
	var buf bytes.Buffer
	if err := transfer.WriteMarkdown(&buf, transfer.FromSlice(markdownEntries(t))); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	tests := []struct {
		name string
		want string
		not  bool
	}{
		{name: "title", want: "# SAMO journal\n"},
		{name: "heading", want: "\n## Wednesday 25 November 2026, 09:41\n\n"},
		{name: "heading in the entry's zone", want: "## Thursday 26 November 2026, 22:05\n"},
		{name: "tags escaped", want: `**Tags:** morning, \*bold\*` + "\n"},
		{name: "text", want: "\n\nWoke up early and walked  to the bakery.\n\n"},
		{name: "emotions strongest first", want: "**Emotions:** joy, gratitude, optimism\n"},
		{name: "own labels", want: "**My labels:** relief\n"},
		{name: "transcript that differs", want: "**Transcript:**\n\n> Edited after the dictation, um.\n"},
		{name: "transcript equal to the text", want: "> Woke up early", not: true},
		{name: "entry without tags", want: "## Tuesday 1 December 2026, 07:00\n\nWoke up early and walked to the bakery.\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(md, tc.want) == tc.not {
				t.Errorf("contains %q = %v, want %v; document:\n%s", tc.want, !tc.not, !tc.not, md)
			}
		})
	}
	if n := strings.Count(md, "\n## "); n != 3 {
		t.Errorf("%d entry headings, want 3", n)
	}
}

func TestWriteMarkdown_IteratorError(t *testing.T) {
	boom := errors.New("store failed")
	seq := func(yield func(journal.Entry, error) bool) { yield(journal.Entry{}, boom) }
	if err := transfer.WriteMarkdown(&bytes.Buffer{}, seq); !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "transfer: ") {
		t.Errorf("err = %v, want %v", err, boom)
	}
}

func TestWriteMarkdownFiles_Files(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	n, err := transfer.WriteMarkdownFiles(dir, transfer.FromSlice(markdownEntries(t)))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("wrote %d files, want 3", n)
	}
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range list {
		names = append(names, de.Name())
		info, err := de.Info()
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has permissions %v, want 0600", de.Name(), perm)
		}
	}
	want := []string{
		"2026-11-25-0941-01JDXK3Q9Z8Y7X6W5V4T3S2R1P.md",
		"2026-11-26-2205-01JE1111111111111111111111.md",
		"2026-12-01-0700-01JE2222222222222222222222.md",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("files = %q, want %q (and no temporary files)", names, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, want[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# Wednesday 25 November 2026, 09:41\n\n**Tags:** morning") {
		t.Errorf("file starts %.80q", b)
	}

	// Exporting again replaces the files.
	if _, err := transfer.WriteMarkdownFiles(dir, transfer.FromSlice(markdownEntries(t)[:1])); err != nil {
		t.Fatal(err)
	}
	if list, _ := os.ReadDir(dir); len(list) != 3 {
		t.Errorf("%d files after a second export, want 3", len(list))
	}
}

func TestWriteMarkdownFiles_Errors(t *testing.T) {
	tests := []struct {
		name    string
		entries []journal.Entry
		want    string
		written int
	}{
		{name: "no id", entries: []journal.Entry{{ID: "a", Text: "x"}, {Text: "y"}}, want: "no id to name its file", written: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			n, err := transfer.WriteMarkdownFiles(dir, transfer.FromSlice(tc.entries))
			checkError(t, errorCase{want: tc.want}, err)
			if n != tc.written {
				t.Errorf("wrote %d, want %d", n, tc.written)
			}
			list, _ := os.ReadDir(dir)
			if len(list) != tc.written {
				t.Errorf("%d files in the folder, want %d", len(list), tc.written)
			}
		})
	}
}

// TestWriteMarkdownFiles_OddIDs: an entry whose id is not a SAMO id (one
// imported before ids were checked) still gets a file, named inside the
// folder, short, and apart from the others.
func TestWriteMarkdownFiles_OddIDs(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	var es []journal.Entry
	for _, id := range []string{"../..", "/etc/passwd", "a\x00b", strings.Repeat("x", 3000), "../../evil"} {
		es = append(es, journal.Entry{ID: id, Created: at, Text: "y"})
	}
	n, err := transfer.WriteMarkdownFiles(dir, transfer.FromSlice(es))
	if err != nil || n != len(es) {
		t.Fatalf("wrote %d, %v", n, err)
	}
	list, _ := os.ReadDir(dir)
	if len(list) != len(es) {
		t.Errorf("%d files in the folder, want %d", len(list), len(es))
	}
	for _, f := range list {
		if len(f.Name()) > 64 {
			t.Errorf("file name of %d bytes: %.40s…", len(f.Name()), f.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil")); err == nil {
		t.Error("a file was written outside the folder")
	}
}
