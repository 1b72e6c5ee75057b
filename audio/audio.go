// Package audio holds SAMO's sound: device discovery, capture and playback
// through PortAudio (the only package that imports it), crash-safe WAV
// writing and repair, decoding (WAV, MP3), resampling and level metering.
package audio

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
)

// ErrUnavailable means this build of SAMO has no PortAudio (built without cgo).
var ErrUnavailable = errors.New("audio: PortAudio is not available in this build (built without cgo)")

// Device is one sound device as PortAudio sees it.
type Device struct {
	Name              string  `json:"name"`
	HostAPI           string  `json:"host_api"`
	MaxInputChannels  int     `json:"max_input_channels"`
	DefaultSampleRate float64 `json:"default_sample_rate"`
	// DefaultInput is true for the host API's default input device.
	DefaultInput bool `json:"default_input"`
}

// HostAPI is one of PortAudio's host audio systems (ALSA, PulseAudio, Core
// Audio, WASAPI…) with its input devices.
type HostAPI struct {
	Name    string   `json:"name"`
	Devices []Device `json:"input_devices"`
}

// Inventory is what PortAudio reports on this machine.
type Inventory struct {
	Version  string    `json:"version"`
	HostAPIs []HostAPI `json:"host_apis"`
}

// InputDevices returns every device that can record, across host APIs.
func (inv Inventory) InputDevices() []Device {
	out := []Device{} // never nil: JSON shows no devices as [], not null
	for _, h := range inv.HostAPIs {
		out = append(out, h.Devices...)
	}
	return out
}

// WriteDevices writes a table of devs for a person (the default one
// starred), or says there are none.
func WriteDevices(w io.Writer, devs []Device) error {
	if len(devs) == 0 {
		_, err := fmt.Fprintln(w, "no input devices found")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEFAULT\tNAME\tHOST API\tCHANNELS\tRATE")
	for _, d := range devs {
		def := ""
		if d.DefaultInput {
			def = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.0f Hz\n", def, d.Name, d.HostAPI, d.MaxInputChannels, d.DefaultSampleRate)
	}
	return tw.Flush()
}
