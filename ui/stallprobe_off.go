//go:build !stallprobe

package ui

// startStallProbe does nothing: the event-loop probe is built only with
// the stallprobe tag (make stalls).
func startStallProbe() {}
