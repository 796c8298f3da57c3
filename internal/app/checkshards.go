package app

import (
	"context"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/monitor"
)

// checkShards is how many shards the checks are split into among replicas
// on Postgres. Fixed: a check's shard is a hash of its key modulo this, so
// changing it moves most checks at once.
const checkShards = 32

// checksVersion is the version of the check shards' work; raise it like
// leaderVersion.
const checksVersion = 1

// ownChecks gives the monitor the shards this replica holds now, and the
// leader's shard (heartbeat checks) while it leads. Checks taken over load
// their stored state first; their alerts are then brought in line with it
// through the check feed, ahead of any state change they make after.
func (a *App) ownChecks(ctx context.Context) {
	fences := a.shards.Held()
	if f, ok := a.leader.Held(); ok {
		fences[monitor.LeaderShard] = f
	}
	gained, err := a.mon.Own(ctx, fences)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("cluster: taking over checks failed; retrying at the next heartbeat", "err", err)
		}
		return
	}
	if len(gained) == 0 {
		return
	}
	a.log.Info("cluster: probing checks taken over", "checks", len(gained), "probing", a.mon.Owned())
	only := make(map[string]bool, len(gained))
	for _, k := range gained {
		only[k] = true
	}
	for _, ev := range a.checkStateAlerts(only) {
		a.feed.send(ev)
	}
}

// followShards keeps the monitor's checks in step with the shards this
// replica holds, and, every heartbeat, refreshes the states of the checks
// others probe (for reads here) and writes the latency SLO counts of the
// checks probed here.
func (a *App) followShards(ctx context.Context) {
	every := a.cfg.Load().Global.Cluster.Heartbeat.D()
	if every <= 0 {
		every = time.Second
	}
	t := clock.Real().NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.shards.Changed():
		case <-t.Chan():
			if err := a.mon.RefreshOthers(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("cluster: reading the states of checks other replicas probe failed", "err", err)
			}
			if err := a.slos.FlushCounts(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("writing latency SLO counts failed; retrying", "err", err)
			}
		}
		a.ownChecks(ctx)
	}
}
