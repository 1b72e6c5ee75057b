package journal

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/samojournal/samo/journal/search"
)

// Memory Lane's index lives in memory only: built from the entries on first
// use (the entries are read through the Store, so in an encrypted journal
// after it is unlocked), kept in step by every save the Service makes, and
// gone when the journal closes. Nothing of it is written to disk.

// lane holds the Service's index and what happens to it while it is built.
type lane struct {
	mu       sync.RWMutex
	ix       *laneIndex // nil until built
	building bool
	pending  []laneOp   // writes made while a build reads the journal
	build    sync.Mutex // one build at a time
}

// laneOp is a write to apply to the index: an entry saved, or removed.
type laneOp struct {
	e      Entry
	remove string
}

func (l *lane) apply(op laneOp) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.building {
		l.pending = append(l.pending, op)
	}
	if l.ix != nil {
		l.ix.apply(op)
	}
}

// put brings an entry just saved into the index, if it is built.
func (l *lane) put(e Entry) { l.apply(laneOp{e: e}) }

// remove takes an entry just deleted out of the index, if it is built.
func (l *lane) remove(id string) { l.apply(laneOp{remove: id}) }

// reset drops the index: the next use builds it again.
func (l *lane) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ix = nil
}

// laneIndex is the index of every entry: words (BM25), meaning (the
// embedding model's vectors), feeling (28 emotion scores) and what filters
// need.
type laneIndex struct {
	model   EmbeddingModel // of the meaning vectors; zero without a model
	slots   map[string]int // entry id → slot
	docs    []laneDoc      // by slot; id "" for a free slot
	free    []int
	words   *search.Words
	meaning *search.Vectors // nil without an embedding model
	feeling *search.Vectors
	// wordVecs gives words' vectors (the embedder's WordVectorer), nil
	// without; termVecs holds, by term id of words, the sum of the vectors
	// of the words the term was read from (nil until one is known; see
	// putTermVectors).
	wordVecs func([]string) [][]float32
	termVecs *search.Vectors
	// termScale is, by term id, one over the length of its vector in
	// termVecs (a sum of its words' vectors); termForms holds the words
	// whose vectors are in the sums.
	termScale []float32
	termForms map[string]bool
	// termWords holds, by term id of words, the word the term was first
	// read from (what insights show for a stem).
	termWords []string
	// order is the used slots, newest first; nil when a write has made it
	// stale (see sorted).
	order []int
	// unsaved counts entries whose meaning vector was made at build time
	// because none of the model in use was stored (samo reindex saves them).
	unsaved int
}

// laneDoc is what the index keeps of an entry besides its words and vectors.
type laneDoc struct {
	id        string
	created   time.Time
	wall      int64 // created's wall clock where it was written, as seconds (wallClock)
	tags      []string
	feelings  uint32 // bit i set: EmotionLabels[i] is one of its feelings
	dominant  int8   // index in EmotionLabels of its strongest feeling; -1 none
	audio     bool
	corrected bool
	// scores are the entry's 28 emotion scores as insights count them
	// (truthScores), in steps of 1/255; scored is false when it has none.
	scores [28]uint8
	scored bool
}

// wallClock returns t's reading on the clock where it is, as seconds
// since the Unix epoch read as UTC: 23:00 on 29 February in Hawaii and
// 23:00 on 29 February in London read the same. The filters compare
// entries by it, as the timeline counts them by the day where they were
// written.
func wallClock(t time.Time) int64 {
	_, off := t.Zone()
	return t.Unix() + int64(off)
}

func newLaneIndex(m EmbeddingModel, wordVecs func([]string) [][]float32) *laneIndex {
	ix := &laneIndex{model: m, slots: map[string]int{}, words: search.NewWords(), feeling: search.NewVectors(len(EmotionLabels)), wordVecs: wordVecs}
	if m.Dim > 0 {
		ix.meaning = search.NewVectors(m.Dim)
	}
	return ix
}

func (ix *laneIndex) apply(op laneOp) {
	if op.remove != "" {
		ix.drop(op.remove)
		return
	}
	ix.put(op.e)
}

// put indexes e (replacing what its slot held) and returns its slot.
func (ix *laneIndex) put(e Entry) int {
	slot, ok := ix.slots[e.ID]
	if !ok {
		if n := len(ix.free); n > 0 {
			slot, ix.free = ix.free[n-1], ix.free[:n-1]
		} else {
			slot = len(ix.docs)
			ix.docs = append(ix.docs, laneDoc{})
		}
		ix.slots[e.ID] = slot
	}
	ix.docs[slot] = docOf(e)
	ix.order = nil
	terms, words := surfaceWords(e.Text)
	ix.words.Add(slot, terms)
	ix.putTermWords(terms, words)
	ix.putTermVectors(terms, words)
	if ix.meaning != nil {
		if ix.model.made(e.Embedding) && e.Text != "" {
			_ = ix.meaning.Set(slot, e.Embedding.Vector) // the length is checked by made
		} else {
			ix.meaning.Remove(slot)
		}
	}
	if p := profile(e); p != nil {
		_ = ix.feeling.Set(slot, p) // 28 values
	} else {
		ix.feeling.Remove(slot)
	}
	return slot
}

func (ix *laneIndex) drop(id string) {
	slot, ok := ix.slots[id]
	if !ok {
		return
	}
	delete(ix.slots, id)
	ix.docs[slot] = laneDoc{}
	ix.free = append(ix.free, slot)
	ix.order = nil
	ix.words.Remove(slot)
	if ix.meaning != nil {
		ix.meaning.Remove(slot)
	}
	ix.feeling.Remove(slot)
}

// labelIndex maps each emotion label to its place in EmotionLabels.
var labelIndex = func() map[string]int {
	m := make(map[string]int, len(EmotionLabels))
	for i, l := range EmotionLabels {
		m[l] = i
	}
	return m
}()

func docOf(e Entry) laneDoc {
	d := laneDoc{id: e.ID, created: e.Created, wall: wallClock(e.Created), tags: e.Tags, audio: e.Audio != nil, corrected: e.Corrected(), dominant: -1}
	for _, l := range e.Feelings() {
		if i, ok := labelIndex[l]; ok {
			d.feelings |= 1 << i
		}
	}
	d.dominant = int8(dominantFeeling(e))
	if sc, ok := truthScores(e); ok {
		d.scored = true
		for i, x := range sc {
			d.scores[i] = uint8(math.Round(float64(min(max(x, 0), 1)) * 255))
		}
	}
	return d
}

// dominantFeeling is the index of the entry's strongest feeling: of its
// feelings (corrections first), the one the model scored highest; -1 when
// it has none.
func dominantFeeling(e Entry) int {
	best, bestScore := -1, float32(-1)
	for _, l := range e.Feelings() {
		i, ok := labelIndex[l]
		if !ok {
			continue
		}
		var s float32
		if e.Emotions != nil && len(e.Emotions.Scores) == len(EmotionLabels) {
			s = e.Emotions.Scores[i]
		}
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

// profile is the entry's feeling as a unit vector over the 28 labels: the
// model's scores, with the person's corrections counted first (each
// corrected label a full 1, the model's scores at half weight beside
// them); nil when the entry has neither.
func profile(e Entry) []float32 {
	p := make([]float32, len(EmotionLabels))
	has := false
	if e.Emotions != nil && len(e.Emotions.Scores) == len(p) {
		copy(p, e.Emotions.Scores)
		has = true
	}
	if e.Corrected() {
		for i := range p {
			p[i] *= 0.5
		}
		for _, l := range e.Corrections.Labels {
			if i, ok := labelIndex[l]; ok {
				p[i] += 1
				has = true
			}
		}
	}
	if !has {
		return nil
	}
	var n float64
	for _, x := range p {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return nil
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range p {
		p[i] *= inv
	}
	return p
}

// sorted returns the used slots newest first. Call it with the write lock
// held when ix.order is nil.
func (ix *laneIndex) sort() {
	order := make([]int, 0, len(ix.slots))
	for _, slot := range ix.slots {
		order = append(order, slot)
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := ix.docs[b].created.Compare(ix.docs[a].created); c != 0 {
			return c
		}
		return compareStrings(ix.docs[b].id, ix.docs[a].id)
	})
	ix.order = order
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// LaneProgress reports the building of Memory Lane's index: done of total
// entries read.
type LaneProgress func(done, total int)

// PrepareLane builds Memory Lane's index now, reporting progress, unless it
// is built already; the first search, timeline or On This Day builds it
// otherwise. The window calls it when the journal opens.
func (s *Service) PrepareLane(ctx context.Context, progress LaneProgress) error {
	if _, err := s.readLane(ctx, progress); err != nil {
		return err
	}
	s.lane.mu.RUnlock()
	return nil
}

// readLane returns the index, built, with its read lock held: call
// s.lane.mu.RUnlock when done with it.
func (s *Service) readLane(ctx context.Context, progress LaneProgress) (*laneIndex, error) {
	for range 3 {
		s.lane.mu.RLock()
		if ix := s.lane.ix; ix != nil && ix.order != nil {
			return ix, nil
		}
		built := s.lane.ix != nil
		s.lane.mu.RUnlock()
		if built { // only its order is stale
			s.lane.mu.Lock()
			if s.lane.ix != nil && s.lane.ix.order == nil {
				s.lane.ix.sort()
			}
			s.lane.mu.Unlock()
			continue
		}
		if err := s.buildLane(ctx, progress); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("journal: memory lane: the index kept changing while it was built")
}

// buildLane reads every entry into a new index. Writes made meanwhile are
// kept aside and applied to it before it is put in place.
func (s *Service) buildLane(ctx context.Context, progress LaneProgress) error {
	s.lane.build.Lock()
	defer s.lane.build.Unlock()
	s.lane.mu.RLock()
	done := s.lane.ix != nil
	s.lane.mu.RUnlock()
	if done {
		return nil
	}
	var m EmbeddingModel
	if s.embedder != nil {
		var err error
		if _, m, err = s.embedder.Embed(ctx, nil); err != nil {
			s.warnOnce(&s.lastEmbedWarning, fmt.Sprintf("Memory Lane finds entries by their words and feelings only: the embedding model would not load (%v)", err))
			m = EmbeddingModel{}
		}
	}
	s.lane.mu.Lock()
	s.lane.building, s.lane.pending = true, nil
	s.lane.mu.Unlock()
	defer func() {
		s.lane.mu.Lock()
		s.lane.building, s.lane.pending = false, nil
		s.lane.mu.Unlock()
	}()

	total, err := s.store.Count(ctx)
	if err != nil {
		return fmt.Errorf("journal: memory lane: %w", err)
	}
	var wordVecs func([]string) [][]float32
	if m.Dim > 0 {
		wordVecs = wordVectorsOf(s.embedder)
	}
	ix := newLaneIndex(m, wordVecs)
	var missing []Entry // text without a meaning vector of the model in use
	n := 0
	err = s.store.Each(ctx, func(e Entry) error {
		ix.put(e)
		if ix.meaning != nil && e.Text != "" && !m.made(e.Embedding) {
			missing = append(missing, Entry{ID: e.ID, Text: e.Text})
		}
		n++
		if progress != nil && (n%256 == 0 || n == total) {
			progress(n, total)
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("journal: memory lane: %w", err)
	}
	if err := s.embedLane(ctx, ix, missing, func(done int) {
		if progress != nil {
			progress(done, len(missing))
		}
	}); err != nil {
		return err
	}
	ix.sort()
	s.lane.mu.Lock()
	defer s.lane.mu.Unlock()
	for _, op := range s.lane.pending {
		ix.apply(op)
	}
	if len(s.lane.pending) > 0 {
		ix.sort()
	}
	s.lane.ix = ix
	return nil
}

// embedLane gives the entries that have no stored vector of the model in
// use one in memory (told to the person: samo reindex saves them); step
// gets how many are done.
func (s *Service) embedLane(ctx context.Context, ix *laneIndex, missing []Entry, step func(done int)) error {
	done, err := s.embedBatches(ctx, missing, func(from int, embs []*Embedding) error {
		for i, emb := range embs {
			_ = ix.meaning.Set(ix.slots[missing[from+i].ID], emb.Vector)
		}
		ix.unsaved += len(embs)
		step(ix.unsaved)
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("journal: memory lane: %w", ctx.Err())
		}
		left := len(missing) - done
		s.warnOnce(&s.lastEmbedWarning, fmt.Sprintf("%d %s found by their words and feelings only: embedding failed (%v)", left, Plural(left, "entry is", "entries are"), err))
		return nil
	}
	if ix.unsaved > 0 {
		s.notices.Notify(fmt.Sprintf("%d %s no saved meaning for the embedding model in use (%s); Memory Lane made it for now, and re-indexing (samo reindex, or Settings) saves it",
			ix.unsaved, Plural(ix.unsaved, "entry had", "entries had"), ix.model.Name))
	}
	return nil
}
