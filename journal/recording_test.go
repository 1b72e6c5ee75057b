package journal_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
	"github.com/samojournal/samo/storage"
)

func openRealJournal(t *testing.T) (*journal.Service, *storage.Store) {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return journal.NewService(st, journal.WithAnalyzer(&journaltest.WordAnalyzer{})), st
}

func TestService_AddRecordingWaitsForItsTranscript(t *testing.T) {
	ctx := context.Background()
	svc, st := openRealJournal(t)
	wav := []byte("RIFF....WAVEfmt pretend audio")
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	e, err := svc.AddRecording(ctx, journal.NewRecording{At: at, Data: wav, Audio: journal.Audio{Format: "wav", SampleRate: 16000, Channels: 1, Duration: 3 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if !e.AwaitingTranscript() || e.Text != "" || e.Emotions != nil || e.Audio.Bytes != int64(len(wav)) {
		t.Fatalf("saved %+v, want a recording awaiting its transcript", e)
	}
	got, err := svc.Audio(ctx, e.ID)
	if err != nil || !bytes.Equal(got, wav) {
		t.Fatalf("audio back: %q, %v", got, err)
	}
	waiting, err := svc.AwaitingTranscript(ctx)
	if err != nil || len(waiting) != 1 || waiting[0].ID != e.ID {
		t.Fatalf("awaiting = %v, %v", waiting, err)
	}
	// A transcript that heard nothing marks it so (it stops waiting), and a
	// later transcript (another model) can still give it words.
	if e2, err := svc.SetTranscript(ctx, e.ID, &journal.Transcript{Language: "en", Model: "m"}); err != nil || e2.AwaitingTranscript() || !e2.NoSpeechHeard() {
		t.Fatalf("empty transcript: %+v, %v", e2, err)
	}
	if w, _ := svc.AwaitingTranscript(ctx); len(w) != 0 {
		t.Errorf("a recording without speech still waits: %v", w)
	}
	tr := &journal.Transcript{Language: "en", Model: "whisper-test", Segments: []journal.Segment{
		{Start: 0, End: time.Second, Text: " I am so happy"}, {Start: time.Second, End: 2 * time.Second, Text: " today. "}}}
	e3, err := svc.SetTranscript(ctx, e.ID, tr)
	if err != nil {
		t.Fatal(err)
	}
	if e3.Text != "I am so happy today." || e3.AwaitingTranscript() || e3.Emotions == nil {
		t.Fatalf("after transcription: text %q, emotions %v", e3.Text, e3.Emotions)
	}

	stored, _ := st.Get(ctx, e.ID)
	if stored.Text != e3.Text || stored.Transcript == nil || len(stored.Transcript.Segments) != 2 {
		t.Errorf("stored %+v", stored)
	}
	if a, _ := svc.Audio(ctx, e.ID); !bytes.Equal(a, wav) {
		t.Error("the transcription lost the audio")
	}
}

func TestService_AddRecordingWithTranscript(t *testing.T) {
	svc, _ := openRealJournal(t)
	e, err := svc.AddRecording(context.Background(), journal.NewRecording{Data: []byte("x"), Audio: journal.Audio{Format: "wav"},
		Transcript: &journal.Transcript{Language: "en", Segments: []journal.Segment{{End: time.Second, Text: "What a lovely walk"}}}})
	if err != nil || e.Text != "What a lovely walk" || e.Emotions == nil {
		t.Fatalf("%+v, %v", e, err)
	}
}

// Each segment of a recording is read on its own, so that the entry shows
// how the feeling moved; the readings and the words' times are stored.
func TestService_RecordingSegmentsAreReadEachOnItsOwn(t *testing.T) {
	ctx := context.Background()
	svc, st := openRealJournal(t)
	words := []journal.Word{{Text: " Pure", Start: 0, End: 300 * time.Millisecond}, {Text: " joy", Start: 300 * time.Millisecond, End: time.Second}}
	tr := &journal.Transcript{Language: "en", Segments: []journal.Segment{
		{End: time.Second, Text: " Pure joy", Words: words},
		{Start: time.Second, End: 2 * time.Second, Text: " "},
		{Start: 2 * time.Second, End: 4 * time.Second, Text: " but then fear and anger"}}}
	e, err := svc.AddRecording(ctx, journal.NewRecording{Data: []byte("x"), Audio: journal.Audio{Format: "wav"}, Transcript: tr})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	segs := stored.Transcript.Segments
	if segs[0].Emotions == nil || segs[2].Emotions == nil || segs[1].Emotions != nil {
		t.Fatalf("segment readings: %+v %+v %+v", segs[0].Emotions, segs[1].Emotions, segs[2].Emotions)
	}
	if len(segs[0].Emotions.Scores) != len(journal.EmotionLabels) || slices.Equal(segs[0].Emotions.Scores, segs[2].Emotions.Scores) {
		t.Fatalf("the segments' scores are not their own: %v / %v", segs[0].Emotions.Scores, segs[2].Emotions.Scores)
	}
	if !slices.Equal(segs[0].Words, words) {
		t.Fatalf("words stored as %+v", segs[0].Words)
	}
}

// A dictation into the editor saves the editor's text (typed words
// around the spoken ones) with the recording and its transcript.
func TestService_AddRecordingWithTheEditorsText(t *testing.T) {
	svc, _ := openRealJournal(t)
	tr := &journal.Transcript{Language: "en", Segments: []journal.Segment{{End: time.Second, Text: " pure joy"}}}
	e, err := svc.AddRecording(context.Background(), journal.NewRecording{Data: []byte("x"), Audio: journal.Audio{Format: "wav"},
		Transcript: tr, Text: "Typed first, then pure joy, then fear typed after."})
	if err != nil {
		t.Fatal(err)
	}
	if e.Text != "Typed first, then pure joy, then fear typed after." || e.Transcript == nil || e.Transcript.Segments[0].Text != " pure joy" {
		t.Fatalf("%q / %+v", e.Text, e.Transcript)
	}
	if !slices.Contains(e.Emotions.Labels, "fear") {
		t.Fatalf("the emotions were not read from the editor's text: %v", e.Emotions.Labels)
	}
	if e.AwaitingTranscript() {
		t.Fatal("it waits for a transcript it has")
	}
}

func TestService_AddRecordingRefusals(t *testing.T) {
	svc, _ := openRealJournal(t)
	if _, err := svc.AddRecording(context.Background(), journal.NewRecording{Audio: journal.Audio{Format: "wav"}}); err == nil {
		t.Error("a recording without audio was saved")
	}
	// a Store with none of the capabilities
	mem := journal.NewService(struct{ journal.Store }{journaltest.NewMemStore()})
	if _, err := mem.AddRecording(context.Background(), journal.NewRecording{Data: []byte("x")}); !errors.Is(err, journal.ErrNoAudioStore) {
		t.Errorf("err = %v, want ErrNoAudioStore", err)
	}
	// Text-only entries still need text.
	e := journal.Entry{ID: "01JZZZZZZZZZZZZZZZZZZZZZZZ", Created: time.Now(), Updated: time.Now()}
	if err := e.Validate(); !errors.Is(err, journal.ErrEmptyText) {
		t.Errorf("validate empty text entry: %v", err)
	}
}

func TestService_ReanalyzeSkipsRecordingsWithoutText(t *testing.T) {
	ctx := context.Background()
	svc, _ := openRealJournal(t)
	if _, err := svc.AddRecording(ctx, journal.NewRecording{Data: []byte("x"), Audio: journal.Audio{Format: "wav"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Add(ctx, "a calm and happy day"); err != nil {
		t.Fatal(err)
	}
	n, err := svc.Reanalyze(ctx, true, nil)
	if err != nil || n != 1 {
		t.Fatalf("reanalyze: %d entries, %v; want the one with text", n, err)
	}
}

func TestService_AddRecordingSetsABadTranscriptAside(t *testing.T) {
	svc, _ := openRealJournal(t)
	bad := &journal.Transcript{Language: "en", Segments: []journal.Segment{
		{Start: 0, End: time.Second, Text: "Hello there."}, {Start: 4400 * time.Millisecond, End: 4200 * time.Millisecond, Text: "Thank you."}}}
	e, err := svc.AddRecording(context.Background(), journal.NewRecording{Data: []byte("x"), Audio: journal.Audio{Format: "wav"}, Transcript: bad})
	if err != nil || !e.AwaitingTranscript() {
		t.Fatalf("saved %+v, %v; want the recording kept, waiting", e, err)
	}
}

func TestEntry_DescribeRecording(t *testing.T) {
	svc, _ := openRealJournal(t)
	tr := &journal.Transcript{Language: "en", Segments: []journal.Segment{
		{End: time.Second, Text: " Pure joy this morning"},
		{Start: 65 * time.Second, End: 70 * time.Second, Text: " then fear crept in and would not leave me all the afternoon"}}}
	e, err := svc.AddRecording(context.Background(), journal.NewRecording{Data: []byte("x"), Audio: journal.Audio{Format: "wav"}, Transcript: tr})
	if err != nil {
		t.Fatal(err)
	}
	got := e.DescribeRecording()
	for _, want := range []string{"Along the recording:", "0:00  joy (strong)", `"Pure joy this morning"`, "1:05  fear (strong)", `"then fear crept in and would not leave …"`} {
		if !strings.Contains(got, want) {
			t.Fatalf("%q lacks %q", got, want)
		}
	}
	if (journal.Entry{Text: "typed"}).DescribeRecording() != "" {
		t.Fatal("a typed entry described as a recording")
	}
}

// A dictation into a typed entry keeps its recording with that entry: the
// editor's text, the transcript with its times, the audio, in one save;
// an entry with a recording already keeps it and says so.
func TestService_AttachRecording(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(filepath.Join(t.TempDir(), storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	heard := &journaltest.Transcriber{Text: "never asked"}
	svc := journal.NewService(st, journal.WithAnalyzer(&journaltest.WordAnalyzer{}), journal.WithSpeech(journaltest.PCMDecoder{}, heard))
	typed, err := svc.Add(ctx, "A quiet day.")
	if err != nil {
		t.Fatal(err)
	}
	write := func() string {
		p := filepath.Join(t.TempDir(), "take.pcm")
		if err := os.WriteFile(p, journaltest.PCM(32000), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	path := write()
	tr := &journal.Transcript{Language: "en", Segments: []journal.Segment{{Start: 0, End: 2 * time.Second, Text: " then pure joy",
		Words: []journal.Word{{Text: " then", End: 500 * time.Millisecond}, {Text: " pure", Start: 500 * time.Millisecond, End: time.Second}, {Text: " joy", Start: time.Second, End: 2 * time.Second}}}}}
	e, err := svc.AttachRecording(ctx, typed.ID, journal.RecordingFile{Path: path, Transcript: tr, Text: "A quiet day. then pure joy"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Text != "A quiet day. then pure joy" || e.Audio == nil || e.Audio.Duration != 2*time.Second || len(e.Transcript.Segments[0].Words) != 3 {
		t.Fatalf("attached: %+v", e)
	}
	if !slices.Contains(e.Emotions.Labels, "joy") || heard.Calls() != 0 {
		t.Fatalf("emotions %v, transcribed %d times", e.Emotions.Labels, heard.Calls())
	}
	if a, err := svc.Audio(ctx, typed.ID); err != nil || len(a) != 64000 {
		t.Fatalf("audio back: %d bytes, %v", len(a), err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the recording's file is still there")
	}
	// A second recording is refused, and its file kept.
	again := write()
	if _, err := svc.AttachRecording(ctx, typed.ID, journal.RecordingFile{Path: again}); !errors.Is(err, journal.ErrHasRecording) {
		t.Fatalf("a second recording: %v", err)
	}
	if _, err := os.Stat(again); err != nil {
		t.Fatal("the refused recording's file is gone")
	}
	if stored, _ := st.Get(ctx, typed.ID); stored.Text != e.Text {
		t.Fatalf("stored %q", stored.Text)
	}
}
