package transfer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

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

// ReadFile reads an export file of at most MaxInputBytes.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("transfer: read %s: %w", path, err)
	}
	if int64(len(data)) > MaxInputBytes {
		return nil, fmt.Errorf("transfer: %s: %w", path, ErrTooLarge)
	}
	return data, nil
}

// Read reads an export in format (FormatSAMO, FormatJrnl, FormatDayOne, or
// "auto" or "" to detect it), jrnl's times in loc (nil: local), and returns
// its entries ready for journal.Service.Import, what it did, and the format
// it read.
func Read(data []byte, format string, loc *time.Location) ([]journal.Exported, Report, string, error) {
	if format == "auto" || format == "" {
		format = Detect(data)
	}
	var (
		es  []journal.Entry
		rep Report
		err error
	)
	switch format {
	case FormatSAMO:
		items, rep, err := ReadJSON(bytes.NewReader(data))
		return items, rep, format, err
	case FormatJrnl:
		es, rep, err = ReadJrnl(bytes.NewReader(data), loc)
	case FormatDayOne:
		es, rep, err = ReadDayOne(bytes.NewReader(data))
	default:
		return nil, Report{}, format, fmt.Errorf("%w: not a SAMO, jrnl or Day One export", ErrUnknownFormat)
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

// WriteFile runs write on the named file, written beside it and renamed into
// place once synced, so a failure never leaves half an export under that name.
func WriteFile(name string, write func(io.Writer) error) error {
	tmp := name + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("transfer: export: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("transfer: export to %s: %w", name, err)
	}
	return nil
}
