package pager

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// The loop applies the requests that arrive while a change commits to the
// next change, and commits that one as soon as the first is done: a commit
// is most of the loop's time under a stream of alerts, and the requests
// waiting on it no longer wait for their own change to be made as well
// (BENCHMARKS.md, "Eleventh round"). One change commits at a time, in
// order. The next is made on top of the committing one, as if the two were
// one batch, and is written only after it: when a commit fails, the change
// made on top of it is put back too, and its callers are told nothing was
// recorded.

// pending is a change being made or committed, with the requests it
// answers.
type pending struct {
	c       *change
	saved   saved
	now     time.Time
	batch   []*request
	replies []reply
	popped  []timer          // due work run in the change
	b       store.AlertBatch // what is written, once sealed
	done    chan committed   // the commit's outcome; nil when it wrote nothing
}

// committed is how a commit went.
type committed struct {
	durable store.Durable
	err     error
	took    time.Duration
}

// openChange starts a change at now.
func (p *Pager) openChange(now time.Time) *pending {
	return &pending{c: p.nextChange(), saved: p.save(), now: now}
}

// apply makes the batch's requests part of the change.
func (p *Pager) apply(pd *pending, batch []*request) {
	c, now := pd.c, pd.now
	for _, r := range batch {
		var rep reply
		switch {
		case r.ctx.Err() != nil:
			rep.err = r.ctx.Err()
		case r.cfg != nil:
			rep.err = p.reload(r.cfg)
		case r.sil != nil:
			p.silences = r.sil
			p.resuppress(c, now)
		case r.ovs != nil:
			p.useOverrides(*r.ovs, now)
		case r.op != nil:
			rep.outcomes, rep.err = p.operate(c, r.op, now)
		default:
			rep.outcomes = p.ingest(c, r.events, r.prep, now)
		}
		pd.batch, pd.replies = append(pd.batch, r), append(pd.replies, rep)
	}
}

// seal ends the change: the inbox messages it applied are marked done in
// it, and work that fell due meanwhile rides in it.
func (p *Pager) seal(pd *pending) {
	for i, r := range pd.batch {
		if r.inbox != 0 {
			pd.c.inbox = append(pd.c.inbox, store.InboxOutcome{ID: r.inbox, Outcome: encodeOutcome(pd.replies[i])})
		}
	}
	if !pd.now.Before(p.retryAt) {
		pd.popped = p.runDue(pd.c, pd.now)
	}
}

// launch commits a sealed change in the background, and reports whether it
// did; a change that writes nothing, or failed while being made, is done at
// once (finish it with settled).
func (p *Pager) launch(pd *pending) bool {
	if pd.c.err != nil || pd.c.empty() {
		return false
	}
	pd.b = pd.c.batch()
	pd.b.Fence, pd.b.Inbox = p.fence, pd.c.inbox
	pd.done = make(chan committed, 1)
	go func(b store.AlertBatch) {
		sw := clock.Start()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		durable, err := p.commitAlerts(ctx, b)
		pd.done <- committed{durable: durable, err: err, took: sw.Elapsed()}
	}(pd.b)
	return true
}

// settled is the outcome of a change launch did not commit.
func (p *Pager) settled(pd *pending) committed {
	if pd.c.err != nil {
		return committed{err: pd.c.err}
	}
	// Nothing to write, but what the replies say may rest on the last
	// commit, which may not be on disk yet.
	return committed{durable: p.lastDurable}
}

// commitNow seals pd, commits it and waits for the commit.
func (p *Pager) commitNow(pd *pending) committed {
	p.seal(pd)
	if !p.launch(pd) {
		return p.settled(pd)
	}
	return <-pd.done
}

// finish answers a change's callers once its commit is done. next, when
// not nil, is the change made on top of it meanwhile: a failed commit puts
// it back first.
func (p *Pager) finish(pd *pending, res committed, next *pending) {
	defer p.reuse(pd.c)
	if pd.done != nil {
		p.opt.Metrics.observeCommit(len(pd.b.Alerts)+len(pd.b.Repeats), res.took, res.err)
	}
	if res.err != nil {
		if next != nil {
			p.abandon(next)
		}
		p.failed(pd.c, pd.saved, pd.popped, pd.now, res.err)
		p.refuse(pd, res.err)
	} else if pd.done != nil {
		var later *change
		if next != nil {
			later = next.c
		}
		p.afterCommit(pd, res.durable, later)
	}
	withDurable(pd.replies, res.durable)
	for i, r := range pd.batch {
		r.reply <- pd.replies[i]
	}
}

// abandon puts back a change made on top of one whose commit failed and
// answers its callers: nothing of it was written.
func (p *Pager) abandon(pd *pending) {
	defer p.reuse(pd.c)
	pd.c.rollback()
	p.ids, p.handoffs, p.nextHand = pd.saved.ids, pd.saved.handoffs, pd.saved.nextHand
	p.refuse(pd, errAbandoned)
	for i, r := range pd.batch {
		r.reply <- pd.replies[i]
	}
}

// errAbandoned is why a change made on top of a failed commit was not
// written.
var errAbandoned = errors.New("the change before it could not be stored")

// refuse tells the callers of a change that was not written so; a new
// config, silences or overrides apply in memory whatever the store says.
func (p *Pager) refuse(pd *pending, err error) {
	for i, r := range pd.batch {
		if pd.replies[i].err != nil || r.cfg != nil || r.sil != nil || r.ovs != nil {
			continue
		}
		pd.replies[i] = reply{err: errs.Wrap(errs.Unavailable, err, "could not store the change; nothing was recorded")}
		if p.fenced {
			pd.replies[i].err = errNotLeader
		}
	}
}

// afterCommit does what follows a commit: the stored text leaves memory,
// resolved alerts nobody waits on are forgotten, and those who wait on the
// commit are told. Alerts the later change touched keep their text until
// that one commits: it may have changed it.
func (p *Pager) afterCommit(pd *pending, durable store.Durable, later *change) {
	c, b := pd.c, pd.b
	p.failures, p.retryAt = 0, time.Time{}
	p.lastDurable = durable
	for id, a := range c.alerts {
		if later != nil && later.alerts[id] != nil {
			continue
		}
		p.unload(a, c.fresh[id].text)
	}
	p.forgetDone(c, later)
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
}

// flow is the loop's changes in flight: the one committing and the one
// being made on top of it.
type flow struct {
	committing, next *pending
}

// done is where the committing change's outcome arrives; nil (never ready)
// when none commits.
func (f *flow) done() <-chan committed {
	if f.committing == nil {
		return nil
	}
	return f.committing.done
}

// take applies a batch of requests: to a change committed at once when
// none commits, else to the next change.
func (p *Pager) take(f *flow, batch []*request) {
	now := p.opt.Clock.Now()
	if f.committing != nil {
		if f.next == nil {
			f.next = p.openChange(now)
		}
		p.apply(f.next, batch)
		return
	}
	pd := p.openChange(now)
	p.apply(pd, batch)
	p.commitNext(f, pd)
}

// commitNext seals pd and starts its commit, finishing it at once when it
// writes nothing.
func (p *Pager) commitNext(f *flow, pd *pending) {
	p.seal(pd)
	if p.launch(pd) {
		f.committing = pd
		return
	}
	p.finish(pd, p.settled(pd), nil)
}

// landed finishes the committing change and starts the next.
func (p *Pager) landed(f *flow, res committed) {
	pd, next := f.committing, f.next
	f.committing, f.next = nil, nil
	p.finish(pd, res, next)
	if res.err != nil || next == nil {
		return // a failed commit abandoned next
	}
	p.commitNext(f, next)
}

// settle waits until nothing is in flight.
func (p *Pager) settle(f *flow) {
	for f.committing != nil {
		p.landed(f, <-f.committing.done)
	}
}
