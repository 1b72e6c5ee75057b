package audio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Stream reads a WAV or MP3 file a chunk at a time as 16 kHz mono, the form
// SAMO transcribes, holding only a chunk of the file and the resampler's
// filter span: its memory does not grow with the audio's length.
type Stream struct {
	name  string
	f     *os.File
	src   source
	chans int
	res   *Resampler
	in    []float32 // a chunk of interleaved source frames
	mono  []float32
	out   []float32 // resampled samples not yet read
	// outBuf is the memory out reuses, chunk after chunk.
	outBuf []float32
	err    error // how the source ended, once it has
	est    int   // expected length in 16 kHz samples, 0 when unknown
}

// streamChunkFrames is how many source frames a Stream decodes at a time.
const streamChunkFrames = 8192

// OpenStream opens a WAV or MP3 file for reading as 16 kHz mono. Paths that
// are not regular files (directories, devices such as /dev/zero, pipes)
// are refused with ErrNotRegular.
func OpenStream(path string) (*Stream, error) {
	f, br, head, err := bufferedRegular(path)
	if err != nil {
		return nil, err
	}
	src, err := newSource(head, br)
	if err != nil {
		f.Close()
		return nil, named(err, path)
	}
	rate, chans := src.format()
	s := &Stream{name: path, f: f, src: src, chans: chans, res: NewResampler(rate, Rate),
		in: make([]float32, streamChunkFrames*chans), mono: make([]float32, streamChunkFrames)}
	if w, ok := src.(*wavSource); ok && !w.toEnd {
		s.est = int(w.declared / int64(w.frameBytes()) * Rate / int64(rate))
	}
	return s, nil
}

// Len returns the stream's expected length in 16 kHz samples, from the
// file's header (a WAV file's data size), or 0 when it is not known ahead
// (MP3).
func (s *Stream) Len() int { return s.est }

// Read fills p with the next 16 kHz mono samples, returning how many. At
// the end of the audio it returns io.EOF; a file that ends before its
// headers say (see TruncatedError) gives its samples, then the
// *TruncatedError instead of io.EOF.
func (s *Stream) Read(p []float32) (int, error) {
	for len(s.out) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		n, err := s.src.read(s.in)
		frames := n / s.chans
		mono := s.in[:frames]
		if s.chans > 1 {
			mono = s.mono[:frames]
			downmix(mono, s.in[:n], s.chans)
		}
		s.out = s.res.appendProcess(s.outBuf[:0], mono)
		s.outBuf = s.out[:0]
		if err != nil {
			s.out = append(s.out, s.res.Flush()...)
			s.err = named(err, s.name)
			if err == io.EOF {
				s.err = io.EOF
			}
		}
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}

// Close closes the file.
func (s *Stream) Close() error {
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("audio: close %s: %w", filepath.Base(s.name), err)
	}
	return nil
}

// DecodeFileMono16k reads a WAV or MP3 file straight to 16 kHz mono,
// without holding the file or its samples at their own rate. A file cut
// short is an error (a *TruncatedError naming it); so is one longer than
// MaxFileBytes/4 samples at 16 kHz (about 9 hours).
func DecodeFileMono16k(path string) ([]float32, error) {
	s, err := OpenStream(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	// The header's length, and room for the resampler's last few samples
	// (rounding), so that a file of the length it says is never copied.
	out := make([]float32, 0, min(s.Len(), MaxFileBytes/4)+64)
	for {
		if len(out) == cap(out) {
			if len(out) >= MaxFileBytes/4 {
				return nil, fmt.Errorf("audio: %s holds more than the %d hours SAMO reads at once", filepath.Base(path), MaxFileBytes/4/Rate/3600)
			}
			out = append(out, make([]float32, min(len(out), MaxFileBytes/4-len(out))+1)...)[:len(out)]
		}
		n, err := s.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
