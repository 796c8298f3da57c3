package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/cluster"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/store"
)

// leaderVersion is the version of the work done under the "leader" lease
// (the pager, probing, SLO evaluation, runbooks and their cron triggers).
// Raise it when that work changes in a way an older replica must not
// contend with: once a newer version held the lease, older ones never
// take it again (a rolling upgrade moves forward only).
//
// 2: checks are no longer probed by the leader but split over the
// replicas in shards (checksVersion).
const leaderVersion = 2

// newNode makes this replica's cluster node: a real one on Postgres, where
// replicas may share the database, and a single node on SQLite, which has
// one process and holds every lease.
func (a *App) newNode(cfg *config.Config, dsn string) *cluster.Node {
	name := cfg.Global.Cluster.Name
	if name == "" {
		if v, ok := a.lookupEnv("VIGIL_REPLICA_NAME"); ok {
			name = v
		}
	}
	if strings.HasPrefix(dsn, "sqlite://") {
		return cluster.Single(name)
	}
	return cluster.New(cluster.Options{
		Store: a.store, Name: name, Version: a.opt.Version, Log: a.log.With("component", "cluster"),
		Heartbeat: cfg.Global.Cluster.Heartbeat.D(), LeaseTTL: cfg.Global.Cluster.LeaseTTL.D(),
		OnSignal: a.onSignal,
	})
}

// advertiseURL is where the other replicas reach this one.
func (a *App) advertiseURL(cfg *config.Config) string {
	if cfg.Global.Cluster.URL != "" {
		return strings.TrimSuffix(cfg.Global.Cluster.URL, "/")
	}
	if v, ok := a.lookupEnv("VIGIL_REPLICA_URL"); ok && v != "" {
		return strings.TrimSuffix(v, "/")
	}
	addr := a.ln.Addr().(*net.TCPAddr)
	if addr.IP.IsUnspecified() {
		if host, err := os.Hostname(); err == nil {
			return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
		}
	}
	return a.URL()
}

func (a *App) lookupEnv(name string) (string, bool) {
	if a.opt.LookupEnv != nil {
		return a.opt.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

// pagerLease is the lease the pager runs under; nil on a single node, so
// the single-node pager runs exactly as it always has.
func (a *App) pagerLease() *cluster.Lease {
	if !a.node.Clustered() {
		return nil
	}
	return a.leader
}

// outboxClaimer is the name the outbox claims notifications under: every
// replica delivers, each notification claimed by one. A single node reads
// and sends as it always has.
func (a *App) outboxClaimer() string {
	if !a.node.Clustered() {
		return ""
	}
	return a.node.ID()
}

// broadcast tells the other replicas that name changed in the store.
func (a *App) broadcast(ctx context.Context, name string) error {
	return a.node.Signal(ctx, name)
}

// signalConfig tells every replica to read its config file again.
const signalConfig = "config"

// onSignal applies what another replica changed: silences and on-call
// overrides are read again from the store, the config from this replica's
// own file.
func (a *App) onSignal(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	switch name {
	case pager.SignalSilences:
		rows, err := a.store.Silences(ctx, a.opt.Clock.Now())
		if err == nil {
			err = a.pager.UseSilences(ctx, pager.SilencesFrom(rows))
		}
		if err != nil {
			a.log.Error("cluster: applying silences changed on another replica failed", "err", err)
		}
	case signalConfig:
		_ = a.reloadHere(ctx) // logged inside; the running config stays on error
	case pager.SignalOverrides:
		err := a.onCall.Load(ctx)
		if err == nil {
			err = a.pager.SetOverrides(ctx, a.onCall.Overrides())
		}
		if err != nil {
			a.log.Error("cluster: applying on-call overrides changed on another replica failed", "err", err)
		}
	}
}

// listen turns the database's notifications into wake-ups: the inbox has
// work, outcomes were written, the outbox has notifications. They are only
// hints; everything also polls.
func (a *App) listen(ctx context.Context) {
	if !a.node.Clustered() {
		return
	}
	rt := clock.Real()
	for delay := 100 * time.Millisecond; ctx.Err() == nil; delay = min(2*delay, 5*time.Second) {
		err := a.store.Listen(ctx, func() { delay = 100 * time.Millisecond }, func(payload string) {
			switch payload {
			case "pager":
				a.pager.WakeInbox()
			case "done":
				a.pager.WakeDone()
			case "outbox":
				a.outbox.Wake()
			}
		})
		if err != nil && ctx.Err() == nil {
			a.log.Warn("cluster: listening for notifications failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-rt.After(delay):
		}
	}
}

// runLeader runs the work that one replica does at a time while this one
// holds the leader lease: probing checks, SLO evaluation and runbooks (with
// their cron triggers). The pager follows the same lease by itself, and
// steps down and up in place. These do not: they start on the first term,
// and if the lease is lost after that (the replica was paused or cut off
// past its TTL) the replica stops with an error, so its supervisor starts
// it again as a fresh member, which recovers from the store. On a single
// node they simply run.
func (a *App) runLeader(ctx context.Context, run func(context.Context)) {
	t, err := a.leader.Wait(ctx)
	if err != nil {
		return
	}
	a.log.Info("cluster: this replica leads: probing checks, evaluating SLOs, running runbooks", "replica", a.node.ID(), "epoch", t.Fence.Epoch)
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { run(tctx); close(done) }()
	select {
	case <-done:
	case <-t.Lost:
		cancel()
		<-done
		if ctx.Err() == nil {
			a.fatal <- fmt.Errorf("this replica lost the leader lease (epoch %d) after it led; it stops so that it restarts clean", t.Fence.Epoch)
		}
	}
}

// Fatal reports an error after which this replica must stop: serve exits
// with it.
func (a *App) Fatal() <-chan error { return a.fatal }

// noOlderReplicas reports whether every replica alive, as of the last
// heartbeat, knows this build's schema. One that does not runs runbook runs
// on its own (before run claims, a leader ran them unclaimed): its runs
// must not be taken over while it may still be running them. Replicas of
// an older schema lead nothing, so such a window ends when it exits.
func (a *App) noOlderReplicas() bool {
	v := a.node.View()
	if len(v.Members) == 0 {
		return false // no heartbeat yet
	}
	for _, m := range v.Members {
		if m.Gone.IsZero() && m.SchemaVersion < store.SchemaVersion() {
			return false
		}
	}
	return true
}
