package toil

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/oncall"
	oncalllog "github.com/vigil-sre/vigil/internal/report/oncall"
	"github.com/vigil-sre/vigil/internal/store"
)

// Priorities: where a person's entries overlap, the time counts once, for
// the entry that comes first here. Time on a page already covers the runs
// and approvals done for it.
const (
	priorityPage = iota
	priorityIncident
	priorityRun
	priorityApproval
)

// world is what derivation reads besides the record.
type world struct {
	cfg    *config.Config
	dir    *oncall.Directory
	now    time.Time
	tokens map[string]string // token id -> person
}

func newWorld(cfg *config.Config, dir *oncall.Directory, now time.Time) *world {
	w := &world{cfg: cfg, dir: dir, now: now, tokens: map[string]string{}}
	for _, t := range cfg.Tokens {
		if t.Person != "" {
			w.tokens[t.ID] = t.Person
		}
	}
	return w
}

// person names who an actor of the record is: person/P (...) is P, a token
// tied to a person is that person, any other token stays token/ID.
func (w *world) person(actor string) string {
	actor, _, _ = strings.Cut(actor, " ")
	switch kind, id, _ := strings.Cut(actor, "/"); kind {
	case "person":
		return id
	case "token":
		if p := w.tokens[id]; p != "" {
			return p
		}
	}
	return actor
}

// derive reads the entries Vigil's record implies for work that started
// in [from, to): pages, incident roles, manual runs, approvals, and alerts
// that paged nobody.
func (l *Ledger) derive(ctx context.Context, w *world, from, to time.Time) ([]Entry, error) {
	fired, err := l.d.Store.AlertsFirstSeen(ctx, from, to)
	if err != nil {
		return nil, err
	}
	pages, paged, err := l.pageEntries(ctx, w, from, to, fired)
	if err != nil {
		return nil, err
	}
	incidents, err := l.incidentEntries(ctx, w, from, to)
	if err != nil {
		return nil, err
	}
	runs, err := l.runEntries(ctx, w, from, to)
	if err != nil {
		return nil, err
	}
	out := append(pages, incidents...)
	out = append(out, runs...)
	return append(out, alertEntries(fired, paged)...), nil
}

// pageEntries is each person's time on each alert they were paged about:
// from the first page to the resolution, capped as the on-call log caps it
// (at the end of their shift) and at a day. It also returns the alerts
// that paged someone.
func (l *Ledger) pageEntries(ctx context.Context, w *world, from, to time.Time, fired []store.AlertRow) ([]Entry, map[int64]bool, error) {
	refs, err := l.d.Store.PagesBetween(ctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	type key struct {
		person string
		alert  int64
	}
	first := map[key]time.Time{}
	var order []key
	var ids []int64
	paged := map[int64]bool{}
	for _, p := range refs {
		if !oncalllog.IsPage(p.Kind) {
			continue
		}
		k := key{p.Person(), p.AlertID}
		if _, seen := first[k]; !seen {
			first[k] = p.At
			order = append(order, k)
		}
		if !paged[p.AlertID] {
			paged[p.AlertID] = true
			ids = append(ids, p.AlertID)
		}
	}
	// Most paged alerts fired in the period; read only the others.
	alerts := make(map[int64]store.AlertRow, len(fired))
	for _, a := range fired {
		alerts[a.ID] = a
	}
	var missing []int64
	for _, id := range ids {
		if _, ok := alerts[id]; !ok {
			missing = append(missing, id)
		}
	}
	earlier, err := l.d.Store.AlertsByID(ctx, missing)
	if err != nil {
		return nil, nil, err
	}
	maps.Copy(alerts, earlier)
	shifts := w.shifts(from, to.Add(config.MaxToilEntry))
	var out []Entry
	for _, k := range order {
		a, ok := alerts[k.alert]
		if !ok {
			continue
		}
		at := first[k]
		end := minTime(at.Add(config.MaxToilEntry), w.now)
		if e, ok := shiftEnd(shifts[k.person], at); ok && e.Before(end) {
			end = e
		}
		e := alertEntry(a)
		e.ID = fmt.Sprintf("page/%d/%s", a.ID, k.person)
		e.At, e.Person, e.Source, e.priority = at, k.person, SourcePage, priorityPage
		e.span = oncalllog.Spent(at, a.ResolvedAt, end)
		out = append(out, e)
	}
	return out, paged, nil
}

// alertEntry is an entry about an alert, with what its item rules match on.
func alertEntry(a store.AlertRow) Entry {
	e := Entry{Service: a.Service, Text: a.Summary, Ref: "alert/" + strconv.FormatInt(a.ID, 10), labels: a.Labels,
		occurrence: "alert/" + strconv.FormatInt(a.ID, 10)}
	if a.Source == alert.SourceCheck && a.Labels["check"] != "" {
		e.check = a.Service + "/" + a.Labels["check"]
	}
	return e
}

// shifts is each person's on-call shifts over [from, to), from every schedule.
func (w *world) shifts(from, to time.Time) map[string][]oncall.Shift {
	out := map[string][]oncall.Shift{}
	if w.dir == nil {
		return out
	}
	for _, s := range w.dir.Schedules() {
		for _, sh := range w.dir.Shifts(s, from.Add(-config.MaxToilEntry), to) {
			out[sh.Person] = append(out[sh.Person], sh)
		}
	}
	return out
}

// shiftEnd is the end of the latest-ending shift that holds t.
func shiftEnd(shifts []oncall.Shift, t time.Time) (time.Time, bool) {
	var end time.Time
	for _, sh := range shifts {
		if !t.Before(sh.Start) && t.Before(sh.End) && sh.End.After(end) {
			end = sh.End
		}
	}
	return end, !end.IsZero()
}

// incidentEntries is each role holder's time in each incident: from when
// they took the role (or the declaration) until it was resolved, at most a
// day.
func (l *Ledger) incidentEntries(ctx context.Context, w *world, from, to time.Time) ([]Entry, error) {
	// An incident declared before from may still hand out roles after it.
	ins, err := l.d.Store.Incidents(ctx, store.IncidentFilter{Since: from.Add(-config.MaxToilEntry), Until: to, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, in := range ins {
		if len(in.Roles) == 0 {
			continue
		}
		tl, err := l.d.Store.IncidentTimeline(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		took := map[string]time.Time{}
		for _, e := range tl {
			if e.Kind != "role" {
				continue
			}
			if _, p, ok := strings.Cut(e.Text, ": "); ok {
				if t, seen := took[p]; !seen || e.At.Before(t) {
					took[p] = e.At
				}
			}
		}
		roles := map[string][]string{}
		for role, p := range in.Roles {
			if p != "" {
				roles[p] = append(roles[p], role)
			}
		}
		for p, rs := range roles {
			sort.Strings(rs)
			start, ok := took[p]
			if !ok {
				start = in.DeclaredAt
			}
			if start.Before(from) || !start.Before(to) {
				continue
			}
			end := minTime(start.Add(config.MaxToilEntry), w.now)
			if !in.ResolvedAt.IsZero() && in.ResolvedAt.Before(end) {
				end = in.ResolvedAt
			}
			e := Entry{ID: fmt.Sprintf("incident/%d/%s", in.ID, p), At: start, Person: p, Source: SourceIncident,
				Text: fmt.Sprintf("Incident #%d %s (%s)", in.ID, in.Title, strings.Join(rs, ", ")), Ref: fmt.Sprintf("incident/%d", in.ID),
				span: max(0, end.Sub(start)), occurrence: fmt.Sprintf("incident/%d", in.ID), priority: priorityIncident}
			if len(in.Services) > 0 {
				e.Service = in.Services[0]
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// runEntries is every real run started by hand, for its duration, and
// every approval of a run, for the configured approval time.
func (l *Ledger) runEntries(ctx context.Context, w *world, from, to time.Time) ([]Entry, error) {
	runs, err := l.d.Store.RunsCreated(ctx, from.Add(-config.MaxToilEntry), to)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.RunRow, len(runs))
	var out []Entry
	for _, r := range runs {
		byID[r.ID] = r
		if r.Trigger != "manual" || r.DryRun || r.StartedAt.IsZero() || r.CreatedAt.Before(from) {
			continue
		}
		end := r.EndedAt
		if end.IsZero() {
			end = w.now // still running
		}
		end = minTime(end, r.StartedAt.Add(config.MaxToilEntry))
		e := runEntry(r)
		e.ID, e.At, e.Source, e.priority = "run/"+r.ID, r.StartedAt, SourceRun, priorityRun
		e.Person = w.person(r.TriggeredBy)
		e.Text = fmt.Sprintf("Ran %s by hand: %s", r.Runbook, r.Status)
		e.span = max(end.Sub(r.StartedAt), time.Nanosecond) // a run by hand costs someone a minute at least
		out = append(out, e)
	}
	approvals, err := l.d.Store.AuditActions(ctx, "run.approved", from, to)
	if err != nil {
		return nil, err
	}
	took := l.d.Config().Global.Toil.ApprovalTime.D()
	for i, a := range approvals {
		r, ok := byID[a.RunID]
		if !ok {
			if r, _, err = l.d.Store.Run(ctx, a.RunID); err != nil {
				continue // the run is gone; the approval alone says too little
			}
		}
		e := runEntry(r)
		e.ID, e.At, e.Source, e.priority = fmt.Sprintf("approval/%s/%d", a.RunID, i), a.At, SourceApproval, priorityApproval
		e.Person = w.person(a.Actor)
		e.Text = fmt.Sprintf("Approved a run of %s", a.Runbook)
		e.span = max(took, time.Nanosecond)
		out = append(out, e)
	}
	return out, nil
}

func runEntry(r store.RunRow) Entry {
	e := Entry{Ref: "run/" + r.ID, runbook: r.Runbook, trigger: config.TriggerAutomatic, occurrence: "run/" + r.ID}
	if r.Trigger == "manual" {
		e.trigger = config.TriggerManual
	}
	if r.AlertID != 0 {
		e.occurrence = "alert/" + strconv.FormatInt(r.AlertID, 10) // the same occurrence as its page
	}
	return e
}

// alertEntries lists the alerts that fired and paged nobody. Only those a
// toil item claims stay (see attach): they count as an occurrence of it,
// at its estimate.
func alertEntries(fired []store.AlertRow, paged map[int64]bool) []Entry {
	var out []Entry
	for _, a := range fired {
		if paged[a.ID] {
			continue
		}
		e := alertEntry(a)
		e.ID, e.At, e.Source = fmt.Sprintf("alert/%d", a.ID), a.FirstSeen, SourceAlert
		out = append(out, e)
	}
	return out
}
