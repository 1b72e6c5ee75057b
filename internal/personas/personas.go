// Package personas measures the personal emotion layer (journal/personal)
// on synthetic people made from GoEmotions: each persona relabels
// GoEmotions train comments the way one person would (the GoEmotions labels
// themselves, annoyance read as anger, worries merged, an idiosyncratic
// word), the built-in model scores the texts, and the package reports
// learning curves (held-out macro-F1 and Ekman accuracy after 10 to 200
// corrections, against the unpersonalised model) and a safety check (each
// persona's layer applied to GoEmotions dev with the GoEmotions labels).
//
// It holds the personas, the loading of the data, the study and its
// markdown report; the tests run it against the real built-in model.
package personas

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/internal/retrieval"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/personal"
)

// ErrNoData means the GoEmotions files are not on this machine.
var ErrNoData = errors.New("personas: no GoEmotions data")

// Corpus is the GoEmotions data the personas are made from: train for
// their entries, dev for the safety check.
type Corpus struct {
	Train, Dev []emotion.Example
}

// Load reads train.tsv and dev.tsv from the GoEmotions folder (see
// retrieval.GoEmotionsDir: $SAMO_GOEMOTIONS_DIR, or shared/data/goemotions
// beside the repository). Missing files give an error wrapping ErrNoData.
func Load() (*Corpus, error) {
	dir, err := retrieval.GoEmotionsDir()
	if err != nil {
		return nil, fmt.Errorf("personas: %w: %w", ErrNoData, err)
	}
	read := func(name string) ([]emotion.Example, error) {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("personas: %s: %w", path, ErrNoData)
		}
		if err != nil {
			return nil, fmt.Errorf("personas: %w", err)
		}
		defer f.Close()
		ex, err := emotion.ReadTSV(f)
		if err != nil {
			return nil, fmt.Errorf("personas: %s: %w", path, err)
		}
		return ex, nil
	}
	train, err := read("train.tsv")
	if err != nil {
		return nil, err
	}
	dev, err := read("dev.tsv")
	if err != nil {
		return nil, err
	}
	return &Corpus{Train: train, Dev: dev}, nil
}

// Persona is a synthetic person: how they would label a GoEmotions comment.
type Persona struct {
	Name        string
	Description string
	// Relabel gives the person's labels for a text with the GoEmotions
	// labels gold; it must not change gold.
	Relabel func(text string, gold []int) []int
	// Word, when set, is the persona's idiosyncratic word: the study
	// draws extra entries holding it and reports how often the persona's
	// label for it is read on held-out entries that hold it.
	Word  string
	Label int // the label the persona gives entries holding Word
}

func label(name string) int { return slices.Index(journal.EmotionLabels[:], name) }

// remap returns gold with each label replaced by to[label] when present,
// without repeats, in order.
func remap(gold []int, to map[int]int) []int {
	var out []int
	for _, l := range gold {
		if m, ok := to[l]; ok {
			l = m
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// Personas are the synthetic people of the study.
func Personas() []Persona {
	anger, neutral := label("anger"), label("neutral")
	word := "sick"
	wordRE := regexp.MustCompile(`(?i)\b` + word + `\b`)
	excitement := label("excitement")
	return []Persona{
		{
			Name:        "like GoEmotions",
			Description: "labels as the GoEmotions raters did (the control: personalising should not hurt)",
			Relabel:     func(_ string, gold []int) []int { return slices.Clone(gold) },
		},
		{
			Name:        "annoyance is anger",
			Description: "never says annoyance or disapproval: both are anger to them",
			Relabel: func(_ string, gold []int) []int {
				return remap(gold, map[int]int{label("annoyance"): anger, label("disapproval"): anger})
			},
		},
		{
			Name:        "merges worries",
			Description: "nervousness is fear, disappointment is sadness, and neutral only when nothing else is felt",
			Relabel: func(_ string, gold []int) []int {
				out := remap(gold, map[int]int{label("nervousness"): label("fear"), label("disappointment"): label("sadness")})
				if len(out) > 1 {
					out = slices.DeleteFunc(out, func(l int) bool { return l == neutral })
				}
				return out
			},
		},
		{
			Name:        `"sick" is excitement`,
			Description: `says "sick" for something great: every entry holding the word is excitement; others as GoEmotions`,
			Relabel: func(text string, gold []int) []int {
				if wordRE.MatchString(text) {
					return []int{excitement}
				}
				return slices.Clone(gold)
			},
			Word:  word,
			Label: excitement,
		},
	}
}

// HasWord reports whether text holds the persona's word as a whole word.
func (p Persona) HasWord(text string) bool {
	if p.Word == "" {
		return false
	}
	return regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(p.Word) + `\b`).MatchString(text)
}

// Scorer returns the built-in model's 28 scores for each text.
type Scorer func(texts []string) ([][]float32, error)

// Config sizes a study.
type Config struct {
	Ns      []int    // corrections the layer learns from, ascending
	Seeds   []uint64 // each seed draws its own entries
	HeldOut int      // held-out entries of the persona per seed
	Pool    int      // train comments drawn as the personas' entries
	Options personal.Options
}

// FullConfig is the study the report is written from.
var FullConfig = Config{Ns: []int{10, 20, 50, 100, 200}, Seeds: []uint64{1, 2, 3}, HeldOut: 500, Pool: 3000}

// Point is one persona's figures after N corrections, averaged over seeds;
// N = 0 is the built-in model.
type Point struct {
	N     int
	After personal.Metrics
	// WordRecall is, for a persona with a word, the share of held-out
	// entries holding it that the persona's label is read for.
	WordRecall float64
}

// Safety is a persona's largest layer applied to GoEmotions dev, scored
// against the GoEmotions labels.
type Safety struct {
	Before, After personal.Metrics
}

// Drop is how much macro-F1 on dev the layer lost.
func (s Safety) Drop() float64 { return s.Before.MacroF1 - s.After.MacroF1 }

// Curve is one persona's learning curve and safety figures.
type Curve struct {
	Persona Persona
	Points  []Point // Points[0] is the built-in model (N = 0)
	Safety  Safety  // the layer of the largest N, first seed
}

// groupOf maps a label to its Ekman group's place in emotion.EkmanGroups.
func groupOf(l int) int {
	if l < 0 || l >= len(journal.EmotionLabels) {
		return -1
	}
	return slices.Index(emotion.EkmanGroups, journal.EkmanGroup(journal.EmotionLabels[l]))
}

// GroupOf is the GoEmotions→Ekman grouping the study scores Ekman accuracy
// with (groups in emotion.EkmanGroups order).
func GroupOf(l int) int { return groupOf(l) }

// Run scores the corpus with score and measures every persona. The pool of
// entries is cfg.Pool train comments drawn once (plus, for a persona with a
// word, the train comments holding it); each seed shuffles a persona's
// entries into cfg.HeldOut held out and the rest to learn from.
func Run(c *Corpus, score Scorer, thresholds []float32, personas []Persona, cfg Config) ([]Curve, error) {
	if len(cfg.Ns) == 0 || len(cfg.Seeds) == 0 {
		return nil, fmt.Errorf("personas: a study needs sizes and seeds")
	}
	r := rand.New(rand.NewPCG(20240601, 7))
	perm := r.Perm(len(c.Train))
	pool := perm[:min(cfg.Pool, len(perm))]
	inPool := map[int]bool{}
	for _, i := range pool {
		inPool[i] = true
	}
	for _, p := range personas {
		for i, e := range c.Train {
			if p.Word != "" && !inPool[i] && p.HasWord(e.Text) {
				pool = append(pool, i)
				inPool[i] = true
			}
		}
	}
	texts := make([]string, len(pool))
	for j, i := range pool {
		texts[j] = c.Train[i].Text
	}
	base, err := score(texts)
	if err != nil {
		return nil, fmt.Errorf("personas: score train: %w", err)
	}
	devTexts := make([]string, len(c.Dev))
	for i, e := range c.Dev {
		devTexts[i] = e.Text
	}
	devBase, err := score(devTexts)
	if err != nil {
		return nil, fmt.Errorf("personas: score dev: %w", err)
	}
	dev := make([]personal.Example, len(c.Dev))
	for i, e := range c.Dev {
		dev[i] = personal.Example{Base: devBase[i], Gold: e.Labels}
	}
	id := personal.Identity(thresholds)
	identity := func(b []float32) []int { return id.Decide(b) }
	var out []Curve
	for _, p := range personas {
		var entries []personal.Example
		var word []bool
		for j, i := range pool {
			e := c.Train[i]
			// A persona with a word draws on the extra comments; the others
			// keep to the common pool.
			if j >= cfg.Pool && p.Word == "" {
				continue
			}
			if j >= cfg.Pool && !p.HasWord(e.Text) {
				continue
			}
			gold := p.Relabel(e.Text, e.Labels)
			if len(gold) == 0 {
				continue
			}
			entries = append(entries, personal.Example{Base: base[j], Gold: gold})
			word = append(word, p.HasWord(e.Text))
		}
		maxN := cfg.Ns[len(cfg.Ns)-1]
		if len(entries) < cfg.HeldOut+maxN {
			return nil, fmt.Errorf("personas: %s has %d entries, the study needs %d", p.Name, len(entries), cfg.HeldOut+maxN)
		}
		cur := Curve{Persona: p, Points: make([]Point, len(cfg.Ns)+1)}
		for si, seed := range cfg.Seeds {
			order := rand.New(rand.NewPCG(seed, 11)).Perm(len(entries))
			held := make([]personal.Example, cfg.HeldOut)
			heldWord := make([]bool, cfg.HeldOut)
			for k := range held {
				held[k], heldWord[k] = entries[order[k]], word[order[k]]
			}
			learn := make([]personal.Example, maxN)
			for k := range learn {
				learn[k] = entries[order[cfg.HeldOut+k]]
			}
			add(&cur.Points[0], personal.Evaluate(held, identity, groupOf), wordRecall(held, heldWord, identity, p.Label), len(cfg.Seeds))
			for ni, n := range cfg.Ns {
				opt := cfg.Options
				opt.Seed = seed
				layer, err := personal.Train(learn[:n], thresholds, opt)
				if err != nil {
					return nil, fmt.Errorf("personas: %s, %d corrections: %w", p.Name, n, err)
				}
				read := func(b []float32) []int { return layer.Decide(layer.Apply(b)) }
				add(&cur.Points[ni+1], personal.Evaluate(held, read, groupOf), wordRecall(held, heldWord, read, p.Label), len(cfg.Seeds))
				if si == 0 && ni == len(cfg.Ns)-1 {
					cur.Safety = Safety{Before: personal.Evaluate(dev, identity, groupOf), After: personal.Evaluate(dev, read, groupOf)}
				}
			}
		}
		cur.Points[0].N = 0
		for ni, n := range cfg.Ns {
			cur.Points[ni+1].N = n
		}
		out = append(out, cur)
	}
	return out, nil
}

// add accumulates one seed's figures into a point's average over k seeds.
func add(p *Point, m personal.Metrics, wr float64, k int) {
	f := 1 / float64(k)
	p.After.MacroF1 += m.MacroF1 * f
	p.After.MicroF1 += m.MicroF1 * f
	p.After.EkmanAccuracy += m.EkmanAccuracy * f
	p.After.N = m.N
	p.WordRecall += wr * f
}

// wordRecall is the share of the entries marked in has for which read
// gives label; 0 when none is marked.
func wordRecall(ex []personal.Example, has []bool, read func([]float32) []int, label int) float64 {
	n, hit := 0, 0
	for i, e := range ex {
		if has[i] {
			n++
			if slices.Contains(read(e.Base), label) {
				hit++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// Markdown writes the study as a report: one learning-curve table per
// persona and the safety table.
func Markdown(curves []Curve, cfg Config, margin float64) string {
	var b strings.Builder
	seeds := make([]string, len(cfg.Seeds))
	for i, s := range cfg.Seeds {
		seeds[i] = fmt.Sprint(s)
	}
	fmt.Fprintf(&b, "Each persona's entries are GoEmotions train comments scored by the built-in model; a layer is trained on the first N of them and read on %d held-out entries of the same persona, averaged over seeds %s. N = 0 is the built-in model. Macro-F1 is over the labels present in the held-out gold or predictions.\n\n",
		cfg.HeldOut, strings.Join(seeds, ", "))
	for _, c := range curves {
		fmt.Fprintf(&b, "### %s\n\n%s.\n\n", c.Persona.Name, c.Persona.Description)
		wordCol := c.Persona.Word != ""
		b.WriteString("| corrections | macro-F1 | micro-F1 | Ekman accuracy |")
		if wordCol {
			fmt.Fprintf(&b, " %q read as %s |", c.Persona.Word, journal.EmotionLabels[c.Persona.Label])
		}
		b.WriteString("\n|---:|---:|---:|---:|")
		if wordCol {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		for _, p := range c.Points {
			n := fmt.Sprint(p.N)
			if p.N == 0 {
				n = "0 (built-in)"
			}
			fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f |", n, p.After.MacroF1, p.After.MicroF1, p.After.EkmanAccuracy)
			if wordCol {
				fmt.Fprintf(&b, " %.2f |", p.WordRecall)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "### Safety on GoEmotions dev\n\nEach persona's layer from %d corrections (first seed) read on all %d GoEmotions dev comments, scored against the GoEmotions labels. The margin is %.2f macro-F1; the control persona must stay within it, the others differ on purpose.\n\n",
		cfg.Ns[len(cfg.Ns)-1], firstN(curves), margin)
	b.WriteString("| persona | macro-F1 built-in | macro-F1 personal | drop | micro-F1 built-in | micro-F1 personal | Ekman built-in | Ekman personal |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range curves {
		s := c.Safety
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %+.3f | %.3f | %.3f | %.3f | %.3f |\n", c.Persona.Name,
			s.Before.MacroF1, s.After.MacroF1, s.Drop(), s.Before.MicroF1, s.After.MicroF1, s.Before.EkmanAccuracy, s.After.EkmanAccuracy)
	}
	return b.String()
}

func firstN(curves []Curve) int {
	if len(curves) == 0 {
		return 0
	}
	return curves[0].Safety.Before.N
}
