package journal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrConflict is returned when a write is based on an entry's old revision:
// someone else (a transcription finishing, another window) changed the entry
// after it was read. The Service re-reads and re-applies its own changes
// when it meets one; a caller of Save gets it.
var ErrConflict = errors.New("journal: the entry was changed meanwhile")

// Store keeps entries. storage.Journal is the real one (bbolt); journaltest
// has an in-memory one for GUI tests. The real one implements every
// capability interface below; the in-memory one all but RestoreStore.
type Store interface {
	// Put saves an entry in one durable transaction. When an entry with the
	// same id is stored at a revision other than e.Revision it fails with an
	// error wrapping ErrConflict and changes nothing; when none is stored and
	// e.Revision is not 0 (it was deleted since it was read) it fails with
	// ErrNotFound; otherwise the entry is stored at revision e.Revision+1 (a
	// new entry, at revision 0, becomes 1).
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

// AudioStore is a Store that keeps recordings with their entries.
type AudioStore interface {
	// PutWithAudio saves an entry and its recording in one transaction,
	// with Put's revision check.
	PutWithAudio(ctx context.Context, e Entry, audio []byte) error
	// Audio returns the recording stored with an entry.
	Audio(ctx context.Context, id string) ([]byte, error)
	// EachWithAudio is Each with every entry's recording (nil without one).
	EachWithAudio(ctx context.Context, f func(Entry, []byte) error) error
}

// BatchStore is a Store that saves many new entries in one transaction
// (imports).
type BatchStore interface {
	// PutMany saves entries (at the revisions they carry) and their
	// recordings, keyed by entry id, all or nothing.
	PutMany(ctx context.Context, es []Entry, audio map[string][]byte) error
	// Has reports whether an entry with the given id is stored.
	Has(id string) bool
}

// BackupStore is a Store that can copy itself while in use.
type BackupStore interface {
	// Backup writes a consistent copy of the journal to path.
	Backup(path string) error
}

// RestoreStore is a Store that can replace its journal with a backup in
// place, keeping the journal it replaces.
type RestoreStore interface {
	// Restore checks the backup at from (unlocked with passphrase when it is
	// encrypted), keeps the current journal beside it and switches to the
	// backup; it returns where the replaced journal is kept. On any error
	// the journal in use stays as it was.
	Restore(from string, passphrase []byte) (kept string, err error)
}

// RecordStore is a Store that keeps small named records beside the
// entries (the person's emotion layer and its history), in the same file,
// sealed like the entries when the journal is encrypted, and carried by
// backups and restores with it.
type RecordStore interface {
	// PutRecord saves data under name in one durable transaction, replacing
	// what was saved there.
	PutRecord(ctx context.Context, name string, data []byte) error
	// Record returns the data saved under name, or an error wrapping
	// ErrNotFound.
	Record(ctx context.Context, name string) ([]byte, error)
	// DeleteRecord removes the record saved under name; none is no error.
	DeleteRecord(ctx context.Context, name string) error
}

// CryptStore is a Store whose journal can be encrypted at rest.
type CryptStore interface {
	// Encrypted reports whether the journal is encrypted.
	Encrypted() bool
	// Encrypt encrypts a plain journal with passphrase, in place.
	Encrypt(passphrase []byte) error
	// Decrypt removes the journal's encryption, in place.
	Decrypt() error
	// ChangePassphrase re-wraps an encrypted journal's key with passphrase.
	ChangePassphrase(passphrase []byte) error
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

// DamageStore is a Store that leaves out of its reads (List, Each,
// EachWithAudio) the entries it cannot read, rather than failing them all,
// and the parts it cannot read (an embedding, a recording) of the others,
// and says which entries it left out in whole or in part. A journal with such entries is not written
// to until the person chooses what to do (see DamagedMessage).
type DamageStore interface {
	// OnDamage sets f to be called, after every read that left entries
	// out, with their ids.
	OnDamage(f func(ids []string))
}

// ReadOnlyStore is a Store that may have been opened read-only (its folder
// or file is not writable): it reads, and refuses every write.
type ReadOnlyStore interface {
	// ReadOnly reports whether the journal was opened read-only.
	ReadOnly() bool
}

// WarningStore is a Store that found, when it opened its journal, what a
// person should know (an encryption switch not finished, say).
type WarningStore interface {
	// Warnings says each thing in a sentence.
	Warnings() []string
}

// DamagedMessage is what a person is told when entries with the given ids
// could not be read: how many, which, and what to do.
func DamagedMessage(ids []string) string {
	n := len(ids)
	shown := ids
	if len(shown) > 10 {
		shown = shown[:10]
	}
	more := ""
	if n > len(shown) {
		more = fmt.Sprintf(" and %d more", n-len(shown))
	}
	return fmt.Sprintf("%d %s could not be read (damaged): %s%s; %s left out (or shown without the part that "+
		"could not be read), and the journal is not written to until it is repaired: run `samo doctor`, or `samo restore BACKUP`",
		n, Plural(n, "entry", "entries"), strings.Join(shown, ", "), more, Plural(n, "it is", "they are"))
}
