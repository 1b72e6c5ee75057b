package journal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/samojournal/samo/journal/search"
)

// Snippet is a piece of an entry's text around what a search matched, with
// the matched words marked.
type Snippet = search.Snippet

// Why a result was found.
const (
	ByWords   = "words"   // it holds words of the search
	ByMeaning = "meaning" // the embedding model finds it close in meaning
	ByFeeling = "feeling" // its feelings are close
	ByFilter  = "filter"  // it passes the filters of a search without words
)

// Found is one result of a search or of "entries like this one".
type Found struct {
	Entry Entry `json:"-"`
	// ID and Created are the entry's, for JSON.
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// Score orders the results: larger is closer (a fused rank, not a
	// probability).
	Score   float64 `json:"score"`
	Snippet Snippet `json:"snippet"`
	// Why says what found it: ByWords, ByMeaning, ByFeeling or ByFilter.
	Why []string `json:"why"`
	// Words are the search's words the entry holds (as stemmed terms).
	Words []string `json:"words,omitempty"`
	// Moment is where a spoken entry's recording says the first of them
	// (nil for a typed entry, or when the words are not in its transcript).
	Moment *time.Duration `json:"moment_ns,omitempty"`
}

// candidates is how deep each ranking goes before fusion.
const candidates = 100

// rrfK is reciprocal rank fusion's k (the standard 60).
const rrfK = 60

// snippetBytes is the length of a result's snippet.
const snippetBytes = 180

// Search finds entries by their words (BM25) and, with an embedding model,
// by meaning, the rankings fused by reciprocal rank fusion. With a model
// that has word vectors (WordVectorer) the words also match the journal's
// near words at less weight, and a third ranking orders the candidates by
// how well their words cover the search's (see laneIndex.rank); every
// result passes q's filters, holds its phrases and none of its Not words.
// A search with filters and no words lists the entries that pass, newest
// first.
func (s *Service) Search(ctx context.Context, q SearchQuery) ([]Found, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	text := strings.Join(append(append([]string(nil), q.Words...), q.Phrases...), " ")
	terms := search.Terms(text)
	if len(terms) == 0 && len(q.Phrases) == 0 && strings.TrimSpace(text) != "" {
		// only common words ("the"), punctuation or emoji: nothing says
		// what to look for, and every entry is as near as any other
		return []Found{}, nil
	}
	var qvec []float32
	if s.embedder != nil && strings.TrimSpace(text) != "" {
		vecs, m, err := s.embedder.Embed(ctx, []string{text})
		if err == nil && len(vecs) == 1 {
			qvec = vecs[0]
			s.checkLaneModel(m)
		} else if err != nil && ctx.Err() == nil {
			s.warnOnce(&s.lastEmbedWarning, fmt.Sprintf("searching by words only: the embedding model failed (%v)", err))
		}
	}
	qfeel, qmask := s.queryFeeling(ctx, text)
	ix, err := s.readLane(ctx, nil)
	if err != nil {
		return nil, err
	}
	keep := q.keep(ix)
	// a Not word is the index's term ("cats" as "cat") or, when common,
	// hyphenated or of several words, looked for as written (notWords)
	var notTerms, notWords []string
	for _, n := range q.Not {
		if notAsTerm(n) {
			notTerms = append(notTerms, search.Terms(n)...)
		} else if w := wordsOf(n); w != "" {
			notWords = append(notWords, " "+w+" ")
		}
	}
	// a result must hold every word of the search's phrases (the phrase
	// itself is checked in its text below)
	var phraseTerms []string
	for _, p := range q.Phrases {
		phraseTerms = append(phraseTerms, search.Terms(p)...)
	}
	if len(phraseTerms) > 0 {
		base := keep
		keep = func(slot int) bool {
			for _, t := range phraseTerms {
				if !ix.words.Contains(slot, t) {
					return false
				}
			}
			return base(slot)
		}
	}
	if len(notTerms) > 0 {
		base := keep
		keep = func(slot int) bool {
			for _, t := range notTerms {
				if ix.words.Contains(slot, t) {
					return false
				}
			}
			return base(slot)
		}
	}
	var ranked []search.Hit
	words, meaning, feeling := map[int]bool{}, map[int]bool{}, map[int]bool{}
	if len(terms) == 0 && qvec == nil {
		for _, slot := range ix.order {
			if keep(slot) {
				ranked = append(ranked, search.Hit{Slot: slot})
			}
		}
	} else {
		t := defaultTuning
		t.depth = limit
		r := ix.rank(text, terms, qvec, qfeel, keep, t)
		for _, h := range r.words {
			words[h.Slot] = true
		}
		for _, h := range r.meaning {
			meaning[h.Slot] = true
		}
		ranked = r.fused
		if len(q.Phrases) > 0 {
			// every entry that may hold the phrases is looked at, the
			// ranked ones first: a phrase of common words ("in the
			// kitchen") is in more entries than the rankings go deep
			in := make(map[int]bool, len(ranked))
			for _, h := range ranked {
				in[h.Slot] = true
			}
			for _, slot := range ix.order {
				if !in[slot] && keep(slot) {
					ranked = append(ranked, search.Hit{Slot: slot})
					words[slot] = true
				}
			}
		}
		if qmask != 0 {
			for _, h := range ranked[:min(len(ranked), 2*limit)] {
				feeling[h.Slot] = ix.docs[h.Slot].feelings&qmask != 0
			}
		}
	}
	ids := make([]string, len(ranked))
	for i, h := range ranked {
		ids[i] = ix.docs[h.Slot].id
	}
	s.lane.mu.RUnlock()

	out := []Found{} // [] in JSON, not null
	err = s.eachLive(ctx, ids, func(i int, e Entry) bool {
		if !holdsPhrases(e.Text, q.Phrases, notWords) {
			return true
		}
		f := Found{Entry: e, ID: e.ID, Created: e.Created, Score: float64(ranked[i].Score), Snippet: search.MakeSnippet(e.Text, terms, snippetBytes)}
		slot := ranked[i].Slot
		if words[slot] {
			// found by near words only, it is found by meaning
			if f.Words = matchedTerms(e.Text, terms); f.Words != nil {
				f.Why = append(f.Why, ByWords)
			} else {
				meaning[slot] = true
			}
		}
		if meaning[slot] {
			f.Why = append(f.Why, ByMeaning)
		}
		if feeling[slot] {
			f.Why = append(f.Why, ByFeeling)
		}
		if f.Why == nil {
			f.Why = []string{ByFilter}
			if len(q.Phrases) > 0 { // it holds the phrases, of common words only
				f.Why = []string{ByWords}
			}
		}
		if e.Transcript != nil && len(f.Words) > 0 {
			if w, ok := FirstMoment(e.Transcript, f.Words); ok {
				f.Moment = &w.Start
			}
		}
		out = append(out, f)
		return len(out) < limit
	})
	if err != nil {
		return out, fmt.Errorf("journal: search: %w", err)
	}
	return out, nil
}

// queryFeeling returns the feelings read in a search's text as an
// entry's are (the model through the person's layer, readFeelings), as a
// profile like an entry's (see profile), and the labels found other than
// neutral as a mask like an entry's (bit i for EmotionLabels[i]); nil and
// 0 without a model, for a search of no words, or when the model fails
// (the search then goes on without them).
func (s *Service) queryFeeling(ctx context.Context, text string) ([]float32, uint32) {
	if s.analyzer == nil || strings.TrimSpace(text) == "" || defaultTuning.feeling <= 0 {
		return nil, 0
	}
	em, err := s.readFeelings(ctx, text)
	if err != nil {
		return nil, 0
	}
	var mask uint32
	for _, l := range em.Labels {
		if i, ok := labelIndex[l]; ok && l != "neutral" {
			mask |= 1 << i
		}
	}
	return profile(Entry{Emotions: em}), mask
}

// eachLive reads the entries with the given ids in turn, leaving out any
// deleted since the index was read, and gives each to f with its place in
// ids until f returns false.
func (s *Service) eachLive(ctx context.Context, ids []string, f func(i int, e Entry) bool) error {
	for i, id := range ids {
		e, err := s.store.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !f(i, e) {
			return nil
		}
	}
	return nil
}

// holdsPhrases reports whether text holds every phrase (any case, any
// spacing) and none of notWords (each a wordsOf reading between spaces,
// matched as whole words).
func holdsPhrases(text string, phrases, notWords []string) bool {
	if len(phrases) > 0 {
		folded := foldSpace(text)
		for _, p := range phrases {
			if !strings.Contains(folded, foldSpace(p)) {
				return false
			}
		}
	}
	if len(notWords) > 0 {
		words := " " + wordsOf(text) + " "
		for _, n := range notWords {
			if strings.Contains(words, n) {
				return false
			}
		}
	}
	return true
}

// notAsTerm reports whether a Not word is checked as the index's term
// ("cats" as "cat"): a single word of letters and digits that is not a
// stop word. Others ("the", "don't", "well-being", "last summer") are
// looked for as they are written, as whole words of the text.
func notAsTerm(n string) bool {
	if strings.ContainsFunc(n, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		return false
	}
	return len(search.Terms(n)) == 1
}

// wordsOf lower-cases s and keeps its words (letters, digits, and the
// apostrophes and hyphens inside them), one space between each.
func wordsOf(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "’", "'")
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '-'
	})
	out := fields[:0]
	for _, f := range fields {
		if f = strings.Trim(f, "'-"); f != "" {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

// matchedTerms returns the terms that text holds, each once.
func matchedTerms(text string, terms []string) []string {
	has := map[string]bool{}
	for _, t := range search.Terms(text) {
		has[t] = true
	}
	var out []string
	for _, t := range terms {
		if has[t] {
			out = append(out, t)
			has[t] = false
		}
	}
	return out
}

// checkLaneModel drops the index when its meaning vectors are of another
// model than m (the person chose another embedding model): the next use
// builds it again with m.
func (s *Service) checkLaneModel(m EmbeddingModel) {
	s.lane.mu.RLock()
	stale := s.lane.ix != nil && s.lane.ix.model != m
	s.lane.mu.RUnlock()
	if stale {
		s.lane.reset()
	}
}

// Similarity says how "entries like this one" are found.
type Similarity string

// The ways of Similar.
const (
	SimilarMeaning Similarity = ByMeaning // by what the texts say
	SimilarFeeling Similarity = ByFeeling // by the feelings ("times I felt like this")
	SimilarBoth    Similarity = "both"    // both rankings fused
)

// ParseSimilarity reads --by's value.
func ParseSimilarity(s string) (Similarity, error) {
	switch v := Similarity(strings.ToLower(strings.TrimSpace(s))); v {
	case SimilarMeaning, SimilarFeeling, SimilarBoth:
		return v, nil
	case "":
		return SimilarBoth, nil
	}
	return "", fmt.Errorf("%w: similar by %q: use meaning, feeling or both", ErrBadQuery, s)
}

// Similar returns the entries most like the entry with the given id, by
// meaning (its embedding), by feeling (its 28 emotion scores, the person's
// corrections counted first: "times I felt like this") or both fused; the
// entry itself is left out, and so is anything f does not keep.
func (s *Service) Similar(ctx context.Context, id string, by Similarity, f Filter, limit int) ([]Found, error) {
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	id = entryID(id)
	e, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("journal: entries like %s: %w", id, err)
	}
	var mvec []float32
	if by != SimilarFeeling && s.embedder != nil && e.Text != "" {
		_, m, err := s.embedder.Embed(ctx, nil)
		if err == nil {
			s.checkLaneModel(m)
			if m.made(e.Embedding) {
				mvec = e.Embedding.Vector
			} else if got := s.embed(ctx, e.Text); got != nil {
				mvec = got.Vector
			}
		}
	}
	fvec := profile(e)
	switch {
	case by == SimilarMeaning && mvec == nil:
		return nil, fmt.Errorf("journal: entries like %s by meaning: %w", id, noMeaning(s, e))
	case by == SimilarFeeling && fvec == nil:
		return nil, fmt.Errorf("journal: times you felt like %s: the entry has no emotions read yet (samo reanalyze reads them)", id)
	}
	ix, err := s.readLane(ctx, nil)
	if err != nil {
		return nil, err
	}
	base := f.keep(ix)
	self, ok := ix.slots[id]
	if !ok {
		self = -1
	}
	keep := func(slot int) bool { return slot != self && base(slot) }
	var byMeaning, byFeeling []search.Hit
	if mvec != nil && by != SimilarFeeling && ix.meaning != nil && len(mvec) == ix.meaning.Dim() {
		byMeaning = ix.meaning.Nearest(mvec, keep, max(candidates, 2*limit))
	}
	if fvec != nil && by != SimilarMeaning {
		byFeeling = ix.feeling.Nearest(fvec, keep, max(candidates, 2*limit))
	}
	ranked := search.Fuse(rrfK, byMeaning, byFeeling)
	if by == SimilarMeaning {
		ranked = byMeaning
	} else if by == SimilarFeeling {
		ranked = byFeeling
	}
	in := func(hs []search.Hit) map[string]bool {
		m := map[string]bool{}
		for _, h := range hs[:min(len(hs), limit*2)] {
			m[ix.docs[h.Slot].id] = true
		}
		return m
	}
	meaningIDs, feelingIDs := in(byMeaning), in(byFeeling)
	ids := make([]string, 0, min(len(ranked), limit*2))
	scores := make([]float64, 0, cap(ids))
	for _, h := range ranked[:min(len(ranked), limit*2)] {
		ids = append(ids, ix.docs[h.Slot].id)
		scores = append(scores, float64(h.Score))
	}
	s.lane.mu.RUnlock()

	out := []Found{} // [] in JSON, not null
	err = s.eachLive(ctx, ids, func(i int, fe Entry) bool {
		fid := fe.ID
		found := Found{Entry: fe, ID: fe.ID, Created: fe.Created, Score: scores[i], Snippet: search.MakeSnippet(fe.Text, nil, snippetBytes)}
		if meaningIDs[fid] {
			found.Why = append(found.Why, ByMeaning)
		}
		if feelingIDs[fid] {
			found.Why = append(found.Why, ByFeeling)
		}
		out = append(out, found)
		return len(out) < limit
	})
	if err != nil {
		return out, fmt.Errorf("journal: entries like %s: %w", id, err)
	}
	return out, nil
}

// noMeaning says why an entry cannot be compared by meaning.
func noMeaning(s *Service, e Entry) error {
	switch {
	case s.embedder == nil:
		return ErrNoEmbedder
	case e.Text == "":
		return fmt.Errorf("the entry has no text yet")
	}
	return fmt.Errorf("the embedding model could not read it")
}

// alignRanking ranks the candidates of the other rankings by how well
// their words cover the search's words (search.SoftQuery.Align).
func alignRanking(ix *laneIndex, q *search.SoftQuery, rankings ...[]search.Hit) []search.Hit {
	seen := map[int]bool{}
	var out []search.Hit
	for _, r := range rankings {
		for _, h := range r {
			if !seen[h.Slot] {
				seen[h.Slot] = true
				out = append(out, search.Hit{Slot: h.Slot, Score: q.Align(ix.words, h.Slot)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b search.Hit) int { return cmp.Compare(b.Score, a.Score) })
	return out
}

// laneTuning is how a search's rankings are made and fused.
type laneTuning struct {
	// soft widens the search's words to the journal's near words (see
	// nearPerWord) when the embedder has word vectors.
	soft bool
	// align adds the ranking of the candidates by how well their words
	// cover the search's words (search.SoftQuery.Align), each search word
	// weighted by its IDF in the journal when alignIDF is set.
	align    bool
	alignIDF bool
	// blend, when above 0 and the search has both a meaning vector and an
	// alignment, orders the candidates by their meaning's cosine with the
	// search's plus blend × their alignment score (see blendRanking)
	// instead of fusing the rankings by RRF.
	blend float64
	// lengthK, when above 0, scales a blended score by n/(n + lengthK), n
	// the entry's number of distinct words (see blendRanking).
	lengthK float64
	// feeling is the weight, in a blended score, of the cosine of the
	// search's feelings (as the emotion model reads its words) with the
	// entry's (see blendRanking).
	feeling float64
	weights [3]float64 // RRF weights of the words, meaning and alignment rankings
	// depth, when above candidates, is how deep the words ranking goes
	// (the meaning ranking half as deep): a search asking for more results
	// than candidates gets as many.
	depth int
}

// defaultTuning is Search's: every part; the candidates ordered by meaning
// and alignment scores together, equally weighted (of blend 0.7, 1 and 1.5,
// 1 scored best on queries.json), with the length prior at 2 (1: MRR
// 0.513, 2: 0.532, 4: 0.532, 8: 0.543; without it 0.492) and the
// search's feelings at 0.2 (with the built-in emotion model, inference/
// engine's TestSearch_RetrievalQualityWithFeelings: 0.1: MRR 0.52, 0.2:
// 0.54, 0.4: 0.53; without them 0.53). README's "How well it finds,
// measured" has the figures; TestLaneIndex_RankVariants the other
// settings.
var defaultTuning = laneTuning{soft: true, align: true, alignIDF: true, blend: 1, lengthK: 2, feeling: 0.2, weights: [3]float64{1, 1, 1}}

// laneRankings are a search's rankings and their fusion.
type laneRankings struct {
	words, meaning, align, fused []search.Hit
}

// rank ranks the entries keep allows for a search of text (its terms, its
// meaning vector qvec and its feelings qfeel, each nil without) with the
// index's read lock held.
func (ix *laneIndex) rank(text string, terms []string, qvec, qfeel []float32, keep func(int) bool, t laneTuning) laneRankings {
	var r laneRankings
	weighted := make([]search.Weighted, len(terms))
	for i, t := range terms {
		weighted[i] = search.Weighted{Term: t, Weight: 1}
	}
	var soft *search.SoftQuery
	if t.soft {
		soft = ix.softQuery(text, t.alignIDF)
	}
	if soft != nil {
		weighted = soft.Expand(ix.words, nearPerWord, nearFloor, nearPower)
	}
	depth := max(candidates, t.depth)
	r.words = ix.words.Search(weighted, keep, depth)
	if qvec != nil && ix.meaning != nil && len(qvec) == ix.meaning.Dim() {
		r.meaning = ix.meaning.Nearest(qvec, keep, depth/2)
		// a vector at a right angle or beyond says nothing alike
		for len(r.meaning) > 0 && r.meaning[len(r.meaning)-1].Score <= 0 {
			r.meaning = r.meaning[:len(r.meaning)-1]
		}
	}
	if soft != nil && t.align {
		r.align = alignRanking(ix, soft, r.words, r.meaning)
	}
	if t.blend > 0 && r.align != nil && qvec != nil && ix.meaning != nil && len(qvec) == ix.meaning.Dim() {
		r.fused = blendRanking(ix, qvec, qfeel, r.align, t)
		return r
	}
	r.fused = search.FuseWeighted(rrfK, t.weights[:], r.words, r.meaning, r.align)
	return r
}

// blendRanking orders the candidates of align (every candidate of the
// other rankings, with its alignment score) by the cosine of their meaning
// vector with qvec (0 without one) plus blend × their alignment score.
// Both scores are cosines of the same word vectors' kind, so they add
// without rescaling; the words ranking only brings candidates: its BM25
// scores do not compare with them, and an entry that holds the search's
// words aligns with them fully.
//
// With lengthK above 0 the sum is scaled by n/(n + lengthK), n the entry's
// number of distinct words (stop words aside): a length prior. Both scores
// are cosines, normalised for length, and cosine normalisation favours
// short texts beyond their chance of being what is sought (Singhal,
// Buckley and Mitra, "Pivoted Document Length Normalization", SIGIR 1996);
// a few words' average is also a noisier estimate of what a text means.
// At lengthK 2 an entry of 3 words keeps 60 % of its score, one of 10
// words 83 %, one of 40 words 95 %.
//
// With the search's feelings qfeel, t.feeling × their cosine with the
// entry's feelings is added ("heartbroken" is nearer an entry read as grief
// and sadness than one read as joy); an entry without feelings read adds
// nothing.
func blendRanking(ix *laneIndex, qvec, qfeel []float32, align []search.Hit, t laneTuning) []search.Hit {
	out := make([]search.Hit, len(align))
	for i, h := range align {
		var cos float32
		if v := ix.meaning.Get(h.Slot); v != nil {
			cos = search.Dot(qvec, v)
		}
		score := cos + float32(t.blend)*h.Score
		if t.lengthK > 0 {
			n := float64(len(ix.words.DocTerms(h.Slot)))
			score *= float32(n / (n + t.lengthK))
		}
		if qfeel != nil && t.feeling > 0 {
			if f := ix.feeling.Get(h.Slot); f != nil {
				score += float32(t.feeling) * search.Dot(qfeel, f)
			}
		}
		out[i] = search.Hit{Slot: h.Slot, Score: score}
	}
	slices.SortStableFunc(out, func(a, b search.Hit) int { return cmp.Compare(b.Score, a.Score) })
	return out
}
