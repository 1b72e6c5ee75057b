package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/models"
	"github.com/samojournal/samo/journal"
)

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
			cl, err := c.engine().Classifier("", emotion.Options{TopK: topK})
			if err != nil {
				return err
			}
			if len(args) == 1 && args[0] == "-" {
				return cl.AnalyzeLines(c.stdin, c.stdout, explain, func(line int, text string) string {
					return c.validText(text, fmt.Sprintf("line %d", line))
				})
			}
			r, err := cl.Read(c.validText(strings.Join(args, " "), "the text"), explain)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, r.Report())
			}
			r.WriteText(c.stdout)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&explain, "explain", false, "give the words that pushed each label most")
	cmd.Flags().IntVar(&topK, "top", 1, "labels given when none reaches its threshold")
	return cmd
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
			ex, err := emotion.ReadTSVFile(data)
			if err != nil {
				return err
			}
			cl, err := c.engine().Classifier(model, emotion.Options{})
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
			m.WriteText(c.stdout)
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

func (c *cli) emotionsCommand() *cobra.Command {
	return c.modelGroup(modelGroup{
		use: "emotions", short: "The emotion model: install one, learn from your corrections, see how well it reads you",
		installShort: "Use an installed emotion model from now on (a SAMO bundle, or a Hugging Face ONNX export of a GoEmotions classifier)",
		installLong: "install makes the model in DIR the one SAMO reads emotions with. DIR is a SAMO bundle (with manifest.json)\n" +
			"or a Hugging Face ONNX export of a BERT-family GoEmotions classifier (config.json with the 28 labels,\n" +
			"model.onnx or onnx/model.onnx — model_quantized.onnx with --quantized — and tokenizer.json, vocab.txt,\n" +
			"or vocab.json with merges.txt); for an export, a manifest.json is written beside its files. The model is\n" +
			"checked before it is used. Past entries keep their readings until `samo reanalyze`.",
		quantizedHelp: "use the export's model_quantized.onnx (int8)",
		install: func(ctx context.Context, dir string, q bool) (journal.ModelInfo, error) {
			return c.models().InstallModel(ctx, dir, journal.ModelEmotion, q)
		},
		installed: func(m journal.ModelInfo) string {
			return fmt.Sprintf("emotions are now read with %s %s (%s)\nrun `samo reanalyze` to read past entries with it too", m.Name, m.Version, m.Source)
		},
		defaultShort: "Go back to the emotion model built into SAMO",
		useDefault:   func() error { return c.engine().UseBuiltInEmotionModel() },
		usedDefault:  "emotions are now read with the built-in model",
	}, c.tuneCommand(), c.personalizeCommand(), c.healthCommand())
}

// modelGroup is a command group that installs a model from a folder
// (install DIR [--quantized]) and goes back to the one built into SAMO
// (use-default).
type modelGroup struct {
	use, short, installShort, installLong, quantizedHelp, defaultShort, usedDefault string
	install                                                                         func(ctx context.Context, dir string, quantized bool) (journal.ModelInfo, error)
	installed                                                                       func(journal.ModelInfo) string
	useDefault                                                                      func() error
}

func (c *cli) modelGroup(g modelGroup, more ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: g.use, Short: g.short}
	var quantized bool
	install := &cobra.Command{Use: "install DIR", Short: g.installShort, Long: g.installLong, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := g.install(cmd.Context(), args[0], quantized)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, g.installed(m))
			return nil
		},
	}
	install.Flags().BoolVar(&quantized, "quantized", false, g.quantizedHelp)
	useDefault := &cobra.Command{Use: "use-default", Short: g.defaultShort, Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := g.useDefault(); err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, g.usedDefault)
			return nil
		},
	}
	cmd.AddCommand(append(more, install, useDefault)...)
	return cmd
}

func (c *cli) tuneCommand() *cobra.Command {
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
			if out == "" && model == "" {
				return errors.New("--out is needed: the built-in model cannot be changed in place")
			}
			if out == "" {
				out = model
			}
			ex, err := emotion.ReadTSVFile(data)
			if err != nil {
				return err
			}
			cl, err := c.engine().Classifier(model, emotion.Options{})
			if err != nil {
				return err
			}
			t, err := emotion.TuneClassifier(cl, ex, perLabel)
			if err != nil {
				return err
			}
			note := fmt.Sprintf("Thresholds re-tuned by `samo emotions tune-thresholds` on %s.", time.Now().UTC().Format("2006-01-02"))
			if err := models.WriteCopy(cl.Bundle(), out, t.Thresholds, note); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "tuned %d thresholds on %d texts; on them: macro-F1 %.4f → %.4f, micro-F1 %.4f → %.4f, Ekman macro-F1 %.4f → %.4f\nwrote %s\n",
				len(t.Thresholds), len(ex), t.Before.MacroF1, t.After.MacroF1, t.Before.MicroF1, t.After.MicroF1, t.Before.EkmanMacroF1, t.After.EkmanMacroF1, out)
			return nil
		},
	}
	tune.Flags().StringVar(&data, "data", "", "labelled TSV file (required)")
	tune.Flags().StringVar(&model, "model", "", "emotion model bundle folder (default: the one in use)")
	tune.Flags().StringVar(&out, "out", "", "folder to write the tuned bundle to")
	tune.Flags().BoolVar(&perLabel, "per-label", false, "each label's F1-best threshold, without the balancing step")
	tune.MarkFlagRequired("data")
	return tune
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
			cl, err := c.engine().Analyzer()
			if err != nil {
				return err
			}
			return c.withJournal(func(svc *journal.Service) error {
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
				fmt.Fprintf(c.stdout, "re-read %d %s with %s %s in %s\n", n, journal.Plural(n, "entry", "entries"), cl.ModelName(), cl.ModelVersion(), time.Since(start).Round(time.Millisecond))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "re-read every entry, not only those read by another model")
	return cmd
}

func (c *cli) personalizeCommand() *cobra.Command {
	var dryRun, reset bool
	cmd := c.printing(&cobra.Command{
		Use:   "personalize [--dry-run] [--reset] [--json]",
		Short: "Learn from your corrections how you mean each emotion, when that reads you better",
		Long: "personalize learns a small personal layer over the emotion model's scores from the entries whose emotions\nyou corrected (at least " +
			fmt.Sprint(journal.MinCorrections) + "), measures it by cross-validation over your corrections, and applies it only\nif it reads them better and others' " +
			"writing not much worse; new entries are then read with it, and `samo reanalyze` re-reads the others.\nYour corrections are never changed. --reset goes back.",
		Args: cobra.NoArgs,
	}, func(cmd *cobra.Command, _ []string, svc *journal.Service) (printable, error) {
		if reset {
			return svc.ResetPersonal(cmd.Context())
		}
		return svc.Personalize(cmd.Context(), journal.PersonalizeOptions{DryRun: dryRun})
	})
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "measure and report what would change, and change nothing")
	cmd.Flags().BoolVar(&reset, "reset", false, "forget what was learned: read with the model alone")
	cmd.MarkFlagsMutuallyExclusive("dry-run", "reset")
	return cmd
}

func (c *cli) healthCommand() *cobra.Command {
	return c.printing(&cobra.Command{
		Use:   "health [--json]",
		Short: "How well the emotion model reads you: corrections per label, drift from its own texts, latency",
		Args:  cobra.NoArgs,
	}, func(cmd *cobra.Command, _ []string, svc *journal.Service) (printable, error) {
		return svc.EmotionHealth(cmd.Context())
	})
}
