package journal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// ErrNoSpeechModel is what a Transcriber returns when no speech model is
// installed: recordings are then kept, waiting for one.
var ErrNoSpeechModel = errors.New("journal: no speech model is installed")

// Transcriber turns speech into a transcript. inference/speech's Pipeline
// (Silero VAD, then Whisper on the speech it finds) is the real one.
type Transcriber interface {
	// Transcribe reads the speech in samples (16 kHz mono) and reports its
	// progress to progress (when not nil) in milliseconds of audio done of
	// the total. It returns ErrNoSpeechModel when no model is installed.
	Transcribe(ctx context.Context, samples []float32, progress func(done, total int)) (*Transcript, error)
}

// AudioDecoder reads recordings. inference/speech's Decoder (over the audio
// package) is the real one.
type AudioDecoder interface {
	// DecodeAudio checks a recording (a WAV or MP3 file's bytes), describes
	// it and returns its samples as 16 kHz mono.
	DecodeAudio(data []byte) (Audio, []float32, error)
}

// WithSpeech lets the Service save recordings (SaveRecording) and
// transcribe them (t may be nil: recordings then wait for a model).
func WithSpeech(d AudioDecoder, t Transcriber) Option {
	return func(s *Service) { s.decoder, s.transcriber = d, t }
}

// ErrNoAudioDecoder means the Service was made without WithSpeech.
var ErrNoAudioDecoder = errors.New("journal: this journal cannot read recordings")

// RecordingFile is a finished recording on disk, to be saved as an entry.
type RecordingFile struct {
	// Path is the WAV file.
	Path string
	// At is when the recording started.
	At   time.Time
	Tags []string
	// Transcript, when set, is the recording's transcript already made
	// (a dictation's, read while it was spoken): it is not read again.
	Transcript *Transcript
	// Text, when set, is the entry's text in place of the transcript's
	// (an editor's, which the dictation went into beside typed words).
	Text string
}

// SaveRecording saves the recording in a file as a new entry: it reads the
// file, transcribes it when a speech model is installed, saves the entry
// with its audio in one transaction, then removes the file. progress gets
// the transcription's progress (see Transcriber). A failed transcription
// is a notice, not an error: the audio is saved and waits for
// TranscribePending. On an error the file is left where it is, so nothing
// spoken is lost. The returned bool says whether it was transcribed.
func (s *Service) SaveRecording(ctx context.Context, f RecordingFile, progress func(done, total int)) (Entry, bool, error) {
	if s.decoder == nil {
		return Entry{}, false, ErrNoAudioDecoder
	}
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return Entry{}, false, fmt.Errorf("journal: read the recording: %w", err)
	}
	info, samples, err := s.decoder.DecodeAudio(data)
	if err != nil {
		return Entry{}, false, fmt.Errorf("journal: recording %s: %w", f.Path, err)
	}
	tr := f.Transcript
	if tr == nil {
		tr = s.transcribe(ctx, samples, progress)
	}
	e, err := s.AddRecording(ctx, NewRecording{At: f.At, Data: data, Audio: info, Transcript: tr, Tags: f.Tags, Text: f.Text})
	if err != nil {
		return Entry{}, false, err
	}
	if err := os.Remove(f.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.warn(fmt.Sprintf("the recording is saved, but its file %s could not be removed (%v)", f.Path, err))
	}
	return e, !e.AwaitingTranscript(), nil
}

// transcribe reads samples with the Transcriber, or returns nil (the entry
// then waits) when there is none or it fails; a failure is a notice.
func (s *Service) transcribe(ctx context.Context, samples []float32, progress func(done, total int)) *Transcript {
	if s.transcriber == nil {
		return nil
	}
	tr, err := s.transcriber.Transcribe(ctx, samples, progress)
	switch {
	case errors.Is(err, ErrNoSpeechModel):
		return nil
	case err != nil:
		s.warn(fmt.Sprintf("transcription failed (%v); the audio is saved and waits to be transcribed", err))
		return nil
	}
	return tr
}

// Pending is the outcome of one recording in TranscribePending.
type Pending struct {
	// Index and Total place it among the recordings waiting (from 1).
	Index, Total int
	Entry        Entry
	// Err is why it was skipped (its audio could not be read), or nil.
	Err error
}

// TranscribePending transcribes the recordings saved without a transcript,
// oldest first, reporting each to report (when not nil). A recording whose
// audio cannot be read is reported and skipped; a failed transcription
// stops it. It returns how many recordings got words, of how many waited.
func (s *Service) TranscribePending(ctx context.Context, report func(Pending)) (done, total int, err error) {
	if s.decoder == nil {
		return 0, 0, ErrNoAudioDecoder
	}
	if s.transcriber == nil {
		return 0, 0, ErrNoSpeechModel
	}
	es, err := s.AwaitingTranscript(ctx)
	if err != nil {
		return 0, 0, err
	}
	for i, e := range es {
		p := Pending{Index: i + 1, Total: len(es), Entry: e}
		p.Err = s.transcribeEntry(ctx, &p.Entry)
		if p.Err != nil && !errors.Is(p.Err, ErrUnreadableRecording) {
			return done, len(es), p.Err
		}
		if p.Err == nil && p.Entry.Text != "" {
			done++
		}
		if report != nil {
			report(p)
		}
	}
	return done, len(es), nil
}

// String says what came of the recording: "[1/3] ID: its first words", or
// that no speech was heard.
func (p Pending) String() string {
	if p.Entry.Text == "" {
		return fmt.Sprintf("[%d/%d] %s: no speech heard", p.Index, p.Total, p.Entry.ID)
	}
	return fmt.Sprintf("[%d/%d] %s: %s", p.Index, p.Total, p.Entry.ID, p.Entry.Title(60))
}

// ErrUnreadableRecording is a recording whose audio cannot be decoded:
// TranscribePending reports it and goes on with the others.
var ErrUnreadableRecording = errors.New("its recording cannot be read")

// transcribeEntry transcribes the recording of *e and saves it into *e.
func (s *Service) transcribeEntry(ctx context.Context, e *Entry) error {
	data, err := s.Audio(ctx, e.ID)
	if err != nil {
		return err
	}
	_, samples, err := s.decoder.DecodeAudio(data)
	if err != nil {
		return fmt.Errorf("journal: entry %s: %w (%w); skipped", e.ID, ErrUnreadableRecording, err)
	}
	tr, err := s.transcriber.Transcribe(ctx, samples, nil)
	if err != nil {
		return fmt.Errorf("journal: transcribe entry %s: %w", e.ID, err)
	}
	*e, err = s.SetTranscript(ctx, e.ID, tr)
	return err
}

// ErrHasRecording means an entry has a recording already.
var ErrHasRecording = errors.New("the entry has a recording already")

// AttachRecording keeps the recording in a file with entry id, which has
// none yet (a dictation into a typed entry). The entry's text becomes
// f.Text (when given), its transcript f.Transcript (else the recording is
// transcribed), its emotions and meaning are read again, all saved with
// the audio in one transaction; then the file is removed. On an error the
// file stays where it is, so nothing spoken is lost.
func (s *Service) AttachRecording(ctx context.Context, id string, f RecordingFile) (Entry, error) {
	as, ok := s.store.(AudioStore)
	if !ok {
		return Entry{}, ErrNoAudioStore
	}
	if s.decoder == nil {
		return Entry{}, ErrNoAudioDecoder
	}
	id = entryID(id)
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: read the recording: %w", err)
	}
	info, samples, err := s.decoder.DecodeAudio(data)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: recording %s: %w", f.Path, err)
	}
	e, err := s.store.Get(ctx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: attach a recording to %s: %w", id, err)
	}
	if e.Audio != nil {
		return Entry{}, fmt.Errorf("journal: attach a recording to %s: %w", id, ErrHasRecording)
	}
	tr := f.Transcript
	if tr == nil {
		tr = s.transcribe(ctx, samples, nil)
	}
	tr = s.checkTranscript(tr)
	text := cmp.Or(strings.TrimSpace(f.Text), e.Text, TranscriptText(tr))
	if text, err = s.clean(text); err != nil {
		return Entry{}, fmt.Errorf("journal: attach a recording to %s: %w", id, err)
	}
	if tr != nil && len(tr.Segments) > 1 {
		s.readSegments(ctx, tr)
	}
	a := info
	a.Bytes = int64(len(data))
	if text != e.Text {
		e.Emotions, e.Embedding = s.analyze(ctx, text), s.embed(ctx, text)
	}
	e.Text, e.Transcript, e.Audio, e.Updated = text, tr, &a, s.now()
	if err := e.Validate(); err != nil {
		return Entry{}, fmt.Errorf("journal: attach a recording to %s: %w", id, err)
	}
	if err := as.PutWithAudio(ctx, e, data); err != nil {
		return Entry{}, fmt.Errorf("journal: attach a recording to %s: %w", id, err)
	}
	e.Revision++
	s.lane.put(e)
	if err := os.Remove(f.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.warn(fmt.Sprintf("the recording is saved, but its file %s could not be removed (%v)", f.Path, err))
	}
	return e, nil
}
