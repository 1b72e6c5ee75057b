// Package units writes quantities as a person reads them: sizes in bytes,
// rates, and durations left.
package units

import (
	"fmt"
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
