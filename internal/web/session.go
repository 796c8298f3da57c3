package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// Cookie names. With Secure cookies they take the __Host- prefix, which
// browsers accept only from HTTPS, for the whole host and path /, so no
// subdomain or plain-HTTP page can plant or shadow them.
const (
	sessionCookieName = "vigil_session"
	loginCookieName   = "vigil_login" // the sign-in form's own CSRF token
	oidcCookieName    = "vigil_oidc"  // state, nonce and PKCE verifier of a sign-in in progress
)

// secureCookies says whether cookies get Secure (and the __Host- prefix):
// when people reach Vigil over HTTPS, as global.external_url says, or when
// this request came over TLS. A proxy that ends TLS in front of Vigil needs
// external_url set to its https:// address.
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(strings.ToLower(s.d.Config().Global.ExternalURL), "https://")
}

func (s *Server) cookieName(r *http.Request, base string) string {
	if s.secureCookies(r) {
		return "__Host-" + base
	}
	return base
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole app. Lax
// lets the cookie come along when a person follows a link from a
// notification, and keeps it off cross-site posts.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, base, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r, base), Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, base string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r, base), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) cookie(r *http.Request, base string) string {
	c, err := r.Cookie(s.cookieName(r, base))
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) sessionCookie(r *http.Request) string { return s.cookie(r, sessionCookieName) }

func (s *Server) sessionLimits() auth.SessionLimits {
	sc := s.d.Config().Auth.Session
	return auth.SessionLimits{Idle: sc.IdleTimeout.D(), MaxAge: sc.MaxAge.D()}
}

// sessionPrincipal resolves a session cookie under the running config: the
// person must still be in config, and still able to sign in the way the
// session was started (the same password, the same provider). Otherwise the
// session is revoked. Scopes come from today's access rules, so a change of
// rules applies at the next request.
func (s *Server) sessionPrincipal(r *http.Request, id string) (auth.Principal, error) {
	ctx := r.Context()
	sess, err := auth.ResolveSession(ctx, s.d.Store, s.now(), id, s.sessionLimits())
	if err != nil {
		return auth.Principal{}, err
	}
	people := s.d.People()
	m := auth.Method(sess.Method)
	pe, ok := people.Person(sess.Person)
	if cred := people.Credential(sess.Person, m); !ok || cred == "" || cred != sess.Credential {
		if err := s.d.Store.DeleteSession(ctx, sess.IDHash); err != nil {
			return auth.Principal{}, errs.Wrap(errs.Internal, err, "revoking a session")
		}
		s.audit(ctx, "person/"+sess.Person, "session.revoked", "the person, or the way they signed in, is no longer in config")
		return auth.Principal{}, auth.ErrNoSession
	}
	return auth.Principal{Person: pe.ID, Name: pe.Name, Method: m, Scope: people.Scope(pe.ID, sess.Groups),
		Session: sess.IDHash, CSRF: sess.CSRF}, nil
}

// startSession signs person in: it ends the session the browser had (a new
// id on every sign-in), stores a new one and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, person string, m auth.Method, groups []string) error {
	ctx := r.Context()
	if old := s.sessionCookie(r); old != "" {
		if err := s.d.Store.DeleteSession(ctx, auth.HashSessionID(old)); err != nil {
			return errs.Wrap(errs.Internal, err, "ending the previous session")
		}
	}
	// Sessions end lazily, when next used; the ones never used again are
	// swept here, so the table stays as small as the people signed in.
	lim, now := s.sessionLimits(), s.now()
	if err := s.d.Store.PruneSessions(ctx, now.Add(-lim.Idle), now.Add(-lim.MaxAge)); err != nil {
		return errs.Wrap(errs.Internal, err, "sweeping ended sessions")
	}
	cred := s.d.People().Credential(person, m)
	id, _, err := auth.NewSession(ctx, s.d.Store, now, person, m, groups, cred)
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookieName, id, lim.MaxAge)
	s.audit(ctx, "person/"+person, "session.started", "signed in by "+string(m))
	return nil
}

// audit records a sign-in event; the audit log is best effort here, as a
// failure to write it must not lock people out.
func (s *Server) audit(ctx context.Context, actor, action, detail string) {
	row := store.AuditRow{At: s.now(), Actor: actor, Action: action, Detail: detail}
	if _, err := s.d.Store.AppendAudit(context.WithoutCancel(ctx), row); err != nil {
		s.d.Log.Error("writing the audit log failed", "action", action, "err", err)
	}
}
