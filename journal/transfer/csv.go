package transfer

import (
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/samojournal/samo/journal"
)

// WriteCSV writes the entries' emotion scores as CSV, for spreadsheets: a
// header "id,created," then the 28 labels of journal.EmotionLabels in order,
// then "predicted,corrected"; then a row per entry that has emotions (others
// are left out), with its created time in RFC 3339, each score with four
// decimals, and the predicted and corrected labels joined with ";". An entry
// whose scores are not one per label is an error.
func WriteCSV(w io.Writer, entries iter.Seq2[journal.Entry, error]) error {
	cw := csv.NewWriter(w)
	row := make([]string, 0, 2+len(journal.EmotionLabels)+2)
	row = append(row, "id", "created")
	row = append(row, journal.EmotionLabels[:]...)
	row = append(row, "predicted", "corrected")
	if err := cw.Write(row); err != nil {
		return fmt.Errorf("transfer: csv: %w", err)
	}
	for e, err := range entries {
		if err != nil {
			return fmt.Errorf("transfer: csv: %w", err)
		}
		m := e.Emotions
		if m == nil {
			continue
		}
		if len(m.Scores) != len(journal.EmotionLabels) {
			return fmt.Errorf("transfer: csv: entry %s: %d emotion scores, want %d", e.ID, len(m.Scores), len(journal.EmotionLabels))
		}
		row = append(row[:0], e.ID, e.Created.Format(time.RFC3339))
		for _, s := range m.Scores {
			row = append(row, strconv.FormatFloat(float64(s), 'f', 4, 32))
		}
		corrected := ""
		if e.Corrections != nil {
			corrected = strings.Join(e.Corrections.Labels, ";")
		}
		row = append(row, strings.Join(m.Labels, ";"), corrected)
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("transfer: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("transfer: csv: %w", err)
	}
	return nil
}
