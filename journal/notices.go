package journal

import (
	"slices"
	"sync"
	"time"
)

// Notice is something the person should know that did not stop the work:
// an emotion model that could not be loaded, a transcription that failed, a
// text that had to be repaired. Its Message says what happened and what to
// do about it.
type Notice struct {
	Message string
	At      time.Time
}

// keptNotices is how many notices Notices keeps for a listener that comes
// later (the window listens once the journal is open).
const keptNotices = 16

// Notices carries notices to whoever shows them: the CLI prints them on
// standard error, the window shows them in its notice bar. The last 16
// are kept and handed to every new listener first, so a notice given
// before the window listens still reaches it. It is safe for concurrent
// use; listeners are called on the goroutine that gave the notice.
type Notices struct {
	mu        sync.Mutex
	listeners map[int]func(Notice)
	next      int
	kept      []Notice
	now       func() time.Time
}

// NewNotices returns Notices with no listener.
func NewNotices() *Notices {
	return &Notices{listeners: map[int]func(Notice){}, now: time.Now}
}

// Notify gives every listener the notice msg.
func (n *Notices) Notify(msg string) {
	n.mu.Lock()
	nt := Notice{Message: msg, At: n.now()}
	n.kept = append(n.kept, nt)
	if len(n.kept) > keptNotices {
		n.kept = n.kept[len(n.kept)-keptNotices:]
	}
	fs := make([]func(Notice), 0, len(n.listeners))
	for _, f := range n.listeners {
		fs = append(fs, f)
	}
	n.mu.Unlock()
	for _, f := range fs {
		f(nt)
	}
}

// Listen calls f first with the notices kept (the last 16 given), then
// with every notice from now on. The returned function stops it.
func (n *Notices) Listen(f func(Notice)) (stop func()) {
	n.mu.Lock()
	id := n.next
	n.next++
	n.listeners[id] = f
	kept := slices.Clone(n.kept)
	n.mu.Unlock()
	for _, nt := range kept {
		f(nt)
	}
	return func() {
		n.mu.Lock()
		delete(n.listeners, id)
		n.mu.Unlock()
	}
}
