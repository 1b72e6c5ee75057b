// Package speech holds SAMO's speech pipeline behind the journal's
// interfaces: Pipeline (Silero VAD finds the speech, Whisper reads only
// that; silence never reaches Whisper, which would invent text for it)
// implements journal.Transcriber, and Decoder (WAV and MP3 recordings
// through the audio package) implements journal.AudioDecoder.
package speech

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/vad"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/journal"
)

// DefaultMinSilence is the pause that separates the speech spans given to
// Whisper when Options.MinSilence is 0: longer than the pauses between
// words.
const DefaultMinSilence = 300 * time.Millisecond

// Options say how to open a Pipeline.
type Options struct {
	// Whisper are the speech model's options. Its Provider is the VAD's
	// too. Set Timestamps for segments that follow the speech; without
	// them each 30 s window is one segment.
	Whisper whisper.Options
	// VADModel is the path of the Silero VAD v5 model; "" finds it with
	// inference.NewLocator("", inference.EnvVADModel).FindVADModel().
	VADModel string
	// MinSilence is the silence that ends a speech span; 0 means
	// DefaultMinSilence, a negative value none.
	MinSilence time.Duration
}

// Pipeline turns 16 kHz mono audio into a transcript: the voice activity
// detector finds the speech spans, then Whisper reads those only. It is
// safe for concurrent use (transcriptions run one at a time). Close it
// when done.
type Pipeline struct {
	name    string
	whisper *whisper.Model
	vad     *vad.Detector
}

var _ journal.Transcriber = (*Pipeline)(nil)

// Open opens the Whisper model in the folder dir (the Hugging Face ONNX
// layout; see whisper.Open) and the VAD model in rt. A failure to open the
// Whisper model is an error starting "speech model: " (wrapping
// journal.ErrNoSpeechModel when dir is ""); whatever was opened is closed
// again on any failure.
func Open(rt *inference.Runtime, dir string, opts Options) (*Pipeline, error) {
	if dir == "" {
		return nil, fmt.Errorf("speech model: %w", journal.ErrNoSpeechModel)
	}
	m, err := whisper.Open(rt, dir, opts.Whisper)
	if err != nil {
		return nil, fmt.Errorf("speech model: %w", err)
	}
	path := opts.VADModel
	if path == "" {
		if path, err = inference.NewLocator("", inference.EnvVADModel).FindVADModel(); err != nil {
			m.Close()
			return nil, fmt.Errorf("voice activity model: %w", err)
		}
	}
	minSilence := opts.MinSilence
	if minSilence == 0 {
		minSilence = DefaultMinSilence
	}
	d, err := vad.Open(rt, path, vad.Options{MinSilence: minSilence, Provider: opts.Whisper.Provider})
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("voice activity model: %w", err)
	}
	return &Pipeline{name: filepath.Base(filepath.Clean(dir)), whisper: m, vad: d}, nil
}

// Close closes both models. It is safe to call more than once.
func (p *Pipeline) Close() error {
	return errors.Join(p.whisper.Close(), p.vad.Close())
}

// Provider names the execution provider Whisper runs on ("cpu", "cuda", …).
func (p *Pipeline) Provider() string { return p.whisper.Provider() }

// Name is the speech model's name: its folder's base name. Transcripts
// carry it as their Model.
func (p *Pipeline) Name() string { return p.name }

// Languages returns the language codes the speech model knows, sorted
// (["en"] for an English-only model).
func (p *Pipeline) Languages() []string { return p.whisper.Languages() }

// Read transcribes samples (16 kHz mono): the speech spans first, then
// Whisper on them. Audio without speech gives an empty Result without
// running Whisper. progress, when not nil, gets Whisper's progress in
// milliseconds of audio done of the total (and the total once when there
// is no speech).
func (p *Pipeline) Read(ctx context.Context, samples []float32, progress func(done, total int)) (whisper.Result, error) {
	segs, err := p.vad.SegmentsContext(ctx, samples, nil)
	if err != nil {
		return whisper.Result{}, err
	}
	if len(segs) == 0 {
		if progress != nil {
			ms := int(int64(len(samples)) * 1000 / whisper.SampleRate)
			progress(ms, ms)
		}
		return whisper.Result{}, nil
	}
	spans := make([]whisper.Span, len(segs))
	for i, s := range segs {
		spans[i] = whisper.Span{Start: s.Start, End: s.End}
	}
	return p.whisper.Transcribe(ctx, samples, spans, progress)
}

// Transcribe reads samples (16 kHz mono) into the journal's form, leaving
// out the windows Whisper took for silence and blank segments, with the
// segments' text trimmed and their words' times (in the recording's time:
// aligned, or spread over the segment and marked Interpolated). Audio without speech gives a transcript without
// segments. It implements journal.Transcriber; a nil Pipeline returns
// journal.ErrNoSpeechModel.
func (p *Pipeline) Transcribe(ctx context.Context, samples []float32, progress func(done, total int)) (*journal.Transcript, error) {
	if p == nil {
		return nil, journal.ErrNoSpeechModel
	}
	r, err := p.Read(ctx, samples, progress)
	if err != nil {
		return nil, err
	}
	tr := &journal.Transcript{Language: r.Language, Model: p.name}
	for _, s := range r.Segments {
		text := strings.TrimSpace(s.Text)
		if s.NoSpeech || text == "" {
			continue
		}
		seg := journal.Segment{Start: s.Start, End: s.End, Text: text}
		for _, w := range s.Words {
			seg.Words = append(seg.Words, journal.Word{Text: w.Text, Start: w.Start, End: w.End, Interpolated: w.Interpolated})
		}
		tr.Segments = append(tr.Segments, seg)
	}
	return tr, nil
}
