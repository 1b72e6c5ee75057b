package journal

import (
	"fmt"
	"io"
	"strings"

	"github.com/samojournal/samo/internal/units"
)

// Results are the results of a search or of "entries like this one", as
// the CLI prints them.
type Results []Found

// WriteText writes the results for a person to read: a line per entry with
// its date, what found it and its snippet, the matched words in *stars*.
func (r Results) WriteText(w io.Writer) {
	if len(r) == 0 {
		fmt.Fprintln(w, "Nothing found.")
		return
	}
	for _, f := range r {
		fmt.Fprintf(w, "%s  %s  (%s)\n    %s\n", f.ID, f.Created.Format("Mon 2 Jan 2006"), strings.Join(f.Why, ", "),
			oneLine(f.Snippet.Highlighted("*", "*")))
		if f.Moment != nil {
			at := units.Clock(*f.Moment)
			fmt.Fprintf(w, "    said at %s in the recording: samo play %s --at %s\n", at, f.ID, at)
		}
	}
}

// oneLine keeps a line of text on one terminal line: line breaks and other
// control characters become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// WriteText writes the timeline for a person to read: a line per period
// with its count and dominant feeling, then its entries.
func (t Timeline) WriteText(w io.Writer) {
	if len(t.Periods) == 0 {
		fmt.Fprintln(w, "No entries.")
		return
	}
	for _, p := range t.Periods {
		feel := ""
		if p.Dominant != "" {
			feel = fmt.Sprintf(", mostly %s (%d)", p.Dominant, p.Feelings[p.Dominant])
		}
		fmt.Fprintf(w, "%s: %d %s%s\n", p.Label, p.Count, Plural(p.Count, "entry", "entries"), feel)
		for _, e := range p.Entries {
			fmt.Fprintf(w, "    %s  %s  %s\n", e.ID, e.Created.Format("Mon 2 Jan 15:04"), oneLine(e.Title(60)))
		}
		if more := p.Count - len(p.Entries); more > 0 {
			fmt.Fprintf(w, "    … and %d more\n", more)
		}
	}
	if !t.Next.IsZero() {
		fmt.Fprintf(w, "(earlier: --before %s)\n", t.Next.Format("2006-01-02"))
	}
}

// Memories are On This Day's days, as the CLI prints them.
type Memories []Memory

// WriteText writes On This Day for a person to read.
func (m Memories) WriteText(w io.Writer) {
	if len(m) == 0 {
		fmt.Fprintln(w, "Nothing written on this day in earlier years, or a month ago.")
		return
	}
	for _, day := range m {
		fmt.Fprintf(w, "%s, %s\n", day.Label, day.Day.Format("Monday 2 January 2006"))
		for _, e := range day.Entries {
			fmt.Fprintf(w, "    %s  %s  %s\n", e.ID, e.Created.Format("15:04"), oneLine(e.Title(60)))
		}
	}
}
