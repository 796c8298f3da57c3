package store

import "time"

// Times are unix milliseconds with 0 meaning "never", so a zero time.Time
// survives the round trip. Read times come back in UTC.
func toMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func toUS(d time.Duration) int64 { return d.Microseconds() }

func fromUS(us int64) time.Duration { return time.Duration(us) * time.Microsecond }
