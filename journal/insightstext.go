package journal

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ParseRange reads a range back from now, as --range and the window's
// presets give it: "7d", "90d", "12w", "6m", "1y" (days, weeks, months,
// years, ending with today) or "all" (from the first entry). It returns
// the stretch's start and end; a zero start means the first entry's day.
func ParseRange(s string, now time.Time) (from, to time.Time, err error) {
	loc := now.Location()
	to = Day.next(Day.start(now, loc))
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "all" || s == "" {
		return time.Time{}, to, nil
	}
	bad := fmt.Errorf("%w: a range of %q: use a number and d, w, m or y (7d, 90d, 12w, 6m, 1y), or all", ErrBadQuery, s)
	if len(s) < 2 {
		return time.Time{}, time.Time{}, bad
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 100*366 {
		return time.Time{}, time.Time{}, bad
	}
	switch s[len(s)-1] {
	case 'd':
		from = to.AddDate(0, 0, -n)
	case 'w':
		from = to.AddDate(0, 0, -7*n)
	case 'm':
		from = to.AddDate(0, -n, 0)
	case 'y':
		from = to.AddDate(-n, 0, 0)
	default:
		return time.Time{}, time.Time{}, bad
	}
	return from, to, nil
}

// WriteText writes the insights for a person to read.
func (in Insights) WriteText(w io.Writer) {
	last := in.To.Add(-time.Nanosecond)
	fmt.Fprintf(w, "%s – %s: %d %s on %d of %d days.\n", in.From.Format("2 Jan 2006"), last.Format("2 Jan 2006"),
		in.Entries, Plural(in.Entries, "entry", "entries"), in.DaysWithEntries, in.Days)
	if in.Entries == 0 {
		fmt.Fprintln(w, "Nothing written in this range yet.")
		return
	}
	if in.Streaks.Current > 1 {
		fmt.Fprintf(w, "You have written %d days in a row.\n", in.Streaks.Current)
	}
	fmt.Fprintln(w, "\nHow entries felt (by their strongest feeling):")
	for _, m := range in.Mix {
		if m.Entries == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-9s %3.0f%%  %d %s\n", m.Group, 100*m.Share, m.Entries, Plural(m.Entries, "entry", "entries"))
	}
	if c := in.Change; c != nil && len(c.Items) > 0 {
		fmt.Fprintf(w, "\nAgainst the %d days before (%d %s):\n", in.Days, c.PreviousEntries, Plural(c.PreviousEntries, "entry", "entries"))
		for _, d := range c.Items {
			fmt.Fprintf(w, "  %-9s %.2f now, %.2f before: %+.2f (95%% interval %+.2f to %+.2f)\n", d.Name, d.Now, d.Before, d.Diff, d.Low, d.High)
		}
	}
	fmt.Fprintln(w, "\nValence by weekday (−1 unpleasant … +1 pleasant):")
	for _, s := range in.Weekdays {
		writeSlot(w, s)
	}
	if len(in.Words) > 0 || len(in.Tags) > 0 {
		fmt.Fprintln(w, "\nWords and tags that go with a feeling more than usual:")
		for _, a := range append(append([]Association(nil), in.Words...), in.Tags...) {
			fmt.Fprintf(w, "  %q with %s: %.1f× as often (95%% interval %.1f–%.1f), %d of %d entries\n", a.Word, a.Group, a.Lift, a.Low, a.High, a.With, a.Uses)
		}
	}
	fmt.Fprintln(w, "\nPatterns:")
	if len(in.Patterns) == 0 {
		fmt.Fprintf(w, "  None stand out. (A pattern is only claimed with at least %d days with entries each side, and with\n  the false discovery rate held at 5%% across every emotion tested.)\n", PatternMinDays)
		return
	}
	for _, p := range in.Patterns {
		fmt.Fprintf(w, "  • %s\n    %s; q = %.3f.\n", p.Summary, p.Test, p.Q)
		if len(p.Evidence) > 0 {
			fmt.Fprintf(w, "    Entries: %s\n", strings.Join(p.Evidence, " "))
		}
	}
	fmt.Fprintf(w, "  %s\n", PatternCaveat)
}

func writeSlot(w io.Writer, s Slot) {
	if s.Valence == nil {
		fmt.Fprintf(w, "  %-4s  no entries\n", s.Label)
		return
	}
	interval := ""
	if s.Low != nil {
		interval = fmt.Sprintf(" (%+.2f to %+.2f)", *s.Low, *s.High)
	}
	fmt.Fprintf(w, "  %-4s %+.2f%s, %d %s\n", s.Label, *s.Valence, interval, s.Entries, Plural(s.Entries, "entry", "entries"))
}

// Span sets the stretch from the CLI's and the window's words: a range
// back from now ("90d", "all"; see ParseRange), or since and until (a
// year, month or day, as ParsePeriod reads them), which win over it.
func (q *InsightsQuery) Span(rangeWords, since, until string, now time.Time) error {
	from, to, err := ParseRange(rangeWords, now)
	if err != nil {
		return err
	}
	if since != "" {
		if from, _, err = ParsePeriod(since, now); err != nil {
			return err
		}
	}
	if until != "" {
		if _, to, err = ParsePeriod(until, now); err != nil {
			return err
		}
	}
	q.From, q.To = from, to
	return nil
}
