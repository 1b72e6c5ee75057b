// Package emotion reads the emotions in a text: 28 GoEmotions scores, the
// labels over their tuned thresholds (with a top-k fallback, so a non-empty
// text always gets a reading), the Ekman grouping, and for each predicted
// label the words that pushed it most.
//
// It runs model bundles (see the models package) of two kinds: SAMO's own
// default model, a linear model over n-gram features whose explanations are
// its exact per-feature contributions, and BERT-family sequence
// classifiers exported to ONNX (WordPiece or byte-level BPE), explained by
// occlusion.
package emotion

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/journal"
)

// Architectures a bundle's manifest may name.
const (
	ArchNgram = "samo-ngram-linear"
	// ArchNgramEnsemble is the linear model averaged with a one-hidden-layer
	// network over the same features; it is explained by occlusion.
	ArchNgramEnsemble = "samo-ngram-ensemble"
	// ArchNgramCNN adds convolutional networks over the text's word vectors
	// to the ensemble; it takes the tokens' vector ids beside the n-gram
	// features and is explained by occlusion.
	ArchNgramCNN = "samo-ngram-cnn-ensemble"
	ArchBERT     = "bert-sequence-classification"
)

// ErrEmpty is returned for a text with nothing to read.
var ErrEmpty = errors.New("emotion: empty text")

// Reason is a word or phrase of the text and how much it pushed a label's
// logit (positive: towards the label).
type Reason struct {
	Text   string  `json:"text"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Weight float32 `json:"weight"`
}

// Label is one predicted label.
type Label struct {
	Name    string   `json:"label"`
	Score   float32  `json:"score"`
	Ekman   string   `json:"ekman"`
	Reasons []Reason `json:"reasons,omitempty"`
}

// Group is one Ekman group's score: the highest score among its labels.
type Group struct {
	Name  string  `json:"group"`
	Score float32 `json:"score"`
}

// Result is the reading of one text.
type Result struct {
	// Scores holds one probability per label in GoEmotions order.
	Scores []float32 `json:"scores"`
	// Labels are the predicted labels, highest score first.
	Labels []Label `json:"labels"`
	// Fallback is true when no label reached its threshold and Labels are
	// the top-k labels instead.
	Fallback bool `json:"fallback"`
	// Ekman holds the seven groups' scores, highest first; Groups are the
	// predicted labels' groups in the same order.
	Ekman  []Group  `json:"ekman"`
	Groups []string `json:"groups"`
}

// LabelNames returns the predicted labels' names.
func (r Result) LabelNames() []string {
	out := make([]string, len(r.Labels))
	for i, l := range r.Labels {
		out[i] = l.Name
	}
	return out
}

// backend scores texts for one kind of model.
type backend interface {
	scores(texts []string) ([][]float32, error)
	explain(text string, labels []int) ([][]Reason, error)
	provider() inference.Provider
	close() error
}

// Options tune a Classifier.
type Options struct {
	// TopK is how many labels the fallback gives when none reaches its
	// threshold; 0 means 1.
	TopK int
	// Threads is onnxruntime's intra-op thread count; 0 means 2.
	Threads int
	// BatchSize bounds the texts (or windows of a long text) an n-gram
	// model runs at once; 0 means 256. BERT-family models batch by tokens.
	BatchSize int
	// Reasons is how many words or phrases an explanation gives per label;
	// 0 means 3.
	Reasons int
	// Provider is the onnxruntime execution provider asked for; "" is auto.
	Provider inference.Provider
}

// Classifier reads emotions with one model bundle. It is safe for
// concurrent use. Close releases its onnxruntime sessions.
type Classifier struct {
	b          *models.Bundle
	be         backend
	thresholds []float32
	opts       Options
}

// Open loads the bundle's model. The bundle must be an emotion model over
// the 28 GoEmotions labels in their order; anything else is refused here,
// naming what is wrong.
func Open(rt *inference.Runtime, b *models.Bundle, opts Options) (*Classifier, error) {
	m := b.Manifest
	if m.Task != "emotion" {
		return nil, fmt.Errorf("emotion: model %s is for %q, not emotion", m.Name, m.Task)
	}
	if !slices.Equal(m.Labels, journal.EmotionLabels[:]) {
		return nil, fmt.Errorf("emotion: model %s has labels %s; want the 28 GoEmotions labels in order (%s…)",
			m.Name, strings.Join(m.Labels, ","), strings.Join(journal.EmotionLabels[:4], ","))
	}
	th := m.Thresholds
	if len(th) == 0 {
		th = make([]float32, NumLabels)
		for i := range th {
			th[i] = 0.5
		}
	}
	if opts.TopK <= 0 {
		opts.TopK = 1
	}
	if opts.Threads <= 0 {
		opts.Threads = 2
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	if opts.Reasons <= 0 {
		opts.Reasons = 3
	}
	if err := rt.Init(); err != nil {
		return nil, fmt.Errorf("emotion: %w", err)
	}
	var be backend
	var err error
	switch m.Architecture {
	case ArchNgram, ArchNgramEnsemble, ArchNgramCNN:
		be, err = openNgram(rt, b, opts, m.Architecture)
	case ArchBERT:
		be, err = openBERT(rt, b, opts)
	default:
		err = fmt.Errorf("emotion: model %s: unknown architecture %q (want %s, %s, %s or %s)", m.Name, m.Architecture, ArchNgram, ArchNgramEnsemble, ArchNgramCNN, ArchBERT)
	}
	if err != nil {
		return nil, err
	}
	return &Classifier{b: b, be: be, thresholds: th, opts: opts}, nil
}

// Bundle is the model bundle the classifier reads with.
func (c *Classifier) Bundle() *models.Bundle { return c.b }

// Provider is the execution provider the model runs on.
func (c *Classifier) Provider() inference.Provider { return c.be.provider() }

// ModelName is the model's name, for the journal's records.
func (c *Classifier) ModelName() string { return c.b.Manifest.Name }

// ModelVersion is the model's version.
func (c *Classifier) ModelVersion() string { return c.b.Manifest.Version }

// AnalyzeText reads one text into the journal's form (it makes a
// Classifier a journal.Analyzer).
func (c *Classifier) AnalyzeText(ctx context.Context, text string) (*journal.Emotions, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rs, err := c.Analyze([]string{text})
	if err != nil {
		return nil, err
	}
	return &journal.Emotions{Scores: rs[0].Scores, Labels: rs[0].LabelNames(), Model: c.ModelName(), Version: c.ModelVersion(), At: time.Now().UTC()}, nil
}

// ExplainText says, for each label read in text, the words that raised it
// most (it makes a Classifier a journal.Explainer).
func (c *Classifier) ExplainText(ctx context.Context, text string) ([]journal.Why, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := c.Explain(text)
	if err != nil {
		return nil, err
	}
	out := make([]journal.Why, len(r.Labels))
	for i, l := range r.Labels {
		out[i] = journal.Why{Label: l.Name, Score: l.Score}
		for _, x := range l.Reasons {
			out[i].Words = append(out[i].Words, journal.Push{Text: x.Text, Weight: x.Weight})
		}
	}
	return out, nil
}

// Thresholds returns the per-label thresholds in use.
func (c *Classifier) Thresholds() []float32 { return slices.Clone(c.thresholds) }

// Scores returns the 28 scores of each text, in the texts' order. The
// model batches them itself, texts of similar length together: the n-gram
// models by windows and bytes (see maxWindowBytes), BERT-family models by
// tokens (textcls).
func (c *Classifier) Scores(texts []string) ([][]float32, error) {
	return c.be.scores(texts)
}

// Analyze reads each text. An empty text is an error: there is nothing to
// read.
func (c *Classifier) Analyze(texts []string) ([]Result, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("%w (text %d)", ErrEmpty, i+1)
		}
	}
	scores, err := c.Scores(texts)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(texts))
	for i, s := range scores {
		out[i] = c.decide(s)
	}
	return out, nil
}

// Explain reads one text and gives each predicted label its reasons.
func (c *Classifier) Explain(text string) (Result, error) {
	rs, err := c.Analyze([]string{text})
	if err != nil {
		return Result{}, err
	}
	r := rs[0]
	ids := make([]int, len(r.Labels))
	for i, l := range r.Labels {
		ids[i] = slices.Index(journal.EmotionLabels[:], l.Name)
	}
	reasons, err := c.be.explain(text, ids)
	if err != nil {
		return Result{}, err
	}
	for i := range r.Labels {
		rs := reasons[i]
		slices.SortStableFunc(rs, func(a, b Reason) int { return cmpDesc(a.Weight, b.Weight) })
		var keep []Reason
		for _, x := range rs {
			if x.Weight > 0 && len(keep) < c.opts.Reasons {
				keep = append(keep, x)
			}
		}
		r.Labels[i].Reasons = keep
	}
	return r, nil
}

// Decide turns scores into a Result with the classifier's thresholds.
func (c *Classifier) decide(s []float32) Result {
	ids := Decide(s, c.thresholds, c.opts.TopK)
	r := Result{Scores: s}
	r.Fallback = s[ids[0]] < c.thresholds[ids[0]]
	seen := map[string]bool{}
	for _, l := range ids {
		name := journal.EmotionLabels[l]
		g := journal.EkmanGroup(name)
		r.Labels = append(r.Labels, Label{Name: name, Score: s[l], Ekman: g})
		if !seen[g] {
			seen[g] = true
			r.Groups = append(r.Groups, g)
		}
	}
	for _, g := range EkmanGroups {
		var best float32
		for l, name := range journal.EmotionLabels {
			if journal.EkmanGroup(name) == g {
				best = max(best, s[l])
			}
		}
		r.Ekman = append(r.Ekman, Group{Name: g, Score: best})
	}
	slices.SortStableFunc(r.Ekman, func(a, b Group) int { return cmpDesc(a.Score, b.Score) })
	return r
}

// Close releases the model.
func (c *Classifier) Close() error { return c.be.close() }
