package cluster

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// Lease is this replica's hold on one module. A module waits for a term
// (Wait), does its work while the term lasts, writes with the term's Fence,
// and stops at once when the term's Lost channel closes or a write comes
// back store.ErrFenced (then it calls StepDown).
type Lease struct {
	n       *Node
	module  string
	version int

	mu       sync.Mutex
	term     *term
	gained   chan struct{} // closed when a term starts; replaced when it ends
	renewed  time.Time     // when the last successful renewal was sent (real clock)
	takeover int64         // terms this replica began

	// group, want and moved are set for the leases of a shard set: group
	// names the set ("checks"), want says whether this replica should hold
	// the lease now, and moved is called whenever a term starts or ends.
	group string
	want  func() bool
	moved func()
	// handing is a term ended here but not yet released in the database:
	// a shard handed over stops at once here, and is released at the next
	// heartbeat, once the results written under it have landed.
	handing *store.Fence
}

type term struct {
	fence store.Fence
	lost  chan struct{}
}

// Term is one uninterrupted hold on a lease.
type Term struct {
	// Fence goes with every write made under the lease.
	Fence store.Fence
	// Lost closes when the term ends: the lease expired, was taken or
	// released, or a fenced write found it gone.
	Lost <-chan struct{}
}

func newLease(n *Node, module string, version int) *Lease {
	return &Lease{n: n, module: module, version: version, gained: make(chan struct{})}
}

// Module is the lease's module name.
func (l *Lease) Module() string { return l.module }

// Wait blocks until this replica holds the lease, and returns the term.
func (l *Lease) Wait(ctx context.Context) (Term, error) {
	for {
		l.mu.Lock()
		t, gained := l.term, l.gained
		l.mu.Unlock()
		if t != nil {
			return Term{Fence: t.fence, Lost: t.lost}, nil
		}
		select {
		case <-ctx.Done():
			return Term{}, ctx.Err()
		case <-gained:
		}
	}
}

// Held reports whether this replica holds the lease now, and its fence.
func (l *Lease) Held() (store.Fence, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term == nil {
		return store.Fence{}, false
	}
	return l.term.fence, true
}

// StepDown ends the term fenced by f, if it is the current one: a write
// under it found the lease gone. A single node never steps down.
func (l *Lease) StepDown(f store.Fence) {
	if l.n.single {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term != nil && l.term.fence == f {
		l.endLocked()
	}
}

func (l *Lease) gain(f store.Fence) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term != nil {
		l.endLocked()
	}
	l.term = &term{fence: f, lost: make(chan struct{})}
	l.takeover++
	close(l.gained)
	if l.moved != nil {
		l.moved()
	}
}

func (l *Lease) lose() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term != nil {
		l.endLocked()
	}
}

func (l *Lease) endLocked() {
	l.n.opt.Log.Warn("cluster: lease lost; stepping down", "module", l.module, "epoch", l.term.fence.Epoch)
	l.closeLocked()
}

// closeLocked ends the current term.
func (l *Lease) closeLocked() {
	close(l.term.lost)
	l.term = nil
	l.gained = make(chan struct{})
	if l.moved != nil {
		l.moved()
	}
}

// tend renews a held lease or tries to take a free one.
func (l *Lease) tend(ctx context.Context) {
	n := l.n
	f, held := l.Held()
	sent := n.rt.Now()
	ttl := n.opt.LeaseTTL
	l.releaseHanded(ctx)
	if n.schemaBehind() {
		if held {
			n.opt.Log.Warn("cluster: the database schema is newer than this version; handing the lease to a newer replica", "module", l.module)
			l.release(ctx)
		}
		return
	}
	if l.want != nil && !l.want() {
		// Another live replica should hold it (a shard whose owner by
		// rendezvous hashing is someone else): stop now, release at the
		// next heartbeat.
		if held {
			l.handOver(f)
		}
		return
	}
	if held {
		_, still, err := n.opt.Store.TakeLease(ctx, l.module, n.ID(), f.Epoch, l.version, ttl)
		l.renewal(ctx, f, sent, still, err)
		return
	}
	got, ok, err := n.opt.Store.TakeLease(ctx, l.module, n.ID(), 0, l.version, ttl)
	if err != nil {
		if ctx.Err() == nil {
			n.opt.Log.Warn("cluster: taking a lease failed", "module", l.module, "err", err)
		}
		return
	}
	if ok {
		l.mu.Lock()
		l.renewed = sent
		l.mu.Unlock()
		n.opt.Log.Info("cluster: lease taken", "module", l.module, "epoch", got.Epoch, "failovers", got.Failovers)
		l.gain(store.Fence{Module: l.module, Holder: n.ID(), Epoch: got.Epoch})
	}
}

// renewal acts on the outcome of renewing the term fenced by f, sent at
// sent: still held, lost, or unknown (err).
func (l *Lease) renewal(ctx context.Context, f store.Fence, sent time.Time, still bool, err error) {
	n := l.n
	switch {
	case err != nil:
		l.mu.Lock()
		// Unsure whether it was renewed: the lease may expire on the
		// database before the next try, so stop before it can.
		late := n.rt.Since(l.renewed) > n.opt.LeaseTTL-n.opt.Heartbeat
		l.mu.Unlock()
		if !errors.Is(ctx.Err(), context.Canceled) {
			n.opt.Log.Warn("cluster: renewing a lease failed", "module", l.module, "late", late, "err", err)
		}
		if late {
			l.StepDown(f)
		}
	case !still:
		n.opt.Log.Warn("cluster: the lease was lost before it could be renewed", "module", l.module, "epoch", f.Epoch)
		l.StepDown(f)
	default:
		l.mu.Lock()
		l.renewed = sent
		l.mu.Unlock()
	}
}

// handOver ends the term fenced by f here; releaseHanded gives the lease
// up in the database at the next heartbeat. Between the two the lease is
// still this replica's there, so the results of the term's last probes are
// written under it rather than refused, and the next owner, which starts
// from the last stored result, keeps the checks' interval.
func (l *Lease) handOver(f store.Fence) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term == nil || l.term.fence != f {
		return
	}
	l.n.opt.Log.Info("cluster: handing a lease over to its owner", "module", l.module, "epoch", f.Epoch)
	l.closeLocked()
	l.handing = &f
}

func (l *Lease) releaseHanded(ctx context.Context) {
	l.mu.Lock()
	h := l.handing
	l.handing = nil
	l.mu.Unlock()
	if h == nil {
		return
	}
	if err := l.n.opt.Store.ReleaseLease(ctx, l.module, h.Holder, h.Epoch); err != nil {
		l.n.opt.Log.Warn("cluster: releasing a lease failed; it expires by itself", "module", l.module, "err", err)
	}
}

// release gives the lease up on a clean stop, so another replica takes it
// without waiting for it to expire.
func (l *Lease) release(ctx context.Context) {
	l.releaseHanded(ctx)
	l.mu.Lock()
	t := l.term
	if t == nil {
		l.mu.Unlock()
		return
	}
	f := t.fence
	l.closeLocked()
	l.mu.Unlock()
	l.n.opt.Log.Info("cluster: lease released", "module", l.module, "epoch", f.Epoch)
	if err := l.n.opt.Store.ReleaseLease(ctx, l.module, f.Holder, f.Epoch); err != nil {
		l.n.opt.Log.Warn("cluster: releasing a lease failed; it expires by itself", "module", l.module, "err", err)
	}
}
