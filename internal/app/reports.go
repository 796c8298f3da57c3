package app

import (
	"github.com/vigil-sre/vigil/internal/report/scheduled"
	"github.com/vigil-sre/vigil/internal/toil"
)

// startReports builds the toil ledger and the scheduler of reports. A new
// kind of report registers its renderer here.
func (a *App) startReports() {
	a.toil = toil.New(toil.Deps{Store: a.store, Clock: a.opt.Clock, Config: a.cfg.Load, Directory: a.onCall.Directory})
	a.reports = scheduled.New(scheduled.Deps{
		Store: a.store, Clock: a.opt.Clock, Log: a.log, Config: a.cfg.Load, Announce: a.pager.Announce,
		URL: func(path string) string { return externalURL(a.cfg.Load()) + path },
		Renderers: map[string]scheduled.Renderer{
			"oncall": scheduled.Oncall(a.store, a.onCall.Directory),
			"toil":   scheduled.Toil(a.toil),
		},
	})
}
