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
