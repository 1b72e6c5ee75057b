package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
)

func (c *cli) exportCommand() *cobra.Command {
	var format, output string
	var split bool
	cmd := &cobra.Command{
		Use:   "export --format json|markdown|csv [--output FILE | --split --output DIR]",
		Short: "Write the journal out: JSON (everything, for import), Markdown (to read), CSV (emotion scores)",
		Long: "export writes every entry, oldest first. json is lossless (recordings included) and is what\n" +
			"samo import reads back; markdown is for reading, in one file or, with --split, one file per entry\n" +
			"in the folder --output names; csv has one row of the 28 emotion scores per analysed entry.\n" +
			"The export is not encrypted, even when the journal is: keep it somewhere safe.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if split && (format != transfer.FormatMarkdown || output == "") {
				return errors.New("--split needs --format markdown and --output DIR")
			}
			if format != transfer.FormatJSON && format != transfer.FormatMarkdown && format != transfer.FormatCSV {
				return fmt.Errorf("unknown format %q: use json, markdown or csv", format)
			}
			return c.withJournal(func(svc *journal.Service) error {
				ctx := cmd.Context()
				if split {
					n, err := transfer.WriteMarkdownFiles(output, svc.Entries(ctx))
					if err != nil {
						return err
					}
					fmt.Fprintf(c.stderr, "exported %d %s to %s\n", n, journal.Plural(n, "entry", "entries"), output)
					return nil
				}
				write := func(w io.Writer) error { return transfer.Write(ctx, w, format, svc) }
				if output == "" {
					return write(c.stdout)
				}
				return transfer.WriteFile(output, write)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "json, markdown or csv")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE (or, with --split, into DIR) instead of standard output")
	cmd.Flags().BoolVar(&split, "split", false, "markdown: one file per entry in the --output folder")
	return cmd
}

func (c *cli) importCommand() *cobra.Command {
	var format, zone string
	cmd := &cobra.Command{
		Use:   "import [--format auto|samo|jrnl|dayone] FILE",
		Short: "Add entries from a SAMO JSON export, a jrnl JSON export or a Day One JSON export",
		Long: "import adds the entries of FILE to the journal. SAMO exports keep their ids: an entry already\n" +
			"in the journal is left as it is. jrnl and Day One entries get new ids, so importing the same\n" +
			"file twice adds its entries twice. Entries are saved in batches, each batch all or nothing.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			loc := time.Local
			if zone != "" {
				var err error
				if loc, err = time.LoadLocation(zone); err != nil {
					return fmt.Errorf("--zone: %w", err)
				}
			}
			return c.withJournal(func(svc *journal.Service) error {
				n, err := transfer.ImportFile(cmd.Context(), svc, args[0], format, loc, func(done, total int) {
					if total > journal.ImportBatch {
						fmt.Fprintf(c.stderr, "imported %d of %d\n", done, total)
					}
				})
				for _, w := range n.Lines() {
					fmt.Fprintln(c.stderr, "warning:", w)
				}
				if errors.Is(err, transfer.ErrUnknownFormat) {
					return fmt.Errorf("%w (name it with --format samo, jrnl or dayone)", err)
				}
				if n.Format != "" {
					fmt.Fprintf(c.stdout, "imported %d %s from %s (%s); %d already in the journal; %d skipped (empty or too long)\n",
						n.Added, journal.Plural(n.Added, "entry", "entries"), filepath.Base(args[0]), n.Format, n.Present, n.Skipped)
				}
				return err
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "auto", "auto, samo, jrnl or dayone")
	cmd.Flags().StringVar(&zone, "zone", "", "jrnl: the time zone its dates are in (default: this machine's)")
	return cmd
}
