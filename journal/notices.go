package journal

import (
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
// later (the window subscribes after the journal is open).
const keptNotices = 16

// Notices carries notices to whoever shows them: the CLI prints them on
// standard error, the window shows them in its notice bar. Notices given
// while nobody listens are kept (the last 16) and handed to the first
// listener. It is safe for concurrent use; listeners are called on the
// goroutine that gave the notice.
type Notices struct {
	mu        sync.Mutex
	listeners map[int]func(Notice)
	next      int
	waiting   []Notice
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
	if len(n.listeners) == 0 {
		n.waiting = append(n.waiting, nt)
		if len(n.waiting) > keptNotices {
			n.waiting = n.waiting[len(n.waiting)-keptNotices:]
		}
		n.mu.Unlock()
		return
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

// Listen calls f with every notice from now on, and first with those kept
// while nobody listened. The returned function stops it.
func (n *Notices) Listen(f func(Notice)) (stop func()) {
	n.mu.Lock()
	id := n.next
	n.next++
	n.listeners[id] = f
	waiting := n.waiting
	n.waiting = nil
	n.mu.Unlock()
	for _, nt := range waiting {
		f(nt)
	}
	return func() {
		n.mu.Lock()
		delete(n.listeners, id)
		n.mu.Unlock()
	}
}
