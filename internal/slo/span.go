package slo

import (
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// segment is one range of rollup buckets of a resolution, [from, to), whose
// sums count with weight (1, or the share of a bucket the window covers).
type segment struct {
	res      store.Resolution
	from, to time.Time
	weight   float64
}

type level struct {
	res  store.Resolution
	size time.Duration
	keep time.Duration
}

// levels are the rollup resolutions, finest first, with how long each is
// kept (the monitor's retention; SLO buckets are pruned alike).
func levels() []level {
	return []level{
		{store.Minute, time.Minute, 3 * time.Hour},
		{store.Hour, time.Hour, 8 * 24 * time.Hour},
		{store.Day, 24 * time.Hour, 400 * 24 * time.Hour},
	}
}

// Retention is how long each resolution of SLO buckets is kept.
func Retention() map[store.Resolution]time.Duration {
	out := map[store.Resolution]time.Duration{}
	for _, l := range levels() {
		out[l.res] = l.keep
	}
	return out
}

// tile covers [from, now) with as few bucket ranges as it can: minutes at
// the edges, hours inside them, days in the middle. The bucket that holds
// from counts for the share of it inside the window, at the finest
// resolution still kept at that age.
func tile(from, now time.Time) []segment {
	from, now = from.UTC(), now.UTC()
	if !from.Before(now) {
		return nil
	}
	ls := levels()
	// The finest resolution still kept at the old edge.
	first := 0
	for first < len(ls)-1 && from.Before(now.Add(-ls[first].keep+ls[first].size)) {
		first++
	}
	var out []segment
	cur := from
	if f := ls[first]; !cur.Equal(cur.Truncate(f.size)) {
		// The bucket holding from counts for the share of it in the window.
		start := cur.Truncate(f.size)
		end := start.Add(f.size)
		if end.After(now) {
			end = now
		}
		out = append(out, segment{f.res, start, start.Add(f.size), float64(end.Sub(cur)) / float64(f.size)})
		cur = end
	}
	// Climb: finish each resolution up to the next one's boundary.
	top := first
	for top < len(ls)-1 {
		next := cur.Add(ls[top+1].size - 1).Truncate(ls[top+1].size)
		if !next.Before(now) {
			break
		}
		if cur.Before(next) {
			out = append(out, segment{ls[top].res, cur, next, 1})
		}
		cur = next
		top++
	}
	// Descend: whole buckets of each resolution, then finer ones up to now
	// (the recent edge is always young enough for minutes); the last range
	// also takes the current, partial minute.
	for i := top; i >= 0; i-- {
		end := now.Truncate(ls[i].size)
		if i == 0 {
			end = now
		}
		if cur.Before(end) {
			out = append(out, segment{ls[i].res, cur, end, 1})
			cur = end
		}
	}
	return out
}
