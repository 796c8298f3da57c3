package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/store"
)

type linkPage struct {
	Alert   alertView
	Action  string // ack or resolve
	Verb    string // Acknowledge or Resolve
	Who     string
	Exp     string
	Sig     string
	Done    bool
	Problem string
	Version string
	Refresh int
	loc     *time.Location // the zone of the person the link names
}

// Time shows t in the zone of the person the link was sent to.
func (p linkPage) Time(v any) template.HTML { return Page{loc: p.loc}.Time(v) }

// linkForm answers GET /a/{id}/{verb}: the page a signed link opens. It only
// shows the alert and a button; link previews in chat tools fetch URLs, so a
// GET never changes anything.
func (s *Server) linkForm(w http.ResponseWriter, r *http.Request) {
	s.link(w, r, false)
}

// linkAct answers POST /a/{id}/{verb}: the button on that page.
func (s *Server) linkAct(w http.ResponseWriter, r *http.Request) {
	s.link(w, r, true)
}

func (s *Server) link(w http.ResponseWriter, r *http.Request, act bool) {
	page := linkPage{Version: s.d.Version, loc: s.zoneOf("")}
	id, err := alertID(r)
	action, known := pager.ActionOf(r.PathValue("verb"))
	if err != nil || !known {
		s.renderLink(w, r, http.StatusNotFound, page, "This link is not valid.")
		return
	}
	if err := parseLinkForm(w, r); err != nil {
		s.renderLink(w, r, statusOf(errs.CodeOf(err)), page, "This link is not valid.")
		return
	}
	page.Action, page.Who, page.Exp, page.Sig = r.PathValue("verb"), r.Form.Get("who"), r.Form.Get("exp"), r.Form.Get("sig")
	page.Verb = map[alert.Action]string{alert.Acknowledge: "Acknowledge", alert.Resolve: "Resolve"}[action]
	exp, _ := strconv.ParseInt(page.Exp, 10, 64)
	if err := s.d.Links.Verify(id, action, page.Who, exp, page.Sig, s.now()); err != nil {
		status := http.StatusForbidden
		if errors.Is(err, pager.ErrLinkExpired) {
			status = http.StatusGone
		}
		s.renderLink(w, r, status, page, err.Error())
		return
	}
	if rest, ok := strings.CutPrefix(page.Who, "person/"); ok {
		person, _, _ := strings.Cut(rest, "/")
		page.loc = s.zoneOf(person)
	}
	row, err := s.d.Store.Alert(r.Context(), id)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrNotFound) {
			status = http.StatusNotFound
		}
		s.renderLink(w, r, status, page, "There is no such alert.")
		return
	}
	page.Alert = newAlertView(row)
	if !act {
		s.renderLink(w, r, http.StatusOK, page, "")
		return
	}
	who := page.Who + " (link)"
	if action == alert.Acknowledge {
		_, err = s.d.Pager.Acknowledge(r.Context(), id, who)
	} else {
		_, err = s.d.Pager.Resolve(r.Context(), id, who)
	}
	if err != nil {
		status := http.StatusInternalServerError
		if c := errs.CodeOf(err); c == errs.Conflict || c == errs.NotFound {
			status = statusOf(c)
		}
		s.renderLink(w, r, status, page, errs.Message(err))
		return
	}
	if row, err = s.d.Store.Alert(r.Context(), id); err == nil {
		page.Alert = newAlertView(row)
	}
	page.Done = true
	s.renderLink(w, r, http.StatusOK, page, "")
}

func (s *Server) renderLink(w http.ResponseWriter, r *http.Request, status int, page linkPage, problem string) {
	page.Problem = problem
	// The page carries a signed link: keep it out of caches and referrers.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	pageHeaders(w)
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, "link.html", page); err != nil {
		s.d.Log.Error("rendering page failed", "page", "link.html", "err", err)
	}
}
