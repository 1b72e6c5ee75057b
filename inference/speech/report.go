package speech

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/samojournal/samo/inference/whisper"
)

// Report is a transcription as `samo transcribe --json` prints it (times
// in seconds).
type Report struct {
	File     string          `json:"file,omitempty"`
	Entry    string          `json:"entry,omitempty"`
	Text     string          `json:"text"`
	Language string          `json:"language"`
	Provider string          `json:"provider"`
	Segments []SegmentReport `json:"segments"`
}

// SegmentReport is one segment of a Report.
type SegmentReport struct {
	Start        float64 `json:"start"`
	End          float64 `json:"end"`
	Text         string  `json:"text"`
	Language     string  `json:"language"`
	NoSpeech     bool    `json:"no_speech"`
	NoSpeechProb float64 `json:"no_speech_prob"`
	AvgLogProb   float64 `json:"avg_logprob"`
	Compression  float64 `json:"compression_ratio"`
	Temperature  float32 `json:"temperature"`
}

// NewReport is the report of r, read from file on provider.
func NewReport(file, provider string, r whisper.Result) Report {
	out := Report{File: file, Text: r.Text, Language: r.Language, Provider: provider, Segments: []SegmentReport{}}
	for _, s := range r.Segments {
		out.Segments = append(out.Segments, SegmentReport{Start: s.Start.Seconds(), End: s.End.Seconds(), Text: s.Text, Language: s.Language, NoSpeech: s.NoSpeech,
			NoSpeechProb: s.NoSpeechProb, AvgLogProb: s.AvgLogProb, Compression: s.CompressionRatio, Temperature: s.Temperature})
	}
	return out
}

// WriteText writes the report for a person: the language, then a line per
// segment with its times.
func (out Report) WriteText(w io.Writer) {
	if len(out.Segments) == 0 {
		fmt.Fprintln(w, "no speech found")
		return
	}
	fmt.Fprintf(w, "language: %s\n", out.Language)
	for _, s := range out.Segments {
		text := strings.TrimSpace(s.Text)
		if s.NoSpeech {
			text = "(no speech)"
		}
		fmt.Fprintf(w, "[%s → %s] %s\n", clock(s.Start), clock(s.End), text)
	}
}

func clock(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	return fmt.Sprintf("%02d:%05.2f", int(d.Minutes()), (d % time.Minute).Seconds())
}
