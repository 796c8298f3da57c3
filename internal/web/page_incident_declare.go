package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/store"
)

// declareForm is the form that declares an incident: on the incident list,
// and on a page of its own, filled in from an alert when reached from one.
type declareForm struct {
	Title, Severity, Summary, Commander, Started string
	Services                                     []string
	AlertIDs                                     []int64
	Alert                                        *alertView // the alert it is declared from
	Existing                                     []int64    // incidents that alert is already part of
	Problem                                      string
	Open                                         bool // shown unfolded on the list
	AllServices, Severities                      []string
	People                                       []personOption
	Zone                                         string
}

// Has reports whether the form has service ticked.
func (d declareForm) Has(service string) bool { return slices.Contains(d.Services, service) }

// newDeclareForm is an empty form: SEV2, and the viewer as commander when
// they are a configured person.
func (s *Server) newDeclareForm(v *Viewer) declareForm {
	d := declareForm{Severity: "SEV2", AllServices: s.serviceIDs(), Severities: incident.Severities, People: s.personOptions()}
	if v != nil {
		d.Zone = s.zoneOf(v.ID).String()
		if slices.ContainsFunc(d.People, func(o personOption) bool { return o.ID == v.ID }) {
			d.Commander = v.ID
		}
	}
	return d
}

type newIncidentPage struct {
	Page
	Declare declareForm
}

// newIncidentPage renders /incidents/new?alert=ID: the declare form on its
// own, filled in from the alert (its summary, a severity from its own, its
// service) and linking it.
func (s *Server) newIncidentPage(w http.ResponseWriter, r *http.Request) {
	p := newIncidentPage{Page: s.page(r, "Declare an incident", "incidents")}
	p.Declare = s.newDeclareForm(p.Viewer)
	p.Declare.Open = true
	if v := r.URL.Query().Get("alert"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.pageError(w, r, errs.E(errs.Invalid, "alert: %q is not an alert id", shortValue(v)))
			return
		}
		a, err := s.d.Store.Alert(r.Context(), id)
		if err != nil {
			s.pageError(w, r, errs.Wrap(errs.NotFound, err, "no alert %d", id))
			return
		}
		av := newAlertView(a)
		d := &p.Declare
		d.Alert, d.AlertIDs, d.Title = &av, []int64{a.ID}, a.Summary
		d.Severity = severityForAlert(a.Severity)
		d.Summary = fmt.Sprintf("Declared from alert #%d (%s): %s", a.ID, a.Severity, a.Summary)
		if slices.Contains(d.AllServices, a.Service) {
			d.Services = []string{a.Service}
		}
		if d.Existing, err = s.d.Store.IncidentsForAlert(r.Context(), a.ID); err != nil {
			s.pageError(w, r, errs.Wrap(errs.Internal, err, "reading the alert's incidents"))
			return
		}
	}
	s.render(w, r, "incident_new.html", p)
}

// severityForAlert suggests an incident severity for an alert's: a critical
// alert is a SEV1 until someone says otherwise.
func severityForAlert(sev string) string {
	s, _ := alert.ParseSeverity(sev)
	switch s {
	case alert.Critical:
		return "SEV1"
	case alert.Warning:
		return "SEV3"
	case alert.Info:
		return "SEV4"
	}
	return "SEV2"
}

// incidentDeclare answers POST /incidents: declares the incident as the
// person, then shows it. A refused declaration comes back as the form with
// the problem and what was typed.
func (s *Server) incidentDeclare(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	f := r.PostForm
	d := declareForm{Title: strings.TrimSpace(f.Get("title")), Severity: f.Get("severity"), Summary: strings.TrimSpace(f.Get("summary")),
		Commander: f.Get("commander"), Started: f.Get("started"), Services: f["service"], Open: true}
	for _, v := range f["alert"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.pageError(w, r, errs.E(errs.Invalid, "alert: %q is not an alert id", shortValue(v)))
			return
		}
		d.AlertIDs = append(d.AlertIDs, id)
	}
	decl := incident.Declaration{Title: d.Title, Severity: d.Severity, Services: d.Services, Summary: d.Summary,
		AlertIDs: d.AlertIDs, By: p.Actor()}
	if d.Commander != "" {
		decl.Roles = map[string]string{"commander": d.Commander}
	}
	started, err := s.parseLocal("started", d.Started, s.zoneOf(p.Person))
	if err == nil {
		decl.StartedAt = started
		var in store.IncidentRow
		if in, err = s.d.Incidents.Declare(r.Context(), decl); err == nil {
			s.notice(w, r, fmt.Sprintf("Declared incident #%d: %s.", in.ID, in.Title))
			http.Redirect(w, r, incident.Path(in.ID), http.StatusSeeOther)
			return
		}
	}
	if errs.CodeOf(err) != errs.Invalid {
		s.pageError(w, r, err)
		return
	}
	page := newIncidentPage{Page: s.page(r, "Declare an incident", "incidents")}
	form := s.newDeclareForm(page.Viewer)
	d.AllServices, d.Severities, d.People, d.Zone, d.Problem = form.AllServices, form.Severities, form.People, form.Zone, errs.Message(err)
	if len(d.AlertIDs) == 1 {
		if a, err := s.d.Store.Alert(r.Context(), d.AlertIDs[0]); err == nil {
			av := newAlertView(a)
			d.Alert = &av
		}
	}
	page.Declare = d
	s.renderStatus(w, r, http.StatusBadRequest, "incident_new.html", page)
}
