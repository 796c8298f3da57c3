package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/auth/sso"
	"github.com/vigil-sre/vigil/internal/errs"
)

// oidcFlowTTL is how long a person has at the provider before the sign-in
// must start again.
const oidcFlowTTL = 10 * time.Minute

// oidcCallbackPath is the callback route: auth.oidc.redirect_path as the
// config said at start.
func (s *Server) oidcCallbackPath() string {
	if o := s.d.Config().Auth.OIDC; o != nil && o.RedirectPath != "" {
		return o.RedirectPath
	}
	return "/login/oidc/callback"
}

// redirectURL is where the provider sends people back: external_url, or
// when that is not set the address this request came to.
func (s *Server) redirectURL(r *http.Request) string {
	base := strings.TrimSuffix(s.d.Config().Global.ExternalURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + s.oidcCallbackPath()
}

func (s *Server) provider(r *http.Request) (*sso.Provider, error) {
	o := s.d.Config().Auth.OIDC
	if o == nil {
		return nil, errs.E(errs.NotFound, "single sign-on is not configured (auth.oidc)")
	}
	return s.signIn.sso.Get(r.Context(), *o, s.redirectURL(r))
}

// oidcStart answers GET /login/oidc: it sends the browser to the provider,
// remembering the flow's secrets in a cookie only this browser holds.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	p, err := s.provider(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	to, flow := p.Begin(safeNext(r.URL.Query().Get("next")))
	b, _ := json.Marshal(flow)
	s.setCookie(w, r, oidcCookieName, base64.RawURLEncoding.EncodeToString(b), oidcFlowTTL)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// oidcCallback answers the provider's redirect back: the code becomes an
// ID token, the token a person of the config, and the person a session.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	var flow sso.Flow
	if raw := s.cookie(r, oidcCookieName); raw != "" {
		if b, err := base64.RawURLEncoding.DecodeString(raw); err == nil {
			_ = json.Unmarshal(b, &flow)
		}
	}
	s.clearCookie(w, r, oidcCookieName)
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		s.pageError(w, r, errs.E(errs.Forbidden, "the sign-in provider did not sign you in: %s %s", e, q.Get("error_description")))
		return
	}
	p, err := s.provider(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	id, err := p.Finish(r.Context(), flow, q.Get("state"), q.Get("code"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	o := s.d.Config().Auth.OIDC
	person, ok := s.d.People().Match(o.PersonMatch, id.Claim)
	if !ok {
		s.audit(r.Context(), "oidc/"+id.Subject, "session.refused", "no person has "+o.PersonMatch+" "+id.Claim)
		s.pageError(w, r, errs.E(errs.Forbidden, "you signed in at the provider as %s, but no person in Vigil's config has that %s; ask an admin to add you under people:", id.Claim, o.PersonMatch))
		return
	}
	if err := s.startSession(w, r, person, auth.MethodOIDC, id.Groups); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, safeNext(flow.Next), http.StatusSeeOther)
}
