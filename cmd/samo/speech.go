package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference/speech"
	"github.com/samojournal/samo/inference/vad"
	"github.com/samojournal/samo/inference/whisper"
	"github.com/samojournal/samo/internal/terminal"
	"github.com/samojournal/samo/journal"
)

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
			if c.quantizedSpeech {
				c.speechPrecision = "int8"
			}
			if pending {
				c.speechModel, c.speechLanguage = cmp.Or(model, c.speechModel), language
				return c.transcribePending(cmd.Context())
			}
			p, err := c.engine().Pipeline(model, whisper.Options{Language: language, Timestamps: true})
			if errors.Is(err, journal.ErrNoSpeechModel) {
				return fmt.Errorf("%w: pass --model DIR (a Whisper export in the Hugging Face ONNX layout) or install one with `samo speech install DIR`", journal.ErrNoSpeechModel)
			}
			if err != nil {
				return err
			}
			samples, err := audio.DecodeFileMono16k(args[0])
			if err != nil {
				return err
			}
			r, err := p.Read(cmd.Context(), samples, terminal.Progress(c.stderr, "transcribing (seconds)", 1000))
			if err != nil {
				return err
			}
			return c.output(asJSON, speech.NewReport(args[0], p.Provider(), r))
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "Whisper model folder (default: the installed speech model)")
	cmd.Flags().StringVar(&language, "language", "", "spoken language code, e.g. en or fr (default: detected)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (times in seconds)")
	cmd.Flags().BoolVar(&pending, "pending", false, "transcribe the journal's recordings that wait for it")
	cmd.Flags().BoolVar(&c.quantizedSpeech, "quantized", false, "read the model's int8 files (--speech-precision int8)")
	return cmd
}

// transcribePending transcribes the recordings saved without a transcript.
func (c *cli) transcribePending(ctx context.Context) error {
	if dir, err := c.engine().SpeechModelDir(); err != nil || dir == "" {
		return cmp.Or(err, fmt.Errorf("%w: install one with `samo speech install DIR`, or pass --model DIR", journal.ErrNoSpeechModel))
	}
	return c.withJournal(func(svc *journal.Service) error {
		done, total, err := svc.TranscribePending(ctx, func(p journal.Pending) {
			if p.Err != nil {
				fmt.Fprintf(c.stderr, "samo: %v\n", p.Err)
			} else {
				fmt.Fprintln(c.stdout, p)
			}
		})
		if err != nil {
			return err
		}
		if total == 0 {
			fmt.Fprintln(c.stdout, "no recordings wait to be transcribed")
			return nil
		}
		fmt.Fprintf(c.stdout, "transcribed %d of %d recordings\n", done, total)
		return nil
	})
}

func (c *cli) speechCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "speech", Short: "Manage the speech (Whisper) model"}
	install := &cobra.Command{
		Use:   "install DIR",
		Short: "Use the Whisper export in DIR (Hugging Face ONNX layout) for transcription",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := c.models().InstallModel(cmd.Context(), args[0], journal.ModelSpeech, c.quantizedSpeech)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "speech model %s installed (%s); new recordings are transcribed with it, and `samo transcribe --pending` transcribes the waiting ones\n", m.Source, m.Detail)
			return nil
		},
	}
	install.Flags().BoolVar(&c.quantizedSpeech, "quantized", false, "read the export's int8 files (by default: the int8 ones where it has both)")
	remove := &cobra.Command{
		Use:   "remove",
		Short: "Stop transcribing (recordings are kept, waiting for a model)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return c.engine().RemoveSpeechModel() },
	}
	cmd.AddCommand(install, remove)
	return cmd
}

func (c *cli) vadCommand() *cobra.Command {
	var (
		asJSON     bool
		minSilence time.Duration
	)
	cmd := &cobra.Command{
		Use:   "vad FILE",
		Short: "Find the speech in a WAV or MP3 file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := audio.OpenStream(args[0])
			if err != nil {
				return err
			}
			defer s.Close()
			d, err := c.engine().VAD(vad.Options{MinSilence: minSilence})
			if err != nil {
				return err
			}
			segs, n, err := d.SegmentsReader(cmd.Context(), s, s.Len(), terminal.Progress(c.stderr, "finding speech (seconds)", audio.Rate))
			if err != nil {
				return err
			}
			return c.output(asJSON, vad.NewReport(args[0], float64(n)/audio.Rate, segs))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (times in seconds)")
	cmd.Flags().DurationVar(&minSilence, "min-silence", 0, "silence that ends a segment (default 100ms)")
	return cmd
}
