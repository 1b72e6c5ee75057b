package transfer_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
)

func TestReadJrnl_Sample(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	got, rep, err := transfer.ReadJrnl(bytes.NewReader(readTestdata(t, "jrnl.json")), paris)
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	want := []journal.Entry{
		{
			Created: at(2023, 1, 2, 9, 15), Updated: at(2023, 1, 2, 9, 15), Zone: "Europe/Paris",
			Text: "Started the new project today.\nMet the whole team and the coffee was terrible. @work",
			Tags: []string{"work"},
		},
		{
			Created: at(2023, 3, 25, 19, 45), Updated: at(2023, 3, 25, 19, 45), Zone: "Europe/Paris",
			Text: "Dinner with Gabriel. @family @work",
			Tags: []string{"family", "work"},
		},
		{
			Created: at(2023, 7, 14, 21, 5), Updated: at(2023, 7, 14, 21, 5), Zone: "Europe/Paris",
			Text: "Ça va mieux 🙂\nLong walk along the Seine.\n\nFelt calm afterwards.",
		},
	}
	if rep.Imported != 3 || rep.Skipped != 1 || len(rep.Warnings) != 0 {
		t.Errorf("report = %+v, want 3 imported, 1 skipped", rep)
	}
	sameEntries(t, got, want)
}

func TestReadJrnl_Entries(t *testing.T) {
	doc := func(entries ...string) string { return `{"tags":{},"entries":[` + strings.Join(entries, ",") + `]}` }
	manyTags := make([]string, 70)
	for i := range manyTags {
		manyTags[i] = fmt.Sprintf(`"@t%d"`, i)
	}
	tests := []struct {
		name     string
		in       string
		loc      *time.Location
		text     string
		tags     []string
		created  string // RFC 3339
		warnings []string
	}{
		{
			name: "title only", in: doc(`{"date":"2023-01-02","time":"10:00","title":"Just a title.","body":""}`),
			loc: time.UTC, text: "Just a title.", created: "2023-01-02T10:00:00Z",
		},
		{
			name: "body only", in: doc(`{"date":"2023-01-02","time":"10:00","title":"","body":"Body."}`),
			loc: time.UTC, text: "Body.", created: "2023-01-02T10:00:00Z",
		},
		{
			name: "body kept as written", in: doc(`{"date":"2023-01-02","time":"10:00","title":"T","body":"b\n"}`),
			loc: time.UTC, text: "T\nb\n", created: "2023-01-02T10:00:00Z",
		},
		{
			name: "seconds", in: doc(`{"date":"2023-01-02","time":"10:00:30","title":"T"}`),
			loc: time.UTC, text: "T", created: "2023-01-02T10:00:30Z",
		},
		{
			name: "zone of the caller", in: doc(`{"date":"2023-07-01","time":"23:30","title":"T"}`),
			loc: mustZone(t, "America/New_York"), text: "T", created: "2023-07-01T23:30:00-04:00",
		},
		{
			name: "tags cleaned", in: doc(`{"date":"2023-01-02","time":"10:00","title":"T","tags":["@a"," @b ","#c","@","","@a","d"]}`),
			loc: time.UTC, text: "T", tags: []string{"a", "b", "c", "d"}, created: "2023-01-02T10:00:00Z",
		},
		{
			name: "too many tags", in: doc(`{"date":"2023-01-02","time":"10:00","title":"T","tags":[` + strings.Join(manyTags, ",") + `]}`),
			loc: time.UTC, text: "T", created: "2023-01-02T10:00:00Z",
			warnings: []string{`jrnl entry 1: more than 64 tags, tag "t64" and later ones left out`},
		},
		{
			name: "long tag", in: doc(`{"date":"2023-01-02","time":"10:00","title":"T","tags":["@` + strings.Repeat("x", 200) + `","@ok"]}`),
			loc: time.UTC, text: "T", tags: []string{"ok"}, created: "2023-01-02T10:00:00Z",
			warnings: []string{`jrnl entry 1: tag "xxxxxxxxxxxxxxxxxxxxxxxx"… longer than 128 bytes left out`},
		},
		{
			name: "invalid UTF-8", in: doc(`{"date":"2023-01-02","time":"10:00","title":"caf` + "\xe9" + `","tags":["@` + "\xff" + `x"]}`),
			loc: time.UTC, text: "caf\uFFFD", tags: []string{"\uFFFDx"}, created: "2023-01-02T10:00:00Z",
			warnings: []string{"jrnl entry 1: invalid UTF-8 replaced with U+FFFD"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rep, err := transfer.ReadJrnl(strings.NewReader(tc.in), tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d entries, want 1", len(got))
			}
			e := got[0]
			if e.Text != tc.text {
				t.Errorf("text = %q, want %q", e.Text, tc.text)
			}
			if tc.tags != nil && !reflect.DeepEqual(e.Tags, tc.tags) {
				t.Errorf("tags = %q, want %q", e.Tags, tc.tags)
			}
			if len(e.Tags) > journal.MaxTags {
				t.Errorf("%d tags", len(e.Tags))
			}
			if s := e.Created.Format(time.RFC3339); s != tc.created || !e.Updated.Equal(e.Created) {
				t.Errorf("created = %s, updated %v, want %s", s, e.Updated, tc.created)
			}
			if !reflect.DeepEqual(rep.Warnings, tc.warnings) {
				t.Errorf("warnings = %q, want %q", rep.Warnings, tc.warnings)
			}
			e.ID = "x"
			if err := e.Validate(); err != nil {
				t.Errorf("does not validate: %v", err)
			}
		})
	}
}

func TestReadJrnl_SkipsLongText(t *testing.T) {
	in := `{"entries":[{"date":"2023-01-02","time":"10:00","title":"T","body":"` + strings.Repeat("a", journal.MaxTextBytes) + `"},
		{"date":"2023-01-02","time":"11:00","title":"short"}]}`
	got, rep, err := transfer.ReadJrnl(strings.NewReader(in), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Text != "short" || rep.Skipped != 1 || rep.Imported != 1 {
		t.Fatalf("got %d entries, report %+v", len(got), rep)
	}
	if len(rep.Warnings) != 1 || !strings.HasPrefix(rep.Warnings[0], "jrnl entry 1: skipped: journal: entry text is too long") {
		t.Errorf("warnings = %q", rep.Warnings)
	}
}

// jrnlErrorCases are malformed jrnl exports.
func jrnlErrorCases() []errorCase {
	ok := `{"date":"2023-01-02","time":"10:00","title":"fine"}`
	return []errorCase{
		{name: "empty", in: "", want: "transfer: jrnl: empty input"},
		{name: "white space", in: " \n", want: "transfer: jrnl: empty input"},
		{name: "array", in: `[{"date":"2023-01-02"}]`, want: "transfer: jrnl: not a JSON object"},
		{name: "no entries", in: `{"tags":{"@a":1}}`, want: `transfer: jrnl: no "entries" array, not a jrnl JSON export`},
		{name: "entries twice", in: `{"entries":[],"entries":[]}`, want: `more than one "entries" array`},
		{name: "entries an object", in: `{"entries":{"date":"2023-01-02"}}`, want: `transfer: jrnl: "entries" is not an array`},
		{name: "bad date", in: `{"entries":[` + ok + `,` + ok + `,{"date":"2023-13-01","time":"10:00","title":"x"}]}`, want: `transfer: jrnl entry 3: bad date "2023-13-01"`},
		{name: "bad time", in: `{"entries":[{"date":"2023-01-02","time":"25:00","title":"x"}]}`, want: `transfer: jrnl entry 1: bad time "25:00"`},
		{name: "no date", in: `{"entries":[{"time":"10:00","title":"x"}]}`, want: "transfer: jrnl entry 1: no date"},
		{name: "no time", in: `{"entries":[{"date":"2023-01-02","title":"x"}]}`, want: "transfer: jrnl entry 1: no time"},
		{name: "day one export", in: `{"metadata":{"version":"1.0"},"entries":[{"creationDate":"2023-01-02T10:00:00Z","text":"x"}]}`, want: "transfer: jrnl entry 1: no date"},
		{name: "entry a number", in: `{"entries":[1]}`, want: "transfer: jrnl entry 1: not a JSON object"},
		{name: "date a number", in: `{"entries":[{"date":20230102,"time":"10:00"}]}`, want: "transfer: jrnl entry 1: json: cannot unmarshal number"},
		{name: "tags a string", in: `{"entries":[{"date":"2023-01-02","time":"10:00","title":"x","tags":"@a"}]}`, want: "transfer: jrnl entry 1: json: cannot unmarshal string"},
		{name: "truncated", in: `{"entries":[` + ok + `,{"date":"2023-01-02"`, want: "transfer: jrnl entry 2: input ends too soon"},
		{name: "truncated between entries", in: `{"entries":[` + ok, want: "transfer: jrnl: input ends too soon"},
		{name: "syntax", in: `{"entries":[{"date" "2023-01-02"}]}`, want: "transfer: jrnl entry 1: invalid character '\"' after object key (at byte"},
		{name: "trailing data", in: `{"entries":[]}]`, want: "transfer: jrnl: data after the end of the JSON document"},
		{name: "bad key", in: `{"entries":[], 5:1}`, want: "transfer: jrnl: invalid character '5'"},
	}
}

func TestReadJrnl_Malformed(t *testing.T) {
	for _, tc := range jrnlErrorCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := transfer.ReadJrnl(strings.NewReader(tc.in), time.UTC)
			checkError(t, tc, err)
			if got != nil {
				t.Errorf("entries returned with the error: %v", got)
			}
		})
	}
}

func TestReadJrnl_NilLocationIsLocal(t *testing.T) {
	got, _, err := transfer.ReadJrnl(strings.NewReader(`{"entries":[{"date":"2023-01-02","time":"10:00","title":"x"}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2023, 1, 2, 10, 0, 0, 0, time.Local); !got[0].Created.Equal(want) {
		t.Errorf("created = %v, want %v", got[0].Created, want)
	}
}
