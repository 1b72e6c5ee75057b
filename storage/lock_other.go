//go:build !unix

package storage

import (
	"os"
	"time"
)

// lockJournal relies on bbolt's own file lock where flock is not available.
func lockJournal(path string, readOnly bool, timeout time.Duration) (*os.File, error) {
	return nil, nil
}

// unwritable says why the journal at path cannot be written, or "" when it
// can: a journal file without write permission.
var unwritable = func(path string) string {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o200 == 0 {
		return path + " is not writable"
	}
	return ""
}

// freeSpace cannot tell the free space here.
func freeSpace(string) (uint64, bool) { return 0, false }
