package duration

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30s": 30 * time.Second, "500ms": 500 * time.Millisecond, "1.5s": 1500 * time.Millisecond,
		"5m": 5 * time.Minute, "1h30m": 90 * time.Minute, "14d": 14 * 24 * time.Hour,
		"2w": 14 * 24 * time.Hour, "1d12h": 36 * time.Hour, " 10s ": 10 * time.Second,
	} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "10", "ten seconds", "5 m", "-5s5", "1.5d"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 30 * time.Second: "30s", 10 * time.Second: "10s", 90 * time.Second: "1m30s",
		time.Minute: "1m", time.Hour: "1h", 90 * time.Minute: "1h30m", 24 * time.Hour: "1d",
		14 * 24 * time.Hour: "2w", 36 * time.Hour: "1d12h", 500 * time.Millisecond: "500ms",
		25*time.Hour + 30*time.Second: "1d1h0m30s", -5 * time.Second: "-5s",
	} {
		if got := Format(d); got != want {
			t.Errorf("Format(%v) = %q, want %q", d, got, want)
		}
		if d > 0 {
			back, err := Parse(Format(d))
			if err != nil || back != d {
				t.Errorf("round trip of %v: %v %v", d, back, err)
			}
		}
	}
}
