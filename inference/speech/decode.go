package speech

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/samojournal/samo/audio"
	"github.com/samojournal/samo/journal"
)

// Decoder reads recordings (WAV or MP3) with the audio package. It
// implements journal.AudioDecoder.
type Decoder struct {
	// Warn, when not nil, is told of a recording read although it was cut
	// short; when nil the warning goes to slog's default logger.
	Warn func(msg string)
}

var _ journal.AudioDecoder = Decoder{}

// DecodeAudio decodes a WAV or MP3 file's bytes (told apart by their
// content) and returns its description (format, the file's sample rate and
// channels, duration, size) and its samples as 16 kHz mono. The recordings
// it reads are SAMO's own, so one cut short (a crash while it was written)
// is read up to where it ends, with a warning, where audio.DecodeFile
// would refuse it.
func (d Decoder) DecodeAudio(data []byte) (journal.Audio, []float32, error) {
	clip, err := audio.Decode(data)
	if te := (*audio.TruncatedError)(nil); errors.As(err, &te) && clip.Frames() > 0 {
		msg := fmt.Sprintf("the recording was cut short (%v); the %.1f s it holds are read", err, float64(clip.Frames())/float64(clip.Rate))
		if d.Warn != nil {
			d.Warn(msg)
		} else {
			slog.Warn(msg)
		}
		err = nil
	}
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
