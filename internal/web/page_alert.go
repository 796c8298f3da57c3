package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/runbook"
	"github.com/vigil-sre/vigil/internal/store"
)

type alertPage struct {
	Page
	Alert         alertView
	Suppressed    string
	Runbook       *runbookView
	Runs          []store.RunRow
	Log           []alertLogView
	Notifications []notificationView
	Severities    []string // of incidents, for the declare form
}

type runbookView struct {
	ID, Title, Doc string
}

// alertPage renders /alerts/{id}: what the alert is, what can be done about
// it (acknowledge, resolve, silence, declare an incident, run its runbook),
// its SOP, its timeline and who was told. Notifications link here.
func (s *Server) alertPage(w http.ResponseWriter, r *http.Request) {
	id, err := alertID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	a, log, err := s.alertWithLog(r, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := alertPage{Page: s.page(r, a.Summary, "alerts"), Alert: newAlertView(a), Log: log, Severities: incident.Severities}
	if a.Runbook != "" {
		for _, rb := range s.d.Config().Runbooks {
			if rb.ID == a.Runbook {
				p.Runbook = &runbookView{ID: rb.ID, Title: rb.Title, Doc: rb.Doc}
			}
		}
	}
	if a.Status != string(alert.Resolved) {
		p.Suppressed = a.Suppression.Reason()
	}
	if p.Runs, err = s.d.Store.Runs(r.Context(), store.RunFilter{AlertID: id, Limit: 20}); err != nil {
		s.pageError(w, r, err)
		return
	}
	if p.Notifications, err = s.notifications(r, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "alert.html", p)
}

// alertAct answers POST /alerts/{id}/ack and /alerts/{id}/resolve.
func (s *Server) alertAct(verb string) func(http.ResponseWriter, *http.Request, auth.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) {
		id, err := alertID(r)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		if verb == "ack" {
			_, err = s.d.Pager.Acknowledge(r.Context(), id, p.Actor())
		} else {
			_, err = s.d.Pager.Resolve(r.Context(), id, p.Actor())
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		s.notice(w, r, fmt.Sprintf("%s alert #%d.", map[string]string{"ack": "Acknowledged", "resolve": "Resolved"}[verb], id))
		http.Redirect(w, r, fmt.Sprintf("/alerts/%d", id), http.StatusSeeOther)
	}
}

// alertDeclare answers POST /alerts/{id}/declare: an incident about the
// alert, linked to it, declared by the person.
func (s *Server) alertDeclare(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	a, ok := s.pathAlert(w, r)
	if !ok {
		return
	}
	id := a.ID
	title := strings.TrimSpace(r.PostForm.Get("title"))
	if title == "" {
		title = a.Summary
	}
	d := incident.Declaration{Title: title, Severity: r.PostForm.Get("severity"), Summary: r.PostForm.Get("summary"),
		AlertIDs: []int64{id}, By: p.Actor()}
	if a.Service != "" {
		d.Services = []string{a.Service}
	}
	in, err := s.d.Incidents.Declare(r.Context(), d)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.notice(w, r, fmt.Sprintf("Declared incident #%d (%s), linked to this alert.", in.ID, in.Severity))
	// Back to the alert until the incident page exists; then to /incidents/{id}.
	http.Redirect(w, r, fmt.Sprintf("/alerts/%d", id), http.StatusSeeOther)
}

// alertRun answers POST /alerts/{id}/run: the alert's runbook, for real or
// as a dry run, started by the person. A runbook that needs parameters or
// a typed confirmation is run from its own page instead.
func (s *Server) alertRun(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	a, ok := s.pathAlert(w, r)
	if !ok {
		return
	}
	id := a.ID
	if a.Runbook == "" {
		s.pageError(w, r, errs.E(errs.Invalid, "alert %d has no runbook", id))
		return
	}
	dry := r.PostForm.Get("dry_run") != ""
	row, err := s.d.Runbooks.Start(r.Context(), runbook.Request{Runbook: a.Runbook, DryRun: dry, Trigger: runbook.TriggerManual,
		TriggeredBy: p.Actor(), Alert: &a})
	var refusal *runbook.Refusal
	if errors.As(err, &refusal) {
		err = errs.E(errs.Conflict, "the runbook's guard refused the run: %s", refusal.Error())
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if dry {
		s.notice(w, r, fmt.Sprintf("Dry run %s of %s: nothing was executed; see its steps on the run's page.", row.ID, a.Runbook))
	} else {
		s.notice(w, r, fmt.Sprintf("Started run %s of %s.", row.ID, a.Runbook))
	}
	http.Redirect(w, r, fmt.Sprintf("/alerts/%d#runs", id), http.StatusSeeOther)
}

// pathAlert reads the alert the path names for an action; on a problem it
// answers with an error page and reports false.
func (s *Server) pathAlert(w http.ResponseWriter, r *http.Request) (store.AlertRow, bool) {
	id, err := alertID(r)
	if err != nil {
		s.pageError(w, r, err)
		return store.AlertRow{}, false
	}
	a, err := s.d.Store.Alert(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		err = errs.E(errs.NotFound, "no alert %d", id)
	}
	if err != nil {
		s.pageError(w, r, err)
		return store.AlertRow{}, false
	}
	return a, true
}
