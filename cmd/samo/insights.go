package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/ui"
)

// stretchFlags are the range insights and charts share.
type stretchFlags struct{ rangeWords, since, until string }

func (f *stretchFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.rangeWords, "range", "90d", "how far back from today: 7d, 30d, 90d, 12w, 6m, 1y … or all")
	cmd.Flags().StringVar(&f.since, "since", "", "start on this year, month or day instead (2025, 2025-03, 2025-03-01)")
	cmd.Flags().StringVar(&f.until, "until", "", "end with this year, month or day")
}

// query is the flags' stretch.
func (f *stretchFlags) query() (journal.InsightsQuery, error) {
	var q journal.InsightsQuery
	return q, q.Span(f.rangeWords, f.since, f.until, time.Now())
}

func (c *cli) insightsCommand() *cobra.Command {
	var f stretchFlags
	cmd := c.printing(&cobra.Command{
		Use:     "insights",
		Short:   "How you have been feeling: levels over time, weekdays, words that go with a feeling, and patterns with their evidence",
		Example: "  samo insights\n  samo insights --range all --json\n  samo insights --since 2025-01 --until 2025-06",
		Args:    cobra.NoArgs,
	}, func(cmd *cobra.Command, _ []string, svc *journal.Service) (printable, error) {
		q, err := f.query()
		if err != nil {
			return nil, err
		}
		return svc.Insights(cmd.Context(), q)
	})
	f.add(cmd)
	return cmd
}

func (c *cli) chartCommand() *cobra.Command {
	var (
		f   stretchFlags
		out string
		o   ui.ChartOptions
	)
	cmd := &cobra.Command{
		Use:       "chart " + strings.Join(ui.ChartNames(), "|") + " --out FILE.png",
		Short:     "Draw one of the Insights screen's charts to a PNG file",
		Example:   "  samo chart timeline --range 1y --out feelings.png\n  samo chart calendar --range all --dark --out year.png",
		Args:      cobra.ExactArgs(1),
		ValidArgs: ui.ChartNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := f.query()
			if err != nil {
				return err
			}
			q.Levels = true // a chart draws levels, not words or patterns
			return c.withJournal(func(svc *journal.Service) error {
				in, err := svc.Insights(cmd.Context(), q)
				if err != nil {
					return err
				}
				size, err := ui.WriteChart(out, in, args[0], o)
				if err == nil {
					fmt.Fprintf(c.stdout, "wrote %s (%d×%d)\n", out, size.X, size.Y)
				}
				return err
			})
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&out, "out", "", "the PNG file to write")
	_ = cmd.MarkFlagRequired("out") // the flag is defined just above
	cmd.Flags().Float32Var(&o.Width, "width", 900, "width in points")
	cmd.Flags().Float32Var(&o.Height, "height", 360, "height in points")
	cmd.Flags().Float32Var(&o.Scale, "scale", 2, "pixels per point")
	cmd.Flags().BoolVar(&o.Dark, "dark", false, "draw it in the dark theme")
	return cmd
}
