package web

import (
	"net/http"

	"github.com/vigil-sre/vigil/internal/errs"
)

type errorPage struct {
	Page
	Message string
	SignIn  bool
}

// pageError is writeError for browser routes: the same status and safe
// message, as a page a person can read instead of JSON.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	code := errs.CodeOf(err)
	if code == errs.Internal {
		s.d.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := statusOf(code)
	p := errorPage{Page: s.page(r, http.StatusText(status), ""), Message: errs.Message(err), SignIn: code == errs.Unauthorized || code == errs.Forbidden}
	pageHeaders(w)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, "error.html", p); err != nil {
		s.d.Log.Error("rendering page failed", "page", "error.html", "err", err)
	}
}
