// Command train-emotions trains SAMO's default emotion model on GoEmotions
// and writes it as a model bundle: an int8 ONNX graph, its n-gram
// vocabulary, the manifest with per-label thresholds, and a training
// report. `make train-emotions` runs it; `make train-emotions ARGS=--dev`
// runs the quick mode.
//
// Everything it chooses (hyper-parameters, the number of iterations, the
// thresholds) is chosen on the training split by cross-validation; the dev
// split is only scored, at the end, for the report.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/internal/emotiontrain"
	"github.com/samojournal/samo/internal/glove"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "train-emotions:", err)
		os.Exit(1)
	}
}

// report is the training report written beside the model.
type report struct {
	Model      string                   `json:"model"`
	Version    string                   `json:"version"`
	Mode       string                   `json:"mode"`
	Dataset    dataset                  `json:"dataset"`
	Vectors    *vectors                 `json:"vectors,omitempty"`
	Options    emotiontrain.Options     `json:"options"`
	Selection  []emotiontrain.Candidate `json:"selection,omitempty"`
	Iterations []int                    `json:"iterations"`
	// CVMacroF1 and CV are out-of-fold figures with the shipped
	// (balanced) thresholds; reports before model version 3 gave them
	// with per-label F1-best thresholds, as CVPerLabel is now.
	CVMacroF1 float64         `json:"cv_macro_f1"`
	CV        emotion.Metrics `json:"cv"`
	// CVPerLabel is the out-of-fold figure with each label's F1-best
	// threshold, before the balanced tuning that gives the shipped ones.
	CVPerLabel emotion.Metrics `json:"cv_per_label_thresholds"`
	// NetWeight is the network's share of the shipped scores, NetEpochs
	// the folds' best network epochs (the median is used on all of train).
	NetWeight float32 `json:"net_weight,omitempty"`
	NetEpochs []int   `json:"net_epochs,omitempty"`
	// CNNWeight is the convolutional networks' share of the shipped
	// scores, CNNEpochs each fold network's best epoch.
	CNNWeight  float32                    `json:"cnn_weight,omitempty"`
	CNNEpochs  []int                      `json:"cnn_epochs,omitempty"`
	Thresholds map[string]float32         `json:"thresholds"`
	Features   int                        `json:"features"`
	History    []emotiontrain.EpochRecord `json:"history"`
	// Dev holds the dev split's scores of the int8 bundle and of the same
	// model in fp32, both run through onnxruntime.
	Dev          map[string]emotion.Metrics `json:"dev"`
	TrainSeconds float64                    `json:"train_seconds"`
	BundleBytes  int64                      `json:"bundle_bytes"`
	GoVersion    string                     `json:"go_version"`
	CPUs         int                        `json:"cpus"`
}

type dataset struct {
	Dir         string         `json:"dir"`
	TrainSHA256 string         `json:"train_sha256"`
	DevSHA256   string         `json:"dev_sha256"`
	TrainRows   int            `json:"train_rows"`
	TrainKept   int            `json:"train_kept"`
	Removed     map[string]int `json:"removed"`
	DevRows     int            `json:"dev_rows"`
}

type vectors struct {
	Path  string `json:"path"`
	Words int    `json:"words"`
	Dim   int    `json:"dim"`
}

func run() error {
	data := flag.String("data", envOr("SAMO_GOEMOTIONS_DIR", filepath.Join("..", "shared", "data", "goemotions")), "folder with GoEmotions train.tsv and dev.tsv (or set SAMO_GOEMOTIONS_DIR)")
	out := flag.String("out", filepath.Join("assets", "emotion"), "bundle folder to write (int8)")
	fp32Out := flag.String("fp32-out", filepath.Join(".cache", "emotion-fp32"), "folder for the fp32 twin, for comparison")
	dev := flag.Bool("dev", false, "quick mode: a 5% subset of train, fewer folds and iterations (under 2 minutes)")
	sel := flag.Bool("select", false, "choose each label's L2 strength and balance again on a holdout of train (the defaults are the values it chose; about 15 minutes)")
	vecPath := flag.String("vectors", filepath.Join(".cache", "glove", "glove-100d-100k.bin"), "GloVe table made by scripts/fetch-glove.sh; empty for none")
	vecWords := flag.Int("vector-words", 30000, "most frequent words given a word-vector feature")
	mlpHidden := flag.Int("mlp-hidden", 64, "hidden units of the network")
	withNet := flag.Bool("mlp", true, "train a one-hidden-layer network beside the linear model and ship their average")
	hyperFrom := flag.String("hyper-from", "", "take the linear model's hyper-parameters from an earlier report.json instead of -select")
	expMLP := flag.Bool("experiment-mlp", false, "compare the linear model, a one-hidden-layer network and their average on a holdout of train, then stop")
	withCNN := flag.Bool("cnn", true, "train convolutional networks over the word vectors on every fold and ship their average in the ensemble (needs -vectors)")
	cnnFilters := flag.Int("cnn-filters", 128, "filters per width of the convolutional networks")
	cnnWidths := flag.Int("cnn-widths", 3, "the convolutional networks' filters span 1 to this many tokens")
	cnnShip := flag.Int("cnn-ship", 1, "how many of the fold convolutional networks the bundle carries and averages (0: all); each adds as much reading time")
	charMinDF := flag.Int("char-min-df", 0, "keep character n-grams seen in at least this many texts (0: the default configuration's)")
	oofPath := flag.String("oof", "", "also write the out-of-fold scores and gold labels (gob) to this file")
	expCNN := flag.Bool("experiment-cnn", false, "compare the linear model and network with a convolutional network over word vectors on a holdout of train, then stop")
	flag.Parse()
	if *dev && *out == filepath.Join("assets", "emotion") {
		*out = filepath.Join(".cache", "emotion-dev")
	}
	start := time.Now()
	o := emotiontrain.DefaultOptions()
	mode := "full"
	if *dev {
		o, mode = emotiontrain.DevOptions(), "dev"
	}
	o.Log = os.Stderr
	if *charMinDF > 0 {
		o.Features.CharMinDF = *charMinDF
	}
	rep := report{Model: "samo-goemotions-ngram", Version: "3", Mode: mode, GoVersion: runtime.Version(), CPUs: runtime.NumCPU()}

	read := func(name string) ([]emotion.Example, string, error) {
		raw, err := os.ReadFile(filepath.Join(*data, name))
		if err != nil {
			return nil, "", fmt.Errorf("read GoEmotions (set SAMO_GOEMOTIONS_DIR or -data): %w", err)
		}
		sum := sha256.Sum256(raw)
		ex, err := emotion.ReadTSV(bytes.NewReader(raw))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", name, err)
		}
		return ex, hex.EncodeToString(sum[:]), nil
	}
	train, trainSum, err := read("train.tsv")
	if err != nil {
		return err
	}
	devEx, devSum, err := read("dev.tsv")
	if err != nil {
		return err
	}
	clean, removed := emotiontrain.Clean(train, devEx)
	rep.Dataset = dataset{Dir: *data, TrainSHA256: trainSum, DevSHA256: devSum, TrainRows: len(train), TrainKept: len(clean), Removed: removed, DevRows: len(devEx)}
	fmt.Fprintf(os.Stderr, "train: %d rows, %d kept, removed %v\n", len(train), len(clean), removed)

	var vecs *glove.Table
	var words []string
	if *vecPath != "" {
		vecs, err = glove.Load(*vecPath)
		if err != nil {
			return fmt.Errorf("word vectors (run scripts/fetch-glove.sh, or pass -vectors ''): %w", err)
		}
		words = vecs.Words()[:min(*vecWords, vecs.Len())]
		rep.Vectors = &vectors{Path: *vecPath, Words: len(words), Dim: vecs.Dim()}
	}
	var v emotiontrain.Vectors
	if vecs != nil {
		v = vecs
	}
	net := emotiontrain.MLPHyper{Hidden: *mlpHidden, LR: 2e-3, Batch: 64, Dropout: 0.3, Epochs: 20, Balance: 0.5, Decay: 1e-6}
	if *dev {
		net.Epochs = 8
	}
	if *expMLP {
		o.Hyper.L2, o.Hyper.Balance = 3e-5, 0.5
		return emotiontrain.ExperimentMLP(clean, words, v, o, net)
	}
	ch := emotiontrain.CNNHyper{Widths: widthsUpTo(*cnnWidths), Filters: *cnnFilters, LR: 1e-3, Batch: 32, Dropout: 0.5, Epochs: 12, Balance: 0.5, Decay: 1e-6, Ship: *cnnShip}
	if *dev {
		ch.Epochs = 4
	}
	if *expCNN {
		if v == nil {
			return fmt.Errorf("-experiment-cnn needs -vectors")
		}
		return emotiontrain.ExperimentCNN(clean, words, v, o, net, ch, filepath.Join(".cache", "experiment", fmt.Sprintf("holdout-scores-c%d-h%d.gob", o.Features.CharMinDF, net.Hidden)))
	}
	if *withNet {
		o.MLP = &net
	}
	if *withCNN && v != nil {
		o.CNN = &ch
	}
	if *hyperFrom != "" {
		raw, err := os.ReadFile(*hyperFrom)
		if err != nil {
			return fmt.Errorf("hyper-parameters: %w", err)
		}
		var prev struct {
			Options emotiontrain.Options `json:"options"`
		}
		if err := json.Unmarshal(raw, &prev); err != nil {
			return fmt.Errorf("hyper-parameters from %s: %w", *hyperFrom, err)
		}
		o.Hyper = prev.Options.Hyper
		*sel = false
		fmt.Fprintf(os.Stderr, "hyper-parameters from %s: %+v\n", *hyperFrom, o.Hyper)
	}
	if *sel && !*dev {
		cands, err := emotiontrain.Select(clean, words, v, o, emotiontrain.Grid(o))
		if err != nil {
			return err
		}
		rep.Selection = cands
		o.Hyper = emotiontrain.Combine(cands)
		fmt.Fprintf(os.Stderr, "select: per-label L2 %v balance %v\n", o.Hyper.LabelL2, o.Hyper.LabelBalance)
	}
	// the out-of-fold file is made before training, so that a bad path
	// fails now and not after it
	var oofFile *os.File
	if *oofPath != "" {
		if err := os.MkdirAll(filepath.Dir(*oofPath), 0o755); err != nil {
			return fmt.Errorf("-oof: %w", err)
		}
		if oofFile, err = os.Create(*oofPath); err != nil {
			return fmt.Errorf("-oof: %w", err)
		}
		defer oofFile.Close()
	}
	res, err := emotiontrain.Train(clean, words, v, o)
	if err != nil {
		return err
	}
	rep.Options, rep.Iterations, rep.CVMacroF1, rep.CV, rep.History = o, res.Epochs, res.CV.MacroF1, res.CV, res.History
	rep.CVPerLabel = res.CVPerLabel
	if oofFile != nil {
		if err := res.WriteOOF(oofFile); err != nil {
			return err
		}
		if err := oofFile.Close(); err != nil {
			return fmt.Errorf("write %s: %w", *oofPath, err)
		}
	}
	rep.Features = res.Vocab.Rows()
	rep.NetWeight, rep.NetEpochs = res.NetWeight, res.NetEpochs
	rep.CNNWeight, rep.CNNEpochs = res.CNNWeight, res.CNNEpochs
	rep.TrainSeconds = time.Since(start).Seconds()
	rep.Thresholds = map[string]float32{}
	for i, t := range res.Thresholds {
		rep.Thresholds[emotion.LabelName(i)] = t
	}

	info := emotiontrain.BundleInfo{
		Name: rep.Model, Version: rep.Version,
		Source:  "trained by SAMO's `make train-emotions` on GoEmotions (Demszky et al., 2020; CC BY 4.0) train split; GloVe 6B 100-d word vectors (PDDL)",
		Licence: "MIT (model); training data CC BY 4.0",
		Notes:   "average of a multi-label logistic regression and a one-hidden-layer network over TF-IDF word 1-2-grams, character 2-5-grams and mean GloVe vectors, and of a convolutional network over the GloVe vectors of the words; thresholds tuned on 5-fold cross-validation scores on train, each label's F1-best then balanced for macro-, micro- and Ekman F1; see report.json",
	}
	rt := inference.NewRuntime(inference.NewLocator("", inference.EnvLibrary))
	defer rt.Close()
	rep.Dev = map[string]emotion.Metrics{}
	for _, b := range []struct {
		dir  string
		int8 bool
		name string
	}{{*fp32Out, false, "fp32"}, {*out, true, "int8"}} {
		if err := res.WriteBundle(b.dir, v, b.int8, info, nil); err != nil {
			return err
		}
		m, err := evalBundle(rt, b.dir, devEx)
		if err != nil {
			return fmt.Errorf("score the %s bundle on dev: %w", b.name, err)
		}
		rep.Dev[b.name] = m
		fmt.Fprintf(os.Stderr, "dev (%s): macro-F1 %.4f micro-F1 %.4f Ekman macro-F1 %.4f, %.0f texts/s\n", b.name, m.MacroF1, m.MicroF1, m.EkmanMacroF1, m.TextsPerSecond)
	}
	// The report goes into the int8 bundle; the manifest is rewritten to list it.
	rep.BundleBytes, err = dirSize(*out)
	if err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(*out, emotiontrain.ReportFile), append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := res.WriteBundle(*out, v, true, info, map[string]string{emotiontrain.ReportFile: "report"}); err != nil {
		return err
	}
	size, err := dirSize(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes) in %s\n", *out, size, time.Since(start).Round(time.Second))
	return nil
}

// evalBundle scores a bundle on examples through onnxruntime.
func evalBundle(rt *inference.Runtime, dir string, ex []emotion.Example) (emotion.Metrics, error) {
	b, err := models.Open(dir)
	if err != nil {
		return emotion.Metrics{}, err
	}
	c, err := emotion.Open(rt, b, emotion.Options{})
	if err != nil {
		return emotion.Metrics{}, err
	}
	defer c.Close()
	return emotion.EvaluateClassifier(c, ex)
}

func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	return total, err
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func widthsUpTo(n int) []int {
	var w []int
	for k := 1; k <= n; k++ {
		w = append(w, k)
	}
	return w
}
