//go:build cgo

package audio

import (
	"context"
	"fmt"

	"github.com/gordonklaus/portaudio"
)

// Play plays a clip through the default output device and returns when it
// has been played or ctx is cancelled (then it stops at once). Samples
// are resampled when the device cannot take the clip's rate.
func Play(ctx context.Context, c Clip) error {
	if c.Channels < 1 || c.Channels > 2 || c.Rate <= 0 {
		return fmt.Errorf("audio: play: %d Hz × %d channels is not playable", c.Rate, c.Channels)
	}
	if err := paStart(); err != nil {
		return fmt.Errorf("audio: initialize PortAudio: %w", err)
	}
	defer paStop()
	dev, err := portaudio.DefaultOutputDevice()
	if err != nil {
		return fmt.Errorf("audio: no output device: %w", err)
	}
	samples, rate := c.Samples, c.Rate
	p := portaudio.HighLatencyParameters(nil, dev)
	p.Output.Channels = c.Channels
	p.SampleRate = float64(rate)
	if portaudio.IsFormatSupported(p, []int16{}) != nil {
		rate = int(dev.DefaultSampleRate)
		p.SampleRate = float64(rate)
		samples = resampleInterleaved(samples, c.Channels, c.Rate, rate)
	}
	p.FramesPerBuffer = rate / 50
	buf := make([]int16, p.FramesPerBuffer*c.Channels)
	s, err := portaudio.OpenStream(p, buf)
	if err != nil {
		return fmt.Errorf("audio: open %s: %w", dev.Name, err)
	}
	defer s.Close()
	if err := s.Start(); err != nil {
		return fmt.Errorf("audio: start %s: %w", dev.Name, err)
	}
	for off := 0; off < len(samples); off += len(buf) {
		if ctx.Err() != nil {
			s.Abort()
			return ctx.Err()
		}
		n := copy(buf, toInt16(samples[off:min(off+len(buf), len(samples))]))
		clear(buf[n:])
		if err := s.Write(); err != nil && err != portaudio.OutputUnderflowed {
			s.Abort()
			return fmt.Errorf("audio: play on %s: %w", dev.Name, err)
		}
	}
	if err := s.Stop(); err != nil {
		return fmt.Errorf("audio: stop %s: %w", dev.Name, err)
	}
	return nil
}
