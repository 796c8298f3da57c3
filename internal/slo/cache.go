package slo

import (
	"sync"
	"time"
)

// segmentTTL is how long the sums of a complete range of hour or day
// buckets are reused. Buckets in the past still receive late credit (a
// result's time since the previous one lands in the bucket it belongs
// to), so reuse is bounded rather than forever; long windows so lag at
// most this much, while the short windows that page are read every time.
const segmentTTL = 10 * time.Minute

// segmentCache keeps the sums of complete hour and day ranges, so an
// evaluation re-reads only minute ranges and current buckets.
type segmentCache[V any] struct {
	mu      sync.Mutex
	entries map[cacheKey]cached[V]
}

type cacheKey struct {
	seg   segment
	scope string // what else the sums depend on (the checks asked for)
}

type cached[V any] struct {
	v  V
	at time.Time
}

// cacheable reports whether a range's buckets are all complete at now and
// coarse enough to be worth keeping.
func cacheable(sg segment, now time.Time) bool {
	size := time.Hour
	switch sg.res {
	case "minute":
		return false
	case "day":
		size = 24 * time.Hour
	}
	return !sg.to.After(now.UTC().Truncate(size))
}

// get returns the cached sums of sg, or reads and keeps them.
func (c *segmentCache[V]) get(sg segment, scope string, now time.Time, read func() (V, error)) (V, error) {
	if !cacheable(sg, now) {
		return read()
	}
	key := cacheKey{segment{sg.res, sg.from, sg.to, 1}, scope}
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < segmentTTL && !now.Before(e.at) {
		return e.v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[cacheKey]cached[V]{}
	}
	for k, old := range c.entries {
		if now.Sub(old.at) >= segmentTTL || now.Before(old.at) {
			delete(c.entries, k)
		}
	}
	c.entries[key] = cached[V]{v, now}
	c.mu.Unlock()
	return v, nil
}
