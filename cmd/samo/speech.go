package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference/vad"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// envSpeechModel names the variable that picks the speech model folder.
const envSpeechModel = "SAMO_SPEECH_MODEL"

// speechMinSilence is the pause that separates the speech spans given to
// Whisper: longer than the pauses between words.
const speechMinSilence = 300 * time.Millisecond

// speechTranscriber turns 16 kHz audio into a transcript: Silero VAD finds
// the speech, Whisper reads it (silence never reaches Whisper, which would
// invent text for it).
type speechTranscriber struct {
	name   string
	model  *whisper.Model
	detect *vad.Detector
}

// speechModelDir is the speech model in use: --speech-model, else
// $SAMO_SPEECH_MODEL, else the one the settings name, else none.
func (c *cli) speechModelDir() (string, error) {
	if c.speechModel != "" {
		return c.speechModel, nil
	}
	if d := os.Getenv(envSpeechModel); d != "" {
		return d, nil
	}
	s, err := c.loadSettings()
	if err != nil {
		return "", err
	}
	return s.SpeechModel, nil
}

// transcriber returns the speech model in use, opened on first use and
// kept for the command's life (the window transcribes every recording with
// it), or nil when none is installed.
func (c *cli) transcriber() (*speechTranscriber, error) {
	dir, err := c.speechModelDir()
	if err != nil || dir == "" {
		return nil, err
	}
	c.mu.Lock()
	if c.speech != nil && c.speechDir == dir {
		t := c.speech
		c.mu.Unlock()
		return t, nil
	}
	c.mu.Unlock()
	t, err := c.openTranscriber(dir, whisper.Options{Timestamps: true})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.speech, c.speechDir = t, dir
	c.mu.Unlock()
	return t, nil
}

// openTranscriber opens the Whisper model in dir and the VAD model; both
// are closed when the command ends.
func (c *cli) openTranscriber(dir string, o whisper.Options) (*speechTranscriber, error) {
	p, err := c.executionProvider()
	if err != nil {
		return nil, err
	}
	o.Provider = p
	m, err := whisper.Open(c.runtime(), dir, o)
	if err != nil {
		return nil, fmt.Errorf("speech model: %w", err)
	}
	c.addCloser(m.Close)
	d, err := c.voiceDetector(vad.Options{MinSilence: speechMinSilence})
	if err != nil {
		return nil, err
	}
	name := filepath.Base(filepath.Clean(dir))
	return &speechTranscriber{name: name, model: m, detect: d}, nil
}

// read transcribes samples: the speech spans first, then Whisper on them.
// Audio without speech gives an empty result, without running Whisper.
func (t *speechTranscriber) read(ctx context.Context, samples []float32, progress func(done, total int)) (whisper.Result, error) {
	segs, err := t.detect.SegmentsContext(ctx, samples, nil)
	if err != nil {
		return whisper.Result{}, err
	}
	if len(segs) == 0 {
		return whisper.Result{}, nil
	}
	spans := make([]whisper.Span, len(segs))
	for i, s := range segs {
		spans[i] = whisper.Span{Start: s.Start, End: s.End}
	}
	return t.model.Transcribe(ctx, samples, spans, progress)
}

// transcribe reads samples into the journal's form, leaving out the
// windows Whisper took for silence.
func (t *speechTranscriber) transcribe(ctx context.Context, samples []float32, progress func(done, total int)) (*journal.Transcript, error) {
	r, err := t.read(ctx, samples, progress)
	if err != nil {
		return nil, err
	}
	tr := &journal.Transcript{Language: r.Language, Model: t.name}
	for _, s := range r.Segments {
		if s.NoSpeech || strings.TrimSpace(s.Text) == "" {
			continue
		}
		tr.Segments = append(tr.Segments, journal.Segment{Start: s.Start, End: s.End, Text: strings.TrimSpace(s.Text)})
	}
	return tr, nil
}

// transcriptOut is what `samo transcribe --json` prints.
type transcriptOut struct {
	File     string       `json:"file,omitempty"`
	Entry    string       `json:"entry,omitempty"`
	Text     string       `json:"text"`
	Language string       `json:"language"`
	Provider string       `json:"provider"`
	Segments []segmentOut `json:"segments"`
}

type segmentOut struct {
	Start        float64 `json:"start"`
	End          float64 `json:"end"`
	Text         string  `json:"text"`
	Language     string  `json:"language"`
	NoSpeech     bool    `json:"no_speech"`
	NoSpeechProb float64 `json:"no_speech_prob"`
	AvgLogProb   float64 `json:"avg_logprob"`
	Compression  float64 `json:"compression_ratio"`
	Temperature  float32 `json:"temperature"`
}

func (c *cli) transcribeCommand() *cobra.Command {
	var (
		model, language string
		asJSON, pending bool
	)
	cmd := &cobra.Command{
		Use:   "transcribe FILE [--model DIR] | transcribe --pending",
		Short: "Transcribe a WAV or MP3 file, or the recordings waiting in the journal",
		Args: func(cmd *cobra.Command, args []string) error {
			if pending {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := model
			if dir == "" {
				var err error
				if dir, err = c.speechModelDir(); err != nil {
					return err
				}
			}
			if dir == "" {
				return fmt.Errorf("%w: pass --model DIR (a Whisper export in the Hugging Face ONNX layout) or install one with `samo speech install DIR`", errNoSpeechModel)
			}
			t, err := c.openTranscriber(dir, whisper.Options{Language: language, Timestamps: true})
			if err != nil {
				return err
			}
			if pending {
				return c.transcribePending(cmd.Context(), t)
			}
			clip, err := audio.DecodeFile(args[0])
			if err != nil {
				return err
			}
			r, err := t.read(cmd.Context(), clip.Mono16k(), c.progress("transcribing (seconds)", 1000))
			if err != nil {
				return err
			}
			out := transcriptOut{File: args[0], Text: r.Text, Language: r.Language, Provider: t.model.Provider(), Segments: []segmentOut{}}
			for _, s := range r.Segments {
				out.Segments = append(out.Segments, segmentOut{Start: s.Start.Seconds(), End: s.End.Seconds(), Text: s.Text, Language: s.Language, NoSpeech: s.NoSpeech,
					NoSpeechProb: s.NoSpeechProb, AvgLogProb: s.AvgLogProb, Compression: s.CompressionRatio, Temperature: s.Temperature})
			}
			if asJSON {
				return writeJSON(c.stdout, out)
			}
			if len(out.Segments) == 0 {
				fmt.Fprintln(c.stdout, "no speech found")
				return nil
			}
			fmt.Fprintf(c.stdout, "language: %s\n", out.Language)
			for _, s := range out.Segments {
				text := strings.TrimSpace(s.Text)
				if s.NoSpeech {
					text = "(no speech)"
				}
				fmt.Fprintf(c.stdout, "[%s → %s] %s\n", clock(s.Start), clock(s.End), text)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "Whisper model folder (default: the installed speech model)")
	cmd.Flags().StringVar(&language, "language", "", "spoken language code, e.g. en or fr (default: detected)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (times in seconds)")
	cmd.Flags().BoolVar(&pending, "pending", false, "transcribe the journal's recordings that wait for it")
	return cmd
}

func clock(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	return fmt.Sprintf("%02d:%05.2f", int(d.Minutes()), (d % time.Minute).Seconds())
}

// transcribePending transcribes the recordings saved without a transcript.
// The journal is opened for each read and write only, not while Whisper
// works, so the window can open it meanwhile.
func (c *cli) transcribePending(ctx context.Context, t *speechTranscriber) error {
	var ids []string
	err := c.withJournal(func(svc *journal.Service, _ *storage.Store) error {
		es, err := svc.AwaitingTranscript(ctx)
		for _, e := range es {
			ids = append(ids, e.ID)
		}
		return err
	})
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		fmt.Fprintln(c.stdout, "no recordings wait to be transcribed")
		return nil
	}
	done := 0
	for i, id := range ids {
		var data []byte
		err := c.withJournal(func(svc *journal.Service, _ *storage.Store) error {
			var err error
			data, err = svc.Audio(ctx, id)
			return err
		})
		if err != nil {
			return err
		}
		clip, err := audio.Decode(data)
		if err != nil {
			fmt.Fprintf(c.stderr, "samo: entry %s: its recording cannot be read (%v); skipped\n", id, err)
			continue
		}
		tr, err := t.transcribe(ctx, clip.Mono16k(), nil)
		if err != nil {
			return fmt.Errorf("transcribe entry %s: %w", id, err)
		}
		var e journal.Entry
		err = c.withAnalyzedJournal(func(svc *journal.Service) error {
			var err error
			e, err = svc.SetTranscript(ctx, id, tr)
			return err
		})
		if err != nil {
			return err
		}
		if e.Text == "" {
			fmt.Fprintf(c.stdout, "[%d/%d] %s: no speech heard\n", i+1, len(ids), id)
			continue
		}
		done++
		fmt.Fprintf(c.stdout, "[%d/%d] %s: %s\n", i+1, len(ids), id, e.Title(60))
	}
	fmt.Fprintf(c.stdout, "transcribed %d of %d recordings\n", done, len(ids))
	return nil
}

func (c *cli) speechCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "speech", Short: "Manage the speech (Whisper) model"}
	install := &cobra.Command{
		Use:   "install DIR",
		Short: "Use the Whisper export in DIR (Hugging Face ONNX layout) for transcription",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			m, err := whisper.Open(c.runtime(), dir, whisper.Options{})
			if err != nil {
				return fmt.Errorf("not installed: %w", err)
			}
			langs := len(m.Languages())
			m.Close()
			s, err := c.loadSettings()
			if err != nil {
				return err
			}
			s.SpeechModel = dir
			if err := c.saveSettings(s); err != nil {
				return err
			}
			kind := "English-only"
			if langs > 1 {
				kind = fmt.Sprintf("%d languages", langs)
			}
			fmt.Fprintf(c.stdout, "speech model %s installed (%s); new recordings are transcribed with it, and `samo transcribe --pending` transcribes the waiting ones\n", dir, kind)
			return nil
		},
	}
	remove := &cobra.Command{
		Use:   "remove",
		Short: "Stop transcribing (recordings are kept, waiting for a model)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := c.loadSettings()
			if err != nil {
				return err
			}
			s.SpeechModel = ""
			return c.saveSettings(s)
		},
	}
	cmd.AddCommand(install, remove)
	return cmd
}
