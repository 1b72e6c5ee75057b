package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/internal/terminal"
	"github.com/samojournal/samo/journal"
)

// laneFlags are the filters search and similar share.
type laneFlags struct {
	since, until, emotion, tag string
	limit                      int
	asJSON                     bool
}

func (f *laneFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.since, "since", "", "only entries from this year, month or day on (2024, 2024-03, 2024-03-01)")
	cmd.Flags().StringVar(&f.until, "until", "", "only entries up to the end of this year, month or day")
	cmd.Flags().StringVar(&f.emotion, "emotion", "", "only entries with this feeling: an emotion (grief) or a group (sadness); commas for several")
	cmd.Flags().StringVar(&f.tag, "tag", "", "only entries with this tag")
	cmd.Flags().IntVar(&f.limit, "limit", journal.DefaultSearchLimit, "show at most N results")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print JSON (id, time, score, snippet and why each matched)")
}

// filter adds the flags' filters to f.
func (f *laneFlags) filter(into *journal.Filter) error {
	return into.Narrow(f.since, f.until, f.emotion, f.tag, time.Now())
}

func (c *cli) searchCommand() *cobra.Command {
	var f laneFlags
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Find entries by their words and by what they meant",
		Long: "Finds entries by their words and, with the embedding model, by meaning (\"feeling anxious\" finds \"stressed\n" +
			"about the deadline\"). The query may use \"quoted phrases\", @tag, -from DATE, -to DATE, -on DATE, -not WORD,\n" +
			"-emotion NAME, -audio and -corrected, as well as the flags.",
		Example: `  samo search locked out of my home
  samo search '"my sister" -from 2024 -emotion sadness'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := journal.ParseSearch(strings.Join(args, " "), time.Now())
			if err != nil {
				return err
			}
			if err := f.filter(&q.Filter); err != nil {
				return err
			}
			q.Limit = f.limit
			return c.withJournal(func(svc *journal.Service) error {
				found, err := svc.Search(cmd.Context(), q)
				if err != nil {
					return err
				}
				return c.output(f.asJSON, journal.Results(found))
			})
		},
	}
	f.add(cmd)
	return cmd
}

func (c *cli) similarCommand() *cobra.Command {
	var (
		f  laneFlags
		by string
	)
	cmd := &cobra.Command{
		Use:   "similar ID",
		Short: "Entries like this one: by meaning, by feeling (times you felt like this), or both",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			how, err := journal.ParseSimilarity(by)
			if err != nil {
				return err
			}
			var filter journal.Filter
			if err := f.filter(&filter); err != nil {
				return err
			}
			return c.withJournal(func(svc *journal.Service) error {
				found, err := svc.Similar(cmd.Context(), args[0], how, filter, f.limit)
				if err != nil {
					return err
				}
				return c.output(f.asJSON, journal.Results(found))
			})
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&by, "by", "both", "meaning, feeling or both")
	return cmd
}

func (c *cli) laneCommand() *cobra.Command {
	var (
		onThisDay      bool
		date, by, from string
		periods        int
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "lane",
		Short: "Walk back through the journal: the timeline by day, week, month or year, or On This Day",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			span, err := journal.ParseSpan(by)
			if err != nil {
				return err
			}
			return c.withJournal(func(svc *journal.Service) error {
				if onThisDay {
					day, err := journal.ParseDay(date, time.Now())
					if err != nil {
						return err
					}
					mem, err := svc.OnThisDay(cmd.Context(), day)
					if err != nil {
						return err
					}
					return c.output(asJSON, journal.Memories(mem))
				}
				q := journal.TimelineQuery{By: span, Periods: periods}
				if from != "" {
					if q.Before, err = journal.ParseDay(from, time.Now()); err != nil {
						return err
					}
				}
				t, err := svc.Timeline(cmd.Context(), q)
				if err != nil {
					return err
				}
				return c.output(asJSON, t)
			})
		},
	}
	cmd.Flags().BoolVar(&onThisDay, "on-this-day", false, "what was written on this calendar day in earlier years, and a month ago")
	cmd.Flags().StringVar(&date, "date", "", "the day On This Day looks from (default today): 2026-03-01")
	cmd.Flags().StringVar(&by, "by", "month", "the timeline's periods: day, week, month or year")
	cmd.Flags().StringVar(&from, "before", "", "start with the period before the one holding this day (the timeline's next page)")
	cmd.Flags().IntVar(&periods, "periods", 12, "how many periods to show")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (c *cli) reindexCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "reindex",
		Short: "Embed entries again with the embedding model in use (those embedded by another model, or all)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withJournal(func(svc *journal.Service) error {
				start := time.Now()
				n, err := svc.Reindex(cmd.Context(), all, terminal.Progress(c.stderr, "reindexing", 1))
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "embedded %d %s in %s\n", n, journal.Plural(n, "entry", "entries"), time.Since(start).Round(time.Millisecond))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "embed every entry again")
	return cmd
}

func (c *cli) embeddingsCommand() *cobra.Command {
	return c.modelGroup(modelGroup{
		use: "embeddings", short: "Manage the embedding model behind search by meaning",
		installShort:  "Use a Hugging Face ONNX sentence-embedding export (all-MiniLM-L6-v2, BGE-small…) from now on",
		quantizedHelp: "use the export's quantized (int8) model file",
		install: func(ctx context.Context, dir string, q bool) (journal.ModelInfo, error) {
			return c.models().InstallModel(ctx, dir, journal.ModelEmbedding, q)
		},
		installed: func(m journal.ModelInfo) string {
			return fmt.Sprintf("meaning is now read with %s %s (%s)\nrun `samo reindex` to embed past entries with it", m.Name, m.Version, m.Detail)
		},
		defaultShort: "Go back to the embedding built into SAMO (GloVe)",
		useDefault:   func() error { return c.engine().UseBuiltInEmbeddingModel() },
		usedDefault:  "meaning is now read with the built-in model; run `samo reindex` to embed past entries with it",
	})
}
