package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// envHome names the environment variable that picks the journal folder.
const envHome = "SAMO_HOME"

// defaultHome returns the per-user data folder SAMO keeps its journal in:
// $XDG_DATA_HOME/samo or ~/.local/share/samo on Linux,
// ~/Library/Application Support/SAMO on macOS, %AppData%\SAMO on Windows.
func defaultHome() (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin":
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("find the user data folder: %w", err)
		}
		return filepath.Join(dir, "SAMO"), nil
	default:
		if x := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(x) {
			return filepath.Join(x, "samo"), nil
		}
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home folder: %w", err)
		}
		return filepath.Join(h, ".local", "share", "samo"), nil
	}
}
