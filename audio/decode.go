package audio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hajimehoshi/go-mp3"
)

// ErrUnknownFormat means a file is none of the formats SAMO reads.
var ErrUnknownFormat = errors.New("audio: not a WAV or MP3 file")

// ErrNotRegular means a path names a directory, a device, a pipe or a
// socket rather than a file: SAMO reads audio from files, whose end it
// knows, never from endless sources such as /dev/zero.
var ErrNotRegular = errors.New("audio: not a regular file")

// MaxFileBytes bounds the audio files DecodeFile reads into memory (about 3
// hours of 16-bit stereo WAV at 44.1 kHz): larger ones are refused rather
// than filling memory. OpenStream has no such bound.
const MaxFileBytes = 2 << 30

// TruncatedError is a file that ends before the audio its headers declare:
// a WAV file whose data chunk declares more bytes than the file holds, or
// an MP3 file whose last frame is cut short. It wraps ErrTruncated.
type TruncatedError struct {
	// Name is the file's name, when known.
	Name string
	// Format is "WAV" or "MP3".
	Format string
	// Declared is the number of bytes the header declares: the WAV data
	// chunk's size, or the size of the MP3 frame cut short.
	Declared int64
	// Held is the number of those bytes the file holds.
	Held int64
}

func (e *TruncatedError) Error() string {
	name := e.Name
	if name == "" {
		name = "the " + e.Format + " file"
	}
	if e.Format == "MP3" {
		return fmt.Sprintf("audio: %s is truncated: its last MP3 frame is cut short (%d of its %d bytes)", name, e.Held, e.Declared)
	}
	return fmt.Sprintf("audio: %s is truncated: its header declares %d bytes of audio, the file holds %d", name, e.Declared, e.Held)
}

// Unwrap makes a TruncatedError match ErrTruncated.
func (e *TruncatedError) Unwrap() error { return ErrTruncated }

// named gives a TruncatedError in err the file's name, and prefixes other
// errors with it.
func named(err error, path string) error {
	var te *TruncatedError
	if errors.As(err, &te) {
		te.Name = filepath.Base(path)
		return err
	}
	return fmt.Errorf("%s: %w", filepath.Base(path), err)
}

// openRegular opens path for reading after checking that it is a regular
// file (opening a named pipe would wait for a writer).
func openRegular(path string) (*os.File, os.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("audio: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%w: %s is a %s", ErrNotRegular, path, fileKind(fi.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("audio: %w", err)
	}
	return f, fi, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// DecodeFile reads a WAV or MP3 file into memory at its own rate; a file
// cut short is an error (a *TruncatedError naming the file, with the clip
// of what is there). DecodeFileMono16k and OpenStream read long files in
// less memory.
func DecodeFile(path string) (Clip, error) {
	f, fi, err := openRegular(path)
	if err != nil {
		return Clip{}, err
	}
	defer f.Close()
	if fi.Size() > MaxFileBytes {
		return Clip{}, fmt.Errorf("audio: %s is %d bytes, more than the %d SAMO reads", filepath.Base(path), fi.Size(), int64(MaxFileBytes))
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return Clip{}, fmt.Errorf("audio: %w", err)
	}
	c, err := Decode(data)
	if err != nil {
		return c, named(err, path)
	}
	return c, nil
}

// source gives a decoder's samples a chunk at a time.
type source interface {
	format() (rate, channels int)
	// read fills dst with whole frames of interleaved samples, returning
	// how many; at the end io.EOF, or the error that ended it.
	read(dst []float32) (int, error)
}

// newSource tells WAV from MP3 by the first bytes of the data (head, at
// least 12 of them when the data has them) and returns a source reading r.
// Ogg Vorbis and other formats are refused with an error naming them.
func newSource(head []byte, r io.Reader) (source, error) {
	switch {
	case len(head) >= 4 && string(head[:4]) == "RIFF":
		return newWAVSource(r)
	case len(head) >= 3 && string(head[:3]) == "ID3",
		len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0:
		return newMP3Source(r)
	case len(head) >= 4 && string(head[:4]) == "OggS":
		return nil, fmt.Errorf("%w: Ogg audio is not supported in this build (convert it to WAV or MP3)", ErrUnsupported)
	case len(head) >= 4 && string(head[:4]) == "fLaC":
		return nil, fmt.Errorf("%w: FLAC is not supported in this build (convert it to WAV or MP3)", ErrUnsupported)
	}
	return nil, ErrUnknownFormat
}

// decodeAll reads a source to its end; hint is the expected number of
// frames. A *TruncatedError comes with the clip of what was read.
func decodeAll(s source, hint int) (Clip, error) {
	rate, chans := s.format()
	c := Clip{Rate: rate, Channels: chans, Samples: make([]float32, 0, max(0, hint)*chans)}
	buf := make([]float32, 4096*chans)
	for {
		n, err := s.read(buf)
		c.Samples = append(c.Samples, buf[:n]...)
		var te *TruncatedError
		switch {
		case err == io.EOF:
			return c, nil
		case errors.As(err, &te):
			return c, err
		case err != nil:
			return Clip{}, err
		}
	}
}

// Decode reads WAV or MP3 data, telling them apart by their first bytes.
// Ogg Vorbis and other formats are refused with an error naming them. Data
// cut short gives a *TruncatedError with the clip of what is there (see
// DecodeWAV).
func Decode(data []byte) (Clip, error) {
	s, err := newSource(data[:min(len(data), 12)], bytes.NewReader(data))
	if err != nil {
		return Clip{}, err
	}
	return decodeAll(s, 0)
}

// ErrCorruptMP3 means MP3 data could not be decoded.
var ErrCorruptMP3 = errors.New("audio: corrupt MP3")

// DecodeMP3 reads MPEG-1/2 layer III audio into stereo samples. Data whose
// last frame is cut short gives a *TruncatedError with the clip of the
// whole frames; data without a frame is ErrCorruptMP3.
func DecodeMP3(data []byte) (Clip, error) {
	s, err := newMP3Source(bytes.NewReader(data))
	if err != nil {
		return Clip{}, err
	}
	return decodeAll(s, 0)
}

// mp3Source decodes MP3 frames with go-mp3, which takes a frame cut short
// by the end of the data for the end: cutReader notices it.
type mp3Source struct {
	d   *mp3.Decoder
	cut *cutReader
	buf []byte
}

func newMP3Source(r io.Reader) (s *mp3Source, err error) {
	defer func() {
		// The decoder indexes tables with values read from the file; keep
		// a damaged file an error, never a crash.
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%w: %v", ErrCorruptMP3, r)
		}
	}()
	cut := &cutReader{r: r}
	d, err := mp3.NewDecoder(cut)
	if err != nil {
		return nil, fmt.Errorf("%w: no audio frames (%w)", ErrCorruptMP3, err)
	}
	if d.SampleRate() <= 0 {
		return nil, fmt.Errorf("%w: no audio frames", ErrCorruptMP3)
	}
	if err := cut.check(); err != nil {
		return nil, err
	}
	return &mp3Source{d: d, cut: cut}, nil
}

// format is always stereo: go-mp3 doubles a mono stream's channel.
func (s *mp3Source) format() (rate, channels int) { return s.d.SampleRate(), 2 }

func (s *mp3Source) read(dst []float32) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("%w: %v", ErrCorruptMP3, r)
		}
	}()
	want := len(dst) / 2 * 4 // 16-bit stereo
	if cap(s.buf) < want {
		s.buf = make([]byte, want)
	}
	m, err := io.ReadFull(s.d, s.buf[:want])
	n = m / 2 / 2 * 2
	for i := range n {
		dst[i] = float32(int16(uint16(s.buf[2*i])|uint16(s.buf[2*i+1])<<8)) / 32768
	}
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if err := s.cut.check(); err != nil {
			return n, err
		}
		return n, io.EOF
	}
	return n, fmt.Errorf("%w: %w", ErrCorruptMP3, err)
}

// cutReader gives go-mp3 whole reads and notes one that the end of the
// data cut short: the decoder asks for a frame's bytes (or its header's)
// in one read, and only a clean end (no byte of a next header, or none
// while it searches for one) is no loss.
type cutReader struct {
	r         io.Reader
	want, got int // the read cut short
	cut       bool
}

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := io.ReadFull(c.r, p)
	if err == io.ErrUnexpectedEOF || (err == io.EOF && len(p) != 4 && len(p) != 1) {
		c.cut, c.want, c.got = true, len(p), n
	}
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// check returns a *TruncatedError once a read was cut short.
func (c *cutReader) check() error {
	if c.cut {
		return &TruncatedError{Format: "MP3", Declared: int64(c.want), Held: int64(c.got)}
	}
	return nil
}

// Mono16k mixes a clip's channels down to one at 16 kHz, the form SAMO
// transcribes.
func (c Clip) Mono16k() []float32 {
	mono := c.Samples
	if c.Channels > 1 {
		mono = make([]float32, c.Frames())
		downmix(mono, c.Samples, c.Channels)
	}
	return Resample(mono, c.Rate, Rate)
}

// downmix averages interleaved frames of in into mono (len(in)/chans).
func downmix(mono, in []float32, chans int) {
	for i := range mono {
		var s float32
		for ch := range chans {
			s += in[i*chans+ch]
		}
		mono[i] = s / float32(chans)
	}
}

// bufferedRegular opens a regular file for a source, with a buffer, and
// returns its first bytes.
func bufferedRegular(path string) (*os.File, *bufio.Reader, []byte, error) {
	f, _, err := openRegular(path)
	if err != nil {
		return nil, nil, nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	head, err := br.Peek(12)
	if err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, nil, nil, fmt.Errorf("audio: read %s: %w", filepath.Base(path), err)
	}
	return f, br, head, nil
}
