package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/internal/cmdline"
	"github.com/samojournal/samo/internal/terminal"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/ui"
)

// cli holds what every command shares: the global flags, the streams, and
// the services wired from them (see wire.go).
type cli struct {
	home, ortLib, passFile, newPassFile string
	// emotionModel, speechModel and provider are --emotion-model,
	// --speech-model and --provider (empty: the environment, then the
	// settings decide).
	emotionModel, speechModel, provider string
	// speechPrecision is --speech-precision (auto, int8 or fp32);
	// quantizedSpeech a command's --quantized.
	speechPrecision string
	quantizedSpeech bool
	// screen is --screen: the window's first screen; speechLanguage is the
	// language transcriptions are read in ("": detected).
	screen, speechLanguage string
	// unlocked is the passphrase asked for at the terminal, once.
	unlocked []byte
	wired    wiring
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
}

// run executes the command line args and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := terminal.NewOutput(stdout)
	c := &cli{stdin: stdin, stdout: out, stderr: stderr}
	c.wired.notices = journal.NewNotices()
	c.wired.notices.Listen(func(n journal.Notice) { fmt.Fprintf(stderr, "samo: warning: %s\n", n.Message) })
	root := c.rootCommand()
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	defer func() { c.engine().Close() }() // wired after the flags are read
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "samo: %v\n", err)
		var ee exitError
		if errors.As(err, &ee) {
			return int(ee)
		}
		return 1
	}
	if err := out.Err(); err != nil {
		fmt.Fprintf(stderr, "samo: write the output: %v\n", err)
		return 1
	}
	return 0
}

// exitError is an error that only sets the exit code (its report was printed).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func (c *cli) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "samo",
		Short: "SAMO, a private, offline voice journal",
		Long: "SAMO is a private, offline voice journal. Run without a command to open the journal window;\n" +
			"the commands below do the same work from a terminal. Nothing leaves this machine.",
		Version:           version,
		Args:              cobra.NoArgs,
		SilenceUsage:      true,
		SilenceErrors:     true,
		RunE:              func(cmd *cobra.Command, _ []string) error { return c.runGUI() },
		PersistentPreRunE: cmdline.RefuseEmpty("home", "ort-lib", "passphrase-file", "emotion-model", "speech-model"),
	}
	root.Flags().StringVar(&c.screen, "screen", "journal", "the window's first screen: "+strings.Join(ui.ScreenNames(), ", "))
	root.SetIn(c.stdin)
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&c.home, "home", "", "journal folder (default $"+journal.EnvHome+", else the per-user data folder)")
	pf.StringVar(&c.ortLib, "ort-lib", "", "path of the onnxruntime shared library (default $SAMO_ORT_LIB, else searched)")
	pf.StringVar(&c.emotionModel, "emotion-model", "", "emotion model bundle folder (default $"+engine.EnvEmotionModel+", else the installed or built-in one)")
	pf.StringVar(&c.provider, "provider", "", "where models run: auto, cpu, cuda, coreml or directml (default $"+engine.EnvProvider+", else the settings, else auto; an absent one falls back to the CPU with a warning)")
	pf.StringVar(&c.speechModel, "speech-model", "", "speech (Whisper) model folder (default $"+engine.EnvSpeechModel+", else the installed one)")
	pf.StringVar(&c.speechPrecision, "speech-precision", "", "which files of a speech model that has both: auto (int8), int8 or fp32 (default $"+engine.EnvSpeechPrecision+", else as installed)")
	pf.StringVar(&c.passFile, "passphrase-file", "", "read the journal's passphrase from this file (default $"+envPassphrase+", else asked)")
	root.AddCommand(c.addCommand(), c.listCommand(), c.showCommand(), c.editCommand(), c.correctCommand(), c.deleteCommand(),
		c.initCommand(), c.encryptCommand(), c.decryptCommand(), c.passphraseCommand(),
		c.exportCommand(), c.importCommand(), c.backupCommand(), c.restoreCommand(), c.doctorCommand(),
		c.analyzeCommand(), c.evalCommand(), c.emotionsCommand(), c.reanalyzeCommand(),
		c.devicesCommand(), c.recordCommand(), c.recoverCommand(), c.playCommand(), c.vadCommand(),
		c.transcribeCommand(), c.speechCommand(), c.dictateCommand(),
		c.searchCommand(), c.similarCommand(), c.laneCommand(), c.reindexCommand(), c.embeddingsCommand(),
		c.insightsCommand(), c.chartCommand(), c.modelsCommand())
	cmdline.RefuseUnknownSubcommands(root)
	return root
}

// homeDir resolves the journal folder: --home, then $SAMO_HOME, then the default.
func (c *cli) homeDir() (string, error) { return journal.HomeDir(c.home) }

func (c *cli) addCommand() *cobra.Command {
	var (
		at   string
		tags []string
	)
	cmd := &cobra.Command{
		Use:   "add TEXT... | add -",
		Short: "Write a new entry (\"-\" reads the text from standard input)",
		Example: `  samo add "I feel great today"
  echo "A long walk by the river." | samo add -
  samo add --at "2026-03-01 21:30" --tag travel "Back home after the trip."`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			text, err := c.textArg(args)
			if err != nil {
				return err
			}
			when := time.Now()
			if at != "" {
				if when, err = journal.ParseTime(at); err != nil {
					return err
				}
			}
			return c.withJournal(func(svc *journal.Service) error {
				e, err := svc.AddAt(cmd.Context(), text, when, journal.SplitTags(tags)...)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "saved %s\n", e.ID)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "when the entry was written: RFC 3339, or \"2006-01-02 15:04\" or \"2006-01-02\" in local time")
	cmd.Flags().StringArrayVar(&tags, "tag", nil, "a tag for the entry (repeat or separate with commas)")
	return cmd
}

// textArg joins the text arguments, or reads standard input for "-".
func (c *cli) textArg(args []string) (string, error) {
	if len(args) == 1 && args[0] == "-" {
		b, err := io.ReadAll(io.LimitReader(c.stdin, journal.MaxTextBytes+1))
		if err != nil {
			return "", fmt.Errorf("read entry from standard input: %w", err)
		}
		return string(b), nil
	}
	return strings.Join(args, " "), nil
}

func (c *cli) listCommand() *cobra.Command {
	var (
		asJSON bool
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List entries, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return fmt.Errorf("--limit must be 0 (all) or more, not %d", limit)
			}
			return c.withJournal(func(svc *journal.Service) error {
				es, err := svc.List(cmd.Context(), journal.Query{Limit: limit})
				if err != nil {
					return err
				}
				if asJSON {
					if es == nil {
						es = []journal.Entry{}
					}
					return writeJSON(c.stdout, es)
				}
				if len(es) == 0 {
					fmt.Fprintln(c.stdout, "No entries yet. Write one with: samo add \"…\"")
				}
				for _, e := range es {
					fmt.Fprintf(c.stdout, "%s  %s  %s\n", e.ID, e.Created.Format("Mon 2 Jan 2006 15:04"), e.Title(72))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&limit, "limit", 0, "show at most N entries (0: all)")
	return cmd
}

func (c *cli) showCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one entry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withJournal(func(svc *journal.Service) error {
				e, err := svc.Get(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.stdout, e)
				}
				fmt.Fprintf(c.stdout, "%s\n%s\n\n%s\n", e.ID, e.Created.Format("Monday 2 January 2006, 15:04 MST"), e.Text)
				if e.Emotions != nil || e.Corrected() {
					fmt.Fprintln(c.stdout)
					fmt.Fprintln(c.stdout, e.DescribeFeelings())
				}
				if along := e.DescribeRecording(); along != "" {
					fmt.Fprintf(c.stdout, "\n%s\n", along)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// output prints v as JSON, or as text for a person.
// printable is what a command prints: as text, or as JSON with --json.
type printable interface{ WriteText(io.Writer) }

// printing makes cmd read what read returns from the journal and print it,
// as text or (--json) JSON.
func (c *cli) printing(cmd *cobra.Command, read func(cmd *cobra.Command, args []string, svc *journal.Service) (printable, error)) *cobra.Command {
	var asJSON bool
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return c.withJournal(func(svc *journal.Service) error {
			v, err := read(cmd, args, svc)
			if err != nil {
				return err
			}
			return c.output(asJSON, v)
		})
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (c *cli) output(asJSON bool, v printable) error {
	if asJSON {
		return writeJSON(c.stdout, v)
	}
	v.WriteText(c.stdout)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
