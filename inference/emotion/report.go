package emotion

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/samojournal/samo/journal"
)

// Read reads one text, explained (each label's strongest words) or not.
func (c *Classifier) Read(text string, explain bool) (Result, error) {
	if explain {
		return c.Explain(text)
	}
	rs, err := c.Analyze([]string{text})
	if err != nil {
		return Result{}, err
	}
	return rs[0], nil
}

// AnalyzeLines reads one text per line from in and writes one JSON object
// per line to out (see Report); blank lines get {"error": …} so line
// numbers stay aligned, and a text that cannot be read gets its error.
// Without explain, lines are scored in batches. clean is given every line
// (numbered from 1) and returns the text to read (for instance with
// invalid UTF-8 repaired).
func (c *Classifier) AnalyzeLines(in io.Reader, out io.Writer, explain bool, clean func(line int, text string) string) error {
	read := func(text string) (Result, error) { return c.Read(text, explain) }
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), journal.MaxTextBytes+1)
	bw := bufio.NewWriter(out)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var rs []Result
		var err error
		if !explain {
			rs, err = c.Analyze(batch)
		}
		for i, text := range batch {
			var v any
			switch {
			case strings.TrimSpace(text) == "":
				v = map[string]string{"error": "empty line"}
			case explain:
				r, err := read(text)
				if err != nil {
					v = map[string]string{"error": err.Error()}
				} else {
					v = r.Report()
				}
			case err != nil:
				v = map[string]string{"error": err.Error()}
			default:
				v = rs[i].Report()
			}
			if err := enc.Encode(v); err != nil {
				return fmt.Errorf("emotion: write: %w", err)
			}
		}
		batch = batch[:0]
		return nil
	}
	for n := 1; sc.Scan(); n++ {
		line := clean(n, strings.TrimRight(sc.Text(), "\r"))
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return err
			}
			batch = append(batch, line)
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		batch = append(batch, line)
		if len(batch) == 256 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("emotion: read the texts: %w", err)
	}
	return flush()
}

// Report is the JSON form of a reading (samo analyze --json): scores by
// label name.
type Report struct {
	Labels   []Label            `json:"labels"`
	Fallback bool               `json:"fallback"`
	Groups   []string           `json:"ekman_groups"`
	Ekman    []Group            `json:"ekman"`
	Scores   map[string]float32 `json:"scores"`
}

// Report returns the reading in its JSON form.
func (r Result) Report() Report {
	o := Report{Labels: r.Labels, Fallback: r.Fallback, Groups: r.Groups, Ekman: r.Ekman, Scores: map[string]float32{}}
	for i, s := range r.Scores {
		o.Scores[journal.EmotionLabels[i]] = s
	}
	return o
}

// WriteText writes the reading for a person: a bar and a word per label,
// with the words that raised it when explained.
func (r Result) WriteText(w io.Writer) {
	for _, l := range r.Labels {
		bar := strings.Repeat("█", int(l.Score*20+0.5)) + strings.Repeat("░", 20-int(l.Score*20+0.5))
		fmt.Fprintf(w, "%-15s %s %3.0f%%  %-8s (%s)\n", l.Name, bar, l.Score*100, journal.Strength(l.Score), l.Ekman)
		for _, x := range l.Reasons {
			fmt.Fprintf(w, "    %q  +%.2f\n", x.Text, x.Weight)
		}
	}
	if r.Fallback {
		fmt.Fprintln(w, "(no emotion stood out; this is the closest reading)")
	}
}

// WriteText writes the figures and a line per label, for a person.
func (m Metrics) WriteText(w io.Writer) {
	fmt.Fprintf(w, "macro_f1 %.4f  micro_f1 %.4f  macro_precision %.4f  macro_recall %.4f  ekman_macro_f1 %.4f  texts_per_second %.0f\n",
		m.MacroF1, m.MicroF1, m.MacroPrecision, m.MacroRecall, m.EkmanMacroF1, m.TextsPerSecond)
	fmt.Fprintf(w, "%-15s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support")
	for _, l := range journal.EmotionLabels {
		p := m.PerLabel[l]
		fmt.Fprintf(w, "%-15s %9.3f %9.3f %9.3f %8d\n", l, p.Precision, p.Recall, p.F1, p.Support)
	}
}

// ReadTSVFile reads labelled examples (see ReadTSV) from a file, which must
// hold at least one.
func ReadTSVFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("labelled data: %w", err)
	}
	defer f.Close()
	ex, err := ReadTSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ex) == 0 {
		return nil, fmt.Errorf("%s holds no examples", path)
	}
	return ex, nil
}
