// Package units writes quantities as a person reads them, and reads them
// back: sizes in bytes, durations left, positions in a recording.
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Bytes writes n in decimal units: "512 bytes", "12 KB", "3.4 MB", "81 MB",
// "1.2 GB".
func Bytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 10e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Left writes a time left, rounded as a person says it: "8 s", "2 min 10 s",
// "1 h 5 min".
func Left(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		if s < 600 {
			return fmt.Sprintf("%d min %d s", s/60, s%60)
		}
		return fmt.Sprintf("%d min", (s+30)/60)
	}
	return fmt.Sprintf("%d h %d min", s/3600, s%3600/60)
}

// Clock writes a position in a recording: "0:07", "1:23", "1:02:03".
func Clock(d time.Duration) string {
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// ParseClock reads a position as a person writes it: "1:23", "1:02:03",
// "83", "83.5" (seconds) or a Go duration ("1m23s").
func ParseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a position such as 1:23, 83 or 1m23s", s)
	if d, err := time.ParseDuration(s); err == nil && strings.ContainsAny(s, "hms") {
		if d < 0 {
			return 0, bad
		}
		return d, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 || s == "" {
		return 0, bad
	}
	var total float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || i > 0 && v >= 60 || i < len(parts)-1 && v != math.Trunc(v) {
			return 0, bad
		}
		total = total*60 + v
	}
	return time.Duration(total * float64(time.Second)), nil
}
