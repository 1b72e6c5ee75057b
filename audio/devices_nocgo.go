//go:build !cgo

package audio

// List reports that PortAudio is missing from this build.
func List() (Inventory, error) { return Inventory{}, ErrUnavailable }
