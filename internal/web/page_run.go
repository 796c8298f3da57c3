package web

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

type runPage struct {
	Page
	Run       store.RunRow
	Title     string // the runbook's
	Params    []paramValue
	Steps     []stepRow
	Wait      *waitView
	Alert     *store.AlertRow
	Incidents []int64
	Audit     []store.AuditRow
}

// Finished says the run has ended: nothing more will happen to it.
func (p runPage) Finished() bool { return runFinished(p.Run.Status) }

// HeadVersion changes whenever what the page's head shows changes; the
// live script replaces the head only then, so a comment being typed is
// kept.
func (p runPage) HeadVersion() string {
	return p.Run.Status + "|" + p.Run.Reason + "|" + p.Run.ApprovedBy + "|" + p.Run.ApprovalExpiresAt.String()
}

// ReasonState is how the run's reason reads: a problem, or (a dry run's
// forecast) information; "" when the page says it otherwise (a run
// waiting for approval has its approval box).
func (p runPage) ReasonState() string {
	switch {
	case p.Run.Reason == "" || p.Run.Status == store.RunAwaiting:
		return ""
	case p.Run.DryRun:
		return "info"
	}
	return "bad"
}

func runFinished(status string) bool {
	switch status {
	case store.RunPending, store.RunAwaiting, store.RunRunning:
		return false
	}
	return true
}

// waitView is the approval a run waits for, and what the viewer may do
// about it.
type waitView struct {
	Approvers string
	Expires   time.Time
	Starter   string
	// ApproveWhy and DenyWhy say why the viewer may not approve or deny
	// (besides lacking the operate scope); "" when they may.
	ApproveWhy, DenyWhy string
	Mine                bool // the viewer started the run
}

// runPage renders /runs/{id}: the run, its params and steps, and the
// approval it waits for with Approve and Deny for those who may. While the
// run goes on, a small script follows /runs/{id}/events and updates the
// page; without it, a reload shows the same.
func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.runPageData(r, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "run.html", p)
}

// runPageData reads what the run's page shows to the viewer of r.
func (s *Server) runPageData(r *http.Request, id string) (runPage, error) {
	ctx := r.Context()
	row, steps, err := s.d.Runbooks.Get(ctx, id)
	if err != nil {
		return runPage{}, err
	}
	title := row.Runbook
	if b, ok := s.d.Runbooks.Book(row.Runbook); ok && b.Title != "" {
		title = b.Title
	}
	kind := "Run "
	if row.DryRun {
		kind = "Dry run "
	}
	p := runPage{Page: s.page(r, kind+row.ID+" of "+row.Runbook, "runbooks"), Run: row, Title: title}
	p.Steps = p.stepRows(steps)
	for _, k := range slices.Sorted(maps.Keys(row.Params)) {
		p.Params = append(p.Params, paramValue{k, row.Params[k]})
	}
	if wt, ok := s.d.Runbooks.Waiting(ctx, row.ID); ok {
		who, _ := s.who(r)
		v := &waitView{Approvers: "anyone with the operate scope", Expires: wt.Expires, Starter: wt.Starter,
			Mine: wt.Starter != "" && (wt.Starter == "person/"+who.Person || wt.Starter == "token/"+who.Token)}
		if len(wt.Approvers) > 0 {
			v.Approvers = strings.Join(wt.Approvers, ", ")
		}
		if err := s.d.Runbooks.CanApprove(ctx, row.ID, who.Token, who.Person); err != nil {
			v.ApproveWhy = sentence(err)
		}
		if err := s.d.Runbooks.CanDeny(ctx, row.ID, who.Token, who.Person); err != nil {
			v.DenyWhy = sentence(err)
		}
		p.Wait = v
	}
	if row.AlertID != 0 {
		if a, err := s.d.Store.Alert(ctx, row.AlertID); err == nil {
			p.Alert = &a
		}
		if p.Incidents, err = s.d.Store.IncidentsForAlert(ctx, row.AlertID); err != nil {
			return p, err
		}
	}
	if p.Audit, err = s.d.Store.RunAudit(ctx, row.ID); err != nil {
		return p, err
	}
	return p, nil
}

// sentence is an error's safe message as a sentence for a page. It may
// begin with an id (person/thach ...), so its case stays as it is.
func sentence(err error) string {
	m := errs.Message(err)
	if !strings.HasSuffix(m, ".") {
		m += "."
	}
	return m
}

// stepRow is one step of a run as pages show it.
type stepRow struct {
	Page
	store.StepRow
}

func (p Page) stepRows(steps []store.StepRow) []stepRow {
	out := make([]stepRow, 0, len(steps))
	for _, st := range steps {
		out = append(out, stepRow{Page: p, StepRow: st})
	}
	return out
}

// Number is the step's place in the runbook, from 1.
func (s stepRow) Number() int { return s.Seq + 1 }

// Symbol goes with the status word, so state is not told by colour alone.
func (s stepRow) Symbol() string {
	switch s.Status {
	case "ok":
		return "✓"
	case "failed", "interrupted", "canceled":
		return "✗"
	case "skipped":
		return "–"
	case "running", "awaiting_approval", "pending":
		return "…"
	case "planned":
		return "○"
	}
	return "?"
}

// Took is how long the step ran, "" while it runs or when it did not.
func (s stepRow) Took() string {
	if s.StartedAt.IsZero() || s.EndedAt.IsZero() || s.Status == "planned" {
		return ""
	}
	return duration.Format(s.EndedAt.Sub(s.StartedAt).Round(time.Millisecond))
}
