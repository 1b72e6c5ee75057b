package journal

import (
	"context"
	"time"
)

// Store keeps entries. storage.Store is the real one (bbolt); journaltest
// has an in-memory one for GUI tests.
type Store interface {
	// Put saves an entry, replacing any entry with the same id, in one
	// durable transaction.
	Put(ctx context.Context, e Entry) error
	// Get returns the entry with the given id, or an error wrapping ErrNotFound.
	Get(ctx context.Context, id string) (Entry, error)
	// List returns entries newest first, at most q.Limit of them (all when
	// zero), starting after q.Before when it is set.
	List(ctx context.Context, q Query) ([]Entry, error)
	// Count returns the number of entries.
	Count(ctx context.Context) (int, error)
	// Delete removes the entry with the given id (ErrNotFound if none).
	Delete(ctx context.Context, id string) error
	// Each calls f for every entry, oldest first, stopping at f's first error.
	Each(ctx context.Context, f func(Entry) error) error
}

// Query selects a page of entries, newest first.
type Query struct {
	// Limit caps the number of entries returned; zero means no limit.
	Limit int
	// Before, when not empty, is an entry id: only older entries are returned.
	Before string
	// From and To, when set, keep entries created in [From, To).
	From, To time.Time
	// WithEmbeddings loads each entry's embedding too.
	WithEmbeddings bool
}
