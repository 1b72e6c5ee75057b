package journal

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SearchQuery is what a person looks for in Memory Lane: words and
// phrases, and filters that every result must pass.
type SearchQuery struct {
	// Words are searched by the words and, with an embedding model, by
	// meaning; Phrases must appear as they are (any case, any spacing).
	Words   []string
	Phrases []string
	// Not are words and phrases no result may hold.
	Not []string
	Filter
	// Limit caps the results; zero means DefaultSearchLimit.
	Limit int
}

// Filter keeps the entries a search or timeline shows.
type Filter struct {
	// From and To keep entries created in [From, To) when set, each entry
	// by the clock where it was written (23:00 on 29 February in Hawaii is
	// on 29 February, whatever the time in From's zone).
	From, To time.Time
	// Emotions keep entries with a feeling (their own corrections first)
	// that is one of these labels or in one of these Ekman groups.
	Emotions []string
	// Tags keep entries that carry every one of these tags.
	Tags []string
	// Audio keeps only entries with a recording; Corrected only entries
	// whose feelings the person corrected.
	Audio, Corrected bool
}

// DefaultSearchLimit is how many results a search gives unless told.
const DefaultSearchLimit = 20

// ErrBadQuery is wrapped by the errors of ParseSearch, ParsePeriod,
// ParseSpan, ParseSimilarity and Filter.Check.
var ErrBadQuery = errors.New("journal: cannot read the query")

// EkmanGroups are the Ekman groups, in the order SAMO shows them.
var EkmanGroups = [7]string{"joy", "sadness", "anger", "fear", "disgust", "surprise", "neutral"}

// ParseSearch reads a search as a person types it, in the syntax jrnl's
// users know: plain words; "quoted phrases"; @tag; -from DATE and -to DATE
// (a year, a month 2024-03, a day 2024-03-01, today or yesterday; -to takes
// in the whole of its period); -not WORD or -not "PHRASE"; -emotion NAME (a
// label like grief or a group like sadness; may repeat); -audio;
// -corrected. now is the time "today" means.
func ParseSearch(q string, now time.Time) (SearchQuery, error) {
	var out SearchQuery
	toks, err := splitQuery(q)
	if err != nil {
		return out, err
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		arg := func() (queryToken, error) {
			if i+1 >= len(toks) {
				return queryToken{}, fmt.Errorf("%w: %s needs a value", ErrBadQuery, t.text)
			}
			i++
			return toks[i], nil
		}
		switch {
		case t.quoted:
			out.Phrases = append(out.Phrases, t.text)
		case strings.HasPrefix(t.text, "@") && len(t.text) > 1:
			out.Tags = append(out.Tags, strings.TrimPrefix(t.text, "@"))
		case isOption(t.text):
			if err := queryOption(&out, t.text, arg, now); err != nil {
				return out, err
			}
		default:
			out.Words = append(out.Words, t.text)
		}
	}
	return out, nil
}

type queryToken struct {
	text   string
	quoted bool
}

// splitQuery splits at spaces, keeping "quoted phrases" whole.
func splitQuery(q string) ([]queryToken, error) {
	var out []queryToken
	q = strings.ReplaceAll(strings.ReplaceAll(q, "“", `"`), "”", `"`)
	for {
		q = strings.TrimLeftFunc(q, unicode.IsSpace)
		if q == "" {
			return out, nil
		}
		if q[0] == '"' {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("%w: a quote is not closed", ErrBadQuery)
			}
			if p := strings.Join(strings.Fields(q[1:1+end]), " "); p != "" {
				out = append(out, queryToken{text: p, quoted: true})
			}
			q = q[end+2:]
			continue
		}
		end := strings.IndexFunc(q, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
		if end < 0 {
			end = len(q)
		}
		out = append(out, queryToken{text: q[:end]})
		q = q[end:]
	}
}

// isOption reports whether a word is one of the search's options: a dash
// and letters ("-from"), not a dash in a word or a number ("-5").
func isOption(w string) bool {
	return len(w) > 1 && w[0] == '-' && strings.IndexFunc(w[1:], func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}

func queryOption(out *SearchQuery, opt string, arg func() (queryToken, error), now time.Time) error {
	switch strings.ToLower(opt) {
	case "-audio":
		out.Audio = true
	case "-corrected":
		out.Corrected = true
	case "-from", "-to", "-on":
		v, err := arg()
		if err != nil {
			return err
		}
		start, end, err := ParsePeriod(v.text, now)
		if err != nil {
			return err
		}
		if opt != "-to" {
			out.From = start
		}
		if opt != "-from" {
			out.To = end
		}
	case "-not":
		v, err := arg()
		if err != nil {
			return err
		}
		out.Not = append(out.Not, v.text)
	case "-emotion":
		v, err := arg()
		if err != nil {
			return err
		}
		if err := checkFeeling(v.text); err != nil {
			return err
		}
		out.Emotions = append(out.Emotions, strings.ToLower(v.text))
	default:
		return fmt.Errorf("%w: %s is not a search option (the options are -from, -to, -on, -not, -emotion, -audio, -corrected; put a word that starts with a dash in quotes)", ErrBadQuery, opt)
	}
	return nil
}

// checkFeeling checks a feeling a person filters by: an emotion label or an
// Ekman group.
func checkFeeling(f string) error {
	f = strings.ToLower(f)
	if _, ok := labelIndex[f]; ok || slices.Contains(EkmanGroups[:], f) {
		return nil
	}
	return fmt.Errorf("%w %q: use one of the emotions (%s) or groups (%s)", ErrUnknownEmotion, f,
		strings.Join(EmotionLabels[:], ", "), strings.Join(EkmanGroups[:], ", "))
}

// ParsePeriod reads a period as a person writes a date: a year ("2024"), a
// month ("2024-03"), a day ("2024-03-01"), "today" or "yesterday"; it
// returns its start and the start of the next period, in now's location.
func ParsePeriod(s string, now time.Time) (start, end time.Time, err error) {
	loc := now.Location()
	switch strings.ToLower(s) {
	case "today", "yesterday":
		y, m, d := now.Date()
		if strings.EqualFold(s, "yesterday") {
			d--
		}
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
		return start, start.AddDate(0, 0, 1), nil
	}
	for _, p := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	} {
		if t, err := time.ParseInLocation(p.layout, s, loc); err == nil {
			return t, p.next(t), nil
		}
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%w: cannot read the date %q: write a year (2024), a month (2024-03), a day (2024-03-01), today or yesterday", ErrBadQuery, s)
}

// ParseDay reads a day as ParsePeriod does and returns its start; "" is
// today.
func ParseDay(s string, now time.Time) (time.Time, error) {
	if s == "" {
		s = "today"
	}
	day, _, err := ParsePeriod(s, now)
	return day, err
}

// mask returns the emotion labels a filter's feelings stand for, as bits
// over EmotionLabels; 0 when it has none.
func (f Filter) mask() uint32 {
	var m uint32
	for _, want := range f.Emotions {
		want = strings.ToLower(want)
		for i, l := range EmotionLabels {
			if l == want || EkmanGroup(l) == want {
				m |= 1 << i
			}
		}
	}
	return m
}

// keep returns whether the index's entry in a slot passes the filter.
func (f Filter) keep(ix *laneIndex) func(slot int) bool {
	mask := f.mask()
	// an entry passes by the day and hour where it was written, as the
	// timeline counts it: From and To are read on their own clock
	from, to := wallClock(f.From), wallClock(f.To)
	return func(slot int) bool {
		d := &ix.docs[slot]
		if d.id == "" ||
			(!f.From.IsZero() && d.wall < from) ||
			(!f.To.IsZero() && d.wall >= to) ||
			(mask != 0 && d.feelings&mask == 0) ||
			(f.Audio && !d.audio) || (f.Corrected && !d.corrected) {
			return false
		}
		for _, t := range f.Tags {
			if !slices.ContainsFunc(d.tags, func(have string) bool { return strings.EqualFold(have, t) }) {
				return false
			}
		}
		return true
	}
}

// Narrow adds to f the filters as a command line gives them: since and until
// a year, month or day (see ParsePeriod; until takes in the whole of it),
// emotions separated by commas (labels or Ekman groups), a tag; "" adds
// nothing. It then checks the whole filter.
func (f *Filter) Narrow(since, until, emotions, tag string, now time.Time) error {
	if since != "" {
		start, _, err := ParsePeriod(since, now)
		if err != nil {
			return err
		}
		f.From = start
	}
	if until != "" {
		_, end, err := ParsePeriod(until, now)
		if err != nil {
			return err
		}
		f.To = end
	}
	for _, e := range strings.Split(emotions, ",") {
		if e = strings.TrimSpace(e); e != "" {
			f.Emotions = append(f.Emotions, e)
		}
	}
	if tag != "" {
		f.Tags = append(f.Tags, tag)
	}
	return f.Check()
}

// MaxQueryBytes is the longest search Search reads, its words, phrases and
// Not words together: far more than a person types, and short enough that
// a search stays quick (its work grows with its distinct words times the
// journal's vocabulary, under the index's lock). A longer one, a pasted
// page say, is refused with ErrBadQuery.
const MaxQueryBytes = 4096

// Check reports a search a person could not mean: one longer than
// MaxQueryBytes, one that is not UTF-8, or a filter Filter.Check refuses.
func (q SearchQuery) Check() error {
	n := 0
	for _, list := range [][]string{q.Words, q.Phrases, q.Not} {
		for _, w := range list {
			n += len(w) + 1
			if !utf8.ValidString(w) {
				return fmt.Errorf("%w: the search is not valid UTF-8 text", ErrBadQuery)
			}
		}
	}
	if n > MaxQueryBytes {
		return fmt.Errorf("%w: the search is %d bytes long; search with at most %d (a few words or a phrase find an entry)", ErrBadQuery, n, MaxQueryBytes)
	}
	return q.Filter.Check()
}

// Check reports a filter a person could not mean: an unknown feeling, or a
// period that ends before it starts.
func (f Filter) Check() error {
	for _, e := range f.Emotions {
		if err := checkFeeling(e); err != nil {
			return err
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		// To is the start of the day after the last one taken in
		return fmt.Errorf("%w: the period ends on %s, before it starts on %s", ErrBadQuery, f.To.Add(-time.Nanosecond).Format(time.DateOnly), f.From.Format(time.DateOnly))
	}
	return nil
}

// foldSpace lower-cases s and makes every run of white space one space,
// for phrase matching.
func foldSpace(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
