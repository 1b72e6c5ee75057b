package audio

import (
	"encoding/json"
	"testing"
)

// TestInputDevices_NoneIsAnEmptyList: `samo devices --json` on a machine
// without microphones prints [], which a script can loop over, not null.
func TestInputDevices_NoneIsAnEmptyList(t *testing.T) {
	for _, inv := range []Inventory{{}, {HostAPIs: []HostAPI{{Name: "ALSA"}}}} {
		b, err := json.Marshal(inv.InputDevices())
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != "[]" {
			t.Errorf("no devices as JSON = %s, want []", b)
		}
	}
}
