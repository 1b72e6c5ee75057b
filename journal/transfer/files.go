package transfer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/samojournal/samo/internal/outfile"
	"github.com/samojournal/samo/journal"
)

// Formats SAMO imports and exports, by the names the CLI and the window use.
const (
	FormatSAMO     = "samo"     // SAMO's own JSON export (import)
	FormatJrnl     = "jrnl"     // jrnl's JSON export (import)
	FormatDayOne   = "dayone"   // Day One's JSON export (import)
	FormatJSON     = "json"     // SAMO's own JSON export (export)
	FormatMarkdown = "markdown" // for reading (export)
	FormatCSV      = "csv"      // the emotion scores (export)
)

// Detect guesses an export's format from its content: FormatSAMO,
// FormatDayOne or FormatJrnl, or "" when it cannot tell.
func Detect(data []byte) string {
	head := data[:min(len(data), 4096)]
	switch {
	case bytes.Contains(head, []byte(`"samo-journal"`)):
		return FormatSAMO
	case bytes.Contains(data, []byte(`"creationDate"`)):
		return FormatDayOne
	case bytes.Contains(data, []byte(`"body"`)) && bytes.Contains(data, []byte(`"date"`)):
		return FormatJrnl
	}
	return ""
}

// Imported is what ImportFile did: what the journal saved, what the
// reading repaired or left out, and the format it read.
type Imported struct {
	journal.Imported
	Report
	Format string
}

// ErrNothingImported is wrapped by ImportFile's error when a file was read
// but no entry of it was added or found already in the journal.
var ErrNothingImported = errors.New("transfer: nothing was imported")

// ImportFile adds the entries of the export at path to svc's journal:
// format is FormatSAMO, FormatJrnl, FormatDayOne, or "auto" or "" to tell by
// the content; jrnl's times are read in loc (nil: local). The file is read
// as it streams, never held whole, and progress (when not nil) gets the
// entries saved of the total. Entries are saved in batches of
// journal.ImportBatch, each all or nothing; on an error, the batches before
// it stay saved, and the result says how many.
func ImportFile(ctx context.Context, svc *journal.Service, path, format string, loc *time.Location, progress func(done, total int)) (Imported, error) {
	f, err := os.Open(path)
	if err != nil {
		return Imported{}, fmt.Errorf("transfer: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return Imported{}, fmt.Errorf("transfer: %s is a folder, not an export", path)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	if format == "auto" || format == "" {
		head, _ := br.Peek(64 << 10)
		if format = Detect(head); format == "" {
			return Imported{}, fmt.Errorf("%w: cannot tell the format of %s: it is not a SAMO, jrnl or Day One JSON export", ErrUnknownFormat, path)
		}
	}
	var r Imported
	var items []journal.Exported
	items, r.Report, r.Format, err = read(br, format, loc)
	if err != nil {
		return r, err
	}
	if r.Imported, err = svc.Import(ctx, items, progress); err != nil {
		return r, err
	}
	if r.Added+r.Present == 0 {
		if r.Skipped > 0 {
			return r, fmt.Errorf("%w from %s: all of its %d %s were skipped (empty, or longer than SAMO keeps)", ErrNothingImported, path, r.Skipped, journal.Plural(r.Skipped, "entry", "entries"))
		}
		return r, fmt.Errorf("%w from %s: it holds no entries", ErrNothingImported, path)
	}
	return r, nil
}

// read reads an export in format (FormatSAMO, FormatJrnl or FormatDayOne)
// from r, jrnl's times in loc, and returns its entries ready for
// journal.Service.Import, what it did, and the format.
func read(r io.Reader, format string, loc *time.Location) ([]journal.Exported, Report, string, error) {
	var (
		es  []journal.Entry
		rep Report
		err error
	)
	switch format {
	case FormatSAMO:
		items, rep, err := ReadJSON(r)
		return items, rep, format, err
	case FormatJrnl:
		es, rep, err = ReadJrnl(r, loc)
	case FormatDayOne:
		es, rep, err = ReadDayOne(r)
	default:
		return nil, Report{}, format, fmt.Errorf("%w %s: use samo, jrnl or dayone", ErrUnknownFormat, journal.Quote(format))
	}
	items := make([]journal.Exported, len(es))
	for i, e := range es {
		items[i] = journal.Exported{Entry: e}
	}
	return items, rep, format, err
}

// Write writes the journal's entries in format (FormatJSON with their
// recordings, FormatMarkdown or FormatCSV) to w, oldest first.
func Write(ctx context.Context, w io.Writer, format string, svc *journal.Service) error {
	switch format {
	case FormatJSON:
		return WriteJSON(w, svc.Export(ctx))
	case FormatMarkdown:
		return WriteMarkdown(w, svc.Entries(ctx))
	case FormatCSV:
		return WriteCSV(w, svc.Entries(ctx))
	}
	return fmt.Errorf("%w %q: use json, markdown or csv", ErrUnknownFormat, format)
}

// WriteFile runs write on the named file, as outfile.Write does: a regular
// file is written beside it and renamed into place once synced, so a failure
// never leaves half an export under that name, while a FIFO, a device or
// /dev/stdout is written to, never replaced.
func WriteFile(name string, write func(io.Writer) error) error {
	if err := outfile.Write(name, 0o600, write); err != nil {
		return fmt.Errorf("transfer: export: %w", err)
	}
	return nil
}
