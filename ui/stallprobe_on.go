//go:build stallprobe

package ui

import (
	"encoding/json"
	"os"
	"time"

	"fyne.io/fyne/v2"
)

// startStallProbe measures the event loop, in builds with the stallprobe
// tag (make stalls): every 5 ms it asks the Fyne goroutine to run nothing
// and writes, to the file $SAMO_STALL_REPORT, a JSON line {"at_ms",
// "stall_ms"} for each answer later than 20 ms and, as a heartbeat, at
// least every 100 ms (ms since the Unix epoch, and how late the answer
// came): a stall still going on shows as a gap since the last line. It is
// never built into SAMO itself.
func startStallProbe() {
	path := os.Getenv("SAMO_STALL_REPORT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	go func() {
		defer f.Close()
		enc := json.NewEncoder(f)
		var last time.Time
		for {
			time.Sleep(5 * time.Millisecond)
			asked := time.Now()
			fyne.DoAndWait(func() {})
			now := time.Now()
			if stall := now.Sub(asked); stall > 20*time.Millisecond || now.Sub(last) >= 100*time.Millisecond {
				enc.Encode(map[string]float64{"at_ms": float64(now.UnixMicro()) / 1000, "stall_ms": float64(stall.Microseconds()) / 1000})
				last = now
			}
		}
	}()
}
