//go:build !cgo

package audio

// CaptureCounts is zero without cgo: there is no Recorder.
func CaptureCounts(*Recorder) (kept, dropped int64) { return 0, 0 }
