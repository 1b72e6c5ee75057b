package journal

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Insights are the aggregates of a stretch of the journal: how the person
// has been feeling, period by period, by weekday and hour, which words and
// tags go with a feeling, how this stretch compares with the one before,
// and the patterns found in it, each with its evidence. They are computed
// from Memory Lane's in-memory index, never written anywhere.
//
// What is counted:
//   - An entry's scores are the emotion model's 28 scores, except for an
//     entry whose feelings the person corrected: there their labels are the
//     truth (1 for each, 0 for every other label).
//   - A group's score (joy, sadness, anger, fear, disgust, surprise,
//     neutral) is the highest score among its labels.
//   - An entry has a feeling when it is one of its feelings (corrections
//     first, else the model's labels); a group when one of its labels is.
//   - Valence is (P − N) / max(1, P + N), where P sums the scores of the joy
//     group's labels and N those of the sadness, anger, fear and disgust
//     groups; surprise and neutral count as neither. It lies in [−1, 1]: +1
//     all pleasant, −1 all unpleasant, near 0 mixed or mild.
//   - A period's or a day's level is the mean over its entries; days
//     without entries are missing, never zero.

// InsightsQuery asks for the insights of a stretch of the journal.
type InsightsQuery struct {
	// From and To bound the stretch: entries created in [From, To). A zero
	// From, or one before the first entry, starts at the first entry's
	// day; a zero To ends with today.
	From, To time.Time
	// Location is the calendar days and hours are counted in (default
	// time.Local).
	Location *time.Location
	// By is the length of Periods; "" chooses by the stretch's length: days
	// up to a month, weeks up to a year, months beyond.
	By Span
	// Seed makes the pattern tests' shuffles repeatable (0 is a seed too).
	Seed uint64
	// Levels asks for the levels alone (periods, calendar, weekdays, hours,
	// mix, streaks, change): no words, tags or patterns, whose tests cost
	// as much again. A chart needs no more.
	Levels bool
}

// Insights describe a stretch of the journal.
type Insights struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Entries counts its entries; Scored those with emotion scores.
	Entries int `json:"entries"`
	Scored  int `json:"scored"`
	// Days counts its calendar days; DaysWithEntries those written on.
	Days            int  `json:"days"`
	DaysWithEntries int  `json:"days_with_entries"`
	By              Span `json:"by"`
	// Periods cover the stretch in order, empty ones included (their
	// Entries 0, their levels null), so that a chart breaks there.
	Periods []Aggregate `json:"periods"`
	// Calendar holds the days with entries, oldest first.
	Calendar []DayMood `json:"calendar"`
	// Weekdays are Monday to Sunday; Hours 0 to 23 (by the hour an entry
	// was written).
	Weekdays []Slot `json:"weekdays"`
	Hours    []Slot `json:"hours"`
	// Mix shares the entries out by the group of their strongest feeling.
	Mix     []Share `json:"mix"`
	Streaks Streaks `json:"streaks"`
	// Words and Tags go with a group more often than usual.
	Words []Association `json:"words"`
	Tags  []Association `json:"tags"`
	// Change compares the stretch with the one of the same length before.
	Change *Comparison `json:"change,omitempty"`
	// Patterns are changes, weekly cycles and unusual days found in the
	// day-level series, with the false discovery rate controlled.
	Patterns []Pattern `json:"patterns"`
}

// Aggregate is one period's levels.
type Aggregate struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Label   string    `json:"label"`
	Entries int       `json:"entries"`
	// Mean is each label's mean score, Groups each group's; Share and
	// GroupShare the fraction of the period's scored entries that have the
	// label or group as a feeling. Nil when the period has no scored entry.
	// (Six labels share their group's name: joy the label, joy the group.)
	Mean       map[string]float64 `json:"mean,omitempty"`
	Groups     map[string]float64 `json:"groups,omitempty"`
	Share      map[string]float64 `json:"share,omitempty"`
	GroupShare map[string]float64 `json:"group_share,omitempty"`
	// Valence is the mean valence; Rolling the mean valence of the entries
	// of this period and the ones before it in the rolling window (7 days,
	// 4 weeks or 3 months). Nil without entries.
	Valence *float64 `json:"valence"`
	Rolling *float64 `json:"rolling"`
	// Dominant is the group most entries felt most; "" when none.
	Dominant string `json:"dominant,omitempty"`
}

// DayMood is one day with entries.
type DayMood struct {
	Day     time.Time `json:"day"`
	Entries int       `json:"entries"`
	// Valence is the mean of its entries' valence; null when none of them
	// has been read yet.
	Valence  *float64 `json:"valence"`
	Dominant string   `json:"dominant,omitempty"`
}

// Slot is the valence of a weekday or an hour.
type Slot struct {
	Label string `json:"label"`
	// Entries written in it; Days with entries in it (weekdays).
	Entries int `json:"entries"`
	Days    int `json:"days,omitempty"`
	// Valence is the mean (of day levels for a weekday, of entries for an
	// hour), Low and High its 95% interval; null without entries (the
	// interval also with one).
	Valence *float64 `json:"valence"`
	Low     *float64 `json:"low"`
	High    *float64 `json:"high"`
}

// Share is a group's part of a stretch.
type Share struct {
	Group string `json:"group"`
	// Entries whose strongest feeling is in the group, and their fraction
	// of the entries with a feeling.
	Entries int     `json:"entries"`
	Share   float64 `json:"share"`
	// Mean is the group's mean score over the scored entries.
	Mean float64 `json:"mean"`
}

// Streaks count days written on in a row. A missed day only ends a run; it
// is nothing to make up for.
type Streaks struct {
	// Current is the run of days with entries that ends on the stretch's
	// last day or the day before (0 when neither has an entry).
	Current int `json:"current"`
	// Longest is the longest run in the stretch, ending on LongestEnd.
	Longest    int       `json:"longest"`
	LongestEnd time.Time `json:"longest_end,omitzero"`
}

// Association is a word or tag that goes with a group more than usual.
type Association struct {
	Word  string `json:"word"`
	Group string `json:"group"`
	// With counts the entries with the word that have the group as a
	// feeling, Uses those with the word.
	With int `json:"with"`
	Uses int `json:"uses"`
	// Lift is how many times more often than across the stretch the group
	// is felt in entries with the word; Low and High its 95% interval.
	Lift float64 `json:"lift"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Q is the false-discovery-adjusted p-value over every word (or tag)
	// and group tested.
	Q float64 `json:"q"`
	// Tag is set when Word is a tag.
	Tag bool `json:"tag,omitempty"`
}

// Comparison sets a stretch against the one of the same length before it.
type Comparison struct {
	PreviousFrom    time.Time `json:"previous_from"`
	PreviousTo      time.Time `json:"previous_to"`
	Entries         int       `json:"entries"`
	PreviousEntries int       `json:"previous_entries"`
	// Items compare valence and each group's mean day level.
	Items []Delta `json:"items"`
}

// Delta is one level now and before, with the 95% interval of the
// difference (day levels, unequal variances).
type Delta struct {
	Name   string  `json:"name"`
	Now    float64 `json:"now"`
	Before float64 `json:"before"`
	Diff   float64 `json:"diff"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
}

// The minimum supports of an association: entries with the word, and
// entries with the word and the feeling.
const (
	minWordUses = 8
	minWordWith = 4
	minTagUses  = 5
	minTagWith  = 3
	maxAssoc    = 12
	assocFDR    = 0.05
)

// nSeries are the quantities tracked per entry: the 28 labels, then the 7
// groups.
const nSeries = len(EmotionLabels) + len(EkmanGroups)

// seriesName names series i: a label, or "group:" and a group.
func seriesName(i int) string {
	if i < len(EmotionLabels) {
		return EmotionLabels[i]
	}
	return groupPrefix + EkmanGroups[i-len(EmotionLabels)]
}

// groupPrefix marks a group's series name apart from the label of the same
// name.
const groupPrefix = "group:"

// split reads a series name: the label or group, and whether it is a group.
func split(name string) (string, bool) {
	if g, ok := strings.CutPrefix(name, groupPrefix); ok {
		return g, true
	}
	return name, false
}

// fill puts the values of the 35 series into the label and group maps.
func fill(labels, groups map[string]float64, v func(k int) float64) {
	for k := range nSeries {
		if k < len(EmotionLabels) {
			labels[EmotionLabels[k]] = v(k)
		} else {
			groups[EkmanGroups[k-len(EmotionLabels)]] = v(k)
		}
	}
}

// groupIndex maps each label to its group's place in EkmanGroups.
var groupIndex = func() [len(EmotionLabels)]int {
	var g [len(EmotionLabels)]int
	for i, l := range EmotionLabels {
		g[i] = slices.Index(EkmanGroups[:], EkmanGroup(l))
	}
	return g
}()

// valenceSign is +1 for a pleasant label, −1 for an unpleasant one, 0 else.
var valenceSign = func() [len(EmotionLabels)]float64 {
	var v [len(EmotionLabels)]float64
	for i, l := range EmotionLabels {
		switch EkmanGroup(l) {
		case "joy":
			v[i] = 1
		case "sadness", "anger", "fear", "disgust":
			v[i] = -1
		}
	}
	return v
}()

// truthScores are the scores insights count for e: the person's
// corrections as the truth, else the model's scores; false when it has
// neither.
func truthScores(e Entry) ([]float32, bool) {
	if e.Corrected() {
		sc := make([]float32, len(EmotionLabels))
		has := false
		for _, l := range e.Corrections.Labels {
			if i, ok := labelIndex[l]; ok {
				sc[i], has = 1, true
			}
		}
		return sc, has
	}
	if e.Emotions != nil && len(e.Emotions.Scores) == len(EmotionLabels) {
		return e.Emotions.Scores, true
	}
	return nil, false
}

// reading is what insights take of one entry.
type reading struct {
	slot     int
	created  time.Time // in the query's location
	day      int       // days since the stretch's first day
	scored   bool
	levels   [nSeries]float64
	feels    uint64 // bit i: series i is one of its feelings
	valence  float64
	dominant int // group index of its strongest feeling; -1 none
}

func readDoc(doc *laneDoc, slot int, loc *time.Location, first time.Time) reading {
	r := reading{slot: slot, created: doc.created.In(loc), dominant: -1, scored: doc.scored}
	r.day = dayIndex(first, r.created)
	for i := range EmotionLabels {
		if doc.feelings&(1<<i) != 0 {
			r.feels |= 1 << i
			r.feels |= 1 << (len(EmotionLabels) + groupIndex[i])
		}
	}
	if doc.dominant >= 0 {
		r.dominant = groupIndex[doc.dominant]
	}
	if !doc.scored {
		return r
	}
	var p, n float64
	for i, q := range doc.scores {
		x := float64(q) / 255
		r.levels[i] = x
		g := len(EmotionLabels) + groupIndex[i]
		r.levels[g] = max(r.levels[g], x)
		switch valenceSign[i] {
		case 1:
			p += x
		case -1:
			n += x
		}
	}
	r.valence = (p - n) / max(1, p+n)
	return r
}

// dayIndex counts the calendar days from first's day to t's day (each in
// its own location), by their civil dates.
func dayIndex(first, t time.Time) int { return civilDay(t) - civilDay(first) }

// civilDay numbers t's calendar day: days since 1 January 1970.
func civilDay(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}

// dayAt is the first instant of the calendar day i days after from's.
func dayAt(from time.Time, i int) time.Time {
	y, m, d := from.Date()
	return midnight(y, m, d+i, from.Location())
}

// Insights returns the insights of a stretch of the journal.
func (s *Service) Insights(ctx context.Context, q InsightsQuery) (Insights, error) {
	loc := q.Location
	if loc == nil {
		loc = time.Local
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return Insights{}, fmt.Errorf("%w: the stretch starts (%s) after it ends (%s)", ErrBadQuery,
			q.From.Format(time.DateOnly), q.To.Format(time.DateOnly))
	}
	if q.By != "" {
		if _, err := ParseSpan(string(q.By)); err != nil {
			return Insights{}, err
		}
	}
	from, to := q.From, q.To
	if to.IsZero() {
		to = Day.next(Day.start(s.now().In(loc), loc))
		if !from.IsZero() && !from.Before(to) {
			return Insights{}, fmt.Errorf("%w: the stretch starts (%s) after today", ErrBadQuery, from.Format(time.DateOnly))
		}
	}
	ix, err := s.readLane(ctx, nil)
	if err != nil {
		return Insights{}, err
	}
	if n := len(ix.order); n > 0 {
		// nothing comes before the first entry: a stretch starts there at
		// the earliest
		if first := ix.docs[ix.order[n-1]].created; from.IsZero() || from.Before(first) {
			from = first
		}
	} else if from.IsZero() {
		from = to.AddDate(0, 0, -1)
	}
	from = Day.start(from.In(loc), loc)
	to = to.In(loc)
	if !from.Before(to) {
		from = Day.start(to.Add(-time.Nanosecond), loc)
	}
	in := Insights{From: from, To: to, By: q.By}
	in.Days = dayIndex(from, to.Add(-time.Nanosecond)) + 1
	prevFrom := dayAt(from, -in.Days)
	var now, before []reading
	for _, slot := range ix.order { // newest first
		if err := ctx.Err(); err != nil {
			s.lane.mu.RUnlock()
			return Insights{}, fmt.Errorf("journal: insights: %w", err)
		}
		doc := &ix.docs[slot]
		switch {
		case !doc.created.Before(to):
			continue
		case !doc.created.Before(from):
			now = append(now, readDoc(doc, slot, loc, from))
		case !doc.created.Before(prevFrom):
			before = append(before, readDoc(doc, slot, loc, prevFrom))
		}
	}
	slices.Reverse(now)
	if !q.Levels {
		in.Words = ix.wordAssociations(now)
		in.Tags = ix.tagAssociations(now)
	}
	ids := make([]string, len(now))
	for i, r := range now {
		ids[i] = ix.docs[r.slot].id
	}
	s.lane.mu.RUnlock()

	in.Entries = len(now)
	days := dayLevels(now, in.Days)
	for _, d := range days {
		if d.entries > 0 {
			in.DaysWithEntries++
		}
	}
	for _, r := range now {
		if r.scored {
			in.Scored++
		}
	}
	if in.By == "" {
		in.By = chooseSpan(in.Days)
	}
	in.Periods = periods(now, from, to, in.By, loc)
	in.Calendar = calendar(days, from)
	in.Weekdays = weekdays(days, from)
	in.Hours = hours(now)
	in.Mix = mix(now)
	in.Streaks = streaks(days, from)
	if len(before) > 0 {
		in.Change = compare(days, dayLevels(before, in.Days), len(now), len(before), from, prevFrom)
	}
	if !q.Levels {
		in.Patterns = detect(days, now, ids, from, q.Seed)
	}
	return in, nil
}

// chooseSpan picks periods for a stretch of n days: days up to a month,
// weeks up to a year, months beyond (so that a chart has tens of points,
// not hundreds, and few of them empty).
func chooseSpan(n int) Span {
	switch {
	case n <= 31:
		return Day
	case n <= 366:
		return Week
	}
	return Month
}

// dayLevel is one calendar day's entries.
type dayLevel struct {
	entries, scored int
	sum             [nSeries]float64
	felt            [nSeries]int // scored entries with each series as a feeling
	valence         float64      // sum over scored entries
	groups          [len(EkmanGroups)]int
}

func (d *dayLevel) add(r reading) {
	d.entries++
	if r.dominant >= 0 {
		d.groups[r.dominant]++
	}
	if !r.scored {
		return
	}
	d.scored++
	for i, x := range r.levels {
		d.sum[i] += x
		if r.feels&(1<<i) != 0 {
			d.felt[i]++
		}
	}
	d.valence += r.valence
}

// level is the day's mean of series i; ok false without scored entries.
func (d *dayLevel) level(i int) (float64, bool) {
	if d.scored == 0 {
		return 0, false
	}
	return d.sum[i] / float64(d.scored), true
}

func (d *dayLevel) meanValence() (float64, bool) {
	if d.scored == 0 {
		return 0, false
	}
	return d.valence / float64(d.scored), true
}

func dayLevels(rs []reading, n int) []dayLevel {
	days := make([]dayLevel, n)
	for _, r := range rs {
		if r.day >= 0 && r.day < n {
			days[r.day].add(r)
		}
	}
	return days
}

// dominantOf is the group counted most (ties to the one first in
// EkmanGroups), "" when none.
func dominantOf(counts [len(EkmanGroups)]int) string {
	best, n := "", 0
	for g, c := range counts {
		if c > n {
			best, n = EkmanGroups[g], c
		}
	}
	return best
}

func periods(rs []reading, from, to time.Time, by Span, loc *time.Location) []Aggregate {
	var out []Aggregate
	var acc []dayLevel
	for start := by.start(from, loc); start.Before(to); start = by.next(start) {
		out = append(out, Aggregate{Start: start, End: by.next(start), Label: by.label(start)})
		acc = append(acc, dayLevel{})
	}
	i := 0
	for _, r := range rs { // oldest first
		for i+1 < len(out) && !r.created.Before(out[i+1].Start) {
			i++
		}
		acc[i].add(r)
	}
	window := map[Span]int{Day: 7, Week: 4, Month: 3, Year: 1}[by]
	for i := range out {
		a, d := &out[i], &acc[i]
		a.Entries = d.entries
		a.Dominant = dominantOf(d.groups)
		if d.scored > 0 {
			a.Mean, a.Groups = map[string]float64{}, map[string]float64{}
			fill(a.Mean, a.Groups, func(k int) float64 { return d.sum[k] / float64(d.scored) })
			a.Share, a.GroupShare = map[string]float64{}, map[string]float64{}
			fill(a.Share, a.GroupShare, func(k int) float64 { return float64(d.felt[k]) / float64(d.scored) })
			v := d.valence / float64(d.scored)
			a.Valence = &v
		}
		var sum float64
		var n int
		for j := max(0, i-window+1); j <= i; j++ {
			sum += acc[j].valence
			n += acc[j].scored
		}
		if n > 0 && d.entries > 0 {
			v := sum / float64(n)
			a.Rolling = &v
		}
	}
	return out
}

func calendar(days []dayLevel, from time.Time) []DayMood {
	var out []DayMood
	for i := range days {
		d := &days[i]
		if d.entries == 0 {
			continue
		}
		m := DayMood{Day: dayAt(from, i), Entries: d.entries, Dominant: dominantOf(d.groups)}
		if v, ok := d.meanValence(); ok {
			m.Valence = &v
		}
		out = append(out, m)
	}
	return out
}

// meanInterval is the mean of xs and its 95% interval (normal
// approximation); with one value the interval is unknown (±Inf).
func meanInterval(xs []float64) (mean, low, high float64) {
	if len(xs) < 2 {
		return xs[0], math.Inf(-1), math.Inf(1)
	}
	mean, variance := meanVar(xs)
	half := 1.96 * math.Sqrt(variance/float64(len(xs)))
	return mean, mean - half, mean + half
}

func slot(label string, entries int, xs []float64) Slot {
	s := Slot{Label: label, Entries: entries}
	if len(xs) > 0 {
		m, lo, hi := meanInterval(xs)
		s.Valence = &m
		if len(xs) > 1 {
			lo, hi = max(lo, -1), min(hi, 1)
			s.Low, s.High = &lo, &hi
		}
	}
	return s
}

func weekdays(days []dayLevel, from time.Time) []Slot {
	var vals [7][]float64
	var entries, with [7]int
	for i := range days {
		d := &days[i]
		if d.entries == 0 {
			continue
		}
		wd := (int(dayAt(from, i).Weekday()) + 6) % 7 // Monday first
		entries[wd] += d.entries
		with[wd]++
		if v, ok := d.meanValence(); ok {
			vals[wd] = append(vals[wd], v)
		}
	}
	out := make([]Slot, 7)
	for wd := range out {
		out[wd] = slot(time.Weekday((wd + 1) % 7).String()[:3], entries[wd], vals[wd])
		out[wd].Days = with[wd]
	}
	return out
}

func hours(rs []reading) []Slot {
	var vals [24][]float64
	var entries [24]int
	for _, r := range rs {
		h := r.created.Hour()
		entries[h]++
		if r.scored {
			vals[h] = append(vals[h], r.valence)
		}
	}
	out := make([]Slot, 24)
	for h := range out {
		out[h] = slot(fmt.Sprintf("%02d", h), entries[h], vals[h])
	}
	return out
}

func mix(rs []reading) []Share {
	var counts [len(EkmanGroups)]int
	var sums [len(EkmanGroups)]float64
	felt, scored := 0, 0
	for _, r := range rs {
		if r.dominant >= 0 {
			counts[r.dominant]++
			felt++
		}
		if r.scored {
			scored++
			for g := range EkmanGroups {
				sums[g] += r.levels[len(EmotionLabels)+g]
			}
		}
	}
	out := make([]Share, 0, len(EkmanGroups))
	for g, name := range EkmanGroups {
		sh := Share{Group: name, Entries: counts[g]}
		if felt > 0 {
			sh.Share = float64(counts[g]) / float64(felt)
		}
		if scored > 0 {
			sh.Mean = sums[g] / float64(scored)
		}
		out = append(out, sh)
	}
	slices.SortStableFunc(out, func(a, b Share) int { return b.Entries - a.Entries })
	return out
}

func streaks(days []dayLevel, from time.Time) Streaks {
	var st Streaks
	run := 0
	for i := range days {
		if days[i].entries == 0 {
			run = 0
			continue
		}
		run++
		if run > st.Longest {
			st.Longest, st.LongestEnd = run, dayAt(from, i)
		}
	}
	last := len(days) - 1
	if last >= 0 && days[last].entries == 0 {
		last-- // today not written yet: yesterday's run still counts
	}
	for i := last; i >= 0 && days[i].entries > 0; i-- {
		st.Current++
	}
	return st
}

// compare sets the stretch's day levels (a, from now entries) against those of
// the stretch before (b, from before entries).
func compare(a, b []dayLevel, now, before int, from, prevFrom time.Time) *Comparison {
	c := &Comparison{PreviousFrom: prevFrom, PreviousTo: from, Entries: now, PreviousEntries: before}
	item := func(name string, get func(d *dayLevel) (float64, bool)) {
		var xa, xb []float64
		for i := range a {
			if v, ok := get(&a[i]); ok {
				xa = append(xa, v)
			}
			if v, ok := get(&b[i]); ok {
				xb = append(xb, v)
			}
		}
		if len(xa) < 2 || len(xb) < 2 {
			return
		}
		ma, va := meanVar(xa)
		mb, vb := meanVar(xb)
		half := 1.96 * math.Sqrt(va/float64(len(xa))+vb/float64(len(xb)))
		d := ma - mb
		c.Items = append(c.Items, Delta{Name: name, Now: ma, Before: mb, Diff: d, Low: d - half, High: d + half})
	}
	item("valence", (*dayLevel).meanValence)
	for g, name := range EkmanGroups {
		k := len(EmotionLabels) + g
		item(name, func(d *dayLevel) (float64, bool) { return d.level(k) })
	}
	return c
}

func meanVar(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs)-1)
}
