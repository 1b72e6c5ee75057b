//go:build !cgo

package audio

import "context"

// Play reports that PortAudio is missing from this build.
func Play(ctx context.Context, c Clip) error { return ErrUnavailable }
