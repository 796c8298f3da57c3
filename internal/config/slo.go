package config

import (
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/check/promcheck"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
	"github.com/vigil-sre/vigil/internal/slo/burn"
)

// ServiceLevel is one service level objective: an SLI (exactly one of
// availability, latency, prometheus, events), the share of it that must be
// good, and the window that is judged over.
type ServiceLevel struct {
	ID          string  `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Description string  `yaml:"description,omitempty"`
	Objective   float64 `yaml:"objective" jsonschema:"required,exclusiveMinimum=0,exclusiveMaximum=100,description=share of good in percent, e.g. 99.97"`
	// Window is rolling; Calendar makes it a calendar month or week instead.
	Window   duration.Duration `yaml:"window,omitempty" jsonschema:"description=rolling window, e.g. 7d, 28d or 30d (default 30d unless calendar is set)"`
	Calendar string            `yaml:"calendar,omitempty" jsonschema:"enum=month,enum=week,description=judge calendar months or weeks (starting Monday) instead of a rolling window"`
	Timezone string            `yaml:"timezone,omitempty" jsonschema:"description=IANA time zone calendar windows start in; default global.timezone"`

	Availability *AvailabilitySLI `yaml:"availability,omitempty" jsonschema:"description=time the checks were up over time they were observed"`
	Latency      *LatencySLI      `yaml:"latency,omitempty" jsonschema:"description=share of check results faster than a threshold"`
	Prometheus   *PrometheusSLI   `yaml:"prometheus,omitempty" jsonschema:"description=a ratio of two PromQL queries"`
	Events       *EventsSLI       `yaml:"events,omitempty" jsonschema:"description=good and total counts pushed to POST /api/v1/slos/{service}/{id}/events"`

	Alerting *SLOAlerting `yaml:"alerting,omitempty"`
	Policy   *SLOPolicy   `yaml:"policy,omitempty"`
	Runbook  string       `yaml:"runbook,omitempty" jsonschema:"description=runbook id handed to whoever a burn-rate alert pages"`

	// path is where the SLO was written, relative to its service: slos[i],
	// or slo for the one-line form.
	path  string
	rules []burn.Rule
}

// AvailabilitySLI judges the time checks were up: good is up (ok or
// degraded) time, total is time with results.
type AvailabilitySLI struct {
	Checks []string `yaml:"checks,omitempty" jsonschema:"description=check ids of the service; default all of them"`
}

// LatencySLI judges check results: good is a passing result no slower than
// Threshold, total every result.
type LatencySLI struct {
	Checks    []string          `yaml:"checks" jsonschema:"required,minItems=1,description=check ids of the service"`
	Threshold duration.Duration `yaml:"threshold" jsonschema:"required,description=results at or under it are good, e.g. 300ms"`
}

// PrometheusSLI is a ratio of PromQL queries; {{.window}} in a query stands
// for the window it is evaluated over.
type PrometheusSLI struct {
	URL       string                   `yaml:"url" jsonschema:"required,description=Prometheus base URL"`
	Good      string                   `yaml:"good,omitempty" jsonschema:"description=query counting good events, e.g. sum(increase(http_requests_total{code!~\"5..\"}[{{.window}}]))"`
	Bad       string                   `yaml:"bad,omitempty" jsonschema:"description=query counting bad events (instead of good)"`
	Total     string                   `yaml:"total" jsonschema:"required,description=query counting all events"`
	Headers   map[string]secret.String `yaml:"headers,omitempty" jsonschema:"description=request headers; values are secrets"`
	Token     secret.String            `yaml:"token,omitempty" jsonschema:"description=bearer token"`
	TokenFile string                   `yaml:"token_file,omitempty"`
}

// EventsSLI counts pushed events; it has no settings.
type EventsSLI struct{}

// SLOAlerting tunes burn-rate alerts.
type SLOAlerting struct {
	Disabled bool `yaml:"disabled,omitempty" jsonschema:"description=raise no burn-rate alerts"`
	// NoData raises a ticket while the SLI cannot be read at all.
	NoData         bool         `yaml:"no_data,omitempty" jsonschema:"description=raise a ticket while the SLI cannot be read (Prometheus down or no data at all); default false"`
	MinEvents      int          `yaml:"min_events,omitempty" jsonschema:"minimum=1,description=a window with fewer events (results or requests) is not judged; default 1 for check SLIs and 10 for events and prometheus"`
	PageSeverity   string       `yaml:"page_severity,omitempty" jsonschema:"enum=critical,enum=error,enum=warning,enum=info,default=critical"`
	TicketSeverity string       `yaml:"ticket_severity,omitempty" jsonschema:"enum=critical,enum=error,enum=warning,enum=info,default=warning"`
	Windows        []BurnWindow `yaml:"windows,omitempty" jsonschema:"description=replaces the default table (the SRE workbook's, scaled to the window)"`
}

// BurnWindow is one multiwindow rule: page or ticket while the burn rate
// over long and short is at least the factor.
type BurnWindow struct {
	Severity      string            `yaml:"severity" jsonschema:"required,enum=page,enum=ticket"`
	Long          duration.Duration `yaml:"long" jsonschema:"required"`
	Short         duration.Duration `yaml:"short" jsonschema:"required"`
	BudgetPercent float64           `yaml:"budget_percent,omitempty" jsonschema:"exclusiveMinimum=0,maximum=100,description=share of the window's budget spent over long at the factor; the factor follows"`
	Factor        float64           `yaml:"factor,omitempty" jsonschema:"exclusiveMinimum=0,description=burn rate, instead of budget_percent"`
}

// SLOPolicy is what an exhausted budget changes elsewhere in Vigil.
type SLOPolicy struct {
	BlockDeploys bool `yaml:"block_deploys,omitempty" jsonschema:"description=while the budget is spent, the deploy guard refuses deploys that are not fixes"`
}

// Default minimum events per window.
const (
	DefaultMinEventsChecks = 1
	DefaultMinEventsCounts = 10
	// LegacySLOID is the id the one-line slo: form gets.
	LegacySLOID = "availability"
)

// Kind is the SLI's kind: availability, latency, prometheus or events.
func (l *ServiceLevel) Kind() string {
	if k := l.kinds(); len(k) == 1 {
		return k[0]
	}
	return ""
}

func (l *ServiceLevel) kinds() []string {
	var out []string
	for _, k := range []struct {
		name string
		set  bool
	}{{"availability", l.Availability != nil}, {"latency", l.Latency != nil}, {"prometheus", l.Prometheus != nil}, {"events", l.Events != nil}} {
		if k.set {
			out = append(out, k.name)
		}
	}
	return out
}

// Period is the window's nominal length: the rolling window, or 30 days
// for a calendar month and 7 for a week (burn-rate factors follow it).
func (l *ServiceLevel) Period() time.Duration {
	switch l.Calendar {
	case "month":
		return 30 * 24 * time.Hour
	case "week":
		return 7 * 24 * time.Hour
	}
	return l.Window.D()
}

// BurnRules are the burn-rate alert rules, derived when config loads.
func (l *ServiceLevel) BurnRules() []burn.Rule { return l.rules }

// Location is the time zone of a calendar window.
func (l *ServiceLevel) Location() *time.Location {
	loc, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// WindowText says what the window is, e.g. "30d" or "calendar month (Europe/Rome)".
func (l *ServiceLevel) WindowText() string {
	if l.Calendar != "" {
		return "calendar " + l.Calendar + " (" + l.Timezone + ")"
	}
	return l.Window.String()
}

// sloDefaults maps the one-line form onto slos and fills in defaults.
func sloDefaults(c *Config, s *Service) {
	if s.SLO != nil && s.SLO.Window == 0 {
		s.SLO.Window = duration.Duration(DefaultSLOWindow)
	}
	if s.SLO != nil && len(s.SLOs) == 0 {
		s.SLOs = []ServiceLevel{{ID: LegacySLOID, Objective: s.SLO.Objective, Window: s.SLO.Window,
			Availability: &AvailabilitySLI{}, path: "slo"}}
	}
	for i := range s.SLOs {
		l := &s.SLOs[i]
		if l.path == "" {
			l.path = indexPath("slos", i)
		}
		if l.Window == 0 && l.Calendar == "" {
			l.Window = duration.Duration(DefaultSLOWindow)
		}
		if l.Timezone == "" {
			l.Timezone = c.Global.Timezone
		}
		if l.Availability != nil && len(l.Availability.Checks) == 0 {
			for _, ch := range s.Checks {
				l.Availability.Checks = append(l.Availability.Checks, ch.ID)
			}
		}
		if l.Alerting == nil {
			l.Alerting = &SLOAlerting{}
		}
		a := l.Alerting
		if a.MinEvents == 0 {
			a.MinEvents = DefaultMinEventsChecks
			if l.Prometheus != nil || l.Events != nil {
				a.MinEvents = DefaultMinEventsCounts
			}
		}
		if a.PageSeverity == "" {
			a.PageSeverity = "critical"
		}
		if a.TicketSeverity == "" {
			a.TicketSeverity = "warning"
		}
		if l.Policy == nil {
			l.Policy = &SLOPolicy{}
		}
		specs := burn.DefaultSpecs()
		if len(a.Windows) > 0 {
			specs = specs[:0:0]
			for _, w := range a.Windows {
				specs = append(specs, burn.Spec{Severity: w.Severity, Long: w.Long.D(), Short: w.Short.D(), BudgetPercent: w.BudgetPercent, Factor: w.Factor})
			}
		}
		l.rules = burn.Rules(specs, l.Period())
	}
}

// slos checks a service's SLOs: one SLI each, windows long enough for
// their alerts, checks that exist and PromQL that parses.
func (k *checker) slos(s *Service) {
	if s.SLO != nil && len(s.SLOs) > 0 && s.SLOs[0].path != "slo" {
		k.add(s.at.problem("slo", true, "set slo or slos, not both: move it into slos as {id: %s, objective: %g, window: %s, availability: {}}",
			LegacySLOID, s.SLO.Objective, s.SLO.Window))
	}
	checks := map[string]bool{}
	for _, ch := range s.Checks {
		checks[ch.ID] = true
	}
	seen := map[string]string{}
	for i := range s.SLOs {
		l := &s.SLOs[i]
		o := origin{f: s.at.f, path: childPath(s.at.path, l.path)}
		if prev, dup := seen[l.ID]; dup {
			k.add(o.problem("id", false, "duplicate SLO id %q in service %q (first at %s)", l.ID, s.ID, prev))
		}
		seen[l.ID] = l.path
		switch kinds := l.kinds(); len(kinds) {
		case 0:
			k.add(o.problem("", false, "needs an SLI: one of availability, latency, prometheus, events"))
		case 1:
		default:
			k.add(o.problem(kinds[1], true, "an SLO has exactly one SLI, this one has %s", strings.Join(kinds, " and ")))
		}
		if l.Objective <= 0 || l.Objective >= 100 {
			k.add(o.problem("objective", false, "must be more than 0 and less than 100 (a percentage such as 99.9)"))
		}
		k.sloWindow(o, l)
		if a := l.Availability; a != nil {
			if len(a.Checks) == 0 {
				k.add(o.problem("availability", false, "service %q has no checks to judge; list checks or add some", s.ID))
			}
			k.sloChecks(o, "availability.checks", a.Checks, checks, s.ID)
		}
		if lt := l.Latency; lt != nil {
			k.sloChecks(o, "latency.checks", lt.Checks, checks, s.ID)
			if lt.Threshold <= 0 {
				k.add(o.problem("latency.threshold", false, "must be positive, e.g. 300ms"))
			}
		}
		if p := l.Prometheus; p != nil {
			k.prometheusSLI(o, p)
		}
		if l.Runbook != "" {
			k.ref(o, "runbook", "runbook", l.Runbook, k.runbooks)
		}
	}
}

func (k *checker) sloWindow(o origin, l *ServiceLevel) {
	if l.Calendar != "" {
		if l.Window != 0 {
			k.add(o.problem("calendar", true, "set window (rolling) or calendar, not both"))
		}
		if _, err := time.LoadLocation(l.Timezone); err != nil {
			k.add(o.problem("timezone", false, "unknown time zone %q", l.Timezone))
		}
	} else if l.Window.D() < time.Hour {
		k.add(o.problem("window", false, "must be at least 1h"))
		return
	}
	for i, w := range l.Alerting.Windows {
		wp := childPath("alerting", indexPath("windows", i))
		if w.Short >= w.Long {
			k.add(o.problem(childPath(wp, "short"), false, "must be shorter than long (%s)", w.Long))
		}
		if w.Short <= 0 || w.Long <= 0 {
			k.add(o.problem(wp, false, "long and short must be positive"))
		}
		if (w.BudgetPercent == 0) == (w.Factor == 0) {
			k.add(o.problem(wp, false, "set budget_percent or factor (one of them)"))
		}
	}
	if l.Alerting.Disabled {
		return
	}
	if longest := burn.Longest(l.rules); longest > l.Period() {
		field := "window"
		if l.Calendar != "" {
			field = "calendar"
		}
		k.add(o.problem(field, false, "%s is shorter than the longest burn-rate alert window (%s); lengthen it, or set alerting.windows",
			duration.Format(l.Period()), duration.Format(longest)))
	}
}

func (k *checker) sloChecks(o origin, field string, ids []string, checks map[string]bool, service string) {
	for i, id := range ids {
		if !checks[id] {
			k.add(o.problem(indexPath(field, i), false, "unknown check %q in service %q%s", id, service, known(checks)))
		}
	}
}

func (k *checker) prometheusSLI(o origin, p *PrometheusSLI) {
	for _, pr := range promcheck.ValidateURL("prometheus.url", p.URL) {
		k.add(o.problem(pr.Field, false, "%s", pr.Message))
	}
	if (p.Good == "") == (p.Bad == "") {
		k.add(o.problem("prometheus", false, "set good or bad (one of them), and total"))
	}
	for _, q := range []struct{ field, src string }{{"good", p.Good}, {"bad", p.Bad}, {"total", p.Total}} {
		if q.src == "" {
			continue
		}
		if err := promcheck.ParseQuery(q.src); err != nil {
			k.add(k.queryProblem(o, childPath("prometheus", q.field), err))
		}
	}
}

// queryProblem points at the column inside a one-line query, as
// conditionProblem does for conditions.
func (k *checker) queryProblem(o origin, field string, err error) Problem {
	p := o.problem(field, false, "%v", err)
	qe, ok := err.(*promcheck.QueryError)
	if !ok {
		return p
	}
	at, found := o.f.vals[childPath(o.path, field)]
	if !found || at.multiline {
		return p
	}
	p.Column += qe.Column - 1
	if at.quoted {
		p.Column++
	}
	return p
}
