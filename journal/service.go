package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
)

// Service is the journal as the CLI and the GUI see it: it validates what a
// person writes and saves it through a Store.
type Service struct {
	store    Store
	now      func() time.Time
	log      *slog.Logger
	analyzer Analyzer
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

// WithLogger sets where the Service reports warnings, such as a repaired text.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Add saves a new entry with the given text, stamped now.
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
	if err := CheckTime(at); err != nil {
		return Entry{}, err
	}
	id, err := ulid.New(ulid.Timestamp(at), ulid.DefaultEntropy())
	if err != nil {
		return Entry{}, fmt.Errorf("journal: add entry: new id: %w", err)
	}
	e := Entry{ID: id.String(), Created: at, Updated: at, Zone: ZoneName(at.Location()), Text: clean, Tags: tags}
	e.Emotions = s.analyze(ctx, clean)
	if err := e.Validate(); err != nil {
		return Entry{}, fmt.Errorf("journal: add entry: %w", err)
	}
	if err := s.store.Put(ctx, e); err != nil {
		return Entry{}, fmt.Errorf("journal: add entry: %w", err)
	}
	return e, nil
}

// Update replaces the text of the entry with the given id.
func (s *Service) Update(ctx context.Context, id, text string) (Entry, error) {
	clean, err := s.clean(text)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: update entry %s: %w", id, err)
	}
	e, err := s.store.Get(ctx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: update entry %s: %w", id, err)
	}
	if e.Text == clean {
		return e, nil
	}
	e.Text = clean
	e.Updated = s.now()
	if s.analyzer != nil {
		// the old reading is of the old text: replace it, even with none
		e.Emotions = s.analyze(ctx, clean)
	}
	if err := s.store.Put(ctx, e); err != nil {
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
	e, err := s.store.Get(ctx, entryID(id))
	if err != nil {
		return Entry{}, fmt.Errorf("journal: correct entry %s: %w", id, err)
	}
	if len(clean) == 0 {
		e.Corrections = nil
	} else {
		e.Corrections = &Corrections{Labels: clean, At: s.now()}
	}
	if err := s.store.Put(ctx, e); err != nil {
		return Entry{}, fmt.Errorf("journal: correct entry %s: %w", id, err)
	}
	return e, nil
}

// entryID is id as the store keys it: ids are matched without regard to
// case or surrounding space.
func entryID(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

// analyze reads text's emotions, or returns nil without an analyzer or
// when analysis fails: the entry is saved either way, and the failure is
// logged so that `samo reanalyze` can fill it in later.
func (s *Service) analyze(ctx context.Context, text string) *Emotions {
	if s.analyzer == nil {
		return nil
	}
	em, err := s.analyzer.AnalyzeText(ctx, text)
	if err != nil {
		s.log.Warn("emotions not read; the entry is saved without them (samo reanalyze retries)", "err", err)
		return nil
	}
	return em
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
	var ids []string
	err := s.store.Each(ctx, func(e Entry) error {
		if e.Wordless() {
			return nil // a recording without words (yet): SetTranscript reads it
		}
		if force || e.Emotions == nil || e.Emotions.Model != name || e.Emotions.Version != version {
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
		em, err := s.analyzer.AnalyzeText(ctx, e.Text)
		if err != nil {
			return i, fmt.Errorf("journal: reanalyze %s: %w", id, err)
		}
		e.Emotions = em
		if err := e.Validate(); err != nil {
			return i, fmt.Errorf("journal: reanalyze %s: %w", id, err)
		}
		if err := s.store.Put(ctx, e); err != nil {
			return i, fmt.Errorf("journal: reanalyze %s: %w", id, err)
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return len(ids), nil
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
	return nil
}

// Each calls f for every entry, oldest first.
func (s *Service) Each(ctx context.Context, f func(Entry) error) error {
	return s.store.Each(ctx, f)
}

// Save stores an entry as it is (for imports and re-analysis), after Prepare.
func (s *Service) Save(ctx context.Context, e Entry) (Entry, error) {
	e, err := Prepare(e, s.now)
	if err != nil {
		return Entry{}, fmt.Errorf("journal: save entry: %w", err)
	}
	if err := s.store.Put(ctx, e); err != nil {
		return Entry{}, fmt.Errorf("journal: save entry: %w", err)
	}
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
		id, err := ulid.New(ulid.Timestamp(e.Created), ulid.DefaultEntropy())
		if err != nil {
			return Entry{}, fmt.Errorf("new id: %w", err)
		}
		e.ID = id.String()
	}
	return e, e.Validate()
}

// ErrNoBackup means the Store cannot make backups.
var ErrNoBackup = errors.New("journal: this journal cannot be backed up")

// Backup writes a consistent copy of the journal to path while it stays in
// use, when the Store can (storage.Store can; it implements Backup).
func (s *Service) Backup(path string) error {
	b, ok := s.store.(interface{ Backup(path string) error })
	if !ok {
		return ErrNoBackup
	}
	if err := b.Backup(path); err != nil {
		return fmt.Errorf("journal: backup: %w", err)
	}
	return nil
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
		s.log.Warn("the text was not valid UTF-8; invalid bytes were replaced with U+FFFD")
	}
	return clean, err
}
