// Package release keeps release records: what a release of a service
// contains (stakeholders, tickets, data and system changes, design
// decisions, tests, deployment notes, manifests, a capacity plan), its
// status from planned to released or rolled back, and the as-built document
// written from the record and from what Vigil saw around it (deploys,
// incidents) set against the service's previous release.
package release

import (
	"time"

	"github.com/vigil-sre/vigil/internal/release/capacity"
	"github.com/vigil-sre/vigil/internal/release/manifest"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// Statuses, in the order a release goes through them.
const (
	Planned    = "planned"
	InProgress = "in_progress"
	Released   = "released"
	RolledBack = "rolled_back"
)

// Statuses lists every status.
var Statuses = []string{Planned, InProgress, Released, RolledBack}

// next says which statuses each status may move to. A release found bad
// after it was marked released can still be rolled back.
var next = map[string][]string{
	Planned:    {InProgress},
	InProgress: {Released, RolledBack},
	Released:   {RolledBack},
}

// Ticket kinds, in the order the as-built document groups them.
var Kinds = []string{"security", "feature", "fix", "chore"}

// Release is a release as stored and served.
type Release struct {
	ID         int64     `json:"id"`
	Service    string    `json:"service"`
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	Status     string    `json:"status"`
	PlannedAt  time.Time `json:"planned_at"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"` // released or rolled back
	Details
	Manifests []Manifest     `json:"manifests"`
	History   []StatusChange `json:"history"`
	CreatedBy string         `json:"created_by"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// Details are the parts of a release kept as one document.
type Details struct {
	Summary         string           `json:"summary,omitempty"`
	Stakeholders    []Group          `json:"stakeholders"`
	CodeChanges     []Ticket         `json:"code_changes"`
	DataChanges     []Change         `json:"data_changes"`
	SystemChanges   []Change         `json:"system_changes"`
	DesignDecisions []Decision       `json:"design_decisions"`
	Tests           Tests            `json:"tests"`
	DeploymentNotes string           `json:"deployment_notes,omitempty"`
	Capacity        *capacity.Result `json:"capacity,omitempty"`
}

// Group is the stakeholders of one role.
type Group struct {
	Role    string   `json:"role"`
	Members []Member `json:"members"`
}

// Member is a stakeholder: a person or team from the config (Ref set, Name
// as the config named them when the release was recorded), or a person
// outside Vigil named in free text (Ref empty).
type Member struct {
	Ref  string `json:"ref,omitempty"`
	Name string `json:"name"`
}

// Ticket is one code change.
type Ticket struct {
	ID    string `json:"id" yaml:"id"`
	Title string `json:"title" yaml:"title"`
	Kind  string `json:"kind" yaml:"kind"` // security, feature, fix, chore
	Link  string `json:"link,omitempty" yaml:"link,omitempty"`
}

// Change is one data or system change, optionally tied to a ticket.
type Change struct {
	Text   string `json:"text" yaml:"text"`
	Ticket string `json:"ticket,omitempty" yaml:"ticket,omitempty"`
}

// Decision is a design decision highlight.
type Decision struct {
	Text string `json:"text" yaml:"text"`
	Doc  string `json:"doc,omitempty" yaml:"doc,omitempty"`   // e.g. "Design Doc 5247"
	Link string `json:"link,omitempty" yaml:"link,omitempty"` // http(s) URL
}

// Tests is the test section: free text and structured load-test results.
type Tests struct {
	Summary   string     `json:"summary,omitempty" yaml:"summary,omitempty"`
	LoadTests []LoadTest `json:"load_tests,omitempty" yaml:"load_tests,omitempty"`
}

// LoadTest is what load testing found for one component.
type LoadTest struct {
	Component       string   `json:"component" yaml:"component"`
	Result          string   `json:"result,omitempty" yaml:"result,omitempty"` // pass or fail
	ConcurrentUsers int      `json:"concurrent_users,omitempty" yaml:"concurrent_users,omitempty"`
	MemoryChange    string   `json:"memory_change,omitempty" yaml:"memory_change,omitempty"` // e.g. +25%
	CPUChange       string   `json:"cpu_change,omitempty" yaml:"cpu_change,omitempty"`
	Findings        []string `json:"findings,omitempty" yaml:"findings,omitempty"`
}

// Manifest is a deployment file of the release: its text as given, what
// Vigil read from it, and what a review of it found.
type Manifest struct {
	Name      string             `json:"name"`
	Source    string             `json:"source"`
	Workloads []manifest.Summary `json:"workloads"`
	Findings  yamldoc.Problems   `json:"findings"`
}

// StatusChange is one step of a release's status.
type StatusChange struct {
	From string    `json:"from,omitempty"`
	To   string    `json:"to"`
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Note string    `json:"note,omitempty"`
}

// OnlyFixes reports whether a release only fixes: it has code changes and
// each is a fix or a security fix. Such a release may go out while the
// service's error budget is spent, as the SRE book's budget policy allows
// (everything else waits until the budget recovers).
func (d Details) OnlyFixes() bool {
	for _, t := range d.CodeChanges {
		if t.Kind != "fix" && t.Kind != "security" {
			return false
		}
	}
	return len(d.CodeChanges) > 0
}
