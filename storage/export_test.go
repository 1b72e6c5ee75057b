package storage

import (
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/samojournal/samo/journal"
)

// WriteSchemaVersionForTest creates a bbolt file at path whose meta bucket
// claims the given schema version.
func WriteSchemaVersionForTest(path string, v int) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keySchema, []byte(strconv.Itoa(v)))
	})
}

// CorruptValueForTest overwrites the stored value of an entry with bytes
// that do not decode.
func CorruptValueForTest(s *Store, id string) error {
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEntries).Put([]byte(id), []byte{formatPlain, '{', 'x'})
	})
}

// EncryptWithoutCompactForTest re-seals the journal as Encrypt does but
// stops before compacting, as a crash at that moment would.
func EncryptWithoutCompactForTest(s *Store, pass []byte, p KDFParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := make([]byte, 32)
	cm, err := newCryptoMeta(pass, key, p)
	if err != nil {
		return err
	}
	next, err := newCodec(key)
	if err != nil {
		return err
	}
	return s.reseal(next, &cm)
}

// StopClockForTest makes every kept journal's name use the time at; the
// returned function starts the clock again.
func StopClockForTest(at time.Time) (start func()) {
	now = func() time.Time { return at }
	return func() { now = time.Now }
}

// StoredValueForTest returns a copy of the stored bytes of key in bucket.
func StoredValueForTest(s *Store, bucket, key string) []byte {
	var v []byte
	s.view(func(tx *bolt.Tx) error {
		v = append([]byte(nil), tx.Bucket([]byte(bucket)).Get([]byte(key))...)
		return nil
	})
	return v
}

// BucketRootForTest returns the journal's page size and the page the
// bucket's tree starts at (0 for a bucket kept inline in its parent).
func BucketRootForTest(s *Store, bucket string) (pageSize int, root uint64) {
	s.view(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket([]byte(bucket)).Root())
		return nil
	})
	return s.db.Info().PageSize, root
}

// SetUnwritableForTest makes Open ask why instead of the file system
// whether a journal can be written; the returned function undoes it.
func SetUnwritableForTest(why func(path string) string) (undo func()) {
	old := unwritable
	unwritable = why
	return func() { unwritable = old }
}

// DropKeyChecksumForTest rewrites the key record without its checksum, as
// SAMO wrote it before it kept one.
func DropKeyChecksumForTest(s *Store) error {
	return s.updateLocked(func(tx *bolt.Tx) error {
		var cm cryptoMeta
		if err := jsonUnmarshal(tx.Bucket(bucketMeta).Get(keyCrypto), &cm); err != nil {
			return err
		}
		cm.Check = nil
		raw, err := cm.marshal()
		if err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyCrypto, raw)
	})
}

// FailPutForTest makes saving an entry for which fail returns an error
// fail with it, inside the save's transaction.
func FailPutForTest(s *Store, fail func(e journal.Entry) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putFault = fail
}
