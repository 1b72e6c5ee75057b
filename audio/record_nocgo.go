//go:build !cgo

package audio

import "time"

// Recorder is unavailable without cgo.
type Recorder struct{}

// StartRecording reports that PortAudio is missing from this build.
func StartRecording(path string, o RecordOptions) (*Recorder, error) { return nil, ErrUnavailable }

// Pause does nothing.
func (r *Recorder) Pause() {}

// Resume does nothing.
func (r *Recorder) Resume() {}

// Paused is false.
func (r *Recorder) Paused() bool { return false }

// Elapsed is zero.
func (r *Recorder) Elapsed() time.Duration { return 0 }

// Done is closed.
func (r *Recorder) Done() <-chan struct{} { c := make(chan struct{}); close(c); return c }

// Stop reports that PortAudio is missing from this build.
func (r *Recorder) Stop() (Recording, error) { return Recording{}, ErrUnavailable }
