package web

import (
	"net/http"
	"net/url"

	"github.com/vigil-sre/vigil/internal/errs"
)

// crossOrigin refuses state changes that a browser says come from another
// site (Sec-Fetch-Site, or Origin against Host), before any handler runs.
// Requests that are not from a browser (the CLI, curl, webhooks) carry
// neither header and pass; they hold no cookie to abuse. Forms made with a
// session also carry its CSRF token (see allow), so a browser too old to
// send either header is still covered.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	// Behind a proxy the Host Vigil sees may not be the one people use.
	if u, err := url.Parse(s.d.Config().Global.ExternalURL); err == nil && u.Scheme != "" && u.Host != "" {
		_ = cop.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := errs.E(errs.Forbidden, "this request came from another site; nothing was changed")
		if isPage(r) {
			s.pageError(w, r, err)
			return
		}
		s.writeError(w, r, err)
	}))
	return cop.Handler(next)
}

// isPage tells a request of the browser app from one of the API.
func isPage(r *http.Request) bool {
	p := r.URL.Path
	return !(len(p) >= 5 && p[:5] == "/api/") && !(len(p) >= 4 && p[:4] == "/v2/")
}
