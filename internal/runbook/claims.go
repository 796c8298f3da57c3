package runbook

import (
	"context"
	"errors"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// Runs as rows claimed by replicas. With a RunLease the replica that
// admitted a run executes it and renews its claim every Renew; every write
// of the run is fenced by the claim, so a replica that lost it writes
// nothing more and stops the run. A run whose claim ran out (its replica
// died or stalled) is claimed by exactly one replica, which resumes it or
// marks it interrupted, as a restart would.

// clustered reports whether runs are shared with other replicas.
func (e *Engine) clustered() bool { return e.d.RunLease > 0 && e.d.Runner != nil }

// claim is this replica's claim on the runs it executes; zero when it is
// the only process.
func (e *Engine) claim() store.RunClaim {
	if !e.clustered() {
		return store.RunClaim{}
	}
	return store.RunClaim{Runner: e.d.Runner(), TTL: e.d.RunLease}
}

func (e *Engine) saveRun(ctx context.Context, row store.RunRow) error {
	if c := e.claim(); c.Runner != "" {
		return e.d.Store.SaveRunClaimed(ctx, row, c)
	}
	return e.d.Store.SaveRun(ctx, row)
}

func (e *Engine) saveStep(ctx context.Context, st store.StepRow) error {
	if c := e.claim(); c.Runner != "" {
		return e.d.Store.SaveStepClaimed(ctx, st, c)
	}
	return e.d.Store.SaveStep(ctx, st)
}

// fenced stops the run when err says another replica has claimed it.
func (r *run) fenced(err error) {
	if errors.Is(err, store.ErrFenced) {
		r.lose()
	}
}

// lose stops the run here: another replica holds it now.
func (r *run) lose() {
	r.mu.Lock()
	first := !r.lost
	r.lost = true
	r.mu.Unlock()
	if first {
		r.e.d.Log.Warn("runbook: another replica claimed this run; stopping it here", "run", r.row.ID)
	}
	if r.cancel != nil {
		r.cancel()
	}
}

// isLost reports whether the run was lost to another replica.
func (r *run) isLost() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lost
}

// keepClaims renews this replica's claims on its runs every Renew, stops
// the runs it lost, and claims the runs other replicas left, until ctx
// ends; then it lets go of its claims so that another replica takes its
// unfinished runs over at once.
func (e *Engine) keepClaims(ctx context.Context) {
	every := e.d.Renew
	if every <= 0 {
		every = max(e.d.RunLease/5, 100*time.Millisecond)
	}
	// Claims live on the database's real clock, whatever clock runs use.
	t := clock.Real().NewTicker(every)
	defer t.Stop()
	for {
		e.renew(ctx)
		e.claimStale(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.Chan():
		}
	}
}

// releaseClaims lets go of this replica's claims once its runs stopped.
func (e *Engine) releaseClaims() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.d.Store.ReleaseRuns(ctx, e.claim().Runner); err != nil {
		e.d.Log.Warn("runbook: letting go of unfinished runs failed; other replicas take them after the lease", "err", err)
	}
}

// renew extends the claims on the runs in flight here and stops those that
// another replica claimed meanwhile.
func (e *Engine) renew(ctx context.Context) {
	e.mu.Lock()
	runs := make(map[string]*run, len(e.active))
	for id, r := range e.active {
		runs[id] = r
	}
	e.mu.Unlock()
	if len(runs) == 0 {
		return
	}
	ids := make([]string, 0, len(runs))
	for id := range runs {
		ids = append(ids, id)
	}
	kept, err := e.d.Store.RenewRuns(ctx, ids, e.claim())
	if err != nil {
		// Writes stay fenced by the lease: if this lasts past it, the runs
		// stop at their next write.
		e.d.Log.Warn("runbook: renewing run claims failed", "err", err)
		return
	}
	for _, k := range kept {
		if r := runs[k.ID]; r != nil {
			r.deliverStored(k.WaitGen, k.Answer) // given through another replica
		}
		delete(runs, k.ID)
	}
	for _, r := range runs {
		r.lose()
	}
}

// claimStale claims runs whose claim ran out and resumes them here or marks
// them interrupted.
func (e *Engine) claimStale(ctx context.Context) {
	if e.d.MayTakeOver != nil && !e.d.MayTakeOver() {
		return
	}
	sw := clock.Start()
	rows, err := e.d.Store.ClaimStaleRuns(ctx, e.claim(), 20)
	if e.d.Claims != nil && err == nil {
		e.d.Claims.Observe(sw.Elapsed().Seconds())
	}
	if err != nil {
		if ctx.Err() == nil {
			e.d.Log.Warn("runbook: claiming runs of other replicas failed", "err", err)
		}
		return
	}
	for _, row := range rows {
		e.mu.Lock()
		mine := e.active[row.ID] != nil
		e.mu.Unlock()
		if mine {
			// Its claim lapsed while it ran here (the database was out of
			// reach) and nobody took it: it goes on here.
			continue
		}
		e.d.Log.Info("runbook: took over a run another replica left", "run", row.ID, "runbook", row.Runbook)
		if err := e.resume(ctx, row); err != nil {
			e.d.Log.Error("runbook: taking over a run failed", "run", row.ID, "err", err)
		}
	}
}
