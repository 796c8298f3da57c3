package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/store"
)

// TestPasswordSignIn: a person signs in with a password, sees who they are,
// gets a new session id on every sign-in (only its hash stored) and signs
// out; a failed sign-in never says which part was wrong.
func TestPasswordSignIn(t *testing.T) {
	h := start(t, peopleConfig(t)+peopleAccess, "")
	v := h.visitor()

	r := v.get("/alerts?status=all")
	if r.Status != http.StatusSeeOther || r.Location != "/login?next="+url.QueryEscape("/alerts?status=all") {
		t.Fatalf("a private page without a session: %d to %q", r.Status, r.Location)
	}

	// Every way of failing reads the same.
	for _, c := range []struct{ name, pw string }{
		{"glen", "wrong-password"}, {"nobody", "glen-password"}, {"nopass", "anything-at-all"}, {"", ""},
	} {
		r := v.tryLogin(c.name, c.pw, "/alerts")
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Sign-in failed: that name and password do not match.") {
			t.Errorf("%s/%s: %d %.300s", c.name, c.pw, r.Status, r.Body)
		}
		for _, leak := range []string{"unknown", "no such", "password is wrong", "has no password"} {
			if strings.Contains(strings.ToLower(r.Body), leak) {
				t.Errorf("%s/%s: the failure says %q", c.name, c.pw, leak)
			}
		}
	}

	// The email works as the name, in any case.
	r = v.tryLogin("glen@example.COM", "glen-password", "/alerts")
	if r.Status != http.StatusSeeOther || r.Location != "/alerts" {
		t.Fatalf("signing in: %d to %q: %.300s", r.Status, r.Location, r.Body)
	}
	var sc *http.Cookie
	for _, c := range r.Cookies {
		if c.Name == "vigil_session" {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", sc)
	}
	first := v.sessionCookie()
	page := v.get("/alerts")
	if page.Status != 200 || !strings.Contains(page.Body, "Glen Hart") || !strings.Contains(page.Body, `action="/logout"`) {
		t.Fatalf("signed in, the page does not show who: %d %.500s", page.Status, page.Body)
	}
	ctx := context.Background()
	if _, err := h.app.store.Session(ctx, first); err == nil {
		t.Fatal("the store holds the session id itself")
	}
	row, err := h.app.store.Session(ctx, auth.HashSessionID(first))
	if err != nil || row.Person != "glen" || row.Method != "password" {
		t.Fatalf("stored session %+v, %v", row, err)
	}

	// Signing in again makes a new id and ends the old one.
	v.login("glen", "glen-password")
	if second := v.sessionCookie(); second == first || second == "" {
		t.Fatal("signing in again kept the session id")
	}
	old := h.visitor()
	old.jar.SetCookies(mustURL(h.url), []*http.Cookie{{Name: "vigil_session", Value: first}})
	if r := old.get("/alerts"); r.Status != http.StatusSeeOther {
		t.Fatalf("the replaced session still works: %d", r.Status)
	}

	// Signing out needs the form's token; without it nothing happens.
	if r := v.post("/logout", nil); r.Status != http.StatusForbidden {
		t.Fatalf("sign-out without a CSRF token: %d", r.Status)
	}
	if r := v.get("/alerts"); r.Status != 200 {
		t.Fatalf("a refused sign-out ended the session: %d", r.Status)
	}
	cookie := v.sessionCookie()
	r = v.post("/logout", url.Values{"csrf": {v.csrf("/alerts")}})
	if r.Status != http.StatusSeeOther || r.Location != "/login?out=1" {
		t.Fatalf("sign-out: %d to %q", r.Status, r.Location)
	}
	if v.sessionCookie() != "" {
		t.Error("the cookie outlived sign-out")
	}
	if _, err := h.app.store.Session(ctx, auth.HashSessionID(cookie)); err == nil {
		t.Error("the store kept the session after sign-out")
	}
	if r := v.get("/login?out=1"); !strings.Contains(r.Body, "You are signed out.") {
		t.Errorf("the sign-in page does not confirm the sign-out: %.300s", r.Body)
	}

	audit := h.auditActions()
	for _, want := range []string{"person/glen session.started", "address/127.0.0.1 session.refused", "person/glen session.ended"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q:\n%s", want, audit)
		}
	}
	// A sign-in form without its cookie (another site's form) is refused.
	stranger := h.visitor()
	if r := stranger.post("/login", url.Values{"login_token": {"made-up"}, "name": {"glen"}, "password": {"glen-password"}}); r.Status != http.StatusForbidden {
		t.Fatalf("a sign-in without the form's cookie: %d", r.Status)
	}
	// After sign-in a person goes back where they were, never off-site.
	// Browsers read \ as / and drop tabs, and the redirect cleans the
	// path: /./\evil.example would leave as /\evil.example, another site.
	for next, want := range map[string]string{"/alerts?status=all": "/alerts?status=all", "//evil.example/x": "/", "https://evil.example": "/",
		"/\\evil.example": "/", "/./\\evil.example": "/", "/\t/evil.example": "/", "/%09/evil.example": "/%09/evil.example",
		"/.//evil.example": "/evil.example", "/incidents/../alerts": "/alerts", "/login": "/", "/./login?next=//x": "/"} {
		w := h.visitor()
		if r := w.tryLogin("susan", "susan-password", next); r.Location != want {
			t.Errorf("next=%q led to %q, want %q", next, r.Location, want)
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// auditActions is the audit log as "actor action" lines.
func (h *harness) auditActions() string {
	h.t.Helper()
	var rows []store.AuditRow
	if code := h.do("GET", "/api/v1/audit?limit=1000", "", nil, &rows); code != 200 {
		h.t.Fatalf("GET audit: %d", code)
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s %s\n", r.Actor, r.Action)
	}
	return b.String()
}

// TestSessionExpiry: a session ends after idle_timeout unused, and after
// max_age however much it is used.
func TestSessionExpiry(t *testing.T) {
	h := start(t, peopleConfig(t)+peopleAccess, "")
	idle := h.visitor()
	idle.login("glen", "glen-password")
	busy := h.visitor()
	busy.login("susan", "susan-password")
	for range 4 { // 4 × 55m: busy is used within every hour
		h.advance(55 * time.Minute)
		if r := busy.get("/alerts"); r.Status != 200 {
			t.Fatalf("a session in use ended after %v: %d", h.clock.Since(t0), r.Status)
		}
	}
	if r := idle.get("/alerts"); r.Status != http.StatusSeeOther {
		t.Fatalf("a session unused for %v still works: %d", h.clock.Since(t0), r.Status)
	}
	h.advance(20 * time.Minute) // 4h in all: the maximum age
	if r := busy.get("/alerts"); r.Status != http.StatusSeeOther {
		t.Fatalf("a session older than max_age still works: %d", r.Status)
	}
}

// TestSessionsFollowConfig: removing a person's password (or the person)
// ends their sessions, and access rules apply at the next request.
func TestSessionsFollowConfig(t *testing.T) {
	base := peopleConfig(t)
	h := start(t, base+peopleAccess, "")
	glen, susan := h.visitor(), h.visitor()
	glen.login("glen", "glen-password")
	susan.login("susan", "susan-password")
	id := h.raise("disk", "Disk filling on db-1", "critical", "shop")
	if r := glen.api("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", id), glen.csrf("/alerts"), ""); r.Status != 200 {
		t.Fatalf("glen (respond) acknowledging: %d %s", r.Status, r.Body)
	}
	if r := susan.api("POST", fmt.Sprintf("/api/v1/alerts/%d/resolve", id), susan.csrf("/alerts"), ""); r.Status != http.StatusForbidden ||
		!strings.Contains(r.Body, "needs the respond scope; you have read") {
		t.Fatalf("susan (read) resolving: %d %s", r.Status, r.Body)
	}

	// susan's password goes; glen's team loses its rule.
	cfg := strings.Replace(base, fmt.Sprintf("password_hash: %q}", hashOf(t, "susan-password")), "}", 1)
	writeFile(t, h.cfg, cfg+"auth: {access: [{person: viktor, scopes: [admin]}]}\n")
	if err := h.app.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := susan.get("/alerts"); r.Status != http.StatusSeeOther {
		t.Fatalf("a session outlived its password: %d", r.Status)
	}
	if r := glen.api("POST", fmt.Sprintf("/api/v1/alerts/%d/resolve", id), glen.csrf("/alerts"), ""); r.Status != http.StatusForbidden {
		t.Fatalf("glen resolved after his rule was removed: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(h.auditActions(), "person/susan session.revoked") {
		t.Error("the revocation is not in the audit log")
	}
	// glen is removed altogether.
	writeFile(t, h.cfg, strings.Replace(strings.Replace(cfg, "id: glen,", "id: glenn,", 1), "members: [glen]", "members: [glenn]", 1))
	if err := h.app.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := glen.get("/alerts"); r.Status != http.StatusSeeOther {
		t.Fatalf("a removed person's session still works: %d", r.Status)
	}
}

// TestCSRF: a change made with a session cookie needs the session's CSRF
// token and must not come from another site; refused, it changes nothing.
// Done, it is recorded as the person's.
func TestCSRF(t *testing.T) {
	h := start(t, peopleConfig(t)+peopleAccess, "")
	v := h.visitor()
	v.login("glen", "glen-password")
	id := h.raise("disk", "Disk filling on db-1", "critical", "shop")
	ack := fmt.Sprintf("/api/v1/alerts/%d/ack", id)
	token := v.csrf("/alerts")

	other := h.visitor()
	other.login("susan", "susan-password")
	cases := []struct {
		name   string
		csrf   string
		header map[string]string
	}{
		{"no token", "", nil},
		{"made-up token", otherFirst(token), nil},
		{"another session's token", other.csrf("/alerts"), nil},
		{"right token, another site", token, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
	}
	for _, c := range cases {
		for k, val := range c.header {
			v.header.Set(k, val)
		}
		r := v.api("POST", ack, c.csrf, "")
		v.header = http.Header{}
		if r.Status != http.StatusForbidden {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
		if a := h.alert(id); a.Status != "firing" {
			t.Fatalf("%s: a refused request changed the alert: %+v", c.name, a)
		}
	}
	// Without a session at all, the API asks for a credential.
	if r := h.visitor().api("POST", ack, token, ""); r.Status != http.StatusUnauthorized {
		t.Errorf("no session: %d", r.Status)
	}

	v.header.Set("Sec-Fetch-Site", "same-origin")
	r := v.api("POST", ack, token, `{"by": "someone else"}`)
	if r.Status != 200 {
		t.Fatalf("acknowledging with the right token: %d %s", r.Status, r.Body)
	}
	a := h.alert(id)
	if a.AckedBy != "person/glen" {
		t.Errorf("acknowledged by %q; a signed-in person is who they are, want person/glen", a.AckedBy)
	}
	mustRow(t, "alert log", logLines(a), "acknowledged | person/glen")
}

func logLines(a alertJSON) []string {
	var out []string
	for _, l := range a.Log {
		out = append(out, l.Kind+" | "+l.Actor)
	}
	return out
}

// TestSignInRateLimit: guessing is slowed per account and per address,
// with 429 and Retry-After, and the right password waits too.
func TestSignInRateLimit(t *testing.T) {
	h := start(t, peopleConfig(t)+peopleAccess, "")
	v := h.visitor()
	for i := range 5 {
		if r := v.tryLogin("glen", fmt.Sprint("guess-", i), ""); r.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, r.Status)
		}
	}
	r := v.tryLogin("glen", "glen-password", "")
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "30" || !strings.Contains(r.Body, "Too many sign-in attempts") {
		t.Fatalf("the sixth try: %d, Retry-After %q: %.300s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	// Another account is not held back by glen's.
	if r := v.tryLogin("susan", "susan-password", ""); r.Status != http.StatusSeeOther {
		t.Fatalf("susan held back by glen's guesses: %d", r.Status)
	}
	h.advance(30 * time.Second)
	v.login("glen", "glen-password")

	// One address trying many names is stopped too (20 at once).
	w := h.visitor()
	limited := 0
	for i := range 20 {
		if r := w.tryLogin(fmt.Sprint("name-", i), "x", ""); r.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("20 names from one address were never limited")
	}
}

// TestSecureCookies: behind HTTPS (external_url https://...) the cookies
// are Secure and carry the __Host- prefix.
func TestSecureCookies(t *testing.T) {
	h := start(t, "global: {external_url: \"https://vigil.example.com\"}\n"+peopleConfig(t)+peopleAccess, "")
	v := h.visitor()
	form := v.get("/login")
	var login *http.Cookie
	for _, c := range form.Cookies {
		if c.Name == "__Host-vigil_login" {
			login = c
		}
	}
	if login == nil || !login.Secure || !login.HttpOnly || login.Path != "/" || login.Domain != "" {
		t.Fatalf("sign-in form cookie %+v", form.Cookies)
	}
	// The jar would not send a Secure cookie over plain HTTP; a proxy would.
	req, _ := http.NewRequest("POST", h.url+"/login", strings.NewReader(url.Values{"login_token": {login.Value}, "name": {"glen"}, "password": {"glen-password"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: login.Name, Value: login.Value})
	r := v.send(req)
	var sc *http.Cookie
	for _, c := range r.Cookies {
		if c.Name == "__Host-vigil_session" {
			sc = c
		}
	}
	if r.Status != http.StatusSeeOther || sc == nil || !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" {
		t.Fatalf("session cookie over HTTPS: %d %+v", r.Status, r.Cookies)
	}
	if sc.MaxAge != int((4 * time.Hour).Seconds()) {
		t.Errorf("session cookie lives %ds, want max_age (4h)", sc.MaxAge)
	}
}

// TestOIDCCallbackRefusals: a callback that did not start in this browser,
// or carries another flow's state, signs nobody in.
func TestOIDCCallbackRefusals(t *testing.T) {
	op := startProvider(t, opUser{ID: "u1", Username: "glen", Password: "pw-at-idp", Email: "glen@example.com"})
	h := start(t, peopleConfig(t)+"auth:\n"+op.oidcConfig(""), "")
	op.register("vigil", "vigil-s3cret", h.url+"/login/oidc/callback")
	v := h.visitor()
	// No flow cookie at all: a link someone else made.
	if r := v.get("/login/oidc/callback?state=abc&code=xyz"); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "did not start here") {
		t.Fatalf("callback without a flow: %d %.300s", r.Status, r.Body)
	}
	// A real start, then a state that is not its own.
	r := v.get("/login/oidc?next=/alerts")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, op.issuer+"/auth?") {
		t.Fatalf("start: %d to %q", r.Status, r.Location)
	}
	u, _ := url.Parse(r.Location)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("the authorization request lacks PKCE, nonce or state: %v", q)
	}
	if r := v.get("/login/oidc/callback?state=" + url.QueryEscape(q.Get("state")+"x") + "&code=xyz"); r.Status != http.StatusForbidden {
		t.Fatalf("callback with another state: %d", r.Status)
	}
	// The provider said no.
	if r := v.get("/login/oidc/callback?error=access_denied&error_description=%3Cb%3Enope%3C%2Fb%3E"); r.Status != http.StatusForbidden ||
		!strings.Contains(r.Body, "access_denied &lt;b&gt;nope&lt;/b&gt;") {
		t.Fatalf("provider error: %d %.400s", r.Status, r.Body)
	}
	if v.sessionCookie() != "" {
		t.Fatal("a refused callback left a session")
	}
}

// otherFirst changes the first character of s, so the result never equals s.
func otherFirst(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}
