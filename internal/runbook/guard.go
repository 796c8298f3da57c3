package runbook

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/store"
)

// counted are the statuses of runs that count against max_runs: every run
// that was let through, however it ended.
var counted = []string{store.RunPending, store.RunAwaiting, store.RunRunning, store.RunSucceeded,
	store.RunFailed, store.RunInterrupted, store.RunCanceled}

// live are the statuses of runs that hold their lock: admitted and not
// ended. A run whose replica died holds it until another replica claims
// the run and resumes it or marks it interrupted.
var live = []string{store.RunPending, store.RunAwaiting, store.RunRunning}

// InFlight are the statuses of a run some replica executes (or waits to).
func InFlight() []string { return slices.Clone(live) }

// counter reads stored runs and breakers: inside the admission
// transaction when a run is admitted, so that what it reads cannot change
// until the run is stored (store.Admission).
type counter interface {
	Count(store.RunCount) (int, error)
	BreakerUntil(runbook string) (time.Time, error)
}

// storeCounter reads outside any transaction, for previews.
type storeCounter struct {
	ctx context.Context
	s   *store.Store
}

func (c storeCounter) Count(rc store.RunCount) (int, error) { return c.s.CountRuns(c.ctx, rc) }
func (c storeCounter) BreakerUntil(id string) (time.Time, error) {
	return c.s.BreakerUntil(c.ctx, id)
}

// guard decides whether r may run, counting runs with count. It returns
// whether the run must first be approved, or the guard that refuses it.
func (e *Engine) guard(r *run, now time.Time, count counter) (approval bool, refusal *Refusal) {
	b := r.b
	g := b.cfg.Guard
	refuse := func(guard, format string, args ...any) (bool, *Refusal) {
		return false, &Refusal{Guard: guard, Reason: fmt.Sprintf(format, args...)}
	}
	if r.row.Depth > MaxDepth {
		return refuse("depth", "runbooks calling runbooks %d deep; the limit is %d", r.row.Depth, MaxDepth)
	}
	if b.confirm != nil {
		want, err := b.confirm.Render(r.data())
		switch {
		case err != nil:
			return refuse("confirm", "%v", err)
		case r.req.unattended():
			return refuse("confirm", "runbook %s is destructive (confirm is set) and never runs from an alert or a schedule", b.cfg.ID)
		case r.req.Confirm != want:
			return refuse("confirm", "type the target's name exactly (%q) to run %s", want, b.cfg.ID)
		}
	}
	if g == nil {
		return false, e.lock(r, count)
	}
	if r.req.automatic() {
		until, err := count.BreakerUntil(b.cfg.ID)
		if err != nil {
			return refuse("circuit_breaker", "cannot read the breaker: %v", err)
		}
		open := now.Before(until)
		if until.IsZero() && g.Breaker != nil {
			// Never opened, or failures from before breakers were stored:
			// count them.
			n, err := count.Count(store.RunCount{Runbook: b.cfg.ID, Since: now.Add(-g.Breaker.Within.D()), Statuses: []string{store.RunFailed}, RealOnly: true})
			if err == nil && n >= g.Breaker.Failures {
				until, open = now.Add(breakerCooldown(g.Breaker)), true
			}
		}
		if open && now.Before(until) {
			return refuse("circuit_breaker", "automatic runs are off until %s after %d failed runs within %s",
				until.Format(time.RFC3339), g.Breaker.Failures, duration.Format(g.Breaker.Within.D()))
		}
		if g.Window != nil {
			e.mu.Lock()
			iv := e.intervals
			e.mu.Unlock()
			if !iv.Contains(*g.Window, now) {
				return refuse("window", "automatic runs are allowed only within time interval %q", *g.Window)
			}
		}
	}
	per := g.Per.D()
	if per <= 0 {
		per = DefaultPer
	}
	if g.MaxRuns > 0 {
		n, err := count.Count(store.RunCount{Runbook: b.cfg.ID, Since: now.Add(-per), Statuses: counted, RealOnly: true})
		if err != nil {
			return refuse("max_runs", "cannot count recent runs: %v", err)
		}
		if n >= g.MaxRuns {
			return refuse("max_runs", "%d of at most %d runs in the last %s", n, g.MaxRuns, duration.Format(per))
		}
	}
	if g.MaxRunsPerAlert > 0 && r.row.AlertID != 0 {
		n, err := count.Count(store.RunCount{Runbook: b.cfg.ID, AlertID: r.row.AlertID, Since: now.Add(-per), Statuses: counted, RealOnly: true})
		if err != nil {
			return refuse("max_runs_per_alert", "cannot count recent runs: %v", err)
		}
		if n >= g.MaxRunsPerAlert {
			return refuse("max_runs_per_alert", "%d of at most %d runs for alert %d in the last %s", n, g.MaxRunsPerAlert, r.row.AlertID, duration.Format(per))
		}
	}
	switch {
	case g.Approval == "required":
		approval = true
	case b.approvalIf != nil:
		ok, err := b.approvalIf.Eval(r.vars())
		if err != nil {
			return refuse("approval_if", "%v", err)
		}
		approval = ok
	}
	if approval {
		if why := e.noOtherApprover(r, g.Approvers); why != "" {
			return refuse("distinct_approver", "%s", why)
		}
	}
	return approval, e.lock(r, count)
}

// lock refuses r when its lock key has as many live runs as the guard's
// concurrency allows. The count is of stored runs, so it holds across
// replicas; r itself is not stored yet.
func (e *Engine) lock(r *run, count counter) *Refusal {
	g := r.b.cfg.Guard
	if g == nil || g.Concurrency <= 0 {
		return nil
	}
	n, err := count.Count(store.RunCount{LockKey: r.row.LockKey, Statuses: live, RealOnly: true})
	if err != nil {
		return &Refusal{Guard: "concurrency", Reason: fmt.Sprintf("cannot count runs in progress: %v", err)}
	}
	if n >= g.Concurrency {
		return &Refusal{Guard: "concurrency", Reason: fmt.Sprintf("%d run(s) of lock %q already in progress (at most %d)", n, r.row.LockKey, g.Concurrency)}
	}
	return nil
}

// tripBreaker opens the circuit breaker when a runbook's automatic runs
// keep failing, and pages its owner: automation that fails repeatedly must
// stop and hand over to a person.
func (e *Engine) tripBreaker(ctx context.Context, r *run) {
	g := r.b.cfg.Guard
	if g == nil || g.Breaker == nil || r.row.Status != store.RunFailed {
		return
	}
	now := e.d.Clock.Now()
	n, err := e.d.Store.CountRuns(ctx, store.RunCount{Runbook: r.b.cfg.ID, Since: now.Add(-g.Breaker.Within.D()), Statuses: []string{store.RunFailed}, RealOnly: true})
	if err != nil || n < g.Breaker.Failures {
		return
	}
	cooldown := breakerCooldown(g.Breaker)
	opened, err := e.d.Store.OpenBreaker(ctx, r.b.cfg.ID, now, now.Add(cooldown))
	if err != nil {
		e.d.Log.Error("runbook: storing the open circuit breaker failed", "runbook", r.b.cfg.ID, "err", err)
	}
	if !opened {
		return // open already: its owner was told
	}
	msg := fmt.Sprintf("Runbook %s failed %d times within %s; automatic runs are off until %s. Last failure: %s",
		r.b.cfg.ID, n, duration.Format(g.Breaker.Within.D()), now.Add(cooldown).Format(time.RFC3339), r.row.Reason)
	e.audit(ctx, "system", "breaker.opened", r.row, msg)
	if r.b.cfg.Owner != "" && e.d.Pager != nil {
		pctx, cancel := pagerCtx(ctx)
		defer cancel()
		err := e.d.Pager.Announce(pctx, pager.Announcement{Targets: []string{r.b.cfg.Owner},
			Title: "Runbook " + r.b.cfg.ID + ": automatic runs stopped", Text: msg, URL: e.d.URL("/runs/" + r.row.ID), AlertID: r.row.AlertID})
		if err != nil {
			e.d.Log.Error("runbook: paging the owner about the circuit breaker failed", "runbook", r.b.cfg.ID, "err", err)
		}
	}
}

func breakerCooldown(b *config.Breaker) time.Duration {
	if b.Cooldown > 0 {
		return b.Cooldown.D()
	}
	return b.Within.D()
}
