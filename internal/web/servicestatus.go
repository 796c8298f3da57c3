package web

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/store"
)

// A service's state says more than its checks do: an open incident or an
// open alert on it (from any source, Alertmanager included) raises it.
//
//   - failing: a SEV1 or SEV2 incident is open, or a critical alert is
//     open and nothing holds it back;
//   - degraded: a SEV3 or SEV4 incident is open, or an error or warning
//     alert is open and nothing holds it back.
//
// A silenced, inhibited or maintenance-held alert is listed, marked as
// such, but does not raise the state; neither does an info alert. The
// checks' own roll-up stays in check_state.

// serviceIncident is an open incident as a service shows it.
type serviceIncident struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Severity  string    `json:"severity"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"started_at"`
}

// serviceAlert is an open alert as a service shows it.
type serviceAlert struct {
	ID           int64     `json:"id"`
	Summary      string    `json:"summary"`
	Severity     string    `json:"severity"`
	Status       string    `json:"status"`
	Since        time.Time `json:"since"`
	SuppressedBy string    `json:"suppressed_by,omitempty"`

	held string // silenced, maintenance or inhibited
}

// Held is one word for what holds the alert back, "" when nothing does.
func (a serviceAlert) Held() string { return a.held }

// openWork is what is open on each service, by service id: its open
// incidents, its newest open alerts and how many are open of each severity.
type openWork struct {
	incidents map[string][]serviceIncident
	alerts    map[string][]serviceAlert
	counts    map[string][]store.OpenAlertCount
}

// maxOpenIncidents bounds the open incidents a status read looks at;
// shownAlerts, the newest open alerts it lists (the counts cover them all).
const (
	maxOpenIncidents = 200
	shownAlerts      = 200
)

// openWork reads the open incidents and alerts of every service. Its cost
// does not grow with the number of open alerts past shownAlerts: what holds
// an alert back is stored with it, and the rest are counted by the store.
func (s *Server) openWork(ctx context.Context) (openWork, error) {
	w := openWork{incidents: map[string][]serviceIncident{}, alerts: map[string][]serviceAlert{}, counts: map[string][]store.OpenAlertCount{}}
	ins, err := s.d.Store.Incidents(ctx, store.IncidentFilter{Limit: maxOpenIncidents,
		Status: []string{store.IncidentInvestigating, store.IncidentIdentified, store.IncidentMonitoring}})
	if err != nil {
		return w, errs.Wrap(errs.Internal, err, "reading open incidents")
	}
	for _, in := range ins {
		for _, svc := range in.Services {
			w.incidents[svc] = append(w.incidents[svc], serviceIncident{ID: in.ID, Title: in.Title, Severity: in.Severity,
				Status: in.Status, StartedAt: in.StartedAt})
		}
	}
	counts, err := s.d.Store.OpenAlertCounts(ctx)
	if err != nil {
		return w, errs.Wrap(errs.Internal, err, "counting open alerts")
	}
	for _, c := range counts {
		w.counts[c.Service] = append(w.counts[c.Service], c)
	}
	rows, _, err := s.d.Store.Alerts(ctx, store.AlertFilter{Status: []string{string(alert.Firing), string(alert.Acknowledged)}, Limit: shownAlerts})
	if err != nil {
		return w, errs.Wrap(errs.Internal, err, "reading open alerts")
	}
	for _, a := range rows {
		sa := serviceAlert{ID: a.ID, Summary: a.Summary, Severity: a.Severity, Status: a.Status, Since: a.FirstSeen,
			SuppressedBy: a.Suppression.Reason(), held: a.Suppression.Kind()}
		w.alerts[a.Service] = append(w.alerts[a.Service], sa)
	}
	return w, nil
}

// withOpenWork lists v's open incidents and alerts and raises its state by
// them.
func (v *serviceView) withOpenWork(w openWork) {
	v.CheckState = v.State
	v.Incidents, v.Alerts = w.incidents[v.ID], w.alerts[v.ID]
	if v.Incidents == nil {
		v.Incidents = []serviceIncident{}
	}
	if v.Alerts == nil {
		v.Alerts = []serviceAlert{}
	}
	raise := func(state, reason string) {
		if stateRank(state) > stateRank(v.State) {
			v.State, v.StateReason = state, reason
		}
	}
	for _, in := range v.Incidents {
		switch in.Severity {
		case "SEV1", "SEV2":
			raise(string(monitor.Failing), fmt.Sprintf("%s incident %d is %s", in.Severity, in.ID, in.Status))
		default:
			raise(string(monitor.Degraded), fmt.Sprintf("%s incident %d is %s", in.Severity, in.ID, in.Status))
		}
	}
	for _, c := range w.counts[v.ID] {
		v.OpenAlerts += c.N
		if c.Held {
			continue
		}
		switch alert.Severity(c.Severity) {
		case alert.Critical:
			raise(string(monitor.Failing), fmt.Sprintf("%d critical alert(s) open", c.N))
		case alert.Error, alert.Warning:
			raise(string(monitor.Degraded), fmt.Sprintf("%d %s alert(s) open", c.N, c.Severity))
		}
	}
}

// Affected reports whether open incidents or alerts raised the state above
// the checks'.
func (v serviceView) Affected() bool { return v.StateReason != "" }

// MoreAlerts is how many of its open alerts the service does not list.
func (v serviceView) MoreAlerts() int { return v.OpenAlerts - len(v.Alerts) }
