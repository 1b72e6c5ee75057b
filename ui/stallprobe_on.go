//go:build stallprobe

package ui

import (
	"encoding/json"
	"os"
	"time"

	"fyne.io/fyne/v2"
)

// startStallProbe measures the event loop, in builds with the stallprobe
// tag (make stalls): every 5 ms it asks the Fyne goroutine to run nothing,
// and each answer later than 20 ms is a stall, appended as a JSON line
// {"at_ms", "stall_ms"} (ms since the probe started) to the file
// $SAMO_STALL_REPORT. It is never built into SAMO itself.
func startStallProbe() {
	path := os.Getenv("SAMO_STALL_REPORT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	start := time.Now()
	go func() {
		defer f.Close()
		enc := json.NewEncoder(f)
		for {
			time.Sleep(5 * time.Millisecond)
			asked := time.Now()
			fyne.DoAndWait(func() {})
			now := time.Now()
			stall := now.Sub(asked)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			if stall > 20*time.Millisecond {
				enc.Encode(map[string]float64{"at_ms": ms(now.Sub(start)), "stall_ms": ms(stall)})
			} else if now.Sub(start)%time.Second < 6*time.Millisecond {
				enc.Encode(map[string]float64{"at_ms": ms(now.Sub(start)), "stall_ms": ms(stall)}) // a heartbeat, about once a second
			}
		}
	}()
}
