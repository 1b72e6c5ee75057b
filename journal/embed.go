package journal

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Embedder turns texts into vectors for Memory Lane's "by meaning":
// inference/wordvec's GloVe model is the default, inference/embed's
// transformer exports replace it when installed.
type Embedder interface {
	// Embed returns one unit-length vector per text, in order, and the model
	// that made them. Given no texts it returns only the model, loading it
	// if needed.
	Embed(ctx context.Context, texts []string) ([][]float32, EmbeddingModel, error)
}

// EmbeddingModel names the model behind a set of vectors: vectors of
// different models (or versions) do not compare.
type EmbeddingModel struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Dim     int    `json:"dim"`
}

// made reports whether emb was made by the model m.
func (m EmbeddingModel) made(emb *Embedding) bool {
	return emb != nil && emb.Model == m.Name && emb.Version == m.Version && emb.Dim == m.Dim && len(emb.Vector) == m.Dim
}

// WithEmbedder makes the Service embed every text it saves and rank Memory
// Lane's "by meaning" with it. Without one, search is by words and feeling.
func WithEmbedder(e Embedder) Option { return func(s *Service) { s.embedder = e } }

// ErrNoEmbedder is returned by Reindex when the Service has no embedding
// model.
var ErrNoEmbedder = errors.New("journal: no embedding model")

// embedBatch is how many texts are embedded in one call.
const embedBatch = 64

// embedTexts embeds texts, checking what the model gives back.
func (s *Service) embedTexts(ctx context.Context, texts []string) ([]*Embedding, EmbeddingModel, error) {
	vecs, m, err := s.embedder.Embed(ctx, texts)
	if err != nil {
		return nil, m, err
	}
	if len(vecs) != len(texts) {
		return nil, m, fmt.Errorf("embedding model %s gave %d vectors for %d texts", m.Name, len(vecs), len(texts))
	}
	out := make([]*Embedding, len(vecs))
	for i, v := range vecs {
		if len(v) != m.Dim {
			return nil, m, fmt.Errorf("embedding model %s gave a vector of %d values, not %d", m.Name, len(v), m.Dim)
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, m, fmt.Errorf("embedding model %s gave a value that is not finite", m.Name)
			}
		}
		out[i] = &Embedding{Model: m.Name, Version: m.Version, Dim: m.Dim, Vector: v}
	}
	return out, m, nil
}

// embedBatches embeds the texts of es, embedBatch at a time, giving each
// batch's embeddings to each (es[from:from+len(embs)] are the batch's
// entries). It stops at the first error, returning how many were done.
func (s *Service) embedBatches(ctx context.Context, es []Entry, each func(from int, embs []*Embedding) error) (int, error) {
	for start := 0; start < len(es); start += embedBatch {
		batch := es[start:min(start+embedBatch, len(es))]
		texts := make([]string, len(batch))
		for i, e := range batch {
			texts[i] = e.Text
		}
		embs, _, err := s.embedTexts(ctx, texts)
		if err == nil {
			err = each(start, embs)
		}
		if err != nil {
			return start, err
		}
	}
	return len(es), nil
}

// embed returns text's embedding, or nil without an embedder, for an empty
// text, or when embedding fails: the entry is saved either way, and the
// failure is told once (samo reindex fills it in later).
func (s *Service) embed(ctx context.Context, text string) *Embedding {
	if s.embedder == nil || text == "" {
		return nil
	}
	es, _, err := s.embedTexts(ctx, []string{text})
	if err != nil {
		if ctx.Err() == nil {
			s.warnOnce(&s.lastEmbedWarning, fmt.Sprintf("entries are not indexed by meaning (%v); they are saved and found by their words, and re-indexing (samo reindex) adds the meaning later", err))
		}
		return nil
	}
	return es[0]
}

// ReindexProgress reports re-indexing progress: done of total entries.
type ReindexProgress func(done, total int)

// Reindex embeds again, with the embedding model in use, every entry whose
// stored embedding is missing or of another model (every entry with
// force), saving each. It returns how many entries it embedded.
func (s *Service) Reindex(ctx context.Context, force bool, progress ReindexProgress) (int, error) {
	if s.embedder == nil {
		return 0, ErrNoEmbedder
	}
	_, m, err := s.embedder.Embed(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("journal: reindex: %w", err)
	}
	var todo []Entry
	err = s.store.Each(ctx, func(e Entry) error {
		if e.Text != "" && (force || !m.made(e.Embedding)) {
			todo = append(todo, Entry{ID: e.ID, Text: e.Text})
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("journal: reindex: %w", err)
	}
	done := 0
	_, err = s.embedBatches(ctx, todo, func(from int, embs []*Embedding) error {
		for i, emb := range embs {
			e := todo[from+i]
			_, err := s.modify(ctx, e.ID, nil, func(stored *Entry) error {
				if stored.Text == e.Text {
					stored.Embedding = emb
				}
				return nil
			})
			if err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("entry %s: %w", e.ID, err)
			}
			done++
			if progress != nil {
				progress(done, len(todo))
			}
		}
		return nil
	})
	if err != nil {
		return done, fmt.Errorf("journal: reindex: %w", err)
	}
	return done, nil
}

// embedMissing gives the entries of es that have text but no embedding one
// (imports), in batches; on a failure they are saved without, and told
// once. An entry that comes with another model's vector keeps it, as it was
// exported (Memory Lane embeds it in memory, and Reindex saves that).
func (s *Service) embedMissing(ctx context.Context, es []Entry) {
	if s.embedder == nil {
		return
	}
	var idx []int
	var need []Entry
	for i, e := range es {
		if e.Text != "" && e.Embedding == nil {
			idx = append(idx, i)
			need = append(need, e)
		}
	}
	_, err := s.embedBatches(ctx, need, func(from int, embs []*Embedding) error {
		for j, emb := range embs {
			es[idx[from+j]].Embedding = emb
		}
		return nil
	})
	if err != nil {
		s.warnOnce(&s.lastEmbedWarning, fmt.Sprintf("imported entries are not indexed by meaning (%v); samo reindex adds it later", err))
	}
}
