//go:build cgo

package audio

import (
	"sync"

	"github.com/gordonklaus/portaudio"
)

// paMu serialises PortAudio's start and stop. PortAudio is one library
// state per process, reference-counted, and its Initialize and Terminate
// must not run at the same time; quietly's swap of file descriptor 2 must
// not interleave either. It is the one piece of package state, because
// PortAudio's own state is process-wide.
var paMu sync.Mutex

// paStart initializes PortAudio (quietly: its probing of every host API
// prints noise that is not ours).
func paStart() error {
	paMu.Lock()
	defer paMu.Unlock()
	return quietly(portaudio.Initialize)
}

// paStop releases one paStart.
func paStop() {
	paMu.Lock()
	defer paMu.Unlock()
	quietly(portaudio.Terminate)
}
