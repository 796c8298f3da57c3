package web

import (
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/store"
)

// checkView is a check as the API and pages show it: its config and its live state.
type checkView struct {
	Service     string            `json:"service"`
	ID          string            `json:"id"`
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	Kind        string            `json:"kind"`
	Target      string            `json:"target"`
	State       string            `json:"state"`
	Reason      string            `json:"reason"`
	Since       *time.Time        `json:"since"`
	LastChecked *time.Time        `json:"last_checked"`
	LastStatus  string            `json:"last_status,omitempty"`
	DurationMs  float64           `json:"duration_ms"`
	Every       string            `json:"every,omitempty"`
	Timeout     string            `json:"timeout,omitempty"`
	Severity    string            `json:"severity"`
	Runbook     string            `json:"runbook,omitempty"`
	Expect      []string          `json:"expect"`
	Warn        []string          `json:"warn"`
	Labels      map[string]string `json:"labels,omitempty"`
	Uptime      []monitor.Uptime  `json:"uptime,omitempty"`

	id int64
}

func newCheckView(c *config.Check, sn monitor.Snapshot) checkView {
	v := checkView{
		Service: c.Service, ID: c.ID, Name: c.Name, Description: c.Description, Kind: c.Kind(), Target: c.Target(),
		State: string(sn.State), Reason: sn.Reason, LastStatus: string(sn.LastStatus),
		DurationMs: ms(sn.Duration), Severity: c.Severity, Runbook: c.Runbook,
		Expect: nonNil(c.Expect), Warn: nonNil(c.Warn), Labels: c.Labels, id: sn.ID,
	}
	if v.State == "" {
		v.State, v.Reason = string(monitor.Unknown), "no result yet"
	}
	if c.Every != 0 {
		v.Every = c.Every.String()
	}
	if c.Timeout != 0 {
		v.Timeout = c.Timeout.String()
	}
	if !sn.Since.IsZero() {
		v.Since = &sn.Since
	}
	if !sn.LastAt.IsZero() {
		v.LastChecked = &sn.LastAt
	}
	return v
}

// Title is the check's name, or its id.
func (v checkView) Title() string {
	if v.Name != "" {
		return v.Name
	}
	return v.ID
}

// serviceView is a service with its checks rolled up.
type serviceView struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Owner       string            `json:"owner,omitempty"`
	State       string            `json:"state"`                  // the checks' state, raised by open incidents and alerts (servicestatus.go)
	StateReason string            `json:"state_reason,omitempty"` // when incidents or alerts raised it, which
	CheckState  string            `json:"check_state"`            // the checks' own roll-up
	Incidents   []serviceIncident `json:"incidents"`              // open incidents on the service
	Alerts      []serviceAlert    `json:"alerts"`                 // its newest open alerts, suppressed ones marked
	OpenAlerts  int               `json:"open_alerts"`            // how many are open in all
	Counts      map[string]int    `json:"counts"`
	Uptime      []monitor.Uptime  `json:"uptime"`
	SLOs        []sloView         `json:"slos"`
	Checks      []checkView       `json:"checks"`
}

// stateRank orders states from calm to alarming, for a service's overall state.
func stateRank(s string) int {
	switch monitor.State(s) {
	case monitor.OK:
		return 1
	case monitor.Degraded:
		return 2
	case monitor.Pending:
		return 3
	case monitor.Flapping:
		return 4
	case monitor.Failing:
		return 5
	}
	return 0
}

func newServiceView(s *config.Service, snaps map[string]monitor.Snapshot) serviceView {
	v := serviceView{ID: s.ID, Name: s.DisplayName(), Description: s.Description, Owner: s.Owner,
		State: string(monitor.Unknown), Counts: map[string]int{}, Checks: []checkView{}, SLOs: []sloView{}}
	for i := range s.Checks {
		c := &s.Checks[i]
		cv := newCheckView(c, snaps[c.Key()])
		v.Checks = append(v.Checks, cv)
		v.Counts[cv.State]++
		if stateRank(cv.State) > stateRank(v.State) {
			v.State = cv.State
		}
	}
	return v
}

// checkIDs lists the store ids of a service's checks that have one.
func (v serviceView) checkIDs() []int64 {
	var ids []int64
	for _, c := range v.Checks {
		if c.id != 0 {
			ids = append(ids, c.id)
		}
	}
	return ids
}

// sumUptimes adds the checks' up and down time per window: a service's uptime
// is the time-weighted mean of its checks'.
func sumUptimes(ids []int64, per map[int64][]monitor.Uptime) []monitor.Uptime {
	out := make([]monitor.Uptime, 0, len(monitor.Windows()))
	for i, w := range monitor.Windows() {
		var up, down int64
		for _, id := range ids {
			if us := per[id]; i < len(us) {
				up += us[i].UpMs
				down += us[i].DownMs
			}
		}
		out = append(out, monitor.MakeUptime(w.Name, up, down))
	}
	return out
}

type resultView struct {
	Seq        int64             `json:"seq"`
	At         time.Time         `json:"at"`
	Status     check.Status      `json:"status"`
	DurationMs float64           `json:"duration_ms"`
	Error      string            `json:"error,omitempty"`
	Reason     string            `json:"reason,omitempty"`
	Conditions []check.Condition `json:"conditions"`
}

func newResultView(r store.ResultRow) resultView {
	return resultView{Seq: r.Seq, At: r.At, Status: r.Status, DurationMs: ms(r.Duration), Error: r.Error,
		Reason: r.Reason, Conditions: nonNilConds(r.Conditions)}
}

type eventView struct {
	Service string    `json:"service"`
	Check   string    `json:"check"`
	At      time.Time `json:"at"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Reason  string    `json:"reason"`
}

func newEventView(e store.Event) eventView {
	return eventView{Service: e.Service, Check: e.Name, At: e.At, From: e.From, To: e.To, Reason: e.Reason}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilConds(c []check.Condition) []check.Condition {
	if c == nil {
		return []check.Condition{}
	}
	return c
}
