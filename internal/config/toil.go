package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
)

// ToilItem is a piece of recurring manual work the team wants to measure
// and plan away. Match rules attach what Vigil records (pages, runs,
// approvals) to it; people log the rest.
type ToilItem struct {
	ID      string `yaml:"id" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9_.-]*$"`
	Title   string `yaml:"title" jsonschema:"required"`
	Service string `yaml:"service,omitempty" jsonschema:"description=service id; when set, only that service's records match"`
	Owner   string `yaml:"owner,omitempty" jsonschema:"description=person/ID or team/ID who owns removing it"`
	// Estimate is what one occurrence takes by hand, for what Vigil only
	// counts (alerts that paged nobody, approvals, automatic runs).
	Estimate duration.Duration `yaml:"estimate,omitempty" jsonschema:"description=time one occurrence takes by hand, at most 24h; required with automated_by"`
	Match    []ToilMatch       `yaml:"match,omitempty" jsonschema:"description=records that belong to this item; any rule may match"`
	// AutomatedBy names the runbook that does the work now; its automatic
	// runs are the savings.
	AutomatedBy    string `yaml:"automated_by,omitempty" jsonschema:"description=runbook id whose automatic runs replace the manual work"`
	AutomatedSince string `yaml:"automated_since,omitempty" jsonschema:"description=when the automation was introduced: 2006-01-02 or 2006-01-02T15:04:05 in global.timezone; default its first automatic run"`
	Impact         string `yaml:"impact,omitempty" jsonschema:"description=what the manual work costs the business (Markdown); an edit through the API replaces it"`
	Benefit        string `yaml:"benefit,omitempty" jsonschema:"description=what automating it gains (Markdown); an edit through the API replaces it"`
	Status         string `yaml:"status,omitempty" jsonschema:"enum=identified,enum=planned,enum=automated,default=identified"`

	at origin
}

// ToilMatch is one rule attaching records to a toil item: exactly one of
// alert, check or runbook.
type ToilMatch struct {
	Alert   []string `yaml:"alert,omitempty" jsonschema:"description=Alertmanager matchers on the alert's labels; all must hold, e.g. alertname=\"LowStorage\""`
	Check   string   `yaml:"check,omitempty" jsonschema:"description=service/check: alerts of that check"`
	Runbook string   `yaml:"runbook,omitempty" jsonschema:"description=runbook id: its runs by hand and approvals of its runs"`
	Trigger string   `yaml:"trigger,omitempty" jsonschema:"enum=manual,enum=automatic,enum=any,default=any,description=with runbook: only runs started this way (automatic: by an alert, schedule, webhook or another run)"`
}

// ToilSettings are the team-wide numbers toil accounting uses.
type ToilSettings struct {
	WeeklyHours float64 `yaml:"weekly_hours,omitempty" jsonschema:"exclusiveMinimum=0,maximum=168,default=40,description=working hours a week; a period's working time is this times its weeks"`
	CapPercent  float64 `yaml:"cap_percent,omitempty" jsonschema:"exclusiveMinimum=0,maximum=100,default=50,description=share of working time toil may take before a warning (the SRE book's 50%)"`
	// ApprovalTime is what approving a run costs its approver.
	ApprovalTime duration.Duration `yaml:"approval_time,omitempty" jsonschema:"description=time an approval takes, counted per approval,default=5m"`
}

// Toil defaults.
const (
	DefaultWeeklyHours  = 40
	DefaultCapPercent   = 50
	DefaultApprovalTime = 5 * time.Minute
	// MaxToilEntry bounds any one piece of toil: nobody works 25 hours on
	// one thing in one day.
	MaxToilEntry = 24 * time.Hour
)

// Toil item statuses, in the order an item moves through them.
const (
	ToilIdentified = "identified"
	ToilPlanned    = "planned"
	ToilAutomated  = "automated"
)

// ToilStatuses lists the statuses in order.
func ToilStatuses() []string { return []string{ToilIdentified, ToilPlanned, ToilAutomated} }

// Match triggers a runbook rule selects.
const (
	TriggerManual    = "manual"
	TriggerAutomatic = "automatic"
	TriggerAny       = "any"
)

// AutomatedSinceTime is when the item's automation was introduced in loc,
// or zero when automated_since is not set.
func (t *ToilItem) AutomatedSinceTime(loc *time.Location) time.Time {
	if t.AutomatedSince == "" {
		return time.Time{}
	}
	at, _ := parseDateOrTime(t.AutomatedSince, loc) // checked at load
	return at
}

func parseDateOrTime(s string, loc *time.Location) (time.Time, error) {
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return d, nil
	}
	return ParseLocalTime(s, loc)
}

func toilDefaults(c *Config) {
	g := &c.Global.Toil
	if g.WeeklyHours == 0 {
		g.WeeklyHours = DefaultWeeklyHours
	}
	if g.CapPercent == 0 {
		g.CapPercent = DefaultCapPercent
	}
	if g.ApprovalTime == 0 {
		g.ApprovalTime = duration.Duration(DefaultApprovalTime)
	}
	for i := range c.Toil {
		it := &c.Toil[i]
		if it.Status == "" {
			it.Status = ToilIdentified
		}
		for j := range it.Match {
			if it.Match[j].Runbook != "" && it.Match[j].Trigger == "" {
				it.Match[j].Trigger = TriggerAny
			}
		}
	}
}

// toil checks the toil items: references resolve, each rule is of one kind,
// matchers parse, and an automated item can be priced.
func (k *checker) toil() {
	loc, err := time.LoadLocation(k.cfg.Global.Timezone)
	if err != nil {
		loc = time.UTC
	}
	if d := k.cfg.Global.Toil.ApprovalTime.D(); d < 0 || d > MaxToilEntry {
		k.add(k.cfg.globalAt.problem("toil.approval_time", false, "must be between 0 and 24h"))
	}
	ids(k, k.cfg.Toil, func(x *ToilItem) (string, origin) { return x.ID, x.at })
	for _, it := range k.cfg.Toil {
		o := it.at
		if it.Service != "" {
			k.ref(o, "service", "service", it.Service, k.services)
		}
		if it.Owner != "" {
			k.target(o, "owner", it.Owner, "person", "team")
		}
		if d := it.Estimate.D(); d < 0 || d > MaxToilEntry {
			k.add(o.problem("estimate", false, "must be between 0 and 24h"))
		}
		for i, m := range it.Match {
			k.toilMatch(o, indexPath("match", i), it.Service, m)
		}
		if it.AutomatedBy != "" {
			k.ref(o, "automated_by", "runbook", it.AutomatedBy, k.runbooks)
			if it.Estimate == 0 {
				k.add(o.problem("estimate", true, "is required with automated_by: savings are automatic runs times this estimate"))
			}
		}
		if it.AutomatedSince != "" {
			if _, err := parseDateOrTime(it.AutomatedSince, loc); err != nil {
				k.add(o.problem("automated_since", false, "invalid time %q (write 2006-01-02 or 2006-01-02T15:04:05, local to global.timezone)", it.AutomatedSince))
			}
			if it.AutomatedBy == "" {
				k.add(o.problem("automated_since", true, "applies only with automated_by"))
			}
		}
	}
}

func (k *checker) toilMatch(o origin, path, service string, m ToilMatch) {
	kinds := 0
	for _, set := range []bool{len(m.Alert) > 0, m.Check != "", m.Runbook != ""} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		k.add(o.problem(path, false, "set exactly one of alert, check, runbook (found %d)", kinds))
	}
	k.matchers(o, childPath(path, "alert"), m.Alert)
	if m.Check != "" {
		svc, _, _ := strings.Cut(m.Check, "/")
		switch {
		case !k.checks[m.Check]:
			k.add(o.problem(childPath(path, "check"), false, "unknown check %q (write service/check)", m.Check))
		case service != "" && svc != service:
			k.add(o.problem(childPath(path, "check"), false, "is a check of service %q, but the item belongs to %q", svc, service))
		}
	}
	if m.Runbook != "" {
		k.ref(o, childPath(path, "runbook"), "runbook", m.Runbook, k.runbooks)
	}
	if m.Trigger != "" && m.Runbook == "" {
		k.add(o.problem(childPath(path, "trigger"), true, "applies to runbook rules only"))
	}
}

// ToilItem returns the item with id, if any.
func (c *Config) ToilItem(id string) (*ToilItem, bool) {
	for i := range c.Toil {
		if c.Toil[i].ID == id {
			return &c.Toil[i], true
		}
	}
	return nil, false
}

// String names the rule the way config writes it, for reports.
func (m ToilMatch) String() string {
	switch {
	case len(m.Alert) > 0:
		return "alert " + strings.Join(m.Alert, ", ")
	case m.Check != "":
		return "check " + m.Check
	case m.Runbook != "":
		return fmt.Sprintf("runbook %s (%s)", m.Runbook, m.Trigger)
	}
	return ""
}
