package pager

import (
	"context"
	"errors"
	"time"

	"github.com/vigil-sre/vigil/internal/cluster"
	"github.com/vigil-sre/vigil/internal/store"
)

// With Options.Lease the pager runs on one replica at a time: the lease's
// holder. On gaining the lease it recovers its state from the store, as at
// start-up; every commit carries the lease's fence, so a replica paused
// past its lease cannot write; on losing it (the lease's Lost, or a commit
// refused as fenced) it drops its state and timers at once. A request taken
// while another replica holds the lease goes through the inbox (inbox.go).

// errNotLeader answers a request the loop did not serve because this
// replica does not hold the pager's lease; the caller sends it through the
// inbox instead. Nothing of it was stored.
var errNotLeader = errors.New("pager: this replica does not hold the pager's lease")

// leadTerm marks the loop as serving requests.
type leadTerm struct{ fence store.Fence }

func (p *Pager) runLeased(ctx context.Context) error {
	for {
		t, ok := p.awaitTerm(ctx)
		if !ok {
			return nil
		}
		p.fence, p.fenced = t.Fence, false
		if err := p.begin(ctx, t.Lost); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			p.opt.Lease.StepDown(t.Fence)
			continue
		}
		if cfg := p.latestCfg.Load(); cfg != nil && cfg != p.applied {
			if err := p.reload(cfg); err != nil {
				p.opt.Log.Error("pager: applying the latest config on taking the lease failed", "err", err)
			}
		}
		if ovs := p.latestOvs.Load(); ovs != nil {
			p.useOverrides(*ovs, p.opt.Clock.Now())
		}
		p.term.Store(&leadTerm{fence: t.Fence})
		p.opt.Log.Info("pager: this replica holds the pager's lease", "epoch", t.Fence.Epoch)
		p.serveInbox(ctx)
		p.loop(ctx, t.Lost)
		p.stepDown(ctx)
		if ctx.Err() != nil {
			p.drain(ctx.Err())
			return nil
		}
	}
}

// awaitTerm waits for the lease, answering requests meanwhile with
// errNotLeader so their callers use the inbox.
func (p *Pager) awaitTerm(ctx context.Context) (cluster.Term, bool) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	got := make(chan cluster.Term, 1)
	go func() {
		if t, err := p.opt.Lease.Wait(wctx); err == nil {
			got <- t
		}
	}()
	for {
		select {
		case <-ctx.Done():
			p.drain(ctx.Err())
			return cluster.Term{}, false
		case t := <-got:
			return t, true
		case r := <-p.reqs:
			r.reply <- reply{err: errNotLeader}
		}
	}
}

// stepDown drops everything the term held in memory: the next holder
// recovers it from the store.
func (p *Pager) stepDown(ctx context.Context) {
	p.term.Store(nil)
	if ctx.Err() == nil {
		p.opt.Lease.StepDown(p.fence) // on a shutdown the node releases it
	}
	p.refuseQueued()
	p.alerts, p.open, p.groups, p.timers = map[int64]*alertState{}, map[string]*alertState{}, map[string]*group{}, nil
	p.invalidateInhibition()
	p.failures, p.retryAt = 0, time.Time{}
	p.count.Store(0)
	if ctx.Err() == nil {
		p.opt.Log.Warn("pager: stepped down; another replica runs the pager", "epoch", p.fence.Epoch)
	}
}

// refuseQueued answers the requests waiting for the loop with
// errNotLeader; their callers use the inbox.
func (p *Pager) refuseQueued() {
	for {
		select {
		case r := <-p.reqs:
			r.reply <- reply{err: errNotLeader}
		default:
			return
		}
	}
}

// callLeased serves r here while this replica holds the lease, and through
// the inbox otherwise (or when the term ends before r is served).
func (p *Pager) callLeased(ctx context.Context, r *request) reply {
	if p.term.Load() != nil {
		rep := p.callLoop(ctx, r)
		if !errors.Is(rep.err, errNotLeader) {
			return rep
		}
		r.reply = make(chan reply, 1)
	}
	if r.cfg != nil || r.ovs != nil || r.sil != nil {
		// Kept for when a term starts here (latestCfg, latestOvs; silences
		// are read from the store then).
		return reply{}
	}
	return p.viaInbox(ctx, r)
}

// Signals the pager's holder acts on.
const (
	SignalSilences  = "silences"
	SignalOverrides = "overrides"
)
