// Command emotion-reference writes assets/emotion-reference.json: how the
// built-in emotion model's scores fall on GoEmotions dev (read in place
// from ../shared/data/goemotions or $SAMO_GOEMOTIONS_DIR, never copied),
// which the journal's emotion health compares a person's entries with, and
// a held-out sample of them with their scores and labels, on which a
// personal layer must not read other people's writing much worse.
// `make emotion-reference` runs it; the same model and texts give the same
// bytes.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/engine"
	"github.com/samojournal/samo/internal/retrieval"
	"github.com/samojournal/samo/journal"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "emotion-reference:", err)
		os.Exit(1)
	}
}

// heldOutEvery keeps every fifth text (about 1,085 of dev's 5,426) with its
// scores and labels, for the personal layer's check on other people's
// writing.
const heldOutEvery = 5

func run() error {
	out := flag.String("out", "assets/emotion-reference.json", "where to write the reference")
	flag.Parse()
	dir, err := retrieval.GoEmotionsDir()
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(dir, "dev.tsv"))
	if err != nil {
		return fmt.Errorf("GoEmotions dev (set %s): %w", retrieval.GoEmotionsEnv, err)
	}
	ex, err := emotion.ReadTSV(f)
	f.Close()
	if err != nil {
		return err
	}
	models := engine.New(engine.Config{}, nil, nil)
	defer models.Close()
	cl, err := models.Analyzer()
	if err != nil {
		return err
	}
	ref, err := emotion.BuildReference(cl, ex, journal.ReferenceBins, heldOutEvery)
	if err != nil {
		return err
	}
	data, err := json.Marshal(ref)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s %s over %d texts, no label in %.1f%%, %d held out\n", *out, ref.Model, ref.Version, ref.Texts, 100*ref.NoLabel, len(ref.HeldOut))
	return nil
}
