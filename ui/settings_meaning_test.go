package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// embeddingModels is fakeModels that also chooses the embedding model:
// installing one makes the test embedder a new version of itself, as the
// engine would start embedding with another model.
type embeddingModels struct {
	fakeModels
	embedder *journaltest.WordEmbedder
	info     journal.ModelInfo
}

func (m *embeddingModels) EmbeddingModel(context.Context) (journal.ModelInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.info, nil
}

func (m *embeddingModels) InstallEmbeddingModel(_ context.Context, dir string, quantized bool) (journal.ModelInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if dir == m.refuse {
		return journal.ModelInfo{}, errors.New("embed: " + dir + ": no model.onnx")
	}
	m.info = journal.ModelInfo{Name: filepath.Base(dir), Version: "2", Source: dir}
	m.embedder.Version = "2"
	return m.info, nil
}

func (m *embeddingModels) UseBuiltInEmbeddingModel() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.info = journal.ModelInfo{Name: "glove-usif-100d", Version: "1", Source: "built-in"}
	m.embedder.Version = "1"
	return nil
}

func TestSettings_MeaningModelAndReindex(t *testing.T) {
	ctx := context.Background()
	emb := &journaltest.WordEmbedder{Name: "words", Version: "1", Dim: 32}
	models := &embeddingModels{fakeModels: fakeModels{emotion: builtIn, refuse: "/models/empty"}, embedder: emb,
		info: journal.ModelInfo{Name: "glove-usif-100d", Version: "1", Source: "built-in"}}
	store := journaltest.NewMemStore()
	svc := journal.NewService(store, journal.WithModels(models), journal.WithEmbedder(emb))
	for _, text := range []string{"a walk by the sea", "a letter from my sister"} {
		if _, err := svc.Add(ctx, text); err != nil {
			t.Fatal(err)
		}
	}
	s, w := newSettings(t, test.NewTempApp(t), svc)
	m := s.meaning
	if !strings.Contains(m.info.Text, "glove-usif-100d 1, built into SAMO") || m.reindex.Importance == widget.HighImportance {
		t.Fatalf("shown at first: %q, re-index offered %v", m.info.Text, m.reindex.Importance)
	}

	m.installFrom("/models/empty", false)
	waitIdle(t, s.sh)
	if !strings.Contains(s.message.Text, "not installed") || !strings.Contains(strings.Join(overlayTexts(w), " "), "no model.onnx") {
		t.Fatalf("a refused model: message %q, dialog %q", s.message.Text, overlayTexts(w))
	}
	dismissDialog(t, w)

	m.installFrom("/models/all-MiniLM-L6-v2", false)
	waitIdle(t, s.sh)
	if !strings.Contains(m.info.Text, "all-MiniLM-L6-v2 2") || m.reindex.Importance != widget.HighImportance {
		t.Fatalf("after installing: %q, re-index offered %v", m.info.Text, m.reindex.Importance)
	}
	test.Tap(m.reindex)
	waitIdle(t, s.sh)
	if !strings.Contains(s.message.Text, "Re-indexed 2 entries") || m.reindex.Importance == widget.HighImportance {
		t.Fatalf("after re-indexing: %q", s.message.Text)
	}
	err := store.Each(ctx, func(e journal.Entry) error {
		if e.Embedding == nil || e.Embedding.Version != "2" {
			t.Errorf("%q was not re-indexed: %+v", e.Text, e.Embedding)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	m.useBuiltIn()
	waitIdle(t, s.sh)
	if !strings.Contains(m.info.Text, "built into SAMO") || m.reindex.Importance != widget.HighImportance {
		t.Errorf("after going back: %q", m.info.Text)
	}
}

func TestSettings_MeaningWithoutAModelManager(t *testing.T) {
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithModels(&fakeModels{emotion: builtIn}))
	s, _ := newSettings(t, test.NewTempApp(t), svc)
	if !s.meaning.install.Disabled() || !strings.Contains(s.meaning.info.Text, "the model SAMO was started with") {
		t.Errorf("without a manager of embedding models: install enabled %v, %q", !s.meaning.install.Disabled(), s.meaning.info.Text)
	}
}
