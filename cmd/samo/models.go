package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/internal/terminal"
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
			if err != nil {
				return err
			}
			return c.output(asJSON, journal.ModelList(all))
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
		RunE: func(cmd *cobra.Command, args []string) error {
			checks, err := c.models().VerifyModels(cmd.Context(), args)
			checks.WriteText(c.stdout)
			return err
		}}
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

func installedLine(name string, m journal.ModelInfo) string {
	s := fmt.Sprintf("%s is in use (%s", name, m.Source)
	if m.Detail != "" {
		s += ", " + m.Detail
	}
	return s + ")"
}

// downloadMeter draws a download's progress on w: one line redrawn at a
// terminal, else a line at each milestone.
func downloadMeter(w io.Writer) func(journal.DownloadProgress) {
	status := terminal.Status(w)
	var last journal.DownloadProgress
	return func(p journal.DownloadProgress) {
		status(p.String(), p.Milestone(last), p.Phase == journal.PhaseDone)
		last = p
	}
}
