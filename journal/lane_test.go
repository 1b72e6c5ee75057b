package journal_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// laneJournal is a journal over MemStore with the test analyzer (a text
// naming an emotion has it) and the test embedder (synonyms share meaning).
func laneJournal(t *testing.T) (*journal.Service, *journaltest.WordEmbedder) {
	t.Helper()
	emb := &journaltest.WordEmbedder{Name: "words", Version: "1", Dim: 64, Synonyms: [][]string{
		{"keys", "locked", "home", "doorstep"},
		{"anxious", "stress", "deadline"},
	}}
	s := journal.NewService(journaltest.NewMemStore(),
		journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "w", Version: "1"}),
		journal.WithEmbedder(emb))
	return s, emb
}

func add(t *testing.T, s *journal.Service, when string, text string, tags ...string) journal.Entry {
	t.Helper()
	at, err := time.Parse(time.RFC3339, when)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.AddAt(context.Background(), text, at, tags...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func ids(fs []journal.Found) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Entry.ID)
	}
	return out
}

func TestService_SearchByWordsMeaningAndFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	keys := add(t, s, "2023-03-02T21:00:00Z", "Lost my keys and waited on the doorstep until midnight.", "home")
	work := add(t, s, "2024-05-10T09:00:00Z", "The deadline for the report is Friday and I feel the fear of it.", "work")
	dog := add(t, s, "2025-01-04T18:00:00Z", "Walked the dog by the river, pure joy.")
	if e, _ := s.Get(ctx, keys.ID); e.Embedding == nil || e.Embedding.Model != "words" || e.Embedding.Version != "1" || e.Embedding.Dim != 64 {
		t.Fatalf("saved without its embedding: %+v", e.Embedding)
	}

	// by meaning only: no word of the query is in the entry
	got, err := s.Search(ctx, journal.SearchQuery{Words: []string{"locked", "out", "of", "my", "home"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Entry.ID != keys.ID || !slices.Contains(got[0].Why, journal.ByMeaning) || slices.Contains(got[0].Why, journal.ByWords) {
		t.Fatalf("locked out of my home: %v, why %v", ids(got), got)
	}

	// by words, with the snippet marking them
	got, _ = s.Search(ctx, journal.SearchQuery{Words: []string{"river"}})
	if got[0].Entry.ID != dog.ID || !slices.Contains(got[0].Why, journal.ByWords) || got[0].Snippet.Highlighted("[", "]") != "Walked the dog by the [river], pure joy." {
		t.Errorf("river: %v %+v", ids(got), got[0])
	}

	for name, q := range map[string]journal.SearchQuery{
		"tag":     {Words: []string{"deadline"}, Filter: journal.Filter{Tags: []string{"WORK"}}},
		"emotion": {Filter: journal.Filter{Emotions: []string{"fear"}}},
		"period":  {Filter: journal.Filter{From: work.Created.Add(-time.Hour), To: work.Created.Add(time.Hour)}},
		"phrase":  {Phrases: []string{"the  REPORT is"}},
	} {
		got, err := s.Search(ctx, q)
		if err != nil || !slices.Equal(ids(got), []string{work.ID}) {
			t.Errorf("%s: %v, %v; want only the work entry", name, ids(got), err)
		}
	}
	if got, _ := s.Search(ctx, journal.SearchQuery{Words: []string{"dog"}, Not: []string{"river"}}); slices.Contains(ids(got), dog.ID) {
		t.Errorf("-not river kept the dog entry: %v", ids(got))
	}
	if got, _ := s.Search(ctx, journal.SearchQuery{Filter: journal.Filter{Emotions: []string{"joy"}}}); !slices.Equal(ids(got), []string{dog.ID}) {
		t.Errorf("group joy: %v", ids(got))
	}
	if _, err := s.Search(ctx, journal.SearchQuery{Filter: journal.Filter{Emotions: []string{"hunger"}}}); !errors.Is(err, journal.ErrUnknownEmotion) {
		t.Errorf("unknown feeling: %v", err)
	}

	// the search's own feelings, as the analyzer reads them, count too:
	// said of the entries that share them, and of no other
	got, _ = s.Search(ctx, journal.SearchQuery{Words: []string{"a", "day", "of", "joy"}})
	for _, f := range got {
		if shared := f.Entry.ID == dog.ID; slices.Contains(f.Why, journal.ByFeeling) != shared {
			t.Errorf("a day of joy: %s is found %v", f.Entry.Text, f.Why)
		}
	}
	if len(got) == 0 || got[0].Entry.ID != dog.ID {
		t.Errorf("a day of joy: %v, want the dog walk first", ids(got))
	}
	got, _ = s.Search(ctx, journal.SearchQuery{Words: []string{"locked", "out"}})
	for _, f := range got {
		if slices.Contains(f.Why, journal.ByFeeling) {
			t.Errorf("a search of no feeling found %s by feeling", f.Entry.Text)
		}
	}
}

func TestService_LaneKeepsInStepWithSaves(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	a := add(t, s, "2024-01-01T10:00:00Z", "a walk along the canal")
	if err := s.PrepareLane(ctx, nil); err != nil {
		t.Fatal(err)
	}
	b := add(t, s, "2024-01-02T10:00:00Z", "tea with grandmother")
	find := func(w string) []string {
		got, err := s.Search(ctx, journal.SearchQuery{Words: []string{w}})
		if err != nil {
			t.Fatal(err)
		}
		var byWords []string
		for _, f := range got {
			if slices.Contains(f.Why, journal.ByWords) {
				byWords = append(byWords, f.Entry.ID)
			}
		}
		return byWords
	}
	if got := find("grandmother"); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("an entry added after the build: %v", got)
	}
	if _, err := s.Update(ctx, a.ID, "a swim in the lake"); err != nil {
		t.Fatal(err)
	}
	if got := find("canal"); len(got) != 0 {
		t.Errorf("the old text is still found: %v", got)
	}
	if got := find("lake"); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("the new text is not found: %v", got)
	}
	if err := s.Delete(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if got := find("grandmother"); len(got) != 0 {
		t.Errorf("a deleted entry is found: %v", got)
	}
}

// Entries saved while the index is being built are in it once it is.
func TestService_LaneBuildMeetsConcurrentSaves(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	for i := range 300 {
		add(t, s, time.Date(2020, 1, 1+i, 8, 0, 0, 0, time.UTC).Format(time.RFC3339), "an ordinary day")
	}
	var wg sync.WaitGroup
	var added []journal.Entry
	wg.Go(func() {
		for i := range 20 {
			e, err := s.AddAt(ctx, "a thunderstorm woke us", time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Error(err)
				return
			}
			added = append(added, e)
		}
	})
	if err := s.PrepareLane(ctx, nil); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	got, err := s.Search(ctx, journal.SearchQuery{Words: []string{"thunderstorm"}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(added) {
		t.Errorf("found %d entries; %d were saved during the build", len(got), len(added))
	}
}

func TestService_SimilarByMeaningAndFeeling(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	sad1 := add(t, s, "2021-02-01T10:00:00Z", "grief and sadness about grandad")
	sad2 := add(t, s, "2022-02-01T10:00:00Z", "more sadness today, quiet grief")
	keys := add(t, s, "2023-02-01T10:00:00Z", "lost my keys")
	home := add(t, s, "2024-02-01T10:00:00Z", "locked out of home")
	joy := add(t, s, "2025-02-01T10:00:00Z", "joy joy joy")

	got, err := s.Similar(ctx, keys.ID, journal.SimilarMeaning, journal.Filter{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Entry.ID != home.ID || slices.Contains(ids(got), keys.ID) {
		t.Errorf("like lost keys by meaning: %v (want %s first, never itself)", ids(got), home.ID)
	}
	got, err = s.Similar(ctx, sad1.ID, journal.SimilarFeeling, journal.Filter{}, 1)
	if err != nil || !slices.Equal(ids(got), []string{sad2.ID}) {
		t.Errorf("times I felt like this: %v, %v", ids(got), err)
	}
	// the person's correction counts first: the joyful entry corrected to
	// grief and sadness is now felt like the sad ones
	if _, err := s.Correct(ctx, joy.ID, []string{"grief", "sadness"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Similar(ctx, sad1.ID, journal.SimilarFeeling, journal.Filter{}, 2)
	if !slices.Contains(ids(got), joy.ID) {
		t.Errorf("a correction did not count: %v", ids(got))
	}
	if _, err := s.Similar(ctx, "NOPE", journal.SimilarBoth, journal.Filter{}, 2); !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestService_OnThisDay(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	y1 := add(t, s, "2025-03-31T20:00:00Z", "a year before")
	y3 := add(t, s, "2023-03-31T08:00:00Z", "three years before")
	add(t, s, "2023-03-30T08:00:00Z", "the day before, not shown")
	feb := add(t, s, "2026-02-28T12:00:00Z", "the end of February")
	today := add(t, s, "2026-03-31T09:00:00Z", "today itself")
	got, err := s.OnThisDay(ctx, today.Created)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range got {
		lines = append(lines, m.Label+":"+m.Entries[0].ID)
	}
	want := []string{"1 year ago:" + y1.ID, "3 years ago:" + y3.ID, "a month ago:" + feb.ID}
	if !slices.Equal(lines, want) {
		t.Errorf("on this day = %v\nwant %v", lines, want)
	}
	// relative to any entry's day
	got, _ = s.OnThisDay(ctx, y1.Created)
	if len(got) != 1 || got[0].Entries[0].ID != y3.ID || got[0].Label != "2 years ago" {
		t.Errorf("on %s: %+v", y1.Created.Format(time.DateOnly), got)
	}
}

func TestService_TimelineByMonthInPages(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	add(t, s, "2024-01-03T10:00:00Z", "sadness")
	add(t, s, "2024-01-20T10:00:00Z", "sadness again")
	add(t, s, "2024-01-21T10:00:00Z", "joy")
	add(t, s, "2024-03-05T10:00:00Z", "anger")
	add(t, s, "2024-04-05T10:00:00Z", "joy")
	page, err := s.Timeline(ctx, journal.TimelineQuery{By: journal.Month, Periods: 2, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Periods) != 2 || page.Periods[0].Label != "April 2024" || page.Periods[1].Label != "March 2024" || page.Periods[1].Dominant != "anger" {
		t.Fatalf("first page: %+v", page.Periods)
	}
	page, err = s.Timeline(ctx, journal.TimelineQuery{By: journal.Month, Periods: 2, Location: time.UTC, Before: page.Next})
	if err != nil {
		t.Fatal(err)
	}
	jan := page.Periods[0]
	if len(page.Periods) != 1 || jan.Label != "January 2024" || jan.Count != 3 || jan.Dominant != "sadness" || jan.Feelings["joy"] != 1 || len(jan.Entries) != 3 || !page.Next.IsZero() {
		t.Errorf("second page: %+v", page)
	}
	days, _ := s.Timeline(ctx, journal.TimelineQuery{By: journal.Day, Location: time.UTC, Periods: 100})
	weeks, _ := s.Timeline(ctx, journal.TimelineQuery{By: journal.Week, Location: time.UTC, Periods: 100})
	years, _ := s.Timeline(ctx, journal.TimelineQuery{By: journal.Year, Location: time.UTC})
	if len(days.Periods) != 5 || len(weeks.Periods) != 4 || len(years.Periods) != 1 || years.Periods[0].Count != 5 {
		t.Errorf("days %d, weeks %d, years %+v", len(days.Periods), len(weeks.Periods), years.Periods)
	}
	if weeks.Periods[2].Label != "15–21 January 2024" {
		t.Errorf("week label %q", weeks.Periods[2].Label)
	}
}

func TestService_ReindexAfterTheModelChanges(t *testing.T) {
	ctx := context.Background()
	s, emb := laneJournal(t)
	add(t, s, "2024-01-01T10:00:00Z", "one")
	add(t, s, "2024-01-02T10:00:00Z", "two")
	emb.Version = "2"
	n, err := s.Reindex(ctx, false, nil)
	if err != nil || n != 2 {
		t.Fatalf("reindex: %d, %v", n, err)
	}
	if n, _ := s.Reindex(ctx, false, nil); n != 0 {
		t.Errorf("a second reindex embedded %d", n)
	}
	err = s.Each(ctx, func(e journal.Entry) error {
		if e.Embedding.Version != "2" {
			t.Errorf("%s still at version %s", e.ID, e.Embedding.Version)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := journal.NewService(journaltest.NewMemStore()).Reindex(ctx, false, nil); !errors.Is(err, journal.ErrNoEmbedder) {
		t.Errorf("without a model: %v", err)
	}
}

func TestParseSearch(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	q, err := journal.ParseSearch(`feeling "so tired" @work -from 2024 -to 2025-03 -not meetings -emotion Sadness -audio -corrected`, now)
	if err != nil {
		t.Fatal(err)
	}
	want := journal.SearchQuery{Words: []string{"feeling"}, Phrases: []string{"so tired"}, Not: []string{"meetings"},
		Filter: journal.Filter{Tags: []string{"work"}, Emotions: []string{"sadness"}, Audio: true, Corrected: true,
			From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}}
	if !slices.Equal(q.Words, want.Words) || !slices.Equal(q.Phrases, want.Phrases) || !slices.Equal(q.Not, want.Not) ||
		!slices.Equal(q.Tags, want.Tags) || !slices.Equal(q.Emotions, want.Emotions) || !q.Audio || !q.Corrected ||
		!q.From.Equal(want.From) || !q.To.Equal(want.To) {
		t.Errorf("ParseSearch = %+v\nwant %+v", q, want)
	}
	if q, _ := journal.ParseSearch("-on yesterday", now); !q.From.Equal(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)) || !q.To.Equal(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("-on yesterday: %v – %v", q.From, q.To)
	}
	for _, bad := range []string{`"open`, "-from", "-from someday", "-frobnicate", "-emotion hunger"} {
		if _, err := journal.ParseSearch(bad, now); err == nil || (!errors.Is(err, journal.ErrBadQuery) && !errors.Is(err, journal.ErrUnknownEmotion)) {
			t.Errorf("%q: %v", bad, err)
		} else if strings.Contains(err.Error(), "%!") {
			t.Errorf("%q: badly formatted %v", bad, err)
		}
	}
	if d, err := journal.ParseDay("", now); err != nil || !d.Equal(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseDay(\"\") = %v, %v; want today", d, err)
	}
	if q, err := journal.ParseSearch("-5 degrees", now); err != nil || !slices.Equal(q.Words, []string{"-5", "degrees"}) {
		t.Errorf("a negative number is a word: %+v %v", q, err)
	}
}

// An import embeds the entries that come without a vector, keeps the
// vectors of another model as they were exported, and the imported entries
// are found at once.
func TestService_ImportEmbedsWhatHasNoVector(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	if err := s.PrepareLane(ctx, nil); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	other := &journal.Embedding{Model: "other", Version: "7", Dim: 2, Vector: []float32{0.6, 0.8}}
	items := []journal.Exported{
		{Entry: journal.Entry{Created: at, Text: "a picnic by the lighthouse"}},
		{Entry: journal.Entry{Created: at.Add(time.Hour), Text: "rain on the lighthouse", Embedding: other}},
	}
	if _, err := s.Import(ctx, items, nil); err != nil {
		t.Fatal(err)
	}
	var got []*journal.Embedding
	s.Each(ctx, func(e journal.Entry) error { got = append(got, e.Embedding); return nil })
	if len(got) != 2 || got[0] == nil || got[0].Model != "words" || got[1] == nil || got[1].Model != "other" {
		t.Fatalf("embeddings after import: %+v", got)
	}
	found, err := s.Search(ctx, journal.SearchQuery{Words: []string{"lighthouse"}})
	if err != nil || len(found) != 2 {
		t.Errorf("imported entries found: %d, %v", len(found), err)
	}
}

// On 28 February of a year without a 29th, what was written on a 29
// February shows too.
func TestService_OnThisDayKeepsLeapDays(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	leap := add(t, s, "2024-02-29T10:00:00Z", "a leap day walk")
	add(t, s, "2024-02-27T10:00:00Z", "not this one")
	got, err := s.OnThisDay(ctx, time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC))
	if err != nil || len(got) != 1 || got[0].Entries[0].ID != leap.ID || got[0].Label != "2 years ago" {
		t.Errorf("28 February 2026: %+v, %v", got, err)
	}
	if got, _ := s.OnThisDay(ctx, time.Date(2028, 2, 28, 9, 0, 0, 0, time.UTC)); len(got) != 0 {
		t.Errorf("28 February of a leap year shows %+v", got)
	}
	// the 29th's memory is dated the 29th, apart from the 28th's
	day28 := add(t, s, "2024-02-28T10:00:00Z", "the day before")
	got, err = s.OnThisDay(ctx, time.Date(2025, 2, 28, 9, 0, 0, 0, time.UTC))
	if err != nil || len(got) != 2 || got[0].Day.Day() != 29 || got[0].Entries[0].ID != leap.ID || got[1].Day.Day() != 28 || got[1].Entries[0].ID != day28.ID {
		t.Errorf("28 February 2025: %+v, %v", got, err)
	}
}

// Entries count by the calendar day where they were written, and the
// timeline stays in order when a later entry was written on an earlier
// day (in Hawaii, after one in Kiribati): one period a day, newest first,
// on every page.
func TestService_TimelineAcrossTimeZones(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	add(t, s, "2024-02-29T10:00:00Z", "a morning in London")
	add(t, s, "2024-03-01T00:30:00+14:00", "just after midnight in Kiribati")
	add(t, s, "2024-02-29T23:00:00-10:00", "late evening in Hawaii")
	months, err := s.Timeline(ctx, journal.TimelineQuery{By: journal.Month, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, p := range months.Periods {
		labels = append(labels, fmt.Sprintf("%s:%d", p.Label, p.Count))
	}
	if want := []string{"March 2024:1", "February 2024:2"}; !slices.Equal(labels, want) {
		t.Errorf("months %q, want %q", labels, want)
	}
	page, err := s.Timeline(ctx, journal.TimelineQuery{By: journal.Day, Location: time.UTC, Periods: 1})
	if err != nil || len(page.Periods) != 1 || page.Periods[0].Label != "Friday 1 March 2024" || page.Next.IsZero() {
		t.Fatalf("first day page: %+v, %v", page, err)
	}
	page, err = s.Timeline(ctx, journal.TimelineQuery{By: journal.Day, Location: time.UTC, Periods: 1, Before: page.Next})
	if err != nil || len(page.Periods) != 1 || page.Periods[0].Label != "Thursday 29 February 2024" || page.Periods[0].Count != 2 || len(page.Periods[0].Entries) != 2 || !page.Next.IsZero() {
		t.Errorf("second day page: %+v, %v", page, err)
	}
	// a week across the new year names both years
	add(t, s, "2025-01-02T10:00:00Z", "new year")
	weeks, _ := s.Timeline(ctx, journal.TimelineQuery{By: journal.Week, Location: time.UTC, Periods: 1})
	if len(weeks.Periods) != 1 || weeks.Periods[0].Label != "30 December 2024 – 5 January 2025" {
		t.Errorf("week across the new year: %+v", weeks.Periods)
	}
}

// A search longer than MaxQueryBytes (a pasted page) is refused with a
// clear error, as is one that is not UTF-8; one just under is searched.
func TestService_SearchRefusesEnormousQueries(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	add(t, s, "2024-01-01T10:00:00Z", "a walk by the river")
	long := strings.Fields(strings.Repeat("river walk ", journal.MaxQueryBytes/5))
	_, err := s.Search(ctx, journal.SearchQuery{Words: long})
	if !errors.Is(err, journal.ErrBadQuery) || !strings.Contains(err.Error(), "at most") {
		t.Errorf("a long search: %v", err)
	}
	if _, err := s.Search(ctx, journal.SearchQuery{Words: []string{"river\xff"}}); !errors.Is(err, journal.ErrBadQuery) {
		t.Errorf("a search that is not UTF-8: %v", err)
	}
	found, err := s.Search(ctx, journal.SearchQuery{Words: long[:journal.MaxQueryBytes/8]})
	if err != nil || len(found) != 1 {
		t.Errorf("a search under the limit: %d found, %v", len(found), err)
	}
}

// A spoken entry found by its words opens at the moment it says them.
func TestService_SearchFindsTheMomentInARecording(t *testing.T) {
	s, _ := laneJournal(t)
	ctx := context.Background()
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	tr := &journal.Transcript{Language: "en", Segments: []journal.Segment{
		{Start: 0, End: sec(2), Text: " I went out early", Words: []journal.Word{{Text: " I", End: sec(0.3)}, {Text: " went", Start: sec(0.3), End: sec(0.8)},
			{Text: " out", Start: sec(0.8), End: sec(1.2)}, {Text: " early", Start: sec(1.2), End: sec(2)}}},
		{Start: sec(62), End: sec(65), Text: " and walked by the river"}}} // no words: spread over the segment
	spoken, err := s.AddRecording(ctx, journal.NewRecording{Data: []byte("x"), Audio: journal.Audio{Format: "wav"}, Transcript: tr})
	if err != nil {
		t.Fatal(err)
	}
	add(t, s, "2026-03-01T10:00:00Z", "The river was high after the rain.")
	found, err := s.Search(ctx, journal.SearchQuery{Words: []string{"river", "walks"}})
	if err != nil {
		t.Fatal(err)
	}
	var moments int
	for _, f := range found {
		switch {
		case f.ID == spoken.ID:
			// "walked" (the search's "walks", stemmed) is said first, in the
			// segment from 62 s: its second word of five.
			if f.Moment == nil || *f.Moment < sec(62) || *f.Moment > sec(64) {
				t.Fatalf("moment %v, want about 62.7 s", f.Moment)
			}
			moments++
		case f.Moment != nil:
			t.Fatalf("a typed entry has a moment: %+v", f)
		}
	}
	if moments != 1 {
		t.Fatalf("the spoken entry was not found: %v", ids(found))
	}
	var b strings.Builder
	journal.Results(found).WriteText(&b)
	if !strings.Contains(b.String(), "samo play "+spoken.ID+" --at 1:02") {
		t.Fatalf("the text does not say where:\n%s", b.String())
	}
}

// Phrases and a large --limit look past the rankings' usual depth: every
// entry holding a phrase of common words is found, and as many entries as
// asked for hold a word.
func TestService_SearchPhrasesAndLimitsGoDeep(t *testing.T) {
	ctx := context.Background()
	s := journal.NewService(journaltest.NewMemStore())
	for i := range 260 {
		text := fmt.Sprintf("Day %d: tea in the garden, then reading.", i)
		if i%2 == 0 {
			text = fmt.Sprintf("Day %d: made soup in the kitchen and read.", i)
		}
		add(t, s, time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.RFC3339), text)
	}
	for _, tc := range []struct {
		q    journal.SearchQuery
		want int
	}{
		{journal.SearchQuery{Phrases: []string{"in the kitchen"}, Limit: 500}, 130},
		{journal.SearchQuery{Phrases: []string{"in the"}, Limit: 500}, 260},
		{journal.SearchQuery{Words: []string{"soup"}, Limit: 500}, 130},
		{journal.SearchQuery{Words: []string{"day"}, Limit: 200}, 200},
	} {
		got, err := s.Search(ctx, tc.q)
		if err != nil || len(got) != tc.want {
			t.Errorf("%+v: %d found, want %d (%v)", tc.q, len(got), tc.want, err)
		}
		for _, f := range got {
			if !slices.Contains(f.Why, journal.ByWords) {
				t.Errorf("%+v: %s found %v, not by words", tc.q, f.ID, f.Why)
				break
			}
		}
	}
}

// -not takes common words, contractions and hyphenated words as they are
// written; a search of only common words or punctuation finds nothing (an
// empty list, not nil), rather than every entry "by meaning".
func TestService_SearchNotWordsAndEmptySearches(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	wb := add(t, s, "2024-01-01T10:00:00Z", "Thinking about my well-being today, walking")
	well := add(t, s, "2024-01-02T10:00:00Z", "Slept well and went walking")
	dont := add(t, s, "2024-01-03T10:00:00Z", "I don't want to go walking")
	the := add(t, s, "2024-01-04T10:00:00Z", "The walking was lovely")
	for _, tc := range []struct {
		not  string
		want []string
	}{
		{"well-being", []string{the.ID, dont.ID, well.ID}},
		{"don't", []string{the.ID, well.ID, wb.ID}},
		{"the", []string{dont.ID, well.ID, wb.ID}},
		{"slept", []string{the.ID, dont.ID, wb.ID}},
	} {
		got, err := s.Search(ctx, journal.SearchQuery{Words: []string{"walking"}, Not: []string{tc.not}})
		g := ids(got)
		slices.Sort(g)
		w := slices.Clone(tc.want)
		slices.Sort(w)
		if err != nil || !slices.Equal(g, w) {
			t.Errorf("walking -not %s: %v, want %v (%v)", tc.not, ids(got), tc.want, err)
		}
	}
	for _, q := range []string{"the", "!!!", "😀"} {
		got, err := s.Search(ctx, journal.SearchQuery{Words: []string{q}})
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("%q: %v, %v; want an empty list", q, ids(got), err)
		}
	}
}

// The period filters take an entry by the day where it was written, as the
// timeline does.
func TestService_SearchPeriodByTheDayWhereWritten(t *testing.T) {
	ctx := context.Background()
	s, _ := laneJournal(t)
	hawaii := add(t, s, "2024-02-29T23:00:00-10:00", "walking late in Hawaii")
	kiribati := add(t, s, "2024-03-01T00:30:00+14:00", "walking early in Kiribati")
	from, to, err := journal.ParsePeriod("2024-02-29", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Search(ctx, journal.SearchQuery{Words: []string{"walking"}, Filter: journal.Filter{From: from, To: to}})
	if err != nil || !slices.Equal(ids(got), []string{hawaii.ID}) {
		t.Errorf("on 29 February: %v, want only %s (not %s)", ids(got), hawaii.ID, kiribati.ID)
	}
	var f journal.Filter
	err = f.Narrow("2025", "2024", "", "", time.Now())
	if !errors.Is(err, journal.ErrBadQuery) || !strings.Contains(err.Error(), "ends on 2024-12-31, before it starts on 2025-01-01") {
		t.Errorf("a period backwards: %v", err)
	}
}
