package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/store"
)

type runLinkPage struct {
	Run     store.RunRow
	Who     string
	Wait    string
	Exp     string
	Sig     string
	Done    bool
	Problem string
}

// runLinkForm answers GET /r/{id}/approve: the page an approval request's
// signed link opens. Like alert links, a GET changes nothing (chat tools
// fetch links to preview them); the button POSTs.
func (s *Server) runLinkForm(w http.ResponseWriter, r *http.Request) { s.runLink(w, r, false) }

// runLinkAct answers POST /r/{id}/approve.
func (s *Server) runLinkAct(w http.ResponseWriter, r *http.Request) { s.runLink(w, r, true) }

func (s *Server) runLink(w http.ResponseWriter, r *http.Request, act bool) {
	var page runLinkPage
	if err := parseLinkForm(w, r); err != nil {
		s.renderRunLink(w, statusOf(errs.CodeOf(err)), page, "This link is not valid.")
		return
	}
	id := r.PathValue("id")
	page.Who, page.Exp, page.Sig, page.Wait = r.Form.Get("who"), r.Form.Get("exp"), r.Form.Get("sig"), r.Form.Get("wait")
	exp, _ := strconv.ParseInt(page.Exp, 10, 64)
	gen, _ := strconv.Atoi(page.Wait)
	if err := s.d.Links.VerifyRun(id, gen, page.Who, exp, page.Sig, s.now()); err != nil {
		status := http.StatusForbidden
		if errors.Is(err, pager.ErrLinkExpired) {
			status = http.StatusGone
		}
		s.renderRunLink(w, status, page, err.Error())
		return
	}
	row, _, err := s.d.Runbooks.Get(r.Context(), id)
	if err != nil {
		s.renderRunLink(w, statusOf(errs.CodeOf(err)), page, errs.Message(err))
		return
	}
	page.Run = row
	if act {
		if row, err = s.d.Runbooks.ApproveByLink(r.Context(), id, gen, page.Who); err != nil {
			s.renderRunLink(w, statusOf(errs.CodeOf(err)), page, errs.Message(err))
			return
		}
		page.Run, page.Done = row, true
	}
	s.renderRunLink(w, http.StatusOK, page, "")
}

func (s *Server) renderRunLink(w http.ResponseWriter, status int, page runLinkPage, problem string) {
	page.Problem = problem
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	pageHeaders(w)
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, "runlink.html", page); err != nil {
		s.d.Log.Error("rendering page failed", "page", "runlink.html", "err", err)
	}
}
