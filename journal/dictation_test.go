package journal_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/samojournal/samo/journal"
)

// scriptedSpeaker is a transcriber that hears a script: word i is said
// from 0.5·i s to 0.5·i + 0.4 s of the audio it is given (counted from
// the audio's start at offset, as a window moved on would be). A word is
// heard right once 0.3 s of audio follow it; the word still being said
// comes out cut short, and differently at each length, as a model's guess
// at a word half heard does.
type scriptedSpeaker struct {
	words []string
	calls int
	// offsets are the first sample each reading was given, in the
	// dictation's audio (found from the audio's marker values).
	offsets []int
}

func (s *scriptedSpeaker) Transcribe(ctx context.Context, samples []float32, progress func(done, total int)) (*journal.Transcript, error) {
	s.calls++
	// Each sample holds its own index in the dictation's audio, so the
	// reading knows where its window starts.
	offset := int(samples[0])
	s.offsets = append(s.offsets, offset)
	end := time.Duration(offset+len(samples)) * time.Second / journal.DictationRate
	base := time.Duration(offset) * time.Second / journal.DictationRate
	seg := journal.Segment{Start: 0, End: end - base}
	for i, w := range s.words {
		ws, we := time.Duration(i)*500*time.Millisecond, time.Duration(i)*500*time.Millisecond+400*time.Millisecond
		if we <= base {
			continue // before this window
		}
		if ws >= end {
			break
		}
		text := " " + w
		if we+300*time.Millisecond > end { // still being said: a guess
			cut := max(1, len(w)*int(end-ws)/int(we-ws+300*time.Millisecond))
			text = " " + w[:min(cut, len(w))] + strings.Repeat("~", s.calls%3)
		}
		seg.Words = append(seg.Words, journal.Word{Text: text, Start: ws - base, End: min(we, end) - base})
		seg.Text += text
	}
	return &journal.Transcript{Language: "en", Model: "scripted", Segments: []journal.Segment{seg}}, nil
}

// feed writes n more samples, each holding its index.
func feed(d *journal.Dictation, from, n int) int {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(from + i)
	}
	d.Write(s)
	return from + n
}

func TestDictation_CommitsWhatTwoReadingsAgreeOn(t *testing.T) {
	script := strings.Fields("today I walked along the river and felt calm for the first time in weeks")
	sp := &scriptedSpeaker{words: script}
	d := journal.NewDictation(sp)
	ctx := context.Background()
	var last journal.DictationText
	partials := 0
	n := 0
	for n < journal.DictationRate*(len(script)/2+1) { // and a second of quiet
		n = feed(d, n, journal.DictationRate/4) // a quarter second at a time
		got, err := d.Update(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got.Committed, last.Committed) {
			t.Fatalf("committed text changed: %q, then %q", last.Committed, got.Committed)
		}
		if want := strings.Join(script, " "); !strings.HasPrefix(want, got.Committed) {
			t.Fatalf("committed %q, which the speaker never said (%q)", got.Committed, want)
		}
		if strings.Contains(got.Committed, "~") {
			t.Fatalf("a guess was committed: %q", got.Committed)
		}
		if got.Heard > 2*time.Second && got.Heard-got.Settled > 2*time.Second {
			t.Errorf("at %v the committed text is %v behind", got.Heard, got.Heard-got.Settled)
		}
		if got.Partial != "" {
			partials++
		}
		last = got
	}
	if partials == 0 {
		t.Error("no partial text while speaking")
	}
	final, err := d.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(script, " "); final.Committed != want || final.Partial != "" {
		t.Fatalf("finished with %q + %q, want %q", final.Committed, final.Partial, want)
	}
	if _, err := d.Update(ctx); err == nil {
		t.Error("an update after Finish")
	}
	tr := d.Transcript()
	if journal.TranscriptText(tr) != final.Committed || tr.Language != "en" {
		t.Fatalf("transcript %q (%s), want %q", journal.TranscriptText(tr), tr.Language, final.Committed)
	}
	words := 0
	for _, seg := range tr.Segments {
		words += len(seg.Words)
		if seg.Start != seg.Words[0].Start || seg.End != seg.Words[len(seg.Words)-1].End {
			t.Fatalf("segment %+v", seg)
		}
	}
	if words != len(script) {
		t.Fatalf("%d words in the transcript, want %d", words, len(script))
	}
}

// The window read again stays bounded: after 20 s it starts after the
// last committed word, so a long dictation costs the same at its end as at
// its start.
func TestDictation_TheWindowMovesOn(t *testing.T) {
	script := make([]string, 120) // a minute of words
	for i := range script {
		script[i] = []string{"one", "two", "three", "four", "five"}[i%5]
	}
	sp := &scriptedSpeaker{words: script}
	d := journal.NewDictation(sp)
	n := 0
	for n < journal.DictationRate*61 {
		n = feed(d, n, journal.DictationRate/2)
		if _, err := d.Update(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	final, _ := d.Finish(context.Background())
	if final.Committed != strings.Join(script, " ") {
		t.Fatalf("finished with %q", final.Committed)
	}
	lastOffset := sp.offsets[len(sp.offsets)-1]
	if window := n - lastOffset; window > journal.DictationRate*22 {
		t.Fatalf("the last reading read %.1f s of audio: the window never moved on", float64(window)/journal.DictationRate)
	}

	// With sentences, the window starts again after the last one once it
	// is longer than 10 s.
	for i := 4; i < len(script); i += 5 {
		script[i] += "."
	}
	sp = &scriptedSpeaker{words: script}
	d = journal.NewDictation(sp)
	n = 0
	longest := 0
	for n < journal.DictationRate*61 {
		n = feed(d, n, journal.DictationRate/2)
		if _, err := d.Update(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(sp.offsets) > 0 {
			longest = max(longest, n-sp.offsets[len(sp.offsets)-1])
		}
	}
	if final, _ := d.Finish(context.Background()); final.Committed != strings.Join(script, " ") {
		t.Fatalf("with sentences, finished with %q", final.Committed)
	}
	if longest > journal.DictationRate*13 {
		t.Fatalf("a reading of %.1f s: the window did not start again after a sentence", float64(longest)/journal.DictationRate)
	}
}

func TestService_NewDictationWithoutASpeechModel(t *testing.T) {
	svc := journal.NewService(nil)
	if _, err := svc.NewDictation(context.Background()); err != journal.ErrNoSpeechModel {
		t.Fatalf("err %v", err)
	}
}

// Follow reads the words at its interval until stopped, and stops by
// itself once the dictation is finished.
func TestDictation_Follow(t *testing.T) {
	sp := &scriptedSpeaker{words: strings.Fields("one two three four five six")}
	d := journal.NewDictation(sp)
	shown := make(chan journal.DictationText, 100)
	failures := make(chan error, 100)
	stop := d.Follow(context.Background(), 5*time.Millisecond, func(t journal.DictationText) { shown <- t }, func(err error) { failures <- err })
	feed(d, 0, journal.DictationRate*4)
	deadline := time.After(10 * time.Second)
	for got := ""; !strings.HasPrefix(got, "one two three"); {
		select {
		case t := <-shown:
			got = t.Committed
		case <-deadline:
			t.Fatalf("Follow showed %q", got)
		}
	}
	if _, err := d.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-failures:
		if !errors.Is(err, journal.ErrDictationFinished) {
			t.Fatalf("failure %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no failure after Finish")
	}
	stop() // returns: the loop ended by itself
	if n := len(failures); n != 0 {
		t.Fatalf("%d more failures after the dictation finished", n)
	}
}
