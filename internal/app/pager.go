package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/runbook"
	"github.com/vigil-sre/vigil/internal/store"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/override"
	"github.com/vigil-sre/vigil/internal/pager"
)

// startPager builds the pager, the outbox and the link signer.
func (a *App) startPager(ctx context.Context, cfg *config.Config) error {
	key := cfg.Global.LinkSecret.Reveal()
	if key == "" {
		// One secret per store, kept there: links outlive restarts and work on
		// every replica.
		var err error
		key, err = a.store.Setting(ctx, "link_secret", func() (string, error) {
			b := make([]byte, 32)
			rand.Read(b)
			return base64.RawStdEncoding.EncodeToString(b), nil
		})
		if err != nil {
			return err
		}
	}
	a.links = pager.NewLinks([]byte(key), cfg.Global.LinkTTL.D())
	dir, err := oncall.NewDirectory(cfg)
	if err != nil {
		return err
	}
	a.onCall = override.New(override.Deps{Store: a.store, Clock: a.opt.Clock, Log: a.log,
		Publish: func(ctx context.Context, ovs []oncall.Override) error {
			if err := a.pager.SetOverrides(ctx, ovs); err != nil {
				return err
			}
			return a.broadcast(ctx, pager.SignalOverrides)
		}})
	a.onCall.Apply(dir)
	if err := a.onCall.Load(ctx); err != nil {
		return err
	}
	a.outbox = notify.NewOutbox(notify.OutboxOptions{
		Store: a.store, Clock: a.opt.Clock, Sender: a.senders(), Log: a.log, Metrics: a.reg,
		MaxInFlight: cfg.Global.Delivery.MaxInFlight, Timeout: cfg.Global.Delivery.SendTimeout.D(),
		MaxRetryAge: cfg.Global.Delivery.MaxRetryAge.D(),
		Claimer:     a.outboxClaimer(), Claims: a.claims.WithLabelValues("outbox"),
		Resolve: func(name string) (notify.Destination, notify.Limit, bool) {
			return pager.ResolveDestination(a.cfg.Load(), name)
		},
	})
	pm := pager.NewMetrics(a.reg, func() int { return a.pager.Open() })
	pm.WithClaims(a.claims)
	a.pager, err = pager.New(pager.Options{
		Clock: a.opt.Clock, Store: a.store, Log: a.log, Links: a.links, Notify: a.outbox.Wake,
		Metrics:   pm,
		Overrides: a.onCall.Overrides(),
		Fired: func(rows []store.AlertRow) {
			a.runbooks.AlertsFired(rows)
			a.incidents.AlertsFired(rows)
		},
		Live:  a.checkNow,
		Lease: a.pagerLease(), Sender: a.node.ID(), InboxWait: cfg.Global.Cluster.InboxWait.D(),
		Broadcast: func(ctx context.Context, name string) error {
			if !a.node.Clustered() {
				return nil
			}
			return a.broadcast(ctx, name)
		},
		Reopen: func(rows []store.AlertRow) {
			for _, r := range rows {
				a.reopen.Store(r.Labels["service"]+"/"+r.Labels["check"], true)
			}
		},
	}, cfg)
	if err != nil {
		return err
	}
	deps := runbook.Deps{
		Store: a.store, Clock: a.opt.Clock, Log: a.log, Pager: a.pager,
		Probe: func(ctx context.Context, key string) (check.Result, error) { return a.mon.ProbeNow(ctx, key) },
		URL:   func(path string) string { return externalURL(a.cfg.Load()) + path },
		ApproveURL: func(runID string, gen int, who string, exp time.Time) string {
			return a.links.RunURL(externalURL(a.cfg.Load()), runID, gen, who, exp)
		},
		SLOs: func() map[string]any {
			if a.slos == nil {
				return map[string]any{}
			}
			return a.slos.Vars()
		},
	}
	if a.node.Clustered() {
		// Runs are rows any replica admits, executes and takes over.
		deps.Runner, deps.RunLease, deps.Renew = a.node.ID, cfg.Global.Cluster.LeaseTTL.D(), cfg.Global.Cluster.Heartbeat.D()
		deps.MayTakeOver = a.noOlderReplicas
		deps.Claims = a.claims.WithLabelValues("runs")
	}
	a.runbooks = runbook.New(deps)
	a.incidents = incident.New(incident.Deps{Store: a.store, Clock: a.opt.Clock, Log: a.log, Pager: a.pager,
		URL: func(path string) string { return externalURL(a.cfg.Load()) + path }})
	a.incidents.Apply(cfg)
	return a.runbooks.Apply(cfg)
}

// externalURL is where people reach Vigil, for links.
func externalURL(cfg *config.Config) string {
	if cfg.Global.ExternalURL != "" {
		return strings.TrimSuffix(cfg.Global.ExternalURL, "/")
	}
	return "http://" + listenHost(cfg.Global.Listen)
}

// checkChanged turns a check's state change into its alert event and queues
// it for the pager. It runs on the probe's goroutine, so it only queues: a
// probe never waits for the pager's commit.
func (a *App) checkChanged(ev monitor.Event) {
	if e, ok := checkEvent(a.cfg.Load(), ev); ok {
		a.feed.send(e)
	}
}
