// Package storage keeps a SAMO journal in a single bbolt file. It is the only
// package that imports bbolt. Every save is one ACID transaction, synced to
// disk before it returns.
//
// Layout (schema version 3):
//
//	meta        "schema" → decimal schema version; "crypto" → encryption
//	            parameters and the wrapped data key (encrypted journals only)
//	entries     entry id → value(JSON of the entry without id and embedding;
//	            its revision included, see Put)
//	timeline    created time (8 bytes, big-endian, order-preserving) ‖ id → empty
//	embeddings  entry id → value(model, dimension, float32 vector)
//	audio       entry id → value(the recording's bytes)
//	records     record name → value(the record's bytes): small named records
//	            beside the entries, such as the emotion layer and its history
//	            (see records.go)
//
// Each value starts with a format byte: 0 for plain, 1 for XChaCha20-Poly1305
// sealed (see seal.go), bound to its bucket and key. Audio and records live
// in the database rather than beside it so that a save, a backup and an
// encryption switch cover them atomically.
// What an encrypted journal does not hide: how many entries it holds, their
// creation times (in the ids and the timeline) and their sizes, and the
// names and sizes of its records.
package storage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/samojournal/samo/journal"
)

// FileName is the name of the journal database inside a journal folder.
const FileName = "journal.db"

// SchemaVersion is the layout this package writes.
const SchemaVersion = 3

// DefaultOpenTimeout is how long Open waits for another process to release
// the journal before it gives up with ErrLocked.
const DefaultOpenTimeout = time.Second

var (
	bucketMeta       = []byte("meta")
	bucketEntries    = []byte("entries")
	bucketTimeline   = []byte("timeline")
	bucketEmbeddings = []byte("embeddings")
	bucketAudio      = []byte("audio")
	bucketRecords    = []byte("records")
	keySchema        = []byte("schema")
	keyCrypto        = []byte("crypto")
	// keyCompactPending marks a journal whose free pages may still hold
	// values from before an encryption switch; Open compacts it.
	keyCompactPending = []byte("compact-pending")
)

// Errors a caller can test for with errors.Is.
var (
	// ErrLocked means another process (another SAMO) has the journal open.
	ErrLocked = errors.New("storage: the journal is open in another SAMO window or command")
	// ErrDamaged means the journal file is not a readable SAMO journal.
	ErrDamaged = errors.New("storage: the journal file is damaged or not a SAMO journal")
	// ErrNewerSchema means the journal was written by a newer SAMO.
	ErrNewerSchema = errors.New("storage: the journal was written by a newer version of SAMO")
	// ErrDiskFull means a write failed for lack of space; nothing saved before was lost.
	ErrDiskFull = errors.New("storage: the disk is full")
	// ErrNeedsUpgrade means a read-only open found an older schema.
	ErrNeedsUpgrade = errors.New("storage: the journal needs an upgrade")
	// ErrReadOnly means a write was attempted on a journal opened read-only.
	ErrReadOnly = errors.New("storage: the journal is open read-only")
)

// Options tune Open.
type Options struct {
	// Timeout is how long to wait for a journal that another process holds;
	// zero means DefaultOpenTimeout. It is never infinite.
	Timeout time.Duration
	// ReadOnly opens the journal for reading; several readers may share it.
	ReadOnly bool
	// Passphrase unlocks an encrypted journal; it is ignored for a plain one.
	Passphrase []byte
	// NoSync skips fsync on commit. Only for building throw-away journals in
	// benchmarks; a journal a person uses is always synced.
	NoSync bool
	// skipUnlock opens an encrypted journal read-only without its
	// passphrase, for bbolt's consistency check only (Inspect).
	skipUnlock bool
}

// Store is a journal in a bbolt file. It implements journal.Store and is safe
// for concurrent use. Close it when done.
type Store struct {
	// mu guards db, codec, dataKey and opt: every operation holds it for
	// reading; the encryption switches hold it for writing, because they
	// re-seal every value and then replace the file under db (see compact),
	// and so does Restore, which replaces the journal itself.
	mu    sync.RWMutex
	db    *bolt.DB
	lock  *os.File // the journal's lock file, held until Close
	path  string
	opt   Options
	codec codec
	// dataKey is the unwrapped data key of an encrypted journal, nil for a plain one.
	dataKey []byte
	// closed is set by Close.
	closed bool
	// dmg is what is known of the journal's damage (see damage.go).
	dmg damage
	// readOnlyWhy says why a journal asked for writing was opened
	// read-only ("" when it was not).
	readOnlyWhy string
	// scrub is the state of zeroing freed pages (see scrub.go).
	scrub scrubState
	// warnings are what Open found that a person should know.
	warnings []string
	// putFault, in tests, makes saving an entry fail inside its
	// transaction.
	putFault func(e journal.Entry) error
}

// The journal capabilities a Store has. (journal.CryptStore's Encrypt and
// ChangePassphrase take no KDF parameters; the wiring adapts those two.)
var (
	_ journal.Store        = (*Store)(nil)
	_ journal.AudioStore   = (*Store)(nil)
	_ journal.BatchStore   = (*Store)(nil)
	_ journal.BackupStore  = (*Store)(nil)
	_ journal.RestoreStore = (*Store)(nil)
	_ journal.RecordStore  = (*Store)(nil)
)

// Open opens (creating it if needed, unless read-only) the plain or
// encrypted journal database at path, upgrading an older schema. A journal
// held by another process gives ErrLocked after the timeout; a damaged file
// gives ErrDamaged and is left as it is; an encrypted journal needs
// opt.Passphrase (ErrPassphraseRequired, ErrWrongPassphrase).
func Open(path string, opt Options) (*Store, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultOpenTimeout
	}
	var readOnlyWhy string
	if !opt.ReadOnly {
		if readOnlyWhy = unwritable(path); readOnlyWhy != "" {
			opt.ReadOnly = true
		}
	}
	if !opt.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("storage: create journal folder: %w", diskErr(err))
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("storage: open journal: %w", err)
	}
	lock, err := lockJournal(path, opt.ReadOnly, opt.Timeout)
	if err != nil {
		return nil, err
	}
	if !opt.ReadOnly {
		// A compaction interrupted by a crash leaves its unfinished copy; the
		// journal itself was never touched by it. Only the lock holder may
		// remove it: another process's compaction may be writing it. So
		// does a restore's copy of its backup.
		os.Remove(path + compactSuffix)
		os.Remove(path + restoreSuffix)
	}
	db, err := openDB(path, opt)
	if err != nil {
		unlock(lock)
		return nil, err
	}
	s := &Store{db: db, path: path, opt: opt, lock: lock, readOnlyWhy: readOnlyWhy}
	s.removeStaleCreations()
	if err := s.init(); err != nil {
		db.Close()
		unlock(lock)
		return nil, err
	}
	return s, nil
}

func unlock(f *os.File) {
	if f != nil {
		f.Close() // closing the file releases its flock
	}
}

func openDB(path string, opt Options) (*bolt.DB, error) {
	var db *bolt.DB
	err := guard(path, func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.Timeout, ReadOnly: opt.ReadOnly, NoSync: opt.NoSync})
		return err
	})
	var pe *pageError
	switch {
	case errors.As(err, &pe):
		return nil, err
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w (%s); close it and try again", ErrLocked, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s: %v; the file was left untouched: restore it from a backup (samo restore FILE)", ErrDamaged, path, err)
	case err != nil:
		return nil, fmt.Errorf("storage: open journal %s: %w", path, diskErr(err))
	}
	return db, nil
}

// init creates a new journal's buckets, upgrades an older one, and unlocks
// an encrypted one.
func (s *Store) init() error {
	var version int
	var cm *cryptoMeta
	var pending bool
	err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if tx.Bucket(bucketEntries) != nil || s.opt.ReadOnly {
				return fmt.Errorf("%w: %s: no meta bucket", ErrDamaged, s.path)
			}
			return nil // a new, empty file
		}
		v, err := strconv.Atoi(string(meta.Get(keySchema)))
		if err != nil || v < 1 {
			return fmt.Errorf("%w: %s: schema version %q", ErrDamaged, s.path, meta.Get(keySchema))
		}
		version = v
		pending = meta.Get(keyCompactPending) != nil
		if raw := meta.Get(keyCrypto); raw != nil {
			cm = new(cryptoMeta)
			if err := jsonUnmarshal(raw, cm); err != nil {
				return fmt.Errorf("%w: %s: the key record does not decode: %v; %s", ErrKeyRecordDamaged, s.path, err, RepairHint)
			}
			cm.stored = bytes.Clone(raw)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if version > SchemaVersion {
		return fmt.Errorf("%w: %s has schema %d, this SAMO reads up to %d", ErrNewerSchema, s.path, version, SchemaVersion)
	}
	if cm != nil && !(s.opt.skipUnlock && s.opt.ReadOnly) {
		if len(s.opt.Passphrase) == 0 {
			return fmt.Errorf("%w (%s)", ErrPassphraseRequired, s.path)
		}
		key, err := cm.unwrap(s.opt.Passphrase)
		if err != nil {
			return fmt.Errorf("unlock %s: %w", s.path, err)
		}
		if s.codec, err = newCodec(key); err != nil {
			return err
		}
		s.dataKey = key
		if cm.Check == nil && !s.opt.ReadOnly {
			// A key record from before checksums: it unlocked, so it is
			// sound; give it its checksum (the same record, with it).
			raw, err := cm.withCheck().marshal()
			if err == nil {
				err = s.updateLocked(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyCrypto, raw) })
			}
			if err != nil {
				return fmt.Errorf("storage: checksum the key record: %w", err)
			}
		}
	}
	if version != SchemaVersion {
		if s.opt.ReadOnly {
			return fmt.Errorf("%w: %s has schema %d: open it once for writing", ErrNeedsUpgrade, s.path, version)
		}
		err := s.guarded(func() error {
			return s.db.Update(func(tx *bolt.Tx) error {
				if version == 0 {
					return createSchema(tx)
				}
				return migrate(tx, version, s.codec)
			})
		})
		if err != nil {
			return diskErr(err)
		}
	}
	if pending && !s.opt.ReadOnly {
		// An encryption switch was interrupted before its compaction. The
		// journal reads and writes as switched meanwhile: when the old
		// pages cannot be removed now (a full disk), it opens all the same.
		if err := s.finishSwitch(); errors.Is(err, ErrSwitchUnfinished) {
			s.warnings = append(s.warnings, "the last encryption switch is not finished: "+err.Error())
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Warnings implements journal.WarningStore: what a person should know of
// the journal as it was opened.
func (s *Store) Warnings() []string { return slices.Clone(s.warnings) }

// createSchema lays out a new, empty journal.
func createSchema(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketMeta, bucketEntries, bucketTimeline, bucketEmbeddings, bucketAudio, bucketRecords} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return fmt.Errorf("storage: create bucket %s: %w", b, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
}

// Encrypted reports whether the journal is encrypted at rest.
func (s *Store) Encrypted() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.codec.aead != nil
}

// Close releases the journal.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scrub.mu.Lock()
	pending := s.scrub.pending
	s.scrub.mu.Unlock()
	if pending {
		s.scrubLocked()
	}
	err := s.db.Close()
	unlock(s.lock)
	s.lock = nil
	s.closed = true
	if err != nil {
		return fmt.Errorf("storage: close journal: %w", err)
	}
	return nil
}

// Check runs bbolt's consistency check over the whole file and returns the
// first problem it finds. A walk of its own over the file's pages comes
// first (see checkTree), with every other use of the Store waiting.
func (s *Store) Check() error {
	err := func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		f, err := os.Open(s.path)
		if err != nil {
			return fmt.Errorf("storage: check journal: %w", err)
		}
		defer f.Close()
		if err := checkTree(f); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrDamaged, s.path, err)
		}
		return nil
	}()
	if err != nil {
		s.markBroken(err)
		return err
	}
	return s.view(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() { // drain: Check's goroutine sends every problem
			if first == nil {
				first = fmt.Errorf("%w: %s: %v", ErrDamaged, s.path, err)
			}
		}
		return first
	})
}

// view runs a read transaction; a panic of bbolt's on a damaged page is
// an error wrapping ErrDamaged.
func (s *Store) view(f func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.guarded(func() error { return s.db.View(f) })
}

// update runs a write transaction, translating a full disk into
// ErrDiskFull. A damaged journal refuses it (see writable), unless it
// touches only the damaged entries in allowed.
func (s *Store) update(f func(tx *bolt.Tx) error, allowed ...string) error {
	err := func() error {
		s.mu.RLock()
		defer s.mu.RUnlock()
		if err := s.readOnlyErr(); err != nil {
			return err
		}
		if err := s.writable(allowed...); err != nil {
			return err
		}
		return s.updateLocked(f)
	}()
	if err == nil {
		s.scrubFreed()
	}
	return err
}

// updateLocked is update for callers that already hold mu, without the
// damage check.
func (s *Store) updateLocked(f func(tx *bolt.Tx) error) error {
	if err := s.readOnlyErr(); err != nil {
		return err
	}
	return diskErr(s.guarded(func() error { return s.db.Update(f) }))
}

// readOnlyErr is the error of a write to a journal opened read-only.
func (s *Store) readOnlyErr() error {
	switch {
	case s.readOnlyWhy != "":
		return fmt.Errorf("%w (%s): nothing can be saved", ErrReadOnly, s.readOnlyWhy)
	case s.opt.ReadOnly:
		return ErrReadOnly
	}
	return nil
}

// ReadOnly implements journal.ReadOnlyStore: whether the journal was opened
// read-only, asked for or because its folder or file is not writable.
func (s *Store) ReadOnly() bool { return s.opt.ReadOnly }

// diskErr maps the ways a full disk shows itself to ErrDiskFull. bbolt
// formats some file errors with %s, so their text is matched too.
func diskErr(err error) error {
	if err == nil {
		return nil
	}
	full := false
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG} {
		full = full || errors.Is(err, e) || strings.Contains(err.Error(), e.Error())
	}
	if full {
		return fmt.Errorf("%w (nothing saved before was lost; free some space and save again): %w", ErrDiskFull, err)
	}
	return err
}

// removeStaleCreations removes what a Create killed midway left beside the
// journal: its unfinished file (path.creating-*), with the lock file and
// compaction copy beside it. One being made now is left alone: its maker
// holds its lock, or made it within the last minute.
func (s *Store) removeStaleCreations() {
	if s.opt.ReadOnly {
		return
	}
	made, _ := filepath.Glob(s.path + ".creating-*")
	for _, p := range made {
		fi, err := os.Stat(p)
		if err != nil || strings.HasSuffix(p, ".lock") || strings.HasSuffix(p, compactSuffix) || time.Since(fi.ModTime()) < time.Minute {
			continue
		}
		lock, err := lockJournal(p, false, time.Millisecond)
		if err != nil {
			continue
		}
		os.Remove(p)
		os.Remove(p + compactSuffix)
		os.Remove(p + ".lock")
		unlock(lock)
	}
}

// ErrExists means Create found a journal already at its path.
var ErrExists = errors.New("storage: a journal already exists there")

// Create makes a new journal at path, encrypted under passphrase when it is
// not nil, and opens it. The journal is built under a temporary name and
// linked into place only when complete, so a crash or a closed window never
// leaves a half-made journal (an unencrypted one, say, that was meant to be
// encrypted), and an existing journal is never replaced: that is ErrExists.
func Create(path string, passphrase []byte, params KDFParams) (*Store, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: create journal folder: %w", diskErr(err))
	}
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%w (%s)", ErrExists, path)
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".creating-*")
	if err != nil {
		return nil, fmt.Errorf("storage: create journal: %w", diskErr(err))
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		os.Remove(tmp)
		os.Remove(tmp + ".lock")
	}()
	s, err := Open(tmp, Options{})
	if err == nil && passphrase != nil {
		err = s.Encrypt(passphrase, params)
	}
	if s != nil {
		if cerr := s.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("storage: create journal: %w", err)
	}
	// Link fails if path exists: another SAMO may have created it meanwhile.
	if err := os.Link(tmp, path); err != nil {
		if os.IsExist(err) {
			return nil, fmt.Errorf("%w (%s)", ErrExists, path)
		}
		return nil, fmt.Errorf("storage: create journal: %w", diskErr(err))
	}
	syncDir(dir)
	return Open(path, Options{Passphrase: passphrase})
}
