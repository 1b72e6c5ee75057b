package journal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrNoAudioStore means the Store cannot keep recordings.
var ErrNoAudioStore = errors.New("journal: this journal cannot store audio")

// ErrNoRecording means an entry has no recording.
var ErrNoRecording = errors.New("the entry has no recording")

// NewRecording describes a recording to save as an entry.
type NewRecording struct {
	// At is when the recording started.
	At time.Time
	// Data is the recording as stored (a WAV file's bytes), Audio its
	// description.
	Data  []byte
	Audio Audio
	// Transcript is the recognised speech, or nil when no speech model
	// could transcribe it yet: the entry then waits, without text, for
	// SetTranscript. A transcript without speech leaves the entry without
	// text, not waiting.
	Transcript *Transcript
	Tags       []string
	// Text, when not empty, is the entry's text in place of the
	// transcript's (words typed around a dictation); the transcript is
	// kept beside it, with its times.
	Text string
}

// TranscriptText joins a transcript's segments into an entry's text.
func TranscriptText(t *Transcript) string {
	if t == nil {
		return ""
	}
	parts := make([]string, 0, len(t.Segments))
	for _, s := range t.Segments {
		if p := strings.TrimSpace(s.Text); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// AddRecording saves a recording as a new entry with its audio in one
// transaction. With a transcript, its text becomes the entry's text and is
// analysed; without one the entry keeps the audio and waits for
// SetTranscript, so nothing spoken is lost.
func (s *Service) AddRecording(ctx context.Context, r NewRecording) (Entry, error) {
	as, ok := s.store.(AudioStore)
	if !ok {
		return Entry{}, ErrNoAudioStore
	}
	if len(r.Data) == 0 {
		return Entry{}, fmt.Errorf("journal: add recording: no audio")
	}
	at := r.At
	if at.IsZero() {
		at = s.now()
	}
	if err := CheckTime(at); err != nil {
		return Entry{}, err
	}
	tags, err := CleanTags(r.Tags)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: add recording: %w", err)
	}
	id, err := newID(at)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: add recording: %w", err)
	}
	a := r.Audio
	a.Bytes = int64(len(r.Data))
	e := Entry{ID: id, Created: at, Updated: at, Zone: ZoneName(at.Location()), Tags: tags, Audio: &a}
	t := s.checkTranscript(r.Transcript)
	if strings.TrimSpace(r.Text) != "" {
		text, err := s.clean(r.Text)
		if err != nil {
			return Entry{}, fmt.Errorf("journal: add recording: %w", err)
		}
		if t != nil && len(t.Segments) > 1 {
			s.readSegments(ctx, t)
		}
		e.Transcript, e.Text, e.Emotions = t, text, s.analyze(ctx, text)
	} else if err := s.fillTranscript(&e, t, s.readTranscript(ctx, t)); err != nil {
		return Entry{}, fmt.Errorf("journal: add recording: %w", err)
	}
	e.Embedding = s.embed(ctx, e.Text)
	if err := e.Validate(); err != nil {
		return Entry{}, fmt.Errorf("journal: add recording: %w", err)
	}
	if err := as.PutWithAudio(ctx, e, r.Data); err != nil {
		return Entry{}, fmt.Errorf("journal: add recording: %w", err)
	}
	e.Revision++
	s.lane.put(e)
	return e, nil
}

// checkTranscript returns t, or nil with a warning when its segment times
// are out of order (a speech model's fault): the entry then waits, rather
// than costing the recording.
func (s *Service) checkTranscript(t *Transcript) *Transcript {
	if t == nil {
		return nil
	}
	for i, seg := range t.Segments {
		if seg.Start < 0 || seg.End < seg.Start {
			s.log.Warn("transcript set aside", "segment", i, "start", seg.Start, "end", seg.End)
			s.warn("a transcript was set aside: its times are out of order; the recording is kept and waits for transcription")
			return nil
		}
	}
	return t
}

// readTranscript reads the emotions of a transcript's text (nil for none),
// and of each of its segments, so that the entry can show how the feeling
// moved along the recording.
func (s *Service) readTranscript(ctx context.Context, t *Transcript) *Emotions {
	text, _, err := CleanText(TranscriptText(t))
	if err != nil || t == nil {
		return nil
	}
	em := s.analyze(ctx, text)
	if em != nil && len(t.Segments) > 1 {
		s.readSegments(ctx, t)
	}
	return em
}

// readSegments gives each segment with words its own reading (a segment's
// is left nil where it cannot be read).
func (s *Service) readSegments(ctx context.Context, t *Transcript) {
	t.Segments = slices.Clone(t.Segments)
	for i, seg := range t.Segments {
		text, _, err := CleanText(seg.Text)
		if err != nil || strings.TrimSpace(text) == "" {
			continue
		}
		if em := s.analyze(ctx, text); em != nil {
			t.Segments[i].Emotions = &SegmentEmotions{Scores: em.Scores, Labels: em.Labels}
		}
	}
}

// fillTranscript sets e's transcript (checked by checkTranscript), and its
// text and emotions (em, read before) from it. A transcript that heard no speech is kept (the entry is
// then a recording without words, not one still waiting).
func (s *Service) fillTranscript(e *Entry, t *Transcript, em *Emotions) error {
	text := TranscriptText(t)
	if t == nil || text == "" {
		e.Transcript, e.Text, e.Emotions = t, "", nil
		return nil
	}
	clean, err := s.clean(text)
	if err != nil {
		return err
	}
	e.Transcript, e.Text, e.Emotions = t, clean, em
	return nil
}

// AwaitingTranscript returns the recordings saved without a transcript,
// oldest first.
func (s *Service) AwaitingTranscript(ctx context.Context) ([]Entry, error) {
	var out []Entry
	err := s.store.Each(ctx, func(e Entry) error {
		if e.AwaitingTranscript() {
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: entries awaiting a transcript: %w", err)
	}
	return out, nil
}

// Audio returns the recording stored with an entry.
func (s *Service) Audio(ctx context.Context, id string) ([]byte, error) {
	as, ok := s.store.(AudioStore)
	if !ok {
		return nil, ErrNoAudioStore
	}
	id = entryID(id)
	e, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("journal: audio of %s: %w", id, err)
	}
	if e.Audio == nil {
		return nil, fmt.Errorf("journal: audio of %s: %w", id, ErrNoRecording)
	}
	b, err := as.Audio(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("journal: audio of %s: %w", id, err)
	}
	return b, nil
}

// SetTranscript gives a recorded entry its transcript, and its text and
// emotions from it (see fillTranscript). The text is read before the entry
// is written, so a correction the person makes meanwhile is kept.
func (s *Service) SetTranscript(ctx context.Context, id string, t *Transcript) (Entry, error) {
	t = s.checkTranscript(t)
	em := s.readTranscript(ctx, t)
	var emb *Embedding
	if text, _, err := CleanText(TranscriptText(t)); err == nil && t != nil {
		emb = s.embed(ctx, text)
	}
	e, err := s.modify(ctx, id, nil, func(e *Entry) error {
		if e.Transcript == nil && e.Text != "" {
			// the person typed what they said meanwhile: their words stay
			e.Transcript = t
			return nil
		}
		if err := s.fillTranscript(e, t, em); err != nil {
			return err
		}
		e.Embedding = nil
		if e.Text != "" {
			e.Embedding = emb
		}
		e.Updated = s.now()
		return nil
	})
	if err != nil {
		return Entry{}, fmt.Errorf("journal: set transcript of %s: %w", id, err)
	}
	return e, nil
}
