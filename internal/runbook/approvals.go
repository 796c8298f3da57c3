package runbook

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// What the web app asks of a run that waits for approval before it offers
// a person the buttons: who may answer, until when, and whether this
// person may. The answers come from the same checks Approve makes, so a
// page never offers what the engine would refuse.

// mayApprove says why the caller (a token, its person, or a signed-in
// person with no token) may not approve wait w of r; nil when they may.
func (e *Engine) mayApprove(r *run, w *wait, token, person, who string) error {
	if err := r.refuseSelfApproval(token, person); err != nil {
		return err
	}
	return e.amongApprovers(w, person, who)
}

// amongApprovers refuses a caller who is not among w's approvers, when it
// names any.
func (e *Engine) amongApprovers(w *wait, person, who string) error {
	if len(w.approvers) == 0 {
		return nil
	}
	if person == "" {
		return errs.E(errs.Forbidden, "only %s may approve this run, and %s is not tied to a person (set person: on the token)", strings.Join(w.approvers, ", "), who)
	}
	if !e.isApprover(person, w.approvers) {
		return errs.E(errs.Forbidden, "person/%s is not among the approvers (%s)", person, strings.Join(w.approvers, ", "))
	}
	return nil
}

// CanApprove says whether a signed-in person (token empty) or a token may
// approve run runID now: nil, or why not (Forbidden), or that the run does
// not wait (NotFound, Conflict). It approves nothing.
func (e *Engine) CanApprove(ctx context.Context, runID, token, person string) error {
	r, w, err := e.waiting(ctx, runID)
	if err != nil {
		return err
	}
	return e.mayApprove(r, w, token, person, callerName(token, person))
}

// CanDeny is CanApprove for a denial: whoever may approve may deny, and so
// may the run's starter, who withdraws their own request.
func (e *Engine) CanDeny(ctx context.Context, runID, token, person string) error {
	r, w, err := e.waiting(ctx, runID)
	if err != nil {
		return err
	}
	return e.mayDeny(r, w, token, person, callerName(token, person))
}

func (e *Engine) mayDeny(r *run, w *wait, token, person, who string) error {
	if r.isStarter(token, person) {
		return nil
	}
	return e.amongApprovers(w, person, who)
}

// isStarter reports whether the caller started r.
func (r *run) isStarter(token, person string) bool {
	return (token != "" && token == r.starter.token) || (person != "" && person == r.starter.person)
}

func callerName(token, person string) string {
	if person != "" {
		return "person/" + person
	}
	return "token/" + token
}

// Deny cancels a run waiting for approval, for a token (and its person).
func (e *Engine) Deny(ctx context.Context, runID, token, comment string) (store.RunRow, error) {
	person, who := e.tokenCaller(token)
	return e.denyBy(ctx, runID, token, person, who, comment)
}

// DenyAs cancels a run waiting for approval, for a signed-in person,
// recorded as who. The run ends canceled, its reason naming who denied it.
func (e *Engine) DenyAs(ctx context.Context, runID, person, who, comment string) (store.RunRow, error) {
	return e.denyBy(ctx, runID, "", person, who, comment)
}

func (e *Engine) denyBy(ctx context.Context, runID, token, person, who, comment string) (store.RunRow, error) {
	r, w, err := e.waiting(ctx, runID)
	if err != nil {
		return store.RunRow{}, err
	}
	if err := e.mayDeny(r, w, token, person, who); err != nil {
		return store.RunRow{}, err
	}
	return e.answer(ctx, r, w, approval{by: who, comment: comment, denied: true})
}

// Wait is the approval a run waits for.
type Wait struct {
	// Approvers may approve it; empty means anyone with the operate scope.
	Approvers []string
	Expires   time.Time
	// Starter asked for the run (person/ID or token/ID); empty for runs an
	// alert, schedule or webhook started.
	Starter string
	// Distinct says the starter may not approve it (guard.distinct_approver).
	Distinct bool
}

// Waiting returns the approval run runID waits for now; false when it
// waits for none (finished, running, answered, or not yet asking again
// after a restart). The run may be in flight on another replica.
func (e *Engine) Waiting(ctx context.Context, runID string) (Wait, bool) {
	if !e.clustered() {
		e.mu.Lock()
		r := e.active[runID]
		e.mu.Unlock()
		if r == nil {
			return Wait{}, false // the only process: not in flight, not waiting
		}
	}
	r, w, err := e.waiting(ctx, runID)
	if err != nil {
		return Wait{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending != w || w.answer != "" || r.row.Status != store.RunAwaiting {
		return Wait{}, false
	}
	out := Wait{Approvers: slices.Clone(w.approvers), Expires: w.expires, Distinct: r.distinct()}
	if r.starter.token != "" || r.starter.person != "" {
		out.Starter = r.starter.String()
	}
	return out, true
}

// ConfirmTarget is what a person must type to run req's runbook with its
// params (the guard's confirm, rendered), or "" when the runbook asks for
// nothing. Bad params are an Invalid error, as Start would answer.
func (e *Engine) ConfirmTarget(req Request) (string, error) {
	e.mu.Lock()
	b := e.books[req.Runbook]
	e.mu.Unlock()
	if b == nil {
		return "", errs.E(errs.NotFound, "no runbook %q", req.Runbook)
	}
	if b.confirm == nil {
		return "", nil
	}
	raw, typed, err := b.typedParams(req.Params)
	if err != nil {
		return "", err
	}
	if req.Trigger == "" {
		req.Trigger = TriggerManual
	}
	r := &run{e: e, b: b, req: req, params: typed, steps: map[string]map[string]any{},
		row: store.RunRow{Runbook: b.cfg.ID, Trigger: req.Trigger, Params: raw}}
	want, err := b.confirm.Render(r.data())
	if err != nil {
		return "", errs.E(errs.Invalid, "guard.confirm: %v", err)
	}
	return want, nil
}

// BreakerState is a runbook's circuit breaker now, for people to read.
type BreakerState struct {
	// Failures is how many failed runs within Within open it; 0 when the
	// runbook has no breaker.
	Failures         int
	Within, Cooldown time.Duration
	Recent           int // failed runs within Within now
	Open             bool
	Until            time.Time // when Open: automatic runs resume then
}

// Breaker says whether runbook id's circuit breaker is open, as stored by
// whichever replica opened it.
func (e *Engine) Breaker(ctx context.Context, id string) (BreakerState, error) {
	b, ok := e.Book(id)
	if !ok || b.Guard == nil || b.Guard.Breaker == nil {
		return BreakerState{}, nil
	}
	g := b.Guard.Breaker
	now := e.d.Clock.Now()
	st := BreakerState{Failures: g.Failures, Within: g.Within.D(), Cooldown: breakerCooldown(g)}
	n, err := e.d.Store.CountRuns(ctx, store.RunCount{Runbook: id, Since: now.Add(-st.Within), Statuses: []string{store.RunFailed}, RealOnly: true})
	if err != nil {
		return st, errs.Wrap(errs.Internal, err, "counting failed runs of %s", id)
	}
	st.Recent = n
	until, err := e.d.Store.BreakerUntil(ctx, id)
	if err != nil {
		return st, errs.Wrap(errs.Internal, err, "reading the breaker of %s", id)
	}
	if now.Before(until) {
		st.Open, st.Until = true, until
	}
	return st, nil
}
