package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// DefaultHome returns the per-user data folder SAMO keeps its journal in:
// $XDG_DATA_HOME/samo or ~/.local/share/samo on Linux,
// ~/Library/Application Support/SAMO on macOS, %AppData%\SAMO on Windows.
func DefaultHome() (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin":
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("journal: find the user data folder: %w", err)
		}
		return filepath.Join(dir, "SAMO"), nil
	default:
		if x := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(x) {
			return filepath.Join(x, "samo"), nil
		}
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("journal: find the home folder: %w", err)
		}
		return filepath.Join(h, ".local", "share", "samo"), nil
	}
}

// EnvHome names the environment variable that picks the journal folder.
const EnvHome = "SAMO_HOME"

// HomeDir resolves the journal folder, as an absolute path: flag when it
// is not empty, else $SAMO_HOME, else DefaultHome.
func HomeDir(flag string) (string, error) {
	h := flag
	if h == "" {
		h = os.Getenv(EnvHome)
	}
	if h == "" {
		var err error
		if h, err = DefaultHome(); err != nil {
			return "", err
		}
	}
	abs, err := filepath.Abs(h)
	if err != nil {
		return "", fmt.Errorf("journal: journal folder %s: %w", h, err)
	}
	return abs, nil
}

// ParseTime reads when an entry was written: RFC 3339, or a local date
// with an optional time ("2026-03-01 21:30").
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read the time %q: use RFC 3339 (2026-03-01T21:30:00+01:00) or \"2026-03-01 21:30\"", s)
}

// RecordingsDir is the folder in the journal folder home where recordings
// are written while they are made (a file left there is an unfinished
// recording); it is created if needed.
func RecordingsDir(home string) (string, error) {
	dir := filepath.Join(home, "recordings")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("journal: recordings folder: %w", err)
	}
	return dir, nil
}
