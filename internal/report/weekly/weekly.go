// Package weekly writes the weekly status report from the record, per
// service, in the shape SRE teams write it by hand: the work done
// (releases, deploys, runbook runs, action items closed), the week's
// incidents with a link to each postmortem, what the service delivered
// against its SLOs and its checks' uptime, the on-call load, toil and what
// automation saved, and the future work (open action items, planned
// releases, upcoming maintenance). Config changes, which apply to every
// service, come once at the end.
package weekly

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/store"
)

// MaxPeriod bounds what one report covers: a week, or a month at most.
const MaxPeriod = config.MaxWeeklyPeriod

// Report is the week of some services.
type Report struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Zone     string    `json:"zone"`
	Services []Service `json:"services"`
	// ConfigChanges are the config reloads of the period; they apply to every service.
	ConfigChanges []store.AuditRow `json:"config_changes"`
	// Maintenance windows ahead that name no service (match other labels).
	Maintenance []Window `json:"maintenance"`
}

// Service is one service's week.
type Service struct {
	ID   string `json:"id"`
	Name string `json:"name"`

	Releases []Release         `json:"releases"`
	Deploys  []store.DeployRow `json:"deploys"`
	Runs     []RunbookRuns     `json:"runbook_runs"`
	Closed   []Action          `json:"action_items_closed"`

	Incidents []Incident `json:"incidents"`

	SLOs   []slo.PeriodSLI `json:"slos"`
	Uptime []slo.PeriodSLI `json:"uptime"`
	// SLOsRunning is false when Vigil judges no SLOs (none could be read).
	SLOsRunning bool `json:"-"`

	OnCall OnCall `json:"on_call"`
	Toil   *Toil  `json:"toil"` // nil when no toil item is configured for the service

	Open        []Action  `json:"action_items_open"`
	Planned     []Release `json:"releases_planned"`
	Maintenance []Window  `json:"maintenance"`
}

// Release is a release that moved in the week, or one planned after it.
type Release struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	Version string    `json:"version"`
	Status  string    `json:"status"`
	At      time.Time `json:"at"` // finished, started or planned, whichever applies
}

// RunbookRuns counts one runbook's runs in the week.
type RunbookRuns struct {
	Runbook   string `json:"runbook"`
	Manual    int    `json:"manual"`
	Automatic int    `json:"automatic"`
	Failed    int    `json:"failed"`
}

// Action is an incident's follow-up.
type Action struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	Incident   string    `json:"incident"`
	Item       string    `json:"item"`
	Owner      string    `json:"owner,omitempty"`
	Status     string    `json:"status"`
	Due        time.Time `json:"due,omitzero"`
	At         time.Time `json:"updated_at"`
}

// Incident is an incident whose impact overlapped the week.
type Incident struct {
	ID         int64         `json:"id"`
	Title      string        `json:"title"`
	Severity   string        `json:"severity"`
	Status     string        `json:"status"`
	Started    time.Time     `json:"started_at"`
	Resolved   time.Time     `json:"resolved_at,omitzero"`
	Duration   time.Duration `json:"duration"` // to resolution, or to now while open
	Postmortem string        `json:"postmortem"`
}

// OnCall is the paging load the service caused.
type OnCall struct {
	Pages    int          `json:"pages"`
	OffHours int          `json:"off_hours_pages"`
	People   []PersonLoad `json:"people"`
}

// PersonLoad is one person's pages about the service.
type PersonLoad struct {
	Person   string `json:"person"`
	Pages    int    `json:"pages"`
	OffHours int    `json:"off_hours_pages"`
}

// Toil is the service's toil in the week against the week before.
type Toil struct {
	Minutes     int        `json:"minutes"`
	Occurrences int        `json:"occurrences"`
	Previous    int        `json:"previous_minutes"`
	Saved       int        `json:"saved_minutes"`
	TotalSaved  int        `json:"total_saved_minutes"` // since each automation began
	Items       []ToilItem `json:"items"`
}

// ToilItem is one toil item's week.
type ToilItem struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	Minutes int    `json:"minutes"`
	Trend   string `json:"trend"`
	Saved   int    `json:"saved_minutes"`
}

// Window is a maintenance window.
type Window struct {
	ID    string            `json:"id"`
	Start time.Time         `json:"start"`
	End   time.Time         `json:"end"`
	Match map[string]string `json:"match"`
}

// Check refuses a period or services a report cannot cover, naming every
// field at fault at once.
func Check(cfg *config.Config, from, to time.Time, services []string) error {
	var problems []string
	if from.IsZero() {
		problems = append(problems, "from: is required (RFC 3339)")
	}
	if to.IsZero() {
		problems = append(problems, "to: is required (RFC 3339)")
	}
	if !from.IsZero() && !to.IsZero() {
		switch {
		case !to.After(from):
			problems = append(problems, "to: must be after from")
		case to.Sub(from) > MaxPeriod:
			problems = append(problems, fmt.Sprintf("to: the period may be at most 31 days (it is %.1f)", to.Sub(from).Hours()/24))
		}
	}
	for _, id := range services {
		if !slices.ContainsFunc(cfg.Services, func(s config.Service) bool { return s.ID == id }) {
			problems = append(problems, "service: unknown service "+strconv.Quote(id))
		}
	}
	if len(problems) > 0 {
		return errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return nil
}
