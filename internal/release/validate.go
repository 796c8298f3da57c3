package release

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/release/capacity"
	"github.com/vigil-sre/vigil/internal/release/manifest"
	"github.com/vigil-sre/vigil/internal/timebound"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// Directory answers what a release names from the config. A nil Directory
// skips those checks (the CLI checks a file before sending it).
type Directory interface {
	HasService(id string) bool
	Person(id string) (name string, ok bool)
	Team(id string) (name string, ok bool)
}

// Limits on what one release holds.
const (
	MaxItems        = 500       // tickets, changes, decisions, load tests, members of a role
	MaxRoles        = 20        // stakeholder roles
	MaxManifests    = 10        // deployment files
	MaxManifestSize = 128 << 10 // bytes of one deployment file
	MaxText         = 64 << 10  // bytes of one free-text field
)

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	rolePattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// checker collects problems by field path.
type checker struct{ ps yamldoc.Problems }

func (c *checker) bad(field, format string, args ...any) {
	c.ps = append(c.ps, yamldoc.Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) text(field, s string, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		c.bad(field, "is required")
	case len(s) > MaxText:
		c.bad(field, "is longer than %d KiB", MaxText>>10)
	}
}

func (c *checker) count(field string, n, limit int) {
	if n > limit {
		c.bad(field, "has %d items; at most %d", n, limit)
	}
}

func (c *checker) link(field, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.bad(field, "%q is not an http(s) URL", s)
	}
}

// Build checks a spec and turns it into a release as it would be stored
// (without id, history or times of record). Every problem is returned at
// once, each naming its field; dir resolves services, people and teams.
func Build(s Spec, dir Directory) (Release, yamldoc.Problems) {
	c := &checker{}
	r := Release{Service: s.Service, Name: strings.TrimSpace(s.Name), Version: strings.TrimSpace(s.Version), Status: s.Status}
	switch {
	case s.Service == "":
		c.bad("service", "is required")
	case !idPattern.MatchString(s.Service):
		c.bad("service", "%q is not a service id", s.Service)
	case dir != nil && !dir.HasService(s.Service):
		c.bad("service", "unknown service %q", s.Service)
	}
	if r.Version == "" {
		c.bad("version", "is required")
	} else if len(r.Version) > 100 {
		c.bad("version", "is longer than 100 characters")
	}
	if r.Name == "" {
		r.Name = r.Version
	}
	c.text("name", r.Name, false)
	if r.Status == "" {
		r.Status = Planned
	} else if !slices.Contains(Statuses, r.Status) {
		c.bad("status", "%q is not one of %s", r.Status, strings.Join(Statuses, ", "))
	}
	r.PlannedAt = c.date("planned_at", s.PlannedAt, true)
	r.StartedAt = c.date("started_at", s.StartedAt, false)
	r.FinishedAt = c.date("finished_at", s.FinishedAt, false)
	if !r.StartedAt.IsZero() && !r.FinishedAt.IsZero() && r.FinishedAt.Before(r.StartedAt) {
		c.bad("finished_at", "is before started_at")
	}
	if !r.FinishedAt.IsZero() && r.Status != Released && r.Status != RolledBack {
		c.bad("finished_at", "is only for a release that is released or rolled_back")
	}
	c.text("summary", s.Summary, false)
	r.Summary = s.Summary
	r.Stakeholders = c.stakeholders(s.Stakeholders, dir)
	r.CodeChanges = c.tickets(s.CodeChanges)
	r.DataChanges = c.changes("data_changes", s.DataChanges, r.CodeChanges)
	r.SystemChanges = c.changes("system_changes", s.SystemChanges, r.CodeChanges)
	c.count("design_decisions", len(s.DesignDecisions), MaxItems)
	for i, d := range s.DesignDecisions {
		p := yamldoc.Index("design_decisions", i)
		c.text(p+".text", d.Text, true)
		c.text(p+".doc", d.Doc, false)
		c.link(p+".link", d.Link)
	}
	r.DesignDecisions = orEmpty(s.DesignDecisions)
	c.tests(s.Tests)
	r.Tests = s.Tests
	c.text("deployment_notes", s.DeploymentNotes, false)
	r.DeploymentNotes = s.DeploymentNotes
	r.Manifests = c.manifests(s.Manifests)
	if s.Capacity != nil {
		res, ps := capacity.Plan(*s.Capacity)
		for _, p := range ps {
			p.Field = yamldoc.Child("capacity", p.Field)
			c.ps = append(c.ps, p)
		}
		if len(ps) == 0 {
			r.Capacity = &res
		}
	}
	return r, c.ps
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// date reads 2023-05-03, 2023-05-03 22:00 (UTC) or an RFC 3339 time.
func (c *checker) date(field, s string, required bool) time.Time {
	if s == "" {
		if required {
			c.bad(field, "is required (e.g. 2023-05-03 or 2023-05-03T22:00:00Z)")
		}
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if p := timebound.Storable().Problem(t); p != "" {
				c.bad(field, "%s", p)
				return time.Time{}
			}
			return t.UTC()
		}
	}
	c.bad(field, "%q is not a date (2023-05-03), a UTC time (2023-05-03 22:00) or an RFC 3339 time", s)
	return time.Time{}
}

// roleOrder puts the roles the as-built document always had first.
var roleOrder = []string{"developers", "ops", "sre"}

func (c *checker) stakeholders(m map[string][]string, dir Directory) []Group {
	if len(m) > MaxRoles {
		c.bad("stakeholders", "has %d roles; at most %d", len(m), MaxRoles)
	}
	roles := make([]string, 0, len(m))
	for role := range m {
		roles = append(roles, role)
	}
	sort.Slice(roles, func(i, j int) bool {
		a, b := slices.Index(roleOrder, roles[i]), slices.Index(roleOrder, roles[j])
		if a < 0 {
			a = len(roleOrder)
		}
		if b < 0 {
			b = len(roleOrder)
		}
		if a != b {
			return a < b
		}
		return roles[i] < roles[j]
	})
	out := []Group{}
	for _, role := range roles {
		field := yamldoc.Child("stakeholders", role)
		if !rolePattern.MatchString(role) {
			c.bad(field, "%q is not a role name (lowercase letters, digits, '-' and '_', such as developers or sre)", role)
		}
		members := m[role]
		c.count(field, len(members), MaxItems)
		g := Group{Role: role, Members: []Member{}}
		for i, who := range members {
			g.Members = append(g.Members, c.member(yamldoc.Index(field, i), strings.TrimSpace(who), dir))
		}
		out = append(out, g)
	}
	return out
}

// member resolves person/ID and team/ID against the config; anything else
// is the name of someone outside Vigil.
func (c *checker) member(field, who string, dir Directory) Member {
	kind, id, ref := strings.Cut(who, "/")
	switch {
	case who == "":
		c.bad(field, "is empty")
	case len(who) > 200:
		c.bad(field, "is longer than 200 characters")
	case ref && kind == "person":
		if dir == nil {
			return Member{Ref: who, Name: id}
		}
		if name, ok := dir.Person(id); ok {
			return Member{Ref: who, Name: name}
		}
		c.bad(field, "unknown person %q", id)
	case ref && kind == "team":
		if dir == nil {
			return Member{Ref: who, Name: id}
		}
		if name, ok := dir.Team(id); ok {
			return Member{Ref: who, Name: name}
		}
		c.bad(field, "unknown team %q", id)
	}
	return Member{Name: who}
}

func (c *checker) tickets(ts []Ticket) []Ticket {
	c.count("code_changes", len(ts), MaxItems)
	seen := map[string]bool{}
	for i, t := range ts {
		p := yamldoc.Index("code_changes", i)
		c.text(p+".id", t.ID, true)
		c.text(p+".title", t.Title, true)
		if !slices.Contains(Kinds, t.Kind) {
			c.bad(p+".kind", "%q is not one of feature, security, fix, chore", t.Kind)
		}
		c.link(p+".link", t.Link)
		if key := strings.ToUpper(t.ID); t.ID != "" && seen[key] {
			c.bad(p+".id", "%s is listed twice", t.ID)
		} else {
			seen[key] = true
		}
	}
	return orEmpty(ts)
}

// changes checks data or system changes; a ticket they name must be one of
// the release's code changes (matched ignoring case: TK-101 is Tk-101).
func (c *checker) changes(field string, cs []Change, tickets []Ticket) []Change {
	c.count(field, len(cs), MaxItems)
	for i, ch := range cs {
		p := yamldoc.Index(field, i)
		c.text(p+".text", ch.Text, true)
		if ch.Ticket != "" && !slices.ContainsFunc(tickets, func(t Ticket) bool { return strings.EqualFold(t.ID, ch.Ticket) }) {
			c.bad(p+".ticket", "%s is not one of this release's code_changes", ch.Ticket)
		}
	}
	return orEmpty(cs)
}

func (c *checker) tests(t Tests) {
	c.text("tests.summary", t.Summary, false)
	c.count("tests.load_tests", len(t.LoadTests), MaxItems)
	for i, lt := range t.LoadTests {
		p := yamldoc.Index("tests.load_tests", i)
		c.text(p+".component", lt.Component, true)
		if lt.Result != "" && lt.Result != "pass" && lt.Result != "fail" {
			c.bad(p+".result", "%q is not pass or fail", lt.Result)
		}
		if lt.ConcurrentUsers < 0 {
			c.bad(p+".concurrent_users", "must not be negative")
		}
		for field, v := range map[string]string{"memory_change": lt.MemoryChange, "cpu_change": lt.CPUChange} {
			if v != "" && !regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?%$`).MatchString(v) {
				c.bad(p+"."+field, "%q is not a change such as +25%%", v)
			}
		}
		c.count(p+".findings", len(lt.Findings), MaxItems)
		for j, f := range lt.Findings {
			c.text(yamldoc.Index(p+".findings", j), f, true)
		}
	}
}

// manifests reads each deployment file and reviews it; what the review
// finds is kept with the release, not refused (a record of what was
// deployed may well hold mistakes). A file that is not YAML is refused.
func (c *checker) manifests(ms []ManifestSpec) []Manifest {
	c.count("manifests", len(ms), MaxManifests)
	out := []Manifest{}
	for i, m := range ms {
		p := yamldoc.Index("manifests", i)
		if m.File != "" {
			c.bad(p+".file", "the server reads no files: send the manifest's text as yaml (the CLI does this for you)")
			continue
		}
		if strings.TrimSpace(m.YAML) == "" {
			c.bad(p+".yaml", "is required: the manifest's text")
			continue
		}
		if len(m.YAML) > MaxManifestSize {
			c.bad(p+".yaml", "is larger than %d KiB", MaxManifestSize>>10)
			continue
		}
		name := m.Name
		ws, err := manifest.Summarize(name, []byte(m.YAML))
		if err != nil {
			for _, q := range err.(yamldoc.Problems) {
				c.bad(p+".yaml", "line %d, column %d: %s", q.Line, q.Column, q.Message)
			}
			continue
		}
		if name == "" {
			name = fmt.Sprintf("manifest-%d.yaml", i+1)
			for _, w := range ws {
				if w.Name != "" {
					name = w.Name + ".yaml"
					break
				}
			}
		}
		c.text(p+".name", name, false)
		findings := manifest.Lint(name, []byte(m.YAML))
		if findings == nil {
			findings = yamldoc.Problems{}
		}
		if ws == nil {
			ws = []manifest.Summary{}
		}
		out = append(out, Manifest{Name: name, Source: m.YAML, Workloads: ws, Findings: findings})
	}
	return out
}
