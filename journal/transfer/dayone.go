package transfer

import (
	"io"
	"strings"
	"time"

	"github.com/samojournal/samo/journal"
)

// dayOneEntry is the part of a Day One JSON export's entry SAMO keeps.
type dayOneEntry struct {
	CreationDate *string  `json:"creationDate"` // "2023-01-02T10:00:00Z"
	ModifiedDate string   `json:"modifiedDate"`
	TimeZone     string   `json:"timeZone"` // "Europe/Paris"
	Text         string   `json:"text"`
	Tags         []string `json:"tags"`
}

// ReadDayOne reads the JSON file of a Day One export (Journal.json in the
// export's zip):
//
//	{"metadata": {"version": "1.0"}, "entries": [{"uuid": "…",
//	  "creationDate": "2023-01-02T10:00:00Z", "modifiedDate": "…",
//	  "timeZone": "Europe/Paris", "text": "…", "tags": ["a"], …}]}
//
// An entry's text is Day One's Markdown "text" with its backslash escapes
// ("\." "\!" "\-" "\(") undone. Created is creationDate in the entry's
// timeZone, which becomes Zone, when that zone loads with time.LoadLocation,
// and in UTC otherwise; Updated is modifiedDate, or Created when there is
// none. Ids are left empty for the caller; photos, places, weather and the
// star are dropped. On any error it returns no entries, and a Report that
// counts none imported.
func ReadDayOne(r io.Reader) ([]journal.Entry, Report, error) {
	return readDayOne(r, MaxInputBytes)
}

func readDayOne(r io.Reader, limit int64) ([]journal.Entry, Report, error) {
	s := newSource("Day One", r, limit)
	s.entryMax = maxTextEntryBytes
	var out []journal.Entry
	err := s.eachEntry(func(i int) error {
		var d dayOneEntry
		if err := s.entry(i, &d); err != nil {
			return err
		}
		if d.CreationDate == nil {
			return s.errorf(i, "no creationDate")
		}
		created, err := time.Parse(time.RFC3339, *d.CreationDate)
		if err != nil {
			return s.errorf(i, "bad creationDate %.40q", *d.CreationDate)
		}
		if journal.CheckTime(created) != nil {
			return s.errorf(i, "creationDate %.40q: outside 1970–2262, the dates SAMO can store", *d.CreationDate)
		}
		updated := created
		if d.ModifiedDate != "" {
			if updated, err = time.Parse(time.RFC3339, d.ModifiedDate); err != nil {
				return s.errorf(i, "bad modifiedDate %.40q", d.ModifiedDate)
			}
			if journal.CheckTime(updated) != nil {
				return s.errorf(i, "modifiedDate %.40q: outside 1970–2262, the dates SAMO can store", d.ModifiedDate)
			}
		}
		text, ok := s.text(i, unescapeMarkdown(d.Text))
		if !ok {
			return nil
		}
		e := journal.Entry{
			Created: created.UTC(),
			Updated: updated.UTC(),
			Text:    text,
			Tags:    s.tags(i, d.Tags, ""),
		}
		if loc := s.zone(d.TimeZone); loc != nil {
			e.Created, e.Updated, e.Zone = created.In(loc), updated.In(loc), d.TimeZone
		} else if d.TimeZone != "" {
			s.warnf(i, "unknown time zone %.40q, time kept in UTC", d.TimeZone)
		}
		out = append(out, e)
		s.rep.Imported++
		return nil
	})
	if err != nil {
		s.rep.Imported = 0
		return nil, s.rep, err
	}
	return out, s.rep, nil
}

// markdownEscapable holds the ASCII punctuation Markdown lets a backslash
// escape; Day One escapes some of it in the text it exports.
const markdownEscapable = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// unescapeMarkdown undoes backslash escapes of ASCII punctuation: `\.` reads
// as ".", `\\` as one backslash. A backslash before anything else stays.
func unescapeMarkdown(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(markdownEscapable, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
