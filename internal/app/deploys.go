package app

import (
	"context"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/deploy"
	"github.com/vigil-sre/vigil/internal/runbook"
	"github.com/vigil-sre/vigil/internal/store"
)

// startDeploys builds the deploy service: it probes through the monitor,
// pages through the pager and rolls back through the runbook engine.
func (a *App) startDeploys(cfg *config.Config) error {
	a.deploys = deploy.New(deploy.Deps{
		Store: a.store, Clock: a.opt.Clock, Log: a.log,
		Probe:  func(ctx context.Context, key string) (check.Result, error) { return a.mon.ProbeNow(ctx, key) },
		Alerts: a.pager.Ingest,
		Rollback: func(ctx context.Context, id string, params map[string]string, alert store.AlertRow, by string) (string, error) {
			row, err := a.runbooks.Start(ctx, runbook.Request{Runbook: id, Params: params, Trigger: runbook.TriggerAlert,
				TriggeredBy: by, Alert: &alert})
			return row.ID, err
		},
		RunbookParams: func(id string) []string {
			b, ok := a.runbooks.Book(id)
			if !ok {
				return nil
			}
			names := make([]string, len(b.Params))
			for i, p := range b.Params {
				names[i] = p.Name
			}
			return names
		},
		URL:    func(path string) string { return externalURL(a.cfg.Load()) + path },
		Budget: a.slos,
	})
	return a.deploys.Apply(cfg)
}
