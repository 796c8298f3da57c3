package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/store"
)

type incidentPage struct {
	Page
	Incident     store.IncidentRow
	Item         incidentItem
	Durations    []fact
	Roles        []roleFact
	Alerts       []alertView
	Runs         []store.RunRow
	Told         []timelineRow // messages to stakeholders and the notices Vigil sent them
	Stakeholders []string
	ActionItems  []store.ActionItem
	Timeline     []timelineRow
	// LastEntry is the newest of the incident's own entries shown; the
	// live stream sends what comes after it.
	LastEntry int64
	People    []personOption
	Teams     []string
	Statuses  []string
	RoleNames []string
	ItemTypes []string
	// NextStatus is the status the form offers first.
	NextStatus string
	// The chat import's defaults: the day impact began, in the viewer's zone.
	ChatDate, Zone string
	Form           formState
}

// fact is a labelled value.
type fact struct{ Label, Value string }

// roleFact is who holds an incident role.
type roleFact struct{ Role, Person, Name string }

// incidentPage renders /incidents/{id}: what is happening and who is on it,
// the live timeline, linked alerts and runs, what stakeholders were told,
// action items, and a form for each thing a responder does.
func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p, err := s.incidentPageData(r, id, formState{})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "incident.html", p)
}

// incidentPageData gathers the incident page; form is a refused form to
// show again with its problem.
func (s *Server) incidentPageData(r *http.Request, id int64, form formState) (incidentPage, error) {
	ctx := r.Context()
	in, err := s.d.Incidents.Get(ctx, id)
	if err != nil {
		return incidentPage{}, err
	}
	p := incidentPage{Page: s.page(r, in.Title, "incidents"), Incident: in, Form: form, People: s.personOptions(),
		Statuses: incident.Statuses, RoleNames: incident.Roles, ItemTypes: incident.ActionTypes,
		Stakeholders: s.d.Incidents.Stakeholders(in.Services)}
	p.Item = p.incidentItem(in)
	p.Zone = p.loc.String()
	p.ChatDate = in.StartedAt.In(p.loc).Format("2006-01-02")
	p.NextStatus = nextStatus(in.Status)
	for _, t := range s.d.Config().Teams {
		p.Teams = append(p.Teams, t.ID)
	}
	m := incident.MetricsOf(in)
	for _, d := range []struct {
		label string
		v     *time.Duration
	}{{"Time to detect", m.ToDetect}, {"Time to acknowledge", m.ToAck}, {"Time to mitigate", m.ToMitigate}, {"Time to resolve", m.ToResolve}} {
		v := "not yet"
		if d.v != nil {
			v = spanText(*d.v)
		}
		p.Durations = append(p.Durations, fact{d.label, v})
	}
	for _, role := range incident.Roles {
		rf := roleFact{Role: role, Person: in.Roles[role]}
		if pe, ok := s.d.People().Person(rf.Person); ok {
			rf.Name = pe.Name
		}
		p.Roles = append(p.Roles, rf)
	}
	tl, err := s.d.Incidents.Timeline(ctx, id)
	if err != nil {
		return p, err
	}
	p.Timeline = p.timelineRows(tl)
	var runIDs []string
	for i, e := range tl {
		if e.ID == 0 {
			continue
		}
		p.LastEntry = max(p.LastEntry, e.ID)
		if e.Kind == "message" || (e.Kind == "notification" && e.Source == "" && e.Actor == "vigil") {
			p.Told = append(p.Told, p.Timeline[i])
		}
		if run, ok := strings.CutPrefix(e.Source, "run/"); ok {
			runIDs = append(runIDs, run)
		}
	}
	if p.Alerts, p.Runs, err = s.incidentAlertsAndRuns(ctx, id, runIDs); err != nil {
		return p, err
	}
	if p.ActionItems, err = s.d.Store.ActionItems(ctx, id); err != nil {
		return p, errs.Wrap(errs.Internal, err, "reading action items")
	}
	return p, nil
}

// incidentAlertsAndRuns reads the incident's linked alerts and the runbook
// runs of those alerts and of runIDs (runs its timeline names), newest
// first.
func (s *Server) incidentAlertsAndRuns(ctx context.Context, id int64, runIDs []string) ([]alertView, []store.RunRow, error) {
	ids, err := s.d.Store.IncidentAlerts(ctx, id)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "reading linked alerts")
	}
	var alerts []alertView
	var runs []store.RunRow
	for _, aid := range ids {
		a, err := s.d.Store.Alert(ctx, aid)
		if err != nil {
			continue // linked before it was stored, or pruned since
		}
		alerts = append(alerts, newAlertView(a))
		rs, err := s.d.Store.Runs(ctx, store.RunFilter{AlertID: aid, Limit: 100})
		if err != nil {
			return nil, nil, errs.Wrap(errs.Internal, err, "reading runs")
		}
		runs = append(runs, rs...)
	}
	for _, rid := range runIDs {
		if slices.ContainsFunc(runs, func(r store.RunRow) bool { return r.ID == rid }) {
			continue
		}
		if r, _, err := s.d.Store.Run(ctx, rid); err == nil {
			runs = append(runs, r)
		}
	}
	slices.SortStableFunc(runs, func(a, b store.RunRow) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return alerts, runs, nil
}

// nextStatus is the status after st, for the form to offer first.
func nextStatus(st string) string {
	i := slices.Index(incident.Statuses, st)
	if i < 0 || i+1 >= len(incident.Statuses) {
		return incident.Statuses[0]
	}
	return incident.Statuses[i+1]
}
