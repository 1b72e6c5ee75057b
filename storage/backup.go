package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/samojournal/samo/internal/outfile"
	"github.com/samojournal/samo/journal"
)

// Backup writes a consistent copy of the journal to path, from one read
// transaction: saves may go on meanwhile and are either wholly in the copy
// or not at all. A file is written beside its final name, synced and
// renamed into place, so a crash never leaves half a backup under that
// name; a FIFO or a device is written to, never replaced (see
// internal/outfile). An encrypted journal's backup is encrypted with the
// same passphrase. A journal with damaged entries never replaces an
// existing backup, which may be the last good copy: its copy must go to a
// new file.
func (s *Store) Backup(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		var ids []string
		err := s.view(func(tx *bolt.Tx) error {
			var err error
			ids, err = s.scanEntries(context.Background(), tx)
			return err
		})
		if err == nil && len(ids) > 0 {
			err = fmt.Errorf("%w: %s", ErrDamaged, damagedList(ids))
		}
		if err != nil {
			return fmt.Errorf("storage: backup: the journal is damaged (%w), so the backup already at %s, perhaps the last good copy, was not replaced: write this copy to a new file", err, path)
		}
	}
	err := outfile.Write(path, 0o600, func(w io.Writer) error {
		return s.view(func(tx *bolt.Tx) error {
			_, err := tx.WriteTo(w)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("storage: backup: %w", diskErr(err))
	}
	syncDir(filepath.Dir(path))
	return nil
}

// Restore replaces the journal at path with the backup at from. The backup
// is checked first (it opens, passes bbolt's consistency check and, when
// encrypted, unlocks with opt.Passphrase); the journal it replaces is kept
// beside it under a name of its own, journal.db.before-restore-TIME (see
// keepJournal), and the switch is an atomic rename. The journal must not be
// open anywhere (ErrLocked otherwise); Store.Restore restores the journal
// a Store has open.
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
	return restoreLocked(path, from, opt)
}

// restoreLocked is Restore for a caller that holds the journal's lock and
// has no database open on path. On every failure it removes its copy of
// the backup.
func restoreLocked(path, from string, opt Options) (kept string, err error) {
	tmp := path + restoreSuffix
	done := false
	defer func() {
		os.Remove(tmp + ".lock")
		if !done {
			os.Remove(tmp)
		}
	}()
	if err := copyBackup(from, tmp); err != nil {
		return "", fmt.Errorf("storage: %s is not a usable backup: %w", from, diskErr(err))
	}
	// Check read-only first: a writable open would turn an empty or foreign
	// file into a new, empty journal and call it a good backup.
	check, err := Open(tmp, Options{Timeout: opt.Timeout, Passphrase: opt.Passphrase, ReadOnly: true})
	if errors.Is(err, ErrNeedsUpgrade) {
		// A backup from an older SAMO: upgrade the copy, not the original.
		check, err = Open(tmp, Options{Timeout: opt.Timeout, Passphrase: opt.Passphrase})
	}
	if err == nil {
		var h Health
		h, err = check.Verify(context.Background())
		if err == nil && len(h.Damaged) > 0 {
			err = fmt.Errorf("%w: %d %s cannot be read: %s", ErrDamaged, len(h.Damaged),
				journal.Plural(len(h.Damaged), "entry", "entries"), strings.Join(h.Damaged, ", "))
		}
		check.Close()
	}
	if err != nil {
		return "", fmt.Errorf("storage: %s is not a usable backup: %w", from, err)
	}
	if _, err := os.Stat(path); err == nil {
		if kept, err = keepJournal(path); err != nil {
			return "", fmt.Errorf("storage: keep the current journal: %w", diskErr(err))
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return kept, fmt.Errorf("storage: restore: %w", err)
	}
	done = true
	syncDir(filepath.Dir(path))
	return kept, nil
}

// copyBackup copies the backup at from to to, synced, once checkBackup
// has found it plausible; it reads no more than the size checked, so a
// file that grows meanwhile (or a device) cannot fill the disk.
func copyBackup(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	size, err := checkBackup(in)
	if err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(out, in, size); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// restoreSuffix names the copy of a backup that a restore checks beside
// the journal before it puts it in place.
const restoreSuffix = ".restoring"

// now is the clock that names kept journals; tests stop it.
var now = time.Now

// keepJournal keeps the journal at path under a new name beside it,
// path.before-restore-YYYYMMDD-HHMMSS.NNNNNNNNN, with -2, -3 … added should
// that name be taken already. It never replaces an existing file: two
// restores within one clock tick each keep their own journal. The kept
// journal is a hard link where the file system has them, a copy elsewhere.
func keepJournal(path string) (string, error) {
	base := path + ".before-restore-" + now().Format("20060102-150405.000000000")
	for n := 1; n <= 100; n++ {
		kept := base
		if n > 1 {
			kept = fmt.Sprintf("%s-%d", base, n)
		}
		// Link and an exclusive create both fail on an existing name.
		err := os.Link(path, kept)
		if err != nil && !os.IsExist(err) {
			err = copyFile(path, kept, true)
		}
		switch {
		case err == nil:
			return kept, nil
		case !os.IsExist(err):
			return "", err
		}
	}
	return "", fmt.Errorf("no free name for the kept journal beside %s", base)
}

// copyFile copies from to to, synced. With exclusive it fails, wrapping
// fs.ErrExist, when to exists; otherwise it replaces to.
func copyFile(from, to string, exclusive bool) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if exclusive {
		flag = os.O_CREATE | os.O_WRONLY | os.O_EXCL
	}
	out, err := os.OpenFile(to, flag, 0o600)
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

// Restore implements journal.RestoreStore: it replaces the journal this
// Store has open with the backup at from (unlocked with passphrase when it
// is encrypted; nil is fine for a plain one), as the package-level Restore
// does, and goes on with the restored journal. It returns where the
// replaced journal is kept. Every other use of the Store waits meanwhile.
// The journal's lock file stays held throughout, so no other SAMO can slip
// in between. On any error the Store goes on with the journal it had (should
// even putting that back fail, the error says where it is kept).
func (s *Store) Restore(from string, passphrase []byte) (kept string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", fmt.Errorf("storage: restore: the journal is closed")
	}
	if s.opt.ReadOnly {
		return "", fmt.Errorf("storage: restore: %w", ErrReadOnly)
	}
	if err = s.db.Close(); err != nil {
		err = fmt.Errorf("storage: restore: close the journal: %w", err)
	} else {
		next := Options{Timeout: s.opt.Timeout, Passphrase: passphrase, NoSync: s.opt.NoSync}
		kept, err = restoreLocked(s.path, from, next)
		if err == nil {
			rerr := s.reopen(next)
			if rerr == nil {
				return kept, nil
			}
			// The backup passed its check but does not open now: put the
			// replaced journal back.
			err = fmt.Errorf("storage: open the restored journal: %w", rerr)
			if kept == "" {
				return "", err // the journal had vanished: nothing to put back
			}
			if perr := os.Rename(kept, s.path); perr != nil {
				return kept, fmt.Errorf("%w; the journal in use before is kept as %s and could not be put back: %w", err, kept, perr)
			}
			syncDir(filepath.Dir(s.path))
			kept = ""
		}
	}
	// Go on with the journal as it was. It is the same file, so the codec
	// and data key held already fit it; the passphrase in s.opt may not
	// (Encrypt and ChangePassphrase do not record theirs), so it is not
	// unlocked again.
	db, oerr := openDB(s.path, s.opt)
	if oerr != nil {
		return kept, errors.Join(err, fmt.Errorf("storage: reopen the journal: %w", oerr))
	}
	s.db = db
	return kept, err
}

// reopen opens the journal at s.path with opt, under the lock file s
// already holds, in place of its closed database, and unlocks it with
// opt.Passphrase. The caller holds mu for writing. On error s is left as it
// was.
func (s *Store) reopen(opt Options) error {
	os.Remove(s.path + compactSuffix) // as Open does: only the lock holder may
	db, err := openDB(s.path, opt)
	if err != nil {
		return err
	}
	next := &Store{db: db, path: s.path, opt: opt, lock: s.lock}
	if err := next.init(); err != nil {
		next.db.Close() // init's compaction may have replaced db
		return err
	}
	s.db, s.opt, s.codec, s.dataKey = next.db, next.opt, next.codec, next.dataKey
	s.readOnlyWhy = ""
	s.resetDamage() // what was known is of the journal replaced
	s.scrub.mu.Lock()
	s.scrub.zeroed = nil
	s.scrub.mu.Unlock()
	return nil
}
