//go:build cgo

package audio

import (
	"fmt"

	"github.com/gordonklaus/portaudio"
)

// List initializes PortAudio, lists its host APIs and their input devices,
// and terminates it again.
func List() (Inventory, error) {
	if err := paStart(); err != nil {
		return Inventory{}, fmt.Errorf("audio: initialize PortAudio: %w", err)
	}
	defer paStop()
	apis, err := portaudio.HostApis()
	if err != nil {
		return Inventory{}, fmt.Errorf("audio: list host APIs: %w", err)
	}
	inv := Inventory{Version: portaudio.VersionText()}
	for _, a := range apis {
		h := HostAPI{Name: a.Name}
		for _, d := range a.Devices {
			if d.MaxInputChannels < 1 {
				continue
			}
			h.Devices = append(h.Devices, deviceOf(d, a.DefaultInputDevice != nil && a.DefaultInputDevice.Index == d.Index))
		}
		inv.HostAPIs = append(inv.HostAPIs, h)
	}
	return inv, nil
}

// deviceOf describes one of PortAudio's devices.
func deviceOf(d *portaudio.DeviceInfo, defaultInput bool) Device {
	return Device{Name: d.Name, HostAPI: d.HostApi.Name, MaxInputChannels: d.MaxInputChannels,
		DefaultSampleRate: d.DefaultSampleRate, DefaultInput: defaultInput}
}
