package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/inference/speech"
	"github.com/samojournal/samo/internal/terminal"
	"github.com/samojournal/samo/journal"
)

func (c *cli) dictateCommand() *cobra.Command {
	var (
		seconds float64
		every   time.Duration
		device  string
		tags    []string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "dictate [--seconds N] [--device NAME]",
		Short: "Speak an entry and watch the words appear (Enter or Ctrl-C stops)",
		Long: "dictate records as record does (on disk as it is made) and shows the words while you speak:\n" +
			"settled words on standard error as they settle, the words still being heard after them (dimmed at a\n" +
			"terminal). A word settles once two successive readings agree on it, and never changes after. When you\n" +
			"stop, the last words are read, the entry is saved with its audio, and its text is printed on standard output.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if seconds < 0 || every < 100*time.Millisecond {
				return fmt.Errorf("--seconds must be 0 or more, and --every at least 100ms")
			}
			tags, err := journal.CleanTags(journal.SplitTags(tags))
			if err != nil {
				return err
			}
			d, err := c.speech().NewDictation(cmd.Context())
			if errors.Is(err, journal.ErrNoSpeechModel) {
				return fmt.Errorf("%w: `samo models get %s` downloads one (samo record keeps the audio for later)", err, engine.SuggestedSpeechModel)
			}
			if err != nil {
				return err
			}
			dir, err := c.beforeRecording()
			if err != nil {
				return err
			}
			return c.dictateEntry(cmd.Context(), d, dir, every, tags, asJSON,
				audio.RecordOptions{Device: device, MaxLength: time.Duration(seconds * float64(time.Second))})
		},
	}
	cmd.Flags().Float64Var(&seconds, "seconds", 0, "stop after this many seconds (0: when told)")
	cmd.Flags().DurationVar(&every, "every", 600*time.Millisecond, "how often the words are read again")
	cmd.Flags().StringVar(&device, "device", "", "input device name, or part of it (see `samo devices`)")
	cmd.Flags().StringArrayVar(&tags, "tag", nil, "a tag for the entry (repeat or separate with commas)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the saved entry as JSON")
	return cmd
}

// dictateEntry dictates into a new recording in dir, saves it as an
// entry and prints its text (or the entry as JSON).
func (c *cli) dictateEntry(ctx context.Context, d *journal.Dictation, dir string, every time.Duration, tags []string, asJSON bool, o audio.RecordOptions) error {
	start := time.Now()
	path := audio.RecordingPath(dir, start)
	final, rec, err := c.dictate(ctx, d, path, every, o)
	if err != nil || rec.Duration == 0 {
		return err
	}
	e, _, err := c.saveRecording(context.WithoutCancel(ctx), journal.RecordingFile{Path: path, At: start, Tags: tags, Transcript: d.Transcript()})
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(c.stdout, e)
	}
	fmt.Fprintln(c.stdout, final.Committed)
	return nil
}

// speech returns a Service that reads speech, for commands that need no
// journal while they listen.
func (c *cli) speech() *journal.Service {
	w := c.wire()
	return journal.NewService(nil, journal.WithNotices(w.notices), journal.WithModels(w.engine), journal.WithSpeech(speech.Decoder{Warn: w.notices.Notify}, w.engine))
}

// dictate records into path while d reads the words every interval,
// drawing them on standard error, then reads the last ones.
func (c *cli) dictate(ctx context.Context, d *journal.Dictation, path string, every time.Duration, o audio.RecordOptions) (journal.DictationText, audio.Recording, error) {
	live := terminal.Live(c.stderr)
	o.OnAudio = d.Write
	stop := d.Follow(ctx, every, func(t journal.DictationText) { live(t.Committed, t.Partial, false) },
		func(err error) { c.wire().notices.Notify(err.Error()) })
	rec, err := c.recordUntilStopped(ctx, path, o)
	stop()
	if err != nil || rec.Duration == 0 {
		return journal.DictationText{}, rec, err
	}
	final, err := d.Finish(context.WithoutCancel(ctx))
	live(final.Committed, final.Partial, true)
	if err != nil {
		c.wire().notices.Notify(fmt.Sprintf("the last words could not be read (%v); what was read before is kept", err))
	}
	return final, rec, nil
}
