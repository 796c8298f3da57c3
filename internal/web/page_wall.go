package web

import (
	"net/http"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/store"
)

// wallAlerts is how many open alerts the wallboard names.
const wallAlerts = 8

type wallPage struct {
	Page
	Failing   []checkView
	Checks    int
	Alerts    []alertView
	Firing    int
	Acked     int
	Incidents []store.IncidentRow
	OnCall    []wallShift
}

type wallShift struct {
	Schedule string
	People   []string
}

// wallPage renders /wall: for a team's screen, in large type and
// refreshing itself, the checks failing, the open alerts and incidents, and
// who is on call.
func (s *Server) wallPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := wallPage{Page: s.page(r, "Wallboard", "")}
	p.Refresh = 30
	services, err := s.services(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, sv := range services {
		for _, c := range sv.Checks {
			p.Checks++
			if stateRank(c.State) >= stateRank("pending") {
				p.Failing = append(p.Failing, c)
			}
		}
	}
	firing, n, err := s.d.Store.Alerts(ctx, store.AlertFilter{Status: []string{string(alert.Firing)}, Limit: wallAlerts})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Firing = n
	for _, a := range firing {
		p.Alerts = append(p.Alerts, newAlertView(a))
	}
	if _, p.Acked, err = s.d.Store.Alerts(ctx, store.AlertFilter{Status: []string{string(alert.Acknowledged)}, Limit: 1}); err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Incidents, err = s.d.Incidents.List(ctx, store.IncidentFilter{Status: []string{store.IncidentInvestigating,
		store.IncidentIdentified, store.IncidentMonitoring}, Limit: 20})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	dir := s.d.Directory()
	for _, sched := range dir.Schedules() {
		sh := wallShift{Schedule: sched}
		for _, id := range dir.OnCall(sched, p.Now) {
			name := id
			if pe, ok := dir.Person(id); ok && pe.Name != "" {
				name = pe.Name
			}
			sh.People = append(sh.People, name)
		}
		p.OnCall = append(p.OnCall, sh)
	}
	s.render(w, r, "wall.html", p)
}
