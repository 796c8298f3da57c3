package web

import (
	"net/http"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

type runbooksPage struct {
	Page
	Books []runbookRow
	// Awaiting are the runs waiting for the viewer's approval.
	Awaiting []store.RunRow
}

// runbookRow is one runbook of the list.
type runbookRow struct {
	ID, Title, Owner, Guards string
	Triggers                 []string
	Last                     *store.RunRow // the newest run, dry runs included
}

// runbooksPage renders /runbooks: every runbook with its triggers, guards
// and last run, and the runs waiting for the viewer's approval.
func (s *Server) runbooksPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := runbooksPage{Page: s.page(r, "Runbooks", "runbooks")}
	for _, b := range s.d.Runbooks.Books() {
		row := runbookRow{ID: b.ID, Title: b.Title, Owner: b.Owner, Guards: guardSummary(b), Triggers: newRunbookAPIView(b).Triggers}
		last, err := s.d.Store.Runs(ctx, store.RunFilter{Runbook: b.ID, Limit: 1})
		if err != nil {
			s.pageError(w, r, errs.Wrap(errs.Internal, err, "reading runs"))
			return
		}
		if len(last) == 1 {
			row.Last = &last[0]
		}
		p.Books = append(p.Books, row)
	}
	var err error
	if p.Awaiting, err = s.awaitingViewer(r); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "runbooks.html", p)
}

// awaitingViewer lists the runs waiting for an approval the viewer may
// give, oldest request first: the engine decides, as it would if they
// pressed Approve.
func (s *Server) awaitingViewer(r *http.Request) ([]store.RunRow, error) {
	who, err := s.who(r)
	if err != nil {
		return nil, err
	}
	if (who.Person == "" && who.Token == "") || !who.Can(auth.Operate) {
		return nil, nil
	}
	runs, err := s.d.Store.Runs(r.Context(), store.RunFilter{Statuses: []string{store.RunAwaiting}, Limit: 1000})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading runs waiting for approval")
	}
	var out []store.RunRow
	for i := len(runs) - 1; i >= 0; i-- {
		if _, ok := s.d.Runbooks.Waiting(r.Context(), runs[i].ID); !ok {
			continue // not waiting in this process (yet): nothing to approve now
		}
		if s.d.Runbooks.CanApprove(r.Context(), runs[i].ID, who.Token, who.Person) == nil {
			out = append(out, runs[i])
		}
	}
	return out, nil
}
