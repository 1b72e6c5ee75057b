package transfer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/samojournal/samo/journal"
)

// Format and Version identify SAMO's export document:
//
//	{"format":"samo-journal","version":1,"exported":"2026-11-25T09:41:00+01:00","entries":[...]}
//
// Each item of entries is an entry's JSON (see journal.Entry) with, when the
// entry has a recording, its bytes in base64 under "audio_data".
const (
	Format  = "samo-journal"
	Version = 1
)

// Exported is one entry of a SAMO export: the entry and its recording's
// bytes, nil when it has none. Its JSON is the entry's own fields plus
// "audio_data".
type Exported = journal.Exported

// WriteJSON writes a SAMO export document holding the entries in the order
// the iterator yields them, one entry per line, stamped with the time now.
// It holds one entry at a time. When the iterator yields an error, or an
// entry cannot be written as JSON (a time past year 9999, a NaN score), it
// stops and returns the error; what it wrote is then not a whole document.
func WriteJSON(w io.Writer, entries iter.Seq2[Exported, error]) error {
	bw := bufio.NewWriter(w)
	head, err := json.Marshal(struct {
		Format   string `json:"format"`
		Version  int    `json:"version"`
		Exported string `json:"exported"`
	}{Format, Version, time.Now().Format(time.RFC3339)})
	if err != nil {
		return fmt.Errorf("transfer: json: %w", err)
	}
	// Reopen the header object to append the entries array to it.
	head = append(head[:len(head)-1], `,"entries":[`...)
	if _, err := bw.Write(head); err != nil {
		return fmt.Errorf("transfer: json: %w", err)
	}
	sep := "\n"
	for e, err := range entries {
		if err != nil {
			return fmt.Errorf("transfer: json: %w", err)
		}
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("transfer: json: entry %s: %w", e.ID, err)
		}
		if _, err := bw.WriteString(sep); err != nil {
			return fmt.Errorf("transfer: json: %w", err)
		}
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("transfer: json: %w", err)
		}
		sep = ",\n"
	}
	if _, err := bw.WriteString("\n]}\n"); err != nil {
		return fmt.Errorf("transfer: json: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("transfer: json: %w", err)
	}
	return nil
}
