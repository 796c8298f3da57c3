package web

import (
	"errors"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

type runbookPage struct {
	Page
	Book    runbookAPIView
	SOP     template.HTML
	Guards  []guardLine
	Fields  []runField
	Alert   *store.AlertRow // the alert a run from this page is for, if any
	Preview *runPreview
	Problem *runProblem
	Recent  []store.RunRow
}

// runPreview is a dry run shown on the runbook's page, with the button that
// runs it for real.
type runPreview struct {
	Run    store.RunRow
	Steps  []stepRow
	Params []paramValue
	// Confirm is what the person must type to run it; "" when the runbook
	// asks for nothing.
	Confirm string
	// Mine says the viewer made it: only they may run what they previewed.
	Mine bool
	// Stale says it is too old to run; preview again.
	Stale bool
}

// Verdict is what the guards would do with a real run now.
func (p runPreview) Verdict() string {
	if p.Run.Reason == "" {
		return "The guards would let a real run through now."
	}
	return capitalize(p.Run.Reason) + "."
}

// Refused says a real run now would be refused.
func (p runPreview) Refused() bool { return strings.Contains(p.Run.Reason, "refused by") }

// runProblem is why a run from the page did not start: a guard's refusal
// (the refused run is on record) or values the runbook does not take.
type runProblem struct {
	Guard string
	Text  string
	RunID string
}

type paramValue struct{ Name, Value string }

// ConfirmRefused says the confirm guard refused the last try.
func (p runbookPage) ConfirmRefused() bool { return p.Problem != nil && p.Problem.Guard == "confirm" }

// previewTTL is how long a dry run may be run for real from its page: an
// older preview may no longer show what would happen.
const previewTTL = time.Hour

// runbookPage renders /runbooks/{id}: the SOP, guards, triggers and steps,
// the run form built from the params, and, with ?preview=RUN, that dry
// run's steps and the button that runs it for real. ?alert=ID makes the
// runs from the page runs for that alert.
func (s *Server) runbookPage(w http.ResponseWriter, r *http.Request) {
	b, ok := s.d.Runbooks.Book(r.PathValue("id"))
	if !ok {
		s.pageError(w, r, errs.E(errs.NotFound, "no runbook %q", r.PathValue("id")))
		return
	}
	q := r.URL.Query()
	var alertID int64
	if v := q.Get("alert"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.pageError(w, r, errs.E(errs.Invalid, "alert must be an alert id, not %q", shortValue(v)))
			return
		}
		alertID = id
	}
	p, err := s.runbookPageData(r, b, alertID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if id := q.Get("preview"); id != "" {
		if err := s.withPreview(r, &p, id); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.render(w, r, "runbook.html", p)
}

// runbookPageData is the runbook's page without a preview, its form
// holding the defaults.
func (s *Server) runbookPageData(r *http.Request, b config.Runbook, alertID int64) (runbookPage, error) {
	ctx := r.Context()
	p := runbookPage{Page: s.page(r, firstNonEmpty(b.Title, b.ID), "runbooks"), Book: newRunbookAPIView(b), Fields: runFields(b.Params, nil)}
	var err error
	if p.SOP, err = sopHTML(b.Doc); err != nil {
		return p, err
	}
	br, err := s.d.Runbooks.Breaker(ctx, b.ID)
	if err != nil {
		return p, err
	}
	p.Guards = guardLines(b, br)
	if alertID != 0 {
		a, err := s.d.Store.Alert(ctx, alertID)
		if errors.Is(err, store.ErrNotFound) {
			return p, errs.E(errs.NotFound, "no alert %d", alertID)
		}
		if err != nil {
			return p, errs.Wrap(errs.Internal, err, "reading alert %d", alertID)
		}
		p.Alert = &a
	}
	if p.Recent, err = s.d.Store.Runs(ctx, store.RunFilter{Runbook: b.ID, Limit: 10}); err != nil {
		return p, errs.Wrap(errs.Internal, err, "reading runs")
	}
	return p, nil
}

// withPreview adds dry run id to the page, and fills the form with its
// values.
func (s *Server) withPreview(r *http.Request, p *runbookPage, id string) error {
	row, steps, err := s.d.Runbooks.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if !row.DryRun || row.Runbook != p.Book.ID {
		return errs.E(errs.NotFound, "run %s is not a dry run of %s", id, p.Book.ID)
	}
	b, _ := s.d.Runbooks.Book(p.Book.ID)
	who, _ := s.who(r)
	pv := &runPreview{Run: row, Steps: p.stepRows(steps), Mine: row.TriggeredBy == who.Actor(),
		Stale: s.now().Sub(row.CreatedAt) > previewTTL}
	for _, k := range slices.Sorted(maps.Keys(row.Params)) {
		pv.Params = append(pv.Params, paramValue{k, row.Params[k]})
	}
	pv.Confirm, _ = s.d.Runbooks.ConfirmTarget(s.runRequest(b.ID, row.Params, nil))
	p.Preview, p.Fields = pv, runFields(b.Params, row.Params)
	if row.AlertID != 0 && p.Alert == nil {
		if a, err := s.d.Store.Alert(r.Context(), row.AlertID); err == nil {
			p.Alert = &a
		}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
