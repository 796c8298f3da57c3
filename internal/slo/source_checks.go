package slo

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// checkSource reads availability from the checks' time-weighted rollups:
// good is up time (ok or degraded), total is up and down time, events the
// results. Time without results (Vigil stopped, before the first probe)
// counts as neither.
type checkSource struct {
	store *store.Store
	ids   func() map[string]int64 // service/check -> store id
	cache segmentCache[map[int64]store.Totals]
}

func (s *checkSource) Read(ctx context.Context, reqs []Request, now time.Time) []Reading {
	ids := s.ids()
	need := map[int64]bool{}
	for _, r := range reqs {
		for _, c := range r.SLO.Cfg.Availability.Checks {
			if id, ok := ids[r.SLO.Service+"/"+c]; ok {
				need[id] = true
			}
		}
	}
	var only []int64
	scope := "all"
	if len(need) <= 500 { // beyond that one query over every check is cheaper
		var sum int64
		for id := range need {
			only = append(only, id)
			sum += id * 2654435761
		}
		scope = fmt.Sprintf("%d:%d", len(only), sum)
	}
	read := func(sg segment) (map[int64]store.Totals, error) {
		return s.cache.get(sg, scope, now, func() (map[int64]store.Totals, error) {
			return s.store.SumBuckets(ctx, only, sg.res, sg.from, sg.to)
		})
	}
	return readTiled(reqs, now, read, func(r Request, totals map[int64]store.Totals) Counts {
		var c Counts
		for _, ch := range r.SLO.Cfg.Availability.Checks {
			t := totals[ids[r.SLO.Service+"/"+ch]]
			c = c.add(Counts{Good: float64(t.UpMs), Total: float64(t.UpMs + t.DownMs), Events: float64(t.N)}, 1)
		}
		return c
	})
}

// countSource reads counted SLIs (events, latency) from SLO buckets.
type countSource struct {
	store *store.Store
	cache segmentCache[map[string]store.SLOCounts]
}

func (s *countSource) Read(ctx context.Context, reqs []Request, now time.Time) []Reading {
	read := func(sg segment) (map[string]store.SLOCounts, error) {
		return s.cache.get(sg, "", now, func() (map[string]store.SLOCounts, error) {
			return s.store.SumSLOBuckets(ctx, sg.res, sg.from, sg.to)
		})
	}
	return readTiled(reqs, now, read, func(r Request, counts map[string]store.SLOCounts) Counts {
		sc := counts[r.SLO.Key()]
		return Counts{Good: float64(sc.Good), Total: float64(sc.Total), Events: float64(sc.Total)}
	})
}

// readTiled answers each request by summing the rollup ranges its span
// tiles into, each range read once for all requests (by read, which sums
// it for every check or SLO), weighted by how much of it is in the span.
func readTiled[V any](reqs []Request, now time.Time, read func(segment) (V, error), counts func(Request, V) Counts) []Reading {
	out := make([]Reading, len(reqs))
	sums := map[segment]V{}
	for i, r := range reqs {
		var c Counts
		for _, sg := range tile(r.From, now) {
			key := segment{sg.res, sg.from, sg.to, 1}
			v, ok := sums[key]
			if !ok {
				var err error
				if v, err = read(sg); err != nil {
					out[i].Err = err
					break
				}
				sums[key] = v
			}
			c = c.add(counts(r, v), sg.weight)
		}
		if out[i].Err == nil {
			out[i].Counts = c
		}
	}
	return out
}
