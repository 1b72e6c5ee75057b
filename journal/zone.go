package journal

import (
	"os"
	"strings"
	"time"
)

// ZoneName returns the IANA name of loc ("Europe/Paris") when it can be
// known, or "" when it cannot. For the machine's local zone it reads $TZ or
// the /etc/localtime link, as the C library does.
func ZoneName(loc *time.Location) string {
	if loc == nil {
		return ""
	}
	if name := loc.String(); name != "Local" {
		if name == "UTC" {
			return "UTC"
		}
		if _, err := time.LoadLocation(name); err == nil {
			return name
		}
		return ""
	}
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			return target[i+len("zoneinfo/"):]
		}
	}
	return ""
}
