package transfer

import (
	"io"
	"time"

	"github.com/samojournal/samo/journal"
)

// jrnlEntry is one entry of jrnl's JSON export ("jrnl --format json").
type jrnlEntry struct {
	Date  *string  `json:"date"` // "2023-01-02"
	Time  *string  `json:"time"` // "10:00"
	Title string   `json:"title"`
	Body  string   `json:"body"`
	Tags  []string `json:"tags"` // "@work"
}

// ReadJrnl reads jrnl's JSON export, written by "jrnl --format json":
//
//	{"tags": {"@work": 1}, "entries": [{"date": "2023-01-02", "time": "10:00",
//	  "title": "First line", "body": "rest of text", "tags": ["@work"], "starred": false}]}
//
// An entry's text is its title, a newline and its body, or the title or the
// body alone when the other is empty. Its date and time, which jrnl writes
// without a zone, are read in loc (time.Local when loc is nil), and Zone is
// loc's IANA name when it is known. Tags lose their leading "@" (or "#", jrnl's other
// default tag symbol). Updated is Created, ids are left empty for the caller,
// and jrnl's star, which an entry here does not have, is dropped. On any
// error it returns no entries, and a Report that counts none imported.
func ReadJrnl(r io.Reader, loc *time.Location) ([]journal.Entry, Report, error) {
	return readJrnl(r, loc, MaxInputBytes)
}

func readJrnl(r io.Reader, loc *time.Location, limit int64) ([]journal.Entry, Report, error) {
	if loc == nil {
		loc = time.Local
	}
	zone := journal.ZoneName(loc)
	s := newSource("jrnl", r, limit)
	s.entryMax = maxTextEntryBytes
	var out []journal.Entry
	err := s.eachEntry(func(i int) error {
		var j jrnlEntry
		if err := s.entry(i, &j); err != nil {
			return err
		}
		if j.Date == nil {
			return s.errorf(i, "no date")
		}
		if j.Time == nil {
			return s.errorf(i, "no time")
		}
		day, err := time.ParseInLocation(time.DateOnly, *j.Date, loc)
		if err != nil {
			return s.errorf(i, "bad date %.40q", *j.Date)
		}
		clock, err := parseClock(*j.Time)
		if err != nil {
			return s.errorf(i, "bad time %.40q", *j.Time)
		}
		text := j.Title + "\n" + j.Body
		if j.Title == "" || j.Body == "" {
			text = j.Title + j.Body
		}
		text, ok := s.text(i, text)
		if !ok {
			return nil
		}
		created := time.Date(day.Year(), day.Month(), day.Day(),
			clock.Hour(), clock.Minute(), clock.Second(), 0, loc)
		if err := journal.CheckTime(created); err != nil {
			return s.errorf(i, "date %.40q: outside 1970–2262, the dates SAMO can store", *j.Date)
		}
		out = append(out, journal.Entry{
			Created: created,
			Updated: created,
			Zone:    zone,
			Text:    text,
			Tags:    s.tags(i, j.Tags, "@#"),
		})
		s.rep.Imported++
		return nil
	})
	if err != nil {
		s.rep.Imported = 0
		return nil, s.rep, err
	}
	return out, s.rep, nil
}

// parseClock reads jrnl's "15:04", or "15:04:05", as a time of day on
// 1 January of year 0; only its clock is used.
func parseClock(s string) (time.Time, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		t, err = time.Parse(time.TimeOnly, s)
	}
	return t, err
}
