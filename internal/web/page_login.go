package web

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/auth/sso"
	"github.com/vigil-sre/vigil/internal/errs"
)

// signIn is the state of signing in that outlives a request: the rate
// limits, a bound on password hashing in flight, and the discovered OpenID
// provider.
type signIn struct {
	accounts  *auth.Limiter
	addresses *auth.Limiter
	hashing   chan struct{}
	sso       sso.Cache
}

// Sign-in limits. An account gets 5 tries at once and one more every 30
// seconds; an address (one proxy may front a whole office) 20 and one every
// 5 seconds. Each limiter remembers at most 10,000 keys.
func newSignIn() *signIn {
	return &signIn{
		accounts:  &auth.Limiter{Burst: 5, Every: 30 * time.Second, Max: 10_000},
		addresses: &auth.Limiter{Burst: 20, Every: 5 * time.Second, Max: 10_000},
		// Each argon2id check takes 19 MiB and a core for ~30 ms.
		hashing: make(chan struct{}, 4),
	}
}

type loginPage struct {
	Page
	Next       string
	Name       string
	LoginToken string
	Problem    string
	OIDC       string // the provider's name, when single sign-on is on
	Passwords  bool   // someone has a password
}

// failedLogin is all a failed sign-in says: which part was wrong would tell
// a guesser which names exist.
const failedLogin = "Sign-in failed: that name and password do not match."

// loginForm answers GET /login. Someone signed in may sign in again, as
// someone else: the new session replaces theirs.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	r = s.withPrincipal(r)
	p := s.newLoginPage(w, r, safeNext(r.URL.Query().Get("next")))
	switch {
	case p.Viewer != nil && p.Viewer.ID != "":
		p.Notice = "You are signed in as " + p.Viewer.Name + "; signing in again replaces that session."
	case r.URL.Query().Has("out"):
		p.Notice = "You are signed out."
	}
	s.renderStatus(w, r, http.StatusOK, "login.html", p)
}

// newLoginPage makes the form with a fresh sign-in token, also set as a
// cookie: a post must carry both, so another site cannot sign a browser in
// to an account of its choosing.
func (s *Server) newLoginPage(w http.ResponseWriter, r *http.Request, next string) loginPage {
	p := loginPage{Page: s.page(r, "Sign in", ""), Next: next, LoginToken: rand.Text()}
	s.setCookie(w, r, loginCookieName, p.LoginToken, time.Hour)
	cfg := s.d.Config()
	if cfg.Auth.OIDC != nil {
		p.OIDC = cfg.Auth.OIDC.Name
	}
	for _, pe := range cfg.People {
		if !pe.PasswordHash.IsZero() {
			p.Passwords = true
		}
	}
	return p
}

// login answers POST /login: a person signs in with their id or email and
// password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := parseForm(r, 8<<10); err != nil {
		s.pageError(w, r, err)
		return
	}
	name, pw, next := r.PostForm.Get("name"), r.PostForm.Get("password"), safeNext(r.PostForm.Get("next"))
	cookie := s.cookie(r, loginCookieName)
	if cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(r.PostForm.Get("login_token"))) != 1 {
		s.pageError(w, r, errs.E(errs.Forbidden, "the sign-in form expired or did not come from Vigil; reload it and try again"))
		return
	}
	now := s.now()
	account := "account:" + strings.ToLower(strings.TrimSpace(name))
	if len(account) > 200 {
		account = account[:200]
	}
	addr := "address:" + clientAddress(r)
	ok, wait := s.signIn.addresses.Allow(addr, now)
	if ok {
		ok, wait = s.signIn.accounts.Allow(account, now)
	}
	if !ok {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		p := s.newLoginPage(w, r, next)
		p.Name, p.Problem = name, fmt.Sprintf("Too many sign-in attempts. Try again in %d seconds.", secs)
		s.renderStatus(w, r, http.StatusTooManyRequests, "login.html", p)
		return
	}
	select {
	case s.signIn.hashing <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	person, good := s.d.People().CheckPassword(name, pw)
	<-s.signIn.hashing
	if !good {
		s.audit(r.Context(), "address/"+clientAddress(r), "session.refused", "wrong name or password")
		p := s.newLoginPage(w, r, next)
		p.Name, p.Problem = name, failedLogin
		s.renderStatus(w, r, http.StatusUnauthorized, "login.html", p)
		return
	}
	s.signIn.accounts.Forget(account)
	if err := s.startSession(w, r, person, auth.MethodPassword, nil); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.clearCookie(w, r, loginCookieName)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout answers POST /logout: the session ends here and in the store.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if p.Session != "" {
		if err := s.d.Store.DeleteSession(r.Context(), p.Session); err != nil {
			s.pageError(w, r, errs.Wrap(errs.Internal, err, "ending the session"))
			return
		}
		s.audit(r.Context(), p.Actor(), "session.ended", "signed out")
	}
	s.clearCookie(w, r, sessionCookieName)
	http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
}

// safeNext keeps a redirect after sign-in inside Vigil: a path, never a
// URL of another site. Browsers read a backslash as a slash and drop tabs
// and newlines from URLs, and the redirect cleans the path (/./\x becomes
// /\x), so a next with either is refused outright and the rest is judged
// as the browser will see it, cleaned.
func safeNext(next string) string {
	if strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(next, "/") {
		return "/"
	}
	clean := path.Clean(u.Path)
	if u.Path == "" || strings.HasPrefix(clean, "//") || clean == "/login" || strings.HasPrefix(clean, "/login/") {
		return "/"
	}
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	u.Path, u.RawPath = clean, ""
	return u.String()
}

// clientAddress is the address the connection came from. Vigil does not
// trust X-Forwarded-For: anyone could send one to dodge the limit.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
