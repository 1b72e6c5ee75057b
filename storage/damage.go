package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/samojournal/samo/journal"
)

// A damaged journal. Reads leave out the entries they cannot read (a value
// that fails its authentication, does not decode, or is missing) and say
// which (OnDamage); bbolt's own panics on a damaged page are recovered at
// the Store's boundary into ErrDamaged. A journal known to be damaged is
// not written to, so that nothing more of it is lost before the person
// chooses: restoring a backup, or deleting the damaged entries one by one
// (the only write it takes). Before its first write a Store checks every
// entry (scanEntries), once.

// RestoreHint and RepairHint say what to do about a damaged journal.
const (
	RestoreHint = "replace the journal with a backup: `samo restore BACKUP`"
	RepairHint  = "run `samo doctor`, or " + RestoreHint
)

// damage is what a Store knows of its journal's damage. Its own mutex
// guards it, as reads (under Store.mu held for reading) add to it.
type damage struct {
	mu sync.Mutex
	// scanned is set once every entry was checked (before the first write).
	scanned bool
	// ids are the entries found unreadable.
	ids map[string]bool
	// broken is the damage of the file itself (a failed consistency check,
	// a page bbolt panicked on); nil when none was found.
	broken error
	// report is called with the ids a read left out.
	report func(ids []string)
}

// OnDamage implements journal.DamageStore: f is called, after every read
// that left out entries it could not read, with their ids.
func (s *Store) OnDamage(f func(ids []string)) {
	s.dmg.mu.Lock()
	defer s.dmg.mu.Unlock()
	s.dmg.report = f
}

// Damaged returns the ids of the entries found unreadable so far, sorted.
func (s *Store) Damaged() []string {
	s.dmg.mu.Lock()
	defer s.dmg.mu.Unlock()
	return s.dmg.sorted()
}

func (d *damage) sorted() []string {
	ids := make([]string, 0, len(d.ids))
	for id := range d.ids {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// leftOut records that a read left out the entries ids, and reports them.
func (s *Store) leftOut(ids []string) {
	if len(ids) == 0 {
		return
	}
	s.dmg.mu.Lock()
	if s.dmg.ids == nil {
		s.dmg.ids = map[string]bool{}
	}
	for _, id := range ids {
		s.dmg.ids[id] = true
	}
	report := s.dmg.report
	s.dmg.mu.Unlock()
	if report != nil {
		report(slices.Clone(ids))
	}
}

// markBroken records damage of the file itself.
func (s *Store) markBroken(err error) {
	s.dmg.mu.Lock()
	defer s.dmg.mu.Unlock()
	if s.dmg.broken == nil {
		s.dmg.broken = err
	}
}

// resetDamage forgets what was known of the damage (a restore or a
// compaction put another file in place).
func (s *Store) resetDamage() {
	s.dmg.mu.Lock()
	s.dmg.scanned, s.dmg.ids, s.dmg.broken = false, nil, nil
	s.dmg.mu.Unlock()
	s.scrub.mu.Lock() // the new file's free list is checked again before zeroing
	s.scrub.trusted, s.scrub.zeroed = false, nil
	s.scrub.mu.Unlock()
}

// userPanic carries a panic of a caller's function through guard, which
// re-raises it: it is not damage of the journal.
type userPanic struct{ v any }

// callUser calls a caller's function inside a transaction.
func callUser[T any](f func(T, []byte) error, v T, b []byte) error {
	defer func() {
		if r := recover(); r != nil {
			panic(userPanic{r})
		}
	}()
	return f(v, b)
}

// pageError is a panic of bbolt's, recovered: the file is damaged.
type pageError struct {
	path string
	v    any
}

func (e *pageError) Error() string {
	return fmt.Sprintf("%v: %s: %v; %s", ErrDamaged, e.path, e.v, RepairHint)
}

func (e *pageError) Unwrap() error { return ErrDamaged }

// guard runs f, turning a panic of bbolt's (on a damaged page, or a fault
// reading a file shorter than its pages) into a *pageError.
func guard(path string, f func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if u, ok := r.(userPanic); ok {
			panic(u.v)
		}
		err = &pageError{path: path, v: r}
	}()
	return f()
}

// guarded is guard for a Store's database: a recovered panic marks the
// journal broken, so that it is not written to.
func (s *Store) guarded(f func() error) error {
	err := guard(s.path, f)
	var pe *pageError
	if errors.As(err, &pe) {
		s.markBroken(err)
	}
	return err
}

// writesRefused is the error of a write to a damaged journal.
func (s *Store) writesRefused(broken error, ids []string) error {
	if broken != nil {
		// Damage of the file itself: only a backup mends it, however the
		// damage was met (a read's recovered panic, doctor's check, the free
		// list's check).
		hint := ""
		if !strings.Contains(broken.Error(), RestoreHint) {
			hint = "; " + RestoreHint
		}
		return fmt.Errorf("%w: the journal is not written to until it is repaired (%v)%s", ErrDamaged, broken, hint)
	}
	return fmt.Errorf("%w: %s: the journal is not written to until it is repaired: delete %s (samo delete ID), or %s",
		ErrDamaged, damagedList(ids), journal.Plural(len(ids), "it", "them"), RepairHint)
}

// damagedList says how many entries cannot be read, and which (the first
// ten).
func damagedList(ids []string) string {
	shown := ids
	if len(shown) > 10 {
		shown = shown[:10]
	}
	more := ""
	if len(ids) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(ids)-len(shown))
	}
	return fmt.Sprintf("%d %s cannot be read (%s%s)", len(ids), journal.Plural(len(ids), "entry", "entries"), strings.Join(shown, ", "), more)
}

// writable says whether a write may go ahead: it checks every entry
// first, once in the Store's life, and refuses a write to a damaged journal
// unless it touches only damaged entries (allowed: deleting them). The caller holds mu for reading or writing.
func (s *Store) writable(allowed ...string) error {
	s.dmg.mu.Lock()
	scanned := s.dmg.scanned
	s.dmg.mu.Unlock()
	if !scanned {
		if err := s.repairTimeline(); err != nil && !errors.Is(err, ErrDamaged) {
			return err
		}
		var (
			ids  []string
			free []int
		)
		err := s.guarded(func() error {
			return s.db.View(func(tx *bolt.Tx) error {
				var err error
				if ids, err = s.scanEntries(context.Background(), tx); err != nil {
					return err
				}
				free, err = freeIDs(tx, s.db.Info().PageSize)
				return err
			})
		})
		if err == nil {
			// bbolt reuses, and the Store zeroes, what the free list calls
			// free: a damaged one must be caught before either.
			err = s.checkFreeList(free)
			s.scrub.mu.Lock()
			s.scrub.trusted = err == nil
			s.scrub.mu.Unlock()
		}
		if err != nil && !errors.Is(err, ErrDamaged) {
			return err
		}
		s.dmg.mu.Lock()
		if err != nil && s.dmg.broken == nil {
			s.dmg.broken = err
		}
		if s.dmg.ids == nil {
			s.dmg.ids = map[string]bool{}
		}
		for _, id := range ids {
			s.dmg.ids[id] = true
		}
		s.dmg.scanned = true
		s.dmg.mu.Unlock()
	}
	s.dmg.mu.Lock()
	defer s.dmg.mu.Unlock()
	if s.dmg.broken != nil {
		return s.writesRefused(s.dmg.broken, nil)
	}
	if len(s.dmg.ids) == 0 {
		return nil
	}
	for _, id := range allowed {
		if !s.dmg.ids[id] {
			return s.writesRefused(nil, s.dmg.sorted())
		}
	}
	if len(allowed) == 0 {
		return s.writesRefused(nil, s.dmg.sorted())
	}
	return nil
}

// repairTimeline mends the timeline index from the entries: a readable
// entry missing from it (a damaged key) is put back under its time, and a
// key that names no entry is dropped. It writes only what the entries
// themselves say, so it runs even on a journal with damaged entries, before
// the first write's check and in Verify; it does nothing when the timeline
// is sound, or on a read-only journal.
func (s *Store) repairTimeline() error {
	if s.opt.ReadOnly || s.readOnlyErr() != nil {
		return nil
	}
	type missing struct {
		id      string
		created time.Time
	}
	var (
		add  []missing
		drop [][]byte
	)
	err := s.guarded(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			entries, timeline := tx.Bucket(bucketEntries), tx.Bucket(bucketTimeline)
			if entries == nil || timeline == nil {
				return nil
			}
			listed := map[string]bool{}
			err := timeline.ForEach(func(k, _ []byte) error {
				if len(k) >= 8 && entries.Get(k[8:]) != nil {
					listed[string(k[8:])] = true
				} else if len(k) >= 8 {
					drop = append(drop, bytes.Clone(k))
				}
				return nil
			})
			if err != nil {
				return err
			}
			return entries.ForEach(func(k, v []byte) error {
				if listed[string(k)] {
					return nil
				}
				if e, err := s.decodeEntry(k, v); err == nil {
					add = append(add, missing{string(k), e.Created})
				}
				return nil
			})
		})
	})
	if err != nil || len(add)+len(drop) == 0 {
		return err
	}
	return s.updateLocked(func(tx *bolt.Tx) error {
		timeline := tx.Bucket(bucketTimeline)
		for _, k := range drop {
			if err := timeline.Delete(k); err != nil {
				return err
			}
		}
		for _, m := range add {
			if err := timeline.Put(timeKey(m.created, m.id), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// repaired forgets the damaged entry id (it was deleted).
func (s *Store) repaired(id string) {
	s.dmg.mu.Lock()
	defer s.dmg.mu.Unlock()
	delete(s.dmg.ids, id)
}

// scanEntries returns, sorted, the ids of the entries in tx that cannot be
// read: values that do not open or decode, and timeline keys too short to
// name one. An error means the file itself is damaged. (A readable entry
// missing from the timeline, or a key naming no entry, is mended by
// repairTimeline, not reported; a damaged embedding or recording is
// scanDerived's, as it need not stop the journal's writes.)
func (s *Store) scanEntries(ctx context.Context, tx *bolt.Tx) ([]string, error) {
	entries, timeline := tx.Bucket(bucketEntries), tx.Bucket(bucketTimeline)
	if entries == nil || timeline == nil {
		return nil, fmt.Errorf("%w: %s: no entries or timeline bucket", ErrDamaged, s.path)
	}
	var bad []string
	err := timeline.ForEach(func(k, _ []byte) error {
		if len(k) < 8 {
			bad = append(bad, fmt.Sprintf("%x", k))
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	err = entries.ForEach(func(k, v []byte) error {
		if _, err := s.decodeEntry(k, v); err != nil {
			bad = append(bad, string(k))
		}
		return ctx.Err()
	})
	slices.Sort(bad)
	return bad, err
}

// scanDerived returns, sorted, the ids of the entries whose embedding or
// recording does not open (or decode). An entry read without its embedding
// gets a new one from samo reindex.
func (s *Store) scanDerived(ctx context.Context, tx *bolt.Tx) ([]string, error) {
	var bad []string
	for _, name := range [][]byte{bucketEmbeddings, bucketAudio} {
		b := tx.Bucket(name)
		if b == nil {
			return nil, fmt.Errorf("%w: %s: no %s bucket", ErrDamaged, s.path, name)
		}
		err := b.ForEach(func(k, v []byte) error {
			pt, err := s.codec.open(name, k, v)
			if err == nil && bytes.Equal(name, bucketEmbeddings) {
				_, err = decodeEmbedding(pt)
			}
			if err != nil {
				bad = append(bad, string(k))
			}
			return ctx.Err()
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(bad)
	return slices.Compact(bad), nil
}

// Health is what Verify finds of a journal.
type Health struct {
	// Damaged are the entries that cannot be read (their text, embedding
	// or recording), sorted.
	Damaged []string
	// Records are the named records that cannot be read.
	Records []string
}

// Verify checks the whole journal: bbolt's consistency check of every page,
// then every entry, embedding, recording and record (each must open and
// decode). Damage of the file itself is an error wrapping ErrDamaged;
// unreadable entries and records are listed in Health, and those whose
// entry itself is damaged (not only its embedding or recording) also make
// the journal refuse writes (see writable).
func (s *Store) Verify(ctx context.Context) (Health, error) {
	if err := s.Check(); err != nil {
		s.markBroken(err)
		return Health{}, fmt.Errorf("%w; %s", err, RestoreHint)
	}
	s.mu.RLock()
	err := s.repairTimeline()
	s.mu.RUnlock()
	if err != nil {
		return Health{}, fmt.Errorf("storage: verify journal: %w", err)
	}
	var (
		h    Health
		core []string // damaged in the entry itself, not only its embedding or recording
	)
	err = s.view(func(tx *bolt.Tx) error {
		var err error
		if core, err = s.scanEntries(ctx, tx); err != nil {
			return err
		}
		derived, err := s.scanDerived(ctx, tx)
		if err != nil {
			return err
		}
		h.Damaged = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(core), derived...))))
		if b := tx.Bucket(bucketRecords); b != nil {
			return b.ForEach(func(k, v []byte) error {
				if _, err := s.codec.open(bucketRecords, k, v); err != nil {
					h.Records = append(h.Records, string(k))
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return Health{}, fmt.Errorf("storage: verify journal: %w", err)
	}
	s.leftOut(core)
	return h, nil
}
