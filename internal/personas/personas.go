// Package personas measures the personal emotion layer (journal/personal)
// on synthetic people made from GoEmotions: each persona relabels
// GoEmotions dev comments (which the built-in model never saw in training)
// the way one person would (the GoEmotions labels
// themselves, annoyance read as anger, worries merged, an idiosyncratic
// word), the built-in model scores the texts, and the package reports
// learning curves (held-out macro-F1 and Ekman accuracy after 10 to 200
// corrections, against the unpersonalised model) and a safety check (each
// persona's layer applied, with the GoEmotions labels, to the other half of
// dev, which no persona draws on).
//
// It holds the personas, the loading of the data, the study and its
// markdown report; the tests run it against the real built-in model.
package personas

import (
	"errors"
	"fmt"
	"hash/fnv"
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

// Corpus is the GoEmotions data the personas are made from: dev, which the
// built-in model was not trained on, split by Split into the personas' pool
// and the safety half.
type Corpus struct {
	Dev []emotion.Example
}

// InPool reports whether a dev comment belongs to the personas' pool (true)
// or to the safety half (false). The split is fixed by the comment's id:
// the parity of its FNV-1a hash, so it does not depend on the file's order
// or on the study's seeds. A comment without an id is placed by its text.
func InPool(e emotion.Example) bool {
	h := fnv.New32a()
	key := e.ID
	if key == "" {
		key = e.Text
	}
	h.Write([]byte(key))
	return h.Sum32()%2 == 0
}

// Split returns the indexes into c.Dev of the personas' pool and of the
// safety half (see InPool), each in file order.
func (c *Corpus) Split() (pool, safety []int) {
	for i, e := range c.Dev {
		if InPool(e) {
			pool = append(pool, i)
		} else {
			safety = append(safety, i)
		}
	}
	return pool, safety
}

// Load reads dev.tsv from the GoEmotions folder (see
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
	dev, err := read("dev.tsv")
	if err != nil {
		return nil, err
	}
	return &Corpus{Dev: dev}, nil
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
	// Pool is how many comments of the pool half are drawn as the
	// personas' entries; 0 or more than the half holds means all of it.
	Pool    int
	Options personal.Options
}

// FullConfig is the study the report is written from.
var FullConfig = Config{Ns: []int{10, 20, 50, 100, 200}, Seeds: []uint64{1, 2, 3}, HeldOut: 500}

// Point is one persona's figures after N corrections, averaged over seeds;
// N = 0 is the built-in model.
type Point struct {
	N     int
	After personal.Metrics
	// Decided is what the person gets as SAMO decides: the layer when its
	// cross-validation over the N corrections shows a gain of at least
	// journal.PersonalizeMinGain, else the built-in model; Applied is the
	// share of seeds where the layer was used.
	Decided personal.Metrics
	Applied float64
	// WordRecall is, for a persona with a word, the share of held-out
	// entries holding it that the persona's label is read for.
	WordRecall float64
}

// Safety is a persona's largest layer applied to the safety half of
// GoEmotions dev, scored against the GoEmotions labels.
type Safety struct {
	Before, After personal.Metrics
}

// Drop is how much macro-F1 on the safety half the layer lost.
func (s Safety) Drop() float64 { return s.Before.MacroF1 - s.After.MacroF1 }

// Curve is one persona's learning curve and safety figures.
type Curve struct {
	Persona Persona
	Points  []Point // Points[0] is the built-in model (N = 0)
	Safety  Safety  // the layer of the largest N, first seed
	// PoolSize is the number of dev comments in the personas' pool half.
	PoolSize int
}

// groupOf maps a label to its Ekman group's place in emotion.EkmanGroups.
func groupOf(l int) int {
	if l < 0 || l >= len(journal.EmotionLabels) {
		return -1
	}
	return slices.Index(emotion.EkmanGroups, journal.EkmanGroup(journal.EmotionLabels[l]))
}

// Run scores the corpus with score and measures every persona. The
// personas' entries come from the pool half of dev (see Corpus.Split):
// cfg.Pool of its comments drawn once, or all of them, plus, for a persona
// with a word, the pool comments holding it; each seed shuffles a
// persona's entries into cfg.HeldOut held out and the rest to learn from.
// At each seed the built-in model and the layers of every size are scored
// together with personal.Compare, so that their macro-F1 is over the same
// labels. The safety check reads the other half.
func Run(c *Corpus, score Scorer, thresholds []float32, personas []Persona, cfg Config) ([]Curve, error) {
	if len(cfg.Ns) == 0 || len(cfg.Seeds) == 0 {
		return nil, fmt.Errorf("personas: a study needs sizes and seeds")
	}
	half, safetyIdx := c.Split()
	pool := half
	if cfg.Pool > 0 && cfg.Pool < len(half) {
		r := rand.New(rand.NewPCG(20240601, 7))
		perm := r.Perm(len(half))
		pool = make([]int, cfg.Pool)
		for j := range pool {
			pool[j] = half[perm[j]]
		}
	}
	common := len(pool)
	inPool := map[int]bool{}
	for _, i := range pool {
		inPool[i] = true
	}
	for _, p := range personas {
		for _, i := range half {
			if p.Word != "" && !inPool[i] && p.HasWord(c.Dev[i].Text) {
				pool = append(pool, i)
				inPool[i] = true
			}
		}
	}
	texts := make([]string, len(pool))
	for j, i := range pool {
		texts[j] = c.Dev[i].Text
	}
	base, err := score(texts)
	if err != nil {
		return nil, fmt.Errorf("personas: score the pool: %w", err)
	}
	safetyTexts := make([]string, len(safetyIdx))
	for j, i := range safetyIdx {
		safetyTexts[j] = c.Dev[i].Text
	}
	safetyBase, err := score(safetyTexts)
	if err != nil {
		return nil, fmt.Errorf("personas: score the safety half: %w", err)
	}
	safety := make([]personal.Example, len(safetyIdx))
	for j, i := range safetyIdx {
		safety[j] = personal.Example{Base: safetyBase[j], Gold: c.Dev[i].Labels}
	}
	id := personal.Identity(thresholds)
	identity := func(b []float32) []int { return id.Decide(b) }
	var out []Curve
	for _, p := range personas {
		var entries []personal.Example
		var word []bool
		for j, i := range pool {
			e := c.Dev[i]
			// A persona with a word draws on the extra comments; the others
			// keep to the common pool.
			if j >= common && (p.Word == "" || !p.HasWord(e.Text)) {
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
		cur := Curve{Persona: p, Points: make([]Point, len(cfg.Ns)+1), PoolSize: len(half)}
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
			readers := []func([]float32) []int{identity}
			decided := []func([]float32) []int{identity}
			for ni, n := range cfg.Ns {
				opt := cfg.Options
				opt.Seed = seed
				layer, err := personal.Train(learn[:n], thresholds, opt)
				if err != nil {
					return nil, fmt.Errorf("personas: %s, %d corrections: %w", p.Name, n, err)
				}
				read := func(b []float32) []int { return layer.Decide(layer.Apply(b)) }
				readers = append(readers, read)
				before, after, err := personal.CrossValidate(learn[:n], thresholds, groupOf, opt)
				if err != nil {
					return nil, fmt.Errorf("personas: %s, %d corrections: %w", p.Name, n, err)
				}
				if after.MacroF1 >= before.MacroF1+journal.PersonalizeMinGain {
					decided = append(decided, read)
					cur.Points[ni+1].Applied += 1 / float64(len(cfg.Seeds))
				} else {
					decided = append(decided, identity)
				}
			}
			all := personal.Compare(held, groupOf, append(slices.Clone(readers), decided[1:]...)...)
			for ri, m := range all[:len(readers)] {
				add(&cur.Points[ri], m, wordRecall(held, heldWord, readers[ri], p.Label), len(cfg.Seeds))
			}
			addDecided(&cur.Points[0], all[0], len(cfg.Seeds))
			for ri, m := range all[len(readers):] {
				addDecided(&cur.Points[ri+1], m, len(cfg.Seeds))
			}
			if si == 0 {
				m := personal.Compare(safety, groupOf, identity, readers[len(readers)-1])
				cur.Safety = Safety{Before: m[0], After: m[1]}
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

// addDecided accumulates one seed's figures as SAMO decides.
func addDecided(p *Point, m personal.Metrics, k int) {
	f := 1 / float64(k)
	p.Decided.MacroF1 += m.MacroF1 * f
	p.Decided.MicroF1 += m.MicroF1 * f
	p.Decided.EkmanAccuracy += m.EkmanAccuracy * f
	p.Decided.N = m.N
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
	pool, safety := poolSizes(curves)
	fmt.Fprintf(&b, "GoEmotions dev (%d comments) is split in two by the parity of the FNV-1a hash of each comment's id: a pool of %d comments the personas' entries are drawn from, and a safety half of %d that no persona sees. The built-in model was trained on GoEmotions train only, so no persona text, learned from or held out, was seen in its training.\n\n",
		pool+safety, pool, safety)
	fmt.Fprintf(&b, "Each persona's entries are pool comments, labelled as the persona would and scored by the built-in model; a layer is trained on the first N of them and read on %d held-out entries of the same persona, averaged over seeds %s. N = 0 is the built-in model. At each seed the built-in model and the layers are scored together: macro-F1 is over the labels present in the held-out gold or in any of their predictions, a label a reader neither offered nor missed counting 1 for it.\n\n",
		cfg.HeldOut, strings.Join(seeds, ", "))
	fmt.Fprintf(&b, "The first three figures are the layer itself; \"as SAMO decides\" is what the person gets: SAMO uses the layer only when cross-validation over the same N corrections shows a macro-F1 gain of at least %.2f (as `samo emotions personalize` does; it also checks other people's writing), else keeps the built-in model. \"Layer used\" is the share of seeds where it did.\n\n",
		journal.PersonalizeMinGain)
	for _, c := range curves {
		fmt.Fprintf(&b, "### %s\n\n%s.\n\n", c.Persona.Name, c.Persona.Description)
		wordCol := c.Persona.Word != ""
		b.WriteString("| corrections | macro-F1 | micro-F1 | Ekman accuracy | as SAMO decides: macro-F1 | micro-F1 | Ekman | layer used |")
		if wordCol {
			fmt.Fprintf(&b, " %q read as %s |", c.Persona.Word, journal.EmotionLabels[c.Persona.Label])
		}
		b.WriteString("\n|---:|---:|---:|---:|---:|---:|---:|---:|")
		if wordCol {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		for _, p := range c.Points {
			n := fmt.Sprint(p.N)
			if p.N == 0 {
				n = "0 (built-in)"
			}
			fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f%% |", n, p.After.MacroF1, p.After.MicroF1, p.After.EkmanAccuracy,
				p.Decided.MacroF1, p.Decided.MicroF1, p.Decided.EkmanAccuracy, 100*p.Applied)
			if wordCol {
				fmt.Fprintf(&b, " %.2f |", p.WordRecall)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "### Safety on the other half of GoEmotions dev\n\nEach persona's layer from %d corrections (first seed) read on the %d comments of the safety half, scored against the GoEmotions labels. The margin is %.2f macro-F1; the control persona must stay within it, the others differ on purpose.\n\n",
		cfg.Ns[len(cfg.Ns)-1], safety, margin)
	b.WriteString("| persona | macro-F1 built-in | macro-F1 personal | drop | micro-F1 built-in | micro-F1 personal | Ekman built-in | Ekman personal |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range curves {
		s := c.Safety
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %+.3f | %.3f | %.3f | %.3f | %.3f |\n", c.Persona.Name,
			s.Before.MacroF1, s.After.MacroF1, s.Drop(), s.Before.MicroF1, s.After.MicroF1, s.Before.EkmanAccuracy, s.After.EkmanAccuracy)
	}
	return b.String()
}

// poolSizes are the sizes of the pool and safety halves of the curves'
// corpus, as Run recorded them.
func poolSizes(curves []Curve) (pool, safety int) {
	if len(curves) == 0 {
		return 0, 0
	}
	return curves[0].PoolSize, curves[0].Safety.Before.N
}
