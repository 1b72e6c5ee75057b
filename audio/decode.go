package audio

import (
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

// MaxFileBytes bounds the audio files SAMO reads (about 3 hours of 16-bit
// stereo WAV at 44.1 kHz): larger ones are refused rather than filling
// memory.
const MaxFileBytes = 2 << 30

// DecodeFile reads a WAV or MP3 file.
func DecodeFile(path string) (Clip, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Clip{}, fmt.Errorf("audio: %w", err)
	}
	if fi.Size() > MaxFileBytes {
		return Clip{}, fmt.Errorf("audio: %s is %d bytes, more than the %d SAMO reads", filepath.Base(path), fi.Size(), int64(MaxFileBytes))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Clip{}, fmt.Errorf("audio: %w", err)
	}
	c, err := Decode(data)
	if err != nil {
		return Clip{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return c, nil
}

// Decode reads WAV or MP3 data, telling them apart by their first bytes.
// Ogg Vorbis and other formats are refused with an error naming them.
func Decode(data []byte) (Clip, error) {
	switch {
	case len(data) >= 4 && string(data[:4]) == "RIFF":
		return DecodeWAV(data)
	case len(data) >= 3 && string(data[:3]) == "ID3",
		len(data) >= 2 && data[0] == 0xFF && data[1]&0xE0 == 0xE0:
		return DecodeMP3(data)
	case len(data) >= 4 && string(data[:4]) == "OggS":
		return Clip{}, fmt.Errorf("%w: Ogg audio is not supported in this build (convert it to WAV or MP3)", ErrUnsupported)
	case len(data) >= 4 && string(data[:4]) == "fLaC":
		return Clip{}, fmt.Errorf("%w: FLAC is not supported in this build (convert it to WAV or MP3)", ErrUnsupported)
	}
	return Clip{}, ErrUnknownFormat
}

// ErrCorruptMP3 means MP3 data could not be decoded.
var ErrCorruptMP3 = errors.New("audio: corrupt or truncated MP3")

// DecodeMP3 reads MPEG-1/2 layer III audio into stereo samples.
func DecodeMP3(data []byte) (c Clip, err error) {
	defer func() {
		// The decoder indexes tables with values read from the file; keep
		// a damaged file an error, never a crash.
		if r := recover(); r != nil {
			c, err = Clip{}, fmt.Errorf("%w: %v", ErrCorruptMP3, r)
		}
	}()
	d, err := mp3.NewDecoder(bytes.NewReader(data))
	if err != nil {
		return Clip{}, fmt.Errorf("%w: %w", ErrCorruptMP3, err)
	}
	// A layer III frame of at least 24 bytes holds at most 1152 stereo
	// 16-bit frames (4,608 bytes): bound the output by the input's size.
	pcm, err := io.ReadAll(io.LimitReader(d, 256*int64(len(data))+1<<20))
	if err != nil && len(pcm) == 0 {
		return Clip{}, fmt.Errorf("%w: %w", ErrCorruptMP3, err)
	}
	pcm = pcm[:len(pcm)/4*4]
	if len(pcm) == 0 || d.SampleRate() <= 0 {
		return Clip{}, fmt.Errorf("%w: no audio frames", ErrCorruptMP3)
	}
	c = Clip{Rate: d.SampleRate(), Channels: 2, Samples: make([]float32, len(pcm)/2)}
	for i := range c.Samples {
		c.Samples[i] = float32(int16(uint16(pcm[2*i])|uint16(pcm[2*i+1])<<8)) / 32768
	}
	return c, nil
}

// Mono16k mixes a clip's channels down to one at 16 kHz, the form SAMO
// transcribes.
func (c Clip) Mono16k() []float32 {
	mono := c.Samples
	if c.Channels > 1 {
		mono = make([]float32, c.Frames())
		for i := range mono {
			var s float32
			for ch := 0; ch < c.Channels; ch++ {
				s += c.Samples[i*c.Channels+ch]
			}
			mono[i] = s / float32(c.Channels)
		}
	}
	return Resample(mono, c.Rate, Rate)
}
