package toil

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
)

// Overview is everything the period says about toil: each item's cost,
// trend and savings, the work no item claims, what to automate next, and
// each person's and team's share of toil against the cap.
type Overview struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Services []string  `json:"services,omitempty"` // empty: every service
	Total    Count     `json:"total"`
	Saved    int       `json:"saved_minutes"`
	Items    []Item    `json:"items"`
	// Candidates are the item ids not yet automated, most minutes per month first.
	Candidates   []string `json:"candidates"`
	Unclassified []Group  `json:"unclassified"`
	People       []Load   `json:"people"`
	Teams        []Load   `json:"teams"`
	CapPercent   float64  `json:"cap_percent"`
	WeeklyHours  float64  `json:"weekly_hours"`
	// ByService is each service's toil in the period and the one before,
	// by the service of each entry ("" for entries of no service).
	ByService map[string]ServiceCount `json:"by_service"`
}

// ServiceCount is one service's toil in the period and the period before.
type ServiceCount struct {
	Count
	Previous Count `json:"previous"`
}

// Group is recurring work no toil item claims: the same alert, runbook or
// logged text more than once.
type Group struct {
	Kind    string `json:"kind"` // alert, runbook, manual
	Name    string `json:"name"` // alertname, runbook id or logged text
	Service string `json:"service,omitempty"`
	Count
	PerMonth Rate   `json:"per_month"`
	Suggest  string `json:"suggest"` // a match rule or command that classifies it
}

// Load is a person's or team's toil against the working time of the period.
type Load struct {
	ID       string         `json:"id"`
	Name     string         `json:"name,omitempty"`
	Members  int            `json:"members,omitempty"` // teams: members counted
	Minutes  int            `json:"minutes"`
	Working  int            `json:"working_minutes"`
	Percent  float64        `json:"percent"`
	Over     bool           `json:"over_cap"`
	BySource map[string]int `json:"minutes_by_source"`
}

// Period checks a period a caller asked about.
func Period(from, to time.Time) error {
	var problems []string
	if from.IsZero() {
		problems = append(problems, "from: is required (RFC 3339)")
	}
	if to.IsZero() {
		problems = append(problems, "to: is required (RFC 3339)")
	}
	if len(problems) == 0 {
		switch {
		case !to.After(from):
			problems = append(problems, "to: must be after from")
		case to.Sub(from) > MaxPeriod:
			problems = append(problems, "to: the period may be at most 366 days")
		}
	}
	if len(problems) > 0 {
		return errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return nil
}

// Overview measures toil over [from, to), for the services (none: all).
func (l *Ledger) Overview(ctx context.Context, from, to time.Time, services []string) (Overview, error) {
	if err := Period(from, to); err != nil {
		return Overview{}, err
	}
	cfg := l.d.Config()
	loc := location(cfg)
	period := to.Sub(from)
	all, err := l.collect(ctx, newWorld(cfg, l.d.Directory(), l.d.Clock.Now()), from.Add(-period), to)
	if err != nil {
		return Overview{}, err
	}
	edits, err := l.d.Store.ToilItemEdits(ctx)
	if err != nil {
		return Overview{}, err
	}
	cur, prev := map[string][]Entry{}, map[string][]Entry{}
	var inPeriod []Entry
	var total tally
	byService, prevByService := map[string]*tally{}, map[string]*tally{}
	tallyOf := func(m map[string]*tally, service string) *tally {
		if m[service] == nil {
			m[service] = &tally{}
		}
		return m[service]
	}
	for _, e := range all {
		if e.At.Before(from) {
			if ofServices(services, e.Service) {
				prev[e.Item] = append(prev[e.Item], e)
				tallyOf(prevByService, e.Service).add(e)
			}
			continue
		}
		inPeriod = append(inPeriod, e)
		if ofServices(services, e.Service) {
			cur[e.Item] = append(cur[e.Item], e)
			total.add(e)
			tallyOf(byService, e.Service).add(e)
		}
	}
	ov := Overview{From: from, To: to, Services: services, Total: total.Count, Items: []Item{}, Candidates: []string{},
		CapPercent: cfg.Global.Toil.CapPercent, WeeklyHours: cfg.Global.Toil.WeeklyHours, ByService: map[string]ServiceCount{}}
	for id, t := range byService {
		ov.ByService[id] = ServiceCount{Count: t.Count}
	}
	for id, t := range prevByService {
		c := ov.ByService[id]
		c.Previous = t.Count
		ov.ByService[id] = c
	}
	var shown []config.ToilItem
	for _, it := range cfg.Toil {
		if ofServices(services, it.Service) || len(cur[it.ID]) > 0 {
			shown = append(shown, it)
		}
	}
	auto, err := l.automations(ctx, shown, loc, from, to)
	if err != nil {
		return Overview{}, err
	}
	for _, it := range shown {
		item := l.item(it, edits[it.ID], auto, loc, from, to, cur[it.ID], prev[it.ID])
		ov.Saved += item.Savings.Minutes
		ov.Items = append(ov.Items, item)
	}
	ov.Candidates = candidates(ov.Items)
	ov.Unclassified = unclassified(cur[""], period)
	ov.People, ov.Teams = load(cfg, inPeriod, period)
	return ov, nil
}

func ofServices(services []string, s string) bool {
	return len(services) == 0 || slices.Contains(services, s)
}

// candidates ranks the items not yet automated by minutes per month
// (frequency times duration), then by occurrences.
func candidates(items []Item) []string {
	var out []Item
	for _, it := range items {
		if it.Status != config.ToilAutomated && it.Minutes > 0 {
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].PerMonth.Minutes != out[j].PerMonth.Minutes {
			return out[i].PerMonth.Minutes > out[j].PerMonth.Minutes
		}
		return out[i].Occurrences > out[j].Occurrences
	})
	ids := make([]string, len(out))
	for i, it := range out {
		ids[i] = it.ID
	}
	return ids
}

// unclassified groups the work no item claims and keeps what recurs.
func unclassified(es []Entry, period time.Duration) []Group {
	type key struct{ kind, name, service string }
	tallies := map[key]*tally{}
	var order []key
	for _, e := range es {
		var k key
		switch e.Source {
		case SourcePage:
			name := e.labels["alertname"]
			if name == "" {
				name = e.Text
			}
			k = key{"alert", name, e.Service}
		case SourceRun, SourceApproval:
			k = key{"runbook", e.runbook, ""}
		case SourceManual:
			k = key{"manual", strings.ToLower(strings.TrimSpace(e.Text)), e.Service}
		default:
			continue // an incident is its own work, not a candidate to automate
		}
		if tallies[k] == nil {
			tallies[k] = &tally{}
			order = append(order, k)
		}
		tallies[k].add(e)
	}
	out := []Group{}
	for _, k := range order {
		t := tallies[k]
		if t.Occurrences < 2 {
			continue
		}
		g := Group{Kind: k.kind, Name: k.name, Service: k.service, Count: t.Count, PerMonth: rate(t.Count, period, 30*24*time.Hour)}
		switch k.kind {
		case "alert":
			g.Suggest = fmt.Sprintf("match: [{alert: ['alertname=%q']}]", k.name)
		case "runbook":
			g.Suggest = fmt.Sprintf("match: [{runbook: %s}]", k.name)
		default:
			g.Suggest = "log it with --item ITEM"
		}
		out = append(out, g)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Minutes > out[j].Minutes })
	return out
}

// load is each person's and team's toil as a share of the period's
// working time: global.toil.weekly_hours for every week of the period.
func load(cfg *config.Config, es []Entry, period time.Duration) (people, teams []Load) {
	working := int(cfg.Global.Toil.WeeklyHours * 60 * float64(period) / float64(7*24*time.Hour))
	byPerson := map[string]*Load{}
	var order []string
	for _, e := range es {
		if e.Person == "" {
			continue
		}
		l := byPerson[e.Person]
		if l == nil {
			l = &Load{ID: e.Person, Working: working, BySource: map[string]int{}}
			byPerson[e.Person] = l
			order = append(order, e.Person)
		}
		l.Minutes += e.Minutes
		l.BySource[e.Source] += e.Minutes
	}
	names := map[string]string{}
	for _, p := range cfg.People {
		names[p.ID] = p.Name
	}
	people = []Load{}
	for _, id := range order {
		l := byPerson[id]
		l.Name = names[id]
		finish(l, cfg.Global.Toil.CapPercent)
		people = append(people, *l)
	}
	sort.SliceStable(people, func(i, j int) bool { return people[i].Percent > people[j].Percent })
	teams = []Load{}
	for _, t := range cfg.Teams {
		tl := Load{ID: t.ID, Name: t.Name, Members: len(t.Members), Working: working * len(t.Members), BySource: map[string]int{}}
		for _, m := range t.Members {
			if l := byPerson[m]; l != nil {
				tl.Minutes += l.Minutes
				for s, v := range l.BySource {
					tl.BySource[s] += v
				}
			}
		}
		if tl.Minutes == 0 {
			continue
		}
		finish(&tl, cfg.Global.Toil.CapPercent)
		teams = append(teams, tl)
	}
	sort.SliceStable(teams, func(i, j int) bool { return teams[i].Percent > teams[j].Percent })
	return people, teams
}

func finish(l *Load, capPercent float64) {
	if l.Working > 0 {
		l.Percent = round1(float64(l.Minutes) / float64(l.Working) * 100)
	}
	l.Over = l.Percent > capPercent
}
