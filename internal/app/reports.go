package app

import (
	"github.com/vigil-sre/vigil/internal/report/scheduled"
	"github.com/vigil-sre/vigil/internal/report/weekly"
	"github.com/vigil-sre/vigil/internal/toil"
)

// startReports builds the toil ledger and the scheduler of reports, after
// the SLO service (the weekly report reads it). A new kind of report
// registers its renderer here.
func (a *App) startReports() {
	a.toil = toil.New(toil.Deps{Store: a.store, Clock: a.opt.Clock, Config: a.cfg.Load, Directory: a.onCall.Directory})
	a.reports = scheduled.New(scheduled.Deps{
		Store: a.store, Clock: a.opt.Clock, Log: a.log, Config: a.cfg.Load, Announce: a.pager.Announce,
		URL: func(path string) string { return externalURL(a.cfg.Load()) + path },
		Renderers: map[string]scheduled.Renderer{
			"oncall": scheduled.Oncall(a.store, a.onCall.Directory),
			"toil":   scheduled.Toil(a.toil),
			"weekly": scheduled.Weekly(a.weeklyDeps(), a.cfg.Load, a.opt.Clock, func() string { return externalURL(a.cfg.Load()) }),
		},
	})
}

// weeklyDeps is what the weekly status report reads; the SLO service must
// exist already.
func (a *App) weeklyDeps() weekly.Deps {
	return weekly.Deps{Store: a.store, Toil: a.toil, SLOs: a.slos}
}
