package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// recordingsDir is where recordings are written while they are made, in
// the journal folder; a file left there is an unfinished recording.
func (c *cli) recordingsDir() (string, error) {
	home, err := c.homeDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(home, "recordings")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("recordings folder: %w", err)
	}
	return dir, nil
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
			devs := inv.InputDevices()
			if len(devs) == 0 {
				fmt.Fprintln(c.stdout, "no input devices found")
				return nil
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DEFAULT\tNAME\tHOST API\tCHANNELS\tRATE")
			for _, d := range devs {
				def := ""
				if d.DefaultInput {
					def = "*"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.0f Hz\n", def, d.Name, d.HostAPI, d.MaxInputChannels, d.DefaultSampleRate)
			}
			return tw.Flush()
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
			dir, err := c.recordingsDir()
			if err != nil {
				return err
			}
			// Open the journal before a word is spoken: a passphrase is
			// asked now (not after, at a terminal still waiting for Enter),
			// and a journal that cannot be opened says so now.
			if err := c.withJournal(func(*journal.Service, *storage.Store) error { return nil }); err != nil {
				return err
			}
			c.mentionUnfinished(dir)
			start := time.Now()
			path := filepath.Join(dir, start.UTC().Format(recordingNameLayout)+".wav")
			meter := c.levelMeter()
			r, err := audio.StartRecording(path, audio.RecordOptions{
				Device:    device,
				MaxLength: time.Duration(seconds * float64(time.Second)),
				OnLevel:   meter,
			})
			if err != nil {
				return err
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
			fmt.Fprintf(c.stderr, "recording from %s; %s stops\n", deviceLabel(device), stop)
			select {
			case <-r.Done():
			case <-enter:
			case <-cmd.Context().Done():
			}
			rec, err := r.Stop()
			if meter != nil {
				fmt.Fprintln(c.stderr)
			}
			if err != nil {
				return fmt.Errorf("%w (what was recorded is kept in %s; `samo recover` saves it)", err, path)
			}
			c.warnRecording(rec)
			if rec.Duration == 0 {
				os.Remove(path)
				fmt.Fprintln(c.stdout, "nothing was recorded")
				return nil
			}
			e, transcribed, err := c.saveRecording(context.WithoutCancel(cmd.Context()), path, start, tags)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, recordOut{Entry: e, Seconds: rec.Duration.Seconds(), Device: rec.DeviceName, DeviceRate: rec.DeviceRate,
					Transcribed: transcribed, Overflows: rec.Overflows})
			}
			fmt.Fprintf(c.stdout, "saved %s: %.1f s of audio", e.ID, rec.Duration.Seconds())
			switch {
			case e.NoSpeechHeard():
				fmt.Fprintln(c.stdout, ", no speech heard in it")
			case transcribed:
				fmt.Fprintf(c.stdout, "\n%s\n", e.Text)
			default:
				fmt.Fprintln(c.stdout, ", waiting to be transcribed")
			}
			return nil
		},
	}
	cmd.Flags().Float64Var(&seconds, "seconds", 0, "stop after this many seconds (0: when told)")
	cmd.Flags().StringVar(&device, "device", "", "input device name, or part of it (see `samo devices`)")
	cmd.Flags().StringSliceVar(&tags, "tag", nil, "tag the entry (repeatable)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the saved entry as JSON")
	return cmd
}

// warnRecording says what went wrong with a recording that was still saved.
func (c *cli) warnRecording(rec audio.Recording) {
	if rec.DeviceErr != nil {
		fmt.Fprintf(c.stderr, "samo: warning: the microphone stopped (%v); the %.1f s recorded until then are saved\n", rec.DeviceErr, rec.Duration.Seconds())
	}
	if rec.Overflows > 0 {
		fmt.Fprintf(c.stderr, "samo: warning: %d time(s) the computer fell behind the microphone, so a little audio may be missing\n", rec.Overflows)
	}
}

func deviceLabel(name string) string {
	if name == "" {
		return "the default microphone"
	}
	return fmt.Sprintf("%q", name)
}

// levelMeter returns a callback drawing a level bar on a terminal, or nil
// when standard error is not one.
func (c *cli) levelMeter() func(audio.Level) {
	f, ok := c.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(l audio.Level) {
		const width = 30
		n := int(min(l.Peak, 1) * width)
		s := int(l.Elapsed.Seconds())
		fmt.Fprintf(f, "\r● %02d:%02d %s%s", s/60, s%60, strings.Repeat("▮", n), strings.Repeat("▯", width-n))
	}
}

// prepareRecording reads the finished WAV file at path for the journal,
// transcribed when a speech model is installed. A failed transcription is
// a warning: the audio is saved either way and waits for
// `samo transcribe --pending`.
// progress, when not nil, gets the transcription's progress.
func (c *cli) prepareRecording(ctx context.Context, path string, at time.Time, tags []string, progress func(done, total int)) (journal.NewRecording, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return journal.NewRecording{}, fmt.Errorf("read the recording: %w", err)
	}
	clip, err := audio.DecodeWAV(data)
	if err != nil {
		return journal.NewRecording{}, fmt.Errorf("recording %s: %w", path, err)
	}
	info := journal.Audio{Format: "wav", SampleRate: clip.Rate, Channels: clip.Channels,
		Duration: time.Duration(clip.Frames()) * time.Second / time.Duration(max(clip.Rate, 1))}
	var tr *journal.Transcript
	if t, err := c.transcriber(); err != nil {
		fmt.Fprintf(c.stderr, "samo: warning: %v; the audio is saved and waits for `samo transcribe --pending`\n", err)
	} else if t != nil {
		tr, err = t.transcribe(ctx, clip.Mono16k(), progress)
		if err != nil {
			fmt.Fprintf(c.stderr, "samo: warning: transcription failed (%v); the audio is saved and waits for `samo transcribe --pending`\n", err)
			tr = nil
		}
	}
	return journal.NewRecording{At: at, Data: data, Audio: info, Transcript: tr, Tags: tags}, nil
}

// saveRecording saves the WAV file at path as an entry (see
// prepareRecording) and removes the file once it is safely in the journal.
// If saving fails the file stays for `samo recover`.
func (c *cli) saveRecording(ctx context.Context, path string, at time.Time, tags []string) (journal.Entry, bool, error) {
	rec, err := c.prepareRecording(ctx, path, at, tags, c.progress("transcribing (seconds)", 1000))
	if err != nil {
		return journal.Entry{}, false, err
	}
	var e journal.Entry
	err = c.withAnalyzedJournal(func(svc *journal.Service) error {
		var err error
		e, err = svc.AddRecording(ctx, rec)
		return err
	})
	if err != nil {
		return journal.Entry{}, false, fmt.Errorf("%w (the recording is kept in %s; `samo recover` saves it)", err, path)
	}
	os.Remove(path)
	return e, !e.AwaitingTranscript(), nil
}

// recordingStart reads the start time a recording's file name holds.
func recordingStart(path string, fallback time.Time) time.Time {
	if t, err := time.Parse(recordingNameLayout, strings.TrimSuffix(filepath.Base(path), ".wav")); err == nil {
		return t.Local()
	}
	return fallback
}

// recordingNameLayout names recording files by their start time.
const recordingNameLayout = "20060102T150405.000Z"

// mentionUnfinished tells the person about recordings a crash left behind.
func (c *cli) mentionUnfinished(dir string) {
	unf, err := audio.FindUnfinished(dir)
	if err != nil || len(unf) == 0 {
		return
	}
	var total time.Duration
	for _, u := range unf {
		total += u.Duration
	}
	fmt.Fprintf(c.stderr, "samo: %d unfinished recording(s) (%.0f s) from an earlier session were found; `samo recover` saves them\n", len(unf), total.Seconds())
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
				at := recordingStart(u.Path, u.Modified.Add(-u.Duration))
				e, _, err := c.saveRecording(context.WithoutCancel(cmd.Context()), u.Path, at, nil)
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

// progress returns a progress callback that prints to a terminal, or nil.
// Counts arrive in units of 1/per of what is shown (per 1000 for
// milliseconds shown as seconds).
func (c *cli) progress(what string, per int) func(done, total int) {
	f, ok := c.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(f, "\r%s: %d/%d", what, done/per, total/per)
		if done == total {
			fmt.Fprintln(f)
		}
	}
}

// errNoSpeechModel means no speech model is installed.
var errNoSpeechModel = errors.New("no speech model is installed")

func (c *cli) playCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "play ID",
		Short: "Play an entry's recording (Ctrl-C stops)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			err := c.withJournal(func(svc *journal.Service, _ *storage.Store) error {
				e, err := svc.Get(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if e.Audio == nil {
					return fmt.Errorf("entry %s has no recording", e.ID)
				}
				data, err = svc.Audio(cmd.Context(), e.ID)
				return err
			})
			if err != nil {
				return err
			}
			clip, err := audio.Decode(data)
			if err != nil {
				return fmt.Errorf("the recording of %s: %w", args[0], err)
			}
			fmt.Fprintf(c.stderr, "playing %.1f s\n", float64(clip.Frames())/float64(clip.Rate))
			if err := audio.Play(cmd.Context(), clip); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		},
	}
}
