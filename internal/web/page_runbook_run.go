package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/runbook"
	"github.com/vigil-sre/vigil/internal/store"
)

// runbookRunAction answers POST /runbooks/{id}/runs (operate), the run
// form's two buttons. mode=preview reads the form's values and makes a dry
// run, shown on the runbook's page. mode=run runs such a preview for real:
// the values are the preview's, so what runs is what the person saw, and
// only its maker may run it, within previewTTL. A runbook with confirm
// runs only when the person types the target's name. Values the runbook
// refuses (400) and guards that refuse (409) show on the page again, with
// the reason.
func (s *Server) runbookRunAction(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	b, ok := s.d.Runbooks.Book(r.PathValue("id"))
	if !ok {
		s.pageError(w, r, errs.E(errs.NotFound, "no runbook %q", r.PathValue("id")))
		return
	}
	switch r.PostFormValue("mode") {
	case "preview":
		s.previewRun(w, r, p, b)
	case "run":
		s.runPreviewed(w, r, p, b)
	default:
		s.pageError(w, r, errs.E(errs.Invalid, "mode: preview or run, not %q", shortValue(r.PostFormValue("mode"))))
	}
}

// previewRun makes a dry run of the form's values and shows it.
func (s *Server) previewRun(w http.ResponseWriter, r *http.Request, p auth.Principal, b config.Runbook) {
	var alert *store.AlertRow
	if v := r.PostFormValue("alert"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.pageError(w, r, errs.E(errs.Invalid, "alert must be an alert id, not %q", shortValue(v)))
			return
		}
		a, err := s.d.Store.Alert(r.Context(), id)
		if err != nil {
			s.pageError(w, r, errs.E(errs.NotFound, "no alert %d", id))
			return
		}
		alert = &a
	}
	params, fields, ok := readRunForm(b.Params, r.PostForm)
	if !ok {
		s.refusedForm(w, r, b, alert, fields, http.StatusBadRequest, &runProblem{Text: "Some values were refused; nothing ran. See the fields marked below."})
		return
	}
	req := s.runRequest(b.ID, params, alert)
	req.TriggeredBy, req.DryRun = p.Actor(), true
	// The preview types the confirmation itself, so that it shows what the
	// other guards would do; the real run needs the person to type it.
	confirm, err := s.d.Runbooks.ConfirmTarget(req)
	if err == nil {
		req.Confirm = confirm
		var row store.RunRow
		if row, err = s.d.Runbooks.Start(r.Context(), req); err == nil {
			http.Redirect(w, r, "/runbooks/"+b.ID+"?preview="+row.ID+"#preview", http.StatusSeeOther)
			return
		}
	}
	if errs.CodeOf(err) == errs.Invalid {
		s.refusedForm(w, r, b, alert, fields, http.StatusBadRequest, &runProblem{Text: errs.Message(err)})
		return
	}
	s.pageError(w, r, err)
}

// runPreviewed runs a preview for real.
func (s *Server) runPreviewed(w http.ResponseWriter, r *http.Request, p auth.Principal, b config.Runbook) {
	id := r.PostFormValue("preview")
	prev, _, err := s.d.Runbooks.Get(r.Context(), id)
	switch {
	case err != nil:
		s.pageError(w, r, err)
		return
	case !prev.DryRun || prev.Runbook != b.ID:
		s.pageError(w, r, errs.E(errs.Invalid, "run %s is not a dry run of %s; preview first", shortValue(id), b.ID))
		return
	case prev.TriggeredBy != p.Actor():
		s.pageError(w, r, errs.E(errs.Forbidden, "this preview is %s's; preview the run yourself to run it", prev.TriggeredBy))
		return
	}
	again := func(status int, problem *runProblem) {
		page, err := s.runbookPageData(r, b, 0)
		if err == nil {
			err = s.withPreview(r, &page, prev.ID)
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		page.Problem = problem
		s.renderStatus(w, r, status, "runbook.html", page)
	}
	if s.now().Sub(prev.CreatedAt) > previewTTL {
		again(http.StatusConflict, &runProblem{Text: "This preview is more than an hour old; preview again, so that you run what you see. Nothing ran."})
		return
	}
	for k, v := range prev.Params {
		if strings.Contains(v, "****") {
			again(http.StatusConflict, &runProblem{Text: fmt.Sprintf("The preview hid a secret in params.%s; run it with the API or the CLI instead. Nothing ran.", k)})
			return
		}
	}
	var alert *store.AlertRow
	if prev.AlertID != 0 {
		if a, err := s.d.Store.Alert(r.Context(), prev.AlertID); err == nil {
			alert = &a
		}
	}
	req := s.runRequest(b.ID, prev.Params, alert)
	req.TriggeredBy, req.Confirm = p.Actor(), r.PostFormValue("confirm")
	row, err := s.d.Runbooks.Start(r.Context(), req)
	var refusal *runbook.Refusal
	switch {
	case errors.As(err, &refusal):
		again(http.StatusConflict, &runProblem{Guard: refusal.Guard, Text: "Refused by " + refusal.Guard + ": " + refusal.Reason + ". Nothing ran.", RunID: refusal.Run.ID})
		return
	case errs.CodeOf(err) == errs.Invalid:
		again(http.StatusBadRequest, &runProblem{Text: errs.Message(err)})
		return
	case err != nil:
		s.pageError(w, r, err)
		return
	}
	if row.Status == store.RunAwaiting {
		s.notice(w, r, fmt.Sprintf("Run %s of %s waits for approval.", row.ID, b.ID))
	} else {
		s.notice(w, r, fmt.Sprintf("Started run %s of %s.", row.ID, b.ID))
	}
	http.Redirect(w, r, "/runs/"+row.ID, http.StatusSeeOther)
}

// refusedForm shows the runbook's page again with the form as posted and
// why it was refused.
func (s *Server) refusedForm(w http.ResponseWriter, r *http.Request, b config.Runbook, alert *store.AlertRow, fields []runField, status int, problem *runProblem) {
	var alertID int64
	if alert != nil {
		alertID = alert.ID
	}
	page, err := s.runbookPageData(r, b, alertID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	page.Fields, page.Problem = fields, problem
	s.renderStatus(w, r, status, "runbook.html", page)
}

// runRequest asks for a run by hand of runbook id.
func (s *Server) runRequest(id string, params map[string]string, alert *store.AlertRow) runbook.Request {
	return runbook.Request{Runbook: id, Params: params, Trigger: runbook.TriggerManual, Alert: alert}
}
