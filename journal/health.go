package journal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/samojournal/samo/journal/personal"
)

// The emotion model's health is watched on the device, for one person: how
// often they correct each label, how the model's scores on their entries
// differ from its scores on the texts it was tuned on, how often it finds
// no feeling at all, and how long it takes. When one of them crosses its
// threshold, the Service suggests personalizing.

// ScoreReference is an Analyzer that knows how its scores fall on the texts
// it was tuned on.
type ScoreReference interface {
	// Reference returns, per label, the share of those texts in each of
	// ReferenceBins equal bins of [0, 1], and the share where no label
	// reached its threshold; ok is false when it has none.
	Reference() (hist [][]float64, noLabel float64, ok bool)
}

// ReferenceBins is how many equal bins of [0, 1] a score histogram has.
const ReferenceBins = 10

// The thresholds health suggests personalizing at.
const (
	// DriftThreshold is the population stability index above which the
	// scores on the person's entries are said to have shifted from those
	// on the model's own texts (the usual reading: below 0.1 stable, 0.1 to
	// 0.25 moderate, above 0.25 shifted).
	DriftThreshold = 0.25
	// CorrectedThreshold is the share of the entries read in which a label
	// is corrected (added or removed) that calls for personalizing, once
	// it was corrected at least minLabelCorrections times.
	CorrectedThreshold  = 0.10
	minLabelCorrections = 5
	// NoLabelThreshold is the share of entries where no label reached its
	// threshold that calls for it.
	NoLabelThreshold = 0.30
	// minDriftEntries is the fewest entries drift is measured on.
	minDriftEntries = 30
)

// Health is the emotion model's health on this person's journal.
type Health struct {
	Model string `json:"model"`
	// Entries counts the entries the model in use has read; Corrected
	// those the person corrected.
	Entries   int `json:"entries"`
	Corrected int `json:"corrected"`
	// Labels are the labels, the most corrected first.
	Labels []LabelHealth `json:"labels"`
	// NoLabel is the share of entries where no label reached its threshold
	// (the model's own scores); ReferenceNoLabel the same on its own texts.
	NoLabel          float64  `json:"no_label"`
	ReferenceNoLabel *float64 `json:"reference_no_label,omitempty"`
	// Drift compares the scores on the person's entries with those on the
	// model's own texts; nil without a reference or with too few entries.
	Drift *Drift `json:"drift,omitempty"`
	// Latency is how long the model takes to read one entry.
	Latency Latency `json:"latency"`
	// Personal names the personal layer in use ("" none).
	Personal string `json:"personal,omitempty"`
	// Suggestions say what to do, in a sentence each.
	Suggestions []string `json:"suggestions"`
}

// LabelHealth is one label's health.
type LabelHealth struct {
	Label string `json:"label"`
	// Added and Removed count the entries where the person added the label
	// to the model's reading, or took it away; Rate is their sum over the
	// entries read.
	Added   int     `json:"added"`
	Removed int     `json:"removed"`
	Rate    float64 `json:"rate"`
	// PSI is the drift of its scores (0 without a reference).
	PSI float64 `json:"psi"`
}

// Drift is the population stability index of the model's scores on the
// person's entries against its own texts, per label and over all.
type Drift struct {
	// PSI is the mean over the labels; Max the largest, of MaxLabel.
	PSI       float64 `json:"psi"`
	Max       float64 `json:"max"`
	MaxLabel  string  `json:"max_label"`
	Threshold float64 `json:"threshold"`
	Shifted   bool    `json:"shifted"`
}

// Latency is the time the model takes to read an entry, over the last
// readings (a few trial readings when none was made yet).
type Latency struct {
	P50     time.Duration `json:"p50_ns"`
	P95     time.Duration `json:"p95_ns"`
	Samples int           `json:"samples"`
}

// latencies keeps the durations of the last readings.
type latencies struct {
	mu   sync.Mutex
	last []time.Duration
	next int
}

// keptLatencies is how many readings' durations are kept.
const keptLatencies = 200

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.last) < keptLatencies {
		l.last = append(l.last, d)
		return
	}
	l.last[l.next] = d
	l.next = (l.next + 1) % keptLatencies
}

func (l *latencies) summary() Latency {
	l.mu.Lock()
	ds := slices.Clone(l.last)
	l.mu.Unlock()
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	return Latency{P50: ds[len(ds)/2], P95: ds[min(len(ds)-1, len(ds)*95/100)], Samples: len(ds)}
}

// probeText is what the model reads to time itself when it has read
// nothing yet.
const probeText = "Went for a long walk after work; still a little anxious about tomorrow, but the evening light helped."

// EmotionHealth measures the emotion model's health on the journal.
func (s *Service) EmotionHealth(ctx context.Context) (Health, error) {
	if s.analyzer == nil {
		return Health{}, errors.New("journal: emotion health: no emotion model")
	}
	name, version := s.analyzer.ModelName(), s.analyzer.ModelVersion()
	h := Health{Model: name + " " + version}
	if l := s.personalLayer(ctx); l != nil {
		h.Personal = l.Name
	}
	th := s.baseThresholds()
	added, removed := make([]int, len(EmotionLabels)), make([]int, len(EmotionLabels))
	hist := make([][]float64, len(EmotionLabels))
	for i := range hist {
		hist[i] = make([]float64, ReferenceBins)
	}
	noLabel := 0
	err := s.store.Each(ctx, func(e Entry) error {
		em := e.Emotions
		if em == nil || em.Model != name || em.Version != version {
			return nil
		}
		h.Entries++
		none := true
		for i, x := range em.baseScores() {
			hist[i][min(ReferenceBins-1, int(float64(x)*ReferenceBins))]++
			if x >= th[i] {
				none = false
			}
		}
		if none {
			noLabel++
		}
		if e.Corrected() {
			h.Corrected++
			read, want := labelIndexes(em.Labels), labelIndexes(e.Corrections.Labels)
			for _, l := range want {
				if !slices.Contains(read, l) {
					added[l]++
				}
			}
			for _, l := range read {
				if !slices.Contains(want, l) {
					removed[l]++
				}
			}
		}
		return nil
	})
	if err != nil {
		return h, fmt.Errorf("journal: emotion health: %w", err)
	}
	for i, l := range EmotionLabels {
		lh := LabelHealth{Label: l, Added: added[i], Removed: removed[i]}
		if h.Entries > 0 {
			lh.Rate = float64(added[i]+removed[i]) / float64(h.Entries)
		}
		h.Labels = append(h.Labels, lh)
	}
	if h.Entries > 0 {
		h.NoLabel = float64(noLabel) / float64(h.Entries)
	}
	if ref, refNone, ok := s.reference(); ok {
		h.ReferenceNoLabel = &refNone
		if h.Entries >= minDriftEntries {
			h.Drift = drift(ref, hist, h.Labels)
		}
	}
	h.Latency = s.latency.summary()
	if h.Latency.Samples == 0 {
		for range 3 {
			t := time.Now()
			if _, err := s.analyzer.AnalyzeText(ctx, probeText); err != nil {
				break
			}
			s.latency.add(time.Since(t))
		}
		h.Latency = s.latency.summary()
	}
	slices.SortStableFunc(h.Labels, func(a, b LabelHealth) int { return cmp.Compare(b.Rate, a.Rate) })
	h.Suggestions = suggestions(h)
	return h, nil
}

// reference is the analyzer's score reference, checked.
func (s *Service) reference() ([][]float64, float64, bool) {
	r, ok := s.analyzer.(ScoreReference)
	if !ok {
		return nil, 0, false
	}
	hist, none, ok := r.Reference()
	if !ok || len(hist) != len(EmotionLabels) {
		return nil, 0, false
	}
	for _, h := range hist {
		if len(h) != ReferenceBins {
			return nil, 0, false
		}
	}
	return hist, none, true
}

// drift compares the person's histograms (counts) with the reference
// (shares), label by label, and notes each label's PSI.
func drift(ref, counts [][]float64, labels []LabelHealth) *Drift {
	d := &Drift{Threshold: DriftThreshold}
	for i := range counts {
		psi := personal.PSI(ref[i], counts[i]) // PSI takes counts as they are
		if math.IsNaN(psi) || math.IsInf(psi, 0) {
			continue
		}
		labels[i].PSI = psi
		d.PSI += psi / float64(len(counts))
		if psi > d.Max {
			d.Max, d.MaxLabel = psi, EmotionLabels[i]
		}
	}
	d.Shifted = d.PSI > DriftThreshold
	return d
}

// suggestions say what the health calls for.
func suggestions(h Health) []string {
	var out []string
	enough := h.Corrected >= MinCorrections
	act := "personalize? (samo emotions personalize, or Settings)"
	if !enough {
		act = fmt.Sprintf("correct the feelings of a few more entries (%d of the %d SAMO needs) and it can learn from them.", h.Corrected, MinCorrections)
	}
	for _, l := range h.Labels {
		if l.Rate >= CorrectedThreshold && l.Added+l.Removed >= minLabelCorrections {
			out = append(out, fmt.Sprintf("%s is corrected in %.0f%% of your entries: %s", l.Label, 100*l.Rate, act))
		}
	}
	if d := h.Drift; d != nil && d.Shifted {
		out = append(out, fmt.Sprintf("Your entries read differently from the texts the model learned from (drift %.2f, above %.2f; most in %s): %s", d.PSI, d.Threshold, d.MaxLabel, act))
	}
	if h.Entries >= minDriftEntries && h.NoLabel >= NoLabelThreshold {
		out = append(out, fmt.Sprintf("In %.0f%% of your entries no feeling reached its threshold: %s", 100*h.NoLabel, act))
	}
	return out
}

// WriteText writes the health for a person to read.
func (h Health) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Model: %s", h.Model)
	if h.Personal != "" {
		fmt.Fprintf(w, ", with %s (learned from your corrections)", h.Personal)
	}
	fmt.Fprintf(w, "\nEntries read: %d, corrected: %d\n", h.Entries, h.Corrected)
	fmt.Fprintf(w, "No feeling found: %.0f%% of entries", 100*h.NoLabel)
	if h.ReferenceNoLabel != nil {
		fmt.Fprintf(w, " (%.0f%% on the model's own texts)", 100**h.ReferenceNoLabel)
	}
	fmt.Fprintln(w)
	if d := h.Drift; d != nil {
		state := "stable"
		switch {
		case d.Shifted:
			state = "shifted"
		case d.PSI > 0.1:
			state = "moderate"
		}
		fmt.Fprintf(w, "Drift from the model's own texts: PSI %.3f (%s; shifted above %.2f), most in %s (%.3f)\n", d.PSI, state, d.Threshold, d.MaxLabel, d.Max)
	} else {
		fmt.Fprintf(w, "Drift: not measured (it needs the model's reference and %d entries)\n", minDriftEntries)
	}
	fmt.Fprintf(w, "Latency: %s median, %s p95 (%d readings)\n", h.Latency.P50.Round(time.Microsecond), h.Latency.P95.Round(time.Microsecond), h.Latency.Samples)
	shown := false
	for _, l := range h.Labels {
		if l.Added+l.Removed == 0 {
			continue
		}
		if !shown {
			fmt.Fprintln(w, "Corrected most:")
			shown = true
		}
		fmt.Fprintf(w, "  %-15s %3.0f%% of entries (added %d, removed %d)\n", l.Label, 100*l.Rate, l.Added, l.Removed)
	}
	for _, sg := range h.Suggestions {
		fmt.Fprintf(w, "→ %s\n", sg)
	}
}
