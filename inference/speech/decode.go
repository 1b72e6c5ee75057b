package speech

import (
	"fmt"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/journal"
)

// Decoder reads recordings (WAV or MP3) with the audio package. It
// implements journal.AudioDecoder.
type Decoder struct{}

var _ journal.AudioDecoder = Decoder{}

// DecodeAudio decodes a WAV or MP3 file's bytes (told apart by their
// content) and returns its description (format, the file's sample rate and
// channels, duration, size) and its samples as 16 kHz mono.
func (Decoder) DecodeAudio(data []byte) (journal.Audio, []float32, error) {
	clip, err := audio.Decode(data)
	if err != nil {
		return journal.Audio{}, nil, fmt.Errorf("speech: decode recording: %w", err)
	}
	format := "mp3"
	if len(data) >= 4 && string(data[:4]) == "RIFF" {
		format = "wav"
	}
	info := journal.Audio{Format: format, SampleRate: clip.Rate, Channels: clip.Channels, Bytes: int64(len(data))}
	if clip.Rate > 0 {
		info.Duration = time.Duration(int64(clip.Frames()) * int64(time.Second) / int64(clip.Rate))
	}
	return info, clip.Mono16k(), nil
}
