package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/vad"
)

// voiceDetector opens the Silero VAD model with opts; it is closed when the
// command ends.
func (c *cli) voiceDetector(opts vad.Options) (*vad.Detector, error) {
	p, err := c.executionProvider()
	if err != nil {
		return nil, err
	}
	opts.Provider = p
	path, err := inference.NewLocator("", inference.EnvVADModel).FindVADModel()
	if err != nil {
		return nil, err
	}
	d, err := vad.Open(c.runtime(), path, opts)
	if err != nil {
		return nil, err
	}
	c.addCloser(d.Close)
	return d, nil
}

// vadOut is what `samo vad --json` prints.
type vadOut struct {
	File     string        `json:"file"`
	Seconds  float64       `json:"seconds"`
	Segments []vad.Segment `json:"segments"`
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
			clip, err := audio.DecodeFile(args[0])
			if err != nil {
				return err
			}
			d, err := c.voiceDetector(vad.Options{MinSilence: minSilence})
			if err != nil {
				return err
			}
			samples := clip.Mono16k()
			segs, err := d.SegmentsContext(cmd.Context(), samples, c.progress("finding speech (seconds)", audio.Rate))
			if err != nil {
				return err
			}
			if segs == nil {
				segs = []vad.Segment{}
			}
			out := vadOut{File: args[0], Seconds: float64(len(samples)) / audio.Rate, Segments: segs}
			if asJSON {
				return writeJSON(c.stdout, out)
			}
			if len(segs) == 0 {
				fmt.Fprintf(c.stdout, "no speech in %.1f s of audio\n", out.Seconds)
			}
			for _, s := range segs {
				fmt.Fprintf(c.stdout, "%8.2f – %8.2f s  (%.2f s)\n", s.Start.Seconds(), s.End.Seconds(), s.Duration().Seconds())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (times in seconds)")
	cmd.Flags().DurationVar(&minSilence, "min-silence", 0, "silence that ends a segment (default 100ms)")
	return cmd
}
