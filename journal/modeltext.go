package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/samojournal/samo/internal/units"
)

// ModelList is the models as samo models list prints them.
type ModelList []ModelListing

// WriteText writes the models by kind, a line each: kind, name, size,
// state and title.
func (ms ModelList) WriteText(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tSIZE\tSTATE\tWHAT")
	for _, kind := range []string{ModelSpeech, ModelEmotion, ModelEmbedding} {
		for _, l := range ms {
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

// ModelCheck is one model's verification: what was checked, and why it
// failed ("" when it is whole and runs).
type ModelCheck struct {
	ModelListing
	Err string `json:"error,omitempty"`
}

// ModelChecks are the verifications of samo models verify.
type ModelChecks []ModelCheck

// ErrModelsNotWhole means a verification found a model damaged or not
// running.
var ErrModelsNotWhole = errors.New("not whole")

// VerifyModels verifies the models called names, or every installed one
// when names is empty. The error, when one or more failed, names them
// (ErrModelsNotWhole); each check says why.
func (s *Service) VerifyModels(ctx context.Context, names []string) (ModelChecks, error) {
	m, err := s.modelManager()
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		all, err := m.ListModels(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range all {
			if l.Installed {
				names = append(names, l.Name)
			}
		}
	}
	var out ModelChecks
	var failed []string
	for _, name := range names {
		l, err := m.VerifyModel(ctx, name)
		c := ModelCheck{ModelListing: l}
		if c.Name == "" {
			c.Name = name
		}
		if err != nil {
			c.Err = err.Error()
			failed = append(failed, name)
		}
		out = append(out, c)
	}
	if len(failed) > 0 {
		return out, fmt.Errorf("%w: %s (samo models get NAME downloads a catalog model again)", ErrModelsNotWhole, strings.Join(failed, ", "))
	}
	return out, nil
}

// WriteText writes each model's files with their digests and where the
// digest came from, then ok or FAILED with why.
func (cs ModelChecks) WriteText(w io.Writer) {
	for _, c := range cs {
		for _, f := range c.Files {
			from := "from the catalog"
			if f.Recorded {
				from = "recorded at the first download"
			}
			fmt.Fprintf(w, "  %s  %s  sha256 %s (%s)\n", f.Path, units.Bytes(f.Size), f.SHA256, from)
		}
		if c.Err != "" {
			fmt.Fprintf(w, "%s: FAILED: %s\n", c.Name, c.Err)
		} else {
			fmt.Fprintf(w, "%s: ok\n", c.Name)
		}
	}
}

// Milestone says whether p is worth a line of its own in a log after
// last: a change of phase, file or note, or another tenth done.
func (p DownloadProgress) Milestone(last DownloadProgress) bool {
	tenth := func(q DownloadProgress) int64 { return q.Done * 10 / max(q.Total, 1) }
	return p.Phase != last.Phase || p.File != last.File && p.Phase != PhaseDownloading || tenth(p) != tenth(last) || p.Note != last.Note
}
