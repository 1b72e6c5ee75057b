package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"
)

// Service is the journal as the CLI and the GUI see it: it validates what a
// person writes and saves it through a Store.
type Service struct {
	store       Store
	now         func() time.Time
	log         *slog.Logger
	notices     *Notices
	analyzer    Analyzer
	decoder     AudioDecoder
	transcriber Transcriber
	settings    *SettingsFile
	models      Models
	manager     ModelManager
	embedder    Embedder
	// lastWarning and lastEmbedWarning are the last failed reading's and
	// embedding's notices: the same one is not given again for every entry
	// that follows.
	lastWarning, lastEmbedWarning atomic.Pointer[string]
	// lastDamage is the last notice of damaged entries left out of a read.
	lastDamage atomic.Pointer[string]
	// lane is Memory Lane's index, built on first use (see lane.go).
	lane lane
	// personal is the journal's personal layer, read on first use (see
	// personalize.go).
	personal personalState
	// latency keeps how long the last readings took (see health.go).
	latency latencies
}

// Analyzer reads the emotions of an entry's text. inference/emotion's
// Classifier is the real one.
type Analyzer interface {
	// AnalyzeText returns the emotions of one text, with the model's name
	// and version filled in.
	AnalyzeText(ctx context.Context, text string) (*Emotions, error)
	// ModelName and ModelVersion identify the model.
	ModelName() string
	ModelVersion() string
}

// Explainer is an Analyzer that can also say why it read what it read.
// inference/emotion's Classifier is one.
type Explainer interface {
	// ExplainText returns, for each emotion the model finds in text, the
	// words or phrases that raised it most, strongest first.
	ExplainText(ctx context.Context, text string) ([]Why, error)
}

// Why is what raised one emotion in a reading.
type Why struct {
	Label string  `json:"label"`
	Score float32 `json:"score"`
	// Words are the text's words or phrases that raised it most.
	Words []Push `json:"words"`
}

// Push is a word or phrase of a text and how much it raised an emotion
// (the model's own measure: larger is more).
type Push struct {
	Text   string  `json:"text"`
	Weight float32 `json:"weight"`
}

// ErrCannotExplain is returned by Explain when no emotion model that can
// explain its readings is in use.
var ErrCannotExplain = errors.New("journal: the emotion model in use cannot explain its readings")

// WithAnalyzer makes the Service read the emotions of every entry it saves.
// Without one, entries are saved without emotions.
func WithAnalyzer(a Analyzer) Option { return func(s *Service) { s.analyzer = a } }

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock the Service stamps entries with (tests use it).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets where the Service logs warnings, such as a repaired text
// (they are also given to its Notices).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithNotices sets where the Service gives the notices a person should see
// (see Notices); without it the Service has Notices of its own.
func WithNotices(n *Notices) Option { return func(s *Service) { s.notices = n } }

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(s)
	}
	if s.notices == nil {
		s.notices = NewNotices()
	}
	if d, ok := store.(DamageStore); ok {
		d.OnDamage(s.damaged)
	}
	if w, ok := store.(WarningStore); ok {
		for _, msg := range w.Warnings() {
			s.warn(msg)
		}
	}
	if r, ok := store.(ReadOnlyStore); ok && r.ReadOnly() {
		s.warn("the journal is open read-only (its folder or file is not writable): it can be read, and nothing can be saved")
	}
	return s
}

// damaged tells the person which entries a read left out, once for each
// different set of them.
func (s *Service) damaged(ids []string) {
	msg := DamagedMessage(ids)
	if last := s.lastDamage.Swap(&msg); last != nil && *last == msg {
		return
	}
	s.warn(msg)
}

// Notices are where the Service gives what a person should know that did
// not stop the work (listen to show them).
func (s *Service) Notices() *Notices { return s.notices }

// warn logs msg and gives it to the notices.
func (s *Service) warn(msg string, args ...any) {
	s.log.Warn(msg, args...)
	s.notices.Notify(msg)
}

// newID returns a new entry id for an entry created at t: a ULID, which
// sorts in creation order.
func newID(t time.Time) (string, error) {
	id, err := ulid.New(ulid.Timestamp(t), ulid.DefaultEntropy())
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// maxRetries is how often the Service re-reads an entry and applies its
// change again when another write came first (ErrConflict).
const maxRetries = 8

// modify applies change to the stored entry with the given id and saves
// it, based on the revision it read: when another write came first, it
// reads the entry again and applies change again, so both writes are kept.
// read, when not nil, is the entry as the caller already read it: it is
// tried first, without reading it again.
func (s *Service) modify(ctx context.Context, id string, read *Entry, change func(*Entry) error) (Entry, error) {
	id = entryID(id)
	for try := 0; ; try++ {
		var e Entry
		if try == 0 && read != nil {
			e = *read
		} else {
			var err error
			if e, err = s.store.Get(ctx, id); err != nil {
				return Entry{}, err
			}
		}
		if err := change(&e); err != nil {
			return Entry{}, err
		}
		if err := e.Validate(); err != nil {
			return Entry{}, err
		}
		err := s.store.Put(ctx, e)
		if err == nil {
			e.Revision++
			s.lane.put(e)
			return e, nil
		}
		if !errors.Is(err, ErrConflict) || try == maxRetries {
			return Entry{}, err
		}
	}
}

// Add saves a new entry with the given text, stamped now. Ending ctx
// while its emotions are read saves it without them.
func (s *Service) Add(ctx context.Context, text string) (Entry, error) {
	return s.AddAt(ctx, text, s.now())
}

// AddAt saves a new entry with the given text, creation time and tags (for
// back-dated entries, imports and tests). The time keeps its zone.
func (s *Service) AddAt(ctx context.Context, text string, at time.Time, tags ...string) (Entry, error) {
	clean, err := s.clean(text)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: add entry: %w", err)
	}
	if tags, err = CleanTags(tags); err != nil {
		return Entry{}, fmt.Errorf("journal: add entry: %w", err)
	}
	if err := CheckTime(at); err != nil {
		return Entry{}, err
	}
	id, err := newID(at)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: add entry: %w", err)
	}
	e := Entry{ID: id, Created: at, Updated: at, Zone: ZoneName(at.Location()), Text: clean, Tags: tags}
	e.Emotions = s.analyze(ctx, clean)
	e.Embedding = s.embed(ctx, clean)
	if err := e.Validate(); err != nil {
		return Entry{}, fmt.Errorf("journal: add entry: %w", err)
	}
	// The text is saved even when ctx ended during the reading (the person
	// chose not to wait for it): a reading is never worth losing text.
	if err := s.store.Put(context.WithoutCancel(ctx), e); err != nil {
		return Entry{}, fmt.Errorf("journal: add entry: %w", err)
	}
	e.Revision++
	s.lane.put(e)
	return e, nil
}

// Update replaces the text of the entry with the given id, and its emotions
// with a reading of the new text. The reading is made before the entry is
// written, so a change made meanwhile (a correction, a transcript) is kept.
func (s *Service) Update(ctx context.Context, id, text string) (Entry, error) {
	clean, err := s.clean(text)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: update entry %s: %w", id, err)
	}
	e, err := s.store.Get(ctx, entryID(id))
	if err != nil {
		return Entry{}, fmt.Errorf("journal: update entry %s: %w", id, err)
	}
	if e.Text == clean {
		return e, nil
	}
	var em *Emotions
	if s.analyzer != nil {
		em = s.analyze(ctx, clean)
	}
	emb := s.embed(ctx, clean)
	// saved even when ctx ended during the reading, as AddAt does
	e, err = s.modify(context.WithoutCancel(ctx), id, &e, func(e *Entry) error {
		e.Text = clean
		e.Updated = s.now()
		if s.analyzer != nil {
			// the old reading is of the old text: replace it, even with none
			e.Emotions = em
		}
		e.Embedding = emb // the old one is of the old text
		return nil
	})
	if err != nil {
		return Entry{}, fmt.Errorf("journal: update entry %s: %w", id, err)
	}
	return e, nil
}

// CanExplain reports whether Explain can work: the Service has an emotion
// model that explains its readings.
func (s *Service) CanExplain() bool {
	_, ok := s.analyzer.(Explainer)
	return ok
}

// Explain says why the emotion model reads the entry with the given id as
// it does: for each emotion it finds, the words that raised it most. It
// reads the entry's text afresh with the model in use.
func (s *Service) Explain(ctx context.Context, id string) ([]Why, error) {
	x, ok := s.analyzer.(Explainer)
	if !ok {
		return nil, ErrCannotExplain
	}
	e, err := s.store.Get(ctx, entryID(id))
	if err != nil {
		return nil, fmt.Errorf("journal: explain entry %s: %w", id, err)
	}
	if e.Wordless() {
		return nil, fmt.Errorf("journal: explain entry %s: %w", id, ErrEmptyText)
	}
	ws, err := x.ExplainText(ctx, e.Text)
	if err != nil {
		return nil, fmt.Errorf("journal: explain entry %s: %w", id, err)
	}
	return ws, nil
}

// Correct records the person's own emotion labels for the entry with the
// given id (see CleanLabels for what they may be); a re-analysis never
// changes them, and the model's reading is kept beside them. No labels
// removes the correction, so the model's reading shows again.
func (s *Service) Correct(ctx context.Context, id string, labels []string) (Entry, error) {
	clean, err := CleanLabels(labels)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: correct entry %s: %w", id, err)
	}
	e, err := s.modify(ctx, id, nil, func(e *Entry) error {
		if len(clean) == 0 {
			e.Corrections = nil
		} else {
			e.Corrections = &Corrections{Labels: clean, At: s.now()}
		}
		return nil
	})
	if err != nil {
		return Entry{}, fmt.Errorf("journal: correct entry %s: %w", id, err)
	}
	if e.Corrected() {
		s.offerPersonalize(ctx)
	}
	return e, nil
}

// entryID is id as the store keys it: SAMO ids are matched without regard
// to case or surrounding space; any other id (one imported before imported
// ids were checked) is matched as it is.
func entryID(id string) string {
	if u := strings.ToUpper(strings.TrimSpace(id)); ValidID(u) {
		return u
	}
	return id
}

// analyze reads text's emotions, or returns nil without an analyzer or
// when analysis fails: the entry is saved either way, and the failure is
// logged so that `samo reanalyze` can fill it in later.
func (s *Service) analyze(ctx context.Context, text string) *Emotions {
	if s.analyzer == nil {
		return nil
	}
	start := time.Now()
	em, err := s.readFeelings(ctx, text)
	if err == nil {
		s.latency.add(time.Since(start))
	}
	if err != nil && ctx.Err() != nil {
		s.log.Info("emotions not read: the reading was stopped", "err", err)
		return nil
	}
	if err != nil {
		s.warnOnce(&s.lastWarning, fmt.Sprintf("emotions are not read (%v); the entry is saved without them, and re-reading the journal (samo reanalyze) adds them later", err))
		return nil
	}
	return em
}

// readFeelings reads the emotions of text as an entry's are read: by the
// model, through the person's layer when they have one.
func (s *Service) readFeelings(ctx context.Context, text string) (*Emotions, error) {
	em, err := s.analyzer.AnalyzeText(ctx, text)
	if err != nil {
		return nil, err
	}
	if l := s.personalLayer(ctx); l != nil {
		em = applyLayer(em, l)
	}
	return em, nil
}

// warnOnce gives msg as a notice unless it was the last one given through
// last: a failure met for every entry is told once.
func (s *Service) warnOnce(last *atomic.Pointer[string], msg string) {
	if old := last.Swap(&msg); old == nil || *old != msg {
		s.warn(msg)
	} else {
		s.log.Warn(msg) // said already: the person is not told again
	}
}

// ReanalyzeProgress reports re-analysis progress: done of total entries.
type ReanalyzeProgress func(done, total int)

// Reanalyze reads again the emotions of every entry that has none or was
// read by another model or version (all entries with force), and saves
// each; recordings waiting for their transcript have no text to read and
// are left for SetTranscript. The person's corrections are kept as they are. It returns how many
// entries were re-read.
func (s *Service) Reanalyze(ctx context.Context, force bool, progress ReanalyzeProgress) (int, error) {
	if s.analyzer == nil {
		return 0, errors.New("journal: reanalyze: no emotion model")
	}
	name, version := s.analyzer.ModelName(), s.analyzer.ModelVersion()
	layer, err := s.currentLayer(ctx)
	if err != nil { // re-reading now would read without the person's layer
		return 0, fmt.Errorf("journal: reanalyze: %w", err)
	}
	personalName := ""
	if layer != nil {
		personalName = layer.Name
	}
	var ids []string
	err = s.store.Each(ctx, func(e Entry) error {
		if e.Wordless() {
			return nil // a recording without words (yet): SetTranscript reads it
		}
		if force || e.Emotions == nil || e.Emotions.Model != name || e.Emotions.Version != version || e.Emotions.Personal != personalName {
			ids = append(ids, e.ID)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("journal: reanalyze: %w", err)
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return i, fmt.Errorf("journal: reanalyze: stopped after %d of %d: %w", i, len(ids), err)
		}
		e, err := s.store.Get(ctx, id)
		if err != nil {
			return i, fmt.Errorf("journal: reanalyze %s: %w", id, err)
		}
		em, err := s.reread(ctx, e, force, layer)
		if err != nil {
			return i, fmt.Errorf("journal: reanalyze %s: %w", id, err)
		}
		_, err = s.modify(ctx, id, &e, func(now *Entry) error {
			if now.Text == e.Text { // else it was edited meanwhile, and read then
				now.Emotions = em
			}
			return nil
		})
		if err != nil {
			return i, fmt.Errorf("journal: reanalyze %s: %w", id, err)
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return len(ids), nil
}

// reread reads an entry's emotions again: with the model, or, when only
// the personal layer changed since the model read it, from the model's
// scores kept with it.
func (s *Service) reread(ctx context.Context, e Entry, force bool, layer *storedLayer) (*Emotions, error) {
	if em := e.Emotions; !force && em != nil && em.Model == s.analyzer.ModelName() && em.Version == s.analyzer.ModelVersion() {
		if layer != nil {
			return applyLayer(em, layer), nil
		}
		return modelReading(em, s.baseThresholds()), nil
	}
	em, err := s.analyzer.AnalyzeText(ctx, e.Text)
	if err != nil {
		return nil, err
	}
	if layer != nil {
		em = applyLayer(em, layer)
	}
	return em, nil
}

// Get returns one entry by id. Ids are matched without regard to case.
func (s *Service) Get(ctx context.Context, id string) (Entry, error) {
	e, err := s.store.Get(ctx, entryID(id))
	if err != nil {
		return Entry{}, fmt.Errorf("journal: get entry %s: %w", id, err)
	}
	return e, nil
}

// List returns entries newest first.
func (s *Service) List(ctx context.Context, q Query) ([]Entry, error) {
	es, err := s.store.List(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("journal: list entries: %w", err)
	}
	return es, nil
}

// Delete removes an entry.
func (s *Service) Delete(ctx context.Context, id string) error {
	if err := s.store.Delete(ctx, entryID(id)); err != nil {
		return fmt.Errorf("journal: delete entry %s: %w", id, err)
	}
	s.lane.remove(entryID(id))
	return nil
}

// Each calls f for every entry, oldest first.
func (s *Service) Each(ctx context.Context, f func(Entry) error) error {
	return s.store.Each(ctx, f)
}

// Save stores an entry as it is, after Prepare, based on the revision it
// carries (ErrConflict when the stored entry has changed since).
func (s *Service) Save(ctx context.Context, e Entry) (Entry, error) {
	e, err := Prepare(e, s.now)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: save entry: %w", err)
	}
	if err := s.store.Put(ctx, e); err != nil {
		return Entry{}, fmt.Errorf("journal: save entry: %w", err)
	}
	e.Revision++
	s.lane.put(e)
	return e, nil
}

// Prepare readies an entry from elsewhere (an import) for saving: without a
// creation time it gets now(), without an update time its creation time,
// without an id one made from its creation time; then it is validated.
func Prepare(e Entry, now func() time.Time) (Entry, error) {
	if e.Created.IsZero() {
		e.Created = now()
	}
	if e.Updated.IsZero() {
		e.Updated = e.Created
	}
	if err := CheckTime(e.Created); err != nil {
		return Entry{}, err
	}
	if e.ID == "" {
		id, err := newID(e.Created)
		if err != nil {
			return Entry{}, err
		}
		e.ID = id
	}
	return e, e.Validate()
}

// Count returns the number of entries in the journal.
func (s *Service) Count(ctx context.Context) (int, error) {
	n, err := s.store.Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("journal: count entries: %w", err)
	}
	return n, nil
}

func (s *Service) clean(text string) (string, error) {
	clean, repaired, err := CleanText(text)
	if repaired {
		s.warn("the text was not valid UTF-8; invalid bytes were replaced with U+FFFD")
	}
	return clean, err
}
