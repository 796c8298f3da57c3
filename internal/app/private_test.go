package app

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

const privateConfig = `
tokens:
  - {id: ops, secret: op3rate-t0ken, scopes: [operate]}
services:
  - id: shop
    checks: [{id: db, tcp: {address: "127.0.0.1:1"}, every: 1m}]
`

// TestEveryAPIReadNeedsAToken walks every GET route under /api/v1 declared
// in routes.go, so a read added later without the read scope fails here.
func TestEveryAPIReadNeedsAToken(t *testing.T) {
	src, err := os.ReadFile("../web/routes.go")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`"GET (/api/v1/[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 20 {
		t.Fatalf("found only %d API reads in routes.go", len(routes))
	}
	h := start(t, privateConfig, "")
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, m := range routes {
		path := param.ReplaceAllString(m[1], "1")
		var body map[string]string
		if code := h.do("GET", path, anonymous, nil, &body); code != http.StatusUnauthorized || body["code"] != "unauthorized" {
			t.Errorf("GET %s without a token: %d %v", path, code, body)
		}
		if code := h.do("GET", path, "wrong-t0ken", nil, &body); code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token: %d %v", path, code, body)
		}
	}
	if code := h.do("GET", "/api/v1/checks", "", nil, nil); code != http.StatusOK {
		t.Fatalf("a read token is refused: %d", code)
	}
}

// TestPublicSwitches: the status page and /metrics are private unless
// global.public opens them; health is always open; alert pages are always
// private, and a browser without a credential is sent to sign in; browser
// routes answer errors as pages, not JSON.
func TestPublicSwitches(t *testing.T) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(h *harness, path, token string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", h.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusSeeOther {
			return resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Location")
		}
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	type want struct {
		path, token string
		status      int
		html        bool
	}
	cases := []struct {
		name   string
		global string
		wants  []want
	}{
		{"private by default", "", []want{
			{"/healthz", "", 200, false},
			{"/readyz", "", 200, false},
			{"/", "", 303, true},
			{"/checks/shop/db", "", 303, true},
			{"/metrics", "", 401, false},
			{"/alerts", "", 303, true},
			{"/alerts", "wrong-t0ken", 401, true},
			{"/", harnessReadToken, 200, true},
			{"/metrics", harnessReadToken, 200, false},
			{"/alerts", harnessReadToken, 200, true},
		}},
		{"status page and metrics opened", "global: {public: {status_page: true, metrics: true}}\n", []want{
			{"/", "", 200, true},
			{"/checks/shop/db", "", 200, true},
			{"/metrics", "", 200, false},
			{"/alerts", "", 303, true},
			{"/alerts/1", "", 303, true},
			{"/api/v1/services", "", 401, false},
			// Browser routes answer their errors as pages.
			{"/alerts/999", harnessReadToken, 404, true},
			{"/alerts/x", harnessReadToken, 400, true},
			{"/checks/shop/nope", "", 404, true},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := start(t, c.global+privateConfig, "")
			for _, w := range c.wants {
				status, ctype, body := get(h, w.path, w.token)
				if status != w.status {
					t.Errorf("GET %s (token %q): %d, want %d: %.200s", w.path, w.token, status, w.status, body)
				}
				if isHTML := strings.HasPrefix(ctype, "text/html"); isHTML != w.html {
					t.Errorf("GET %s: content type %q, want HTML %v", w.path, ctype, w.html)
				}
				if w.status == http.StatusSeeOther && !strings.HasPrefix(body, "/login?next="+url.QueryEscape(w.path)) {
					t.Errorf("GET %s: sent to %q, not to sign in and back", w.path, body)
				}
				if w.html && w.status >= 400 && !strings.Contains(body, `id="problem"`) {
					t.Errorf("GET %s: the error page does not say what is wrong: %.300s", w.path, body)
				}
			}
		})
	}
}
