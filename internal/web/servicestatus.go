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

// openWork is what is open on each service, by service id.
type openWork struct {
	incidents map[string][]serviceIncident
	alerts    map[string][]serviceAlert
}

// maxOpenIncidents bounds the open incidents a status read looks at.
const maxOpenIncidents = 200

// openWork reads the open incidents and alerts of every service.
func (s *Server) openWork(ctx context.Context) (openWork, error) {
	w := openWork{incidents: map[string][]serviceIncident{}, alerts: map[string][]serviceAlert{}}
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
	live, err := s.d.Store.LiveAlerts(ctx)
	if err != nil {
		return w, errs.Wrap(errs.Internal, err, "reading open alerts")
	}
	sup, err := s.suppressions(ctx)
	if err != nil {
		return w, err
	}
	for _, a := range live {
		if a.Service == "" || !alert.Status(a.Status).Open() {
			continue
		}
		sa := serviceAlert{ID: a.ID, Summary: a.Summary, Severity: a.Severity, Status: a.Status, Since: a.FirstSeen}
		if h := sup[a.ID]; h.Suppressed() {
			sa.SuppressedBy, sa.held = h.Reason(), h.Kind()
		}
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
	for _, a := range v.Alerts {
		if a.SuppressedBy != "" {
			continue
		}
		switch alert.Severity(a.Severity) {
		case alert.Critical:
			raise(string(monitor.Failing), fmt.Sprintf("critical alert %d is %s", a.ID, a.Status))
		case alert.Error, alert.Warning:
			raise(string(monitor.Degraded), fmt.Sprintf("%s alert %d is %s", a.Severity, a.ID, a.Status))
		}
	}
}

// Affected reports whether open incidents or alerts raised the state above
// the checks'.
func (v serviceView) Affected() bool { return v.StateReason != "" }

// OpenAlerts counts the open alerts that page (nothing holds them back).
func (v serviceView) OpenAlerts() int {
	n := 0
	for _, a := range v.Alerts {
		if a.SuppressedBy == "" {
			n++
		}
	}
	return n
}
