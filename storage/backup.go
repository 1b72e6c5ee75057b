package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the journal to path, from one read
// transaction: saves may go on meanwhile and are either wholly in the copy
// or not at all. The copy is synced, written beside its final name and
// renamed into place, so a crash never leaves half a backup under that
// name. An encrypted journal's backup is encrypted with the same passphrase.
func (s *Store) Backup(path string) error {
	tmp := path + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("storage: backup: %w", diskErr(err))
	}
	err = s.view(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(f)
		return err
	})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: backup to %s: %w", path, diskErr(err))
	}
	syncDir(filepath.Dir(path))
	return nil
}

// Restore replaces the journal at path with the backup at from. The backup
// is checked first (it opens, passes bbolt's consistency check and, when
// encrypted, unlocks with opt.Passphrase); the journal it replaces is kept
// beside it as journal.db.before-restore-TIME, and the switch is an atomic
// rename. The journal must not be open anywhere (ErrLocked otherwise).
func Restore(path, from string, opt Options) (kept string, err error) {
	// Restoring onto a new machine: the journal folder may not exist yet.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("storage: restore: %w", diskErr(err))
	}
	// Hold the journal's lock for the whole switch, so that no SAMO writes
	// to the journal being replaced, and none waiting opens the old file.
	lock, err := lockJournal(path, false, max(opt.Timeout, DefaultOpenTimeout))
	if err != nil {
		return "", err
	}
	defer unlock(lock)
	tmp := path + ".restoring"
	if err := copyFile(from, tmp); err != nil {
		return "", fmt.Errorf("storage: restore from %s: %w", from, diskErr(err))
	}
	// Check read-only first: a writable open would turn an empty or foreign
	// file into a new, empty journal and call it a good backup.
	check, err := Open(tmp, Options{Timeout: opt.Timeout, Passphrase: opt.Passphrase, ReadOnly: true})
	if errors.Is(err, ErrNeedsUpgrade) {
		// A backup from an older SAMO: upgrade the copy, not the original.
		check, err = Open(tmp, Options{Timeout: opt.Timeout, Passphrase: opt.Passphrase})
	}
	if err == nil {
		err = check.Check()
		check.Close()
	}
	if err != nil {
		os.Remove(tmp)
		os.Remove(tmp + ".lock")
		return "", fmt.Errorf("storage: %s is not a usable backup: %w", from, err)
	}
	os.Remove(tmp + ".lock")
	if _, err := os.Stat(path); err == nil {
		kept = path + ".before-restore-" + time.Now().Format("20060102-150405")
		if err := os.Link(path, kept); err != nil {
			if err := copyFile(path, kept); err != nil {
				os.Remove(tmp)
				return "", fmt.Errorf("storage: keep the current journal: %w", diskErr(err))
			}
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return kept, fmt.Errorf("storage: restore: %w", err)
	}
	syncDir(filepath.Dir(path))
	return kept, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(to)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(to)
		return err
	}
	return out.Close()
}
