package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/transfer"
	"github.com/samojournal/samo/storage"
)

// importBatch is how many entries one import transaction saves.
const importBatch = 500

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
			if split && (format != "markdown" || output == "") {
				return errors.New("--split needs --format markdown and --output DIR")
			}
			if format != "json" && format != "markdown" && format != "csv" {
				return fmt.Errorf("unknown format %q: use json, markdown or csv", format)
			}
			return c.withJournal(func(svc *journal.Service, st *storage.Store) error {
				ctx := cmd.Context()
				if split {
					n, err := transfer.WriteMarkdownFiles(output, entriesOf(ctx, st))
					if err != nil {
						return err
					}
					fmt.Fprintf(c.stderr, "exported %d %s to %s\n", n, plural(n, "entry", "entries"), output)
					return nil
				}
				return writeOutput(output, c.stdout, func(w io.Writer) error {
					switch format {
					case "json":
						return transfer.WriteJSON(w, exportsOf(ctx, st))
					case "markdown":
						return transfer.WriteMarkdown(w, entriesOf(ctx, st))
					default:
						return transfer.WriteCSV(w, entriesOf(ctx, st))
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "json, markdown or csv")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE (or, with --split, into DIR) instead of standard output")
	cmd.Flags().BoolVar(&split, "split", false, "markdown: one file per entry in the --output folder")
	return cmd
}

// writeOutput runs write on the named file (written beside it and renamed
// into place, so a failure never leaves half an export under that name), or
// on stdout when name is empty.
func writeOutput(name string, stdout io.Writer, write func(io.Writer) error) error {
	if name == "" {
		return write(stdout)
	}
	tmp := name + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("export to %s: %w", name, err)
	}
	return nil
}

var errStop = errors.New("stop")

// exportsOf yields every entry with its recording, oldest first.
func exportsOf(ctx context.Context, st *storage.Store) iter.Seq2[transfer.Exported, error] {
	return func(yield func(transfer.Exported, error) bool) {
		err := st.EachWithAudio(ctx, func(e journal.Entry, audio []byte) error {
			if !yield(transfer.Exported{Entry: e, AudioData: audio}, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(transfer.Exported{}, err)
		}
	}
}

// entriesOf yields every entry, oldest first.
func entriesOf(ctx context.Context, st *storage.Store) iter.Seq2[journal.Entry, error] {
	return func(yield func(journal.Entry, error) bool) {
		err := st.Each(ctx, func(e journal.Entry) error {
			if !yield(e, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(journal.Entry{}, err)
		}
	}
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
			data, err := readLimited(args[0], transfer.MaxInputBytes)
			if err != nil {
				return err
			}
			if format == "auto" {
				format = detectFormat(data)
			}
			var items []transfer.Exported
			var rep transfer.Report
			switch format {
			case "samo":
				items, rep, err = transfer.ReadJSON(bytes.NewReader(data))
			case "jrnl":
				loc := time.Local
				if zone != "" {
					if loc, err = time.LoadLocation(zone); err != nil {
						return fmt.Errorf("--zone: %w", err)
					}
				}
				var es []journal.Entry
				es, rep, err = transfer.ReadJrnl(bytes.NewReader(data), loc)
				items = asExports(es)
			case "dayone":
				var es []journal.Entry
				es, rep, err = transfer.ReadDayOne(bytes.NewReader(data))
				items = asExports(es)
			default:
				return fmt.Errorf("cannot tell the format of %s: use --format samo, jrnl or dayone", args[0])
			}
			if err != nil {
				return err
			}
			for _, w := range rep.Warnings {
				fmt.Fprintln(c.stderr, "warning:", w)
			}
			if rep.MoreWarnings > 0 {
				fmt.Fprintf(c.stderr, "warning: and %d more\n", rep.MoreWarnings)
			}
			return c.withJournal(func(_ *journal.Service, st *storage.Store) error {
				added, present, err := importInto(cmd.Context(), st, items, func(done, total int) {
					if total > importBatch {
						fmt.Fprintf(c.stderr, "imported %d of %d\n", done, total)
					}
				})
				fmt.Fprintf(c.stdout, "imported %d %s from %s (%s)", added, plural(added, "entry", "entries"), filepath.Base(args[0]), format)
				if present > 0 {
					fmt.Fprintf(c.stdout, "; %d already in the journal", present)
				}
				if rep.Skipped > 0 {
					fmt.Fprintf(c.stdout, "; %d skipped (empty or too long)", rep.Skipped)
				}
				fmt.Fprintln(c.stdout)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "auto", "auto, samo, jrnl or dayone")
	cmd.Flags().StringVar(&zone, "zone", "", "jrnl: the time zone its dates are in (default: this machine's)")
	return cmd
}

func asExports(es []journal.Entry) []transfer.Exported {
	out := make([]transfer.Exported, len(es))
	for i, e := range es {
		out[i] = transfer.Exported{Entry: e}
	}
	return out
}

// detectFormat guesses an export's format from its content.
func detectFormat(data []byte) string {
	head := data[:min(len(data), 4096)]
	switch {
	case bytes.Contains(head, []byte(`"samo-journal"`)):
		return "samo"
	case bytes.Contains(data, []byte(`"creationDate"`)):
		return "dayone"
	case bytes.Contains(data, []byte(`"body"`)) && bytes.Contains(data, []byte(`"date"`)):
		return "jrnl"
	}
	return "unknown"
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("import %s: %w", path, transfer.ErrTooLarge)
	}
	return data, nil
}

// importInto saves items in batches, skipping ids already in the journal.
// Each batch is one transaction; on error, the batches before it stay saved.
func importInto(ctx context.Context, st *storage.Store, items []transfer.Exported, progress func(done, total int)) (added, present int, err error) {
	var batch []journal.Entry
	audio := map[string][]byte{}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := st.PutMany(ctx, batch, audio); err != nil {
			return err
		}
		added += len(batch)
		batch, audio = batch[:0], map[string][]byte{}
		progress(added+present, len(items))
		return nil
	}
	seen := map[string]bool{}
	for i, it := range items {
		if it.ID != "" && (seen[it.ID] || st.Has(it.ID)) {
			present++
			continue
		}
		seen[it.ID] = true
		e, err := journal.Prepare(it.Entry, time.Now)
		if err != nil {
			return added, present, fmt.Errorf("import entry %d: %w", i+1, err)
		}
		batch = append(batch, e)
		if it.AudioData != nil {
			audio[e.ID] = it.AudioData
		}
		if len(batch) >= importBatch {
			if err := flush(); err != nil {
				return added, present, err
			}
		}
	}
	return added, present, flush()
}
