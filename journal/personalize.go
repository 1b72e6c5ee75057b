package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/samojournal/samo/journal/personal"
)

// A personal layer learns from the person's corrections: over the emotion
// model's 28 scores it reads each label the way this person means it (see
// journal/personal). It is stored in the journal (sealed with it when it
// is encrypted), tied to the model it was learned over, and applied on
// every reading: an entry's Emotions then hold the personal reading, with
// the model's own scores kept beside them in Base. It is learned only when
// cross-validation over the person's corrections says it helps, and the
// corrections themselves are never changed.

// Records of the personal layer.
const (
	recordLayer   = "emotion-layer"
	recordHistory = "emotion-layer-history"
)

// MinCorrections is the fewest corrected entries a personal layer is
// learned from.
const MinCorrections = 10

// PersonalizeMinGain is how much the cross-validated macro-F1 over the
// person's corrections must rise for a new layer to be applied.
const PersonalizeMinGain = 0.01

// Thresholder is an Analyzer that says the score each label needs to be
// read (the personal layer starts from them).
type Thresholder interface {
	Thresholds() []float32
}

// HeldOutReader is an Analyzer that has its scores on other people's
// writing with their own labels (for the built-in model, a sample of
// GoEmotions dev).
type HeldOutReader interface {
	HeldOut() (scores [][]float32, gold [][]int, ok bool)
}

// SafetyMargin is how much worse than the model alone (in macro-F1) a
// personal layer may read other people's writing; a layer that would read
// it worse still is not applied. The person's own way with a word shows
// there as a small loss (about 0.03 for a person who calls annoyance
// anger), a layer gone wrong as a large one.
const SafetyMargin = 0.05

// ErrNoRecords is returned when the journal's store keeps no records, so
// that nothing can be learned and kept.
var ErrNoRecords = errors.New("journal: this journal cannot keep what SAMO learns")

// storedLayer is the layer as the journal keeps it.
type storedLayer struct {
	// Name is what entries read by it carry in Emotions.Personal.
	Name string `json:"name"`
	// Model and Version are the emotion model it was learned over.
	Model   string          `json:"model"`
	Version string          `json:"version"`
	Layer   *personal.Layer `json:"layer"`
}

// personalState caches the journal's layer.
type personalState struct {
	mu     sync.Mutex
	loaded bool
	layer  *storedLayer // nil: none
}

// PersonalizeOptions ask for a re-tuning.
type PersonalizeOptions struct {
	// DryRun measures and reports, and changes nothing.
	DryRun bool
}

// PersonalReport says what a re-tuning found and did. It is kept in the
// journal's history of re-tunings (without NaN: every figure is finite).
type PersonalReport struct {
	At time.Time `json:"at"`
	// Corrections is how many corrected entries it learned from.
	Corrections int `json:"corrections"`
	// Model is the emotion model the layer reads over.
	Model string `json:"model"`
	// Before and After are the cross-validated figures over the person's
	// corrections: the model as it is, and with the layer learned from
	// the other folds.
	Before personal.Metrics `json:"before"`
	After  personal.Metrics `json:"after"`
	// Others are the figures on other people's writing (the model's
	// held-out sample), the model alone and with the layer; nil when the
	// model has none.
	Others *OthersCheck `json:"others,omitempty"`
	// Helps says whether the layer reads the corrections better than the
	// model alone (by at least 0.01 of macro-F1) while reading others'
	// writing within SafetyMargin of it; Applied whether it is now in use;
	// Reason says why not.
	Helps   bool   `json:"helps"`
	Applied bool   `json:"applied"`
	DryRun  bool   `json:"dry_run,omitempty"`
	Reset   bool   `json:"reset,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Layer names the layer applied.
	Layer string `json:"layer,omitempty"`
	// Read counts the entries the model has read; Changed those whose
	// feelings the layer reads differently; Labels what changes per label.
	Read    int           `json:"read"`
	Changed int           `json:"changed"`
	Labels  []LabelChange `json:"labels,omitempty"`
}

// OthersCheck is how a layer reads other people's writing.
type OthersCheck struct {
	Texts  int              `json:"texts"`
	Before personal.Metrics `json:"before"`
	After  personal.Metrics `json:"after"`
}

// LabelChange is how a layer changes one label's reading.
type LabelChange struct {
	Label string `json:"label"`
	// Gained and Lost count the entries that would have it and not before,
	// and the other way round.
	Gained int `json:"gained"`
	Lost   int `json:"lost"`
	// Threshold and Before are the score the label needs with the layer
	// and without it.
	Threshold float64 `json:"threshold"`
	Before    float64 `json:"before"`
}

// groupOfLabel maps a label index to its group's place in EkmanGroups.
func groupOfLabel(l int) int {
	if l < 0 || l >= len(groupIndex) {
		return -1
	}
	return groupIndex[l]
}

// records returns the store's records, or ErrNoRecords.
func (s *Service) records() (RecordStore, error) {
	r, ok := s.store.(RecordStore)
	if !ok {
		return nil, ErrNoRecords
	}
	return r, nil
}

// personalLayer returns the journal's layer for the model in use, nil when
// there is none (or it was learned over another model, or could not be
// read just now).
func (s *Service) personalLayer(ctx context.Context) *storedLayer {
	l, _ := s.currentLayer(ctx)
	return l
}

// currentLayer is personalLayer with the error of a read that failed for
// now (a stopped context, a store that could not be read): such a read is
// tried again next time, while a layer found damaged is told once and
// left unused.
func (s *Service) currentLayer(ctx context.Context) (*storedLayer, error) {
	s.personal.mu.Lock()
	defer s.personal.mu.Unlock()
	if !s.personal.loaded {
		l, err := s.loadLayer(ctx)
		if err != nil {
			return nil, err
		}
		s.personal.layer, s.personal.loaded = l, true
	}
	l := s.personal.layer
	if l == nil || s.analyzer == nil || l.Model != s.analyzer.ModelName() || l.Version != s.analyzer.ModelVersion() {
		return nil, nil
	}
	return l, nil
}

// loadLayer reads the stored layer: nil when there is none, or when it is
// damaged (told, and left unused); an error when the store could not be
// read.
func (s *Service) loadLayer(ctx context.Context) (*storedLayer, error) {
	r, err := s.records()
	if err != nil {
		return nil, nil
	}
	data, err := r.Record(ctx, recordLayer)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: read the personal layer: %w", err)
	}
	var l storedLayer
	err = json.Unmarshal(data, &l)
	if err == nil && l.Layer == nil {
		err = errors.New("no layer in it")
	}
	if err == nil {
		err = l.Layer.Check()
	}
	if err != nil {
		s.warn(fmt.Sprintf("What SAMO learned from your corrections could not be read (%v); emotions are read without it until you personalize again (samo emotions personalize).", err))
		return nil, nil
	}
	return &l, nil
}

// applyLayer makes em the personal reading of l, keeping the model's own
// scores in Base.
func applyLayer(em *Emotions, l *storedLayer) *Emotions {
	base := em.baseScores()
	out := *em
	out.Base = slices.Clone(base)
	out.Scores = l.Layer.Apply(base)
	out.Labels = labelNames(l.Layer.Decide(out.Scores))
	out.Personal = l.Name
	return &out
}

// baseScores are the model's own scores: Base under a personal layer,
// Scores without one.
func (em *Emotions) baseScores() []float32 {
	if em.Base != nil {
		return em.Base
	}
	return em.Scores
}

// modelReading is em as the model read it, without a personal layer.
func modelReading(em *Emotions, th []float32) *Emotions {
	if em.Base == nil {
		return em
	}
	out := *em
	out.Scores, out.Base, out.Personal = em.Base, nil, ""
	out.Labels = labelNames(personal.Identity(th).Decide(out.Scores))
	return &out
}

func labelNames(ls []int) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		if l >= 0 && l < len(EmotionLabels) {
			out = append(out, EmotionLabels[l])
		}
	}
	return out
}

// baseThresholds are the model's thresholds, or 0.5 for each label when
// it does not say.
func (s *Service) baseThresholds() []float32 {
	if t, ok := s.analyzer.(Thresholder); ok {
		if th := t.Thresholds(); len(th) == len(EmotionLabels) {
			return th
		}
	}
	th := make([]float32, len(EmotionLabels))
	for i := range th {
		th[i] = 0.5
	}
	return th
}

// Personalize learns a personal layer from the person's corrected entries,
// measures it by cross-validation over them, and (unless a dry run) keeps
// and applies it when it reads their corrections better than the model
// alone. Entries already saved keep their reading until the journal is
// re-read (Reanalyze), which then needs no model run for them.
func (s *Service) Personalize(ctx context.Context, opts PersonalizeOptions) (PersonalReport, error) {
	if s.analyzer == nil {
		return PersonalReport{}, errors.New("journal: personalize: no emotion model")
	}
	rec, err := s.records()
	if err != nil && !opts.DryRun {
		return PersonalReport{}, err
	}
	name, version := s.analyzer.ModelName(), s.analyzer.ModelVersion()
	rep := PersonalReport{At: s.now(), Model: name + " " + version, DryRun: opts.DryRun}
	var examples []personal.Example
	var read []Entry
	err = s.store.Each(ctx, func(e Entry) error {
		if e.Emotions == nil || e.Emotions.Model != name || e.Emotions.Version != version {
			return nil
		}
		read = append(read, e)
		if e.Corrected() {
			examples = append(examples, personal.Example{Base: e.Emotions.baseScores(), Gold: labelIndexes(e.Corrections.Labels)})
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("journal: personalize: %w", err)
	}
	rep.Corrections, rep.Read = len(examples), len(read)
	if len(examples) < MinCorrections {
		rep.Reason = fmt.Sprintf("SAMO learns from at least %d corrected entries read by this model; you have corrected %d.", MinCorrections, len(examples))
		return rep, nil
	}
	th := s.baseThresholds()
	popts := personal.Options{Seed: uint64(len(examples))}
	rep.Before, rep.After, err = personal.CrossValidate(examples, th, groupOfLabel, popts)
	if err != nil {
		return rep, fmt.Errorf("journal: personalize: %w", err)
	}
	layer, err := personal.Train(examples, th, popts)
	if err != nil {
		return rep, fmt.Errorf("journal: personalize: %w", err)
	}
	sl := &storedLayer{Name: s.nextLayerName(ctx), Model: name, Version: version, Layer: layer}
	rep.Changed, rep.Labels = changes(read, sl, th)
	rep.Before, rep.After = finiteMetrics(rep.Before), finiteMetrics(rep.After)
	rep.Others = s.othersCheck(layer, th)
	better := rep.After.MacroF1 >= rep.Before.MacroF1+PersonalizeMinGain
	safe := rep.Others == nil || rep.Others.After.MacroF1 >= rep.Others.Before.MacroF1-SafetyMargin
	rep.Helps = better && safe
	switch {
	case better && !safe:
		rep.Reason = fmt.Sprintf("What SAMO learned would read other people's writing much worse (macro-F1 %.2f with it, %.2f without, more than %.2f lower), so it is not used.",
			rep.Others.After.MacroF1, rep.Others.Before.MacroF1, SafetyMargin)
	case !rep.Helps:
		rep.Reason = fmt.Sprintf("Learning from your corrections would not read them better (macro-F1 %.2f with it, %.2f without, tested on corrections it did not learn from), so SAMO keeps reading as it does.",
			rep.After.MacroF1, rep.Before.MacroF1)
	case opts.DryRun: // it helps; a dry run changes nothing
	default:
		data, err := json.Marshal(sl)
		if err != nil {
			return rep, fmt.Errorf("journal: personalize: %w", err)
		}
		if err := rec.PutRecord(ctx, recordLayer, data); err != nil {
			return rep, fmt.Errorf("journal: personalize: keep the layer: %w", err)
		}
		s.personal.mu.Lock()
		s.personal.layer, s.personal.loaded = sl, true
		s.personal.mu.Unlock()
		rep.Applied, rep.Layer = true, sl.Name
	}
	if !opts.DryRun {
		if err := s.addHistory(ctx, rec, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// othersCheck reads the model's held-out sample of other people's writing
// with the layer and without it; nil when the model has none.
func (s *Service) othersCheck(layer *personal.Layer, th []float32) *OthersCheck {
	h, ok := s.analyzer.(HeldOutReader)
	if !ok {
		return nil
	}
	scores, gold, ok := h.HeldOut()
	if !ok || len(scores) == 0 || len(gold) != len(scores) {
		return nil
	}
	ex := make([]personal.Example, len(scores))
	for i := range scores {
		ex[i] = personal.Example{Base: scores[i], Gold: gold[i]}
	}
	identity := personal.Identity(th)
	read := func(l *personal.Layer) func([]float32) []int {
		return func(base []float32) []int { return l.Decide(l.Apply(base)) }
	}
	return &OthersCheck{Texts: len(ex),
		Before: finiteMetrics(personal.Evaluate(ex, read(identity), groupOfLabel)),
		After:  finiteMetrics(personal.Evaluate(ex, read(layer), groupOfLabel))}
}

// offerPersonalize tells the person, when their corrections reach
// MinCorrections and again each time they double, that SAMO can learn
// from them; never when a layer is in use. It counts from Memory Lane's
// index when it is built (a correction does not build it).
func (s *Service) offerPersonalize(ctx context.Context) {
	s.lane.mu.RLock()
	n := -1
	if ix := s.lane.ix; ix != nil {
		n = 0
		for i := range ix.docs {
			if ix.docs[i].id != "" && ix.docs[i].corrected {
				n++
			}
		}
	}
	s.lane.mu.RUnlock()
	if !isDoubling(n) || s.personalLayer(ctx) != nil {
		return
	}
	s.notices.Notify(fmt.Sprintf("SAMO can now learn from your %d corrections how you mean each feeling: see Settings, Learning from you (or samo emotions personalize). Nothing changes unless you ask.", n))
}

// isDoubling reports whether n is MinCorrections times a power of two.
func isDoubling(n int) bool {
	if n < MinCorrections || n%MinCorrections != 0 {
		return false
	}
	k := n / MinCorrections
	return k&(k-1) == 0
}

// ResetPersonal forgets the personal layer: entries are read by the model
// alone again (Reanalyze re-reads the saved ones). The corrections stay.
func (s *Service) ResetPersonal(ctx context.Context) (PersonalReport, error) {
	rec, err := s.records()
	if err != nil {
		return PersonalReport{}, err
	}
	if err := rec.DeleteRecord(ctx, recordLayer); err != nil {
		return PersonalReport{}, fmt.Errorf("journal: reset personalization: %w", err)
	}
	s.personal.mu.Lock()
	s.personal.layer, s.personal.loaded = nil, true
	s.personal.mu.Unlock()
	rep := PersonalReport{At: s.now(), Reset: true, Reason: "Emotions are read by the model alone again; re-reading the journal (samo reanalyze) brings past entries back to its reading."}
	if s.analyzer != nil {
		rep.Model = s.analyzer.ModelName() + " " + s.analyzer.ModelVersion()
	}
	return rep, s.addHistory(ctx, rec, rep)
}

// PersonalHistory returns every re-tuning so far, oldest first.
func (s *Service) PersonalHistory(ctx context.Context) ([]PersonalReport, error) {
	rec, err := s.records()
	if err != nil {
		return nil, nil
	}
	return readHistory(ctx, rec)
}

func readHistory(ctx context.Context, rec RecordStore) ([]PersonalReport, error) {
	data, err := rec.Record(ctx, recordHistory)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: personalization history: %w", err)
	}
	var h []PersonalReport
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("journal: personalization history: %w", err)
	}
	return h, nil
}

func (s *Service) addHistory(ctx context.Context, rec RecordStore, rep PersonalReport) error {
	h, err := readHistory(ctx, rec)
	if err != nil {
		h = nil // a damaged history is started again rather than block re-tuning
		s.warn(fmt.Sprintf("The history of re-tunings could not be read (%v); it starts again from this one.", err))
	}
	data, err := json.Marshal(append(h, rep))
	if err != nil {
		return fmt.Errorf("journal: personalization history: %w", err)
	}
	if err := rec.PutRecord(ctx, recordHistory, data); err != nil {
		return fmt.Errorf("journal: personalization history: %w", err)
	}
	return nil
}

// nextLayerName names a new layer personal-N, N one more than any layer
// named before it: in the history, or the one stored (which a damaged
// history no longer names), so that no two layers share a name.
func (s *Service) nextLayerName(ctx context.Context) string {
	n := 0
	if rec, err := s.records(); err == nil {
		h, _ := readHistory(ctx, rec)
		for _, r := range h {
			n = max(n, layerNumber(r.Layer))
		}
	}
	if l, _ := s.loadStoredName(ctx); l != "" {
		n = max(n, layerNumber(l))
	}
	return fmt.Sprintf("personal-%d", n+1)
}

// loadStoredName is the stored layer's name, whatever model it was
// learned over.
func (s *Service) loadStoredName(ctx context.Context) (string, error) {
	rec, err := s.records()
	if err != nil {
		return "", err
	}
	data, err := rec.Record(ctx, recordLayer)
	if err != nil {
		return "", err
	}
	var l struct {
		Name string `json:"name"`
	}
	return l.Name, json.Unmarshal(data, &l)
}

// layerNumber is N of a name personal-N, 0 for another name.
func layerNumber(name string) int {
	var n int
	if _, err := fmt.Sscanf(name, "personal-%d", &n); err != nil {
		return 0
	}
	return n
}

// changes counts how the layer would change the reading of the entries.
func changes(read []Entry, l *storedLayer, th []float32) (int, []LabelChange) {
	per := make([]LabelChange, len(EmotionLabels))
	for i := range per {
		per[i] = LabelChange{Label: EmotionLabels[i], Threshold: l.Layer.Thresholds[i], Before: float64(th[i])}
	}
	changed := 0
	for _, e := range read {
		before := labelIndexes(modelReading(e.Emotions, th).Labels)
		after := labelIndexes(applyLayer(e.Emotions, l).Labels)
		if !slices.Equal(before, after) {
			changed++
		}
		for _, a := range after {
			if !slices.Contains(before, a) {
				per[a].Gained++
			}
		}
		for _, b := range before {
			if !slices.Contains(after, b) {
				per[b].Lost++
			}
		}
	}
	var out []LabelChange
	for _, c := range per {
		if c.Gained+c.Lost > 0 {
			out = append(out, c)
		}
	}
	return changed, out
}

// labelIndexes are the indexes of labels in EmotionLabels, sorted.
func labelIndexes(labels []string) []int {
	var out []int
	for _, l := range labels {
		if i, ok := labelIndex[l]; ok {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// finiteMetrics replaces what is not a number by 0, so that the history is
// valid JSON.
func finiteMetrics(m personal.Metrics) personal.Metrics {
	for _, p := range []*float64{&m.MacroF1, &m.MicroF1, &m.EkmanAccuracy} {
		if math.IsNaN(*p) || math.IsInf(*p, 0) {
			*p = 0
		}
	}
	return m
}

// WriteText writes the report for a person to read.
func (r PersonalReport) WriteText(w io.Writer) {
	if r.Reset {
		fmt.Fprintln(w, r.Reason)
		return
	}
	if r.Corrections < MinCorrections {
		fmt.Fprintln(w, r.Reason)
		return
	}
	fmt.Fprintf(w, "Learned from %d of your corrected entries, over %s.\n", r.Corrections, r.Model)
	fmt.Fprintf(w, "On corrections it did not learn from: macro-F1 %.2f → %.2f, the right group of feelings %.0f%% → %.0f%% of the time.\n",
		r.Before.MacroF1, r.After.MacroF1, 100*r.Before.EkmanAccuracy, 100*r.After.EkmanAccuracy)
	if o := r.Others; o != nil {
		fmt.Fprintf(w, "On %d texts by other people: macro-F1 %.2f → %.2f (it may lose at most %.2f).\n", o.Texts, o.Before.MacroF1, o.After.MacroF1, SafetyMargin)
	}
	fmt.Fprintf(w, "%d of your %d read entries would read differently", r.Changed, r.Read)
	if len(r.Labels) > 0 {
		top := slices.Clone(r.Labels)
		slices.SortFunc(top, func(a, b LabelChange) int { return (b.Gained + b.Lost) - (a.Gained + a.Lost) })
		var parts []string
		for _, c := range top[:min(len(top), 5)] {
			parts = append(parts, fmt.Sprintf("%s +%d −%d", c.Label, c.Gained, c.Lost))
		}
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w, ".")
	if r.Applied {
		fmt.Fprintf(w, "Applied as %s: new entries are read with it; `samo reanalyze` re-reads the others. `samo emotions personalize --reset` goes back.\n", r.Layer)
		return
	}
	if r.Reason != "" {
		fmt.Fprintln(w, r.Reason)
	}
}
