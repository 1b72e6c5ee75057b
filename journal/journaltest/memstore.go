// Package journaltest provides an in-memory journal.Store for tests of the
// packages above journal (the GUI). Tests of storage itself use real bbolt.
package journaltest

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/samojournal/samo/journal"
)

// MemStore is a journal.Store held in memory. It is safe for concurrent use.
// Setting Fail makes every call return that error, to test error paths.
type MemStore struct {
	mu      sync.Mutex
	entries map[string]journal.Entry
	Fail    error
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{entries: map[string]journal.Entry{}} }

// Put implements journal.Store.
func (m *MemStore) Put(_ context.Context, e journal.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.entries[e.ID] = e
	return nil
}

// Get implements journal.Store.
func (m *MemStore) Get(_ context.Context, id string) (journal.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return journal.Entry{}, m.Fail
	}
	e, ok := m.entries[id]
	if !ok {
		return journal.Entry{}, fmt.Errorf("entry %s: %w", id, journal.ErrNotFound)
	}
	return e, nil
}

// List implements journal.Store.
func (m *MemStore) List(_ context.Context, q journal.Query) ([]journal.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return nil, m.Fail
	}
	var out []journal.Entry
	for _, e := range m.entries {
		if q.Before == "" || e.ID < q.Before {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// Count implements journal.Store.
func (m *MemStore) Count(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return 0, m.Fail
	}
	return len(m.entries), nil
}
