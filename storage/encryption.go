package storage

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// compactSuffix names the temporary copy that compaction writes beside the journal.
const compactSuffix = ".compacting"

// sealedBuckets hold values that carry personal data.
var sealedBuckets = [][]byte{bucketEntries, bucketEmbeddings, bucketAudio, bucketRecords}

// Encrypt turns a plain journal into an encrypted one under passphrase,
// re-sealing every value in one transaction (all or nothing, so a crash
// leaves the plain journal whole), then compacts the file so that no page
// of the old plain values is left in it.
func (s *Store) Encrypt(passphrase []byte, params KDFParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codec.aead != nil {
		return fmt.Errorf("storage: the journal is already encrypted (change the passphrase instead)")
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("storage: data key: %w", err)
	}
	cm, err := newCryptoMeta(passphrase, key, params)
	if err != nil {
		return err
	}
	next, err := newCodec(key)
	if err != nil {
		return err
	}
	if err := s.writable(); err != nil {
		return fmt.Errorf("storage: encrypt journal: %w", err)
	}
	if err := s.roomToSwitch(); err != nil {
		return fmt.Errorf("storage: encrypt journal: %w", err)
	}
	if err := s.reseal(next, &cm); err != nil {
		return fmt.Errorf("storage: encrypt journal: %w", err)
	}
	s.dataKey = key
	if err := s.finishSwitch(); err != nil {
		return fmt.Errorf("storage: the journal is encrypted, but %w", err)
	}
	return nil
}

// ErrSwitchUnfinished means an encryption switch is done (every value is
// re-sealed, the journal reads and writes as switched) but the pages of the
// values from before it could not be removed yet: SAMO removes them the
// next time it opens the journal.
var ErrSwitchUnfinished = errors.New("storage: the pages of the values from before the switch could not be removed yet")

// roomToSwitch refuses an encryption switch, before anything changes, when
// the disk lacks room for it: the re-sealed values are written beside the
// old ones (the file may grow by its size), and a little more.
func (s *Store) roomToSwitch() error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	need := uint64(fi.Size()) + 1<<20
	free, ok := freeSpace(filepath.Dir(s.path))
	if ok && free < need {
		return fmt.Errorf("%w: the switch needs about %s free beside the journal and there is %s; nothing was changed",
			ErrDiskFull, megabytes(need), megabytes(free))
	}
	return nil
}

func megabytes(n uint64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// fault, in tests, makes a step of finishSwitch fail ("compact", "scrub").
var fault = func(step string) error { return nil }

// finishSwitch removes the pages of the values from before an encryption
// switch: it compacts the file into a fresh copy or, when that fails (the
// copy needs as much room again as the journal), overwrites the freed
// pages with zeros in place, and clears the pending mark. When neither
// works it returns ErrSwitchUnfinished, saying what state the journal is
// in; the mark stays, so the next Open tries again. The caller holds mu
// for writing.
func (s *Store) finishSwitch() error {
	cerr := fault("compact")
	if cerr == nil {
		if cerr = s.compact(); cerr == nil {
			return nil
		}
	}
	err := fault("scrub")
	if err == nil {
		err = s.scrubLocked()
	}
	if err == nil {
		err = s.updateLocked(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyCompactPending) })
	}
	if err != nil {
		return fmt.Errorf("%w (%w; %w): the journal reads and writes as switched, and its free pages may still hold values "+
			"from before the switch until SAMO removes them, the next time it opens the journal with room on the disk", ErrSwitchUnfinished, cerr, err)
	}
	return nil
}

// Decrypt turns an encrypted journal back into a plain one, in one
// transaction, then compacts the file.
func (s *Store) Decrypt() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codec.aead == nil {
		return fmt.Errorf("storage: the journal is not encrypted")
	}
	if err := s.writable(); err != nil {
		return fmt.Errorf("storage: decrypt journal: %w", err)
	}
	if err := s.roomToSwitch(); err != nil {
		return fmt.Errorf("storage: decrypt journal: %w", err)
	}
	if err := s.reseal(codec{}, nil); err != nil {
		return fmt.Errorf("storage: decrypt journal: %w", err)
	}
	s.dataKey = nil
	if err := s.finishSwitch(); err != nil {
		return fmt.Errorf("storage: the journal is decrypted, but %w", err)
	}
	return nil
}

// ChangePassphrase re-wraps the data key under a new passphrase; the entries
// are not re-encrypted. The old passphrase was proven when the journal was
// opened (or encrypted), which is how the Store holds the data key.
func (s *Store) ChangePassphrase(passphrase []byte, params KDFParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codec.aead == nil {
		return fmt.Errorf("storage: the journal is not encrypted (encrypt it instead)")
	}
	key := s.dataKey
	cm, err := newCryptoMeta(passphrase, key, params)
	if err != nil {
		return err
	}
	raw, err := cm.marshal()
	if err != nil {
		return err
	}
	err = s.updateLocked(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keyCrypto, raw); err != nil {
			return err
		}
		return meta.Put(keyCompactPending, []byte{1})
	})
	if err != nil {
		return fmt.Errorf("storage: change passphrase: %w", err)
	}
	// The old wrapped key is on a free page now: compact it away.
	if err := s.finishSwitch(); err != nil {
		return fmt.Errorf("storage: the passphrase is changed, but %w", err)
	}
	return nil
}

// reseal rewrites every personal value with next and sets (or, for nil,
// removes) the encryption parameters, in one transaction. It also marks a
// compaction as pending, so that if the process dies before compact has
// removed the old values' pages, the next Open finishes the job. The caller
// holds mu for writing.
func (s *Store) reseal(next codec, cm *cryptoMeta) error {
	err := s.updateLocked(func(tx *bolt.Tx) error {
		for _, name := range sealedBuckets {
			b := tx.Bucket(name)
			type kv struct{ k, v []byte }
			var out []kv
			err := b.ForEach(func(k, v []byte) error {
				pt, err := s.codec.open(name, k, v)
				if err != nil {
					return err
				}
				sealed, err := next.seal(name, k, pt)
				if err != nil {
					return err
				}
				out = append(out, kv{append([]byte(nil), k...), sealed})
				return nil
			})
			if err != nil {
				return err
			}
			for _, x := range out {
				if err := b.Put(x.k, x.v); err != nil {
					return err
				}
			}
		}
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keyCompactPending, []byte{1}); err != nil {
			return err
		}
		if cm == nil {
			return meta.Delete(keyCrypto)
		}
		raw, err := cm.marshal()
		if err != nil {
			return err
		}
		return meta.Put(keyCrypto, raw)
	})
	if err != nil {
		return err
	}
	s.codec = next
	return nil
}

// compact rewrites the journal into a fresh file holding only live pages and
// renames it over the journal (atomic on POSIX), so freed pages with old
// plaintext or old keys do not stay in the file. A crash before the rename
// leaves the journal as it was (with its pending mark, so the next Open
// compacts again), and the partial copy is removed at next open. The caller
// holds mu for writing, and the journal's lock file keeps other processes
// out until the new file is in place.
func (s *Store) compact() error {
	tmp := s.path + compactSuffix
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: s.opt.Timeout})
	if err != nil {
		return fmt.Errorf("storage: compact: %w", diskErr(err))
	}
	if err := bolt.Compact(dst, s.db, 64<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return fmt.Errorf("storage: compact: %w", diskErr(err))
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		os.Remove(tmp)
		return fmt.Errorf("storage: compact: %w", diskErr(err))
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: compact: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: compact: %w", err)
	}
	syncDir(filepath.Dir(s.path))
	// The open handle still points at the old file; reopen the new one.
	s.db.Close()
	db, err := openDB(s.path, s.opt)
	if err != nil {
		return err
	}
	s.db = db
	s.scrub.mu.Lock()
	s.scrub.zeroed = nil // of the file replaced
	s.scrub.mu.Unlock()
	// The new file has no free pages with old values: clear the mark.
	return s.updateLocked(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyCompactPending) })
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
