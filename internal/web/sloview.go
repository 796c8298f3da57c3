package web

import (
	"context"

	"github.com/vigil-sre/vigil/internal/slo"
)

// sloView is an SLO in brief, as a service shows it: the objective, how
// much budget is left, and whether it burns.
type sloView struct {
	Service         string   `json:"-"`
	ID              string   `json:"id"`
	Objective       float64  `json:"objective"`
	Window          string   `json:"window"`
	SLI             *float64 `json:"sli"`
	BudgetRemaining *float64 `json:"budget_remaining_percent"`
	BudgetLeft      string   `json:"budget_remaining,omitempty"`
	BurnRate        *float64 `json:"burn_rate"`
	Burning         string   `json:"burning,omitempty"` // page or ticket when an alert fires
	NoData          string   `json:"no_data,omitempty"`
	Exhausted       bool     `json:"exhausted"`
}

func newSLOView(st slo.Status) sloView {
	v := sloView{Service: st.Service, ID: st.ID, Objective: st.Objective, Window: st.Window, SLI: st.SLI, BudgetRemaining: st.Budget.RemainingPercent,
		BudgetLeft: st.Budget.RemainingText, BurnRate: st.BurnRate, NoData: st.NoData, Exhausted: st.Budget.Exhausted}
	for _, r := range st.Alerts {
		if r.Firing && (v.Burning == "" || r.Severity == "page") {
			v.Burning = r.Severity
		}
	}
	return v
}

// attachSLOs fills each service's SLOs from the latest evaluation.
func (s *Server) attachSLOs(ctx context.Context, views []serviceView) {
	if s.d.SLOs == nil {
		return
	}
	at := make(map[string]int, len(views))
	for i := range views {
		at[views[i].ID] = i
	}
	for _, st := range s.d.SLOs.Statuses(ctx) {
		if i, ok := at[st.Service]; ok {
			views[i].SLOs = append(views[i].SLOs, newSLOView(st))
		}
	}
}

// budgetClass colors a remaining budget on the status page.
func budgetClass(v sloView) string {
	switch {
	case v.BudgetRemaining == nil:
		return "none"
	case *v.BudgetRemaining <= 0:
		return "down"
	case *v.BudgetRemaining < 25 || v.Burning != "":
		return "major"
	case *v.BudgetRemaining < 50:
		return "minor"
	}
	return "up"
}
