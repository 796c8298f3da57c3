package config

import (
	"reflect"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/cmdcheck"
	"github.com/vigil-sre/vigil/internal/check/cond"
	"github.com/vigil-sre/vigil/internal/check/diskcheck"
	"github.com/vigil-sre/vigil/internal/check/dnscheck"
	"github.com/vigil-sre/vigil/internal/check/heartbeat"
	"github.com/vigil-sre/vigil/internal/check/httpcheck"
	"github.com/vigil-sre/vigil/internal/check/logcheck"
	"github.com/vigil-sre/vigil/internal/check/promcheck"
	"github.com/vigil-sre/vigil/internal/check/tcpcheck"
	"github.com/vigil-sre/vigil/internal/check/tlscheck"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
)

// Service is something the team runs, with the checks that watch it.
type Service struct {
	ID           string          `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Name         string          `yaml:"name,omitempty"`
	Description  string          `yaml:"description,omitempty"`
	Owner        string          `yaml:"owner,omitempty" jsonschema:"description=team id"`
	Escalation   string          `yaml:"escalation,omitempty" jsonschema:"description=escalation policy id"`
	Stakeholders []string        `yaml:"stakeholders,omitempty" jsonschema:"description=person/ID or team/ID to inform about incidents"`
	Incident     *IncidentPolicy `yaml:"incident,omitempty"`
	// SLO is the one-line form, kept working: it means an availability SLO
	// with id "availability" over every check of the service.
	SLO    *SLO              `yaml:"slo,omitempty" jsonschema:"description=shorthand for one availability SLO over all the service's checks; use slos for more"`
	SLOs   []ServiceLevel    `yaml:"slos,omitempty" jsonschema:"description=service level objectives with error budgets and burn-rate alerts"`
	Deploy *DeployPolicy     `yaml:"deploy,omitempty" jsonschema:"description=how deploys of the service are verified and guarded"`
	Labels map[string]string `yaml:"labels,omitempty"`
	Checks []Check           `yaml:"checks,omitempty"`

	at origin
}

// IncidentPolicy says when an alert on the service declares an incident.
type IncidentPolicy struct {
	AutoSeverity string `yaml:"auto_severity,omitempty" jsonschema:"enum=critical,enum=error,enum=warning,enum=info,description=an alert at or above this severity declares an incident"`
	Severity     string `yaml:"severity,omitempty" jsonschema:"enum=SEV1,enum=SEV2,enum=SEV3,enum=SEV4,default=SEV2,description=severity of incidents declared automatically"`
}

// DisplayName is Name, or ID when no name is set.
func (s *Service) DisplayName() string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// Check watches one aspect of a service. Exactly one kind key is set.
type Check struct {
	ID          string `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Name        string `yaml:"name,omitempty"`
	Description string `yaml:"description,omitempty"`

	HTTP      *httpcheck.Spec `yaml:"http,omitempty" jsonschema:"description=HTTP(S) request"`
	TCP       *tcpcheck.Spec  `yaml:"tcp,omitempty" jsonschema:"description=TCP connect"`
	DNS       *dnscheck.Spec  `yaml:"dns,omitempty" jsonschema:"description=DNS query to a given server"`
	TLS       *tlscheck.Spec  `yaml:"tls,omitempty" jsonschema:"description=TLS handshake and certificate expiry"`
	Disk      *diskcheck.Spec `yaml:"disk,omitempty" jsonschema:"description=free and used space of a filesystem"`
	Log       *logcheck.Spec  `yaml:"log,omitempty" jsonschema:"description=lines matching a pattern in a followed file"`
	Command   *cmdcheck.Spec  `yaml:"command,omitempty" jsonschema:"description=run a program (argv, no shell)"`
	Heartbeat *heartbeat.Spec `yaml:"heartbeat,omitempty" jsonschema:"description=passive: a job reports in over HTTP"`
	// Prometheus runs a PromQL query; conditions read value, series and count.
	Prometheus *promcheck.Spec `yaml:"prometheus,omitempty" jsonschema:"description=PromQL instant query against a Prometheus server"`

	Every   duration.Duration `yaml:"every,omitempty" jsonschema:"description=interval between probes (heartbeat: expected interval between reports),default=1m"`
	Timeout duration.Duration `yaml:"timeout,omitempty" jsonschema:"description=probe deadline; at most every,default=10s"`
	Grace   duration.Duration `yaml:"grace,omitempty" jsonschema:"description=heartbeat only: how late a report may be"`
	Window  duration.Duration `yaml:"window,omitempty" jsonschema:"description=log only: count matches within this window"`

	Expect []string `yaml:"expect,omitempty" jsonschema:"description=conditions that must hold; the check fails when one does not"`
	Warn   []string `yaml:"warn,omitempty" jsonschema:"description=conditions that should hold; the check is degraded when one does not"`

	FailAfter    int       `yaml:"fail_after,omitempty" jsonschema:"minimum=1,description=consecutive failures before the check is failing (pending until then)"`
	RecoverAfter int       `yaml:"recover_after,omitempty" jsonschema:"minimum=1,description=consecutive passes before a failing check is ok again"`
	Flapping     *Flapping `yaml:"flapping,omitempty"`

	Severity string            `yaml:"severity,omitempty" jsonschema:"enum=critical,enum=error,enum=warning,enum=info,default=error"`
	Runbook  string            `yaml:"runbook,omitempty" jsonschema:"description=runbook id handed to whoever is paged"`
	Labels   map[string]string `yaml:"labels,omitempty"`
	// Acceptance marks a check that verifies the service's deploys, when
	// the service's deploy block does not list them.
	Acceptance bool `yaml:"acceptance,omitempty" jsonschema:"description=this check verifies the service's deploys (unless deploy.verify lists others)"`

	// Service is the id of the service the check belongs to.
	Service string `yaml:"-"`

	expect, warn []*cond.Expr
	uses         map[string]bool
}

// Flapping tunes flap detection: the weighted share of state changes over the
// last 21 results (Nagios' method) above High starts flapping, below Low ends it.
type Flapping struct {
	Low      float64 `yaml:"low,omitempty" jsonschema:"minimum=0,maximum=100,default=25"`
	High     float64 `yaml:"high,omitempty" jsonschema:"minimum=0,maximum=100,default=30"`
	Disabled bool    `yaml:"disabled,omitempty"`
}

// Severities lists alert severities, most severe first.
func Severities() []string { return []string{"critical", "error", "warning", "info"} }

// Key is "service/check", the check's identity across reloads and in the API.
func (c *Check) Key() string { return c.Service + "/" + c.ID }

// Spec returns the kind-specific spec that is set, or nil.
func (c *Check) Spec() check.Spec {
	specs := c.specs()
	if len(specs) == 1 {
		return specs[0]
	}
	return nil
}

// Kind is the check's kind, e.g. "http".
func (c *Check) Kind() string {
	if s := c.Spec(); s != nil {
		return s.Kind()
	}
	return ""
}

func (c *Check) specs() []check.Spec {
	var out []check.Spec
	add := func(set bool, s check.Spec) {
		if set {
			out = append(out, s)
		}
	}
	add(c.HTTP != nil, c.HTTP)
	add(c.TCP != nil, c.TCP)
	add(c.DNS != nil, c.DNS)
	add(c.TLS != nil, c.TLS)
	add(c.Disk != nil, c.Disk)
	add(c.Log != nil, c.Log)
	add(c.Command != nil, c.Command)
	add(c.Heartbeat != nil, c.Heartbeat)
	add(c.Prometheus != nil, c.Prometheus)
	return out
}

// Kinds lists every check kind key.
func Kinds() []string {
	return []string{"http", "tcp", "dns", "tls", "disk", "log", "command", "heartbeat", "prometheus"}
}

// Conditions returns the compiled expect and warn conditions.
func (c *Check) Conditions() (expect, warn []*cond.Expr) { return c.expect, c.warn }

// Uses reports whether a condition reads variable v.
func (c *Check) Uses(v string) bool { return c.uses[v] }

// Passive reports whether the check is fed from outside rather than probed.
func (c *Check) Passive() bool { return c.Heartbeat != nil }

// Interval is Every as a time.Duration.
func (c *Check) Interval() time.Duration { return c.Every.D() }

// Dir is the directory of the file the service was written in; relative paths
// in its checks resolve against it.
func (s *Service) Dir() string {
	if s.at.f == nil {
		return ""
	}
	return s.at.f.dir
}

// SameProbe reports whether two checks probe the same way, so a reload can
// keep a prober and what it remembers (a log offset and window, the time of
// the last heartbeat) when only names, labels, severity or conditions that
// read the same variables changed.
func (c *Check) SameProbe(o *Check) bool {
	return reflect.DeepEqual(c.Spec(), o.Spec()) &&
		c.Every == o.Every && c.Timeout == o.Timeout && c.Grace == o.Grace && c.Window == o.Window &&
		reflect.DeepEqual(c.uses, o.uses)
}

// Target says briefly what the check looks at, e.g. its URL or path, with
// secrets hidden: it is shown on pages, in the API and in notifications.
func (c *Check) Target() string {
	switch {
	case c.HTTP != nil:
		return secret.URL(c.HTTP.URL) // a URL may carry user:password or ?api_key=...
	case c.TCP != nil:
		return c.TCP.Address
	case c.DNS != nil:
		return c.DNS.Name + " @ " + c.DNS.Server
	case c.TLS != nil:
		return c.TLS.Address
	case c.Disk != nil:
		return c.Disk.Path
	case c.Log != nil:
		return c.Log.Path
	case c.Command != nil:
		return strings.Join(c.Command.Run, " ")
	case c.Heartbeat != nil:
		return "POST /api/v1/heartbeats/" + c.Service + "/" + c.ID
	case c.Prometheus != nil:
		return c.Prometheus.Query + " @ " + secret.URL(c.Prometheus.URL)
	}
	return ""
}
