package audio

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Rate is the sample rate SAMO records and transcribes at: 16 kHz mono.
const Rate = 16000

// ErrNoDevice means no input device matches the one asked for.
var ErrNoDevice = errors.New("audio: no such input device")

// Level is the loudness of the last stretch of a recording, for a meter.
type Level struct {
	// RMS and Peak are in [0, 1] (full scale).
	RMS, Peak float32
	// Elapsed is the recording's length so far, pauses excluded.
	Elapsed time.Duration
}

// RecordOptions tune a recording.
type RecordOptions struct {
	// Device is the input device's name, or part of it when that matches
	// one device only; "" is the default input.
	Device string
	// MaxLength stops the recording by itself after this much audio; 0
	// means no limit.
	MaxLength time.Duration
	// OnLevel, when set, is called about 20 times a second with the level
	// of the last 50 ms, from the recording goroutine: keep it quick.
	OnLevel func(Level)
	// OnAudio, when set, is given the 16 kHz mono samples as they are
	// written (live transcription reads them), from the writing
	// goroutine: keep it quick, and copy what it keeps.
	OnAudio func([]float32)
	// DeviceRate captures at this rate and converts to 16 kHz; 0 captures
	// at 16 kHz when the device offers it, else at its default rate.
	DeviceRate int
}

// Recording is a finished recording.
type Recording struct {
	Path     string
	Duration time.Duration
	// DeviceName is the device it came from, DeviceRate the rate it was
	// captured at before conversion to 16 kHz.
	DeviceName string
	DeviceRate int
	// Overflows counts the times the device delivered audio faster than
	// it was read, so that some input was lost; 0 in a healthy recording.
	Overflows int
	// DeviceErr is set when the device failed (was unplugged) and ended
	// the recording early; the audio until then is in the file.
	DeviceErr error
}

// levelMeter turns samples into Levels every 50 ms of audio.
type levelMeter struct {
	on       func(Level)
	sum      float64
	peak     float32
	n, total int64
}

const levelWindow = Rate / 20

func (m *levelMeter) add(s []float32) {
	for _, x := range s {
		m.sum += float64(x) * float64(x)
		m.peak = max(m.peak, float32(math.Abs(float64(x))))
		m.n++
		m.total++
		if m.n == levelWindow {
			if m.on != nil {
				m.on(Level{RMS: float32(math.Sqrt(m.sum / float64(m.n))), Peak: min(m.peak, 1), Elapsed: samplesDuration(m.total)})
			}
			m.sum, m.peak, m.n = 0, 0, 0
		}
	}
}

func samplesDuration(n int64) time.Duration { return time.Duration(n) * time.Second / Rate }

// pickDevice finds the device asked for among the inputs: an exact name
// first, then a case-insensitive part of one name.
func pickDevice(inputs []Device, want string) (Device, error) {
	if want == "" {
		for _, d := range inputs {
			if d.DefaultInput {
				return d, nil
			}
		}
		if len(inputs) > 0 {
			return inputs[0], nil
		}
		return Device{}, fmt.Errorf("%w: this machine has no input device", ErrNoDevice)
	}
	for _, d := range inputs {
		if d.Name == want {
			return d, nil
		}
	}
	var match []Device
	for _, d := range inputs {
		if strings.Contains(strings.ToLower(d.Name), strings.ToLower(want)) {
			match = append(match, d)
		}
	}
	names := make([]string, len(inputs))
	for i, d := range inputs {
		names[i] = fmt.Sprintf("%q", d.Name)
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return Device{}, fmt.Errorf("%w: %q; the inputs are %s (see `samo devices`)", ErrNoDevice, want, strings.Join(names, ", "))
	}
	return Device{}, fmt.Errorf("%w: %q matches %d devices; the inputs are %s", ErrNoDevice, want, len(match), strings.Join(names, ", "))
}

// Unfinished is a recording that was cut short (SAMO crashed or was killed
// while recording) and has not been saved as an entry.
type Unfinished struct {
	Path     string
	Duration time.Duration
	Modified time.Time
	// Start is when it started, from its file's name (see RecordingPath),
	// else its modification time less its duration.
	Start time.Time
}

// recordingNameLayout names recording files by their start time, in UTC.
const recordingNameLayout = "20060102T150405.000Z"

// RecordingPath is the file in dir that a recording started at start is
// written to: its name holds the start time, so a recording left behind
// by a crash is saved with the time it was made.
func RecordingPath(dir string, start time.Time) string {
	return filepath.Join(dir, start.UTC().Format(recordingNameLayout)+".wav")
}

// recordingStart reads the start time a recording's file name holds.
func recordingStart(path string, fallback time.Time) time.Time {
	if t, err := time.Parse(recordingNameLayout, strings.TrimSuffix(filepath.Base(path), ".wav")); err == nil {
		return t.Local()
	}
	return fallback
}

// errInUse means a recording's file is held by a Recorder (in this
// process or another): it is being made, not left behind.
var errInUse = errors.New("audio: the recording is in progress")

// FindUnfinished lists the recordings left in dir (where recordings are
// written while they are made), oldest first, after bringing each file's
// header up to the audio it holds. Recordings in progress (their files are
// locked) and files that are not SAMO recordings are skipped; an empty
// recording left for over a minute is removed.
func FindUnfinished(dir string) ([]Unfinished, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.wav"))
	if err != nil {
		return nil, fmt.Errorf("audio: find unfinished recordings: %w", err)
	}
	var out []Unfinished
	for _, p := range names {
		if inUse(p) {
			continue
		}
		before, err := os.Stat(p)
		if err != nil {
			continue
		}
		frames, err := RepairWAV(p)
		if err != nil {
			continue
		}
		if frames == 0 {
			if time.Since(before.ModTime()) > time.Minute {
				os.Remove(p)
			}
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		d := samplesDuration(int64(frames))
		out = append(out, Unfinished{Path: p, Duration: d, Modified: fi.ModTime(), Start: recordingStart(p, fi.ModTime().Add(-d))})
	}
	slices.SortFunc(out, func(a, b Unfinished) int { return a.Modified.Compare(b.Modified) })
	return out, nil
}

// inUse reports whether a Recorder holds the file at path.
func inUse(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	return errors.Is(lockFile(f), errInUse)
}

// Warnings says, in a person's words, what went wrong with a recording that
// was still kept: the microphone failing, or the computer falling behind it.
func Warnings(rec Recording) []string {
	var out []string
	if rec.DeviceErr != nil {
		out = append(out, fmt.Sprintf("the microphone stopped (%v); the %.1f s recorded until then are saved", rec.DeviceErr, rec.Duration.Seconds()))
	}
	if rec.Overflows > 0 {
		out = append(out, fmt.Sprintf("%d time(s) the computer fell behind the microphone, so a little audio may be missing", rec.Overflows))
	}
	return out
}

// DescribeUnfinished says how many recordings were left unfinished and how
// long they are in all: "2 unfinished recording(s) (95 s)".
func DescribeUnfinished(unf []Unfinished) string {
	var total time.Duration
	for _, u := range unf {
		total += u.Duration
	}
	return fmt.Sprintf("%d unfinished recording(s) (%.0f s)", len(unf), total.Seconds())
}
