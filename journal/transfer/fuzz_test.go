package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
	"github.com/samojournal/samo/journal/transfer"
)

// seed adds the testdata file and the inputs of the error cases to f.
func seed(f *testing.F, file string, cases []errorCase, more ...string) {
	f.Add(readTestdata(f, file))
	for _, tc := range cases {
		f.Add([]byte(tc.in))
	}
	for _, s := range more {
		f.Add([]byte(s))
	}
}

// checkEntries fails unless the entries agree with the report and each has
// valid, non-blank UTF-8 text; when validate is set, each must also pass
// journal.Entry.Validate once given an id.
func checkEntries(t *testing.T, entries []journal.Entry, rep transfer.Report, validate bool) {
	t.Helper()
	if rep.Imported != len(entries) {
		t.Errorf("report counts %d imported, returned %d", rep.Imported, len(entries))
	}
	for i, e := range entries {
		if !utf8.ValidString(e.Text) || strings.TrimSpace(e.Text) == "" {
			t.Fatalf("entry %d text %q is invalid or blank", i+1, e.Text)
		}
		if validate {
			e.ID = "fuzz"
			if err := e.Validate(); err != nil {
				t.Fatalf("entry %d: %v", i+1, err)
			}
		}
	}
}

// checkFuzzError fails unless err is worded as the package's errors are.
func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	if err != nil && !strings.HasPrefix(err.Error(), "transfer: ") {
		t.Fatalf("error %q lacks the \"transfer: \" prefix", err)
	}
}

func FuzzReadJSON(f *testing.F) {
	seed(f, "samo.json", samoErrorCases(),
		`{"entries":[{"id":"a","text":"x","zone":"Europe/Paris","created":"2026-03-29T02:30:00+01:00"}],"format":"samo-journal","version":1}`,
		`{"format":"samo-journal","version":1,"entries":[{"id":"a","text":"\ud800 lone surrogate","tags":[""],"emotions":{"scores":[-0]}}]}`)
	f.Fuzz(func(t *testing.T, in []byte) {
		got, rep, err := transfer.ReadJSON(bytes.NewReader(in))
		checkFuzzError(t, err)
		if err != nil {
			if got != nil {
				t.Fatalf("entries returned with error %v", err)
			}
			return
		}
		entries := make([]journal.Entry, len(got))
		for i, e := range got {
			entries[i] = e.Entry
		}
		checkEntries(t, entries, rep, false)
		// What was read writes and reads back the same.
		var buf bytes.Buffer
		if err := transfer.WriteJSON(&buf, transfer.FromSlice(got)); err != nil {
			t.Fatalf("WriteJSON of what ReadJSON read: %v", err)
		}
		again, _, err := transfer.ReadJSON(&buf)
		if err != nil {
			t.Fatalf("ReadJSON of what WriteJSON wrote: %v\n%s", err, buf.Bytes())
		}
		if len(again) != len(got) {
			t.Fatalf("read back %d entries, want %d", len(again), len(got))
		}
		for i := range got {
			a, b := again[i], got[i]
			if a.ID != b.ID || a.Text != b.Text || !a.Created.Equal(b.Created) || !bytes.Equal(a.AudioData, b.AudioData) {
				t.Fatalf("entry %d read back differs:\n got %+v\nwant %+v", i+1, a, b)
			}
		}
	})
}

func FuzzReadJrnl(f *testing.F) {
	seed(f, "jrnl.json", jrnlErrorCases(),
		`{"entries":[{"date":"2023-03-26","time":"02:30","title":"in the DST gap","tags":["@a","#b"]}]}`,
		`{"entries":[{"date":"0000-01-01","time":"00:00:00","title":"`+"\xff"+`","body":" "}]}`)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, rep, err := transfer.ReadJrnl(bytes.NewReader(in), paris)
		checkFuzzError(t, err)
		if err != nil && got != nil {
			t.Fatalf("entries returned with error %v", err)
		}
		checkEntries(t, got, rep, true)
	})
}

func FuzzReadDayOne(f *testing.F) {
	seed(f, "dayone.json", dayOneErrorCases(),
		`{"entries":[{"creationDate":"2023-01-02T10:00:00Z","timeZone":"UTC","text":"\\\\\\`+"`"+`x\\"}]}`,
		`{"entries":[{"creationDate":"9999-12-31T23:59:59-23:59","timeZone":"Pacific/Kiritimati","text":"late","tags":[" ","\u0000"]}]}`)
	f.Fuzz(func(t *testing.T, in []byte) {
		got, rep, err := transfer.ReadDayOne(bytes.NewReader(in))
		checkFuzzError(t, err)
		if err != nil && got != nil {
			t.Fatalf("entries returned with error %v", err)
		}
		if errors.Is(err, transfer.ErrTooLarge) {
			t.Fatalf("a fuzz input is not too large: %v", err)
		}
		checkEntries(t, got, rep, true)
	})
}

// hostileImports are exports a person (or an attacker) could hand SAMO:
// ids that are paths, NULs, escapes or 3,000 characters long, tags with
// line breaks and terminal escapes, entries that are not objects.
var hostileImports = []string{
	`{"format":"samo-journal","version":1,"entries":[{"id":"../../evil","text":"x"}]}`,
	`{"format":"samo-journal","version":1,"entries":[{"id":"/etc/passwd","text":"x"},{"id":"/etc/passwd","text":"y"}]}`,
	`{"format":"samo-journal","version":1,"entries":[{"id":"a\u0000b","text":"x"}]}`,
	`{"format":"samo-journal","version":1,"entries":[{"id":"` + strings.Repeat("x", 3000) + `","text":"x"}]}`,
	`{"format":"samo-journal","version":1,"entries":[{"id":"\u001b[2J","text":"x","tags":["a\nb","\u001b[31mred","` + strings.Repeat("t", 200) + `"]}]}`,
	`{"format":"samo-journal","version":1,"entries":[{"id":"01m98yx49dtg8nbgmnq4bnbjx1","text":"lower-case id"}]}`,
	`{"format":"samo-journal","version":1,"entries":[{"id":"01M98YX49DTG8NBGMNQ4BNBJX1","text":"x"},{"id":"01M98YX49DTG8NBGMNQ4BNBJX1","text":"twice"}]}`,
	`{"format":"samo-journal","version":1,"entries":[1,"two",null,[]]}`,
	`{"entries":[{"date":"2026-01-01","time":"10:00","title":"t","body":"b","tags":["@a\u0007b",""]}]}`,
}

// FuzzImport: whatever an export holds, what is saved has SAMO ids, tags
// without control characters, and valid entries; errors are worded.
func FuzzImport(f *testing.F) {
	for _, s := range hostileImports {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		path := filepath.Join(t.TempDir(), "export.json")
		if err := os.WriteFile(path, in, 0o600); err != nil {
			t.Fatal(err)
		}
		store := journaltest.NewMemStore()
		svc := journal.NewService(store)
		n, err := transfer.ImportFile(context.Background(), svc, path, "auto", time.UTC, nil)
		if err != nil && !strings.HasPrefix(err.Error(), "transfer: ") && !strings.HasPrefix(err.Error(), "journal: ") {
			t.Fatalf("error %q is not worded", err)
		}
		saved := 0
		for e, err := range svc.Entries(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			saved++
			if !journal.ValidID(e.ID) {
				t.Fatalf("saved with id %q", e.ID)
			}
			if len(e.ImportedID) > journal.MaxImportedIDBytes || strings.IndexFunc(e.ImportedID, unicode.IsControl) >= 0 {
				t.Fatalf("imported_id %q", e.ImportedID)
			}
			for _, tag := range e.Tags {
				if strings.IndexFunc(tag, unicode.IsControl) >= 0 {
					t.Fatalf("tag %q holds a control character", tag)
				}
			}
			if err := e.Validate(); err != nil {
				t.Fatal(err)
			}
		}
		if saved != n.Added {
			t.Fatalf("%d saved, the result says %d added", saved, n.Added)
		}
	})
}
