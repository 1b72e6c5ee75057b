// Package storage keeps a SAMO journal in a single bbolt file. It is the only
// package that imports bbolt. Every save is one ACID transaction, synced to
// disk before it returns.
//
// Layout (schema version 1):
//
//	meta     "schema" → decimal schema version
//	entries  entry id (a ULID, so keys sort by creation time) → JSON record
package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/samojournal/samo/journal"
)

// FileName is the name of the journal database inside a journal folder.
const FileName = "journal.db"

// SchemaVersion is the layout this package writes.
const SchemaVersion = 1

// DefaultOpenTimeout is how long Open waits for another process to release
// the journal before it gives up with ErrLocked.
const DefaultOpenTimeout = time.Second

var (
	bucketMeta    = []byte("meta")
	bucketEntries = []byte("entries")
	keySchema     = []byte("schema")
)

// Errors a caller can test for with errors.Is.
var (
	// ErrLocked means another process (another SAMO) has the journal open.
	ErrLocked = errors.New("storage: the journal is open in another SAMO window or command")
	// ErrDamaged means the journal file is not a readable SAMO journal.
	ErrDamaged = errors.New("storage: the journal file is damaged or not a SAMO journal")
	// ErrNewerSchema means the journal was written by a newer SAMO.
	ErrNewerSchema = errors.New("storage: the journal was written by a newer version of SAMO")
)

// Options tune Open.
type Options struct {
	// Timeout is how long to wait for a journal that another process holds;
	// zero means DefaultOpenTimeout. It is never infinite.
	Timeout time.Duration
	// ReadOnly opens the journal for reading; several readers may share it.
	ReadOnly bool
}

// Store is a journal in a bbolt file. It implements journal.Store and is safe
// for concurrent use. Close it when done.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens (creating it if needed, unless read-only) the journal database at
// path. A journal held by another process gives ErrLocked after the timeout;
// a damaged file gives ErrDamaged and is left as it is.
func Open(path string, opt Options) (*Store, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultOpenTimeout
	}
	if !opt.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("storage: create journal folder: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.Timeout, ReadOnly: opt.ReadOnly})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w (%s); close it and try again", ErrLocked, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s: %v; the file was left untouched: restore it from a backup", ErrDamaged, path, err)
	case err != nil:
		return nil, fmt.Errorf("storage: open journal %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.init(opt.ReadOnly); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// init creates the buckets of a new journal and checks the schema version of
// an existing one.
func (s *Store) init(readOnly bool) error {
	check := func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if readOnly {
				return fmt.Errorf("%w: %s: no meta bucket", ErrDamaged, s.path)
			}
			return nil
		}
		v, err := strconv.Atoi(string(meta.Get(keySchema)))
		if err != nil {
			return fmt.Errorf("%w: %s: schema version %q", ErrDamaged, s.path, meta.Get(keySchema))
		}
		if v > SchemaVersion {
			return fmt.Errorf("%w: %s has schema %d, this SAMO reads up to %d", ErrNewerSchema, s.path, v, SchemaVersion)
		}
		return nil
	}
	if readOnly {
		return s.db.View(check)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return fmt.Errorf("storage: create meta bucket: %w", err)
		}
		if meta.Get(keySchema) == nil {
			if err := meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
				return fmt.Errorf("storage: write schema version: %w", err)
			}
		}
		if _, err := tx.CreateBucketIfNotExists(bucketEntries); err != nil {
			return fmt.Errorf("storage: create entries bucket: %w", err)
		}
		return nil
	})
}

// Path returns the journal file's path.
func (s *Store) Path() string { return s.path }

// Close releases the journal.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("storage: close journal: %w", err)
	}
	return nil
}

// Check runs bbolt's consistency check over the whole file and returns the
// first problem it finds.
func (s *Store) Check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() { // drain: Check's goroutine sends every problem
			if first == nil {
				first = fmt.Errorf("%w: %s: %v", ErrDamaged, s.path, err)
			}
		}
		return first
	})
}

// Put implements journal.Store: one synced transaction per entry.
func (s *Store) Put(ctx context.Context, e journal.Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.ID == "" {
		return errors.New("storage: put entry: empty id")
	}
	v, err := json.Marshal(record(e))
	if err != nil {
		return fmt.Errorf("storage: encode entry %s: %w", e.ID, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEntries).Put([]byte(e.ID), v)
	})
	if err != nil {
		return fmt.Errorf("storage: save entry %s: %w", e.ID, err)
	}
	return nil
}

// Get implements journal.Store.
func (s *Store) Get(ctx context.Context, id string) (journal.Entry, error) {
	if err := ctx.Err(); err != nil {
		return journal.Entry{}, err
	}
	var e journal.Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketEntries).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("entry %s: %w", id, journal.ErrNotFound)
		}
		var err error
		e, err = decode(id, v)
		return err
	})
	return e, err
}

// List implements journal.Store: newest first, by id order.
func (s *Store) List(ctx context.Context, q journal.Query) ([]journal.Entry, error) {
	var out []journal.Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEntries).Cursor()
		var k, v []byte
		if q.Before == "" {
			k, v = c.Last()
		} else {
			// Seek finds the first key >= Before; step back to the first older one.
			k, v = c.Seek([]byte(q.Before))
			if k == nil {
				k, v = c.Last()
			}
			for k != nil && bytes.Compare(k, []byte(q.Before)) >= 0 {
				k, v = c.Prev()
			}
		}
		for ; k != nil; k, v = c.Prev() {
			if q.Limit > 0 && len(out) >= q.Limit {
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			e, err := decode(string(k), v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list entries: %w", err)
	}
	return out, nil
}

// Count implements journal.Store.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketEntries).Stats().KeyN
		return nil
	})
	return n, err
}

// entryRecord is the stored form of an entry: the id is the key, so it is not
// repeated in the value.
type entryRecord struct {
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Text    string    `json:"text"`
}

func record(e journal.Entry) entryRecord {
	return entryRecord{Created: e.Created, Updated: e.Updated, Text: e.Text}
}

func decode(id string, v []byte) (journal.Entry, error) {
	var r entryRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return journal.Entry{}, fmt.Errorf("%w: entry %s: %v", ErrDamaged, id, err)
	}
	return journal.Entry{ID: id, Created: r.Created, Updated: r.Updated, Text: r.Text}, nil
}
