package web

import (
	"net/http"
	"strconv"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

type deployPage struct {
	Page
	Deploy store.DeployRow
}

// deployPage renders /deploys/{id}: what went out, and its verification
// check by check, with the alert a failure raised and its rollback run.
func (s *Server) deployPage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.pageError(w, r, errs.E(errs.NotFound, "no deploy %q", clipped(r.PathValue("id"))))
		return
	}
	d, err := s.d.Deploys.Get(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := deployPage{Page: s.page(r, "Deploy "+strconv.FormatInt(d.ID, 10)+" of "+d.Service, "delivery"), Deploy: d}
	if d.Verification != nil && d.Verification.Status == store.VerifyPending {
		p.Refresh = 5 // no forms here: follow the verdict as it comes
	}
	s.render(w, r, "deploy.html", p)
}

// verdictClass is the pill class of a verification verdict.
func verdictClass(status string) string {
	switch status {
	case store.VerifyPassed:
		return "ok"
	case store.VerifyFailed:
		return "fail"
	}
	return "pending"
}

// bandClass is the pill class of a DORA band.
func bandClass(band string) string {
	switch band {
	case "elite", "high":
		return "ok"
	case "medium":
		return "warn"
	}
	return "fail"
}
