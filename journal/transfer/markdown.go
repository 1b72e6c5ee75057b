package transfer

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/samojournal/samo/journal"
)

// headingLayout writes an entry's time as "Wednesday 25 November 2026, 09:41".
const headingLayout = "Monday 2 January 2006, 15:04"

// maxMarkdownEmotions is the most predicted emotions an entry's Markdown names.
const maxMarkdownEmotions = 3

// WriteMarkdown writes the entries as one readable Markdown document, in the
// order the iterator yields them. Each entry has a heading with its date and
// time in its own zone ("## Wednesday 25 November 2026, 09:41"), its tags,
// its text as written, the emotions the model found, strongest first, the
// person's own labels, and the transcript when it differs from the text.
// It stops at the iterator's first error and returns it.
func WriteMarkdown(w io.Writer, entries iter.Seq2[journal.Entry, error]) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("# SAMO journal\n"); err != nil {
		return fmt.Errorf("transfer: markdown: %w", err)
	}
	for e, err := range entries {
		if err != nil {
			return fmt.Errorf("transfer: markdown: %w", err)
		}
		if _, err := bw.WriteString("\n" + markdownEntry(e, "##")); err != nil {
			return fmt.Errorf("transfer: markdown: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("transfer: markdown: %w", err)
	}
	return nil
}

// WriteMarkdownFiles writes each entry to its own Markdown file in dir,
// which it creates (0700) if needed, and returns how many it wrote. A file
// is named from the entry's local date and time and its id
// ("2026-11-25-0941-01JDXYZ….md"), holds what WriteMarkdown writes for the
// entry with a top-level heading, and is created with 0600 permissions. Each
// file is written to a temporary file in dir and renamed into place, so a
// file is whole or absent and no temporary file is left behind; a file of
// the same name is replaced. It stops at the first error.
func WriteMarkdownFiles(dir string, entries iter.Seq2[journal.Entry, error]) (int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("transfer: markdown: %w", err)
	}
	n := 0
	for e, err := range entries {
		if err != nil {
			return n, fmt.Errorf("transfer: markdown: %w", err)
		}
		name, err := markdownFileName(e)
		if err != nil {
			return n, err
		}
		if err := writeFile(filepath.Join(dir, name), markdownEntry(e, "#")); err != nil {
			return n, fmt.Errorf("transfer: markdown: entry %s: %w", e.ID, err)
		}
		n++
	}
	return n, nil
}

// markdownFileName names an entry's Markdown file: its created date and
// time in its own zone, then its id, keeping only letters, digits, '-' and
// '_' of the id and at most 40 of them (an id imported before ids were
// checked can be long or made of other characters: then a hash of it).
func markdownFileName(e journal.Entry) (string, error) {
	if e.ID == "" {
		return "", fmt.Errorf("transfer: markdown: entry of %s: no id to name its file", e.Created.Format(headingLayout))
	}
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, e.ID)
	if id != e.ID || len(id) > 40 {
		id = fmt.Sprintf("id-%x", sha256.Sum256([]byte(e.ID)))[:19]
	}
	return e.Created.Format("2006-01-02-1504") + "-" + id + ".md", nil
}

// writeFile writes text to a temporary file beside path, with 0600
// permissions, and renames it to path; on failure it removes the temporary
// file.
func writeFile(path, text string) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".samo-export-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// markdownEntry writes one entry as Markdown under a heading of the level
// given ("#", "##"): blocks apart by a blank line, the last ending in a
// newline.
func markdownEntry(e journal.Entry, level string) string {
	blocks := []string{level + " " + e.Created.Format(headingLayout)}
	if len(e.Tags) > 0 {
		tags := make([]string, len(e.Tags))
		for i, t := range e.Tags {
			tags[i] = escapeInline(t)
		}
		blocks = append(blocks, "**Tags:** "+strings.Join(tags, ", "))
	}
	if text := strings.TrimSpace(e.Text); text != "" {
		blocks = append(blocks, text)
	}
	if labels := topEmotions(e.Emotions); len(labels) > 0 {
		blocks = append(blocks, "**Emotions:** "+strings.Join(labels, ", "))
	}
	if c := e.Corrections; c != nil && len(c.Labels) > 0 {
		blocks = append(blocks, "**My labels:** "+strings.Join(c.Labels, ", "))
	}
	if said := journal.TranscriptText(e.Transcript); said != "" && !sameWords(said, e.Text) {
		blocks = append(blocks, "**Transcript:**", "> "+strings.Join(strings.Fields(said), " "))
	}
	return strings.Join(blocks, "\n\n") + "\n"
}

// sameWords reports whether a and b have the same words, however spaced.
func sameWords(a, b string) bool {
	return slices.Equal(strings.Fields(a), strings.Fields(b))
}

// topEmotions returns the predicted labels, strongest first, at most
// maxMarkdownEmotions of them.
func topEmotions(m *journal.Emotions) []string {
	if m == nil || len(m.Labels) == 0 {
		return nil
	}
	score := make(map[string]float32, len(m.Scores))
	for i, s := range m.Scores {
		if i < len(journal.EmotionLabels) {
			score[journal.EmotionLabels[i]] = s
		}
	}
	labels := slices.Clone(m.Labels)
	slices.SortStableFunc(labels, func(a, b string) int { return cmp.Compare(score[b], score[a]) })
	return labels[:min(len(labels), maxMarkdownEmotions)]
}

// escapeInline keeps a tag from turning into Markdown emphasis, code or a
// link, and on one line.
func escapeInline(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]<>~", r):
			b.WriteRune('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
