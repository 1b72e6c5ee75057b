// Package audio holds SAMO's sound input: device discovery and capture
// through PortAudio (the only package that imports it), and later WAV
// reading and writing, decoding and resampling.
package audio

import "errors"

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
	var out []Device
	for _, h := range inv.HostAPIs {
		out = append(out, h.Devices...)
	}
	return out
}
