//go:build !unix

package audio

import "os"

// lockFile does nothing where advisory locks are not available.
func lockFile(f *os.File) error { return nil }
