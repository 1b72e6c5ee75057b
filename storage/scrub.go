package storage

import (
	"fmt"
	"os"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Deleting means gone. bbolt copies a page on write and frees the old copy
// without clearing it, so a deleted entry's text (or an edited entry's old
// text) would stay in the file until the page is used again. After every
// write the Store overwrites the freed pages with zeros (scrubFreed). It
// needs the journal to itself, since a page freed by the last write may
// still be read by a transaction begun before it: when another read is
// running, the zeroing waits for the next write or for Close.

// scrubState is what the Store knows of its freed pages. Its own mutex
// guards it.
type scrubState struct {
	mu sync.Mutex
	// zeroed are the free pages already overwritten with zeros.
	zeroed map[int]bool
	// pending is set when a write freed pages that are not zeroed yet.
	pending bool
	// trusted is set once the free list read from the file was checked
	// against the tree (checkFreeList): no page it calls free is in use.
	// From then on the free list is bbolt's own bookkeeping of this Store's
	// writes.
	trusted bool
}

// scrubFreed zeroes the freed pages now when no other use of the Store is
// running, or else leaves them to the next write or Close.
func (s *Store) scrubFreed() {
	if !s.mu.TryLock() {
		s.scrub.mu.Lock()
		// Pages zeroed before may be used and freed again meanwhile.
		s.scrub.pending, s.scrub.zeroed = true, nil
		s.scrub.mu.Unlock()
		return
	}
	defer s.mu.Unlock()
	s.scrubLocked() // a failure leaves them pending, for the next try
}

// scrubLocked overwrites with zeros every free page of the file not
// overwritten yet, and syncs the file. The caller holds mu for writing, so
// no transaction of this Store is open, and no other process has the file
// open (bbolt's lock keeps them out). It does nothing on a read-only or
// damaged journal, and a failure leaves the pages for the next try.
func (s *Store) scrubLocked() error {
	if s.closed || s.opt.ReadOnly {
		return nil
	}
	s.scrub.mu.Lock()
	defer s.scrub.mu.Unlock()
	if s.scrub.zeroed == nil {
		s.scrub.zeroed = map[int]bool{}
	}
	pageSize := s.db.Info().PageSize
	var free []int
	err := s.guarded(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			all, err := freeIDs(tx, pageSize)
			isFree := make(map[int]bool, len(all))
			for _, id := range all {
				isFree[id] = true
				if !s.scrub.zeroed[id] {
					free = append(free, id)
				}
			}
			for id := range s.scrub.zeroed {
				if !isFree[id] {
					delete(s.scrub.zeroed, id) // in use again: it may hold data when freed
				}
			}
			return err
		})
	})
	if err == nil && len(free) > 0 && !s.scrub.trusted {
		err = s.checkFreeList(free)
		s.scrub.trusted = err == nil
	}
	if err == nil && len(free) > 0 {
		err = zeroPages(s.path, pageSize, free)
	}
	if err != nil {
		s.scrub.pending = true
		return err
	}
	for _, id := range free {
		s.scrub.zeroed[id] = true
	}
	s.scrub.pending = false
	return nil
}

// checkFreeList makes sure that no page of free, which the free list read
// from the file calls free, is reachable from the journal's tree: a damaged
// free list must never have a page in use reused or zeroed. The first write
// runs it once (see writable), with the damage check; a journal whose free
// list is damaged is marked damaged, so it is neither written nor zeroed.
func (s *Store) checkFreeList(free []int) error {
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("storage: clear freed pages: %w", err)
	}
	defer f.Close()
	used, err := inUse(f)
	if err == nil {
		// A page bbolt calls free that the tree reaches: bbolt would give
		// it to the next write, and the Store would zero it.
		for _, id := range free {
			if used[uint64(id)] {
				err = fmt.Errorf("%w: page %d is listed as free but holds part of the journal (the free list is damaged)", ErrDamaged, id)
				break
			}
		}
	}
	if err != nil {
		err = fmt.Errorf("%w: %s: %w", ErrDamaged, s.path, err)
		s.markBroken(err)
		return err
	}
	return nil
}

// freeIDs lists, ascending, the pages bbolt's free list calls free (pages
// waiting to be released included).
func freeIDs(tx *bolt.Tx, pageSize int) ([]int, error) {
	var free []int
	n := int(tx.Size() / int64(pageSize))
	for id := 2; id < n; id++ {
		info, err := tx.Page(id)
		if err != nil || info == nil {
			return free, err
		}
		if info.Type == "free" {
			free = append(free, id)
		} else {
			id += info.OverflowCount // its overflow pages are not page heads
		}
	}
	return free, nil
}

// zeroPages writes zeros over the pages ids (ascending) of the file at
// path, runs of neighbours at once, and syncs it.
func zeroPages(path string, pageSize int, ids []int) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("storage: clear freed pages: %w", err)
	}
	zeros := make([]byte, 64*pageSize)
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[j-1]+1 && j-i < 64 {
			j++
		}
		if _, err := f.WriteAt(zeros[:(j-i)*pageSize], int64(ids[i])*int64(pageSize)); err != nil {
			f.Close()
			return fmt.Errorf("storage: clear freed pages: %w", err)
		}
		i = j
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("storage: clear freed pages: %w", err)
	}
	return f.Close()
}
