package journal

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Memory is one day of On This Day: the entries written on a day that
// falls on the same calendar day as the day looked from.
type Memory struct {
	// Label says when it was, from the day looked from: "1 year ago",
	// "3 years ago", "a month ago".
	Label string `json:"label"`
	// Day is the calendar day (midnight, in the day looked from's zone).
	Day     time.Time `json:"day"`
	Entries []Entry   `json:"entries"`
}

// OnThisDay returns what was written on day's calendar day (month and day)
// in every earlier year, newest first, then on the same day a month
// before; a day with no entries is left out. Each entry counts by the
// calendar day where it was written; in a year without 29 February, 28
// February also shows what was written on a 29 February. day may be any
// entry's day: On This Day is relative to what a person is looking at, not
// only to today.
func (s *Service) OnThisDay(ctx context.Context, day time.Time) ([]Memory, error) {
	y, m, d := day.Date()
	leapDay := m == time.February && d == 28 && daysIn(day) == 28
	monthAgo := time.Date(y, m-1, 1, 0, 0, 0, 0, day.Location())
	if last := daysIn(monthAgo); d > last {
		monthAgo = monthAgo.AddDate(0, 0, last-1) // 31 March: a month ago is the end of February
	} else {
		monthAgo = monthAgo.AddDate(0, 0, d-1)
	}
	ix, err := s.readLane(ctx, nil)
	if err != nil {
		return nil, err
	}
	byYear := map[int][]string{} // by year × 100 + day: a 29 February apart from its 28
	var lastMonth []string
	for _, slot := range ix.order {
		doc := &ix.docs[slot]
		ey, em, ed := doc.created.Date()
		switch {
		case em == m && (ed == d || leapDay && ed == 29) && ey < y:
			byYear[ey*100+ed] = append(byYear[ey*100+ed], doc.id)
		case ey == monthAgo.Year() && em == monthAgo.Month() && ed == monthAgo.Day():
			lastMonth = append(lastMonth, doc.id)
		}
	}
	s.lane.mu.RUnlock()

	out := []Memory{} // [] in JSON, not null
	keys := slices.Sorted(maps.Keys(byYear))
	slices.Reverse(keys) // newest year first, and its 29 February before its 28
	for _, k := range keys {
		ago := y - k/100
		mem, err := s.memory(ctx, fmt.Sprintf("%d %s ago", ago, Plural(ago, "year", "years")), time.Date(k/100, m, k%100, 0, 0, 0, 0, day.Location()), byYear[k])
		if err != nil {
			return nil, err
		}
		if len(mem.Entries) > 0 {
			out = append(out, mem)
		}
	}
	if len(lastMonth) > 0 {
		mem, err := s.memory(ctx, "a month ago", monthAgo, lastMonth)
		if err != nil {
			return nil, err
		}
		if len(mem.Entries) > 0 {
			out = append(out, mem)
		}
	}
	return out, nil
}

func (s *Service) memory(ctx context.Context, label string, day time.Time, ids []string) (Memory, error) {
	mem := Memory{Label: label, Day: day}
	err := s.eachLive(ctx, ids, func(_ int, e Entry) bool {
		mem.Entries = append(mem.Entries, e)
		return true
	})
	if err != nil {
		return mem, fmt.Errorf("journal: on this day: %w", err)
	}
	return mem, nil
}

// daysIn returns the number of days in t's month.
func daysIn(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, t.Location()).Day()
}

// Span is the length of a timeline's periods.
type Span string

// The timeline's spans.
const (
	Day   Span = "day"
	Week  Span = "week"
	Month Span = "month"
	Year  Span = "year"
)

// ParseSpan reads --by's value.
func ParseSpan(s string) (Span, error) {
	switch v := Span(strings.ToLower(strings.TrimSpace(s))); v {
	case Day, Week, Month, Year:
		return v, nil
	case "":
		return Month, nil
	}
	return "", fmt.Errorf("%w: a timeline by %q: use day, week, month or year", ErrBadQuery, s)
}

// start returns the start of t's period of the span, at t's wall clock, in
// loc: entries count by the calendar where they were written.
func (sp Span) start(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	switch sp {
	case Year:
		return midnight(y, 1, 1, loc)
	case Month:
		return midnight(y, m, 1, loc)
	case Week: // weeks start on Monday (ISO 8601)
		wd := (int(t.Weekday()) + 6) % 7
		return midnight(y, m, d-wd, loc)
	}
	return midnight(y, m, d, loc)
}

// midnight is the first instant of the calendar day y-m-d in loc (d may
// run past the month, as time.Date allows). Where the clocks skip
// midnight (daylight saving starting at 0:00, as in Santiago or Asunción),
// that is the moment they jump, not 23:00 of the day before.
func midnight(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // the civil date, normalised
	for range 8 {
		ty, tm, td := t.Date()
		if ty == want.Year() && tm == want.Month() && td == want.Day() {
			return t
		}
		t = t.Add(30 * time.Minute) // the jump is an hour or half an hour
	}
	return t
}

// next returns the start of the period after the one starting at t
// (always after t, so that a walk over periods ends).
func (sp Span) next(t time.Time) time.Time {
	y, m, d := t.Date()
	var n time.Time
	switch sp {
	case Year:
		n = midnight(y+1, 1, 1, t.Location())
	case Month:
		n = midnight(y, m+1, 1, t.Location())
	case Week:
		n = midnight(y, m, d+7, t.Location())
	default:
		n = midnight(y, m, d+1, t.Location())
	}
	if !n.After(t) {
		n = t.Add(24 * time.Hour)
	}
	return n
}

// label names a period the way a person says it.
func (sp Span) label(start time.Time) string {
	switch sp {
	case Year:
		return start.Format("2006")
	case Month:
		return start.Format("January 2006")
	case Week:
		end := start.AddDate(0, 0, 6)
		if start.Year() != end.Year() {
			return fmt.Sprintf("%s – %s", start.Format("2 January 2006"), end.Format("2 January 2006"))
		}
		if start.Month() == end.Month() {
			return fmt.Sprintf("%d–%s", start.Day(), end.Format("2 January 2006"))
		}
		return fmt.Sprintf("%s – %s", start.Format("2 January"), end.Format("2 January 2006"))
	}
	return start.Format("Monday 2 January 2006")
}

// TimelineQuery asks for a page of the timeline.
type TimelineQuery struct {
	// By is the length of each period.
	By Span
	// Before, when set, starts the page with the period before the one
	// holding Before (a page's Next).
	Before time.Time
	// Periods caps the periods on the page (default 12); PerPeriod the
	// entries given with each (default 20; a period's Count says all).
	Periods, PerPeriod int
	// Location is the calendar periods are counted in (default time.Local).
	Location *time.Location
	Filter
}

// Period is one stretch of the timeline.
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Label string    `json:"label"`
	// Count is the number of entries in it.
	Count int `json:"count"`
	// Dominant is the Ekman group felt most in it (each entry counted by
	// its strongest feeling, the person's corrections first); "" when no
	// entry has a feeling.
	Dominant string `json:"dominant,omitempty"`
	// Feelings counts its entries by the Ekman group of their strongest
	// feeling.
	Feelings map[string]int `json:"feelings,omitempty"`
	// Entries are its newest entries, at most the query's PerPeriod.
	Entries []Entry `json:"entries"`
}

// Timeline is a page of periods, newest first.
type Timeline struct {
	Periods []Period `json:"periods"`
	// Next is the Before of the following page; zero at the journal's start.
	Next time.Time `json:"next,omitzero"`
}

// Timeline returns the journal in periods of a day, week, month or year,
// newest first, each with its entry count and dominant feeling; empty
// periods are left out.
func (s *Service) Timeline(ctx context.Context, q TimelineQuery) (Timeline, error) {
	if q.By == "" {
		q.By = Month
	}
	if _, err := ParseSpan(string(q.By)); err != nil {
		return Timeline{}, err
	}
	if err := q.Check(); err != nil {
		return Timeline{}, err
	}
	if q.Periods <= 0 {
		q.Periods = 12
	}
	if q.PerPeriod <= 0 {
		q.PerPeriod = 20
	}
	loc := q.Location
	if loc == nil {
		loc = time.Local
	}
	var before time.Time
	if !q.Before.IsZero() {
		before = q.By.start(q.Before.In(loc), loc)
	}
	ix, err := s.readLane(ctx, nil)
	if err != nil {
		return Timeline{}, err
	}
	keep := q.keep(ix)
	// Entries count by the calendar day where they were written, so an
	// entry written later may fall on an earlier day (written in Hawaii
	// after one written in Kiribati): every kept entry is put in its
	// period, and the periods are then ordered by their start.
	type bucket struct {
		p   Period
		ids []string
	}
	buckets := map[int64]*bucket{}
	starts := map[int]time.Time{} // by civil date written
	for _, slot := range ix.order {
		if !keep(slot) {
			continue
		}
		doc := &ix.docs[slot]
		y, m, d := doc.created.Date()
		civil := y*10000 + int(m)*100 + d
		start, ok := starts[civil]
		if !ok {
			start = q.By.start(doc.created, loc)
			starts[civil] = start
		}
		if !before.IsZero() && !start.Before(before) {
			continue
		}
		b := buckets[start.Unix()]
		if b == nil {
			b = &bucket{p: Period{Start: start, End: q.By.next(start), Label: q.By.label(start), Feelings: map[string]int{}}}
			buckets[start.Unix()] = b
		}
		b.p.Count++
		if doc.dominant >= 0 {
			b.p.Feelings[EkmanGroup(EmotionLabels[doc.dominant])]++
		}
		if len(b.ids) < q.PerPeriod { // the newest, as ix.order runs
			b.ids = append(b.ids, doc.id)
		}
	}
	keys := slices.Sorted(maps.Keys(buckets))
	slices.Reverse(keys)
	more := len(keys) > q.Periods
	page := Timeline{Periods: []Period{}} // [] in JSON, not null
	var ids [][]string
	for _, k := range keys[:min(len(keys), q.Periods)] {
		page.Periods = append(page.Periods, buckets[k].p)
		ids = append(ids, buckets[k].ids)
	}
	s.lane.mu.RUnlock()

	for i := range page.Periods {
		p := &page.Periods[i]
		p.Dominant = dominantGroup(p.Feelings)
		if len(p.Feelings) == 0 {
			p.Feelings = nil
		}
		err := s.eachLive(ctx, ids[i], func(_ int, e Entry) bool {
			p.Entries = append(p.Entries, e)
			return true
		})
		if err != nil {
			return page, fmt.Errorf("journal: timeline: %w", err)
		}
	}
	if more && len(page.Periods) > 0 {
		page.Next = page.Periods[len(page.Periods)-1].Start
	}
	return page, nil
}

// dominantGroup is the group counted most, ties going to the one shown
// first in EkmanGroups (neutral last).
func dominantGroup(counts map[string]int) string {
	best, n := "", 0
	for _, g := range EkmanGroups {
		if counts[g] > n {
			best, n = g, counts[g]
		}
	}
	return best
}
