package runbook

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/runbook/tmpl"
	"github.com/vigil-sre/vigil/internal/store"
)

// run is one run in flight.
type run struct {
	e      *Engine
	b      *book
	req    Request
	params map[string]any
	// cancel ends the run's context: on shutdown, or when another replica
	// claimed the run.
	cancel context.CancelFunc
	// starter asked for the run in person; with distinct_approver they may
	// not approve it.
	starter starter

	mu       sync.Mutex
	row      store.RunRow
	stepRows []store.StepRow
	steps    map[string]map[string]any // outcomes by step id, for if and templates
	pending  *wait                     // the approval being waited for, if any
	lost     bool                      // another replica claimed the run
	waits    int                       // waits so far; each gets the next number
	// failed says why the run is rolling back, when a step failed and the
	// runbook has rollback steps.
	failed string
}

// approval is the answer to a wait: an approval, or a denial that cancels
// the run.
type approval struct {
	by, comment string
	denied      bool
}

// wait is one wait for approval. Approvals are checked against it under the
// run's lock, so a late approval can never pass on to a later wait.
type wait struct {
	gen       int
	approvers []string // empty: anyone with the operate scope
	answer    string   // "approved" or "denied" once answered
	ch        chan approval
	expires   time.Time
	ttl       time.Duration
}

func (r *run) snapshot() store.RunRow {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.row
}

// alertVars is the triggering alert as templates and expressions see it.
func (r *run) alertVars() map[string]any {
	a := r.req.Alert
	if a == nil {
		return map[string]any{"labels": map[string]string{}, "annotations": map[string]string{}}
	}
	return map[string]any{"id": a.ID, "summary": a.Summary, "severity": a.Severity, "service": a.Service,
		"status": a.Status, "labels": a.Labels, "annotations": a.Annotations}
}

// vars is what expressions read.
func (r *run) vars() map[string]any {
	r.mu.Lock()
	steps := maps.Clone(r.steps)
	r.mu.Unlock()
	if steps == nil {
		steps = map[string]map[string]any{}
	}
	s := make(map[string]any, len(steps))
	for k, v := range steps {
		s[k] = v
	}
	slos := map[string]any{}
	if r.e != nil && r.e.d.SLOs != nil {
		slos = r.e.d.SLOs()
	}
	return map[string]any{"params": r.params, "alert": r.alertVars(), "steps": s, "slo": slos}
}

// data is what templates read: vars, the runbook's secrets and the run.
func (r *run) data() map[string]any {
	d := r.vars()
	d["secrets"] = r.b.secretMap
	d["run"] = map[string]any{"id": r.row.ID, "runbook": r.b.cfg.ID, "trigger": r.row.Trigger}
	return d
}

// render renders a step's template; a dry run describes what depends on
// earlier steps instead of deciding it (see tmpl.Template.Plan).
func (r *run) render(t *tmpl.Template, data map[string]any) (string, error) {
	if r.row.DryRun {
		return t.Plan(data)
	}
	return t.Render(data)
}

// mask hides the runbook's secrets in text that is stored or shown.
func (r *run) mask(s string) string {
	for _, sec := range r.secrets() {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "****")
		}
	}
	return s
}

// secrets are the runbook's and, for a child run, its parents': a parent
// may pass a secret on as a param.
func (r *run) secrets() []string {
	if r.req.parent == nil {
		return r.b.secrets
	}
	all := append(slices.Clone(r.b.secrets), r.req.parent.secrets()...)
	sortLongestFirst(all)
	return all
}

// maskRow hides secrets in the parts of a run row that are shown.
func (r *run) maskRow(row store.RunRow) store.RunRow {
	row.Reason = r.mask(row.Reason)
	if len(row.Params) > 0 {
		p := make(map[string]string, len(row.Params))
		for k, v := range row.Params {
			p[k] = r.mask(v)
		}
		row.Params = p
	}
	return row
}

// save stores the run row; failures are logged (the run goes on: stopping
// a half-done failover because the disk is slow would be worse).
func (r *run) save(ctx context.Context) {
	row := r.maskRow(r.snapshot())
	if err := r.e.saveRun(context.WithoutCancel(ctx), row); err != nil {
		r.fenced(err)
		r.e.d.Log.Error("runbook: storing the run failed", "run", row.ID, "err", err)
	}
	r.e.publish(Event{Type: "run", Run: &row})
}

func (r *run) saveStep(ctx context.Context, st store.StepRow) {
	st.Stdout, st.Stderr, st.Detail, st.Error = r.mask(st.Stdout), r.mask(st.Stderr), r.mask(st.Detail), r.mask(st.Error)
	r.mu.Lock()
	for len(r.stepRows) <= st.Seq {
		r.stepRows = append(r.stepRows, store.StepRow{})
	}
	r.stepRows[st.Seq] = st
	r.mu.Unlock()
	if err := r.e.saveStep(context.WithoutCancel(ctx), st); err != nil {
		r.fenced(err)
		r.e.d.Log.Error("runbook: storing a step failed", "run", st.RunID, "step", st.StepID, "err", err)
	}
	r.e.publish(Event{Type: "step", RunID: st.RunID, Step: &st})
}

func (r *run) setStatus(status, reason string) {
	reason = r.mask(reason)
	r.mu.Lock()
	r.row.Status, r.row.Reason = status, reason
	r.mu.Unlock()
}

// execute runs the steps from index from. With a wait it first waits for
// the run's approval.
func (r *run) execute(ctx context.Context, from int, w *wait) {
	e := r.e
	defer e.release(r)
	if w != nil {
		ok := r.awaitApproval(ctx, w, "Approve run "+r.row.ID+" of "+r.b.cfg.ID,
			fmt.Sprintf("Runbook %s%s wants to run with %s and needs approval.", r.b.cfg.ID, titled(r.b.cfg.Title), formatParams(r.row.Params)), -1)
		if !ok {
			if ctx.Err() == nil {
				r.finish(ctx)
			}
			return
		}
	}
	r.mu.Lock()
	r.row.Status, r.row.Reason = store.RunRunning, ""
	if r.row.StartedAt.IsZero() {
		r.row.StartedAt = e.d.Clock.Now()
	}
	r.mu.Unlock()
	r.save(ctx)
	if from >= r.b.main && from < len(r.b.steps) {
		r.rollback(ctx, from) // resumed while rolling back
		return
	}
	for i := from; i < r.b.main; i++ {
		if ctx.Err() != nil {
			return // shutting down: the run stays running and is marked interrupted at the next start
		}
		s := r.b.steps[i]
		out := r.runStep(ctx, i, s)
		if ctx.Err() != nil && out.status != "ok" {
			return
		}
		if out.status == "failed" && s.cfg.OnFailure != "continue" {
			why := failedStep(s.cfg.ID, out.err, out.exit)
			if r.b.main < len(r.b.steps) {
				r.failed = why
				r.setStatus(store.RunRunning, why+"; rolling back")
				r.save(ctx)
				r.rollback(ctx, r.b.main)
				return
			}
			r.setStatus(store.RunFailed, why)
			r.finish(ctx)
			return
		}
		if out.status == "canceled" {
			r.setStatus(store.RunCanceled, out.err)
			r.finish(ctx)
			return
		}
	}
	r.setStatus(store.RunSucceeded, "")
	r.finish(ctx)
}

// rollback runs the rollback steps from index from, after r.failed. The
// run fails either way; its reason says how the rollback went.
func (r *run) rollback(ctx context.Context, from int) {
	for i := from; i < len(r.b.steps); i++ {
		if ctx.Err() != nil {
			return // resumed or marked interrupted at the next start, like any step
		}
		s := r.b.steps[i]
		out := r.runStep(ctx, i, s)
		if ctx.Err() != nil && out.status != "ok" {
			return
		}
		switch {
		case out.status == "failed" && s.cfg.OnFailure != "continue":
			r.setStatus(store.RunFailed, r.failed+"; rollback "+failedStep(s.cfg.ID, out.err, out.exit))
			r.finish(ctx)
			return
		case out.status == "canceled":
			r.setStatus(store.RunFailed, r.failed+"; rollback step "+s.cfg.ID+" canceled: "+out.err)
			r.finish(ctx)
			return
		}
	}
	r.setStatus(store.RunFailed, r.failed+"; rolled back")
	r.finish(ctx)
}

func failedStep(id, err string, exit int) string {
	return fmt.Sprintf("step %s failed: %s", id, firstNonEmpty(err, "exit code "+fmt.Sprint(exit)))
}

// finish records the end of the run and acts on it.
func (r *run) finish(ctx context.Context) {
	e := r.e
	r.mu.Lock()
	r.row.EndedAt = e.d.Clock.Now()
	r.row.ApprovalExpiresAt = time.Time{}
	row := r.maskRow(r.row)
	r.mu.Unlock()
	r.save(ctx)
	if r.isLost() {
		return // the replica that claimed the run settles it
	}
	e.audit(ctx, "system", "run.finished", row, row.Status+firstNonEmpty(prefix(": ", row.Reason), ""))
	e.noteAlert(r, "runbook", fmt.Sprintf("run %s of %s %s%s", row.ID, r.b.cfg.ID, row.Status, prefix(": ", row.Reason)))
	if row.Status == store.RunFailed {
		e.tripBreaker(ctx, r)
	}
	if row.Status == store.RunSucceeded && r.b.cfg.ResolveOnSuccess && row.AlertID != 0 && e.d.Pager != nil && r.lastCheckPassed() {
		pctx, cancel := pagerCtx(ctx)
		defer cancel()
		if _, err := e.d.Pager.Resolve(pctx, row.AlertID, "runbook/"+r.b.cfg.ID+" (run "+row.ID+")"); err != nil {
			e.d.Log.Info("runbook: resolving the alert after a successful run", "alert", row.AlertID, "err", err)
		}
	}
	e.publish(Event{Type: "end", Run: &row})
}

// lastCheckPassed reports whether the runbook's last step is a check that
// passed: only then has the run shown the problem is gone.
func (r *run) lastCheckPassed() bool {
	n := r.b.main
	if n == 0 || r.b.steps[n-1].kind != "check" {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.stepRows) == n && r.stepRows[n-1].Status == "ok"
}

// openWait marks the run as waiting for approval (for step seq, when
// >= 0) and opens the wait. From here an approval is taken, even before the
// approvers have been asked.
func (r *run) openWait(approvers []string, seq int) *wait {
	e := r.e
	ttl := DefaultApprovalTTL
	if seq >= 0 {
		if a := r.b.steps[seq].cfg.Approve; a != nil && a.TTL > 0 {
			ttl = a.TTL.D()
		}
	} else if g := r.b.cfg.Guard; g != nil && g.ApprovalTTL > 0 {
		ttl = g.ApprovalTTL.D()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	expires := r.row.ApprovalExpiresAt
	if expires.IsZero() || seq >= 0 {
		expires = e.d.Clock.Now().Add(ttl)
	}
	r.row.Status, r.row.ApprovalExpiresAt, r.row.Reason = store.RunAwaiting, expires, "waiting for approval"
	r.waits++
	r.row.WaitGen = r.waits
	w := &wait{gen: r.waits, approvers: approvers, ch: make(chan approval, 1), expires: expires, ttl: ttl}
	r.pending = w
	return w
}

// awaitApproval asks the approvers of wait w (for step seq, when >= 0) and
// waits for an approval or the ttl. It reports whether the run was
// approved.
func (r *run) awaitApproval(ctx context.Context, w *wait, title, text string, seq int) bool {
	e := r.e
	approvers, expires, ttl := w.approvers, w.expires, w.ttl
	defer func() {
		r.mu.Lock()
		if r.pending == w {
			r.pending = nil
		}
		r.mu.Unlock()
	}()
	r.save(ctx)
	// An answer may have been stored before this replica asked (to a wait
	// of a run it took over): it stands, and nobody needs asking.
	if row, _, err := e.d.Store.Run(ctx, r.row.ID); err == nil && row.WaitGen == w.gen {
		r.deliverStored(w.gen, row.Answer)
	}
	r.mu.Lock()
	answered := w.answer != ""
	r.mu.Unlock()
	targets := approvers
	if answered {
		targets = nil
	}
	if seq >= 0 && r.b.steps[seq].cfg.Approve != nil && len(r.b.steps[seq].cfg.Approve.Notify) > 0 {
		targets = r.b.steps[seq].cfg.Approve.Notify
	}
	if len(targets) == 0 && r.b.cfg.Owner != "" {
		targets = []string{r.b.cfg.Owner}
	}
	if !answered {
		targets = e.approvalTargets(r, targets)
	}
	if len(targets) > 0 && e.d.Pager != nil {
		text += fmt.Sprintf("\n\nApprove before %s: vigil run approve %s", expires.Format(time.RFC3339), r.row.ID)
		page := e.d.URL("/runs/" + r.row.ID)
		for _, t := range targets {
			// Each person or team gets a link of its own that approves as
			// them; every notice names the run's page, where it can be read
			// in full and approved or denied after signing in.
			link, body := page, text
			if e.d.ApproveURL != nil && (strings.HasPrefix(t, "person/") || strings.HasPrefix(t, "team/")) {
				link = e.d.ApproveURL(r.row.ID, w.gen, t, expires)
				body += "\nor open " + link
			}
			body += "\nThe run: " + page
			pctx, cancel := pagerCtx(ctx)
			err := e.d.Pager.Announce(pctx, pager.Announcement{Targets: []string{t}, Title: title, Text: body,
				URL: link, AlertID: r.row.AlertID})
			cancel()
			if err != nil {
				e.d.Log.Error("runbook: asking for approval failed", "run", r.row.ID, "target", t, "err", err)
			}
		}
	}
	wait := expires.Sub(e.d.Clock.Now())
	t := e.d.Clock.NewTimer(max(wait, 0))
	defer t.Stop()
	select {
	case a := <-w.ch:
		r.mu.Lock()
		r.row.ApprovalExpiresAt = time.Time{}
		if a.denied {
			r.row.Status, r.row.Reason = store.RunCanceled, r.mask("denied by "+a.by+prefix(": ", a.comment))
		} else {
			r.row.ApprovedBy = a.by
		}
		r.mu.Unlock()
		return !a.denied
	case <-t.Chan():
		r.mu.Lock()
		r.row.Status, r.row.Reason = store.RunCanceled, "no approval within "+ttl.String()
		r.mu.Unlock()
		e.audit(ctx, "system", "run.approval_expired", r.snapshot(), "")
		return false
	case <-ctx.Done():
		return false
	}
}

// approvers are who may approve a run the guard holds.
func (b *book) approvers() []string {
	if b.cfg.Guard == nil {
		return nil
	}
	return b.cfg.Guard.Approvers
}

// pagerCtx bounds a call to the pager, which may already have stopped when
// Vigil is shutting down: a run's last words must not hold up the exit.
func pagerCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// titled is " (title)", or nothing for a runbook without one.
func titled(title string) string {
	if title == "" {
		return ""
	}
	return " (" + title + ")"
}

func prefix(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
