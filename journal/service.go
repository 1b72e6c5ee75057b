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
	store Store
	now   func() time.Time
	log   *slog.Logger
}

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
	if err := s.store.Put(ctx, e); err != nil {
		return Entry{}, fmt.Errorf("journal: update entry %s: %w", id, err)
	}
	return e, nil
}

// Get returns one entry by id. Ids are matched without regard to case.
func (s *Service) Get(ctx context.Context, id string) (Entry, error) {
	e, err := s.store.Get(ctx, strings.ToUpper(strings.TrimSpace(id)))
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
	if err := s.store.Delete(ctx, strings.ToUpper(strings.TrimSpace(id))); err != nil {
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
