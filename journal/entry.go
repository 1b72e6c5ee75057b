// Package journal is SAMO's domain core: journal entries, the rules a saved
// entry keeps, and the Service that the CLI and the GUI both use.
//
// The package depends on small interfaces (Store, and later the model
// interfaces) and never on Fyne, PortAudio, onnxruntime or bbolt; main wires
// the real implementations in.
package journal

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxTextBytes is the largest entry text SAMO accepts, in bytes of UTF-8.
// It is far above any entry a person writes or dictates (a 16 MiB text is
// several novels) while keeping one entry one bounded database value.
const MaxTextBytes = 16 << 20

// Errors a caller can test for with errors.Is.
var (
	// ErrEmptyText is returned when an entry's text is empty or only white space.
	ErrEmptyText = errors.New("journal: entry text is empty")
	// ErrTextTooLong is returned when an entry's text exceeds MaxTextBytes.
	ErrTextTooLong = errors.New("journal: entry text is too long")
	// ErrNotFound is returned when no entry has the requested id.
	ErrNotFound = errors.New("journal: entry not found")
)

// Entry is one journal entry.
type Entry struct {
	// ID is unique and sorts in creation order (a ULID).
	ID string `json:"id"`
	// Created is when the entry was written, in the writer's time zone.
	Created time.Time `json:"created"`
	// Updated is when the text last changed; equal to Created until an edit.
	Updated time.Time `json:"updated"`
	// Text is the entry's text, valid UTF-8.
	Text string `json:"text"`
}

// Title returns the first non-empty line of the entry's text, shortened to
// about max runes with an ellipsis, for lists and cards.
func (e Entry) Title(max int) string {
	line := ""
	for l := range strings.SplitSeq(e.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			line = l
			break
		}
	}
	if max > 0 && utf8.RuneCountInString(line) > max {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return line
}

// CleanText checks and normalises an entry's text: invalid UTF-8 sequences
// are replaced with U+FFFD (repaired reports that this happened), an empty or
// white-space-only text is ErrEmptyText, and a text over MaxTextBytes is
// ErrTextTooLong. Leading and trailing white space is kept as written.
func CleanText(text string) (clean string, repaired bool, err error) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
		repaired = true
	}
	if strings.TrimSpace(text) == "" {
		return "", repaired, ErrEmptyText
	}
	if len(text) > MaxTextBytes {
		return "", repaired, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTextTooLong, len(text), MaxTextBytes)
	}
	return text, repaired, nil
}
