//go:build unix

package models

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// lock takes the model's lock file, so that two SAMO processes never write
// the same model: a second one waits (saying so through waiting) until the
// first is done, then finds the model installed.
func (m *Manager) lock(ctx context.Context, name string, waiting func(note string)) (unlock func(), err error) {
	dir := filepath.Join(m.Dir, ".locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("models: lock %s: %w", name, diskError(err))
	}
	f, err := os.OpenFile(filepath.Join(dir, name+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("models: lock %s: %w", name, diskError(err))
	}
	told := false
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("models: lock %s: %w", name, err)
		}
		if !told && waiting != nil {
			waiting("another SAMO process is downloading " + name + "; waiting for it")
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("%w: %s: %w", ErrBusy, name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freeBytes is the room left for an unprivileged writer on dir's disk.
func freeBytes(dir string) (uint64, error) {
	for d := dir; ; d = filepath.Dir(d) {
		var st unix.Statfs_t
		err := unix.Statfs(d, &st)
		if err == nil {
			return st.Bavail * uint64(st.Bsize), nil
		}
		if !errors.Is(err, unix.ENOENT) || filepath.Dir(d) == d {
			return 0, err
		}
	}
}
