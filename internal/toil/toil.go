// Package toil measures toil: the manual, repetitive work of running
// services. Its ledger joins what Vigil records itself (time on pages,
// runbook runs started by hand, approvals, incident roles, alerts that
// match a toil item) with what people log, attaches each entry to the toil
// item whose rules match it, and from there counts each item's cost and
// trend, what its automation saved, which work to automate next, and
// whether anyone's toil is over the SRE book's 50% cap.
//
// Entries Vigil derives are read from the record when asked, never copied:
// they always agree with the alerts, runs and incidents they come from, and
// a change to the toil items applies to the past too.
package toil

import (
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/store"
)

// Sources of ledger entries.
const (
	SourcePage     = "page"     // time on a page: first page to resolution
	SourceIncident = "incident" // a role in an incident, until it was resolved
	SourceRun      = "run"      // a runbook run started by hand
	SourceApproval = "approval" // approving a run
	SourceAlert    = "alert"    // an alert of a toil item that paged nobody: its estimate
	SourceManual   = "manual"   // logged by a person
)

// Sources lists every source.
func Sources() []string {
	return []string{SourcePage, SourceIncident, SourceRun, SourceApproval, SourceAlert, SourceManual}
}

// Entry is one piece of toil.
type Entry struct {
	ID      string    `json:"id"` // manual/12, page/42/thach, run/r_x, approval/r_x/3, incident/7/thach, alert/42
	At      time.Time `json:"at"`
	Minutes int       `json:"minutes"`
	Person  string    `json:"person,omitempty"`
	Service string    `json:"service,omitempty"`
	Item    string    `json:"item,omitempty"`
	Source  string    `json:"source"`
	Text    string    `json:"text"`
	Ref     string    `json:"ref,omitempty"` // what it comes from: alert/42, run/r_x, incident/7

	span       time.Duration // measured [At, At+span) before overlaps are removed
	occurrence string        // entries with one key are one occurrence of their item
	labels     map[string]string
	check      string // service/check of a check's alert
	runbook    string
	trigger    string // manual or automatic, for runs and approvals
	priority   int    // lower claims overlapping time first
}

// Deps is what the ledger reads.
type Deps struct {
	Store     *store.Store
	Clock     clock.Clock
	Config    func() *config.Config
	Directory func() *oncall.Directory
}

// Ledger answers questions about toil from the record and the config.
type Ledger struct {
	d Deps
}

// New makes a ledger.
func New(d Deps) *Ledger { return &Ledger{d: d} }

// MaxPeriod bounds what one question reads.
const MaxPeriod = 366 * 24 * time.Hour

// location is the team's time zone, for weeks and local dates.
func location(cfg *config.Config) *time.Location {
	loc, err := time.LoadLocation(cfg.Global.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// minutesOf rounds a duration up to whole minutes.
func minutesOf(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Minute - 1) / time.Minute)
}
