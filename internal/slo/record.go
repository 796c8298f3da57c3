package slo

import (
	"context"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// latencyIndex maps service/check to the latency SLOs that judge it.
type latencyIndex map[string][]latencyTarget

type latencyTarget struct {
	slo       string
	threshold time.Duration
}

func indexLatency(slos []*SLO) latencyIndex {
	idx := latencyIndex{}
	for _, s := range slos {
		if l := s.Cfg.Latency; l != nil {
			for _, c := range l.Checks {
				k := s.Service + "/" + c
				idx[k] = append(idx[k], latencyTarget{slo: s.Key(), threshold: l.Threshold.D()})
			}
		}
	}
	return idx
}

// recorder gathers counted events per SLO and minute in memory and writes
// them in batches; latency results arrive once per probe and would
// otherwise cost a transaction each.
type recorder struct {
	mu      sync.Mutex
	pending map[countKey]store.SLOCounts
}

type countKey struct {
	slo    string
	minute time.Time
}

func (r *recorder) add(slo string, at time.Time, good, total int64) {
	k := countKey{slo, at.UTC().Truncate(time.Minute)}
	r.mu.Lock()
	if r.pending == nil {
		r.pending = map[countKey]store.SLOCounts{}
	}
	c := r.pending[k]
	c.Good += good
	c.Total += total
	r.pending[k] = c
	r.mu.Unlock()
}

// flush writes what has gathered; on failure it is kept for the next try.
func (r *recorder) flush(ctx context.Context, st *store.Store) error {
	r.mu.Lock()
	batch := r.pending
	r.pending = nil
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	var deltas []store.SLOBucket
	for k, c := range batch {
		deltas = append(deltas, bucketsOf(k.slo, k.minute, c.Good, c.Total)...)
	}
	if err := st.AddSLOBuckets(ctx, deltas); err != nil {
		for k, c := range batch {
			r.add(k.slo, k.minute, c.Good, c.Total)
		}
		return err
	}
	return nil
}

// bucketsOf is what counts at t add to the minute, hour and day buckets.
func bucketsOf(slo string, t time.Time, good, total int64) []store.SLOBucket {
	out := make([]store.SLOBucket, 0, 3)
	for _, l := range levels() {
		out = append(out, store.SLOBucket{SLO: slo, Res: l.res, Start: t.UTC().Truncate(l.size), Good: good, Total: total})
	}
	return out
}

// Result counts a check result towards the latency SLOs that judge the
// check: good when it passed (or was degraded) within the threshold.
func (svc *Service) Result(service, check_ string, r check.Result) {
	svc.mu.RLock()
	targets := svc.latency[service+"/"+check_]
	svc.mu.RUnlock()
	for _, t := range targets {
		var good int64
		if r.Status.Up() && r.Duration <= t.threshold {
			good = 1
		}
		svc.rec.add(t.slo, r.At, good, 1)
	}
}

// Event limits: how far back a push may be dated, and the largest count.
const (
	maxEventAge   = 7 * 24 * time.Hour
	maxEventCount = 1_000_000_000_000
)

// Push stores good and total events of an events SLO at at (zero: now).
// It returns once they are in the store, so a push that was answered is
// never lost.
func (svc *Service) Push(ctx context.Context, service, id string, good, total int64, at time.Time) error {
	s := svc.find(service, id)
	switch {
	case s == nil:
		return errs.E(errs.NotFound, "no SLO %s/%s", service, id)
	case s.Cfg.Events == nil:
		return errs.E(errs.Invalid, "SLO %s/%s reads %s, not pushed events", service, id, s.Kind())
	case total < 0 || good < 0:
		return errs.E(errs.Invalid, "good and total must not be negative")
	case good > total:
		return errs.E(errs.Invalid, "good (%d) is more than total (%d)", good, total)
	case total > maxEventCount:
		return errs.E(errs.Invalid, "total is larger than %d", int64(maxEventCount))
	}
	now := svc.opt.Clock.Now()
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(time.Minute)) {
		return errs.E(errs.Invalid, "at is in the future")
	}
	if at.Before(now.Add(-maxEventAge)) {
		return errs.E(errs.Invalid, "at is more than 7 days ago")
	}
	if err := svc.opt.Store.AddSLOBuckets(ctx, bucketsOf(s.Key(), at, good, total)); err != nil {
		return errs.Wrap(errs.Internal, err, "storing events")
	}
	return nil
}

// FlushCounts writes the latency counts gathered so far. Replicas that
// probe checks but do not evaluate SLOs (they do not lead) call it.
func (svc *Service) FlushCounts(ctx context.Context) error {
	return svc.rec.flush(ctx, svc.opt.Store)
}
