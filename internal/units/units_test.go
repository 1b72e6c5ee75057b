package units

import (
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 999: "999 bytes", 1500: "2 KB", 2_480_000: "2.5 MB",
		80_000_000: "80 MB", 1_230_000_000: "1.2 GB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLeft(t *testing.T) {
	for d, want := range map[time.Duration]string{8 * time.Second: "8 s", 130 * time.Second: "2 min 10 s",
		20 * time.Minute: "20 min", 65 * time.Minute: "1 h 5 min"} {
		if got := Left(d); got != want {
			t.Errorf("Left(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]time.Duration{"1:23": 83 * time.Second, "0:07": 7 * time.Second, "1:02:03": 3723 * time.Second,
		"83": 83 * time.Second, "83.5": 83500 * time.Millisecond, "1m23s": 83 * time.Second, "1:23.5": 83500 * time.Millisecond} {
		got, err := ParseClock(in)
		if err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", in, got, err, want)
		}
		if in == "1:23" && Clock(got) != in {
			t.Errorf("Clock(%v) = %q", got, Clock(got))
		}
	}
	for _, in := range []string{"", "abc", "1:75", "-3", "1:2:3:4", "1.5:20", "-1m", "Inf"} {
		if _, err := ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}
