package personas

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/samojournal/samo/assets"
	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/inferencetest"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/internal/retrieval"
)

var ort inferencetest.Shared

func TestMain(m *testing.M) { ort.Main(m) }

// The guard's margins, set a little under what the guard measures (one
// seed, all 2737 pool comments, 500 held out; safety on the 2689 comments
// of the safety half).
const (
	// SafetyMargin is the most macro-F1 on the safety half the control
	// persona's layer may lose (measured: 0.505 → 0.496, a drop of 0.009).
	SafetyMargin = 0.03
	// AngerGain and AngerMicroGain are how much held-out macro-F1 and
	// micro-F1 the "annoyance is anger" persona must gain from 200
	// corrections (measured: 0.490 → 0.565, +0.075, and 0.563 → 0.595,
	// +0.032).
	AngerGain      = 0.05
	AngerMicroGain = 0.02
)

// OutEnv names the file the opt-in study writes its markdown report to,
// relative to the repository root unless absolute.
const OutEnv = "SAMO_PERSONAS_OUT"

// builtIn opens the built-in emotion model on the real onnxruntime (the
// test fails without it: `make deps` installs it) and loads the GoEmotions
// data (the test is skipped without it).
func builtIn(t *testing.T) (*Corpus, Scorer, []float32) {
	t.Helper()
	c, err := Load()
	if errors.Is(err, ErrNoData) {
		t.Skipf("GoEmotions train and dev are needed (set %s): %v", retrieval.GoEmotionsEnv, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := models.OpenFS(assets.EmotionModel())
	if err != nil {
		t.Fatal(err)
	}
	cl, err := emotion.Open(ort.Runtime(t), bundle, emotion.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return c, cl.Scores, cl.Thresholds()
}

func byName(curves []Curve, name string) *Curve {
	for i := range curves {
		if curves[i].Persona.Name == name {
			return &curves[i]
		}
	}
	return nil
}

// TestGuard runs a small study in the normal suite: one seed, 50 and 200
// corrections, three personas.
func TestGuard(t *testing.T) {
	c, score, th := builtIn(t)
	cfg := Config{Ns: []int{50, 200}, Seeds: []uint64{1}, HeldOut: 500}
	curves, err := Run(c, score, th, Personas()[:3], cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", Markdown(curves, cfg, SafetyMargin))
	anger := byName(curves, "annoyance is anger")
	before, after := anger.Points[0].After.MacroF1, anger.Points[len(anger.Points)-1].After.MacroF1
	if after < before+AngerGain {
		t.Errorf("annoyance is anger: held-out macro-F1 %.3f → %.3f after 200 corrections, want a gain of %.2f", before, after, AngerGain)
	}
	mb, ma := anger.Points[0].After.MicroF1, anger.Points[len(anger.Points)-1].After.MicroF1
	if ma < mb+AngerMicroGain {
		t.Errorf("annoyance is anger: held-out micro-F1 %.3f → %.3f after 200 corrections, want a gain of %.3f", mb, ma, AngerMicroGain)
	}
	control := byName(curves, "like GoEmotions")
	if d := control.Safety.Drop(); d > SafetyMargin {
		t.Errorf("like GoEmotions: macro-F1 on dev fell by %.3f (%.3f → %.3f), more than %.2f", d, control.Safety.Before.MacroF1, control.Safety.After.MacroF1, SafetyMargin)
	}
}

// TestLearningCurves writes the full study as markdown to $SAMO_PERSONAS_OUT:
//
//	SAMO_PERSONAS_OUT=docs/personas.md go test -run TestLearningCurves ./internal/personas
func TestLearningCurves(t *testing.T) {
	out := os.Getenv(OutEnv)
	if out == "" {
		t.Skipf("the full study writes its report to $%s", OutEnv)
	}
	c, score, th := builtIn(t)
	curves, err := Run(c, score, th, Personas(), FullConfig)
	if err != nil {
		t.Fatal(err)
	}
	md := Markdown(curves, FullConfig, SafetyMargin)
	t.Logf("\n%s", md)
	if !filepath.IsAbs(out) {
		root, err := repoRoot()
		if err != nil {
			t.Fatal(err)
		}
		out = filepath.Join(root, out)
	}
	if err := os.WriteFile(out, []byte(report(md)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// report wraps the study's tables in the document's text.
func report(tables string) string {
	return "# Personal layer: learning curves on synthetic personas\n\n" +
		"Written by `SAMO_PERSONAS_OUT=docs/personas.md go test -run TestLearningCurves ./internal/personas`.\n\n" +
		tables + `
### Reading

- No persona text was seen in training: the entries are GoEmotions dev comments, and the built-in model reads them as it reads new text (macro-F1 about 0.48 to 0.53 here, 0.50 on the safety half), not as it reads its own training comments (about 0.71).
- The layer learns a habit that the scores carry: "annoyance is anger" gains about 0.04 macro-F1 and 0.03 micro-F1 by 200 corrections, mostly by no longer offering annoyance and disapproval; on the way (50 to 100 corrections) its macro-F1 wavers by a few hundredths while micro-F1 rises. Ekman accuracy does not rise for it (annoyance and anger were one group already).
- Where the person labels as GoEmotions does, or where the habit is spread thin over several labels ("merges worries"), 200 corrections do not help: macro-F1 falls by up to about 0.02 and micro-F1 stays within 0.01 of the built-in model. Each label keeps the identity unless a fit beats it on held-out corrections, but with a few hundred corrections and 28 labels some fits still win by chance.
- As SAMO decides (the layer used only when cross-validation over the same corrections shows a gain), the control and "sick" personas keep the built-in model's figures at 100 and 200 corrections, and "annoyance is anger" keeps most of its gain at 200 (about +0.03 macro-F1). Cross-validation over tens of corrections is noisy: at 50 to 100 corrections it sometimes lets in a layer that reads a little worse (by up to about 0.02), and sometimes keeps out one that would help.
- It does not learn a word: the layer sees only the 28 scores, not the text, and the scores of comments holding "sick" do not set them apart, so the persona's label is never read for them. Learning words needs features of the text, which this layer does not have.
- Safety: on the safety half with the GoEmotions labels the control persona's layer stays within the margin; "annoyance is anger", whose labels differ on purpose, loses about 0.035 macro-F1 there, which is the point of it.
`
}

// repoRoot is the nearest folder above the working directory with go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
