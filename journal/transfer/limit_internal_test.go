package transfer

import (
	"errors"
	"io"
	"strings"
	"testing"
)

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestEntryTooLarge_StopsEarly: an entry larger than a text-only format can
// hold is refused once the reading passes the bound, without reading (and
// holding) the rest of it, and the error names the entry.
func TestEntryTooLarge_StopsEarly(t *testing.T) {
	head := `{"entries":[{"date":"2026-01-01","time":"10:00","body":"short"},`
	doc := head + `{"date":"2026-01-02","time":"10:00","body":"` + strings.Repeat("a", 1<<20) + `"}]}`
	cr := &countingReader{r: strings.NewReader(doc)}
	s := newSource("jrnl", cr, MaxInputBytes)
	s.entryMax = 4096
	read := 0
	err := s.eachEntry(func(i int) error {
		var v jrnlEntry
		if err := s.entry(i, &v); err != nil {
			return err
		}
		read++
		return nil
	})
	if !errors.Is(err, ErrEntryTooLarge) || !strings.Contains(err.Error(), "entry 2") {
		t.Fatalf("err = %v, want ErrEntryTooLarge naming entry 2", err)
	}
	if read != 1 {
		t.Errorf("%d entries read before the large one, want 1", read)
	}
	if limit := len(head) + 2*4096; cr.n > limit {
		t.Errorf("read %d bytes of a %d-byte document, want at most %d", cr.n, len(doc), limit)
	}
}

// TestEntryTooLarge_OnlyPastTheBound: entries under the bound read as
// before, one after another.
func TestEntryTooLarge_OnlyPastTheBound(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"entries":[`)
	for i := range 50 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"date":"2026-01-02","time":"10:00","body":"` + strings.Repeat("b", 3000) + `"}`)
	}
	b.WriteString(`]}`)
	s := newSource("jrnl", strings.NewReader(b.String()), MaxInputBytes)
	s.entryMax = 4096
	n := 0
	err := s.eachEntry(func(i int) error {
		var v jrnlEntry
		n++
		return s.entry(i, &v)
	})
	if err != nil || n != 50 {
		t.Fatalf("read %d entries: %v", n, err)
	}
}

func TestReport_Lines(t *testing.T) {
	r := Report{Warnings: []string{"a", "b"}}
	if got := r.Lines(); len(got) != 2 {
		t.Errorf("Lines = %q", got)
	}
	r.MoreWarnings = 3
	if got := r.Lines(); len(got) != 3 || got[2] != "and 3 more" || len(r.Warnings) != 2 {
		t.Errorf("Lines = %q (Warnings %q)", got, r.Warnings)
	}
}
