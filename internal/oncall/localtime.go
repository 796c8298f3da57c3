package oncall

import (
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// parseLocal reads a config time (config.ParseLocalTime's forms) in loc. It
// returns the instant and the local date and clock it names, held in UTC, so
// day-based rotations can repeat that clock. A zone-less time skipped by DST
// resolves as inZone says; one with an offset (RFC 3339) is taken as written.
func parseLocal(s string, loc *time.Location) (at, wall time.Time, err error) {
	a, err := config.ParseLocalTime(s, time.UTC)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	// Only a zone-less string reads differently in two zones.
	if b, err := config.ParseLocalTime(s, time.FixedZone("probe", 3600)); err == nil && !a.Equal(b) {
		return inZone(a, loc), a, nil
	}
	return a, asWall(a.In(loc)), nil
}

// inZone is the instant at which loc's clocks show wall (a date and clock held
// in UTC). A time that DST skips moves forward by the gap, so 02:30 on
// spring-forward day is 03:30, as iCalendar and java.time resolve it; Go's
// time.Date moves it back to 01:30, which would hand off an hour early. A
// time that occurs twice (fall-back) is its first occurrence.
func inZone(wall time.Time, loc *time.Location) time.Time {
	t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc)
	if asWall(t).Equal(wall) {
		return t
	}
	// In a gap time.Date used the offset after it; the one before moves the
	// time forward.
	_, before := t.Zone()
	return time.Unix(wall.Unix()-int64(before), int64(wall.Nanosecond())).In(loc)
}

// asWall is t's local date and clock held in UTC, where days are all 24h.
func asWall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
