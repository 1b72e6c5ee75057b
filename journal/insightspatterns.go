package journal

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/samojournal/samo/journal/patterns"
)

// PatternCaveat is what every pattern is, said to the person beside it.
const PatternCaveat = "A pattern in what you wrote, not a diagnosis."

// Pattern is a change, weekly cycle or unusual day found in a day-level
// series of a label or group, with its evidence.
type Pattern struct {
	// Kind is "shift", "weekly cycle" or "unusual day"; Series the label,
	// or the group when Group is set.
	Kind   string `json:"kind"`
	Series string `json:"series"`
	Group  bool   `json:"group,omitempty"`
	// Summary says it in a sentence, with its size and interval.
	Summary string `json:"summary"`
	// Day is a shift's first day at the new level, or the unusual day;
	// Weekday the weekday of a cycle.
	Day     time.Time `json:"day,omitzero"`
	Weekday string    `json:"weekday,omitempty"`
	// Before and After are the levels compared (a cycle: other days and
	// the weekday; an unusual day: its surroundings and the day); Size is
	// After − Before, Low and High its 95% interval.
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Size   float64 `json:"size"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	// P is the test's p-value, Q the false-discovery-adjusted one across
	// every test made.
	P float64 `json:"p"`
	Q float64 `json:"q"`
	// DaysBefore and DaysAfter count the days with entries each side
	// rests on.
	DaysBefore int `json:"days_before"`
	DaysAfter  int `json:"days_after"`
	// Test says what was tested.
	Test string `json:"test"`
	// Evidence are the ids of the entries behind it, the strongest first.
	Evidence []string `json:"evidence"`
}

// PatternMinDays is the fewest days with entries a pattern rests on, each
// side.
const PatternMinDays = 14

// What is worth telling a person, besides being significant: a shift or
// cycle of at least minEffect on the 0–1 scale (a smaller one is not a
// difference a person would feel), and an unusual day only where the
// feeling was clear that day or usually (a level of at least clearLevel)
// and the day differs by at least minUnusual. Scores of most labels sit
// near 0 with a long tail, where a day at 0.25 can look extreme to a
// robust test while being only a slight feeling.
const (
	minEffect  = 0.05
	clearLevel = 0.5
	minUnusual = 0.25
)

// saidByALabel reports whether a group's finding is told already by one of
// its labels: the same kind, the same way, on the same day (a shift within
// a fortnight; any cycle on the same weekday). The label says it more
// precisely.
func saidByALabel(f patterns.Finding, all []patterns.Finding) bool {
	group, ok := split(f.Series)
	if !ok {
		return false
	}
	for _, g := range all {
		if g.Kind != f.Kind || EkmanGroup(g.Series) != group || (g.Size > 0) != (f.Size > 0) || !worthTelling(g) {
			continue
		}
		switch f.Kind {
		case patterns.Shift:
			if d := g.Day - f.Day; d >= -14 && d <= 14 {
				return true
			}
		case patterns.Cycle:
			if g.Weekday == f.Weekday {
				return true
			}
		case patterns.Unusual:
			if g.Day == f.Day {
				return true
			}
		}
	}
	return false
}

func worthTelling(f patterns.Finding) bool {
	if f.Kind == patterns.Unusual {
		return max(f.After, f.Before) >= clearLevel && math.Abs(f.Size) >= minUnusual
	}
	return math.Abs(f.Size) >= minEffect
}

// maxEvidence caps the entries given as a pattern's evidence.
const maxEvidence = 5

// detect finds the patterns in the day levels of the 35 series.
func detect(days []dayLevel, rs []reading, ids []string, from time.Time, seed uint64) []Pattern {
	series := make([]patterns.Series, nSeries)
	for k := range series {
		sr := patterns.Series{Name: seriesName(k), Values: make([]float64, len(days)), Has: make([]bool, len(days))}
		for i := range days {
			sr.Values[i], sr.Has[i] = days[i].level(k)
		}
		series[k] = sr
	}
	found := patterns.Detect(series, patterns.Options{Start: from, MinDays: PatternMinDays, Seed: seed})
	out := make([]Pattern, 0, len(found))
	for _, f := range found {
		if !worthTelling(f) || saidByALabel(f, found) {
			continue
		}
		k := slices.IndexFunc(series, func(s patterns.Series) bool { return s.Name == f.Series })
		if k < 0 {
			continue
		}
		name, group := split(f.Series)
		p := Pattern{Kind: string(f.Kind), Series: name, Group: group, Before: f.Before, After: f.After, Size: f.Size,
			Low: f.Low, High: f.High, P: f.P, Q: f.Q, DaysBefore: f.DaysBefore, DaysAfter: f.DaysAfter, Test: f.Test}
		var behind func(r reading) bool
		switch f.Kind {
		case patterns.Shift:
			p.Day = dayAt(from, f.Day)
			behind = func(r reading) bool { return r.day >= f.Day }
		case patterns.Unusual:
			p.Day = dayAt(from, f.Day)
			behind = func(r reading) bool { return r.day == f.Day }
		case patterns.Cycle:
			p.Weekday = f.Weekday.String()
			behind = func(r reading) bool { return r.created.Weekday() == f.Weekday }
		default:
			continue
		}
		p.Summary = summary(p)
		p.Evidence = evidence(rs, ids, k, behind, f.Size >= 0)
		out = append(out, p)
	}
	return out
}

// evidence picks the entries behind a pattern: those it holds, highest
// level of series k first (lowest when the pattern is a fall).
func evidence(rs []reading, ids []string, k int, behind func(reading) bool, rise bool) []string {
	var idx []int
	for i, r := range rs {
		if r.scored && behind(r) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if rise {
			return cmp.Compare(rs[b].levels[k], rs[a].levels[k])
		}
		return cmp.Compare(rs[a].levels[k], rs[b].levels[k])
	})
	out := make([]string, 0, min(len(idx), maxEvidence))
	for _, i := range idx[:min(len(idx), maxEvidence)] {
		out = append(out, ids[i])
	}
	return out
}

// summary says a pattern in a sentence.
func summary(p Pattern) string {
	what := p.Series
	if p.Group {
		what = "the " + p.Series + " group"
	}
	name := strings.ToUpper(what[:1]) + what[1:]
	dir := "higher"
	if p.Size < 0 {
		dir = "lower"
	}
	size := fmt.Sprintf("%+.2f; 95%% interval %+.2f to %+.2f", p.Size, p.Low, p.High)
	switch p.Kind {
	case string(patterns.Shift):
		return fmt.Sprintf("%s has been %s since %s: %.2f on average over %d days with entries, against %.2f over the %d days with entries before (%s).",
			name, dir, p.Day.Format("2 January 2006"), p.After, p.DaysAfter, p.Before, p.DaysBefore, size)
	case string(patterns.Cycle):
		return fmt.Sprintf("%s runs %s on %ss: %.2f on average over %d of them, against %.2f over %d other days with entries (%s).",
			name, dir, p.Weekday, p.After, p.DaysAfter, p.Before, p.DaysBefore, size)
	}
	return fmt.Sprintf("%s stands out for %s: %.2f that day, against a usual %.2f (%s).",
		p.Day.Format("Monday 2 January 2006"), what, p.After, p.Before, size)
}
