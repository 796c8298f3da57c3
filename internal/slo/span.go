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

// tile covers [from, now) with as few bucket rows as it can: from the old
// edge it climbs from minutes to hours to days as boundaries allow, then
// takes whole buckets of the coarsest resolution reached and its current
// bucket, which holds exactly the data up to now. The bucket that holds
// from counts for the share of it inside the window, at the finest
// resolution still kept at that age. Ranges that end before the current
// bucket are complete, and may be cached (see segmentCache).
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
	// The rest: whole buckets of the coarsest resolution reached, then its
	// current bucket, which holds exactly the data up to now.
	if t := ls[top]; cur.Before(now) {
		last := now.Truncate(t.size)
		if cur.Before(last) {
			out = append(out, segment{t.res, cur, last, 1})
		}
		out = append(out, segment{t.res, last, now, 1})
	}
	return out
}
