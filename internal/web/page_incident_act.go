package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/store"
)

// The forms of the incident page. Each acts as the signed-in person and
// goes back to the page; a form the incident package refuses comes back
// with the problem next to it and what was typed still in it.

// incidentForm wraps the action of one form of the incident page: it reads
// the incident id, and answers a refusal of the form named form.
func (s *Server) incidentForm(form string, act func(r *http.Request, p auth.Principal, id int64) (anchor, notice string, err error)) func(http.ResponseWriter, *http.Request, auth.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) {
		id, err := incidentID(r)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		anchor, notice, err := act(r, p, id)
		if err != nil {
			s.incidentRefused(w, r, id, form, err)
			return
		}
		s.notice(w, r, notice)
		http.Redirect(w, r, incident.Path(id)+"#"+anchor, http.StatusSeeOther)
	}
}

// incidentRefused shows the incident page again with the form's problem;
// a problem the person cannot fix there (no such incident, a failure) gets
// the error page.
func (s *Server) incidentRefused(w http.ResponseWriter, r *http.Request, id int64, form string, err error) {
	code := errs.CodeOf(err)
	if code != errs.Invalid && code != errs.Conflict {
		s.pageError(w, r, err)
		return
	}
	p, perr := s.incidentPageData(r, id, formState{Name: form, Problem: errs.Message(err), Values: r.PostForm})
	if perr != nil {
		s.pageError(w, r, perr)
		return
	}
	s.renderStatus(w, r, statusOf(code), "incident.html", p)
}

// incidentNoteAct answers POST /incidents/{id}/notes.
func (s *Server) incidentNoteAct(r *http.Request, p auth.Principal, id int64) (string, string, error) {
	_, err := s.d.Incidents.Note(r.Context(), id, r.PostForm.Get("text"), p.Actor(), nil)
	return "timeline", "Note added.", err
}

// incidentStatusAct answers POST /incidents/{id}/status: a status, a note,
// and optionally when it happened, typed in the viewer's zone.
func (s *Server) incidentStatusAct(r *http.Request, p auth.Principal, id int64) (string, string, error) {
	f := r.PostForm
	at, err := s.parseLocal("at", f.Get("at"), s.zoneOf(p.Person))
	if err != nil {
		return "", "", err
	}
	in, err := s.d.Incidents.SetStatus(r.Context(), id, f.Get("status"), strings.TrimSpace(f.Get("note")), p.Actor(), at)
	return "summary", fmt.Sprintf("Incident #%d is %s.", id, in.Status), err
}

// incidentRoleAct answers POST /incidents/{id}/roles: a role given to a
// configured person, or cleared.
func (s *Server) incidentRoleAct(r *http.Request, p auth.Principal, id int64) (string, string, error) {
	role, person := r.PostForm.Get("role"), r.PostForm.Get("person")
	if _, err := s.d.Incidents.SetRole(r.Context(), id, role, person, p.Actor()); err != nil {
		return "", "", err
	}
	if person == "" {
		return "roles", fmt.Sprintf("Nobody is %s now.", role), nil
	}
	return "roles", fmt.Sprintf("%s is %s.", person, role), nil
}

// incidentMessageAct answers POST /incidents/{id}/messages: an update to
// the stakeholders of the incident's services.
func (s *Server) incidentMessageAct(r *http.Request, p auth.Principal, id int64) (string, string, error) {
	if _, err := s.d.Incidents.Message(r.Context(), id, r.PostForm.Get("text"), p.Actor()); err != nil {
		return "", "", err
	}
	in, err := s.d.Incidents.Get(r.Context(), id)
	if err != nil {
		return "", "", err
	}
	return "told", "Sent to " + strings.Join(s.d.Incidents.Stakeholders(in.Services), ", ") + ".", nil
}

// actionItemAdd answers POST /incidents/{id}/action_items.
func (s *Server) actionItemAdd(r *http.Request, p auth.Principal, id int64) (string, string, error) {
	f := r.PostForm
	a := store.ActionItem{IncidentID: id, Item: strings.TrimSpace(f.Get("item")), Type: f.Get("type"), Owner: f.Get("owner"),
		Tracking: strings.TrimSpace(f.Get("tracking"))}
	if v := strings.TrimSpace(f.Get("due")); v != "" {
		due, err := time.ParseInLocation(time.DateOnly, v, s.zoneOf(p.Person))
		if err != nil {
			return "", "", errs.E(errs.Invalid, "due: %q is not a date like 2021-09-17", shortValue(v))
		}
		a.Due = due
	}
	a, err := s.d.Incidents.SaveActionItem(r.Context(), a, p.Actor())
	return "items", fmt.Sprintf("Action item #%d added.", a.ID), err
}

// actionItemSet answers POST /incidents/{id}/action_items/{item}: the
// item's status (done, wontfix, or open again).
func (s *Server) actionItemSet(r *http.Request, p auth.Principal, id int64) (string, string, error) {
	itemID, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil || itemID <= 0 {
		return "", "", errs.E(errs.NotFound, "no action item %q", shortValue(r.PathValue("item")))
	}
	items, err := s.d.Store.ActionItems(r.Context(), id)
	if err != nil {
		return "", "", errs.Wrap(errs.Internal, err, "reading action items")
	}
	for _, a := range items {
		if a.ID != itemID {
			continue
		}
		a.Status = r.PostForm.Get("status")
		if _, err := s.d.Incidents.SaveActionItem(r.Context(), a, p.Actor()); err != nil {
			return "", "", err
		}
		return "items", fmt.Sprintf("Action item #%d is %s.", a.ID, a.Status), nil
	}
	return "", "", errs.E(errs.NotFound, "incident %d has no action item %d", id, itemID)
}
