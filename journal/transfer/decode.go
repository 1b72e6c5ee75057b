package transfer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/samojournal/samo/journal"
)

// limitedReader reads at most n bytes from r and notes when r holds more;
// while entryLeft is not negative, it also stops an entry that grows past
// it (entryOver).
type limitedReader struct {
	r         io.Reader
	n         int64
	over      bool
	entryLeft int64
	entryOver bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.entryLeft == 0 {
		l.entryOver = true
		return 0, errEntryTooLarge
	}
	if l.entryLeft > 0 && int64(len(p)) > l.entryLeft {
		p = p[:l.entryLeft]
	}
	n, err := l.read(p)
	if l.entryLeft > 0 {
		l.entryLeft -= int64(n)
	}
	return n, err
}

// errEntryTooLarge stops the decoder inside an entry larger than the
// format allows.
var errEntryTooLarge = errors.New("entry too large")

// maxTextEntryBytes is the most one entry of a text-only format (jrnl, Day
// One) can take: a text at journal.MaxTextBytes written entirely as \u
// escapes, and room for its other fields. A larger entry is refused as soon
// as the reading passes this, before it is held whole.
const maxTextEntryBytes = 6*journal.MaxTextBytes + 1<<20

func (l *limitedReader) read(p []byte) (int, error) {
	if l.n <= 0 {
		// At the limit: one more byte means the input is too large.
		var b [1]byte
		n, err := l.r.Read(b[:])
		if n > 0 {
			l.over = true
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// source reads one JSON document, a value at a time, and words its errors
// and warnings. Every method's error is ready to return to the caller.
type source struct {
	name string // "jrnl", "Day One", "SAMO export"
	// entryMax bounds one entry's bytes (0: only the document's limit).
	entryMax int64
	lr       *limitedReader
	dec      *json.Decoder
	rep      Report
	zones    map[string]*time.Location // LoadLocation's answers, nil for failures
}

func newSource(name string, r io.Reader, limit int64) *source {
	lr := &limitedReader{r: r, n: limit, entryLeft: -1}
	return &source{name: name, lr: lr, dec: json.NewDecoder(lr)}
}

// prefix names the document, or the entry when i >= 0.
func (s *source) prefix(i int) string {
	if i < 0 {
		return "transfer: " + s.name
	}
	return fmt.Sprintf("transfer: %s entry %d", s.name, i+1)
}

// errorf returns a new error about entry i (the document when i < 0).
func (s *source) errorf(i int, format string, a ...any) error {
	return fmt.Errorf("%s: %s", s.prefix(i), fmt.Sprintf(format, a...))
}

// fail words err, a reading or decoding error, for entry i (the document
// when i < 0). It returns nil for nil, and ErrTooLarge when the input went
// past the limit, whatever err says.
func (s *source) fail(i int, err error) error {
	if err == nil {
		return nil
	}
	if s.lr.over || errors.Is(err, ErrTooLarge) {
		return ErrTooLarge
	}
	if s.lr.entryOver {
		return fmt.Errorf("%s: %w: it is over %d MiB, more than a text of the %d MiB limit can take; nothing was imported", s.prefix(i), ErrEntryTooLarge, s.entryMax>>20, journal.MaxTextBytes>>20)
	}
	var syntax *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: input ends too soon, the file may be cut short: %w", s.prefix(i), io.ErrUnexpectedEOF)
	case errors.As(err, &syntax):
		return fmt.Errorf("%s: %w (at byte %d)", s.prefix(i), err, syntax.Offset)
	}
	return fmt.Errorf("%s: %w", s.prefix(i), err)
}

// warnf adds a warning about entry i.
func (s *source) warnf(i int, format string, a ...any) {
	s.rep.warnf("%s entry %d: %s", s.name, i+1, fmt.Sprintf(format, a...))
}

// document reads the top-level object, calling field for each key; field
// must read or skip the key's value. It then checks that nothing follows.
func (s *source) document(field func(key string) error) error {
	tok, err := s.dec.Token()
	if err == io.EOF {
		return s.errorf(-1, "empty input")
	}
	if err != nil {
		return s.fail(-1, err)
	}
	if tok != json.Delim('{') {
		return s.errorf(-1, "not a JSON object")
	}
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return s.fail(-1, err)
		}
		key, _ := tok.(string)
		if err := field(key); err != nil {
			return err
		}
	}
	if _, err := s.dec.Token(); err != nil {
		return s.fail(-1, err)
	}
	_, err = s.dec.Token()
	switch {
	case s.lr.over:
		return ErrTooLarge
	case err != io.EOF:
		return s.errorf(-1, "data after the end of the JSON document")
	}
	return nil
}

// array reads an array value, calling item for each of its items with its
// index; item must read the value. A null reads as an empty array.
// eachEntry walks the document's one "entries" array, calling item for each
// element and skipping every other key; a document without one is an error.
func (s *source) eachEntry(item func(i int) error) error {
	seen := false
	err := s.document(func(key string) error {
		if key != "entries" {
			return s.skip()
		}
		if seen {
			return s.errorf(-1, "more than one \"entries\" array")
		}
		seen = true
		return s.array(key, item)
	})
	if err == nil && !seen {
		err = s.errorf(-1, "no \"entries\" array, not a %s JSON export", s.name)
	}
	return err
}

func (s *source) array(what string, item func(i int) error) error {
	tok, err := s.dec.Token()
	if err != nil {
		return s.fail(-1, err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return s.errorf(-1, "%q is not an array", what)
	}
	for i := 0; s.dec.More(); i++ {
		if err := item(i); err != nil {
			return err
		}
	}
	_, err = s.dec.Token()
	return s.fail(-1, err)
}

// skip reads and drops one value.
func (s *source) skip() error {
	depth := 0
	for {
		tok, err := s.dec.Token()
		if err != nil {
			return s.fail(-1, err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// decode reads one value into v, for the document's own fields.
func (s *source) decode(key string, v any) error {
	if err := s.dec.Decode(v); err != nil {
		if s.lr.over {
			return ErrTooLarge
		}
		return s.fail(-1, fmt.Errorf("%q: %w", key, err))
	}
	return nil
}

// entry reads item i of the entries array into v. Invalid UTF-8 is replaced
// with U+FFFD first, as journal.CleanText does, with a warning.
func (s *source) entry(i int, v any) error {
	var raw json.RawMessage
	if s.entryMax > 0 {
		s.lr.entryLeft = s.entryMax
	}
	err := s.dec.Decode(&raw)
	s.lr.entryLeft = -1
	if err != nil {
		return s.fail(i, err)
	}
	if len(raw) == 0 || raw[0] != '{' {
		return s.errorf(i, "not a JSON object")
	}
	if !utf8.Valid(raw) {
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
		s.warnf(i, "invalid UTF-8 replaced with U+FFFD")
	}
	return s.fail(i, json.Unmarshal(raw, v))
}

// text cleans entry i's text with journal.CleanText. It returns false, and
// counts the entry as skipped, when the text is empty or too long.
func (s *source) text(i int, text string) (string, bool) {
	clean, repaired, err := journal.CleanText(text)
	switch {
	case errors.Is(err, journal.ErrEmptyText):
		s.rep.Skipped++
		return "", false
	case err != nil:
		s.rep.Skipped++
		s.warnf(i, "skipped: %v", err)
		return "", false
	case repaired:
		s.warnf(i, "invalid UTF-8 replaced with U+FFFD")
	}
	return clean, true
}

// tags cleans another program's tags for entry i: it trims them, drops a
// leading character of cut ("@" for jrnl), drops empty and repeated ones,
// and leaves out, with a warning, those longer than journal.MaxTagBytes and
// those past journal.MaxTags.
func (s *source) tags(i int, tags []string, cut string) []string {
	var out []string
	for _, t := range tags {
		t = strings.ToValidUTF8(t, "\uFFFD")
		t = strings.Join(strings.FieldsFunc(t, unicode.IsControl), " ") // no line breaks or escapes
		t = strings.TrimSpace(t)
		if t != "" && strings.IndexByte(cut, t[0]) >= 0 {
			t = strings.TrimSpace(t[1:])
		}
		switch {
		case t == "":
			continue
		case len(t) > journal.MaxTagBytes:
			s.warnf(i, "tag %s longer than %d bytes left out", journal.Quote(t), journal.MaxTagBytes)
			continue
		case slices.Contains(out, t):
			continue
		case len(out) == journal.MaxTags:
			s.warnf(i, "more than %d tags, tag %s and later ones left out", journal.MaxTags, journal.Quote(t))
			return out
		}
		out = append(out, t)
	}
	return out
}

// zone loads the IANA zone name, remembering the answer for this document.
// It returns nil for "", "Local" and names that do not load.
func (s *source) zone(name string) *time.Location {
	if name == "" || name == "Local" {
		return nil
	}
	if loc, ok := s.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	if s.zones == nil {
		s.zones = make(map[string]*time.Location)
	}
	s.zones[name] = loc
	return loc
}
