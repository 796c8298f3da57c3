package app

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-sre/vigil/internal/auth/password"
)

// visitor is a person's browser without the browser: a cookie jar and forms
// posted as a browser posts them. It does not follow redirects, so tests
// see where each answer sends the person.
type visitor struct {
	t      *testing.T
	h      *harness
	jar    *cookiejar.Jar
	client *http.Client
	header http.Header // sent with every request (Origin, Sec-Fetch-Site)
}

func (h *harness) visitor() *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: h.t, h: h, jar: jar, header: http.Header{},
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// reply is an answer as a test looks at it.
type reply struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
	Cookies  []*http.Cookie
}

func (v *visitor) send(req *http.Request) reply {
	v.t.Helper()
	for k, vs := range v.header {
		req.Header[k] = vs
	}
	resp, err := v.client.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Body: string(b), Location: resp.Header.Get("Location"), Header: resp.Header, Cookies: resp.Cookies()}
}

func (v *visitor) get(path string) reply {
	v.t.Helper()
	req, _ := http.NewRequest("GET", v.h.url+path, nil)
	return v.send(req)
}

// post sends a form, as a browser does on submit.
func (v *visitor) post(path string, form url.Values) reply {
	v.t.Helper()
	req, _ := http.NewRequest("POST", v.h.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.send(req)
}

// api sends a JSON request with the session cookie, as a page's script
// would, with csrf as its X-CSRF-Token header when not empty.
func (v *visitor) api(method, path, csrf, body string) reply {
	v.t.Helper()
	req, _ := http.NewRequest(method, v.h.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	return v.send(req)
}

var (
	loginTokenField = regexp.MustCompile(`name="login_token" value="([^"]+)"`)
	csrfFieldRe     = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// login signs in through the sign-in form and fails the test unless it
// worked.
func (v *visitor) login(name, pw string) {
	v.t.Helper()
	if r := v.tryLogin(name, pw, ""); r.Status != http.StatusSeeOther {
		v.t.Fatalf("signing in as %s: %d %.300s", name, r.Status, r.Body)
	}
}

// tryLogin loads the sign-in form and posts it.
func (v *visitor) tryLogin(name, pw, next string) reply {
	v.t.Helper()
	form := v.get("/login?next=" + url.QueryEscape(next))
	m := loginTokenField.FindStringSubmatch(form.Body)
	if m == nil {
		v.t.Fatalf("the sign-in page has no form: %d %.300s", form.Status, form.Body)
	}
	return v.post("/login", url.Values{"login_token": {m[1]}, "name": {name}, "password": {pw}, "next": {next}})
}

// csrf is the CSRF token in the forms of the page at path.
func (v *visitor) csrf(path string) string {
	v.t.Helper()
	r := v.get(path)
	m := csrfFieldRe.FindStringSubmatch(r.Body)
	if m == nil {
		v.t.Fatalf("%s has no csrf field: %d %.300s", path, r.Status, r.Body)
	}
	return m[1]
}

// sessionCookie is the session cookie the jar holds, or "".
func (v *visitor) sessionCookie() string {
	u, _ := url.Parse(v.h.url)
	for _, c := range v.jar.Cookies(u) {
		if c.Name == "vigil_session" {
			return c.Value
		}
	}
	return ""
}

// hashes makes each password's hash once per test binary: argon2id is
// slow on purpose.
var hashes sync.Map

func hashOf(t *testing.T, pw string) string {
	t.Helper()
	if h, ok := hashes.Load(pw); ok {
		return h.(string)
	}
	h, err := password.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	hashes.Store(pw, h)
	return h
}

// peopleConfig is a team whose members can sign in: glen (sre, respond),
// susan (no rule: read) and viktor (admin); nopass has no password.
func peopleConfig(t *testing.T) string { return peopleConfigWith(t, "") }

// peopleConfigWith is peopleConfig with more people (YAML list items).
func peopleConfigWith(t *testing.T, more string) string {
	return fmt.Sprintf(`
people:
  - {id: glen, name: Glen Hart, timezone: Asia/Ho_Chi_Minh, contacts: {email: Glen@Example.com}, password_hash: %q}
  - {id: susan, name: Susan Reyes, password_hash: %q}
  - {id: viktor, name: Viktor Admin, password_hash: %q}
  - {id: nopass, name: No Password}
%steams: [{id: sre, members: [glen]}]
integrations: [{id: gen, type: generic, key: gen-k3y}]
tokens: [{id: root, secret: r00t-t0ken, scopes: [admin]}]
services: [{id: shop}, {id: dns}]
`, hashOf(t, "glen-password"), hashOf(t, "susan-password"), hashOf(t, "viktor-password"), more)
}

const peopleAccess = `
auth:
  session: {idle_timeout: 1h, max_age: 4h}
  access:
    - {team: sre, scopes: [respond]}
    - {person: viktor, scopes: [admin]}
`

// formSignIn signs in through the sign-in form with a client that follows
// redirects, as a browser does, and returns where it ended and the page.
func formSignIn(tb testing.TB, c *http.Client, base, name, pw, next string) (*http.Response, string) {
	tb.Helper()
	resp, err := c.Get(base + "/login?next=" + url.QueryEscape(next))
	if err != nil {
		tb.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginTokenField.FindSubmatch(form)
	if m == nil {
		tb.Fatalf("no sign-in form: %d %.300s", resp.StatusCode, form)
	}
	resp, err = c.PostForm(base+"/login", url.Values{"login_token": {string(m[1])}, "name": {name}, "password": {pw}, "next": {next}})
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(page)
}
