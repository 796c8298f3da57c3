package web

import (
	"net/http"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// alertsPageLimit is how many alerts the alerts page lists.
const alertsPageLimit = 200

type alertsPage struct {
	Page
	Status string // the filter: open, firing, acknowledged, resolved or all
	Alerts []alertView
	Total  int
	Shown  int
}

// alertsPage renders /alerts?status=: alerts newest first, open ones unless
// asked otherwise.
func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	p := alertsPage{Page: s.page(r, "Alerts", "alerts"), Status: r.URL.Query().Get("status")}
	f := store.AlertFilter{Limit: alertsPageLimit}
	switch p.Status {
	case "", "open":
		p.Status = "open"
		f.Status = []string{string(alert.Firing), string(alert.Acknowledged)}
	case string(alert.Firing), string(alert.Acknowledged), string(alert.Resolved):
		f.Status = []string{p.Status}
	case "all":
	default:
		s.pageError(w, r, errs.E(errs.Invalid, "status must be open, firing, acknowledged, resolved or all, not %q", p.Status))
		return
	}
	rows, total, err := s.d.Store.Alerts(r.Context(), f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, a := range rows {
		p.Alerts = append(p.Alerts, newAlertView(a))
	}
	p.Total, p.Shown = total, len(rows)
	s.render(w, r, "alerts.html", p)
}

type alertPage struct {
	Page
	Alert         alertView
	Runbook       *runbookView
	Log           []alertLogView
	Notifications []notificationView
}

type runbookView struct {
	ID, Title, Doc string
}

// alertPage renders /alerts/{id}: what the alert is, its SOP, its timeline
// and who was told. It is the page every notification links to.
func (s *Server) alertPage(w http.ResponseWriter, r *http.Request) {
	id, err := alertID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	a, log, err := s.alertWithLog(r, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := alertPage{Page: s.page(r, a.Summary, "alerts"), Alert: newAlertView(a), Log: log}
	if a.Runbook != "" {
		for _, rb := range s.d.Config().Runbooks {
			if rb.ID == a.Runbook {
				p.Runbook = &runbookView{ID: rb.ID, Title: rb.Title, Doc: rb.Doc}
			}
		}
	}
	if p.Notifications, err = s.notifications(r, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "alert.html", p)
}
