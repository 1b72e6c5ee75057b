package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// Errors a caller can test for with errors.Is.
var (
	// ErrNotWAV means the data is not a RIFF/WAVE file.
	ErrNotWAV = errors.New("audio: not a WAV file")
	// ErrUnsupported means a WAV file uses an encoding SAMO does not read.
	ErrUnsupported = errors.New("audio: unsupported WAV encoding")
	// ErrTruncated means a file ends before what its headers declare: in
	// the middle of a chunk or header, or of its audio (see TruncatedError).
	ErrTruncated = errors.New("audio: truncated file")
)

// Clip is decoded audio: samples in [-1, 1], interleaved by channel.
type Clip struct {
	Rate     int
	Channels int
	Samples  []float32
}

// Frames returns the number of sample frames (samples per channel).
func (c Clip) Frames() int {
	if c.Channels == 0 {
		return 0
	}
	return len(c.Samples) / c.Channels
}

const wavHeaderSize = 44

// WAVWriter streams 16-bit PCM into a WAV file whose header stays valid as
// the file grows: every headerEvery of audio it rewrites the RIFF and data
// sizes and syncs, so a file cut short by a crash or a kill plays and holds
// all but at most that much of the end. Close finishes the file.
type WAVWriter struct {
	f           *os.File
	rate, chans int
	dataBytes   int64 // bytes of samples written
	syncedBytes int64 // dataBytes as of the last header update
	headerEvery int64 // bytes of audio between header updates
	scratch     []byte
	closed      bool
}

// CreateWAV creates (truncating) a 16-bit PCM WAV file at path. The header
// is brought up to date every half second of audio. The file is locked
// (an advisory lock, where the system has them) until Close, so that
// FindUnfinished never takes a recording in progress for a crash's leftover.
func CreateWAV(path string, rate, channels int) (*WAVWriter, error) {
	if rate <= 0 || channels <= 0 || channels > 8 {
		return nil, fmt.Errorf("audio: create wav %s: bad format %d Hz × %d channels", path, rate, channels)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audio: create wav: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("audio: create wav %s: %w", path, err)
	}
	w := &WAVWriter{f: f, rate: rate, chans: channels, headerEvery: int64(rate * channels * 2 / 2)}
	if _, err := f.Write(wavHeader(rate, channels, 0)); err != nil {
		f.Close()
		return nil, fmt.Errorf("audio: write wav header %s: %w", path, err)
	}
	return w, nil
}

// wavHeader is the 44-byte header of a 16-bit PCM file with dataBytes of samples.
func wavHeader(rate, channels int, dataBytes int64) []byte {
	h := make([]byte, 0, wavHeaderSize)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(min(dataBytes+36, math.MaxUint32)))
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, 1) // PCM
	h = binary.LittleEndian.AppendUint16(h, uint16(channels))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate*channels*2))
	h = binary.LittleEndian.AppendUint16(h, uint16(channels*2))
	h = binary.LittleEndian.AppendUint16(h, 16)
	h = append(h, "data"...)
	return binary.LittleEndian.AppendUint32(h, uint32(min(dataBytes, math.MaxUint32-36)))
}

// Write appends interleaved samples in [-1, 1) (values outside are clipped).
func (w *WAVWriter) Write(samples []float32) error {
	if w.closed {
		return errors.New("audio: write to a closed wav file")
	}
	if len(samples)%w.chans != 0 {
		return fmt.Errorf("audio: %d samples is not whole frames of %d channels", len(samples), w.chans)
	}
	w.scratch = w.scratch[:0]
	for _, v := range toInt16(samples) {
		w.scratch = binary.LittleEndian.AppendUint16(w.scratch, uint16(v))
	}
	if _, err := w.f.Write(w.scratch); err != nil {
		return fmt.Errorf("audio: write wav: %w", err)
	}
	w.dataBytes += int64(len(w.scratch))
	if w.dataBytes-w.syncedBytes >= w.headerEvery {
		return w.updateHeader()
	}
	return nil
}

// updateHeader writes the current sizes into the header and syncs the file.
func (w *WAVWriter) updateHeader() error {
	if _, err := w.f.WriteAt(wavHeader(w.rate, w.chans, w.dataBytes), 0); err != nil {
		return fmt.Errorf("audio: update wav header: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("audio: sync wav: %w", err)
	}
	w.syncedBytes = w.dataBytes
	return nil
}

// Close writes the final header, syncs and closes the file.
func (w *WAVWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.updateHeader()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("audio: close wav: %w", cerr)
	}
	return err
}

// RepairWAV brings the header of a 16-bit PCM file written by WAVWriter up
// to the samples actually in it, after a crash cut the writing short. It
// reports the number of frames the file holds.
func RepairWAV(path string) (int, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("audio: repair wav: %w", err)
	}
	defer f.Close()
	h := make([]byte, wavHeaderSize)
	if _, err := io.ReadFull(f, h); err != nil {
		return 0, fmt.Errorf("audio: repair wav %s: %w", path, ErrTruncated)
	}
	if string(h[0:4]) != "RIFF" || string(h[8:16]) != "WAVEfmt " || string(h[36:40]) != "data" ||
		binary.LittleEndian.Uint16(h[20:]) != 1 || binary.LittleEndian.Uint16(h[34:]) != 16 {
		return 0, fmt.Errorf("audio: repair wav %s: %w: not a file SAMO recorded", path, ErrUnsupported)
	}
	chans := int(binary.LittleEndian.Uint16(h[22:]))
	rate := int(binary.LittleEndian.Uint32(h[24:]))
	if chans == 0 {
		return 0, fmt.Errorf("audio: repair wav %s: %w: zero channels", path, ErrUnsupported)
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("audio: repair wav: %w", err)
	}
	frame := int64(chans * 2)
	data := (fi.Size() - wavHeaderSize) / frame * frame
	if _, err := f.WriteAt(wavHeader(rate, chans, data), 0); err != nil {
		return 0, fmt.Errorf("audio: repair wav: %w", err)
	}
	if err := f.Truncate(wavHeaderSize + data); err != nil {
		return 0, fmt.Errorf("audio: repair wav: %w", err)
	}
	return int(data / frame), f.Sync()
}

// DecodeWAV reads a WAV file: PCM of 8, 16, 24 or 32 bits, or IEEE float of
// 32 or 64 bits, in a plain or extensible format chunk, any rate, any
// channel count up to 8, at 1 to 768 kHz. Chunks it does not need are skipped; float samples
// are clipped to [-1, 1] and NaN becomes 0. Damaged input is an error
// naming the problem, never a panic.
//
// A data chunk that declares more audio than the data holds (a file cut
// short) gives a *TruncatedError together with the whole frames that are
// there: a caller that reads its own recordings after a crash may take
// them; any other caller should refuse the file.
func DecodeWAV(data []byte) (Clip, error) {
	src, err := newWAVSource(bytes.NewReader(data))
	if err != nil {
		return Clip{}, err
	}
	return decodeAll(src, int(min(src.declared, int64(len(data)))/int64(src.frameBytes())))
}

// wavFormat is what a WAV file's fmt chunk says of its samples.
type wavFormat struct {
	format, bits uint16
	chans, rate  int
}

func (f wavFormat) frameBytes() int { return int(f.bits) / 8 * f.chans }

// unknownSize is the data size of a WAV file written to a stream whose
// length was not known (read to the end).
const unknownSize = math.MaxUint32

// readWAVHeader reads a WAV file's chunks up to the start of its samples,
// checking that SAMO can read them, and returns their format and the size
// the data chunk declares.
func readWAVHeader(r io.Reader) (wavFormat, int64, error) {
	var f wavFormat
	var h [40]byte
	if _, err := io.ReadFull(r, h[:12]); err != nil || string(h[0:4]) != "RIFF" || string(h[8:12]) != "WAVE" {
		return f, 0, ErrNotWAV
	}
	haveFmt := false
	for {
		n, err := io.ReadFull(r, h[:8])
		if n == 0 && err == io.EOF {
			return f, 0, fmt.Errorf("%w: no data chunk", ErrNotWAV)
		}
		if err != nil {
			return f, 0, fmt.Errorf("%w: a chunk header is cut short", ErrTruncated)
		}
		id, size := string(h[0:4]), int64(binary.LittleEndian.Uint32(h[4:8]))
		switch id {
		case "data":
			if !haveFmt {
				return f, 0, fmt.Errorf("%w: data before fmt", ErrNotWAV)
			}
			return f, size, nil
		case "fmt ":
			if size < 16 {
				return f, 0, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, size)
			}
			body := h[:min(size, 40)]
			if _, err := io.ReadFull(r, body); err != nil {
				return f, 0, fmt.Errorf("%w: chunk %q wants %d bytes, fewer remain", ErrTruncated, id, size)
			}
			if f, err = parseFmt(body); err != nil {
				return f, 0, err
			}
			haveFmt = true
			size -= int64(len(body))
		}
		size += size & 1 // chunks are padded to even sizes
		if skipped, _ := io.CopyN(io.Discard, r, size); skipped < size && (skipped < size-1 || id == "fmt ") {
			return f, 0, fmt.Errorf("%w: chunk %q wants %d bytes, %d remain", ErrTruncated, id, size, skipped)
		}
	}
}

// The sample rates SAMO reads: below 1 kHz nothing of speech is left, and
// upsampling to 16 kHz from an absurd rate would take hours.
const minRate, maxRate = 1000, 768000

// parseFmt reads a fmt chunk's body (at least 16 bytes).
func parseFmt(body []byte) (wavFormat, error) {
	f := wavFormat{
		format: binary.LittleEndian.Uint16(body[0:]),
		chans:  int(binary.LittleEndian.Uint16(body[2:])),
		rate:   int(binary.LittleEndian.Uint32(body[4:])),
		bits:   binary.LittleEndian.Uint16(body[14:]),
	}
	if f.format == 0xFFFE && len(body) >= 40 { // WAVE_FORMAT_EXTENSIBLE: the subformat's first two bytes
		f.format = binary.LittleEndian.Uint16(body[24:])
	}
	if f.chans < 1 || f.chans > 8 || f.rate < minRate || f.rate > maxRate {
		return f, fmt.Errorf("%w: %d channels at %d Hz", ErrUnsupported, f.chans, f.rate)
	}
	switch {
	case f.format == 1 && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32):
	case f.format == 3 && (f.bits == 32 || f.bits == 64):
	default:
		return f, fmt.Errorf("%w: format %d with %d bits", ErrUnsupported, f.format, f.bits)
	}
	return f, nil
}

// wavSource reads a WAV file's samples a chunk at a time.
type wavSource struct {
	wavFormat
	r        io.Reader
	declared int64 // bytes of audio the data chunk declares
	held     int64 // bytes of audio read so far
	toEnd    bool  // the size is unknown: read to the end
	buf      []byte
}

func newWAVSource(r io.Reader) (*wavSource, error) {
	f, size, err := readWAVHeader(r)
	if err != nil {
		return nil, err
	}
	return &wavSource{wavFormat: f, r: r, declared: size, toEnd: size == unknownSize}, nil
}

func (s *wavSource) format() (rate, channels int) { return s.rate, s.chans }

// read decodes whole frames into dst (interleaved), returning the number
// of samples; io.EOF at the end of the data, a *TruncatedError where the
// file ends before it.
func (s *wavSource) read(dst []float32) (int, error) {
	fb := int64(s.frameBytes())
	want := int64(len(dst)/s.chans) * fb
	if !s.toEnd {
		want = min(want, (s.declared-s.held)/fb*fb)
	}
	if want <= 0 {
		return 0, io.EOF
	}
	if int64(cap(s.buf)) < want {
		s.buf = make([]byte, want)
	}
	n, err := io.ReadFull(s.r, s.buf[:want])
	s.held += int64(n)
	got := decodeSamples(dst, s.buf[:int64(n)/fb*fb], s.wavFormat)
	switch {
	case err == nil:
		return got, nil
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if s.toEnd {
			return got, io.EOF
		}
		return got, &TruncatedError{Format: "WAV", Declared: s.declared, Held: s.held}
	}
	return got, fmt.Errorf("audio: read wav: %w", err)
}

// decodeSamples decodes the whole frames of b into dst, returning the
// number of samples.
func decodeSamples(dst []float32, b []byte, f wavFormat) int {
	width := int(f.bits) / 8
	n := min(len(b)/(width*f.chans)*f.chans, len(dst))
	for i := range n {
		p := b[i*width:]
		switch {
		case f.format == 3 && f.bits == 32:
			dst[i] = finite(float64(math.Float32frombits(binary.LittleEndian.Uint32(p))))
		case f.format == 3:
			dst[i] = finite(math.Float64frombits(binary.LittleEndian.Uint64(p)))
		case f.bits == 8:
			dst[i] = (float32(p[0]) - 128) / 128
		case f.bits == 16:
			dst[i] = float32(int16(binary.LittleEndian.Uint16(p))) / 32768
		case f.bits == 24:
			v := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
			dst[i] = float32(v) / (1 << 23)
		default:
			dst[i] = float32(int32(binary.LittleEndian.Uint32(p))) / (1 << 31)
		}
	}
	return n
}

// finite turns a float sample that is NaN into silence and clips the rest to
// [-1, 1], so that no later stage (resampling, features, JSON) meets a
// non-finite number, even from a float64 too large for float32.
func finite(v float64) float32 {
	if math.IsNaN(v) {
		return 0
	}
	return float32(max(-1, min(1, v)))
}

// From returns the clip from offset on (empty past its end).
func (c Clip) From(offset time.Duration) Clip {
	if c.Channels < 1 || c.Rate <= 0 || offset <= 0 {
		return c
	}
	frame := min(int(offset.Seconds()*float64(c.Rate)), c.Frames())
	return Clip{Rate: c.Rate, Channels: c.Channels, Samples: c.Samples[frame*c.Channels:]}
}
