// Package transfer moves journal entries in and out of SAMO.
//
// Export writes to an io.Writer and streams: every writer takes an
// iter.Seq2 of entries and holds one entry at a time.
//
//   - WriteJSON writes SAMO's own export document, which ReadJSON and
//     ScanJSON read back without loss (times with their offsets, scores,
//     embeddings, tags, corrections and the recording's bytes).
//   - WriteMarkdown writes one readable Markdown document, and
//     WriteMarkdownFiles one Markdown file per entry.
//   - WriteCSV writes the emotion scores over time, for spreadsheets.
//
// Import reads SAMO's export (ReadJSON, ScanJSON), jrnl's JSON export
// (ReadJrnl) and Day One's JSON export (ReadDayOne). The importers return
// entries ready to save: the caller assigns an id where it is empty and runs
// journal.Entry.Validate. They repair invalid UTF-8 as journal.CleanText does,
// skip entries whose text is empty, refuse input over MaxInputBytes, and
// report what they did in a Report. A malformed input is an error that names
// the problem and the entry, counted from 1 in the order of the input.
//
// The package depends on the journal package and the standard library only.
package transfer

import (
	"errors"
	"fmt"
	"iter"
	"slices"
)

// MaxInputBytes is the largest input an importer reads: 1 GiB. A journal's
// export with its recordings may be large, but an input past this size is far
// more likely a wrong file than a journal, and the importers hold what they
// read in memory.
const MaxInputBytes int64 = 1 << 30

// MaxWarnings is the most warnings a Report lists; further ones are only
// counted in Report.MoreWarnings.
const MaxWarnings = 100

// Errors a caller can test for with errors.Is.
var (
	// ErrTooLarge is returned when an input exceeds MaxInputBytes.
	ErrTooLarge = errors.New("transfer: input is larger than the 1 GiB limit")
	// ErrEntryTooLarge is returned when one entry of a text-only format
	// (jrnl, Day One) is larger than any entry SAMO could keep; the reading
	// stops there, before the entry is held whole.
	ErrEntryTooLarge = errors.New("transfer: entry too large")
	// ErrUnknownFormat is returned when a document is not a SAMO export or
	// is one of a version this package does not read.
	ErrUnknownFormat = errors.New("transfer: unsupported export")
)

// Report says what an import did.
type Report struct {
	// Imported counts the entries returned (or passed to ScanJSON's function).
	Imported int
	// Skipped counts the entries left out: those with empty text, and those
	// whose text is longer than journal.MaxTextBytes.
	Skipped int
	// Warnings describe repairs and omissions, one line each ("jrnl entry 3:
	// invalid UTF-8 replaced with U+FFFD"), at most MaxWarnings of them.
	Warnings []string
	// MoreWarnings counts the warnings left out of Warnings.
	MoreWarnings int
}

// Lines are the warnings to show a person: Warnings, then "and N more"
// when some were only counted.
func (r Report) Lines() []string {
	if r.MoreWarnings == 0 {
		return r.Warnings
	}
	return append(slices.Clip(r.Warnings), fmt.Sprintf("and %d more", r.MoreWarnings))
}

// warnf adds a warning, or counts it once Warnings is full.
func (r *Report) warnf(format string, a ...any) {
	if len(r.Warnings) >= MaxWarnings {
		r.MoreWarnings++
		return
	}
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, a...))
}

// FromSlice returns an iterator over the items of s with no errors, for
// passing a slice to the writers.
func FromSlice[T any](s []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range s {
			if !yield(v, nil) {
				return
			}
		}
	}
}
