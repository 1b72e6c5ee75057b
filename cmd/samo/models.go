package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/internal/terminal"
	"github.com/samojournal/samo/internal/units"
	"github.com/samojournal/samo/journal"
)

// models returns a Service for the model commands, which need no journal.
func (c *cli) models() *journal.Service {
	w := c.wire()
	return journal.NewService(nil, journal.WithNotices(w.notices), journal.WithSettings(w.settings), journal.WithModels(w.engine), journal.WithModelManager(w.engine))
}

func (c *cli) modelsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "models", Short: "Download, install, check and choose the speech, emotion and embedding models",
		Long: "The model manager. `samo models list` shows the models SAMO can download (pinned files from Hugging Face,\n" +
			"or from $SAMO_MODEL_ENDPOINT), the ones installed and the ones in use; `samo models get NAME` downloads\n" +
			"one, resuming an interrupted download, verifies it, checks it runs and uses it. This is the only part of\n" +
			"SAMO that uses the network. A catalog of your own in " + "model-catalog.json in the journal folder adds models."}
	var asJSON bool
	list := &cobra.Command{Use: "list", Short: "The models: available, installed and in use", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all, err := c.models().ListModels(cmd.Context())
			if err != nil || asJSON {
				return cmp2(err, func() error { return writeJSON(c.stdout, all) })
			}
			writeModelList(c.stdout, all)
			return nil
		}}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	get := &cobra.Command{Use: "get NAME", Short: "Download a model, verify it, check it runs, and use it", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := c.models().GetModel(cmd.Context(), args[0], downloadMeter(c.stderr))
			if err != nil {
				if terminal.Is(c.stderr) {
					fmt.Fprintln(c.stderr) // end the progress line
				}
				return err
			}
			fmt.Fprintln(c.stdout, installedLine(args[0], m))
			return nil
		}}
	var kind string
	var quantized bool
	install := &cobra.Command{Use: "install DIR", Short: "Use a model from a folder (a Hugging Face ONNX export copied by hand)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := c.models().InstallModel(cmd.Context(), args[0], kind, quantized)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, installedLine(args[0], m))
			return nil
		}}
	install.Flags().StringVar(&kind, "kind", "", "speech, emotion or embedding (default: found from the files)")
	install.Flags().BoolVar(&quantized, "quantized", false, "use the export's int8 model file")
	verify, remove, use := c.modelChanges()
	cmd.AddCommand(list, get, install, verify, remove, use)
	return cmd
}

// modelChanges are verify, remove and use.
func (c *cli) modelChanges() (verify, remove, use *cobra.Command) {
	verify = &cobra.Command{Use: "verify [NAME]", Short: "Check installed models' files and that they run (all, without NAME)", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return c.verifyModels(cmd.Context(), args) }}
	remove = &cobra.Command{Use: "remove NAME", Short: "Delete a downloaded model (and any interrupted download of it)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := c.models().RemoveModel(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "removed %s\n", args[0])
			return nil
		}}
	use = &cobra.Command{Use: "use NAME", Short: "Use an installed (or built-in) model from now on", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := c.models().UseModel(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, installedLine(args[0], m))
			return nil
		}}
	return verify, remove, use
}

// cmp2 returns err when there is one, else runs f.
func cmp2(err error, f func() error) error {
	if err != nil {
		return err
	}
	return f()
}

func installedLine(name string, m journal.ModelInfo) string {
	s := fmt.Sprintf("%s is in use (%s", name, m.Source)
	if m.Detail != "" {
		s += ", " + m.Detail
	}
	return s + ")"
}

// writeModelList prints the models by kind, one line each.
func writeModelList(w io.Writer, all []journal.ModelListing) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tSIZE\tSTATE\tWHAT")
	for _, kind := range []string{journal.ModelSpeech, journal.ModelEmotion, journal.ModelEmbedding} {
		for _, l := range all {
			if l.Kind != kind {
				continue
			}
			size := "-"
			if l.Size > 0 {
				size = units.Bytes(l.Size)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Kind, l.Name, size, l.State(), l.Title)
		}
	}
	tw.Flush()
}

// downloadMeter draws a download's progress on w: one line redrawn at a
// terminal, else a line at each change of phase and each tenth.
func downloadMeter(w io.Writer) func(journal.DownloadProgress) {
	tty := terminal.Is(w)
	var last journal.DownloadProgress
	return func(p journal.DownloadProgress) {
		if tty {
			fmt.Fprintf(w, "\r\x1b[K%s", p)
			if p.Phase == journal.PhaseDone {
				fmt.Fprintln(w)
			}
			return
		}
		tenth := func(q journal.DownloadProgress) int64 { return q.Done * 10 / max(q.Total, 1) }
		if p.Phase != last.Phase || p.File != last.File && p.Phase != journal.PhaseDownloading || tenth(p) != tenth(last) || p.Note != last.Note {
			fmt.Fprintln(w, p)
		}
		last = p
	}
}

func (c *cli) verifyModels(ctx context.Context, names []string) error {
	svc := c.models()
	if len(names) == 0 {
		all, err := svc.ListModels(ctx)
		if err != nil {
			return err
		}
		for _, l := range all {
			if l.Installed {
				names = append(names, l.Name)
			}
		}
	}
	var failed []string
	for _, name := range names {
		l, err := svc.VerifyModel(ctx, name)
		for _, f := range l.Files {
			from := "from the catalog"
			if f.Recorded {
				from = "recorded at the first download"
			}
			fmt.Fprintf(c.stdout, "  %s  %s  sha256 %s (%s)\n", f.Path, units.Bytes(f.Size), f.SHA256, from)
		}
		if err != nil {
			fmt.Fprintf(c.stdout, "%s: FAILED: %v\n", name, err)
			failed = append(failed, name)
			continue
		}
		fmt.Fprintf(c.stdout, "%s: ok\n", name)
	}
	if len(failed) > 0 {
		return errors.New("not whole: " + strings.Join(failed, ", ") + " (samo models get NAME downloads a catalog model again)")
	}
	return nil
}
