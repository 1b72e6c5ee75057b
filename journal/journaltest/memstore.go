// Package journaltest provides an in-memory journal.Store, with every store
// capability the journal defines, and in-memory models, for tests of the
// packages above journal (the GUI). Tests of storage itself use real bbolt.
package journaltest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/samojournal/samo/journal"
)

// MemStore is a journal.Store held in memory. It is safe for concurrent use.
// SetFail makes every call return an error, to test error paths.
type MemStore struct {
	mu        sync.Mutex
	entries   map[string]journal.Entry
	audio     map[string][]byte
	records   map[string][]byte
	encrypted []byte // the passphrase, when encrypted
	fail      error
	// BeforePut, when set, is called (without the lock held) at the start
	// of every Put, so a test can let another write in between a read and
	// a write.
	BeforePut func(e journal.Entry)
	// damaged are the entries Damage made unreadable; onDamage is told
	// which a read left out.
	damaged  map[string]bool
	onDamage func(ids []string)
}

var _ journal.DamageStore = (*MemStore)(nil)

// Damage makes the entries ids unreadable, as a damaged journal's: List,
// Each and EachWithAudio leave them out and tell the OnDamage function,
// and Get fails. (Unlike the bbolt store, MemStore still takes writes.)
func (m *MemStore) Damage(ids ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.damaged == nil {
		m.damaged = map[string]bool{}
	}
	for _, id := range ids {
		m.damaged[id] = true
	}
}

// OnDamage implements journal.DamageStore.
func (m *MemStore) OnDamage(f func(ids []string)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.onDamage = f
}

// leaveOut removes the damaged entries from es (under the lock) and
// returns the function that reports them (to call without it).
func (m *MemStore) leaveOut(es []journal.Entry) ([]journal.Entry, func()) {
	var out []journal.Entry
	var left []string
	for _, e := range es {
		if m.damaged[e.ID] {
			left = append(left, e.ID)
			continue
		}
		out = append(out, e)
	}
	f := m.onDamage
	return out, func() {
		if f != nil && len(left) > 0 {
			f(left)
		}
	}
}

// SetFail makes every later call fail with err (nil: succeed again).
func (m *MemStore) SetFail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{entries: map[string]journal.Entry{}, audio: map[string][]byte{}}
}

var (
	_ journal.Store       = (*MemStore)(nil)
	_ journal.AudioStore  = (*MemStore)(nil)
	_ journal.BatchStore  = (*MemStore)(nil)
	_ journal.BackupStore = (*MemStore)(nil)
	_ journal.CryptStore  = (*MemStore)(nil)
)

// Put implements journal.Store, with its revision check.
func (m *MemStore) Put(ctx context.Context, e journal.Entry) error {
	return m.PutWithAudio(ctx, e, nil)
}

// PutWithAudio implements journal.AudioStore.
func (m *MemStore) PutWithAudio(_ context.Context, e journal.Entry, audio []byte) error {
	if m.BeforePut != nil {
		m.BeforePut(e)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	old, ok := m.entries[e.ID]
	switch {
	case ok && old.Revision != e.Revision:
		return fmt.Errorf("entry %s: stored at revision %d, not %d: %w", e.ID, old.Revision, e.Revision, journal.ErrConflict)
	case !ok && e.Revision != 0:
		return fmt.Errorf("entry %s: deleted meanwhile: %w", e.ID, journal.ErrNotFound)
	}
	e.Revision++
	m.entries[e.ID] = e
	if audio != nil {
		m.audio[e.ID] = slices.Clone(audio)
	}
	return nil
}

// Audio implements journal.AudioStore.
func (m *MemStore) Audio(_ context.Context, id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	b, ok := m.audio[id]
	if !ok {
		return nil, fmt.Errorf("audio of %s: %w", id, journal.ErrNotFound)
	}
	return slices.Clone(b), nil
}

// EachWithAudio implements journal.AudioStore.
func (m *MemStore) EachWithAudio(ctx context.Context, f func(journal.Entry, []byte) error) error {
	return m.Each(ctx, func(e journal.Entry) error {
		m.mu.Lock()
		a := m.audio[e.ID]
		m.mu.Unlock()
		return f(e, a)
	})
}

// PutMany implements journal.BatchStore.
func (m *MemStore) PutMany(_ context.Context, es []journal.Entry, audio map[string][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	for _, e := range es {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	for _, e := range es {
		m.entries[e.ID] = e
		if a, ok := audio[e.ID]; ok {
			m.audio[e.ID] = slices.Clone(a)
		}
	}
	return nil
}

// Has implements journal.BatchStore.
func (m *MemStore) Has(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.entries[id]
	return ok
}

// Backup implements journal.BackupStore: it writes the entries' ids, one a
// line, to path (enough for tests to see that it ran).
func (m *MemStore) Backup(path string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	var b strings.Builder
	for _, e := range m.sorted() {
		b.WriteString(e.ID + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// Encrypted implements journal.CryptStore.
func (m *MemStore) Encrypted() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.encrypted != nil
}

// Encrypt implements journal.CryptStore (in memory it only remembers the
// passphrase).
func (m *MemStore) Encrypt(passphrase []byte) error {
	if len(passphrase) == 0 {
		return errors.New("journaltest: empty passphrase")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.encrypted = slices.Clone(passphrase)
	return nil
}

// Decrypt implements journal.CryptStore.
func (m *MemStore) Decrypt() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.encrypted = nil
	return nil
}

// ChangePassphrase implements journal.CryptStore.
func (m *MemStore) ChangePassphrase(passphrase []byte) error { return m.Encrypt(passphrase) }

// Passphrase returns the passphrase the store was encrypted with (nil when plain).
func (m *MemStore) Passphrase() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.encrypted
}

// Get implements journal.Store.
func (m *MemStore) Get(_ context.Context, id string) (journal.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return journal.Entry{}, m.fail
	}
	e, ok := m.entries[id]
	if !ok {
		return journal.Entry{}, fmt.Errorf("entry %s: %w", id, journal.ErrNotFound)
	}
	if m.damaged[id] {
		return journal.Entry{}, fmt.Errorf("entry %s: damaged", id)
	}
	return e, nil
}

// Delete implements journal.Store.
func (m *MemStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if _, ok := m.entries[id]; !ok {
		return fmt.Errorf("entry %s: %w", id, journal.ErrNotFound)
	}
	delete(m.entries, id)
	delete(m.audio, id)
	return nil
}

// sorted returns the entries newest first.
func (m *MemStore) sorted() []journal.Entry {
	out := make([]journal.Entry, 0, len(m.entries))
	for _, e := range m.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// List implements journal.Store.
func (m *MemStore) List(_ context.Context, q journal.Query) ([]journal.Entry, error) {
	m.mu.Lock()
	if m.fail != nil {
		m.mu.Unlock()
		return nil, m.fail
	}
	all, report := m.leaveOut(m.sorted())
	m.mu.Unlock()
	defer report()
	if q.Before != "" {
		for i, e := range all {
			if e.ID == q.Before {
				all = all[i+1:]
				break
			}
		}
	}
	var out []journal.Entry
	for _, e := range all {
		if (!q.From.IsZero() && e.Created.Before(q.From)) || (!q.To.IsZero() && !e.Created.Before(q.To)) {
			continue
		}
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
		out = append(out, e)
	}
	return out, nil
}

// Each implements journal.Store.
func (m *MemStore) Each(_ context.Context, f func(journal.Entry) error) error {
	m.mu.Lock()
	all, report := m.leaveOut(m.sorted())
	fail := m.fail
	m.mu.Unlock()
	if fail != nil {
		return fail
	}
	defer report()
	for i := len(all) - 1; i >= 0; i-- {
		if err := f(all[i]); err != nil {
			return err
		}
	}
	return nil
}

// Count implements journal.Store.
func (m *MemStore) Count(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return 0, m.fail
	}
	return len(m.entries), nil
}

// WordAnalyzer is an in-memory journal.Analyzer for tests of code above the
// journal (the real one is inference/emotion's Classifier): a text
// containing a label's name scores 0.9 for that label, every other label
// 0.05; a text containing Fail is refused.
type WordAnalyzer struct {
	Name, Version string
	Fail          string
	// Hold, when not nil, makes every reading wait until it receives from
	// Hold (or Hold is closed), or the context ends: a slow model.
	Hold  chan struct{}
	calls counter
}

// Calls is how many texts were read.
func (a *WordAnalyzer) Calls() int { return a.calls.get() }

// AnalyzeText implements journal.Analyzer.
func (a *WordAnalyzer) AnalyzeText(ctx context.Context, text string) (*journal.Emotions, error) {
	a.calls.add()
	if err := hold(ctx, a.Hold); err != nil {
		return nil, err
	}
	if a.Fail != "" && strings.Contains(text, a.Fail) {
		return nil, errors.New("journaltest: analyzer refuses this text")
	}
	em := &journal.Emotions{Scores: make([]float32, len(journal.EmotionLabels)), Model: a.Name, Version: a.Version}
	lower := strings.ToLower(text)
	for i, l := range journal.EmotionLabels {
		em.Scores[i] = 0.05
		if strings.Contains(lower, l) {
			em.Scores[i] = 0.9
			em.Labels = append(em.Labels, l)
		}
	}
	if len(em.Labels) == 0 {
		em.Labels = []string{"neutral"}
	}
	return em, nil
}

// ExplainText implements journal.Explainer: each label named in the text
// was raised by its own name.
func (a *WordAnalyzer) ExplainText(ctx context.Context, text string) ([]journal.Why, error) {
	em, err := a.AnalyzeText(ctx, text)
	if err != nil {
		return nil, err
	}
	var out []journal.Why
	for _, l := range em.Labels {
		w := journal.Why{Label: l, Score: em.Scores[slices.Index(journal.EmotionLabels[:], l)]}
		if strings.Contains(strings.ToLower(text), l) {
			w.Words = []journal.Push{{Text: l, Weight: 2}}
		}
		out = append(out, w)
	}
	return out, nil
}

// ModelName implements journal.Analyzer.
func (a *WordAnalyzer) ModelName() string { return a.Name }

// ModelVersion implements journal.Analyzer.
func (a *WordAnalyzer) ModelVersion() string { return a.Version }

// counter counts calls, safely from several goroutines.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// hold waits, when ch is not nil, until it receives from ch (or ch is
// closed) or ctx ends: a slow model.
func hold(ctx context.Context, ch chan struct{}) error {
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PutRecord saves a named record.
func (m *MemStore) PutRecord(_ context.Context, name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if m.records == nil {
		m.records = map[string][]byte{}
	}
	m.records[name] = slices.Clone(data)
	return nil
}

// Record returns a named record.
func (m *MemStore) Record(_ context.Context, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	data, ok := m.records[name]
	if !ok {
		return nil, fmt.Errorf("record %q: %w", name, journal.ErrNotFound)
	}
	return slices.Clone(data), nil
}

// DeleteRecord removes a named record.
func (m *MemStore) DeleteRecord(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	delete(m.records, name)
	return nil
}
