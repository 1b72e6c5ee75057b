package engine

import (
	"context"
	"fmt"

	"github.com/samojournal/samo/inference/embed"
	"github.com/samojournal/samo/inference/wordvec"
	"github.com/samojournal/samo/journal"
)

// embedding is the embedding model in use: the built-in GloVe model
// (loaded once), or an installed transformer export opened for key (its
// folder and provider), or why that one could not be (err, told once).
type embedding struct {
	glove *wordvec.Model
	model *embed.Model
	key   string
	err   error
}

var _ journal.EmbeddingModels = (*Engine)(nil)

// Embed implements journal.Embedder with the embedding model the flag, the
// environment or the settings choose, else the built-in GloVe one. An
// installed model that does not load is told once, and the built-in one
// stands in for it.
func (e *Engine) Embed(ctx context.Context, texts []string) ([][]float32, journal.EmbeddingModel, error) {
	c, err := e.choose()
	if err != nil {
		return nil, journal.EmbeddingModel{}, err
	}
	if c.embedDir != "" {
		m, err := e.transformer(c)
		if err == nil {
			info := journal.EmbeddingModel{Name: m.Name(), Version: m.Version(), Dim: m.Dim()}
			if len(texts) == 0 {
				return nil, info, nil
			}
			vecs, err := m.Embed(ctx, texts)
			return vecs, info, err
		}
	}
	g, err := e.gloveModel()
	if err != nil {
		return nil, journal.EmbeddingModel{}, err
	}
	info := journal.EmbeddingModel{Name: g.Name(), Version: g.Version(), Dim: g.Dim()}
	if len(texts) == 0 {
		return nil, info, nil
	}
	vecs, err := g.Embed(ctx, texts)
	return vecs, info, err
}

// gloveModel returns the built-in GloVe embedding, loaded on first use.
func (e *Engine) gloveModel() (*wordvec.Model, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	if e.emb.glove == nil {
		g, err := wordvec.Default()
		if err != nil {
			return nil, fmt.Errorf("built-in embedding model: %w", err)
		}
		e.emb.glove = g
	}
	return e.emb.glove, nil
}

// transformer returns the installed embedding model c chooses, opened once
// for its folder and provider.
func (e *Engine) transformer(c choice) (*embed.Model, error) {
	key := c.key(c.embedDir)
	cached := func() (*embed.Model, error, bool) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.emb.model, e.emb.err, e.emb.key == key && (e.emb.model != nil || e.emb.err != nil)
	}
	if m, err, hit := cached(); hit {
		return m, err
	}
	e.opening.Lock()
	defer e.opening.Unlock()
	if m, err, hit := cached(); hit {
		return m, err
	}
	m, err := e.openEmbedding(c, c.embedDir, false)
	if err != nil {
		e.notices.Notify(fmt.Sprintf("the embedding model in %s does not load (%v); Memory Lane uses the built-in one until it does", c.embedDir, err))
	}
	e.mu.Lock()
	e.emb.model, e.emb.key, e.emb.err = m, key, err
	e.mu.Unlock()
	return m, err
}

// openEmbedding opens the export in dir on c's provider; it is closed with
// the Engine.
func (e *Engine) openEmbedding(c choice, dir string, quantized bool) (*embed.Model, error) {
	if e.isClosed() {
		return nil, ErrClosed
	}
	m, err := embed.Open(e.Runtime(), dir, embed.WithProvider(c.provider), embed.WithQuantized(quantized))
	if err != nil {
		return nil, err
	}
	e.keep(m.Close)
	return m, nil
}

// EmbeddingModel implements journal.EmbeddingModels: the embedding model in
// use.
func (e *Engine) EmbeddingModel(ctx context.Context) (journal.ModelInfo, error) {
	c, err := e.choose()
	if err != nil {
		return journal.ModelInfo{}, err
	}
	if c.embedDir != "" {
		if m, err := e.transformer(c); err == nil {
			return journal.ModelInfo{Name: m.Name(), Version: m.Version(), Source: c.embedDir,
				Detail: fmt.Sprintf("%d dimensions", m.Dim()), Provider: string(m.Provider())}, nil
		}
	}
	g, err := e.gloveModel()
	if err != nil {
		return journal.ModelInfo{}, err
	}
	return journal.ModelInfo{Name: g.Name(), Version: g.Version(), Source: "built-in",
		Detail: fmt.Sprintf("GloVe 6B word vectors, %d words, %d dimensions", g.Len(), g.Dim())}, nil
}

// InstallEmbeddingModel implements journal.EmbeddingModels: dir holds a
// Hugging Face ONNX sentence-embedding export (all-MiniLM-L6-v2, BGE-small
// and their kind), which must load and embed a text before it is recorded
// in the settings.
func (e *Engine) InstallEmbeddingModel(ctx context.Context, dir string, quantized bool) (journal.ModelInfo, error) {
	dir, err := absDir(dir)
	if err != nil {
		return journal.ModelInfo{}, err
	}
	c, err := e.choose()
	if err != nil {
		return journal.ModelInfo{}, err
	}
	m, err := e.openEmbedding(c, dir, quantized)
	if err != nil {
		return journal.ModelInfo{}, fmt.Errorf("not installed: %w", err)
	}
	if _, err := m.Embed(ctx, []string{"A first test of the model."}); err != nil {
		return journal.ModelInfo{}, fmt.Errorf("not installed: the model loads but does not run: %w", err)
	}
	if err := e.update(func(s *journal.Settings) { s.EmbeddingModel = dir }); err != nil {
		return journal.ModelInfo{}, err
	}
	if c, err := e.choose(); err == nil && c.embedDir == dir {
		e.mu.Lock()
		e.emb.model, e.emb.key, e.emb.err = m, c.key(dir), nil
		e.mu.Unlock()
	}
	return journal.ModelInfo{Name: m.Name(), Version: m.Version(), Source: dir,
		Detail: fmt.Sprintf("%d dimensions", m.Dim()), Provider: string(m.Provider())}, nil
}

// UseBuiltInEmbeddingModel implements journal.EmbeddingModels.
func (e *Engine) UseBuiltInEmbeddingModel() error {
	return e.update(func(s *journal.Settings) { s.EmbeddingModel = "" })
}

var _ journal.WordVectorer = (*Engine)(nil)

// WordVectors implements journal.WordVectorer with the built-in GloVe
// vectors, whatever model embeds whole texts: Memory Lane matches a
// search's words with the journal's near words through them. A word the
// vectors lack, or every word when they cannot be loaded, gets nil.
func (e *Engine) WordVectors(words []string) [][]float32 {
	g, err := e.gloveModel()
	if err != nil {
		return make([][]float32, len(words))
	}
	return g.WordVectors(words)
}
