package weekly

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/release"
	oncalllog "github.com/vigil-sre/vigil/internal/report/oncall"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/toil"
	"github.com/vigil-sre/vigil/internal/zone"
)

// Deps are where the report reads the week from.
type Deps struct {
	Store *store.Store
	Toil  *toil.Ledger
	// SLOs measures SLOs and uptime over the period; nil when not running.
	SLOs *slo.Service
}

// Options choose the period and the services (none: every service).
type Options struct {
	Config   *config.Config
	From, To time.Time
	Services []string
	Now      time.Time      // an incident still open lasts until now
	Loc      *time.Location // the zone of the report's times; default the config's
}

// Ahead is how far past the period future work looks: maintenance windows
// and planned releases in the two weeks after it.
const Ahead = 14 * 24 * time.Hour

// Build reads the period's record once for all services and sorts it out
// per service.
func Build(ctx context.Context, d Deps, o Options) (Report, error) {
	cfg := o.Config
	if err := Check(cfg, o.From, o.To, o.Services); err != nil {
		return Report{}, err
	}
	if o.Loc == nil {
		o.Loc = zone.Default(cfg)
	}
	r := Report{From: o.From, To: o.To, Zone: o.Loc.String(), Services: []Service{}, ConfigChanges: []store.AuditRow{}, Maintenance: []Window{}}
	idx := map[string]int{}
	for _, sv := range cfg.Services {
		if len(o.Services) > 0 && !slices.Contains(o.Services, sv.ID) {
			continue
		}
		idx[sv.ID] = len(r.Services)
		r.Services = append(r.Services, Service{ID: sv.ID, Name: sv.DisplayName(), Releases: []Release{}, Deploys: []store.DeployRow{},
			Runs: []RunbookRuns{}, Closed: []Action{}, Incidents: []Incident{}, SLOs: []slo.PeriodSLI{}, Uptime: []slo.PeriodSLI{},
			OnCall: OnCall{People: []PersonLoad{}}, Open: []Action{}, Planned: []Release{}, Maintenance: []Window{}})
	}
	of := func(id string) *Service {
		if i, ok := idx[id]; ok {
			return &r.Services[i]
		}
		return nil
	}
	steps := []func(context.Context, Deps, Options, func(string) *Service) error{
		workDone, runsOf, actionsOf, incidentsOf, pagesOf, toilOf,
	}
	for _, step := range steps {
		if err := step(ctx, d, o, of); err != nil {
			return Report{}, err
		}
	}
	if d.SLOs != nil {
		slos, uptime := d.SLOs.Period(ctx, cfg, o.Services, o.From, o.To)
		for _, p := range slos {
			if s := of(p.Service); s != nil {
				s.SLOs = append(s.SLOs, p)
			}
		}
		for _, p := range uptime {
			if s := of(p.Service); s != nil {
				s.Uptime = append(s.Uptime, p)
			}
		}
		for i := range r.Services {
			r.Services[i].SLOsRunning = true
		}
	}
	changes, err := d.Store.AuditActions(ctx, "config.reloaded", o.From, o.To)
	if err != nil {
		return Report{}, err
	}
	r.ConfigChanges = append(r.ConfigChanges, changes...)
	for _, w := range maintenance(cfg, o) {
		if s := of(w.Match["service"]); s != nil {
			s.Maintenance = append(s.Maintenance, w)
		} else if w.Match["service"] == "" {
			r.Maintenance = append(r.Maintenance, w)
		}
	}
	return r, nil
}

// workDone adds the releases that moved in the period, those planned
// after it, and the deploys.
func workDone(ctx context.Context, d Deps, o Options, of func(string) *Service) error {
	deploys, err := d.Store.Deploys(ctx, "", o.From, o.To)
	if err != nil {
		return err
	}
	for i := len(deploys) - 1; i >= 0; i-- { // oldest first
		if s := of(deploys[i].Service); s != nil {
			s.Deploys = append(s.Deploys, deploys[i])
		}
	}
	for _, sv := range o.Config.Services {
		s := of(sv.ID)
		if s == nil {
			continue
		}
		rows, err := d.Store.Releases(ctx, store.ReleaseFilter{Service: sv.ID, Limit: 1000})
		if err != nil {
			return err
		}
		for i := len(rows) - 1; i >= 0; i-- {
			row := rows[i]
			rel := Release{ID: row.ID, Name: row.Name, Version: row.Version, Status: row.Status}
			switch {
			case in(row.FinishedAt, o.From, o.To):
				rel.At = row.FinishedAt
			case row.Status == release.InProgress && row.StartedAt.Before(o.To):
				rel.At = row.StartedAt
			case row.Status == release.Planned && !row.PlannedAt.Before(o.From) && row.PlannedAt.Before(o.To.Add(Ahead)):
				rel.At = row.PlannedAt
				s.Planned = append(s.Planned, rel)
				continue
			default:
				continue
			}
			s.Releases = append(s.Releases, rel)
		}
	}
	return nil
}

// runsOf counts runbook runs per service: runs on an alert go to the
// alert's service, others to the service whose toil items name the runbook.
func runsOf(ctx context.Context, d Deps, o Options, of func(string) *Service) error {
	runs, err := d.Store.RunsCreated(ctx, o.From, o.To)
	if err != nil {
		return err
	}
	var ids []int64
	for _, run := range runs {
		if run.AlertID != 0 {
			ids = append(ids, run.AlertID)
		}
	}
	alerts, err := d.Store.AlertsByID(ctx, ids)
	if err != nil {
		return err
	}
	owner := map[string]string{}
	for _, it := range o.Config.Toil {
		if it.Service == "" {
			continue
		}
		for _, rb := range append([]string{it.AutomatedBy}, runbooksOf(it)...) {
			if _, taken := owner[rb]; !taken && rb != "" {
				owner[rb] = it.Service
			}
		}
	}
	counts := map[string]map[string]*RunbookRuns{}
	for _, run := range runs {
		if run.DryRun || run.ParentRunID != "" {
			continue
		}
		service := owner[run.Runbook]
		if a, ok := alerts[run.AlertID]; ok && a.Service != "" {
			service = a.Service
		}
		if of(service) == nil {
			continue
		}
		if counts[service] == nil {
			counts[service] = map[string]*RunbookRuns{}
		}
		c := counts[service][run.Runbook]
		if c == nil {
			c = &RunbookRuns{Runbook: run.Runbook}
			counts[service][run.Runbook] = c
		}
		switch {
		case run.Status == store.RunFailed || run.Status == store.RunRefused || run.Status == store.RunInterrupted:
			c.Failed++
		case run.Trigger == "manual":
			c.Manual++
		default:
			c.Automatic++
		}
	}
	for service, byRunbook := range counts {
		s := of(service)
		for _, c := range byRunbook {
			s.Runs = append(s.Runs, *c)
		}
		sort.Slice(s.Runs, func(i, j int) bool { return s.Runs[i].Runbook < s.Runs[j].Runbook })
	}
	return nil
}

func runbooksOf(it config.ToilItem) []string {
	var out []string
	for _, m := range it.Match {
		if m.Runbook != "" {
			out = append(out, m.Runbook)
		}
	}
	return out
}

// actionsOf sorts action items into closed this period and still open.
func actionsOf(ctx context.Context, d Deps, o Options, of func(string) *Service) error {
	items, err := d.Store.ReportActionItems(ctx, o.From, o.To, 1000)
	if err != nil {
		return err
	}
	for _, it := range items {
		a := Action{ID: it.ID, IncidentID: it.IncidentID, Incident: it.IncidentTitle, Item: it.Item, Owner: it.Owner,
			Status: it.Status, Due: it.Due, At: it.UpdatedAt}
		for _, id := range it.Services {
			s := of(id)
			switch {
			case s == nil:
			case it.Status == "open":
				s.Open = append(s.Open, a)
			case in(it.UpdatedAt, o.From, o.To):
				s.Closed = append(s.Closed, a)
			}
		}
	}
	return nil
}

// incidentsOf lists incidents whose impact overlapped the period.
func incidentsOf(ctx context.Context, d Deps, o Options, of func(string) *Service) error {
	rows, err := d.Store.Incidents(ctx, store.IncidentFilter{Since: o.From.Add(-MaxPeriod), Until: o.To, Limit: 1000})
	if err != nil {
		return err
	}
	for i := len(rows) - 1; i >= 0; i-- {
		in := rows[i]
		if !in.StartedAt.Before(o.To) || (!in.ResolvedAt.IsZero() && in.ResolvedAt.Before(o.From)) {
			continue
		}
		end := in.ResolvedAt
		if end.IsZero() {
			end = o.Now
		}
		inc := Incident{ID: in.ID, Title: in.Title, Severity: in.Severity, Status: in.Status, Started: in.StartedAt,
			Resolved: in.ResolvedAt, Duration: max(0, end.Sub(in.StartedAt)), Postmortem: PostmortemPath(in.ID)}
		for _, id := range in.Services {
			if s := of(id); s != nil {
				s.Incidents = append(s.Incidents, inc)
			}
		}
	}
	for i := range o.Config.Services {
		if s := of(o.Config.Services[i].ID); s != nil {
			sort.SliceStable(s.Incidents, func(a, b int) bool { return s.Incidents[a].Started.Before(s.Incidents[b].Started) })
		}
	}
	return nil
}

// PostmortemPath is the incident's postmortem page in the web app.
func PostmortemPath(id int64) string {
	return "/incidents/" + itoa(id) + "/postmortem"
}

// pagesOf counts the pages about each service's alerts, and those off
// hours in the paged person's zone (09:00-18:00 Monday to Friday is the
// working day, as in the on-call log).
func pagesOf(ctx context.Context, d Deps, o Options, of func(string) *Service) error {
	pages, err := d.Store.PagesBetween(ctx, o.From, o.To)
	if err != nil {
		return err
	}
	var ids []int64
	for _, p := range pages {
		ids = append(ids, p.AlertID)
	}
	alerts, err := d.Store.AlertsByID(ctx, ids)
	if err != nil {
		return err
	}
	zones := zone.New(o.Config)
	type key struct {
		service string
		note    int64
	}
	seen := map[key]bool{}
	people := map[string]map[string]*PersonLoad{}
	for _, p := range pages {
		a := alerts[p.AlertID]
		s := of(a.Service)
		k := key{a.Service, p.NotificationID}
		if s == nil || !oncalllog.IsPage(p.Kind) || seen[k] {
			continue
		}
		seen[k] = true
		person := p.Person()
		off := oncalllog.OffHours(p.At.In(zones.Person(person)), 9, 18)
		if people[a.Service] == nil {
			people[a.Service] = map[string]*PersonLoad{}
		}
		pl := people[a.Service][person]
		if pl == nil {
			pl = &PersonLoad{Person: person}
			people[a.Service][person] = pl
		}
		s.OnCall.Pages++
		pl.Pages++
		if off {
			s.OnCall.OffHours++
			pl.OffHours++
		}
	}
	for service, byPerson := range people {
		s := of(service)
		for _, pl := range byPerson {
			s.OnCall.People = append(s.OnCall.People, *pl)
		}
		sort.Slice(s.OnCall.People, func(i, j int) bool {
			a, b := s.OnCall.People[i], s.OnCall.People[j]
			return a.Pages > b.Pages || a.Pages == b.Pages && a.Person < b.Person
		})
	}
	return nil
}

// toilOf measures toil once for all services: each service's total is
// every entry of the service (its items, incident roles, unclassified
// work), as the toil plan of that service counts it.
func toilOf(ctx context.Context, d Deps, o Options, of func(string) *Service) error {
	configured := map[string]bool{}
	for _, it := range o.Config.Toil {
		configured[it.Service] = true
	}
	if d.Toil == nil || len(o.Config.Toil) == 0 {
		return nil
	}
	ov, err := d.Toil.Overview(ctx, o.From, o.To, o.Services)
	if err != nil {
		return err
	}
	for _, sv := range o.Config.Services {
		if s := of(sv.ID); s != nil && configured[sv.ID] {
			s.Toil = &Toil{Items: []ToilItem{}}
		}
	}
	for id, c := range ov.ByService {
		if s := of(id); s != nil && s.Toil != nil {
			s.Toil.Minutes, s.Toil.Occurrences, s.Toil.Previous = c.Minutes, c.Occurrences, c.Previous.Minutes
		}
	}
	for _, it := range ov.Items {
		s := of(it.Service)
		if s == nil || s.Toil == nil {
			continue
		}
		t := s.Toil
		t.Saved += it.Savings.Minutes
		t.TotalSaved += it.Savings.TotalMinutes
		t.Items = append(t.Items, ToilItem{ID: it.ID, Title: it.Title, Status: it.Status, Minutes: it.Minutes, Trend: it.Trend, Saved: it.Savings.Minutes})
	}
	return nil
}

// maintenance lists the windows that are not over by the end of the
// period and start before Ahead has passed.
func maintenance(cfg *config.Config, o Options) []Window {
	loc := zone.Default(cfg)
	var out []Window
	for _, m := range cfg.Maintenance {
		start, err := config.ParseLocalTime(m.Start, loc)
		if err != nil {
			continue // validation refuses such a config
		}
		end := start.Add(m.Duration.D())
		if end.After(o.To) && start.Before(o.To.Add(Ahead)) {
			out = append(out, Window{ID: m.ID, Start: start, End: end, Match: m.Match})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func in(t, from, to time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }
