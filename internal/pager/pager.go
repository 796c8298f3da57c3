// Package pager turns events into alerts and alerts into pages. One
// goroutine owns every open alert, notification group and escalation timer;
// it deduplicates events into alerts, routes them (Alertmanager's tree,
// silences, inhibition, maintenance, time intervals), groups them, climbs
// escalation policies while nobody acknowledges, and writes the notifications
// it decides on to the outbox, all in the same transaction as the change that
// caused them. A caller is answered only after that transaction commits, so
// an event that got a 2xx is on disk, and so is every page it will cause.
package pager

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/cluster"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/route"
	"github.com/vigil-sre/vigil/internal/store"
)

// Options configure a Pager.
type Options struct {
	Clock   clock.Clock
	Store   *store.Store
	Log     *slog.Logger
	Links   *Links   // signs ack and resolve links
	Metrics *Metrics // nil records nothing
	// Notify is called after a commit that added notifications, so the outbox
	// sends them at once.
	Notify func()
	// Fired, when set, is told of the alerts a commit opened (runbook
	// triggers). It is called on the pager's goroutine and must not block
	// or keep the list, which the next commit reuses.
	Fired func([]store.AlertRow)
	// Overrides are the on-call overrides made at run time, in force from
	// the start; SetOverrides replaces them.
	Overrides []oncall.Override
	// Live, when set, says what raised an open alert says now (for a check:
	// its state and reason), so a page written minutes after the alert
	// opened tells the current reason, not the first one. It is called on
	// the pager's goroutine and must not block.
	Live func(store.AlertRow) (state, reason string, ok bool)
	// Reopen, when set, is told of check alerts resolved by hand while their
	// check still fails (per Live), after the commit: the check's next
	// failing result should open a new alert. It is called on the pager's
	// goroutine and must not block.
	Reopen func([]store.AlertRow)
	// Lease, when set, makes the pager a leased module: it runs while this
	// replica holds the lease, and a request taken while another replica
	// does is committed to the store's inbox for the holder to apply. Nil
	// runs it always (a single node).
	Lease *cluster.Lease
	// Broadcast, when set, tells the other replicas that the store's
	// silences or overrides changed (SignalSilences, SignalOverrides), so
	// the holder of the lease reads them again.
	Broadcast func(ctx context.Context, name string) error
	// Sender names this replica on the inbox messages it writes.
	Sender string
	// InboxWait bounds how long a request committed to the inbox waits
	// for the holder's outcome before it is answered as queued.
	InboxWait time.Duration
}

// Outcome is what became of one event.
type Outcome struct {
	AlertID  int64        `json:"alert_id,omitempty"`
	DedupKey string       `json:"dedup_key"`
	Status   alert.Status `json:"status,omitempty"`
	New      bool         `json:"new,omitempty"`
	// Ignored is set for an acknowledge or resolve about no open alert, which
	// is accepted and does nothing, as PagerDuty does.
	Ignored bool `json:"ignored,omitempty"`
	// Queued is set when the request is stored but not applied yet: it
	// waits in the inbox for the replica that runs the pager.
	Queued bool `json:"queued,omitempty"`
}

// Pager owns the alerts. Its methods are safe for concurrent use; they hand
// work to the pager's goroutine and wait for the commit.
type Pager struct {
	opt  Options
	reqs chan *request
	// spare is the last change, emptied for the next (see reuse).
	spare *change
	ready chan struct{}
	// readyOnce closes ready after the first recovery.
	readyOnce sync.Once
	rt        clock.Clock // real time, for polling the inbox
	// term is the current term while leased and leading; nil otherwise.
	term atomic.Pointer[leadTerm]
	// inboxWake and doneWake are hints that the inbox has work, and that
	// outcomes were written.
	inboxWake chan struct{}
	doneMu    sync.Mutex
	doneWake  chan struct{}
	// latestCfg and latestOvs are what Reload and SetOverrides were last
	// given, applied when a term starts.
	latestCfg atomic.Pointer[config.Config]
	latestOvs atomic.Pointer[[]oncall.Override]
	count     atomic.Int64 // open alerts, published after each commit

	// Everything below is owned by the loop goroutine.
	w        *world
	alerts   map[int64]*alertState
	open     map[string]*alertState // by dedup key
	groups   map[string]*group
	silences route.Silences
	timers   agenda
	ids      struct{ alert, log, note int64 }
	handoffs time.Time      // handoffs notified up to here
	nextHand time.Time      // the one handoff timer that counts; others are stale
	inhibit  inhibitState   // the inhibition index over the firing alerts
	failures int            // commits failed in a row
	fence    store.Fence    // the lease the commits are made under
	fenced   bool           // a commit found the lease gone: step down
	applied  *config.Config // the config the world was built from
	pruned   time.Time      // when the inbox was last pruned (real clock)
	retryAt  time.Time      // after a failed commit, due work waits until then
	// lastDurable waits for the last commit to be on disk: a reply that
	// wrote nothing may still tell of it.
	lastDurable store.Durable
	// wake wakes the outbox once a commit with notifications is on disk.
	wake outboxWake

	// overrides are the run-time on-call overrides, kept across reloads.
	overrides []oncall.Override
	annSeed   maphash.Seed // hashes stored annotations (annotations.go)
}

type request struct {
	ctx    context.Context
	events []alert.Event
	prep   []prepared // what prepare made of events; nil from the inbox
	op     *opRequest
	cfg    *config.Config
	sil    route.Silences
	ovs    *[]oncall.Override
	reply  chan reply
	// inbox is the inbox message the request came from (on the lease
	// holder); 0 for a request taken here.
	inbox int64
}

type opRequest struct {
	id       int64
	action   alert.Action
	by       string
	note     *store.AlertLog // add to an alert's timeline
	announce *Announcement
}

type reply struct {
	outcomes []Outcome
	err      error
	// durable, when set, waits until the commit that made the reply is
	// on disk; the caller waits on it before answering (see callLoop).
	durable store.Durable
}

// maxBatch bounds the requests one transaction serves.
const maxBatch = 256

// New makes a pager for cfg; call Run to start it.
func New(opt Options, cfg *config.Config) (*Pager, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	w, err := newWorld(cfg, opt.Log)
	if err != nil {
		return nil, err
	}
	w.dir = w.onCall.WithOverrides(opt.Overrides)
	return &Pager{
		opt: opt, w: w, reqs: make(chan *request, 1024), ready: make(chan struct{}), applied: cfg,
		rt: clock.Real(), inboxWake: make(chan struct{}, 1), doneWake: make(chan struct{}),
		alerts: map[int64]*alertState{}, open: map[string]*alertState{}, groups: map[string]*group{},
		overrides: slices.Clone(opt.Overrides), annSeed: maphash.MakeSeed(), wake: outboxWake{notify: opt.Notify},
	}, nil
}

// Run loads what is in flight from the store and serves until ctx ends.
// While the store cannot be read it keeps trying, and callers wait. With
// Options.Lease it serves only while this replica holds the lease (see
// lead.go).
func (p *Pager) Run(ctx context.Context) error {
	if p.opt.Lease != nil {
		return p.runLeased(ctx)
	}
	if err := p.begin(ctx, nil); err != nil {
		return err
	}
	p.loop(ctx, nil)
	return nil
}

// begin recovers the state from the store, retrying until it can or ctx
// or the term (lost) ends.
func (p *Pager) begin(ctx context.Context, lost <-chan struct{}) error {
	for delay := time.Second; ; delay = min(2*delay, maxRetryDelay) {
		err := p.recover(ctx)
		if err == nil {
			break
		}
		p.opt.Log.Error("pager: loading alerts from the store failed; retrying", "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("pager: recovering alerts: %w", err)
		case <-lost:
			return errNotLeader
		case <-p.opt.Clock.After(delay):
		}
	}
	p.handoffs = p.opt.Clock.Now()
	p.scheduleHandoff(p.handoffs)
	p.count.Store(int64(len(p.open)))
	p.readyOnce.Do(func() { close(p.ready) })
	return nil
}

// loop serves requests, due timers and (when leased) the inbox until ctx
// ends or the term does.
func (p *Pager) loop(ctx context.Context, lost <-chan struct{}) {
	wake := p.opt.Clock.NewTimer(time.Hour)
	defer wake.Stop()
	var poll <-chan time.Time
	if p.opt.Lease != nil {
		t := p.rt.NewTicker(inboxPoll)
		defer t.Stop()
		poll = t.Chan()
	}
	for !p.fenced {
		p.resetTimer(wake)
		select {
		case <-ctx.Done():
			p.drain(ctx.Err())
			return
		case <-lost:
			return
		case r := <-p.reqs:
			batch := []*request{r}
		more:
			for len(batch) < maxBatch {
				select {
				case r := <-p.reqs:
					batch = append(batch, r)
				default:
					break more
				}
			}
			p.serve(batch)
		case <-wake.Chan():
			p.tick()
		case <-p.inboxWake:
			p.serveInbox(ctx)
		case <-poll:
			p.serveInbox(ctx)
		}
	}
}

func (p *Pager) resetTimer(t clock.Timer) {
	next := p.timers.next()
	d := time.Hour
	if !next.IsZero() {
		if next.Before(p.retryAt) {
			next = p.retryAt
		}
		d = max(0, next.Sub(p.opt.Clock.Now()))
	}
	t.Reset(d)
}

// drain answers requests that will not be served.
func (p *Pager) drain(err error) {
	for {
		select {
		case r := <-p.reqs:
			r.reply <- reply{err: errs.Wrap(errs.Unavailable, err, "shutting down")}
		default:
			return
		}
	}
}

// serve applies a batch of requests and commits them together.
func (p *Pager) serve(batch []*request) {
	now := p.opt.Clock.Now()
	c, saved := p.nextChange(), p.save()
	defer p.reuse(c)
	replies := make([]reply, len(batch))
	for i, r := range batch {
		if r.ctx.Err() != nil {
			replies[i].err = r.ctx.Err()
			continue
		}
		switch {
		case r.cfg != nil:
			replies[i].err = p.reload(r.cfg)
		case r.sil != nil:
			p.silences = r.sil
			p.resuppress(c, now)
		case r.ovs != nil:
			p.useOverrides(*r.ovs, now)
		case r.op != nil:
			replies[i].outcomes, replies[i].err = p.operate(c, r.op, now)
		default:
			replies[i].outcomes = p.ingest(c, r.events, r.prep, now)
		}
	}
	for i, r := range batch {
		if r.inbox != 0 {
			c.inbox = append(c.inbox, store.InboxOutcome{ID: r.inbox, Outcome: encodeOutcome(replies[i])})
		}
	}
	// Work that fell due meanwhile rides in the same transaction.
	var popped []timer
	if !now.Before(p.retryAt) {
		popped = p.runDue(c, now)
	}
	durable, err := p.commit(c)
	if err != nil {
		p.failed(c, saved, popped, now, err)
		if p.fenced {
			err = errNotLeader
		}
		for i, r := range batch {
			// A new config, silences or overrides apply in memory whatever
			// the store says.
			if replies[i].err == nil && r.cfg == nil && r.sil == nil && r.ovs == nil {
				replies[i] = reply{err: errs.Wrap(errs.Unavailable, err, "could not store the change; nothing was recorded")}
				if p.fenced {
					replies[i].err = errNotLeader
				}
			}
		}
	}
	withDurable(replies, durable)
	for i, r := range batch {
		r.reply <- replies[i]
	}
}

// withDurable has the successful replies wait for durable, the commit's.
func withDurable(replies []reply, durable store.Durable) {
	for i := range replies {
		if replies[i].err == nil {
			replies[i].durable = durable
		}
	}
}

// tick runs the timers that are due.
func (p *Pager) tick() {
	now := p.opt.Clock.Now()
	if now.Before(p.retryAt) {
		return
	}
	c, saved := p.nextChange(), p.save()
	defer p.reuse(c)
	popped := p.runDue(c, now)
	if _, err := p.commit(c); err != nil {
		p.failed(c, saved, popped, now, err)
	}
}

// saved is what a failed commit puts back besides the change's own undo.
type saved struct {
	ids      struct{ alert, log, note int64 }
	handoffs time.Time
	nextHand time.Time
}

func (p *Pager) save() saved { return saved{ids: p.ids, handoffs: p.handoffs, nextHand: p.nextHand} }

// maxRetryDelay bounds the wait between attempts after store failures.
const maxRetryDelay = 30 * time.Second

// failed puts memory back after a commit the store refused, puts the due
// work it consumed back on the agenda after a backoff, and reloads the state
// from the store: the commit may have applied after all (a timeout during
// COMMIT), and the store is what survives a crash, so it is the truth.
func (p *Pager) failed(c *change, sv saved, popped []timer, now time.Time, err error) {
	c.rollback()
	p.ids, p.handoffs, p.nextHand = sv.ids, sv.handoffs, sv.nextHand
	if errors.Is(err, store.ErrFenced) {
		// Another replica holds the pager now: nothing here counts any more.
		p.opt.Log.Warn("pager: the lease is gone; stepping down", "epoch", p.fence.Epoch)
		p.fenced = true
		if p.opt.Lease != nil {
			p.opt.Lease.StepDown(p.fence)
		}
		return
	}
	p.invalidateInhibition()
	p.failures++
	delay := min(time.Second<<min(p.failures-1, 5), maxRetryDelay)
	p.retryAt = now.Add(delay)
	p.opt.Log.Error("pager: storing alert changes failed; due work is retried", "retry_in", delay, "err", err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if rerr := p.resync(ctx); rerr != nil {
		p.opt.Log.Error("pager: reloading alerts after a failed commit failed; keeping the state from before it", "err", rerr)
		for _, t := range popped {
			if t.kind != handoffTimer {
				t.at = p.retryAt
				p.timers.add(t)
			}
		}
	}
	for _, t := range popped {
		if t.kind == handoffTimer {
			p.scheduleHandoffAt(p.retryAt)
			break
		}
	}
}

// resync replaces the in-memory state with what the store holds.
func (p *Pager) resync(ctx context.Context) error {
	alerts, open, groups, timers, ids := p.alerts, p.open, p.groups, p.timers, p.ids
	p.alerts, p.open, p.groups, p.timers = map[int64]*alertState{}, map[string]*alertState{}, map[string]*group{}, nil
	p.invalidateInhibition()
	if err := p.recover(ctx); err != nil {
		p.alerts, p.open, p.groups, p.timers, p.ids = alerts, open, groups, timers, ids
		return err
	}
	if !p.nextHand.IsZero() {
		p.scheduleHandoffAt(p.nextHand)
	}
	p.count.Store(int64(len(p.open)))
	return nil
}

func (p *Pager) commit(c *change) (store.Durable, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.empty() {
		// Nothing to write, but what the replies say may rest on the
		// last commit, which may not be on disk yet.
		return p.lastDurable, nil
	}
	sw := clock.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := c.batch()
	b.Fence, b.Inbox = p.fence, c.inbox
	// The loop goes on to the next change as soon as this one is
	// committed; its callers are answered once it is on disk.
	durable, err := p.opt.Store.CommitAlerts(ctx, b)
	p.opt.Metrics.observeCommit(len(b.Alerts)+len(b.Repeats), sw.Elapsed(), err)
	if err != nil {
		return nil, err
	}
	p.failures, p.retryAt = 0, time.Time{}
	p.lastDurable = durable
	for _, a := range c.alerts {
		p.unload(a, c.fresh[a.row.ID].text)
	}
	p.forgetDone(c)
	p.count.Store(int64(len(p.open)))
	if len(c.notes) > 0 && p.opt.Notify != nil {
		p.wake.after(durable) // the outbox is woken once the change is on disk
	}
	if len(c.fresh) > 0 && p.opt.Fired != nil {
		// As committed, in the order they opened (WriteAlerts sorts by id);
		// the batch is not used again, so they are picked out in place.
		p.opt.Fired(slices.DeleteFunc(b.Alerts, func(r store.AlertRow) bool { return r.Fired.ID == 0 }))
	}
	c.rows, c.memberRows = b.Alerts, b.Members // their room, for the next change (reuse)
	if len(c.reopen) > 0 && p.opt.Reopen != nil {
		p.opt.Reopen(c.reopen)
	}
	return durable, nil
}

// call hands a request to the loop and waits for its reply; with a lease
// held elsewhere, it goes through the inbox.
func (p *Pager) call(ctx context.Context, r *request) reply {
	r.ctx = ctx
	r.reply = make(chan reply, 1)
	if p.opt.Lease != nil {
		return p.callLeased(ctx, r)
	}
	select {
	case <-p.ready:
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	}
	return p.callLoop(ctx, r)
}

func (p *Pager) callLoop(ctx context.Context, r *request) reply {
	if r.events != nil && r.prep == nil {
		r.prep = p.prepare(r.events) // here, not in the loop: see prepare.go
	}
	select {
	case p.reqs <- r:
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	}
	select {
	case rep := <-r.reply:
		if rep.durable == nil {
			return rep
		}
		if err := rep.durable(); err != nil {
			// The store logged it; the sender must not count on the change.
			return reply{err: errs.Wrap(errs.Unavailable, err, "the change was committed but could not be synced to disk; send it again")}
		}
		return rep
	case <-ctx.Done():
		// The loop may still commit it; the caller is told it is unknown.
		return reply{err: ctx.Err()}
	}
}

// Open is the number of open alerts as of the last commit.
func (p *Pager) Open() int {
	if p == nil {
		return 0
	}
	return int(p.count.Load())
}

// Ingest records events. It returns once they are stored, with what became
// of each.
func (p *Pager) Ingest(ctx context.Context, events []alert.Event) ([]Outcome, error) {
	rep := p.call(ctx, &request{events: events})
	return rep.outcomes, rep.err
}

// Acknowledge stops an alert's escalation. It returns an errs.NotFound error
// for an unknown alert and errs.Conflict for a resolved one.
func (p *Pager) Acknowledge(ctx context.Context, id int64, by string) (Outcome, error) {
	return p.operateCall(ctx, id, alert.Acknowledge, by)
}

// Resolve closes an alert. It returns errs.NotFound for an unknown alert and
// errs.Conflict for one already resolved.
func (p *Pager) Resolve(ctx context.Context, id int64, by string) (Outcome, error) {
	return p.operateCall(ctx, id, alert.Resolve, by)
}

func (p *Pager) operateCall(ctx context.Context, id int64, a alert.Action, by string) (Outcome, error) {
	rep := p.call(ctx, &request{op: &opRequest{id: id, action: a, by: by}})
	if rep.err != nil {
		return Outcome{}, rep.err
	}
	return rep.outcomes[0], nil
}

// Check reports whether Reload would accept cfg, without applying it.
func (p *Pager) Check(cfg *config.Config) error {
	_, err := newWorld(cfg, p.opt.Log)
	return err
}

// Reload applies a new config: routes, policies, people and channels.
func (p *Pager) Reload(ctx context.Context, cfg *config.Config) error {
	p.latestCfg.Store(cfg)
	return p.call(ctx, &request{cfg: cfg}).err
}

// SetSilences replaces the silences in force, after a change in the store;
// other replicas are told (Options.Broadcast), so the one running the
// pager reads them again.
func (p *Pager) SetSilences(ctx context.Context, s route.Silences) error {
	if err := p.UseSilences(ctx, s); err != nil {
		return err
	}
	if p.opt.Broadcast != nil {
		return p.opt.Broadcast(ctx, SignalSilences)
	}
	return nil
}

// UseSilences replaces the silences in force, telling nobody.
func (p *Pager) UseSilences(ctx context.Context, s route.Silences) error {
	if s == nil {
		s = route.Silences{}
	}
	return p.call(ctx, &request{sil: s}).err
}

var errUnknownAlert = errors.New("unknown alert")
