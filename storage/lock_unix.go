//go:build unix

package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// lockJournal takes the journal's lock file (path + ".lock"): exclusive for a
// writer, shared for a reader, waiting up to timeout. bbolt also locks the
// database file itself, but compaction and restore replace that file with a
// new one; a process waiting on the old file's lock would then write into a
// file no longer in the folder, and its saves would be lost. The lock file
// is never replaced, so whoever waits on it opens the current journal.
func lockJournal(path string, readOnly bool, timeout time.Duration) (*os.File, error) {
	var f *os.File
	var err error
	if readOnly {
		// A reader writes nothing, not even the lock file: it takes the one
		// there is. Without one (a read-only folder, or no writer yet),
		// bbolt's own shared lock still protects it.
		if f, err = os.Open(path + ".lock"); err != nil {
			return nil, nil
		}
	} else {
		f, err = os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: lock journal: %w", diskErr(err))
	}
	how := unix.LOCK_EX
	if readOnly {
		how = unix.LOCK_SH
	}
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("storage: lock journal: %w", err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w (%s); close it and try again", ErrLocked, path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// unwritable says why the journal at path cannot be written (its folder or
// file is not writable, or on a read-only file system), or "" when it can.
// Root passes permission checks, so for root only a read-only file system
// makes a journal unwritable.
var unwritable = func(path string) string {
	if _, err := os.Stat(path); err != nil {
		return "" // a new journal: creating it says what is wrong
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		switch err := unix.Access(p, unix.W_OK); {
		case errors.Is(err, unix.EROFS):
			return p + " is on a read-only file system"
		case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
			return p + " is not writable"
		}
	}
	return ""
}

// freeSpace is how many bytes an unprivileged writer may still write in
// dir's file system; ok is false when it cannot be told.
func freeSpace(dir string) (free uint64, ok bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
