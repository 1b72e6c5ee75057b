// Package outfile writes what a command produces to the path a person names
// (--output, --out, Save image…) the way that path asks for:
//
//   - a new path or a regular file is written beside it and renamed into
//     place once synced, so a failure never leaves half a file under that
//     name and an old file is replaced whole or not at all;
//   - a symbolic link to a regular file replaces the file it points to and
//     keeps the link;
//   - anything else (a FIFO, a terminal, a device such as /dev/full, the
//     streams /dev/stdout and /proc/self/fd/N) is written to directly and is
//     never replaced by a regular file;
//   - a folder is an error.
//
// Every write error, a full disk or device included, is returned.
package outfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrFolder is wrapped by Write's error when the path is a folder.
var ErrFolder = errors.New("is a folder, not a file")

// Write runs write on the file at path (see the package comment for how),
// creating a new file with mode perm.
func Write(path string, perm os.FileMode, write func(io.Writer) error) error {
	if path == "" {
		return errors.New("write: no file named")
	}
	target, direct, err := resolve(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if direct {
		err = writeDirect(target, perm, write)
	} else {
		err = replace(target, perm, write)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// resolve says where to write for path and whether directly.
func resolve(path string) (target string, direct bool, err error) {
	if stream(path) {
		return path, true, nil
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return path, false, nil
	case err != nil:
		return "", false, err
	case fi.Mode()&os.ModeSymlink != 0:
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			// A dangling link, or one to something without a path (a
			// pipe behind /proc/self/fd): write through it.
			return path, true, nil
		}
		if stream(real) {
			return path, true, nil
		}
		return resolve(real)
	case fi.IsDir():
		return "", false, ErrFolder
	case !fi.Mode().IsRegular():
		return path, true, nil
	}
	return path, false, nil
}

// stream reports whether path names a device or a process's stream, which
// are written to as they are whatever they turn out to be.
func stream(path string) bool {
	clean := filepath.Clean(path)
	return strings.HasPrefix(clean, "/dev/") || strings.HasPrefix(clean, "/proc/")
}

// writeDirect writes to a file that is not replaced (created with perm
// behind a dangling link).
func writeDirect(path string, perm os.FileMode, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// replace writes a new regular file beside path and renames it into place.
func replace(path string, perm os.FileMode, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}
