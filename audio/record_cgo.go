//go:build cgo

package audio

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gordonklaus/portaudio"
)

// Recorder captures one recording from an input device into a WAV file at
// 16 kHz mono, converting from the device's rate when it cannot give
// 16 kHz. The file is valid as it grows (see WAVWriter): a crash loses at
// most the last second. Stop finishes it.
type Recorder struct {
	path string
	opts RecordOptions
	dev  Device
	rate int

	stream *portaudio.Stream
	buf    []int16 // 16-bit capture: every device offers it, and ALSA's
	// conversion to float has been seen to drop input
	wav   *WAVWriter
	rs    *Resampler
	meter levelMeter

	mu        sync.Mutex
	paused    bool
	stopping  bool
	written   int64
	overflows int
	// kept and dropped count the device frames read while recording and
	// while paused: at 16 kHz what the file holds is exactly kept.
	kept, dropped int64

	done chan struct{}
	// err is the file's failure (the recording is not safe), devErr the
	// device's (what was recorded until then is).
	err, devErr error
}

// StartRecording opens the input device and starts recording into a new
// WAV file at path.
func StartRecording(path string, o RecordOptions) (*Recorder, error) {
	if err := paStart(); err != nil {
		return nil, fmt.Errorf("audio: initialize PortAudio: %w", err)
	}
	r := &Recorder{path: path, opts: o, done: make(chan struct{}), meter: levelMeter{on: o.OnLevel}}
	if err := r.open(); err != nil {
		paStop()
		return nil, err
	}
	go r.run()
	return r, nil
}

// open picks the device and a rate it supports, and opens the stream and
// the file.
func (r *Recorder) open() error {
	devs, err := portaudio.Devices()
	if err != nil {
		return fmt.Errorf("audio: list devices: %w", err)
	}
	def, _ := portaudio.DefaultInputDevice()
	var inputs []Device
	byName := map[string]*portaudio.DeviceInfo{}
	for _, d := range devs {
		if d.MaxInputChannels < 1 {
			continue
		}
		if _, dup := byName[d.Name]; dup {
			continue
		}
		byName[d.Name] = d
		inputs = append(inputs, deviceOf(d, def != nil && def.Name == d.Name))
	}
	dev, err := pickDevice(inputs, r.opts.Device)
	if err != nil {
		return err
	}
	info := byName[dev.Name]
	r.dev = dev
	p := portaudio.HighLatencyParameters(info, nil)
	p.Input.Channels = 1
	p.SampleRate = Rate
	if r.opts.DeviceRate > 0 {
		p.SampleRate = float64(r.opts.DeviceRate)
	} else if portaudio.IsFormatSupported(p, []float32{}) != nil {
		p.SampleRate = info.DefaultSampleRate
	}
	r.rate = int(p.SampleRate)
	if float64(r.rate) != p.SampleRate || r.rate <= 0 {
		return fmt.Errorf("audio: %s: unsupported sample rate %v", dev.Name, p.SampleRate)
	}
	p.FramesPerBuffer = r.rate / 50 // 20 ms
	r.buf = make([]int16, p.FramesPerBuffer)
	r.rs = NewResampler(r.rate, Rate)
	r.stream, err = portaudio.OpenStream(p, r.buf)
	if err != nil {
		return fmt.Errorf("audio: open %s at %d Hz: %w", dev.Name, r.rate, err)
	}
	r.wav, err = CreateWAV(r.path, Rate, 1)
	if err != nil {
		r.stream.Close()
		return err
	}
	if err := r.stream.Start(); err != nil {
		r.stream.Close()
		r.wav.Close()
		return fmt.Errorf("audio: start %s: %w", dev.Name, err)
	}
	return nil
}

// captureQueue is how many 20 ms buffers wait between the capture loop and
// the writer (10 s): a slow disk sync never holds up reading the device.
const captureQueue = 500

// run reads the device until Stop, the maximum length or a device error.
// Reading and writing run on separate goroutines, so that a slow write or
// sync (every half second) never makes the device overflow; if the writer
// falls 10 s behind, reading waits for it (and an overflow is counted).
func (r *Recorder) run() {
	defer close(r.done)
	chunks := make(chan []int16, captureQueue)
	written := make(chan error, 1)
	go func() { written <- r.writeAll(chunks) }()
	var devErr error
	for {
		r.mu.Lock()
		stop, paused := r.stopping, r.paused
		r.mu.Unlock()
		if stop {
			break
		}
		if rerr := r.stream.Read(); rerr != nil {
			if errors.Is(rerr, portaudio.InputOverflowed) {
				r.mu.Lock()
				r.overflows++
				r.mu.Unlock()
			} else {
				devErr = fmt.Errorf("audio: read %s: %w", r.dev.Name, rerr)
				break
			}
		}
		r.mu.Lock()
		if paused {
			r.dropped += int64(len(r.buf))
		} else {
			r.kept += int64(len(r.buf))
		}
		r.mu.Unlock()
		if paused {
			continue
		}
		chunks <- append([]int16(nil), r.buf...)
	}
	close(chunks)
	err := <-written
	serr := r.stream.Stop()
	r.stream.Close()
	paStop()
	if cerr := r.wav.Close(); err == nil {
		err = cerr
	}
	r.err = err
	if devErr == nil && serr != nil {
		devErr = fmt.Errorf("audio: stop %s: %w", r.dev.Name, serr)
	}
	r.devErr = devErr
}

// writeAll converts, resamples and writes the captured buffers until the
// channel closes or the maximum length is reached (then it asks the
// capture loop to stop and drains the rest). It returns the first write
// error, after asking the capture loop to stop.
func (r *Recorder) writeAll(chunks <-chan []int16) error {
	maxN := int64(r.opts.MaxLength) * Rate / int64(time.Second)
	stop := func() {
		r.mu.Lock()
		r.stopping = true
		r.mu.Unlock()
	}
	var err error
	full := false
	for c := range chunks {
		if err != nil || full {
			continue // drain
		}
		f := make([]float32, len(c))
		for i, v := range c {
			f[i] = float32(v) / 32768
		}
		out := r.rs.Process(f)
		if maxN > 0 && r.written+int64(len(out)) >= maxN {
			out, full = out[:maxN-r.written], true
			stop()
		}
		if err = r.write(out); err != nil {
			stop()
		}
	}
	if err == nil && !full {
		tail := r.rs.Flush()
		if maxN > 0 {
			tail = tail[:min(int64(len(tail)), maxN-r.written)]
		}
		err = r.write(tail)
	}
	return err
}

func (r *Recorder) write(s []float32) error {
	if len(s) == 0 {
		return nil
	}
	if err := r.wav.Write(s); err != nil {
		return err
	}
	r.mu.Lock()
	r.written += int64(len(s))
	r.mu.Unlock()
	r.meter.add(s)
	if r.opts.OnAudio != nil {
		r.opts.OnAudio(s)
	}
	return nil
}

// Pause stops keeping audio until Resume; the device keeps running so
// that resuming is instant.
func (r *Recorder) Pause() { r.mu.Lock(); r.paused = true; r.mu.Unlock() }

// Resume keeps audio again after Pause.
func (r *Recorder) Resume() { r.mu.Lock(); r.paused = false; r.mu.Unlock() }

// Paused reports whether the recording is paused.
func (r *Recorder) Paused() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.paused }

// Elapsed is the audio kept so far.
func (r *Recorder) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return samplesDuration(r.written)
}

// Done is closed when the recording has ended: after Stop, at the maximum
// length, on a device error (Recording.DeviceErr) or a write error (which
// Stop returns).
func (r *Recorder) Done() <-chan struct{} { return r.done }

// Stop ends the recording, finishes the file and describes it. Its error is
// the file's (a write failed: what the file holds is still there); a
// device that failed mid-recording is Recording.DeviceErr, and the audio
// until then is safe.
func (r *Recorder) Stop() (Recording, error) {
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
	<-r.done
	rec := Recording{Path: r.path, Duration: samplesDuration(r.written), DeviceName: r.dev.Name, DeviceRate: r.rate,
		Overflows: r.overflows, DeviceErr: r.devErr}
	return rec, r.err
}
