//go:build cgo && unix

package audio

import (
	"os"

	"golang.org/x/sys/unix"
)

// quietly runs f with the process's standard error pointed at /dev/null.
// PortAudio probes every host API when it starts and stops, and the sound
// libraries under it (ALSA, JACK) print their probing failures straight to
// file descriptor 2: dozens of lines that are not errors of SAMO's. Real
// failures still come back to us as PortAudio errors. Output that other
// goroutines write to stderr during those milliseconds is dropped too, so
// this wraps only PortAudio's start and stop.
func quietly(f func() error) error {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return f()
	}
	defer null.Close()
	saved, err := unix.Dup(2)
	if err != nil {
		return f()
	}
	defer unix.Close(saved)
	if err := unix.Dup2(int(null.Fd()), 2); err != nil {
		return f()
	}
	defer unix.Dup2(saved, 2)
	return f()
}
