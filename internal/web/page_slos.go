package web

import (
	"html/template"
	"net/http"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/web/chart"
)

type slosPage struct {
	Page
	SLOs []slo.Status
}

// slosPage renders /slos: every SLO with its SLI, the budget left and
// whether it burns.
func (s *Server) slosPage(w http.ResponseWriter, r *http.Request) {
	p := slosPage{Page: s.page(r, "SLOs", "slos"), SLOs: s.d.SLOs.Statuses(r.Context())}
	p.Refresh = 30
	s.render(w, r, "slos.html", p)
}

type sloPage struct {
	Page
	SLO slo.Detail
	// Burn is the burn rate per step over the window; Budget the share of
	// the budget left at the end of each step.
	Burn, Budget template.HTML
	// Raised are the burn-rate alerts this SLO raised, newest first.
	Raised      []alertView
	RaisedTotal int
}

// sloRaisedLimit bounds the alerts listed on an SLO's page.
const sloRaisedLimit = 20

// sloPage renders /slos/{service}/{id}: the budget left, the burn rate over
// the window as a chart, the alert rules and the alerts the SLO raised.
func (s *Server) sloPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.d.SLOs.Detail(ctx, r.PathValue("service"), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := sloPage{Page: s.page(r, d.Service+"/"+d.ID, "slos"), SLO: d}
	p.Refresh = 30
	var burn, left chart.Series
	burn.Name, left.Name = "burn rate per "+d.Step, "budget left"
	for _, pt := range d.History {
		if pt.BurnRate != nil {
			burn.Points = append(burn.Points, chart.Point{At: pt.Start, Value: *pt.BurnRate})
		}
		if pt.BudgetRemaining != nil {
			left.Points = append(left.Points, chart.Point{At: pt.Start, Value: max(0, *pt.BudgetRemaining)})
		}
	}
	p.Burn = chart.Line(chart.Options{Title: "Burn rate over the window (1× spends the budget in exactly one window)", Unit: "×", Zone: p.loc}, burn)
	p.Budget = chart.Line(chart.Options{Title: "Error budget left over the window", Unit: "%", Zone: p.loc}, left)
	rows, total, err := s.d.Store.Alerts(ctx, store.AlertFilter{KeyPrefix: alert.SourceSLO + "//" + d.Service + "/" + d.ID + "/", Limit: sloRaisedLimit})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, a := range rows {
		p.Raised = append(p.Raised, newAlertView(a))
	}
	p.RaisedTotal = total
	s.render(w, r, "slo.html", p)
}
