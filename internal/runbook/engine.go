// Package runbook runs SOPs as code. Config alone says what runs; a caller
// passes only declared, typed params. The executor, not the API, enforces
// every guard (rate limits, concurrency locks, a circuit breaker, allowed
// windows, approvals, confirmation of destructive runs), so no path around
// them exists. Each run and step is stored as it happens, followed live by
// subscribers, and recorded in the append-only audit log.
package runbook

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/route"
	"github.com/vigil-sre/vigil/internal/store"
)

// Pager is what runs need of the pager: telling people, writing to an
// alert's timeline, resolving it.
type Pager interface {
	Announce(ctx context.Context, a pager.Announcement) error
	Note(ctx context.Context, alertID int64, kind, actor, detail string) error
	Resolve(ctx context.Context, id int64, by string) (pager.Outcome, error)
}

// Deps are the engine's collaborators.
type Deps struct {
	Store *store.Store
	Clock clock.Clock
	Log   *slog.Logger
	// Probe runs a configured check now (service/check).
	Probe func(ctx context.Context, key string) (check.Result, error)
	Pager Pager
	// URL makes an absolute link to a path of Vigil's.
	URL func(path string) string
	// ApproveURL makes a signed link that approves wait number gen of a run
	// as who, valid until exp; nil sends approval requests without one.
	ApproveURL func(runID string, gen int, who string, exp time.Time) string
	// Runner names this replica as the runner of the runs it executes
	// (its cluster member id). RunLease, when positive, is how long a
	// claim on a run lasts unless renewed, every Renew: runs are rows that
	// any replica sharing the database may admit, execute and take over
	// (Postgres). Zero: one process owns every run (SQLite), writes are not
	// fenced, and unfinished runs are recovered at start.
	Runner   func() string
	RunLease time.Duration
	Renew    time.Duration
	// MayTakeOver, when set, says whether this replica may take over runs
	// others left: not while a replica of an older version that runs runs
	// without claims may still be executing them.
	MayTakeOver func() bool
	// Claims, when set, observes how long claiming others' runs takes, in
	// seconds (vigil_cluster_claim_seconds{kind="runs"}).
	Claims interface{ Observe(float64) }
	// SLOs, when set, gives expressions the latest SLO evaluation as
	// slo["service/id"] (burn_rate, burn_rates, budget_remaining_percent,
	// exhausted), so a canary gate can wait on a burn rate.
	SLOs func() map[string]any
}

// Request asks for a run.
type Request struct {
	Runbook     string
	Params      map[string]string
	DryRun      bool
	Confirm     string
	Trigger     string // manual, alert, schedule, webhook, runbook
	TriggeredBy string
	Alert       *store.AlertRow // the alert that triggered it, if any
	parent      *run
	paramErr    error // rendering the trigger's params failed
}

// automatic reports whether nobody asked for the run in person.
func (r Request) automatic() bool {
	if r.Trigger == TriggerRunbook && r.parent != nil {
		return r.parent.req.automatic() // a child of an automatic run is automatic too
	}
	return r.Trigger == TriggerAlert || r.Trigger == TriggerSchedule || r.Trigger == TriggerWebhook
}

// unattended reports whether the run was started by an alert or a
// schedule, with nobody to type a confirmation: a webhook call, like a run
// by hand, is a deliberate request that can carry one.
func (r Request) unattended() bool {
	if r.Trigger == TriggerRunbook && r.parent != nil {
		return r.parent.req.unattended()
	}
	return r.Trigger == TriggerAlert || r.Trigger == TriggerSchedule
}

// Triggers.
const (
	TriggerManual   = "manual"
	TriggerAlert    = "alert"
	TriggerSchedule = "schedule"
	TriggerWebhook  = "webhook"
	TriggerRunbook  = "runbook"
)

// Refusal is a guard saying no: 409 with the guard's name and reason.
type Refusal struct {
	Guard  string
	Reason string
	Run    store.RunRow
}

func (r *Refusal) Error() string { return "refused by " + r.Guard + ": " + r.Reason }

// Engine runs runbooks.
type Engine struct {
	d Deps

	mu        sync.Mutex
	cfg       *config.Config
	books     map[string]*book
	intervals *route.Intervals
	tokens    map[string]string   // token id → person id
	teams     map[string][]string // team id → person ids
	active    map[string]*run     // by run id
	subs      map[string]map[chan Event]struct{}
	forTimers map[string]clock.Timer
	ctx       context.Context
	wg        sync.WaitGroup
	ready     chan struct{}
	admit     sync.Mutex    // held from counting a run's guards to storing it
	replan    chan struct{} // a new config may have new schedules
}

// New makes an engine; call Apply, then Run.
func New(d Deps) *Engine {
	if d.Clock == nil {
		d.Clock = clock.Real()
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.URL == nil {
		d.URL = func(p string) string { return p }
	}
	return &Engine{d: d, books: map[string]*book{}, active: map[string]*run{},
		subs: map[string]map[chan Event]struct{}{}, forTimers: map[string]clock.Timer{},
		ready: make(chan struct{}), replan: make(chan struct{}, 1), ctx: context.Background()}
}

// Check reports whether Apply would accept cfg.
func (e *Engine) Check(cfg *config.Config) error {
	if _, err := compileBooks(cfg); err != nil {
		return err
	}
	_, err := route.NewIntervals(cfg)
	return err
}

// Apply makes cfg's runbooks current. Runs in flight finish with the
// definition they started with.
func (e *Engine) Apply(cfg *config.Config) error {
	books, err := compileBooks(cfg)
	if err != nil {
		return err
	}
	iv, err := route.NewIntervals(cfg)
	if err != nil {
		return err
	}
	tokens := map[string]string{}
	for _, t := range cfg.Tokens {
		if t.Person != "" {
			tokens[t.ID] = t.Person
		}
	}
	teams := map[string][]string{}
	for _, t := range cfg.Teams {
		teams[t.ID] = t.Members
	}
	e.mu.Lock()
	e.cfg, e.books, e.intervals, e.tokens, e.teams = cfg, books, iv, tokens, teams
	e.mu.Unlock()
	select {
	case e.replan <- struct{}{}:
	default:
	}
	return nil
}

// Books lists the runbooks, in config order.
func (e *Engine) Books() []config.Runbook {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cfg == nil {
		return nil
	}
	return slices.Clone(e.cfg.Runbooks)
}

// Book is one runbook's definition.
func (e *Engine) Book(id string) (config.Runbook, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.books[id]
	if b == nil {
		return config.Runbook{}, false
	}
	return b.cfg, true
}

func newRunID() string { return "r_" + strings.ToLower(rand.Text()[:16]) }

// Start checks the guards and starts a run. A refused run is stored (with
// the guard's reason) and returned as a *Refusal. A dry run renders every
// step and executes nothing; it returns once rendered.
func (e *Engine) Start(ctx context.Context, req Request) (store.RunRow, error) {
	// Runs start only after recovery has dealt with the last ones, so a new
	// run is never taken for an unfinished old one.
	select {
	case <-e.ready:
	case <-ctx.Done():
		return store.RunRow{}, errs.Wrap(errs.Unavailable, ctx.Err(), "runbooks are not ready")
	}
	e.mu.Lock()
	b := e.books[req.Runbook]
	e.mu.Unlock()
	if b == nil {
		return store.RunRow{}, errs.E(errs.NotFound, "no runbook %q", req.Runbook)
	}
	if req.Trigger == "" {
		req.Trigger = TriggerManual
	}
	raw, typed, err := b.typedParams(req.Params)
	if req.paramErr != nil {
		err = errs.E(errs.Invalid, "%v", req.paramErr)
	}
	if err != nil {
		if req.Trigger == TriggerAlert || req.Trigger == TriggerSchedule {
			return e.refuseParams(ctx, b, req, err)
		}
		return store.RunRow{}, err
	}
	now := e.d.Clock.Now()
	r := &run{e: e, b: b, req: req, params: typed, steps: map[string]map[string]any{}, starter: e.starterOf(req),
		row: store.RunRow{ID: newRunID(), Runbook: b.cfg.ID, Status: store.RunPending, Trigger: req.Trigger,
			TriggeredBy: req.TriggeredBy, Params: raw, DryRun: req.DryRun, CreatedAt: now}}
	if req.Alert != nil {
		r.row.AlertID = req.Alert.ID
	}
	if p := req.parent; p != nil {
		r.row.ParentRunID, r.row.Depth = p.row.ID, p.row.Depth+1
		r.row.AlertID = p.row.AlertID
		r.req.Alert = p.req.Alert
	}
	r.row.LockKey = b.cfg.ID
	if b.lock != nil {
		key, err := b.lock.Render(r.data())
		if err != nil {
			return store.RunRow{}, errs.E(errs.Invalid, "guard.lock: %v", err)
		}
		r.row.LockKey = b.cfg.ID + "/" + key
	}
	if req.DryRun {
		return e.dryRun(ctx, r)
	}
	// Counting recent runs and storing this one happen as one step, in one
	// transaction under the runbook's admission lock, so runs started
	// together, on this replica or others, cannot all see room for one more.
	e.admit.Lock()
	defer e.admit.Unlock()
	var approval bool
	var refusal *Refusal
	err = e.d.Store.AdmitRun(ctx, b.cfg.ID, e.claim(), func(count store.Admission) (*store.RunRow, error) {
		approval, refusal = e.guard(r, now, count)
		if refusal != nil {
			return nil, nil
		}
		if approval {
			ttl := DefaultApprovalTTL
			if g := b.cfg.Guard; g != nil && g.ApprovalTTL > 0 {
				ttl = g.ApprovalTTL.D()
			}
			r.row.Status, r.row.ApprovalExpiresAt = store.RunAwaiting, now.Add(ttl)
			r.row.Reason, r.row.WaitGen = "waiting for approval", 1 // the wait launch opens
		}
		row := r.maskRow(r.row)
		return &row, nil
	})
	if err != nil {
		return store.RunRow{}, errs.Wrap(errs.Internal, err, "storing the run")
	}
	if refusal != nil {
		return e.refuse(ctx, r, refusal, now)
	}
	r.row.Runner = e.claim().Runner
	e.audit(ctx, r.row.TriggeredBy, "run.triggered", r.maskRow(r.row), r.mask(fmt.Sprintf("trigger=%s params=%s", req.Trigger, formatParams(raw))))
	e.noteAlert(r, "runbook", fmt.Sprintf("run %s of %s started (%s)", r.row.ID, b.cfg.ID, req.Trigger))
	row := r.maskRow(r.row)
	e.launch(r, 0, approval)
	return row, nil
}

// refuseParams stores a run that automation asked for with params the
// runbook refuses, such as a label value that would become an option or a
// label that is missing. Nobody is there to read a 400, so the refusal goes
// on record like a guard's, naming the param.
func (e *Engine) refuseParams(ctx context.Context, b *book, req Request, cause error) (store.RunRow, error) {
	now := e.d.Clock.Now()
	r := &run{e: e, b: b, req: req, steps: map[string]map[string]any{},
		row: store.RunRow{ID: newRunID(), Runbook: b.cfg.ID, Trigger: req.Trigger, TriggeredBy: req.TriggeredBy,
			Params: req.Params, LockKey: b.cfg.ID, CreatedAt: now}}
	if req.Alert != nil {
		r.row.AlertID = req.Alert.ID
	}
	return e.refuse(ctx, r, &Refusal{Guard: "params", Reason: errs.Message(cause)}, now)
}

// refuse records r as refused: a stored run, the audit log and the
// alert's timeline.
func (e *Engine) refuse(ctx context.Context, r *run, refusal *Refusal, now time.Time) (store.RunRow, error) {
	refusal.Reason = r.mask(refusal.Reason)
	r.row.Status, r.row.Reason, r.row.EndedAt = store.RunRefused, refusal.Error(), now
	row := r.maskRow(r.row)
	if err := e.d.Store.SaveRun(ctx, row); err != nil {
		return store.RunRow{}, errs.Wrap(errs.Internal, err, "storing the refused run")
	}
	e.audit(ctx, row.TriggeredBy, "run.refused", row, row.Reason)
	e.noteAlert(r, "runbook", fmt.Sprintf("run %s of %s refused: %s", row.ID, r.b.cfg.ID, refusal.Reason))
	refusal.Run = row
	return row, refusal
}

// launch runs r on its own goroutine, tracked so Close can wait for it.
func (e *Engine) launch(r *run, from int, awaitApproval bool) {
	// The wait opens before Start answers, so an approval sent at once is
	// taken rather than refused as too early.
	var w *wait
	if awaitApproval {
		w = r.openWait(r.b.approvers(), -1)
	}
	e.mu.Lock()
	e.active[r.row.ID] = r
	// A run has a context of its own: it ends when the run's claim is lost
	// to another replica, as well as on shutdown.
	ctx, cancel := context.WithCancel(e.ctx)
	r.cancel = cancel
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer cancel()
		r.execute(ctx, from, w)
	}()
}

// release gives back what a run held and closes its followers' streams,
// in one step: nobody can start following a run that has ended.
func (e *Engine) release(r *run) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for ch := range e.subs[r.row.ID] {
		close(ch)
	}
	delete(e.subs, r.row.ID)
	delete(e.active, r.row.ID)
}

// ApproveByLink approves a run for who (person/ID or team/ID), whom a
// signed link sent for wait number gen of the run vouches for. A link
// approves only the wait it was sent for.
func (e *Engine) ApproveByLink(ctx context.Context, runID string, gen int, who string) (store.RunRow, error) {
	r, w, err := e.waiting(ctx, runID)
	if err != nil {
		return store.RunRow{}, err
	}
	if w.gen != gen {
		return store.RunRow{}, errs.E(errs.Conflict, "this link was for an earlier approval of run %s", runID)
	}
	if err := e.refuseSelfLink(r, who); err != nil {
		return store.RunRow{}, err
	}
	if len(w.approvers) > 0 && !slices.Contains(w.approvers, who) {
		kind, id, _ := strings.Cut(who, "/")
		if kind != "person" || !e.isApprover(id, w.approvers) {
			return store.RunRow{}, errs.E(errs.Forbidden, "%s is not among the approvers (%s)", who, strings.Join(w.approvers, ", "))
		}
	}
	return e.approve(ctx, r, w, who+" (link)", "")
}

// Approve lets a run waiting for approval go on. token is the caller's
// token id; approvers, when listed, must include the token's person.
func (e *Engine) Approve(ctx context.Context, runID, token, comment string) (store.RunRow, error) {
	person, who := e.tokenCaller(token)
	return e.approveBy(ctx, runID, token, person, who, comment)
}

// tokenCaller is the person a token belongs to, if any, and how records
// name the caller: person/ID (token/ID), or token/ID.
func (e *Engine) tokenCaller(token string) (person, who string) {
	e.mu.Lock()
	person = e.tokens[token]
	e.mu.Unlock()
	if person != "" {
		return person, "person/" + person + " (token/" + token + ")"
	}
	return "", "token/" + token
}

// ApproveAs lets a run waiting for approval go on, approved by person
// (signed in, no token) and recorded as who. Approvers, when listed, must
// include the person.
func (e *Engine) ApproveAs(ctx context.Context, runID, person, who, comment string) (store.RunRow, error) {
	return e.approveBy(ctx, runID, "", person, who, comment)
}

// approveBy approves for a caller known by token, person or both. The run's
// starter may not approve it when the guard wants a distinct approver.
func (e *Engine) approveBy(ctx context.Context, runID, token, person, who, comment string) (store.RunRow, error) {
	r, w, err := e.waiting(ctx, runID)
	if err != nil {
		return store.RunRow{}, err
	}
	if err := e.mayApprove(r, w, token, person, who); err != nil {
		return store.RunRow{}, err
	}
	return e.approve(ctx, r, w, who, comment)
}

// waiting finds a run that waits for approval, and the wait: the run in
// flight here, or, when another replica runs it, as its row says.
func (e *Engine) waiting(ctx context.Context, runID string) (*run, *wait, error) {
	e.mu.Lock()
	r := e.active[runID]
	e.mu.Unlock()
	if r == nil {
		row, steps, err := e.d.Store.Run(ctx, runID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, errs.E(errs.NotFound, "no run %s", runID)
		}
		if err != nil {
			return nil, nil, errs.Wrap(errs.Internal, err, "reading run %s", runID)
		}
		if !e.clustered() {
			// The only process: a run not in flight here waits for nobody.
			return nil, nil, errs.E(errs.Conflict, "run %s is %s, not waiting for approval", runID, row.Status)
		}
		return e.storedWait(ctx, row, steps)
	}
	r.mu.Lock()
	w, st := r.pending, r.row.Status
	r.mu.Unlock()
	if w == nil && st == store.RunAwaiting {
		// Resumed after a restart, and not yet asking again.
		return nil, nil, errs.E(errs.Conflict, "run %s is about to ask for approval again; try again in a moment", runID)
	}
	if w == nil || st != store.RunAwaiting {
		return nil, nil, errs.E(errs.Conflict, "run %s is %s, not waiting for approval", runID, st)
	}
	return r, w, nil
}

// storedWait is the wait of a run that another replica runs (or that
// waits for a replica to take it over), made from its row: enough to check
// who may answer it, and to answer it in the store.
func (e *Engine) storedWait(ctx context.Context, row store.RunRow, steps []store.StepRow) (*run, *wait, error) {
	if row.Status != store.RunAwaiting {
		return nil, nil, errs.E(errs.Conflict, "run %s is %s, not waiting for approval", row.ID, row.Status)
	}
	e.mu.Lock()
	b := e.books[row.Runbook]
	e.mu.Unlock()
	if b == nil {
		return nil, nil, errs.E(errs.Conflict, "run %s: runbook %s is no longer configured", row.ID, row.Runbook)
	}
	r := &run{e: e, b: b, row: row, steps: map[string]map[string]any{}, starter: e.recoveredStarter(ctx, row),
		req: Request{Runbook: row.Runbook, Params: row.Params, Trigger: row.Trigger, TriggeredBy: row.TriggeredBy}}
	approvers := b.approvers()
	for _, st := range steps {
		if st.Status == "awaiting_approval" && st.Seq < len(b.steps) && b.steps[st.Seq].cfg.Approve != nil {
			approvers = b.steps[st.Seq].cfg.Approve.Approvers
		}
	}
	w := &wait{gen: row.WaitGen, approvers: approvers, answer: row.Answer.Answer, ch: make(chan approval, 1), expires: row.ApprovalExpiresAt}
	r.pending = w
	return r, w, nil
}

// approve hands the approval to wait w, if it is still the run's current
// wait and nobody approved or denied it first.
func (e *Engine) approve(ctx context.Context, r *run, w *wait, who, comment string) (store.RunRow, error) {
	return e.answer(ctx, r, w, approval{by: who, comment: comment})
}

// answer gives wait w its answer, approval or denial, if it is still the
// run's current wait and nobody answered it first. The answer is a row
// update, so it may come through any replica: the first one stored is
// the one; the run's runner acts on it (at once when it is this replica).
func (e *Engine) answer(ctx context.Context, r *run, w *wait, a approval) (store.RunRow, error) {
	r.mu.Lock()
	if r.pending != w || w.answer != "" {
		done := w.answer
		r.mu.Unlock()
		if done == "" {
			return store.RunRow{}, errs.E(errs.Conflict, "run %s is no longer waiting for this approval", r.row.ID)
		}
		return store.RunRow{}, errs.E(errs.Conflict, "run %s is already %s", r.row.ID, done)
	}
	row := r.row
	r.mu.Unlock()
	ans, action := "approved", "run.approved"
	if a.denied {
		ans, action = "denied", "run.denied"
	}
	ok, err := e.d.Store.AnswerRun(ctx, row.ID, w.gen, store.RunAnswer{Answer: ans, By: a.by, Note: a.comment})
	if err == nil && !ok && r.cancel != nil && r.isPending(w) {
		// In flight here, asking, and the row not stored yet as waiting:
		// store it, then answer.
		r.save(ctx)
		ok, err = e.d.Store.AnswerRun(ctx, row.ID, w.gen, store.RunAnswer{Answer: ans, By: a.by, Note: a.comment})
	}
	if err != nil {
		return store.RunRow{}, errs.Wrap(errs.Internal, err, "storing the answer to run %s", row.ID)
	}
	if !ok {
		if cur, _, err := e.d.Store.Run(ctx, row.ID); err == nil && cur.WaitGen == w.gen && cur.Answer.Answer != "" {
			return store.RunRow{}, errs.E(errs.Conflict, "run %s is already %s", row.ID, cur.Answer.Answer)
		}
		return store.RunRow{}, errs.E(errs.Conflict, "run %s is no longer waiting for this approval", row.ID)
	}
	r.deliver(w, ans, a)
	e.audit(ctx, a.by, action, row, a.comment)
	return row, nil
}

// isPending reports whether w is the run's current wait, unanswered.
func (r *run) isPending(w *wait) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending == w && w.answer == ""
}

// deliver hands a stored answer to wait w, if the run still waits there
// and has no answer yet.
func (r *run) deliver(w *wait, ans string, a approval) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending != w || w.answer != "" {
		return
	}
	w.answer = ans
	w.ch <- a // buffered; only one send per wait
}

// deliverStored hands the answer stored for the run's current wait to it.
func (r *run) deliverStored(gen int, a store.RunAnswer) {
	if a.Answer == "" {
		return
	}
	r.mu.Lock()
	w := r.pending
	r.mu.Unlock()
	if w == nil || w.gen != gen {
		return
	}
	r.deliver(w, a.Answer, approval{by: a.By, comment: a.Note, denied: a.Answer == "denied"})
}

func (e *Engine) isApprover(person string, approvers []string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range approvers {
		kind, id, _ := strings.Cut(a, "/")
		switch {
		case kind == "person" && id == person:
			return true
		case kind == "team" && slices.Contains(e.teams[id], person):
			return true
		}
	}
	return false
}

// Get returns a run with its steps: live when in flight, else from the store.
func (e *Engine) Get(ctx context.Context, id string) (store.RunRow, []store.StepRow, error) {
	row, steps, err := e.d.Store.Run(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return row, nil, errs.E(errs.NotFound, "no run %s", id)
	}
	if err != nil {
		return row, nil, errs.Wrap(errs.Internal, err, "reading run %s", id)
	}
	return row, steps, nil
}

// audit appends to the audit log; a failure is logged, not fatal.
func (e *Engine) audit(ctx context.Context, actor, action string, r store.RunRow, detail string) {
	if actor == "" {
		actor = "system"
	}
	row := store.AuditRow{At: e.d.Clock.Now(), Actor: actor, Action: action, Runbook: r.Runbook, RunID: r.ID, Detail: detail}
	if _, err := e.d.Store.AppendAudit(context.WithoutCancel(ctx), row); err != nil {
		e.d.Log.Error("runbook: writing the audit log failed", "action", action, "run", r.ID, "err", err)
	}
}

// Audit records an event that is not a run's, e.g. a config reload.
func (e *Engine) Audit(ctx context.Context, actor, action, detail string) {
	e.audit(ctx, actor, action, store.RunRow{}, detail)
}

// noteAlert adds an entry to the triggering alert's timeline.
func (e *Engine) noteAlert(r *run, kind, detail string) {
	if r.row.AlertID == 0 || e.d.Pager == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.d.Pager.Note(ctx, r.row.AlertID, kind, "runbook/"+r.b.cfg.ID, detail); err != nil {
		e.d.Log.Warn("runbook: noting a run on its alert failed", "alert", r.row.AlertID, "run", r.row.ID, "err", err)
	}
}

func formatParams(p map[string]string) string {
	keys := slices.Sorted(maps.Keys(p))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+p[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
