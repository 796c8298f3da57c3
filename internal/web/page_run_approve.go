package web

import (
	"fmt"
	"net/http"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// maxComment bounds an approval's comment, as the API's body does.
const maxComment = 2000

// runApproveAction answers POST /runs/{id}/approve (operate) from the run's
// page; the engine refuses the starter (distinct_approver) and anyone not
// among the approvers with 403, a run no longer waiting with 409.
func (s *Server) runApproveAction(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	s.answerRunForm(w, r, p, false)
}

// runDenyAction answers POST /runs/{id}/deny (operate): the run is
// canceled. Its approvers may deny it, and its starter may withdraw it.
func (s *Server) runDenyAction(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	s.answerRunForm(w, r, p, true)
}

func (s *Server) answerRunForm(w http.ResponseWriter, r *http.Request, p auth.Principal, deny bool) {
	id, comment := r.PathValue("id"), r.PostFormValue("comment")
	if len(comment) > maxComment {
		s.pageError(w, r, errs.E(errs.Invalid, "comment: at most %d characters", maxComment))
		return
	}
	row, err := s.decideRun(r, p, id, comment, deny)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if deny {
		s.notice(w, r, fmt.Sprintf("Denied run %s; it is canceled.", row.ID))
	} else {
		s.notice(w, r, fmt.Sprintf("Approved run %s.", row.ID))
	}
	http.Redirect(w, r, "/runs/"+row.ID, http.StatusSeeOther)
}

// decideRun approves or denies a run for p: a signed-in person as
// themselves, a token as the token (and its person). The API and the pages
// answer through here.
func (s *Server) decideRun(r *http.Request, p auth.Principal, id, comment string, deny bool) (store.RunRow, error) {
	ctx, rb := r.Context(), s.d.Runbooks
	switch {
	case p.Browser() && deny:
		return rb.DenyAs(ctx, id, p.Person, p.Actor(), comment)
	case p.Browser():
		return rb.ApproveAs(ctx, id, p.Person, p.Actor(), comment)
	case deny:
		return rb.Deny(ctx, id, p.Token, comment)
	}
	return rb.Approve(ctx, id, p.Token, comment)
}
