package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/journal"
)

// stretchFlags are the range insights and charts share.
type stretchFlags struct{ rangeWords, since, until string }

func (f *stretchFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.rangeWords, "range", "90d", "how far back from today: 7d, 30d, 90d, 12w, 6m, 1y … or all")
	cmd.Flags().StringVar(&f.since, "since", "", "start on this year, month or day instead (2025, 2025-03, 2025-03-01)")
	cmd.Flags().StringVar(&f.until, "until", "", "end with this year, month or day")
}

func (f *stretchFlags) query() (journal.InsightsQuery, error) {
	var q journal.InsightsQuery
	return q, q.Span(f.rangeWords, f.since, f.until, time.Now())
}

func (c *cli) insightsCommand() *cobra.Command {
	var (
		f      stretchFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "insights",
		Short: "How you have been feeling: levels over time, weekdays, words that go with a feeling, and patterns with their evidence",
		Example: `  samo insights
  samo insights --range all --json
  samo insights --since 2025-01 --until 2025-06`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := f.query()
			if err != nil {
				return err
			}
			return c.withJournal(func(svc *journal.Service) error {
				in, err := svc.Insights(cmd.Context(), q)
				if err != nil {
					return err
				}
				return c.output(asJSON, in)
			})
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: aggregates and patterns with their evidence")
	return cmd
}
