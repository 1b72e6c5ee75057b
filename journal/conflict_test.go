package journal_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
	"github.com/samojournal/samo/storage"
)

// A transcription that finishes while the person corrects the same entry
// keeps both: the transcript's text and the person's emotions. The
// transcriber's reading is held until the correction is saved, so the
// transcript is written on the revision it read before the correction.
func TestService_TranscriptFinishingDuringACorrectionKeepsBoth(t *testing.T) {
	ctx := context.Background()
	store := journaltest.NewMemStore()
	analyzer := &journaltest.WordAnalyzer{Name: "words", Version: "1"}
	svc := journal.NewService(store, journal.WithAnalyzer(analyzer))
	e, err := svc.AddRecording(ctx, journal.NewRecording{At: time.Now(), Data: journaltest.PCM(1600), Audio: journal.Audio{Format: "pcm"}})
	if err != nil {
		t.Fatal(err)
	}
	// The transcript's Put is let through only after the correction is in:
	// its write is then based on the revision before the correction.
	var once sync.Once
	corrected := make(chan error)
	store.BeforePut = func(p journal.Entry) {
		if p.Transcript != nil {
			once.Do(func() {
				go func() {
					_, err := svc.Correct(ctx, e.ID, []string{"relief"})
					corrected <- err
				}()
				if err := <-corrected; err != nil {
					t.Errorf("correct: %v", err)
				}
			})
		}
	}
	tr := &journal.Transcript{Language: "en", Segments: []journal.Segment{{Start: 0, End: time.Second, Text: "I feel joy"}}}
	got, err := svc.SetTranscript(ctx, e.ID, tr)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := svc.Get(ctx, e.ID)
	for _, x := range []journal.Entry{got, stored} {
		if x.Text != "I feel joy" || x.Transcript == nil {
			t.Errorf("the transcript was lost: %+v", x)
		}
		if !x.Corrected() || !reflect.DeepEqual(x.Corrections.Labels, []string{"relief"}) {
			t.Errorf("the correction was lost: %+v", x.Corrections)
		}
		if x.Emotions == nil || !reflect.DeepEqual(x.Emotions.Labels, []string{"joy"}) {
			t.Errorf("the transcript was not read: %+v", x.Emotions)
		}
	}
	if stored.Revision != 3 || got.Revision != stored.Revision {
		t.Errorf("revisions: returned %d, stored %d; want 3 (saved, corrected, transcribed)", got.Revision, stored.Revision)
	}
}

// A whole-entry save based on an old revision is refused, and changes nothing.
func TestService_SaveOfAnOldRevisionConflicts(t *testing.T) {
	ctx := context.Background()
	svc := journal.NewService(journaltest.NewMemStore())
	e, err := svc.Add(ctx, "first")
	if err != nil {
		t.Fatal(err)
	}
	if e.Revision != 1 {
		t.Fatalf("a new entry's revision is %d, want 1", e.Revision)
	}
	stale := e
	if _, err := svc.Update(ctx, e.ID, "second"); err != nil {
		t.Fatal(err)
	}
	stale.Text = "stale"
	if _, err := svc.Save(ctx, stale); !errors.Is(err, journal.ErrConflict) {
		t.Fatalf("save of revision 1 over 2: %v, want ErrConflict", err)
	}
	if got, _ := svc.Get(ctx, e.ID); got.Text != "second" || got.Revision != 2 {
		t.Errorf("stored %q at %d, want the second text at 2", got.Text, got.Revision)
	}
}

func TestService_SaveRecordingTranscribesAndRemovesTheFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		name        string
		tr          *journaltest.Transcriber
		transcribed bool
		text        string
		notice      string
	}{
		{"transcribed", &journaltest.Transcriber{Text: "a quiet joy"}, true, "a quiet joy", ""},
		{"no model", &journaltest.Transcriber{Fail: journal.ErrNoSpeechModel}, false, "", ""},
		{"model fails", &journaltest.Transcriber{Fail: errors.New("boom")}, false, "", "transcription failed (boom)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var notices []string
			n := journal.NewNotices()
			n.Listen(func(x journal.Notice) { notices = append(notices, x.Message) })
			svc := journal.NewService(journaltest.NewMemStore(), journal.WithSpeech(journaltest.PCMDecoder{}, tc.tr),
				journal.WithAnalyzer(&journaltest.WordAnalyzer{}), journal.WithNotices(n))
			path := filepath.Join(dir, tc.name+".wav")
			if err := os.WriteFile(path, journaltest.PCM(16000), 0o600); err != nil {
				t.Fatal(err)
			}
			e, transcribed, err := svc.SaveRecording(ctx, journal.RecordingFile{Path: path, At: time.Now(), Tags: []string{"walk"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if transcribed != tc.transcribed || e.Text != tc.text || e.AwaitingTranscript() == tc.transcribed {
				t.Errorf("transcribed %v, text %q, awaiting %v", transcribed, e.Text, e.AwaitingTranscript())
			}
			if e.Audio == nil || e.Audio.Duration != time.Second || e.Audio.Bytes != 32000 || !reflect.DeepEqual(e.Tags, []string{"walk"}) {
				t.Errorf("audio %+v, tags %v", e.Audio, e.Tags)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the recording's file is still there: %v", err)
			}
			if got := strings.Join(notices, "|"); tc.notice == "" && got != "" || !strings.Contains(got, tc.notice) {
				t.Errorf("notices %q, want %q", got, tc.notice)
			}
		})
	}
}

func TestService_SaveRecordingKeepsAFileItCannotRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd.wav")
	if err := os.WriteFile(path, []byte{1, 2, 3}, 0o600); err != nil {
		t.Fatal(err)
	}
	store := journaltest.NewMemStore()
	svc := journal.NewService(store, journal.WithSpeech(journaltest.PCMDecoder{}, nil))
	if _, _, err := svc.SaveRecording(context.Background(), journal.RecordingFile{Path: path}, nil); err == nil {
		t.Fatal("an unreadable recording was saved")
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the file was lost: %v", err)
	}
	if n, _ := store.Count(context.Background()); n != 0 {
		t.Errorf("%d entries saved", n)
	}
}

func TestService_TranscribePending(t *testing.T) {
	ctx := context.Background()
	store := journaltest.NewMemStore()
	tr := &journaltest.Transcriber{Text: "later words"}
	svc := journal.NewService(store, journal.WithSpeech(journaltest.PCMDecoder{}, tr))
	var ids []string
	for _, data := range [][]byte{journaltest.PCM(800), {9}, journaltest.PCM(1600)} {
		e, err := svc.AddRecording(ctx, journal.NewRecording{At: time.Now(), Data: data})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
		time.Sleep(2 * time.Millisecond) // distinct creation times, in order
	}
	var seen []journal.Pending
	done, total, err := svc.TranscribePending(ctx, func(p journal.Pending) { seen = append(seen, p) })
	if err != nil || done != 2 || total != 3 {
		t.Fatalf("done %d of %d, %v; want 2 of 3", done, total, err)
	}
	if len(seen) != 3 || seen[1].Err == nil || seen[0].Entry.Text != "later words" || seen[2].Index != 3 {
		t.Fatalf("reports %+v", seen)
	}
	if e, _ := svc.Get(ctx, ids[1]); !e.AwaitingTranscript() {
		t.Error("the unreadable recording no longer waits")
	}
	if done, total, err := svc.TranscribePending(ctx, nil); done != 0 || total != 1 || err != nil {
		t.Errorf("second run: %d of %d, %v; want 0 of 1 (the unreadable one)", done, total, err)
	}
}

func TestService_ExportImport(t *testing.T) {
	ctx := context.Background()
	from := journal.NewService(journaltest.NewMemStore())
	if _, err := from.Add(ctx, "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := from.AddRecording(ctx, journal.NewRecording{At: time.Now(), Data: []byte("RIFF")}); err != nil {
		t.Fatal(err)
	}
	var items []journal.Exported
	for x, err := range from.Export(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, x)
	}
	if len(items) != 2 || string(items[1].AudioData) != "RIFF" {
		t.Fatalf("exported %+v", items)
	}
	to := journal.NewService(journaltest.NewMemStore())
	var progress [][2]int
	n, err := to.Import(ctx, append(items, items[0]), func(d, t int) { progress = append(progress, [2]int{d, t}) })
	if err != nil || n.Added != 2 || n.Present != 1 {
		t.Fatalf("imported %+v, %v", n, err)
	}
	if len(progress) == 0 || progress[len(progress)-1] != [2]int{3, 3} {
		t.Errorf("progress %v", progress)
	}
	if n, _ := to.Import(ctx, items, nil); n.Added != 0 || n.Present != 2 {
		t.Errorf("a second import: %+v, want every entry present", n)
	}
	if a, err := to.Audio(ctx, items[1].ID); err != nil || string(a) != "RIFF" {
		t.Errorf("audio %q, %v", a, err)
	}
}

func TestNotices_KeptUntilSomeoneListens(t *testing.T) {
	n := journal.NewNotices()
	for i := range 20 {
		n.Notify(strings.Repeat("x", i+1))
	}
	var got []string
	stop := n.Listen(func(x journal.Notice) { got = append(got, x.Message) })
	if len(got) != 16 || got[0] != strings.Repeat("x", 5) {
		t.Fatalf("kept %d notices starting %q; want the last 16", len(got), got[0])
	}
	n.Notify("live")
	stop()
	n.Notify("after")
	if got[len(got)-1] != "live" || len(got) != 17 {
		t.Errorf("notices %v", got[16:])
	}
	var late []string
	n.Listen(func(x journal.Notice) { late = append(late, x.Message) })
	if len(late) != 16 || late[15] != "after" {
		t.Errorf("a later listener got %d notices ending %q; want the last 16", len(late), late[len(late)-1])
	}
}

func TestService_EncryptionSwitches(t *testing.T) {
	svc := journal.NewService(journaltest.NewMemStore())
	if err := svc.Decrypt(); !errors.Is(err, journal.ErrNotEncrypted) {
		t.Errorf("decrypt a plain journal: %v", err)
	}
	if err := svc.Encrypt([]byte("pw")); err != nil || !svc.Encrypted() {
		t.Fatalf("encrypt: %v", err)
	}
	if err := svc.Encrypt([]byte("pw")); !errors.Is(err, journal.ErrAlreadyEncrypted) {
		t.Errorf("encrypt twice: %v", err)
	}
	if err := svc.ChangePassphrase([]byte("new")); err != nil {
		t.Error(err)
	}
	if err := svc.Decrypt(); err != nil || svc.Encrypted() {
		t.Errorf("decrypt: %v", err)
	}
	bare := journal.NewService(struct{ journal.Store }{journaltest.NewMemStore()})
	if err := bare.Encrypt([]byte("pw")); !errors.Is(err, journal.ErrNoEncryption) {
		t.Errorf("a store that cannot: %v", err)
	}
}

func TestSettingsFile_UpdateKeepsTheRest(t *testing.T) {
	f := journal.NewSettingsFile(filepath.Join(t.TempDir(), "home"))
	if s, err := f.Load(); err != nil || s != (journal.Settings{}) {
		t.Fatalf("no file: %+v, %v", s, err)
	}
	if err := f.Update(func(s *journal.Settings) { s.Theme = "dark" }); err != nil {
		t.Fatal(err)
	}
	if err := f.Update(func(s *journal.Settings) { s.Provider = "cpu" }); err != nil {
		t.Fatal(err)
	}
	if s, _ := f.Load(); s.Theme != "dark" || s.Provider != "cpu" {
		t.Errorf("settings %+v", s)
	}
	if err := os.WriteFile(f.Path(), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Load(); err == nil || !strings.Contains(err.Error(), f.Path()) {
		t.Errorf("a damaged file: %v, want an error naming it", err)
	}
}

// Ending the context while the emotions are read (the person chose not to
// wait) saves the text without them, in the real journal too, which
// refuses a cancelled context; it is no problem to report.
func TestService_StoppedReadingStillSaves(t *testing.T) {
	st, err := storage.Open(filepath.Join(t.TempDir(), storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	analyzer := &journaltest.WordAnalyzer{}
	var notices []string
	n := journal.NewNotices()
	n.Listen(func(x journal.Notice) { notices = append(notices, x.Message) })
	svc := journal.NewService(storage.Journal{Store: st}, journal.WithAnalyzer(analyzer), journal.WithNotices(n))
	first, err := svc.Add(context.Background(), "joy at first")
	if err != nil {
		t.Fatal(err)
	}
	analyzer.Hold = make(chan struct{}) // from now on, readings wait until stopped
	for _, tc := range []struct {
		name string
		save func(ctx context.Context) (journal.Entry, error)
	}{
		{"add", func(ctx context.Context) (journal.Entry, error) { return svc.Add(ctx, "a long text, read slowly") }},
		{"update", func(ctx context.Context) (journal.Entry, error) {
			return svc.Update(ctx, first.ID, "edited, read slowly")
		}},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		e, err := tc.save(ctx)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got, _ := svc.Get(context.Background(), e.ID); got.Text != e.Text || got.Emotions != nil {
			t.Errorf("%s: stored %q with %+v, want the text without emotions", tc.name, got.Text, got.Emotions)
		}
	}
	if len(notices) != 0 {
		t.Errorf("notices %q for a reading the person stopped", notices)
	}
}

// An entry deleted after it was read is not brought back by a write based
// on that read, in memory or on disk.
func TestService_AnEntryDeletedMeanwhileIsNotBroughtBack(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(filepath.Join(t.TempDir(), storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, store := range []journal.Store{journaltest.NewMemStore(), storage.Journal{Store: st}} {
		svc := journal.NewService(store)
		e, err := svc.Add(ctx, "soon gone")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Delete(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		e.Text = "a late write"
		if _, err := svc.Save(ctx, e); !errors.Is(err, journal.ErrNotFound) {
			t.Errorf("%T: a write on a deleted entry: %v, want ErrNotFound", store, err)
		}
		if n, _ := svc.Count(ctx); n != 0 {
			t.Errorf("%T: the deleted entry came back", store)
		}
	}
}

// Words the person typed for a recording while it waited are kept when its
// transcript arrives; the transcript is kept beside them.
func TestService_TranscriptKeepsWordsTypedMeanwhile(t *testing.T) {
	ctx := context.Background()
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithAnalyzer(&journaltest.WordAnalyzer{}))
	e, err := svc.AddRecording(ctx, journal.NewRecording{At: time.Now(), Data: journaltest.PCM(160)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Update(ctx, e.ID, "what I said, typed: pride"); err != nil {
		t.Fatal(err)
	}
	tr := &journal.Transcript{Segments: []journal.Segment{{End: time.Second, Text: "what the model heard"}}}
	got, err := svc.SetTranscript(ctx, e.ID, tr)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "what I said, typed: pride" || got.Transcript == nil || got.Emotions == nil || got.Emotions.Labels[0] != "pride" {
		t.Errorf("text %q, transcript %v, emotions %+v; want the typed words and their reading kept", got.Text, got.Transcript != nil, got.Emotions)
	}
}

// An edit whose reading takes a while keeps a correction saved meanwhile:
// its first write, on the entry as it read it, is refused, and it applies
// the new text again on the entry as it now is.
func TestService_EditDuringACorrectionKeepsBoth(t *testing.T) {
	ctx := context.Background()
	store := journaltest.NewMemStore()
	svc := journal.NewService(store, journal.WithAnalyzer(&journaltest.WordAnalyzer{}))
	e, err := svc.Add(ctx, "a first text")
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	store.BeforePut = func(p journal.Entry) {
		if p.Text == "now with joy" {
			once.Do(func() {
				done := make(chan error)
				go func() { _, err := svc.Correct(ctx, e.ID, []string{"relief"}); done <- err }()
				if err := <-done; err != nil {
					t.Errorf("correct: %v", err)
				}
			})
		}
	}
	got, err := svc.Update(ctx, e.ID, "now with joy")
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := svc.Get(ctx, e.ID)
	if stored.Text != "now with joy" || !stored.Corrected() || stored.Revision != 3 || got.Revision != 3 {
		t.Errorf("stored %q corrected %v at %d (returned %d); want the edit and the correction, revision 3", stored.Text, stored.Corrected(), stored.Revision, got.Revision)
	}
}
