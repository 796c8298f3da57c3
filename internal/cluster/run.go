package cluster

import (
	"context"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// Join beats once and tries every lease once, so a replica alone on its
// database holds its leases before it serves its first request.
func (n *Node) Join(ctx context.Context) error {
	if n.single {
		return nil
	}
	if err := n.beat(ctx); err != nil {
		return err
	}
	n.tendAll(ctx)
	return nil
}

// Run beats and tends the leases until ctx ends, then releases the leases
// it holds. A single node returns at once.
func (n *Node) Run(ctx context.Context) {
	if n.single {
		return
	}
	t := n.rt.NewTicker(n.opt.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			for _, l := range n.allLeases() {
				l.release(rctx)
			}
			cancel()
			return
		case <-t.Chan():
		}
		// Leases first: their renewal is what must not be late. Each step
		// is bounded, so a hung connection cannot keep a lease held past
		// its TTL.
		n.tendAll(ctx)
		bctx, cancel := context.WithTimeout(ctx, n.opt.LeaseTTL/2)
		if err := n.beat(bctx); err != nil && ctx.Err() == nil {
			n.opt.Log.Warn("cluster: heartbeat failed", "err", err)
		}
		cancel()
	}
}

// tendAll tends the module leases one by one and the shards together, each
// step bounded by a third of the TTL, so a hung connection cannot keep a
// lease held past it.
func (n *Node) tendAll(ctx context.Context) {
	n.mu.Lock()
	shards := n.shards
	n.mu.Unlock()
	for _, l := range n.allLeases() {
		if l.group != "" {
			continue
		}
		tctx, cancel := context.WithTimeout(ctx, n.opt.LeaseTTL/3)
		l.tend(tctx)
		cancel()
	}
	if shards != nil {
		tctx, cancel := context.WithTimeout(ctx, n.opt.LeaseTTL/3)
		shards.tend(tctx)
		cancel()
	}
}

func (n *Node) beat(ctx context.Context) error {
	hb, err := n.opt.Store.Beat(ctx, n.member(), n.opt.LeaseTTL)
	if err != nil {
		return err
	}
	if hb.Gone {
		// Declared gone while paused: its leases were free to take. Come
		// back as a new member; any term still held is stale.
		n.opt.Log.Warn("cluster: this replica was declared gone (paused or cut off); rejoining as a new member")
		for _, l := range n.allLeases() {
			l.lose()
		}
		n.mu.Lock()
		n.id = n.opt.Name + "-" + randomSuffix()
		n.mu.Unlock()
		if hb, err = n.opt.Store.Beat(ctx, n.member(), n.opt.LeaseTTL); err != nil {
			return err
		}
	}
	n.mu.Lock()
	// A newer version migrated the database past what this build knows:
	// it keeps serving requests but leads nothing (a rolling upgrade moves
	// the work to the new replicas).
	n.behind = hb.Schema > store.SchemaVersion()
	n.view = View{Now: hb.Now, Members: hb.Members, Leases: hb.Leases, Schema: hb.Schema}
	var moved []string
	if n.signals != nil {
		for name, gen := range hb.Signals {
			if n.signals[name] != gen {
				moved = append(moved, name)
			}
		}
	}
	n.signals = hb.Signals
	n.mu.Unlock()
	if n.opt.OnSignal != nil {
		for _, name := range moved {
			// Not on the heartbeat's goroutine: a slow reload must not
			// delay the renewal of a lease.
			go n.opt.OnSignal(name)
		}
	}
	return nil
}
