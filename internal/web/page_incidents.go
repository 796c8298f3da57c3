package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/store"
)

// resolvedShown is how many resolved incidents the list shows, the most
// recent impact first; open ones are all shown.
const resolvedShown = 100

// openShown bounds the open incidents listed, which are few in any team
// that is not drowning.
const openShown = 1000

type incidentsPage struct {
	Page
	// The filters, as asked.
	Status, Service, Severity string
	Open                      []incidentItem // open first, the most severe first
	Resolved                  []incidentItem
	MoreResolved              bool
	StatusWords, Severities   []string
	Services                  []string
	Declare                   declareForm
}

// incidentsPage renders /incidents?status=&service=&severity=: open
// incidents first, the most severe first and then the latest impact, each
// with its age from when impact began; then the recently resolved ones;
// and the form to declare one.
func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := incidentsPage{Page: s.page(r, "Incidents", "incidents"), Status: q.Get("status"), Service: strings.TrimSpace(q.Get("service")),
		Severity: q.Get("severity"), Severities: incident.Severities, Services: s.serviceIDs(),
		StatusWords: append([]string{"all", "open"}, incident.Statuses...)}
	if p.Status == "" {
		p.Status = "all"
	}
	statuses, err := incidentStatuses().Parse(p.Status)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f := store.IncidentFilter{Service: p.Service}
	if p.Severity != "" {
		if !slices.Contains(incident.Severities, p.Severity) {
			s.pageError(w, r, errs.E(errs.Invalid, "severity: %q is not one of %s", shortValue(p.Severity), strings.Join(incident.Severities, ", ")))
			return
		}
		f.Severity = []string{p.Severity}
	}
	if statuses == nil {
		statuses = incident.Statuses
	}
	open := slices.DeleteFunc(slices.Clone(statuses), func(st string) bool { return st == store.IncidentResolved })
	if len(open) > 0 {
		f.Status, f.Limit = open, openShown
		rows, err := s.d.Store.Incidents(r.Context(), f)
		if err != nil {
			s.pageError(w, r, errs.Wrap(errs.Internal, err, "listing incidents"))
			return
		}
		// The store lists the latest impact first; keep that within a severity.
		slices.SortStableFunc(rows, func(a, b store.IncidentRow) int { return severityRank(a.Severity) - severityRank(b.Severity) })
		for _, in := range rows {
			p.Open = append(p.Open, p.incidentItem(in))
		}
	}
	if slices.Contains(statuses, store.IncidentResolved) {
		f.Status, f.Limit = []string{store.IncidentResolved}, resolvedShown+1
		rows, err := s.d.Store.Incidents(r.Context(), f)
		if err != nil {
			s.pageError(w, r, errs.Wrap(errs.Internal, err, "listing incidents"))
			return
		}
		if len(rows) > resolvedShown {
			rows, p.MoreResolved = rows[:resolvedShown], true
		}
		for _, in := range rows {
			p.Resolved = append(p.Resolved, p.incidentItem(in))
		}
	}
	p.Declare = s.newDeclareForm(p.Viewer)
	s.render(w, r, "incidents.html", p)
}
