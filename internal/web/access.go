package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
)

// who returns the principal of r: its bearer token if it sends one (a bad
// token never falls back to a cookie), else its session cookie. Wrappers
// resolve it once per request and keep it in the request's context.
func (s *Server) who(r *http.Request) (auth.Principal, error) {
	if v, ok := r.Context().Value(principalKey{}).(resolved); ok {
		return v.p, v.err
	}
	if auth.Presented(r) {
		return s.d.Tokens().Principal(r)
	}
	if id := s.sessionCookie(r); id != "" {
		return s.sessionPrincipal(r, id)
	}
	return s.d.Tokens().Principal(r)
}

type principalKey struct{}

type resolved struct {
	p   auth.Principal
	err error
}

// withPrincipal resolves who is asking once and keeps it with the request.
func (s *Server) withPrincipal(r *http.Request) *http.Request {
	if _, ok := r.Context().Value(principalKey{}).(resolved); ok {
		return r
	}
	p, err := s.who(r)
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, resolved{p, err}))
}

// allow returns who is asking when they hold scope. Every route that needs a
// credential goes through here, so the API and the pages check the same way.
// A state change made with a session cookie must also carry the session's
// CSRF token (the form's csrf field or an X-CSRF-Token header).
func (s *Server) allow(r *http.Request, scope auth.Scope) (auth.Principal, error) {
	p, err := s.who(r)
	if err != nil {
		return p, err
	}
	if p.Browser() && !safeMethod(r.Method) && !(auth.Session{CSRF: p.CSRF}).CheckCSRF(postedCSRF(r)) {
		return p, errs.E(errs.Forbidden, "this form is out of date or did not come from Vigil; nothing was changed. Reload the page and try again")
	}
	if !p.Can(scope) {
		if p.Browser() {
			return p, errs.E(errs.Forbidden, "%s needs the %s scope; you have %s", p.Name, scope, p.Scope)
		}
		return p, errs.E(errs.Forbidden, "token %q lacks the %s scope", p.Token, scope)
	}
	return p, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// postedCSRF is the CSRF token a request carries: a header for scripts, the
// csrf field for forms. The body is read only for form posts, whose size the
// page's action caps first.
func postedCSRF(r *http.Request) string {
	if v := r.Header.Get("X-CSRF-Token"); v != "" {
		return v
	}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
		return r.PostFormValue(csrfField)
	}
	return ""
}

// csrfField is the name of the hidden field every form carries.
const csrfField = "csrf"

// authorize wraps an API handler so it runs only for a caller with scope.
func (s *Server) authorize(scope auth.Scope, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.allow(r, scope); err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r)
	}
}

// read wraps an API read: private by default, like everything else.
func (s *Server) read(h http.HandlerFunc) http.HandlerFunc { return s.authorize(auth.Read, h) }

// privatePage wraps a browser page that always needs the read scope. A
// browser that sends no credential at all is sent to sign in and back.
func (s *Server) privatePage(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r = s.withPrincipal(r)
		if _, err := s.allow(r, auth.Read); err != nil {
			if errs.CodeOf(err) == errs.Unauthorized && !auth.Presented(r) && safeMethod(r.Method) {
				s.toSignIn(w, r)
				return
			}
			s.pageError(w, r, err)
			return
		}
		h(w, r)
	}
}

// toSignIn sends a browser to the sign-in page, to come back where it was.
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// statusPages wraps the status page and check pages: open when
// global.public.status_page says so, private otherwise.
func (s *Server) statusPages(h http.HandlerFunc) http.HandlerFunc {
	private := s.privatePage(h)
	return func(w http.ResponseWriter, r *http.Request) {
		if s.d.Config().Global.Public.StatusPage {
			// Open to all, but a signed-in person still sees who they are.
			h(w, s.withPrincipal(r))
			return
		}
		private(w, r)
	}
}

// action wraps a form post of the browser app: the body is capped, the
// session and its CSRF token are checked and the scope is required before h
// runs; otherwise the answer is 403 and nothing changes. h gets the
// principal, for the record.
func (s *Server) action(scope auth.Scope, h func(http.ResponseWriter, *http.Request, auth.Principal)) http.HandlerFunc {
	return s.actionUpTo(maxFormBody, scope, h)
}

// actionUpTo is action for a form whose body may be up to limit bytes (an
// upload).
func (s *Server) actionUpTo(limit int64, scope auth.Scope, h func(http.ResponseWriter, *http.Request, auth.Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		r = s.withPrincipal(r)
		if err := parseForm(r, limit); err != nil {
			s.pageError(w, r, err)
			return
		}
		p, err := s.allow(r, scope)
		if err != nil {
			if errs.CodeOf(err) == errs.Unauthorized {
				// A form without a session is refused, not sent to sign in:
				// replaying it after sign-in would act on a stale page.
				err = errs.E(errs.Forbidden, "you are not signed in (or your session has ended); nothing was changed. Sign in and try again")
			}
			s.pageError(w, r, err)
			return
		}
		h(w, r, p)
	}
}

// parseForm reads a posted form of at most limit bytes.
func parseForm(r *http.Request, limit int64) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return errs.E(errs.TooLarge, "the form is larger than %d KiB", limit>>10)
	case err != nil:
		return errs.E(errs.Invalid, "the form could not be read: %v", err)
	}
	return nil
}

// maxFormBody caps the body of a form post unless its action sets its own.
const maxFormBody = 64 << 10

// metrics serves Prometheus metrics: open when global.public.metrics says
// so, otherwise to a token with the read scope (Prometheus sends one with
// `authorization: {credentials_file: ...}` in its scrape config).
func (s *Server) metrics() http.HandlerFunc {
	h := promhttp.HandlerFor(s.d.Metrics, promhttp.HandlerOpts{})
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.d.Config().Global.Public.Metrics {
			if _, err := s.allow(r, auth.Read); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		h.ServeHTTP(w, r)
	}
}
