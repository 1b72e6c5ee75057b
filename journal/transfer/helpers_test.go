package transfer_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests' zones load on any machine

	"github.com/samojournal/samo/journal"
)

// errorCase is a malformed input and a piece of the error it must give.
type errorCase struct {
	name  string
	in    string
	want  string // the error message contains it
	isErr error  // when not nil, errors.Is(err, isErr) holds
}

// checkError fails unless err matches the case.
func checkError(t *testing.T, tc errorCase, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", tc.want)
	}
	if !strings.HasPrefix(err.Error(), "transfer: ") {
		t.Errorf("error %q lacks the \"transfer: \" prefix", err)
	}
	if !strings.Contains(err.Error(), tc.want) {
		t.Errorf("error %q does not contain %q", err, tc.want)
	}
	if tc.isErr != nil && !errors.Is(err, tc.isErr) {
		t.Errorf("error %q is not %v", err, tc.isErr)
	}
}

// mustZone loads an IANA zone or stops the test.
func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// readTestdata returns a file of testdata/.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameInstant fails unless got and want are the same instant with the same
// offset (and the same IANA zone when want has one), and then sets both to
// UTC so that reflect.DeepEqual can compare the rest.
func sameInstant(t *testing.T, field string, got, want *time.Time) {
	t.Helper()
	if !got.Equal(*want) {
		t.Errorf("%s = %v, want %v", field, *got, *want)
	}
	gname, goff := got.Zone()
	wname, woff := want.Zone()
	if goff != woff {
		t.Errorf("%s offset = %d s, want %d s", field, goff, woff)
	}
	// An IANA zone comes back from the entry's Zone; a fixed one only as
	// its offset.
	if strings.Contains(want.Location().String(), "/") && got.Location().String() != want.Location().String() {
		t.Errorf("%s zone = %q (%s), want %q (%s)", field, got.Location(), gname, want.Location(), wname)
	}
	*got, *want = got.UTC(), want.UTC()
}

// normaliseTimes compares the times of two entries with sameInstant and
// sets them to UTC.
func normaliseTimes(t *testing.T, got, want *journal.Entry) {
	t.Helper()
	sameInstant(t, want.ID+" created", &got.Created, &want.Created)
	sameInstant(t, want.ID+" updated", &got.Updated, &want.Updated)
	if got.Emotions != nil && want.Emotions != nil {
		sameInstant(t, want.ID+" emotions.at", &got.Emotions.At, &want.Emotions.At)
	}
	if got.Corrections != nil && want.Corrections != nil {
		sameInstant(t, want.ID+" corrections.at", &got.Corrections.At, &want.Corrections.At)
	}
}

// sameEntries checks imported entries against the expected ones (times
// compared as instants with their offsets) and that each, once the caller
// gives it an id, passes journal.Entry.Validate.
func sameEntries(t *testing.T, got, want []journal.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		normaliseTimes(t, &got[i], &want[i])
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i+1, got[i], want[i])
		}
		got[i].ID = "set-by-caller"
		if err := got[i].Validate(); err != nil {
			t.Errorf("entry %d does not validate: %v", i+1, err)
		}
	}
}
