package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/assets"
	"github.com/samojournal/samo/inference"
	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/storage"
)

// envEmotionModel names the variable that picks an installed emotion model
// bundle instead of the built-in one.
const envEmotionModel = "SAMO_EMOTION_MODEL"

// runtime returns the process's onnxruntime, created on first use and
// closed when the command ends.
func (c *cli) runtime() *inference.Runtime {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rt == nil {
		c.rt = inference.NewRuntime(inference.NewLocator(c.ortLib, inference.EnvLibrary))
		c.rt.OnWarning(func(msg string) { fmt.Fprintf(c.stderr, "samo: warning: %s\n", msg) })
	}
	return c.rt
}

// executionProvider is the provider --provider asks for.
func (c *cli) executionProvider() (inference.Provider, error) {
	return inference.ParseProvider(c.provider)
}

// emotionBundle opens the emotion model bundle: dir, else --emotion-model,
// else $SAMO_EMOTION_MODEL, else the model built into SAMO.
func (c *cli) emotionBundle(dir string) (*models.Bundle, error) {
	if dir == "" {
		dir = c.emotionModel
	}
	if dir == "" {
		dir = os.Getenv(envEmotionModel)
	}
	if dir == "" {
		set, err := c.loadSettings()
		if err != nil {
			return nil, err
		}
		dir = set.EmotionModel
	}
	if dir != "" {
		b, err := models.Open(dir)
		if err != nil {
			return nil, fmt.Errorf("emotion model: %w", err)
		}
		return b, nil
	}
	b, err := models.OpenFS(assets.EmotionModel())
	if err != nil {
		return nil, fmt.Errorf("built-in emotion model: %w", err)
	}
	return b, nil
}

// classifier opens the emotion classifier (see emotionBundle).
func (c *cli) classifier(dir string, opts emotion.Options) (*emotion.Classifier, error) {
	b, err := c.emotionBundle(dir)
	if err != nil {
		return nil, err
	}
	return c.openClassifier(b, opts)
}

// openClassifier opens a classifier on an opened bundle; it is closed when
// the command ends.
func (c *cli) openClassifier(b *models.Bundle, opts emotion.Options) (*emotion.Classifier, error) {
	p, err := c.executionProvider()
	if err != nil {
		return nil, err
	}
	opts.Provider = p
	cl, err := emotion.Open(c.runtime(), b, opts)
	if err != nil {
		return nil, err
	}
	c.addCloser(cl.Close)
	return cl, nil
}

// analyzer returns the classifier for saving entries, or nil with one
// warning when it cannot be loaded: typed entries are saved without
// emotions rather than lost, and `samo reanalyze` fills them in later.
// It is opened once and kept for the command's life.
func (c *cli) analyzer() journal.Analyzer {
	c.analyzerOnce.Do(func() {
		cl, err := c.classifier("", emotion.Options{})
		if err != nil {
			fmt.Fprintf(c.stderr, "samo: warning: emotions are not read (%v); entries are saved without them, and `samo reanalyze` adds them later\n", err)
			return
		}
		c.keptAnalyzer = cl
	})
	return c.keptAnalyzer
}

func (c *cli) analyzeCommand() *cobra.Command {
	var (
		asJSON, explain bool
		topK            int
	)
	cmd := &cobra.Command{
		Use:   "analyze TEXT... | analyze -",
		Short: "Read the emotions in a text (\"-\" reads one text per line and writes one JSON line each)",
		Example: `  samo analyze "Thank you so much, this made my day!"
  samo analyze --explain "I can't believe they cancelled again."
  printf 'so proud of her\nI miss him\n' | samo analyze -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.classifier("", emotion.Options{TopK: topK})
			if err != nil {
				return err
			}
			read := func(text string) (emotion.Result, error) {
				if explain {
					return cl.Explain(text)
				}
				rs, err := cl.Analyze([]string{text})
				if err != nil {
					return emotion.Result{}, err
				}
				return rs[0], nil
			}
			if len(args) == 1 && args[0] == "-" {
				return c.analyzeLines(cl, read, explain)
			}
			r, err := read(c.validText(strings.Join(args, " "), "the text"))
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, analysisJSON(r))
			}
			printAnalysis(c.stdout, r)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&explain, "explain", false, "give the words that pushed each label most")
	cmd.Flags().IntVar(&topK, "top", 1, "labels given when none reaches its threshold")
	return cmd
}

// analyzeLines reads one text per line from stdin and writes one JSON
// object per line; blank lines get {"error": …} so line numbers stay
// aligned. Without --explain, lines are scored in batches.
func (c *cli) analyzeLines(cl *emotion.Classifier, read func(string) (emotion.Result, error), explain bool) error {
	sc := bufio.NewScanner(c.stdin)
	sc.Buffer(make([]byte, 64*1024), journal.MaxTextBytes+1)
	out := bufio.NewWriter(c.stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var rs []emotion.Result
		var err error
		if !explain {
			rs, err = cl.Analyze(batch)
		}
		for i, text := range batch {
			var v any
			switch {
			case strings.TrimSpace(text) == "":
				v = map[string]string{"error": "empty line"}
			case explain:
				r, err := read(text)
				if err != nil {
					v = map[string]string{"error": err.Error()}
				} else {
					v = analysisJSON(r)
				}
			case err != nil:
				v = map[string]string{"error": err.Error()}
			default:
				v = analysisJSON(rs[i])
			}
			if err := enc.Encode(v); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		batch = batch[:0]
		return nil
	}
	for n := 1; sc.Scan(); n++ {
		line := c.validText(strings.TrimRight(sc.Text(), "\r"), fmt.Sprintf("line %d", n))
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return err
			}
			batch = append(batch, line)
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		batch = append(batch, line)
		if len(batch) == 256 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read standard input: %w", err)
	}
	return flush()
}

// validText returns text with any invalid UTF-8 read as U+FFFD, as saving
// an entry does, and says so on standard error, naming what (the text, or
// which line).
func (c *cli) validText(text, what string) string {
	if utf8.ValidString(text) {
		return text
	}
	fmt.Fprintf(c.stderr, "samo: warning: %s is not valid UTF-8; the invalid bytes are read as U+FFFD\n", what)
	return strings.ToValidUTF8(text, "\uFFFD")
}

// analysisOut is the JSON form of a reading: scores by label name.
type analysisOut struct {
	Labels   []emotion.Label    `json:"labels"`
	Fallback bool               `json:"fallback"`
	Groups   []string           `json:"ekman_groups"`
	Ekman    []emotion.Group    `json:"ekman"`
	Scores   map[string]float32 `json:"scores"`
}

func analysisJSON(r emotion.Result) analysisOut {
	o := analysisOut{Labels: r.Labels, Fallback: r.Fallback, Groups: r.Groups, Ekman: r.Ekman, Scores: map[string]float32{}}
	for i, s := range r.Scores {
		o.Scores[journal.EmotionLabels[i]] = s
	}
	return o
}

func printAnalysis(w io.Writer, r emotion.Result) {
	for _, l := range r.Labels {
		bar := strings.Repeat("█", int(l.Score*20+0.5)) + strings.Repeat("░", 20-int(l.Score*20+0.5))
		fmt.Fprintf(w, "%-15s %s %3.0f%%  %-8s (%s)\n", l.Name, bar, l.Score*100, journal.Strength(l.Score), l.Ekman)
		for _, x := range l.Reasons {
			fmt.Fprintf(w, "    %q  +%.2f\n", x.Text, x.Weight)
		}
	}
	if r.Fallback {
		fmt.Fprintln(w, "(no emotion stood out; this is the closest reading)")
	}
}

func (c *cli) evalCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "eval", Short: "Measure a model on labelled data"}
	var (
		data, model string
		asJSON      bool
	)
	emo := &cobra.Command{
		Use:   "emotions --data FILE.tsv [--model DIR]",
		Short: "Score an emotion model on GoEmotions-format TSV (text, label ids, id)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ex, err := readExamples(data)
			if err != nil {
				return err
			}
			cl, err := c.classifier(model, emotion.Options{})
			if err != nil {
				return err
			}
			m, err := emotion.EvaluateClassifier(cl, ex)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, m)
			}
			fmt.Fprintf(c.stdout, "model %s %s on %d texts\n", cl.ModelName(), cl.ModelVersion(), m.Texts)
			fmt.Fprintf(c.stdout, "macro_f1 %.4f  micro_f1 %.4f  macro_precision %.4f  macro_recall %.4f  ekman_macro_f1 %.4f  texts_per_second %.0f\n",
				m.MacroF1, m.MicroF1, m.MacroPrecision, m.MacroRecall, m.EkmanMacroF1, m.TextsPerSecond)
			fmt.Fprintf(c.stdout, "%-15s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support")
			for _, l := range journal.EmotionLabels {
				p := m.PerLabel[l]
				fmt.Fprintf(c.stdout, "%-15s %9.3f %9.3f %9.3f %8d\n", l, p.Precision, p.Recall, p.F1, p.Support)
			}
			return nil
		},
	}
	emo.Flags().StringVar(&data, "data", "", "labelled TSV file (required)")
	emo.Flags().StringVar(&model, "model", "", "emotion model bundle folder (default: the one in use)")
	emo.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	emo.MarkFlagRequired("data")
	cmd.AddCommand(emo)
	return cmd
}

func readExamples(path string) ([]emotion.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("labelled data: %w", err)
	}
	defer f.Close()
	ex, err := emotion.ReadTSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ex) == 0 {
		return nil, fmt.Errorf("%s holds no examples", path)
	}
	return ex, nil
}

func (c *cli) emotionsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "emotions", Short: "Manage the emotion model"}
	var data, model, out string
	var perLabel bool
	tune := &cobra.Command{
		Use:   "tune-thresholds --data FILE.tsv [--model DIR] [--out DIR] [--per-label]",
		Short: "Re-tune a model's thresholds on labelled TSV and write the bundle with them",
		Long: "Chooses the 28 labels' thresholds on the given GoEmotions-format data, as the built-in model's were\n" +
			"chosen: each label's F1-best threshold, then balanced for macro-, micro- and Ekman F1 together\n" +
			"(--per-label stops at the first step). It writes a copy of the bundle with them to --out (the model's\n" +
			"own folder when --out is not given and --model is). Tune on data you will not also report scores on.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ex, err := readExamples(data)
			if err != nil {
				return err
			}
			if out == "" {
				if model == "" {
					return errors.New("--out is needed: the built-in model cannot be changed in place")
				}
				out = model
			}
			b, err := c.emotionBundle(model)
			if err != nil {
				return err
			}
			cl, err := c.openClassifier(b, emotion.Options{})
			if err != nil {
				return err
			}
			texts := make([]string, len(ex))
			gold := make([][]int, len(ex))
			for i, e := range ex {
				texts[i], gold[i] = e.Text, e.Labels
			}
			scores, err := cl.Scores(texts)
			if err != nil {
				return err
			}
			tuneTh := emotion.TuneBalanced
			if perLabel {
				tuneTh = emotion.TuneThresholds
			}
			th, err := tuneTh(scores, gold)
			if err != nil {
				return err
			}
			mb, err := emotion.EvaluateScores(scores, cl.Thresholds(), gold)
			if err != nil {
				return err
			}
			ma, err := emotion.EvaluateScores(scores, th, gold)
			if err != nil {
				return err
			}
			if err := writeBundleCopy(b, out, th); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "tuned %d thresholds on %d texts; on them: macro-F1 %.4f → %.4f, micro-F1 %.4f → %.4f, Ekman macro-F1 %.4f → %.4f\nwrote %s\n",
				len(th), len(ex), mb.MacroF1, ma.MacroF1, mb.MicroF1, ma.MicroF1, mb.EkmanMacroF1, ma.EkmanMacroF1, out)
			return nil
		},
	}
	tune.Flags().StringVar(&data, "data", "", "labelled TSV file (required)")
	tune.Flags().StringVar(&model, "model", "", "emotion model bundle folder (default: the one in use)")
	tune.Flags().StringVar(&out, "out", "", "folder to write the tuned bundle to")
	tune.Flags().BoolVar(&perLabel, "per-label", false, "each label's F1-best threshold, without the balancing step")
	tune.MarkFlagRequired("data")
	var quantized bool
	install := &cobra.Command{
		Use:   "install DIR",
		Short: "Use an installed emotion model from now on (a SAMO bundle, or a Hugging Face ONNX export of a GoEmotions classifier)",
		Long: "install makes the model in DIR the one SAMO reads emotions with. DIR is a SAMO bundle (with manifest.json)\n" +
			"or a Hugging Face ONNX export of a BERT-family GoEmotions classifier (config.json with the 28 labels,\n" +
			"model.onnx or onnx/model.onnx — model_quantized.onnx with --quantized — and tokenizer.json, vocab.txt,\n" +
			"or vocab.json with merges.txt); for an export, a manifest.json is written beside its files. The model is\n" +
			"checked before it is used. Past entries keep their readings until `samo reanalyze`.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(dir, models.ManifestFile)); err != nil {
				m, err := emotion.ManifestFromHF(dir, quantized)
				if err != nil {
					return err
				}
				if err := models.Write(dir, m); err != nil {
					return err
				}
			}
			cl, err := c.classifier(dir, emotion.Options{})
			if err != nil {
				return err
			}
			if _, err := cl.Analyze([]string{"Thank you, this is a test of the model."}); err != nil {
				return fmt.Errorf("the model loads but does not run: %w", err)
			}
			set, err := c.loadSettings()
			if err != nil {
				return err
			}
			set.EmotionModel = dir
			if err := c.saveSettings(set); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "emotions are now read with %s %s (%s)\nrun `samo reanalyze` to read past entries with it too\n", cl.ModelName(), cl.ModelVersion(), dir)
			return nil
		},
	}
	install.Flags().BoolVar(&quantized, "quantized", false, "use the export's model_quantized.onnx (int8)")
	useDefault := &cobra.Command{
		Use:   "use-default",
		Short: "Go back to the emotion model built into SAMO",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := c.loadSettings()
			if err != nil {
				return err
			}
			set.EmotionModel = ""
			if err := c.saveSettings(set); err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, "emotions are now read with the built-in model")
			return nil
		},
	}
	cmd.AddCommand(tune, install, useDefault)
	return cmd
}

// settings are the person's choices kept in the journal folder.
type settings struct {
	// EmotionModel is the installed emotion bundle in use, or "" for the
	// built-in one.
	EmotionModel string `json:"emotion_model,omitempty"`
	// SpeechModel is the installed speech (Whisper) model folder, or "".
	SpeechModel string `json:"speech_model,omitempty"`
}

const settingsFile = "settings.json"

func (c *cli) loadSettings() (settings, error) {
	var s settings
	home, err := c.homeDir()
	if err != nil {
		return s, err
	}
	raw, err := os.ReadFile(filepath.Join(home, settingsFile))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("settings %s: %w", filepath.Join(home, settingsFile), err)
	}
	return s, nil
}

// saveSettings writes the settings atomically (temp file and rename).
func (c *cli) saveSettings(s settings) error {
	home, err := c.homeDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	tmp, err := os.CreateTemp(home, ".settings-")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save settings: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(home, settingsFile)); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// writeBundleCopy writes b's files to dir (unless dir is b's own folder)
// and a manifest with the new thresholds, the manifest last and atomically.
func writeBundleCopy(b *models.Bundle, dir string, th []float32) error {
	same := false
	if b.Dir != "" {
		a1, _ := filepath.Abs(b.Dir)
		a2, _ := filepath.Abs(dir)
		same = a1 == a2
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	if !same {
		for _, f := range b.Manifest.Files {
			data, err := b.ReadFile(f.Path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, f.Path), data, 0o644); err != nil {
				return fmt.Errorf("write bundle: %w", err)
			}
		}
	}
	m := b.Manifest
	m.Thresholds = slices.Clone(th)
	m.Notes = strings.TrimSpace(m.Notes + fmt.Sprintf(" Thresholds re-tuned by `samo emotions tune-thresholds` on %s.", time.Now().UTC().Format("2006-01-02")))
	tmp, err := os.MkdirTemp(dir, ".manifest-")
	if err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := models.Write(tmp, m); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(tmp, models.ManifestFile), filepath.Join(dir, models.ManifestFile)); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

func (c *cli) reanalyzeCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "reanalyze",
		Short: "Read the emotions of entries again with the current model (those read by another model, or all)",
		Long: "Re-reads the emotions of every entry that has none or was read by another model or version\n" +
			"(with --all, every entry). Your own corrections are kept. Progress is shown as it goes.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := c.classifier("", emotion.Options{})
			if err != nil {
				return err
			}
			return c.withJournal(func(_ *journal.Service, st *storage.Store) error {
				svc := journal.NewService(st, journal.WithAnalyzer(cl))
				start := time.Now()
				last := time.Time{}
				n, err := svc.Reanalyze(cmd.Context(), all, func(done, total int) {
					if time.Since(last) > 200*time.Millisecond || done == total {
						last = time.Now()
						fmt.Fprintf(c.stderr, "\rreanalyzing: %d of %d entries (%d%%)", done, total, done*100/total)
					}
				})
				if n > 0 {
					fmt.Fprintln(c.stderr)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "re-read %d %s with %s %s in %s\n", n, plural(n, "entry", "entries"), cl.ModelName(), cl.ModelVersion(), time.Since(start).Round(time.Millisecond))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "re-read every entry, not only those read by another model")
	return cmd
}
