package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigil-sre/vigil/internal/auth"
)

// allow returns who is asking when they hold scope. Every route that needs a
// credential goes through here, so the API and the pages check the same way.
func (s *Server) allow(r *http.Request, scope auth.Scope) (string, error) {
	return s.d.Tokens().Authorize(r, scope)
}

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

// privatePage wraps a browser page that always needs the read scope.
func (s *Server) privatePage(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.allow(r, auth.Read); err != nil {
			s.pageError(w, r, err)
			return
		}
		h(w, r)
	}
}

// statusPages wraps the status page and check pages: open when
// global.public.status_page says so, private otherwise.
func (s *Server) statusPages(h http.HandlerFunc) http.HandlerFunc {
	private := s.privatePage(h)
	return func(w http.ResponseWriter, r *http.Request) {
		if s.d.Config().Global.Public.StatusPage {
			h(w, r)
			return
		}
		private(w, r)
	}
}

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
