package transfer_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
)

func TestReadDayOne_Sample(t *testing.T) {
	paris, newYork := mustZone(t, "Europe/Paris"), mustZone(t, "America/New_York")
	got, rep, err := transfer.ReadDayOne(bytes.NewReader(readTestdata(t, "dayone.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := []journal.Entry{
		{
			Created: time.Date(2023, 1, 2, 10, 0, 0, 0, paris),
			Updated: time.Date(2023, 1, 2, 19, 30, 12, 0, paris),
			Zone:    "Europe/Paris",
			Text:    "Went to the market. Bought 3 apples (green)!\n\n- milk\n- bread\n\nC:\\Users stays one backslash, \\n stays as written.",
			Tags:    []string{"market", "errands"},
		},
		{
			Created: time.Date(2023, 6, 10, 19, 15, 0, 0, newYork),
			Updated: time.Date(2023, 6, 10, 19, 15, 0, 0, newYork),
			Zone:    "America/New_York",
			Text:    "Couldn’t sleep. Thinking about the move...",
		},
		{
			Created: time.Date(2023, 8, 1, 12, 0, 0, 0, time.UTC),
			Updated: time.Date(2023, 8, 1, 12, 0, 0, 0, time.UTC),
			Text:    "Lunch on the terrace # not a heading",
		},
	}
	if rep.Imported != 3 || rep.Skipped != 1 {
		t.Errorf("report = %+v, want 3 imported, 1 skipped", rep)
	}
	if w := []string{`Day One entry 3: unknown time zone "Mars/Olympus_Mons", time kept in UTC`}; !reflect.DeepEqual(rep.Warnings, w) {
		t.Errorf("warnings = %q, want %q", rep.Warnings, w)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	if loc := got[2].Created.Location(); loc != time.UTC {
		t.Errorf("entry 3 is in %v, want UTC", loc)
	}
	sameEntries(t, got, want)
}

func TestReadDayOne_Text(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Nothing escaped", "Nothing escaped"},
		{"punctuation", `1\. a \* b \_c\_ \# \+ \- \! \( \) \[ \] \{ \} \> \< \| \~ \` + "`", "1. a * b _c_ # + - ! ( ) [ ] { } > < | ~ `"},
		{"backslash", `a\\b`, `a\b`},
		{"escaped backslash before punctuation", `\\\.`, `\.`},
		{"letters stay", `\n \t \é`, `\n \t \é`},
		{"trailing backslash", `end\`, `end\`},
		{"invalid UTF-8", "caf\xe9\\.", "caf\uFFFD."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := `{"entries":[{"creationDate":"2023-01-02T10:00:00Z","text":` + jsonString(tc.in) + `}]}`
			got, _, err := transfer.ReadDayOne(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Text != tc.want {
				t.Errorf("text = %q, want %q", got[0].Text, tc.want)
			}
		})
	}
}

// jsonString quotes s for JSON, keeping invalid UTF-8 bytes as they are.
func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

func TestReadDayOne_Dates(t *testing.T) {
	tests := []struct {
		name             string
		entry            string
		created, updated string // RFC 3339 with nanoseconds
		zone             string
		warnings         int
	}{
		{"no zone", `"creationDate":"2023-01-02T10:00:00Z"`, "2023-01-02T10:00:00Z", "2023-01-02T10:00:00Z", "", 0},
		{"offset, no zone", `"creationDate":"2023-01-02T10:00:00+02:00"`, "2023-01-02T08:00:00Z", "2023-01-02T08:00:00Z", "", 0},
		{"fractions", `"creationDate":"2023-01-02T10:00:00.25Z","timeZone":"Asia/Tokyo"`, "2023-01-02T19:00:00.25+09:00", "2023-01-02T19:00:00.25+09:00", "Asia/Tokyo", 0},
		{"modified", `"creationDate":"2023-01-02T10:00:00Z","modifiedDate":"2024-05-06T07:08:09Z","timeZone":"Asia/Tokyo"`, "2023-01-02T19:00:00+09:00", "2024-05-06T16:08:09+09:00", "Asia/Tokyo", 0},
		{"Local is not a zone", `"creationDate":"2023-01-02T10:00:00Z","timeZone":"Local"`, "2023-01-02T10:00:00Z", "2023-01-02T10:00:00Z", "", 1},
		{"path is not a zone", `"creationDate":"2023-01-02T10:00:00Z","timeZone":"../../etc/passwd"`, "2023-01-02T10:00:00Z", "2023-01-02T10:00:00Z", "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := `{"entries":[{` + tc.entry + `,"text":"x"}]}`
			got, rep, err := transfer.ReadDayOne(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			e := got[0]
			if c, u := e.Created.Format(time.RFC3339Nano), e.Updated.Format(time.RFC3339Nano); c != tc.created || u != tc.updated {
				t.Errorf("created, updated = %s, %s; want %s, %s", c, u, tc.created, tc.updated)
			}
			if e.Zone != tc.zone || len(rep.Warnings) != tc.warnings {
				t.Errorf("zone %q, warnings %q; want %q and %d warnings", e.Zone, rep.Warnings, tc.zone, tc.warnings)
			}
		})
	}
}

// dayOneErrorCases are malformed Day One exports.
func dayOneErrorCases() []errorCase {
	ok := `{"creationDate":"2023-01-02T10:00:00Z","text":"fine"}`
	return []errorCase{
		{name: "empty", in: "", want: "transfer: Day One: empty input"},
		{name: "string", in: `"entries"`, want: "transfer: Day One: not a JSON object"},
		{name: "no entries", in: `{"metadata":{"version":"1.0"}}`, want: `transfer: Day One: no "entries" array, not a Day One JSON export`},
		{name: "no creationDate", in: `{"entries":[` + ok + `,{"text":"x"}]}`, want: "transfer: Day One entry 2: no creationDate"},
		{name: "bad creationDate", in: `{"entries":[{"creationDate":"2023-02-30T10:00:00Z","text":"x"}]}`, want: `transfer: Day One entry 1: bad creationDate "2023-02-30T10:00:00Z"`},
		{name: "date only", in: `{"entries":[{"creationDate":"2023-02-03","text":"x"}]}`, want: `transfer: Day One entry 1: bad creationDate "2023-02-03"`},
		{name: "bad modifiedDate", in: `{"entries":[{"creationDate":"2023-01-02T10:00:00Z","modifiedDate":"soon","text":"x"}]}`, want: `transfer: Day One entry 1: bad modifiedDate "soon"`},
		{name: "jrnl export", in: `{"tags":{},"entries":[{"date":"2023-01-02","time":"10:00","title":"x"}]}`, want: "transfer: Day One entry 1: no creationDate"},
		{name: "text an object", in: `{"entries":[{"creationDate":"2023-01-02T10:00:00Z","text":{}}]}`, want: "transfer: Day One entry 1: json: cannot unmarshal object"},
		{name: "entries null", in: `{"entries":null,"entries":[]}`, want: `more than one "entries" array`},
		{name: "truncated", in: `{"metadata":{"version":"1.0"},"entries":[` + ok, want: "transfer: Day One: input ends too soon"},
		{name: "truncated in metadata", in: `{"metadata":{"vers`, want: "transfer: Day One: input ends too soon"},
		{name: "syntax", in: `{"entries":[{"creationDate":2023-01-02}]}`, want: "transfer: Day One entry 1: invalid character '-' after object key:value pair (at byte"},
	}
}

func TestReadDayOne_Malformed(t *testing.T) {
	for _, tc := range dayOneErrorCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := transfer.ReadDayOne(strings.NewReader(tc.in))
			checkError(t, tc, err)
			if got != nil {
				t.Errorf("entries returned with the error: %v", got)
			}
		})
	}
}
