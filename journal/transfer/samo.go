package transfer

import (
	"fmt"
	"io"
	"time"
)

// ReadJSON reads a SAMO export document (see WriteJSON) and returns its
// entries with their ids, times in their zones, and recordings. A document
// of another format or version is an error wrapping ErrUnknownFormat. On any
// error it returns no entries, and a Report that counts none imported.
func ReadJSON(r io.Reader) ([]Exported, Report, error) {
	return readJSON(r, MaxInputBytes)
}

func readJSON(r io.Reader, limit int64) ([]Exported, Report, error) {
	var out []Exported
	rep, err := scanJSON(r, limit, func(e Exported) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		rep.Imported = 0
		return nil, rep, err
	}
	return out, rep, nil
}

// ScanJSON reads a SAMO export document like ReadJSON but passes each entry
// to f as soon as it is read, so that a large export with recordings is
// never held whole. It stops at f's first error and returns it wrapped.
// Entries already passed to f stay passed when a later one is malformed.
//
// WriteJSON writes "format" and "version" before "entries"; when a document
// has them after, its entries are held until the header is checked.
func ScanJSON(r io.Reader, f func(Exported) error) (Report, error) {
	return scanJSON(r, MaxInputBytes, f)
}

func scanJSON(r io.Reader, limit int64, f func(Exported) error) (Report, error) {
	s := newSource("SAMO export", r, limit)
	var (
		format, version bool // seen and right
		seenEntries     bool
		pending         []Exported // entries read before the header
	)
	deliver := func(i int, e Exported) error {
		// A recording that waits for its transcript, or held no speech,
		// has no text, on purpose: it keeps its audio as it is.
		if !(e.Wordless() && len(e.AudioData) > 0) {
			text, ok := s.text(i, e.Text)
			if !ok {
				return nil
			}
			e.Text = text
		}
		e.Tags = s.tags(i, e.Tags, "")
		if loc := s.zone(e.Zone); loc != nil {
			e.Created = inZone(e.Created, loc)
			e.Updated = inZone(e.Updated, loc)
			if e.Emotions != nil {
				e.Emotions.At = inZone(e.Emotions.At, loc)
			}
			if e.Corrections != nil {
				e.Corrections.At = inZone(e.Corrections.At, loc)
			}
		}
		if err := f(e); err != nil {
			return fmt.Errorf("%s: %w", s.prefix(i), err)
		}
		s.rep.Imported++
		return nil
	}
	err := s.document(func(key string) error {
		switch key {
		case "format":
			var v any
			if err := s.decode(key, &v); err != nil {
				return err
			}
			if v != Format {
				return fmt.Errorf("%w: format %s is not %q", ErrUnknownFormat, short(v), Format)
			}
			format = true
		case "version":
			var v any
			if err := s.decode(key, &v); err != nil {
				return err
			}
			if v != float64(Version) {
				return fmt.Errorf("%w: version %s, this SAMO reads version %d", ErrUnknownFormat, short(v), Version)
			}
			version = true
		case "entries":
			if seenEntries {
				return s.errorf(-1, "more than one \"entries\" array")
			}
			seenEntries = true
			return s.array(key, func(i int) error {
				var e Exported
				if err := s.entry(i, &e); err != nil {
					return err
				}
				if format && version {
					return deliver(i, e)
				}
				pending = append(pending, e)
				return nil
			})
		default:
			return s.skip()
		}
		return nil
	})
	if err != nil {
		return s.rep, err
	}
	if !format {
		return s.rep, fmt.Errorf("%w: no \"format\" field, not a SAMO export", ErrUnknownFormat)
	}
	if !version {
		return s.rep, fmt.Errorf("%w: no \"version\" field", ErrUnknownFormat)
	}
	if !seenEntries {
		return s.rep, s.errorf(-1, "no \"entries\" array")
	}
	for i, e := range pending {
		if err := deliver(i, e); err != nil {
			return s.rep, err
		}
	}
	return s.rep, nil
}

// short shows a header value in an error, cut to a readable length.
func short(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%.40q", v)
	case float64:
		return fmt.Sprint(v)
	case nil:
		return "null"
	case bool:
		return fmt.Sprint(v)
	case []any:
		return "an array"
	}
	return "an object"
}

// inZone returns t in loc when loc gives t the offset it has, so that a time
// read back from JSON, which knows only its offset, gets its zone again.
func inZone(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	_, off := t.Zone()
	u := t.In(loc)
	if _, uoff := u.Zone(); uoff != off {
		return t
	}
	return u
}
