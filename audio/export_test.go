//go:build cgo

package audio

// CaptureCounts returns the device frames a Recorder has read and kept,
// and those it read and dropped while paused.
func CaptureCounts(r *Recorder) (kept, dropped int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.kept, r.dropped
}
