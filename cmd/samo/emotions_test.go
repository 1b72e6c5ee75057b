package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/samojournal/samo/inference/emotion"
	"github.com/samojournal/samo/inference/emotion/emotiontest"
)

func TestCLI_AnalyzeWithTheBuiltInModel(t *testing.T) {
	r := mustSucceed(t, samo(t, "", nil, "analyze", "--json", "--explain", "Thank you so much for the help, you are wonderful!"))
	var out emotion.Report
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("analyze --json: %v\n%s", err, r.stdout)
	}
	if len(out.Labels) == 0 || out.Labels[0].Name != "gratitude" || out.Labels[0].Ekman != "joy" {
		t.Fatalf("labels %+v, want gratitude (joy) first", out.Labels)
	}
	if len(out.Scores) != 28 || len(out.Ekman) != 7 {
		t.Fatalf("%d scores, %d Ekman groups", len(out.Scores), len(out.Ekman))
	}
	reasons := out.Labels[0].Reasons
	if len(reasons) == 0 || !strings.Contains(strings.ToLower(reasons[0].Text), "thank") {
		t.Fatalf("gratitude's reasons %+v, want \"thank\" first", reasons)
	}
	r = mustSucceed(t, samo(t, "", nil, "analyze", "I love you so much"))
	if !strings.HasPrefix(r.stdout, "love") || !strings.Contains(r.stdout, "%") {
		t.Fatalf("plain output:\n%s", r.stdout)
	}
}

func TestCLI_AnalyzeLines(t *testing.T) {
	r := mustSucceed(t, samo(t, "thanks a lot!\n\nwhy would anyone do that?\n", nil, "analyze", "-"))
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines out for 3 in:\n%s", len(lines), r.stdout)
	}
	var first emotion.Report
	var blankErr map[string]string
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Labels[0].Name != "gratitude" {
		t.Fatalf("line 1: %v %s", err, lines[0])
	}
	if err := json.Unmarshal([]byte(lines[1]), &blankErr); err != nil || blankErr["error"] == "" {
		t.Fatalf("blank line: %v %s (want an error object)", err, lines[1])
	}
	var third emotion.Report
	if err := json.Unmarshal([]byte(lines[2]), &third); err != nil || len(third.Labels) == 0 {
		t.Fatalf("line 3: %v %s", err, lines[2])
	}
}

// Invalid UTF-8 is read as U+FFFD, as saving an entry reads it, with a
// warning naming the line; the other lines are read as usual.
func TestCLI_AnalyzeRepairsInvalidUTF8(t *testing.T) {
	r := mustSucceed(t, samo(t, "thanks a lot!\nso sad \xff\xfe today\n", nil, "analyze", "-"))
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines out for 2 in:\n%s", len(lines), r.stdout)
	}
	for i, l := range lines {
		var a emotion.Report
		if err := json.Unmarshal([]byte(l), &a); err != nil || len(a.Labels) == 0 {
			t.Fatalf("line %d: %v %s", i+1, err, l)
		}
	}
	if !strings.Contains(r.stderr, "line 2 is not valid UTF-8") || strings.Contains(r.stderr, "line 1 ") {
		t.Fatalf("stderr %q: want a warning for line 2 alone", r.stderr)
	}
	r = mustSucceed(t, samo(t, "", nil, "analyze", "I miss \xffhim"))
	if !strings.Contains(r.stderr, "the text is not valid UTF-8") || !strings.Contains(r.stdout, "%") {
		t.Fatalf("stdout %q stderr %q", r.stdout, r.stderr)
	}
}

func TestCLI_SavedEntriesCarryEmotions(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "Thank you all for the kind birthday wishes!"))
	es := listJSON(t, nil, home)
	if len(es) != 1 || es[0].Emotions == nil {
		t.Fatalf("entries %+v", es)
	}
	em := es[0].Emotions
	if em.Model != "samo-goemotions-ngram" || em.Version == "" || len(em.Scores) != 28 || em.Labels[0] != "gratitude" {
		t.Fatalf("emotions %+v", em)
	}
}

func TestCLI_ReanalyzeFillsWhatWasMissed(t *testing.T) {
	home := t.TempDir()
	noLib := []string{"SAMO_ORT_LIB=" + filepath.Join(t.TempDir(), "libonnxruntime.so.1")}
	r := mustSucceed(t, samo(t, "", noLib, "--home", home, "add", "I miss my grandmother so much"))
	if !strings.Contains(r.stderr, "reanalyze") {
		t.Fatalf("no warning that emotions were not read:\n%s", r.stderr)
	}
	mustSucceed(t, samo(t, "", noLib, "--home", home, "add", "What a wonderful surprise!"))
	if es := listJSON(t, nil, home); len(es) != 2 || es[0].Emotions != nil {
		t.Fatalf("entries saved without a model: %+v", es)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "reanalyze"))
	if !strings.Contains(r.stdout, "re-read 2 entries") || !strings.Contains(r.stderr, "2 of 2") {
		t.Fatalf("reanalyze:\nstdout %s\nstderr %s", r.stdout, r.stderr)
	}
	for _, e := range listJSON(t, nil, home) {
		if e.Emotions == nil || len(e.Emotions.Labels) == 0 {
			t.Fatalf("%q still has no emotions", e.Text)
		}
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "reanalyze"))
	if !strings.Contains(r.stdout, "re-read 0 entries") {
		t.Fatalf("second reanalyze: %s", r.stdout)
	}
}

// labelled writes a small GoEmotions-format file.
func labelled(t *testing.T) string {
	t.Helper()
	rows := []string{
		"Thank you so much!\t15\ta1", "thanks for sharing this\t15\ta2", "I love this song\t18\ta3",
		"I love you guys\t18\ta4", "This is so sad\t25\ta5", "I'm so sorry for your loss\t24,25\ta6",
		"What is this?\t7\ta7", "The meeting is at noon.\t27\ta8", "That's disgusting\t11\ta9",
		"I'm scared of the dark\t14\ta10", "\"She said \"\"wow\"\"\"\t26\ta11",
	}
	p := filepath.Join(t.TempDir(), "small.tsv")
	if err := os.WriteFile(p, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCLI_EvalEmotions(t *testing.T) {
	data := labelled(t)
	r := mustSucceed(t, samo(t, "", nil, "eval", "emotions", "--data", data, "--json"))
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	for _, k := range []string{"macro_f1", "micro_f1", "macro_precision", "macro_recall", "ekman_macro_f1", "per_label", "texts_per_second"} {
		if _, ok := m[k]; !ok {
			t.Errorf("eval JSON lacks %s", k)
		}
	}
	if m["texts"].(float64) != 11 || m["micro_f1"].(float64) < 0.3 {
		t.Errorf("texts %v micro_f1 %v", m["texts"], m["micro_f1"])
	}
	per := m["per_label"].(map[string]any)
	if g := per["gratitude"].(map[string]any); g["support"].(float64) != 2 || g["recall"].(float64) != 1 {
		t.Errorf("gratitude %v: both thank-you texts should be found", g)
	}
	r = mustSucceed(t, samo(t, "", nil, "eval", "emotions", "--data", data))
	if !strings.Contains(r.stdout, "macro_f1") || !strings.Contains(r.stdout, "gratitude") {
		t.Errorf("plain eval:\n%s", r.stdout)
	}
	bad := filepath.Join(t.TempDir(), "bad.tsv")
	os.WriteFile(bad, []byte("ok\t1\tx\nno labels here\n"), 0o644)
	if r := samo(t, "", nil, "eval", "emotions", "--data", bad); r.code == 0 || !strings.Contains(r.stderr, "line 2") {
		t.Errorf("bad TSV: exit %d, %s", r.code, r.stderr)
	}
}

func TestCLI_TuneThresholds(t *testing.T) {
	data := labelled(t)
	out := filepath.Join(t.TempDir(), "tuned")
	if r := samo(t, "", nil, "emotions", "tune-thresholds", "--data", data); r.code == 0 {
		t.Fatal("tuning the built-in model without --out succeeded")
	}
	// balanced (the default): macro + ½ micro + ½ Ekman on the tuning set
	// at least the per-label tuning's, which is at least the original's
	// macro-F1 alone
	perOut := filepath.Join(t.TempDir(), "per-label")
	r := mustSucceed(t, samo(t, "", nil, "emotions", "tune-thresholds", "--data", data, "--out", out))
	if !strings.Contains(r.stdout, "tuned 28 thresholds on 11 texts") || !strings.Contains(r.stdout, "Ekman macro-F1") {
		t.Fatalf("stdout %s", r.stdout)
	}
	mustSucceed(t, samo(t, "", nil, "emotions", "tune-thresholds", "--per-label", "--data", data, "--out", perOut))
	raw, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "re-tuned") {
		t.Fatalf("manifest does not say its thresholds were re-tuned")
	}
	type figures struct {
		MacroF1 float64 `json:"macro_f1"`
		MicroF1 float64 `json:"micro_f1"`
		Ekman   float64 `json:"ekman_macro_f1"`
	}
	eval := func(args ...string) figures {
		t.Helper()
		r := mustSucceed(t, samo(t, "", nil, append(args, "eval", "emotions", "--data", data, "--json")...))
		var f figures
		if err := json.Unmarshal([]byte(r.stdout), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	thresholds := func(dir string) []float32 {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Thresholds []float32 `json:"thresholds"`
		}
		if err := json.Unmarshal(raw, &m); err != nil || len(m.Thresholds) != 28 {
			t.Fatalf("%s: thresholds %v (%v)", dir, m.Thresholds, err)
		}
		return m.Thresholds
	}
	if slices.Equal(thresholds(out), thresholds(perOut)) {
		t.Fatal("--per-label wrote the same thresholds as the balanced tuning")
	}
	bal, per, base := eval("--emotion-model", out), eval("--emotion-model", perOut), eval()
	if per.MacroF1 < base.MacroF1 {
		t.Fatalf("per-label tuned macro-F1 %.3f below the original %.3f on the tuning set", per.MacroF1, base.MacroF1)
	}
	if b, p := bal.MacroF1+bal.MicroF1/2+bal.Ekman/2, per.MacroF1+per.MicroF1/2+per.Ekman/2; b < p-1e-9 {
		t.Fatalf("balanced figures %+v sum below the per-label tuning's %+v", bal, per)
	}
	// a damaged copy is refused, naming the file
	os.WriteFile(filepath.Join(out, "vocab.bin"), []byte("damaged"), 0o644)
	r = samo(t, "", nil, "--emotion-model", out, "analyze", "hello")
	if r.code == 0 || !strings.Contains(r.stderr, "vocab.bin") {
		t.Fatalf("damaged bundle: exit %d, %s", r.code, r.stderr)
	}
}

// A BERT-family export installed by the person is used for new entries,
// reanalyze moves the old ones to it, and use-default goes back.
func TestCLI_InstallBERTFamilyModel(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "A day of quiet pride at work"))
	export := filepath.Join(t.TempDir(), "bert-goemotions")
	vocab, _ := filepath.Abs(filepath.Join("..", "..", ".cache", "tokenizers", "bert-uncased", "tokenizer.json"))
	if err := emotiontest.WriteHFExport(export, vocab); err != nil {
		t.Fatal(err)
	}
	r := mustSucceed(t, samo(t, "", nil, "--home", home, "emotions", "install", export))
	if !strings.Contains(r.stdout, "scripted-bert-goemotions") {
		t.Fatalf("install: %s", r.stdout)
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "I feel nervous about tomorrow"))
	es := listJSON(t, nil, home)
	if es[0].Emotions.Model != "scripted-bert-goemotions" || es[0].Emotions.Labels[0] != "nervousness" {
		t.Fatalf("new entry read by %+v", es[0].Emotions)
	}
	if es[1].Emotions.Model != "samo-goemotions-ngram" {
		t.Fatalf("old entry changed before reanalyze: %+v", es[1].Emotions)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "reanalyze"))
	if !strings.Contains(r.stdout, "re-read 1 entry") {
		t.Fatalf("reanalyze: %s", r.stdout)
	}
	if es = listJSON(t, nil, home); es[1].Emotions.Labels[0] != "pride" {
		t.Fatalf("old entry after reanalyze: %+v", es[1].Emotions)
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "emotions", "use-default"))
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "analyze", "--json", "thank you!"))
	if !strings.Contains(r.stdout, "gratitude") {
		t.Fatalf("built-in model after use-default: %s", r.stdout)
	}
	// a folder that is not a GoEmotions model is refused, and nothing changes
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "config.json"), []byte(`{"id2label":{"0":"POSITIVE","1":"NEGATIVE"}}`), 0o644)
	r = samo(t, "", nil, "--home", home, "emotions", "install", bad)
	if r.code == 0 || !strings.Contains(r.stderr, "2 labels") {
		t.Fatalf("sentiment model: exit %d, %s", r.code, r.stderr)
	}
}

// samo correct records the person's own emotions: show gives them with the
// model's reading beside them, a forced re-analysis keeps them, --clear
// removes them, and an unknown emotion is refused with nothing changed.
func TestCLI_CorrectEmotions(t *testing.T) {
	home := t.TempDir()
	mustSucceed(t, samo(t, "", nil, "--home", home, "add", "Thank you all for the kind birthday wishes!"))
	id := listJSON(t, nil, home)[0].ID

	r := mustSucceed(t, samo(t, "", nil, "--home", home, "show", id))
	if !strings.Contains(r.stdout, "Emotions: gratitude (") {
		t.Fatalf("show before correcting:\n%s", r.stdout)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "correct", strings.ToLower(id), "Relief,joy", "relief"))
	if !strings.Contains(r.stdout, "Your emotions: joy, relief · the model read: gratitude (") {
		t.Fatalf("correct said:\n%s", r.stdout)
	}
	for _, bad := range [][]string{{"correct", id, "hangry"}, {"correct", id}, {"correct", id, "joy", "--clear"}} {
		r = samo(t, "", nil, append([]string{"--home", home}, bad...)...)
		if r.code == 0 || r.stderr == "" {
			t.Fatalf("%v: exit %d, stderr %q", bad, r.code, r.stderr)
		}
	}
	if r := samo(t, "", nil, "--home", home, "correct", id, "hangry"); !strings.Contains(r.stderr, `unknown emotion "hangry"`) {
		t.Fatalf("unknown emotion: %q", r.stderr)
	}

	mustSucceed(t, samo(t, "", nil, "--home", home, "reanalyze", "--all"))
	e := listJSON(t, nil, home)[0]
	if e.Corrections == nil || strings.Join(e.Corrections.Labels, ",") != "joy,relief" || e.Emotions == nil || e.Emotions.Labels[0] != "gratitude" {
		t.Fatalf("after reanalyze --all: corrections %+v, emotions %+v", e.Corrections, e.Emotions)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "show", id))
	if !strings.Contains(r.stdout, "Your emotions: joy, relief") {
		t.Fatalf("show after correcting:\n%s", r.stdout)
	}

	mustSucceed(t, samo(t, "", nil, "--home", home, "correct", id, "--clear"))
	if e := listJSON(t, nil, home)[0]; e.Corrections != nil {
		t.Fatalf("--clear left %+v", e.Corrections)
	}
}

// A text too long for onnxruntime's start on the command line (it reads
// the command line and overflows its stack past about 29 KB) is refused
// with the way round it, not a crash; add still saves the entry, and
// reanalyze, with a short command line, reads it.
func TestCLI_LongCommandLineIsRefusedNotACrash(t *testing.T) {
	home := t.TempDir()
	long := strings.Repeat("so happy today ", 3000) // 45 KB
	r := samo(t, "", nil, "--home", home, "analyze", long)
	if r.code != 1 || !strings.Contains(r.stderr, "standard input") || strings.Contains(r.stderr, "SIGSEGV") {
		t.Fatalf("analyze with a 45 KB argument: exit %d, stderr %.300q", r.code, r.stderr)
	}
	r = mustSucceed(t, samo(t, "", nil, "--home", home, "add", long))
	if !strings.Contains(r.stderr, "emotions are not read") {
		t.Fatalf("add: stderr %.300q", r.stderr)
	}
	mustSucceed(t, samo(t, "", nil, "--home", home, "reanalyze"))
	if es := listJSON(t, nil, home); len(es) != 1 || es[0].Emotions == nil || es[0].Emotions.Labels[0] != "joy" {
		t.Fatalf("after reanalyze: %+v", es[0].Emotions)
	}
	r = mustSucceed(t, samo(t, long+"\n", nil, "--home", home, "analyze", "-"))
	if !strings.Contains(r.stdout, `"joy"`) {
		t.Fatalf("the same text on standard input: %.300q", r.stdout)
	}
}
