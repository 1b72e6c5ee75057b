package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/internal/terminal"
	"github.com/samojournal/samo/internal/units"
	"github.com/samojournal/samo/journal"
)

// recordingsDir is where recordings are written while they are made, in
// the journal folder; a file left there is an unfinished recording.
func (c *cli) recordingsDir() (string, error) {
	if w := c.wire(); w.homeErr != nil {
		return "", w.homeErr
	}
	return journal.RecordingsDir(c.wire().home)
}

func (c *cli) devicesCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "List the microphones SAMO can record from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			inv, err := audio.List()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, inv.InputDevices())
			}
			return audio.WriteDevices(c.stdout, inv.InputDevices())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// recordOut is what `samo record --json` prints.
type recordOut struct {
	Entry       journal.Entry `json:"entry"`
	Seconds     float64       `json:"seconds"`
	Device      string        `json:"device"`
	DeviceRate  int           `json:"device_rate"`
	Transcribed bool          `json:"transcribed"`
	// Overflows counts the times the computer fell behind the microphone.
	Overflows int `json:"overflows"`
}

func (o recordOut) WriteText(w io.Writer) {
	fmt.Fprintf(w, "saved %s: %.1f s of audio", o.Entry.ID, o.Seconds)
	switch {
	case o.Entry.NoSpeechHeard():
		fmt.Fprintln(w, ", no speech heard in it")
	case o.Transcribed:
		fmt.Fprintf(w, "\n%s\n", o.Entry.Text)
	default:
		fmt.Fprintln(w, ", waiting to be transcribed")
	}
}

func (c *cli) recordCommand() *cobra.Command {
	var (
		seconds float64
		device  string
		tags    []string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "record [--seconds N] [--device NAME]",
		Short: "Record a spoken entry (Enter or Ctrl-C stops)",
		Long: "Record from the microphone into the journal. The recording is on disk as it is made, so a crash\n" +
			"loses at most the last second (`samo recover` saves what was left). It is transcribed when a\n" +
			"speech model is installed; otherwise the audio is saved and the entry waits for `samo transcribe --pending`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if seconds < 0 || seconds > 0 && seconds < 0.1 {
				return fmt.Errorf("--seconds must be 0 (until stopped) or at least 0.1, not %v", seconds)
			}
			tags, err := journal.CleanTags(journal.SplitTags(tags)) // refused before a word is spoken
			if err != nil {
				return err
			}
			dir, err := c.beforeRecording()
			if err != nil {
				return err
			}
			start := time.Now()
			path := audio.RecordingPath(dir, start)
			rec, err := c.recordUntilStopped(cmd.Context(), path, audio.RecordOptions{Device: device, MaxLength: time.Duration(seconds * float64(time.Second))})
			if err != nil || rec.Duration == 0 {
				return err
			}
			e, transcribed, err := c.saveRecording(context.WithoutCancel(cmd.Context()), journal.RecordingFile{Path: path, At: start, Tags: tags})
			if err != nil {
				return err
			}
			return c.output(asJSON, recordOut{Entry: e, Seconds: rec.Duration.Seconds(), Device: rec.DeviceName, DeviceRate: rec.DeviceRate,
				Transcribed: transcribed, Overflows: rec.Overflows})
		},
	}
	cmd.Flags().Float64Var(&seconds, "seconds", 0, "stop after this many seconds (0: when told)")
	cmd.Flags().StringVar(&device, "device", "", "input device name, or part of it (see `samo devices`)")
	cmd.Flags().StringArrayVar(&tags, "tag", nil, "a tag for the entry (repeat or separate with commas)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the saved entry as JSON")
	return cmd
}

// recordUntilStopped records into path until Enter (at a terminal),
// Ctrl-C, the length limit or the microphone's end, with a level meter at
// a terminal unless the audio goes to live text (o.OnAudio). An empty
// recording is removed, and said so.
func (c *cli) recordUntilStopped(ctx context.Context, path string, o audio.RecordOptions) (audio.Recording, error) {
	var meter func(peak float32, elapsed time.Duration)
	if o.OnAudio == nil {
		meter = terminal.Meter(c.stderr)
	}
	if meter != nil {
		o.OnLevel = func(l audio.Level) { meter(l.Peak, l.Elapsed) }
	}
	device := o.Device
	r, err := audio.StartRecording(path, o)
	if err != nil {
		return audio.Recording{}, err
	}
	stop := "Ctrl-C"
	enter := make(chan struct{})
	if c.interactive() {
		stop = "Enter or Ctrl-C"
		go func() {
			buf := make([]byte, 1)
			c.stdin.Read(buf)
			close(enter)
		}()
	}
	label := "the default microphone"
	if device != "" {
		label = fmt.Sprintf("%q", device)
	}
	fmt.Fprintf(c.stderr, "recording from %s; %s stops\n", label, stop)
	select {
	case <-r.Done():
	case <-enter:
	case <-ctx.Done():
	}
	rec, err := r.Stop()
	if meter != nil {
		fmt.Fprintln(c.stderr)
	}
	if err != nil {
		return rec, fmt.Errorf("%w (what was recorded is kept in %s; `samo recover` saves it)", err, path)
	}
	for _, w := range audio.Warnings(rec) {
		c.wire().notices.Notify(w)
	}
	if rec.Duration == 0 {
		os.Remove(path)
		fmt.Fprintln(c.stdout, "nothing was recorded")
	}
	return rec, nil
}

// saveRecording saves the recording file as an entry (transcribed when a
// speech model is installed), showing the transcription's progress; if
// saving fails the file stays for `samo recover`.
func (c *cli) saveRecording(ctx context.Context, f journal.RecordingFile) (journal.Entry, bool, error) {
	var (
		e           journal.Entry
		transcribed bool
	)
	err := c.withJournal(func(svc *journal.Service) error {
		var err error
		e, transcribed, err = svc.SaveRecording(ctx, f, terminal.Progress(c.stderr, "transcribing (seconds)", 1000))
		return err
	})
	if err != nil {
		return journal.Entry{}, false, fmt.Errorf("%w (the recording is kept in %s; `samo recover` saves it)", err, f.Path)
	}
	return e, transcribed, nil
}

// beforeRecording returns the recordings folder, having opened the
// journal before a word is spoken (a passphrase is asked now, not after,
// at a terminal still waiting for Enter, and a journal that cannot be
// opened says so now) and told of recordings a crash left behind.
func (c *cli) beforeRecording() (string, error) {
	dir, err := c.recordingsDir()
	if err != nil {
		return "", err
	}
	if err := c.withJournal(func(*journal.Service) error { return nil }); err != nil {
		return "", err
	}
	c.mentionUnfinished(dir)
	return dir, nil
}

// mentionUnfinished tells the person about recordings a crash left behind.
func (c *cli) mentionUnfinished(dir string) {
	if unf, err := audio.FindUnfinished(dir); err == nil && len(unf) > 0 {
		fmt.Fprintf(c.stderr, "samo: %s from an earlier session were found; `samo recover` saves them\n", audio.DescribeUnfinished(unf))
	}
}

func (c *cli) recoverCommand() *cobra.Command {
	var discard bool
	cmd := &cobra.Command{
		Use:   "recover [--discard]",
		Short: "Save recordings that a crash left unfinished",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := c.recordingsDir()
			if err != nil {
				return err
			}
			unf, err := audio.FindUnfinished(dir)
			if err != nil {
				return err
			}
			if len(unf) == 0 {
				fmt.Fprintln(c.stdout, "no unfinished recordings")
				return nil
			}
			for _, u := range unf {
				if discard {
					if err := os.Remove(u.Path); err != nil {
						return fmt.Errorf("discard %s: %w", u.Path, err)
					}
					fmt.Fprintf(c.stdout, "discarded %s (%.1f s)\n", filepath.Base(u.Path), u.Duration.Seconds())
					continue
				}
				e, _, err := c.saveRecording(context.WithoutCancel(cmd.Context()), journal.RecordingFile{Path: u.Path, At: u.Start})
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "saved %s from %s (%.1f s)\n", e.ID, filepath.Base(u.Path), u.Duration.Seconds())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&discard, "discard", false, "delete the unfinished recordings instead of saving them")
	return cmd
}

func (c *cli) playCommand() *cobra.Command {
	var at string
	cmd := &cobra.Command{
		Use:   "play ID [--at 1:23]",
		Short: "Play an entry's recording, from the start or from a moment (Ctrl-C stops)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			from, err := units.ParseClock(cmp.Or(at, "0"))
			if err != nil {
				return fmt.Errorf("--at: %w", err)
			}
			var data []byte
			err = c.withJournal(func(svc *journal.Service) (err error) {
				data, err = svc.Audio(cmd.Context(), args[0])
				return err
			})
			if err != nil {
				return err
			}
			clip, err := audio.Decode(data)
			if err != nil {
				return fmt.Errorf("the recording of %s: %w", args[0], err)
			}
			length := time.Duration(float64(clip.Frames()) / float64(clip.Rate) * float64(time.Second))
			if from >= length {
				return fmt.Errorf("--at %s is past the recording's end (%s)", units.Clock(from), units.Clock(length))
			}
			fmt.Fprintf(c.stderr, "playing from %s of %s\n", units.Clock(from), units.Clock(length))
			if err := audio.Play(cmd.Context(), clip.From(from)); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "start at this moment (1:23, 83, 1m23s)")
	return cmd
}
