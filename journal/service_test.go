package journal_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
	"github.com/samojournal/samo/storage"
)

func TestService_AddAndGet(t *testing.T) {
	ctx := context.Background()
	paris := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 25, 9, 41, 0, 0, paris)
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithClock(func() time.Time { return now }))

	e, err := svc.Add(ctx, "I feel great today")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.ID) != 26 {
		t.Errorf("id %q is not a 26-character ULID", e.ID)
	}
	if !e.Created.Equal(now) || e.Created.Location() != paris || !e.Updated.Equal(now) {
		t.Errorf("created/updated = %v/%v, want %v in the writer's zone", e.Created, e.Updated, now)
	}
	got, err := svc.Get(ctx, strings.ToLower(e.ID))
	if err != nil {
		t.Fatalf("get by lower-case id: %v", err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Errorf("got %+v, want %+v", got, e)
	}
	if n, _ := svc.Count(ctx); n != 1 {
		t.Errorf("count = %d, want 1", n)
	}
}

func TestService_AddRefusesEmptyText(t *testing.T) {
	store := journaltest.NewMemStore()
	svc := journal.NewService(store)
	if _, err := svc.Add(context.Background(), " \n"); !errors.Is(err, journal.ErrEmptyText) {
		t.Fatalf("err = %v, want ErrEmptyText", err)
	}
	if n, _ := store.Count(context.Background()); n != 0 {
		t.Errorf("an empty entry was stored")
	}
}

func TestService_AddRepairsInvalidUTF8WithWarning(t *testing.T) {
	var logs bytes.Buffer
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	e, err := svc.Add(context.Background(), "na\xefve")
	if err != nil {
		t.Fatal(err)
	}
	if e.Text != "na\uFFFDve" {
		t.Errorf("text = %q, want the invalid byte replaced", e.Text)
	}
	if !strings.Contains(logs.String(), "not valid UTF-8") {
		t.Errorf("no warning logged; logs: %q", logs.String())
	}
}

// The order is the store's: MemStore sorts on its own, so the real store
// is tested too.
func TestService_AddAtOrdersByTime(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(filepath.Join(t.TempDir(), storage.FileName), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, store := range map[string]journal.Store{"memory": journaltest.NewMemStore(), "bbolt": storage.Journal{Store: st}} {
		t.Run(name, func(t *testing.T) {
			svc := journal.NewService(store)
			base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
			// Written out of order: the list must still come back newest
			// first.
			for _, d := range []int{3, 1, 4, 2} {
				if _, err := svc.AddAt(ctx, "day "+string(rune('0'+d)), base.AddDate(0, 0, d)); err != nil {
					t.Fatal(err)
				}
			}
			es, err := svc.List(ctx, journal.Query{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Text)
			}
			if want := "day 4,day 3,day 2,day 1"; strings.Join(got, ",") != want {
				t.Errorf("order = %v, want %s", got, want)
			}
		})
	}
}

// Entries that cannot be read are left out of the list and the export,
// and the person is told which, once for the same damage.
func TestService_DamagedEntriesAreLeftOutAndTold(t *testing.T) {
	ctx := context.Background()
	store := journaltest.NewMemStore()
	svc := journal.NewService(store)
	var notices []string
	svc.Notices().Listen(func(n journal.Notice) { notices = append(notices, n.Message) })
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		e, err := svc.Add(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	store.Damage(ids[1])
	for range 2 {
		if es, err := svc.List(ctx, journal.Query{}); err != nil || len(es) != 2 {
			t.Fatalf("List = %d entries, %v; want the 2 readable", len(es), err)
		}
	}
	n := 0
	for _, err := range svc.Export(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("exported %d entries, want the 2 readable", n)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "1 entry could not be read") ||
		!strings.Contains(notices[0], ids[1]) || !strings.Contains(notices[0], "samo restore") {
		t.Errorf("notices = %q; want one naming %s and samo restore", notices, ids[1])
	}
}

// A journal opened read-only is said to be so.
func TestService_ReadOnlyJournalIsTold(t *testing.T) {
	path := filepath.Join(t.TempDir(), storage.FileName)
	if err := storage.CreateNew(path, nil); err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := journal.NewService(storage.Journal{Store: st})
	var notices []string
	svc.Notices().Listen(func(n journal.Notice) { notices = append(notices, n.Message) })
	if len(notices) != 1 || !strings.Contains(notices[0], "read-only") {
		t.Errorf("notices = %q, want one saying the journal is read-only", notices)
	}
	if _, err := svc.Add(context.Background(), "refused"); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("a save to a read-only journal: %v, want ErrReadOnly", err)
	}
}

func TestService_Update(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithClock(func() time.Time { return clock }))
	e, err := svc.Add(ctx, "first draft")
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour)
	u, err := svc.Update(ctx, e.ID, "second draft")
	if err != nil {
		t.Fatal(err)
	}
	if u.Text != "second draft" || !u.Created.Equal(e.Created) || !u.Updated.Equal(clock) {
		t.Errorf("updated entry = %+v", u)
	}
	if _, err := svc.Update(ctx, e.ID, ""); !errors.Is(err, journal.ErrEmptyText) {
		t.Errorf("update to empty: err = %v, want ErrEmptyText", err)
	}
	if got, _ := svc.Get(ctx, e.ID); got.Text != "second draft" {
		t.Errorf("a refused update changed the entry to %q", got.Text)
	}
	if _, err := svc.Update(ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "x"); !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("update of a missing entry: err = %v, want ErrNotFound", err)
	}
}

func TestService_StoreFailureIsReported(t *testing.T) {
	store := journaltest.NewMemStore()
	store.SetFail(errors.New("disk full"))
	svc := journal.NewService(store)
	_, err := svc.Add(context.Background(), "keep me")
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the store's error wrapped", err)
	}
}

func TestService_AnalyzesOnSave(t *testing.T) {
	ctx := context.Background()
	a := &journaltest.WordAnalyzer{Name: "words", Version: "1", Fail: "REFUSE"}
	var logs bytes.Buffer
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithAnalyzer(a),
		journal.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	e, err := svc.Add(ctx, "Such joy and some fear")
	if err != nil {
		t.Fatal(err)
	}
	if e.Emotions == nil || e.Emotions.Model != "words" || !reflect.DeepEqual(e.Emotions.Labels, []string{"fear", "joy"}) {
		t.Fatalf("emotions %+v", e.Emotions)
	}
	e, err = svc.Update(ctx, e.ID, "only sadness now")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(e.Emotions.Labels, []string{"sadness"}) {
		t.Fatalf("after the edit: %+v", e.Emotions)
	}
	// a failing model never costs the entry
	f, err := svc.Add(ctx, "REFUSE this one")
	if err != nil {
		t.Fatalf("the entry was lost with its analysis: %v", err)
	}
	if f.Emotions != nil || !strings.Contains(logs.String(), "reanalyze") {
		t.Fatalf("emotions %+v, log %q", f.Emotions, logs.String())
	}
	got, err := svc.Get(ctx, f.ID)
	if err != nil || got.Text != "REFUSE this one" {
		t.Fatalf("saved entry %+v, %v", got, err)
	}
}

func TestService_Reanalyze(t *testing.T) {
	ctx := context.Background()
	store := journaltest.NewMemStore()
	old := &journaltest.WordAnalyzer{Name: "words", Version: "1"}
	svc := journal.NewService(store, journal.WithAnalyzer(old))
	var ids []string
	for _, text := range []string{"joy", "grief", "plain day"} {
		e, err := svc.Add(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	// the person corrects one entry; a plain save without a model adds another
	if _, err := svc.Correct(ctx, ids[1], []string{"sadness"}); err != nil {
		t.Fatal(err)
	}
	if _, err := journal.NewService(store).Add(ctx, "no model then: love"); err != nil {
		t.Fatal(err)
	}

	next := &journaltest.WordAnalyzer{Name: "words", Version: "2"}
	svc = journal.NewService(store, journal.WithAnalyzer(next))
	var seen []int
	n, err := svc.Reanalyze(ctx, false, func(done, total int) {
		if total != 4 {
			t.Errorf("total %d, want 4", total)
		}
		seen = append(seen, done)
	})
	if err != nil || n != 4 || !reflect.DeepEqual(seen, []int{1, 2, 3, 4}) {
		t.Fatalf("Reanalyze = %d, %v; progress %v", n, err, seen)
	}
	err = store.Each(ctx, func(e journal.Entry) error {
		if e.Emotions == nil || e.Emotions.Version != "2" {
			t.Errorf("%q: emotions %+v, want version 2", e.Text, e.Emotions)
		}
		if e.Text == "grief" && (e.Corrections == nil || e.Corrections.Labels[0] != "sadness") {
			t.Errorf("the person's correction was lost: %+v", e.Corrections)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Reanalyze(ctx, false, nil); err != nil || n != 0 {
		t.Fatalf("second Reanalyze = %d, %v; want nothing left to do", n, err)
	}
	if n, err := svc.Reanalyze(ctx, true, nil); err != nil || n != 4 {
		t.Fatalf("forced Reanalyze = %d, %v; want all 4", n, err)
	}
	if _, err := journal.NewService(store).Reanalyze(ctx, false, nil); err == nil {
		t.Fatal("Reanalyze without a model succeeded")
	}
}

// The person's own feelings for an entry: cleaned, kept beside the model's
// reading, shown in its place, kept through an edit, and removable.
func TestService_Correct(t *testing.T) {
	ctx := context.Background()
	store := journaltest.NewMemStore()
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	svc := journal.NewService(store, journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"}),
		journal.WithClock(func() time.Time { return at }))
	e, err := svc.Add(ctx, "so much joy")
	if err != nil {
		t.Fatal(err)
	}
	if e.Corrected() || !reflect.DeepEqual(e.Feelings(), []string{"joy"}) {
		t.Fatalf("before any correction: corrected %v, feelings %v", e.Corrected(), e.Feelings())
	}

	c, err := svc.Correct(ctx, strings.ToLower(e.ID), []string{" Relief", "gratitude", "relief", ""})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(ctx, e.ID)
	for _, x := range []journal.Entry{c, got} {
		if !x.Corrected() || !reflect.DeepEqual(x.Feelings(), []string{"gratitude", "relief"}) || !x.Corrections.At.Equal(at) {
			t.Fatalf("after correcting: %+v", x.Corrections)
		}
		if x.Emotions == nil || x.Emotions.Labels[0] != "joy" {
			t.Fatalf("the model's reading was not kept beside the correction: %+v", x.Emotions)
		}
	}

	_, err = svc.Correct(ctx, e.ID, []string{"relief", "hangry"})
	if !errors.Is(err, journal.ErrUnknownEmotion) || !strings.Contains(err.Error(), `"hangry"`) {
		t.Fatalf("unknown label: %v", err)
	}
	if got, _ := svc.Get(ctx, e.ID); !reflect.DeepEqual(got.Feelings(), []string{"gratitude", "relief"}) {
		t.Fatalf("a refused correction changed the entry: %v", got.Feelings())
	}
	if _, err := svc.Correct(ctx, "01NOSUCHENTRY0000000000000", []string{"joy"}); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("missing entry: %v", err)
	}

	if _, err := svc.Update(ctx, e.ID, "so much joy, and relief"); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, e.ID); !reflect.DeepEqual(got.Feelings(), []string{"gratitude", "relief"}) {
		t.Fatalf("editing the text lost the correction: %+v", got.Corrections)
	}

	c, err = svc.Correct(ctx, e.ID, nil)
	if err != nil || c.Corrected() || c.Corrections != nil || !reflect.DeepEqual(c.Feelings(), c.Emotions.Labels) {
		t.Fatalf("clearing: %v, %+v", err, c.Corrections)
	}
}

// Explain reads the entry afresh with a model that can say why; without
// one, or for a missing entry or a recording with no words, it says so.
func TestService_Explain(t *testing.T) {
	ctx := context.Background()
	store := journaltest.NewMemStore()
	svc := journal.NewService(store, journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"}))
	e, err := svc.Add(ctx, "joy, and then fear")
	if err != nil {
		t.Fatal(err)
	}
	if !svc.CanExplain() {
		t.Fatal("a Service with an explaining model says it cannot explain")
	}
	ws, err := svc.Explain(ctx, strings.ToLower(e.ID))
	if err != nil || len(ws) != 2 || ws[0].Label != "fear" || ws[0].Words[0].Text != "fear" || ws[1].Label != "joy" {
		t.Fatalf("Explain = %+v, %v", ws, err)
	}
	if _, err := svc.Explain(ctx, "01NOSUCHENTRY0000000000000"); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("missing entry: %v", err)
	}
	rec, err := svc.Save(ctx, journal.Entry{Audio: &journal.Audio{Format: "wav", SampleRate: 16000, Channels: 1, Duration: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Explain(ctx, rec.ID); !errors.Is(err, journal.ErrEmptyText) {
		t.Fatalf("a recording waiting for its words: %v", err)
	}
	plain := journal.NewService(store)
	if plain.CanExplain() {
		t.Fatal("a Service without a model says it can explain")
	}
	if _, err := plain.Explain(ctx, e.ID); !errors.Is(err, journal.ErrCannotExplain) {
		t.Fatalf("without a model: %v", err)
	}
}
