package retrieval

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoDistractors means the GoEmotions data that distractors come from is
// not on this machine. Callers may go on scoring the set's own entries.
var ErrNoDistractors = errors.New("retrieval: no distractor data")

// DefaultDistractors is the number of distractors the evaluation uses.
const DefaultDistractors = 400

// GoEmotionsEnv names the environment variable that points at the GoEmotions
// folder holding dev.tsv.
const GoEmotionsEnv = "SAMO_GOEMOTIONS_DIR"

// distractorSpan is the period distractor creation times are spread over.
var (
	distractorFrom = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	distractorTo   = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
)

// GoEmotionsDir returns the folder distractors are read from: $SAMO_GOEMOTIONS_DIR
// when set, otherwise shared/data/goemotions beside the repository root (the
// nearest folder above the working directory holding go.mod).
func GoEmotionsDir() (string, error) {
	if dir := os.Getenv(GoEmotionsEnv); dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("retrieval: working directory: %w", err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "data", "goemotions"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("retrieval: no go.mod above %s: %w", wd, ErrNoDistractors)
		}
		dir = parent
	}
}

// Distractors returns n documents made from GoEmotions dev comments (every
// k-th line of dev.tsv, so the choice is deterministic), with ids dev-0001,
// dev-0002, … and creation times spread evenly over 2019–2026. It returns
// fewer than n only when dev.tsv has fewer lines. A missing folder or file
// gives an error wrapping [ErrNoDistractors].
func Distractors(n int) ([]Doc, error) {
	if n <= 0 {
		return nil, nil
	}
	dir, err := GoEmotionsDir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "dev.tsv")
	texts, err := readDevTexts(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("retrieval: %s: %w", path, ErrNoDistractors)
	}
	if err != nil {
		return nil, err
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("retrieval: %s has no texts: %w", path, ErrNoDistractors)
	}
	step := max(len(texts)/n, 1)
	count := min(n, len(texts))
	span := distractorTo.Sub(distractorFrom)
	docs := make([]Doc, 0, count)
	for i := range count {
		docs = append(docs, Doc{
			ID:      fmt.Sprintf("dev-%04d", i+1),
			Created: distractorFrom.Add(span / time.Duration(count) * time.Duration(i)).Truncate(time.Minute),
			Text:    texts[i*step],
		})
	}
	return docs, nil
}

// readDevTexts returns the first column of every non-empty line of a
// GoEmotions TSV file.
func readDevTexts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("retrieval: open distractors: %w", err)
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		text, _, _ := strings.Cut(sc.Text(), "\t")
		if text = strings.TrimSpace(text); text != "" {
			texts = append(texts, text)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("retrieval: read %s: %w", path, err)
	}
	return texts, nil
}
