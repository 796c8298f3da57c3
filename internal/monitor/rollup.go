package monitor

import (
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/store"
)

type resolution struct {
	res  store.Resolution
	size time.Duration
}

// resolutions of the rollups, finest first.
func resolutions() [3]resolution {
	return [3]resolution{{store.Minute, time.Minute}, {store.Hour, time.Hour}, {store.Day, 24 * time.Hour}}
}

// rollupDeltas is what one result adds to the minute, hour and day buckets.
// Uptime is time-weighted: the time since the previous result is credited to
// the previous result's status (a target is taken to be down from the first
// failed probe until the first passing one). A gap longer than maxGap, such as
// Vigil being stopped, is not credited to either side.
func rollupDeltas(id int64, prevAt time.Time, prevStatus check.Status, r check.Result, maxGap time.Duration) []store.Bucket {
	out := make([]store.Bucket, 0, 6)
	for _, rs := range resolutions() {
		b := store.Bucket{CheckID: id, Res: rs.res, Start: r.At.UTC().Truncate(rs.size), N: 1, DurSum: r.Duration, DurMax: r.Duration}
		switch r.Status {
		case check.Fail:
			b.Fails = 1
		case check.Warn:
			b.Warns = 1
		}
		out = append(out, b)
	}
	if prevAt.IsZero() || !r.At.After(prevAt) {
		return out
	}
	from, to := prevAt.UTC(), r.At.UTC()
	if to.Sub(from) > maxGap {
		to = from.Add(maxGap)
	}
	up := prevStatus.Up()
	for _, rs := range resolutions() {
		for start := from; start.Before(to); {
			bucket := start.Truncate(rs.size)
			end := bucket.Add(rs.size)
			if end.After(to) {
				end = to
			}
			ms := end.Sub(start).Milliseconds()
			b := store.Bucket{CheckID: id, Res: rs.res, Start: bucket}
			if up {
				b.UpMs = ms
			} else {
				b.DownMs = ms
			}
			out = append(out, b)
			start = end
		}
	}
	return out
}
