package runbook

import (
	"context"
	"crypto/subtle"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// Run runs the runs and starts scheduled runs until ctx ends: RunRuns and
// Schedule together, as one process on its own database does.
func (e *Engine) Run(ctx context.Context) error {
	done := make(chan struct{})
	go func() { defer close(done); e.Schedule(ctx) }()
	err := e.RunRuns(ctx)
	<-done
	return err
}

// RunRuns recovers the runs a stop left unfinished, then, when runs are
// shared with other replicas, keeps this replica's claims and takes over
// the runs others left, until ctx ends; it waits for the runs in flight to
// stop. Every replica runs it; runs start on whichever replica is asked.
func (e *Engine) RunRuns(ctx context.Context) error {
	e.mu.Lock()
	e.ctx = ctx
	e.mu.Unlock()
	if !e.clustered() {
		if err := e.recoverRuns(ctx); err != nil {
			e.d.Log.Error("runbook: recovering unfinished runs failed", "err", err)
		}
	}
	close(e.ready)
	if e.clustered() {
		e.keepClaims(ctx)
	} else {
		<-ctx.Done()
	}
	e.wg.Wait()
	if e.clustered() {
		e.releaseClaims()
	}
	return nil
}

// Schedule starts the runs of schedule triggers when they fall due, until
// ctx ends. With replicas only the one leading runs it, so each falls due
// once.
func (e *Engine) Schedule(ctx context.Context) {
	select {
	case <-e.ready:
	case <-ctx.Done():
		return
	}
	e.schedule(ctx)
	e.mu.Lock()
	for _, t := range e.forTimers {
		t.Stop()
	}
	e.mu.Unlock()
}

// recoverRuns settles what a stop of the only process left unfinished.
func (e *Engine) recoverRuns(ctx context.Context) error {
	runs, err := e.d.Store.UnfinishedRuns(ctx)
	if err != nil {
		return err
	}
	for _, row := range runs {
		if err := e.resume(ctx, row); err != nil {
			return err
		}
	}
	return nil
}

// resume settles a run that a stop, or the death of its replica, left
// unfinished. A run waiting for approval waits on; a pending one starts; a
// running one resumes at its current step when that step is idempotent and
// is marked interrupted otherwise: running half a failover twice is worse
// than asking a person. With replicas the caller holds the run's claim.
func (e *Engine) resume(ctx context.Context, row store.RunRow) error {
	e.mu.Lock()
	b := e.books[row.Runbook]
	e.mu.Unlock()
	_, steps, err := e.d.Store.Run(ctx, row.ID)
	if err != nil {
		return err
	}
	if b == nil {
		e.interrupt(ctx, row, steps, "runbook "+row.Runbook+" is no longer configured")
		return nil
	}
	if changed(b, steps) {
		e.interrupt(ctx, row, steps, "runbook "+row.Runbook+" changed its steps while Vigil was stopped")
		return nil
	}
	r := &run{e: e, b: b, row: row, steps: map[string]map[string]any{},
		req: Request{Runbook: row.Runbook, Params: row.Params, Trigger: row.Trigger, TriggeredBy: row.TriggeredBy}}
	_, r.params, _ = b.typedParams(row.Params)
	r.starter = e.recoveredStarter(ctx, row)
	// Waits go on being numbered; one answered while nobody ran the run is
	// asked again under the same number, so that its answer stands.
	r.waits = row.WaitGen
	if row.Status == store.RunAwaiting && row.Answer.Answer != "" {
		r.waits--
	}
	if row.AlertID != 0 {
		if a, err := e.d.Store.Alert(ctx, row.AlertID); err == nil {
			r.req.Alert = &a
		}
	}
	from := 0
	for _, st := range steps {
		done := st.Status == "ok" || st.Status == "skipped" || (st.Status == "failed" && st.Seq < len(b.steps) && b.steps[st.Seq].cfg.OnFailure == "continue")
		// A step that failed and ended the run sent it on to its
		// rollback steps: those resume.
		toRollback := st.Status == "failed" && !done && st.Seq < b.main && len(b.steps) > b.main && r.failed == ""
		if st.Seq != from || (!done && !toRollback) {
			break
		}
		r.recovered(st)
		from = st.Seq + 1
		if toRollback {
			r.failed = failedStep(st.StepID, st.Error, st.ExitCode)
			from = b.main
		}
	}
	started := slices.ContainsFunc(steps, func(st store.StepRow) bool { return st.Seq == from })
	// A run waiting for approval (for the guard or at an approve step), at
	// an idempotent step, or between steps goes on; one stopped inside a
	// step that is not idempotent does not.
	if row.Status == store.RunRunning && started && (from >= len(b.steps) || !b.steps[from].cfg.Idempotent) {
		step := "its last step"
		if from < len(b.steps) {
			step = "step " + b.steps[from].cfg.ID
		}
		e.interrupt(ctx, row, steps, "Vigil stopped during "+step+", which is not idempotent")
		return nil
	}
	awaiting := row.Status == store.RunAwaiting && from == 0 && len(steps) == 0
	e.audit(ctx, "system", "run.resumed", row, fmt.Sprintf("from step %d", from))
	e.launch(r, from, awaiting)
	return nil
}

// recovered makes a step stored before a stop visible to later steps again.
func (r *run) recovered(st store.StepRow) {
	for len(r.stepRows) <= st.Seq {
		r.stepRows = append(r.stepRows, store.StepRow{})
	}
	r.stepRows[st.Seq] = st
	exit := any(nil)
	if st.HasExit {
		exit = st.ExitCode
	}
	r.steps[st.StepID] = map[string]any{"ok": st.Status == "ok", "status": st.Status, "exit_code": exit,
		"stdout": st.Stdout, "stderr": st.Stderr, "error": st.Error, "skipped": st.Status == "skipped"}
}

func (e *Engine) interrupt(ctx context.Context, row store.RunRow, steps []store.StepRow, why string) {
	now := e.d.Clock.Now()
	for _, st := range steps {
		if st.Status == "running" || st.Status == "awaiting_approval" {
			st.Status, st.EndedAt, st.Error = "interrupted", now, why
			if err := e.saveStep(ctx, st); err != nil {
				e.d.Log.Error("runbook: marking a step interrupted failed", "run", row.ID, "err", err)
			}
		}
	}
	row.Status, row.Reason, row.EndedAt, row.ApprovalExpiresAt = store.RunInterrupted, why, now, time.Time{}
	if err := e.saveRun(ctx, row); err != nil {
		// Fenced: another replica claimed the run meanwhile and settles it.
		e.d.Log.Error("runbook: marking a run interrupted failed", "run", row.ID, "err", err)
		return
	}
	e.audit(ctx, "system", "run.interrupted", row, why)
	if row.AlertID != 0 && e.d.Pager != nil {
		_ = e.d.Pager.Note(ctx, row.AlertID, "runbook", "runbook/"+row.Runbook, "run "+row.ID+" interrupted: "+why)
	}
}

// schedule starts the runs of schedule triggers when they fall due.
func (e *Engine) schedule(ctx context.Context) {
	last := e.d.Clock.Now()
	for {
		e.mu.Lock()
		books := e.books
		e.mu.Unlock()
		next := time.Time{}
		for _, b := range books {
			for _, t := range b.triggers {
				if t.schedule == nil {
					continue
				}
				at := t.schedule.Next(last.In(t.loc))
				if next.IsZero() || at.Before(next) {
					next = at
				}
			}
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(next.Sub(e.d.Clock.Now()), 0)
		}
		t := e.d.Clock.NewTimer(min(wait, time.Hour))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-e.replan:
			t.Stop()
			continue // plan again with the new config, from the same point
		case <-t.Chan():
		}
		now := e.d.Clock.Now()
		for _, b := range books {
			for _, tr := range b.triggers {
				if tr.schedule == nil {
					continue
				}
				if at := tr.schedule.Next(last.In(tr.loc)); !at.After(now) {
					params, perr := e.triggerParams(tr, nil)
					_, err := e.Start(ctx, Request{Runbook: b.cfg.ID, Params: params, Trigger: TriggerSchedule,
						TriggeredBy: "schedule " + tr.cfg.Schedule.Cron, paramErr: perr})
					if err != nil {
						e.d.Log.Warn("runbook: scheduled run not started", "runbook", b.cfg.ID, "err", err)
					}
				}
			}
		}
		last = now
	}
}

// runCtx is the context runs live in: Run's.
func (e *Engine) runCtx() context.Context {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ctx
}

// triggerParams renders a trigger's params against the alert.
func (e *Engine) triggerParams(t trigger, a *store.AlertRow) (map[string]string, error) {
	out := map[string]string{}
	r := &run{req: Request{Alert: a}, b: &book{}}
	data := r.vars()
	for k, tp := range t.params {
		v, err := tp.Render(data)
		if err != nil {
			return nil, fmt.Errorf("on.params.%s: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// AlertsFired starts the runbooks whose alert triggers match newly opened
// alerts, at once or after the trigger's for: when the alert is still
// firing and unacknowledged then. It does not block.
func (e *Engine) AlertsFired(rows []store.AlertRow) {
	e.mu.Lock()
	books := e.books
	e.mu.Unlock()
	for _, row := range rows {
		for _, b := range books {
			for _, t := range b.triggers {
				if t.cfg.Alert == nil || !matchAlert(t, row) {
					continue
				}
				row, b, t := row, b, t
				if t.cfg.For <= 0 {
					go e.fire(b, t, row)
					continue
				}
				key := b.cfg.ID + "/" + strconv.FormatInt(row.ID, 10)
				timer := e.d.Clock.AfterFunc(t.cfg.For.D(), func() {
					e.mu.Lock()
					delete(e.forTimers, key)
					e.mu.Unlock()
					ctx, cancel := context.WithTimeout(e.runCtx(), 10*time.Second)
					defer cancel()
					cur, err := e.d.Store.Alert(ctx, row.ID)
					if err != nil || cur.Status != "firing" {
						return
					}
					e.mu.Lock()
					now := e.books[b.cfg.ID]
					e.mu.Unlock()
					if now == nil || len(now.triggers) == 0 {
						return // the runbook or its triggers went away in a reload
					}
					e.fire(b, t, cur)
				})
				e.mu.Lock()
				e.forTimers[key] = timer
				e.mu.Unlock()
			}
		}
	}
}

func (e *Engine) fire(b *book, t trigger, row store.AlertRow) {
	params, perr := e.triggerParams(t, &row)
	_, err := e.Start(e.runCtx(), Request{Runbook: b.cfg.ID, Params: params, Trigger: TriggerAlert,
		TriggeredBy: "alert/" + strconv.FormatInt(row.ID, 10), Alert: &row, paramErr: perr})
	if err != nil {
		e.d.Log.Info("runbook: alert-triggered run not started", "runbook", b.cfg.ID, "alert", row.ID, "err", err)
	}
}

// matchAlert reports whether an alert matches an alert trigger.
func matchAlert(t trigger, row store.AlertRow) bool {
	if c := t.cfg.Alert.Check; c != "" {
		if row.Source != "check" || row.Labels["service"]+"/"+row.Labels["check"] != c {
			return false
		}
	}
	for _, m := range t.matchers {
		if !m.Matches(row.Labels[m.Name]) {
			return false
		}
	}
	return true
}

// Webhook starts a runbook for a tool holding one of its webhook keys. req
// carries what the tool may choose: params, dry_run and confirm, each
// honoured as for a run by hand. Params the trigger itself sets in config
// are fixed for its key: a caller that sends one of them is refused.
func (e *Engine) Webhook(ctx context.Context, runbookID, key string, req Request) (store.RunRow, error) {
	e.mu.Lock()
	b := e.books[runbookID]
	e.mu.Unlock()
	if b == nil {
		return store.RunRow{}, errs.E(errs.Unauthorized, "unknown runbook or key")
	}
	for i, t := range b.triggers {
		w := t.cfg.Webhook
		if w == nil || subtle.ConstantTimeCompare([]byte(w.Key.Reveal()), []byte(key)) != 1 {
			continue
		}
		fixed, err := e.triggerParams(t, nil)
		if err != nil {
			return store.RunRow{}, errs.E(errs.Invalid, "%v", err)
		}
		params := maps.Clone(req.Params)
		if params == nil {
			params = map[string]string{}
		}
		for k, v := range fixed {
			if _, given := params[k]; given {
				return store.RunRow{}, errs.E(errs.Invalid, "params.%s: set by this webhook's trigger in config; the caller may not change it", k)
			}
			params[k] = v
		}
		return e.Start(ctx, Request{Runbook: runbookID, Params: params, DryRun: req.DryRun, Confirm: req.Confirm,
			Trigger: TriggerWebhook, TriggeredBy: "webhook/" + runbookID + "#" + strconv.Itoa(i)})
	}
	return store.RunRow{}, errs.E(errs.Unauthorized, "unknown runbook or key")
}

// changed reports whether the steps a run stored no longer match the
// runbook's definition, so resuming would run the wrong step.
func changed(b *book, steps []store.StepRow) bool {
	for _, st := range steps {
		if st.Seq >= len(b.steps) || b.steps[st.Seq].cfg.ID != st.StepID {
			return true
		}
	}
	return false
}
