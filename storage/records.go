package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/samojournal/samo/journal"
)

// Records are small named values kept beside the entries (the person's
// emotion layer and its history) in the records bucket. Their bytes are
// personal data: each is sealed like an entry, bound to its bucket and name,
// re-sealed by Encrypt and Decrypt and carried by Backup and Restore, which
// copy the whole file.

// MaxRecordName is the longest record name, in bytes.
const MaxRecordName = 64

// MaxRecordSize is the largest record, in bytes.
const MaxRecordSize = 16 << 20

var (
	// ErrRecordName means a record name is empty, too long or holds a
	// character a record name may not have.
	ErrRecordName = errors.New("storage: invalid record name")
	// ErrRecordTooLarge means a record is larger than MaxRecordSize.
	ErrRecordTooLarge = errors.New("storage: the record is too large")
)

// checkRecordName refuses a name that is empty, longer than MaxRecordName
// bytes, or holds anything but printable ASCII, or a '/'.
func checkRecordName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty", ErrRecordName)
	case len(name) > MaxRecordName:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrRecordName, len(name), MaxRecordName)
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '/':
			return fmt.Errorf("%w: it holds a '/'", ErrRecordName)
		case c < 0x20 || c > 0x7e:
			return fmt.Errorf("%w: byte %d (%#02x) is not printable ASCII", ErrRecordName, i, c)
		}
	}
	return nil
}

// PutRecord implements journal.RecordStore: it saves data under name, sealed
// when the journal is encrypted, in one synced transaction, replacing what
// was saved there. A name that checkRecordName refuses gives ErrRecordName,
// data over MaxRecordSize ErrRecordTooLarge.
func (s *Store) PutRecord(ctx context.Context, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkRecordName(name); err != nil {
		return fmt.Errorf("storage: put record %q: %w", name, err)
	}
	if len(data) > MaxRecordSize {
		return fmt.Errorf("storage: put record %q: %w: %d bytes, at most %d", name, ErrRecordTooLarge, len(data), MaxRecordSize)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b, err := recordsBucket(tx)
		if err != nil {
			return err
		}
		k := []byte(name)
		v, err := s.codec.seal(bucketRecords, k, data)
		if err != nil {
			return err
		}
		return b.Put(k, v)
	})
	if err != nil {
		return fmt.Errorf("storage: put record %q: %w", name, err)
	}
	return nil
}

// Record implements journal.RecordStore: the data saved under name, or an
// error wrapping journal.ErrNotFound. A stored value that does not open
// (damaged, or sealed for another name) gives ErrDamaged.
func (s *Store) Record(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkRecordName(name); err != nil {
		return nil, fmt.Errorf("storage: record %q: %w", name, err)
	}
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		b, err := recordsBucket(tx)
		if err != nil {
			return err
		}
		k := []byte(name)
		v := b.Get(k)
		if v == nil {
			return journal.ErrNotFound
		}
		pt, err := s.codec.open(bucketRecords, k, v)
		if err != nil {
			return err
		}
		// pt may point into the memory-mapped file, which the transaction's
		// end (or a compaction) unmaps.
		out = bytes.Clone(pt)
		if out == nil {
			out = []byte{}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: record %q: %w", name, err)
	}
	return out, nil
}

// DeleteRecord implements journal.RecordStore: it removes the record saved
// under name, in one synced transaction; none is no error.
func (s *Store) DeleteRecord(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkRecordName(name); err != nil {
		return fmt.Errorf("storage: delete record %q: %w", name, err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b, err := recordsBucket(tx)
		if err != nil {
			return err
		}
		return b.Delete([]byte(name))
	})
	if err != nil {
		return fmt.Errorf("storage: delete record %q: %w", name, err)
	}
	return nil
}

// recordsBucket is tx's records bucket; every journal at SchemaVersion has
// one, so its absence means a damaged file.
func recordsBucket(tx *bolt.Tx) (*bolt.Bucket, error) {
	b := tx.Bucket(bucketRecords)
	if b == nil {
		return nil, fmt.Errorf("%w: no records bucket", ErrDamaged)
	}
	return b, nil
}
