// Package alert is the alert model: what a source says (Event), what Vigil
// keeps (Alert), the dedup key that makes one open alert per problem, and the
// lifecycle firing → acknowledged → resolved. A resolved alert that fires
// again opens a new alert.
package alert

import (
	"strings"
	"time"
)

// Severity of an alert, as PagerDuty Events v2 names them.
type Severity string

const (
	Critical Severity = "critical"
	Error    Severity = "error"
	Warning  Severity = "warning"
	Info     Severity = "info"
)

// Rank orders severities: critical is 4, info 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case Error:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// ParseSeverity reads a severity as tools write it: PagerDuty's four names,
// and the words Alertmanager rules commonly use (page, high, warn, low, none).
func ParseSeverity(s string) (Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "crit", "page", "p1", "sev1", "high", "fatal", "emergency":
		return Critical, true
	case "error", "err", "major", "p2", "sev2":
		return Error, true
	case "warning", "warn", "minor", "p3", "sev3", "medium":
		return Warning, true
	case "info", "informational", "notice", "low", "none", "p4", "p5", "sev4", "ok":
		return Info, true
	}
	return "", false
}

// Status is where an alert is in its lifecycle.
type Status string

const (
	Firing       Status = "firing"
	Acknowledged Status = "acknowledged"
	Resolved     Status = "resolved"
)

// Open reports whether the alert still needs someone.
func (s Status) Open() bool { return s == Firing || s == Acknowledged }

// Action is what an event asks for.
type Action string

const (
	Trigger     Action = "trigger"
	Acknowledge Action = "acknowledge"
	Resolve     Action = "resolve"
)

// Source names where an event came from.
const (
	SourceCheck        = "check"
	SourceSLO          = "slo" // burn-rate alerts
	SourceAlertmanager = "alertmanager"
	SourcePagerDuty    = "pagerduty"
	SourceGrafana      = "grafana"
	SourceGeneric      = "generic"
	SourceAPI          = "api"
	SourceDeploy       = "deploy" // a deploy that failed its verification
)

// Link is a URL that helps the responder (a dashboard, the alert's source).
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// Event is one thing a source says about an alert, normalised from its format.
type Event struct {
	Action      Action            `json:"action"`
	Source      string            `json:"source"`
	Integration string            `json:"integration,omitempty"` // integration id; empty for checks and the API
	Key         string            `json:"key"`                   // the source's dedup key
	Summary     string            `json:"summary"`
	Severity    Severity          `json:"severity,omitempty"`
	Service     string            `json:"service,omitempty"` // empty: routing decides
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Links       []Link            `json:"links,omitempty"`
	Runbook     string            `json:"runbook,omitempty"` // runbook id
	At          time.Time         `json:"at,omitzero"`       // when it happened per the source; zero means now
	By          string            `json:"by,omitempty"`      // who acknowledged or resolved, when the source says
}

// DedupKey is the identity of the problem an event is about: the source's key
// scoped by source and integration, so two tools cannot collide.
func (e Event) DedupKey() string {
	return e.Source + "/" + e.Integration + "/" + e.Key
}
