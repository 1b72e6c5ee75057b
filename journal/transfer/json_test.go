package transfer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
)

// fullEntries returns entries with every field set, in several zones.
func fullEntries(t *testing.T) []transfer.Exported {
	paris := mustZone(t, "Europe/Paris")
	scores := make([]float32, len(journal.EmotionLabels))
	for i := range scores {
		scores[i] = float32(i) / 27 // not exact in decimal
	}
	scores[0] = math.SmallestNonzeroFloat32
	scores[1] = 1
	scores[2] = 0.1
	created := time.Date(2026, 11, 25, 9, 41, 7, 123456789, paris)
	return []transfer.Exported{
		{
			Entry: journal.Entry{
				ID:      "01JDXK3Q9Z8Y7X6W5V4T3S2R1P",
				Created: created,
				Updated: created.Add(90 * time.Minute),
				Zone:    "Europe/Paris",
				Text:    "Woke up early.\n\nÇa va 🙂 — \"quotes\" <b>not html</b> \\ backslash\t\n",
				Tags:    []string{"morning", "gratitude", "ünïcode"},
				Audio:   &journal.Audio{Format: "wav", SampleRate: 16000, Channels: 1, Duration: 4200 * time.Millisecond, Bytes: 6},
				Transcript: &journal.Transcript{Language: "en", Model: "whisper-base.en@1", Segments: []journal.Segment{
					{Start: 0, End: 2100 * time.Millisecond, Text: " Woke up early."},
					{Start: 2100 * time.Millisecond, End: 4200 * time.Millisecond, Text: " Ça va."},
				}},
				Emotions: &journal.Emotions{
					Scores: scores, Labels: []string{"joy", "gratitude"},
					Model: "roberta-go-emotions", Version: "1.0",
					At: time.Date(2026, 11, 25, 8, 41, 9, 5, time.UTC), // another zone than the entry's
				},
				Corrections: &journal.Corrections{Labels: []string{"relief"}, At: created.Add(time.Hour)},
				Embedding: &journal.Embedding{Model: "all-MiniLM-L6-v2", Dim: 4,
					Vector: []float32{0.1, -math.MaxFloat32, 1e-30, 3.14159265}},
			},
			AudioData: []byte{0, 1, 2, 0xfe, 0xff, '\n'},
		},
		{
			Entry: journal.Entry{
				ID:      "01JDZ0000000000000000000AB",
				Created: time.Date(2026, 7, 1, 22, 10, 0, 0, time.FixedZone("+0530", 5*3600+1800)),
				Updated: time.Date(2026, 7, 1, 22, 10, 0, 0, time.FixedZone("+0530", 5*3600+1800)),
				Text:    "A zone known only by its offset.",
			},
		},
		{
			Entry: journal.Entry{
				ID:      "01JE0000000000000000000000",
				Created: time.Date(2026, 3, 29, 1, 59, 59, 0, paris), // just before a DST change
				Updated: time.Date(2026, 3, 29, 3, 0, 0, 0, paris),
				Zone:    "Europe/Paris",
				Text:    "Summer time starts tonight.",
				Emotions: &journal.Emotions{Scores: make([]float32, 28), Labels: []string{},
					Model: "m", Version: "v", At: time.Date(2026, 3, 29, 3, 0, 0, 0, paris)},
			},
		},
	}
}

func TestWriteJSON_RoundTripLossless(t *testing.T) {
	want := fullEntries(t)
	// A recording still waiting for its transcript: audio, no text.
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	want = append(want, transfer.Exported{
		Entry: journal.Entry{ID: "01JF0000000000000000000000", Created: at, Updated: at,
			Audio: &journal.Audio{Format: "wav", SampleRate: 16000, Channels: 1, Duration: time.Second, Bytes: 4}},
		AudioData: []byte("RIFF"),
	})
	var buf bytes.Buffer
	if err := transfer.WriteJSON(&buf, transfer.FromSlice(want)); err != nil {
		t.Fatal(err)
	}
	got, rep, err := transfer.ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("ReadJSON: %v\n%s", err, buf.Bytes())
	}
	if rep.Imported != len(want) || rep.Skipped != 0 || len(rep.Warnings) != 0 {
		t.Errorf("report = %+v, want %d imported and nothing else", rep, len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		normaliseTimes(t, &got[i].Entry, &want[i].Entry)
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("entry %d differs:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestWriteJSON_Document(t *testing.T) {
	var buf bytes.Buffer
	if err := transfer.WriteJSON(&buf, transfer.FromSlice(fullEntries(t)[:1])); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format   string            `json:"format"`
		Version  int               `json:"version"`
		Exported time.Time         `json:"exported"`
		Entries  []json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.Bytes())
	}
	if doc.Format != transfer.Format || doc.Version != transfer.Version || time.Since(doc.Exported) > time.Minute {
		t.Errorf("header = %q %d %v", doc.Format, doc.Version, doc.Exported)
	}
	if !strings.HasPrefix(buf.String(), `{"format":"samo-journal","version":1,"exported":"`) {
		t.Errorf("document starts %.60q", buf.String())
	}
	if len(doc.Entries) != 1 {
		t.Fatalf("%d entries, want 1", len(doc.Entries))
	}
	for _, field := range []string{`"id":"01JDXK3Q9Z8Y7X6W5V4T3S2R1P"`, `"created":"2026-11-25T09:41:07.123456789+01:00"`,
		`"audio_data":"AAEC/v8K"`, `"zone":"Europe/Paris"`} {
		if !bytes.Contains(doc.Entries[0], []byte(field)) {
			t.Errorf("entry lacks %s:\n%s", field, doc.Entries[0])
		}
	}
	// No recording, no "audio_data".
	buf.Reset()
	if err := transfer.WriteJSON(&buf, transfer.FromSlice(fullEntries(t)[1:2])); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "audio_data") {
		t.Errorf("audio_data written for an entry without audio:\n%s", buf.String())
	}
}

func TestWriteJSON_Empty(t *testing.T) {
	var buf bytes.Buffer
	if err := transfer.WriteJSON(&buf, transfer.FromSlice[transfer.Exported](nil)); err != nil {
		t.Fatal(err)
	}
	got, rep, err := transfer.ReadJSON(&buf)
	if err != nil || len(got) != 0 || rep.Imported != 0 {
		t.Fatalf("ReadJSON = %v, %+v, %v; want nothing", got, rep, err)
	}
}

func TestWriteJSON_Errors(t *testing.T) {
	boom := errors.New("store failed")
	failing := func(yield func(transfer.Exported, error) bool) {
		if yield(transfer.Exported{Entry: journal.Entry{ID: "a", Text: "x"}}, nil) {
			yield(transfer.Exported{}, boom)
		}
	}
	if err := transfer.WriteJSON(&bytes.Buffer{}, failing); !errors.Is(err, boom) {
		t.Errorf("iterator error: got %v, want %v", err, boom)
	}
	nan := fullEntries(t)[:1]
	nan[0].Embedding.Vector[0] = float32(math.NaN())
	if err := transfer.WriteJSON(&bytes.Buffer{}, transfer.FromSlice(nan)); err == nil || !strings.Contains(err.Error(), nan[0].ID) {
		t.Errorf("NaN: got %v, want an error naming the entry", err)
	}
	if err := transfer.WriteJSON(failWriter{}, transfer.FromSlice(fullEntries(t))); err == nil {
		t.Error("failing writer: no error")
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReadJSON_Sample(t *testing.T) {
	got, rep, err := transfer.ReadJSON(bytes.NewReader(readTestdata(t, "samo.json")))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2 || len(got) != 2 {
		t.Fatalf("report %+v, %d entries; want 2", rep, len(got))
	}
	e := got[0]
	if err := e.Validate(); err != nil {
		t.Errorf("entry 1 does not validate: %v", err)
	}
	if e.ID != "01JDXK3Q9Z8Y7X6W5V4T3S2R1P" || e.Created.Location().String() != "Europe/Paris" ||
		e.Created.Format(time.RFC3339) != "2026-11-25T09:41:00+01:00" {
		t.Errorf("entry 1 = %s %v (%s)", e.ID, e.Created, e.Created.Location())
	}
	if !bytes.HasPrefix(e.AudioData, []byte("RIFF")) || int64(len(e.AudioData)) != e.Audio.Bytes {
		t.Errorf("audio = %q, want %d bytes of WAV", e.AudioData, e.Audio.Bytes)
	}
	if e.Emotions.Scores[17] != 0.7102 || e.Embedding.Vector[2] != 0.0078125 {
		t.Errorf("scores %v, vector %v", e.Emotions.Scores, e.Embedding.Vector)
	}
	if got[1].AudioData != nil || got[1].Text != "Long day. Too tired to write much.\n" {
		t.Errorf("entry 2 = %+v", got[1])
	}
}

func TestReadJSON_HeaderAfterEntries(t *testing.T) {
	in := `{"entries":[{"id":"a","created":"2026-01-02T03:04:05+01:00","updated":"2026-01-02T03:04:05+01:00","text":"hello"},
		{"id":"b","text":"  "}],"version":1,"exported":"2026-01-02T03:04:05Z","format":"samo-journal","extra":{"future":[1,2]}}`
	got, rep, err := transfer.ReadJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "a" || got[0].Text != "hello" || rep.Imported != 1 || rep.Skipped != 1 {
		t.Errorf("got %+v, report %+v", got, rep)
	}
}

func TestReadJSON_RepairsUTF8(t *testing.T) {
	in := `{"format":"samo-journal","version":1,"entries":[{"id":"a","text":"caf` + "\xe9\xe9" + ` au lait"}]}`
	got, rep, err := transfer.ReadJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Text != "caf\uFFFD au lait" {
		t.Fatalf("got %+v", got)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "SAMO export entry 1: invalid UTF-8") {
		t.Errorf("warnings = %q", rep.Warnings)
	}
}

func TestScanJSON_StopsAtCallbackError(t *testing.T) {
	var buf bytes.Buffer
	if err := transfer.WriteJSON(&buf, transfer.FromSlice(fullEntries(t))); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("disk full")
	n := 0
	rep, err := transfer.ScanJSON(&buf, func(e transfer.Exported) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "entry 2") {
		t.Errorf("err = %v, want %v naming entry 2", err, stop)
	}
	if rep.Imported != 1 {
		t.Errorf("imported = %d, want 1", rep.Imported)
	}
}

// samoErrorCases are malformed SAMO exports.
func samoErrorCases() []errorCase {
	entry := func(s string) string { return `{"format":"samo-journal","version":1,"entries":[` + s + `]}` }
	return []errorCase{
		{name: "empty", in: "", want: "empty input"},
		{name: "array", in: `[]`, want: "not a JSON object"},
		{name: "other format", in: `{"format":"jrnl","version":1,"entries":[]}`, want: `format "jrnl" is not "samo-journal"`, isErr: transfer.ErrUnknownFormat},
		{name: "newer version", in: `{"format":"samo-journal","version":2,"entries":[]}`, want: "version 2, this SAMO reads version 1", isErr: transfer.ErrUnknownFormat},
		{name: "version as string", in: `{"format":"samo-journal","version":"1","entries":[]}`, want: `version "1"`, isErr: transfer.ErrUnknownFormat},
		{name: "no format", in: `{"version":1,"entries":[]}`, want: `no "format" field`, isErr: transfer.ErrUnknownFormat},
		{name: "jrnl export", in: `{"tags":{},"entries":[{"date":"2023-01-02","time":"10:00","title":"x"}]}`, want: `no "format" field`, isErr: transfer.ErrUnknownFormat},
		{name: "no version", in: `{"format":"samo-journal","entries":[]}`, want: `no "version" field`, isErr: transfer.ErrUnknownFormat},
		{name: "no entries", in: `{"format":"samo-journal","version":1}`, want: `no "entries" array`},
		{name: "entries twice", in: `{"format":"samo-journal","version":1,"entries":[],"entries":[]}`, want: `more than one "entries"`},
		{name: "entries an object", in: `{"format":"samo-journal","version":1,"entries":{}}`, want: `"entries" is not an array`},
		{name: "entry a string", in: entry(`"hello"`), want: "SAMO export entry 1: not a JSON object"},
		{name: "bad time", in: entry(`{"id":"a","text":"x"},{"id":"b","text":"x","created":"yesterday"}`), want: "SAMO export entry 2: parsing time"},
		{name: "bad audio", in: entry(`{"id":"a","text":"x","audio_data":"!!"}`), want: "SAMO export entry 1: illegal base64"},
		{name: "score out of float32", in: entry(`{"id":"a","text":"x","emotions":{"scores":[1e39]}}`), want: "SAMO export entry 1: json: cannot unmarshal number 1e39"},
		{name: "truncated", in: `{"format":"samo-journal","version":1,"entries":[{"id":"a","te`, want: "SAMO export entry 1: input ends too soon"},
		{name: "syntax", in: entry(`{"id":"a",,}`), want: "SAMO export entry 1: invalid character ',' looking for beginning of object key string (at byte"},
		{name: "trailing data", in: entry(``) + `{}`, want: "data after the end"},
	}
}

func TestReadJSON_Malformed(t *testing.T) {
	for _, tc := range samoErrorCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := transfer.ReadJSON(strings.NewReader(tc.in))
			checkError(t, tc, err)
			if got != nil {
				t.Errorf("entries returned with the error: %v", got)
			}
		})
	}
}

func TestRead_TooLarge(t *testing.T) {
	samo := `{"format":"samo-journal","version":1,"entries":[{"id":"a","text":"x"}]}`
	jrnl := `{"entries":[{"date":"2023-01-02","time":"10:00","title":"x"}]}`
	dayOne := `{"entries":[{"creationDate":"2023-01-02T10:00:00Z","text":"x"}]}`
	readers := []struct {
		name string
		in   string
		read func(in string, limit int64) (int, error)
	}{
		{"samo", samo, func(in string, limit int64) (int, error) {
			es, _, err := transfer.ReadJSONLimit(strings.NewReader(in), limit)
			return len(es), err
		}},
		{"jrnl", jrnl, func(in string, limit int64) (int, error) {
			es, _, err := transfer.ReadJrnlLimit(strings.NewReader(in), time.UTC, limit)
			return len(es), err
		}},
		{"dayone", dayOne, func(in string, limit int64) (int, error) {
			es, _, err := transfer.ReadDayOneLimit(strings.NewReader(in), limit)
			return len(es), err
		}},
	}
	for _, r := range readers {
		for _, pad := range []int{0, 1, 5000} {
			t.Run(fmt.Sprintf("%s+%d", r.name, pad), func(t *testing.T) {
				in := r.in + strings.Repeat(" ", pad)
				limit := int64(len(r.in))
				n, err := r.read(in, limit)
				if pad == 0 {
					if err != nil || n != 1 {
						t.Fatalf("at the limit: %d entries, %v", n, err)
					}
					return
				}
				if !errors.Is(err, transfer.ErrTooLarge) || n != 0 {
					t.Fatalf("over the limit: %d entries, %v; want ErrTooLarge", n, err)
				}
			})
		}
		t.Run(r.name+" cut mid-document", func(t *testing.T) {
			if _, err := r.read(r.in, int64(len(r.in)/2)); !errors.Is(err, transfer.ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
		})
	}
}
