package emotion

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/samojournal/samo/journal"
)

// NumLabels is the number of GoEmotions labels, neutral included.
const NumLabels = len(journal.EmotionLabels)

// Example is one labelled text of a GoEmotions-format file.
type Example struct {
	Text   string
	Labels []int
	ID     string
}

// ReadTSV reads GoEmotions-format examples: text, comma-separated label ids
// (0–27) and an id, separated by tabs, no header. Texts that were written
// with CSV quoting ("…" with inner quotes doubled) are unquoted. A line that
// does not parse is an error naming its line number.
func ReadTSV(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var out []Example
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 {
			return nil, fmt.Errorf("emotion: line %d: want text<TAB>labels[<TAB>id], got %d column(s)", n, len(cols))
		}
		if !utf8.ValidString(cols[0]) {
			return nil, fmt.Errorf("emotion: line %d: text is not valid UTF-8", n)
		}
		ex := Example{Text: Unquote(cols[0])}
		if len(cols) > 2 {
			ex.ID = cols[2]
		}
		for _, f := range strings.Split(cols[1], ",") {
			id, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || id < 0 || id >= NumLabels {
				return nil, fmt.Errorf("emotion: line %d: label %q is not an id from 0 to %d", n, f, NumLabels-1)
			}
			ex.Labels = append(ex.Labels, id)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("emotion: read examples: %w", err)
	}
	return out, nil
}

// Unquote removes CSV quoting from a text that starts and ends with a
// double quote and has its inner quotes doubled; other texts are returned
// as they are.
func Unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	inner := s[1 : len(s)-1]
	// Every quote inside must be doubled for this to be CSV quoting.
	if strings.Count(inner, `"`) != 2*strings.Count(inner, `""`) {
		return s
	}
	return strings.ReplaceAll(inner, `""`, `"`)
}
