package audio_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/samojournal/samo/audio"
)

// virtualMicrophone writes an ALSA configuration into a fresh HOME whose
// default capture device reads 16 kHz mono samples from a file, so real
// PortAudio on a machine without a sound card sees a microphone.
func virtualMicrophone(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	raw := filepath.Join(home, "silence16k.raw")
	if err := os.WriteFile(raw, make([]byte, 32000), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`pcm.filemic_raw { type file; slave.pcm "null"; file "/dev/null"; infile "%s"; format "raw" }
pcm.filemic { type plug; slave { pcm "filemic_raw"; format S16_LE; rate 16000; channels 1 } }
pcm.!default { type asym; capture.pcm "filemic"; playback.pcm "null" }
`, raw)
	if err := os.WriteFile(filepath.Join(home, ".asoundrc"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
}

func TestList_FindsVirtualMicrophone(t *testing.T) {
	virtualMicrophone(t)
	inv, err := audio.List()
	if err != nil {
		t.Fatal(err)
	}
	if inv.Version == "" {
		t.Error("no PortAudio version reported")
	}
	var alsa *audio.HostAPI
	for i := range inv.HostAPIs {
		if inv.HostAPIs[i].Name == "ALSA" {
			alsa = &inv.HostAPIs[i]
		}
	}
	if alsa == nil {
		t.Fatalf("no ALSA host API in %+v", inv.HostAPIs)
	}
	var found bool
	for _, d := range alsa.Devices {
		if d.MaxInputChannels < 1 {
			t.Errorf("device %q listed as an input with %d channels", d.Name, d.MaxInputChannels)
		}
		if d.Name == "default" {
			found = true
			if !d.DefaultInput {
				t.Errorf("the ALSA default device is not marked as the default input")
			}
		}
	}
	if !found {
		t.Errorf("the virtual microphone (ALSA \"default\") is not among the inputs: %+v", inv.InputDevices())
	}
}
