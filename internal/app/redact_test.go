package app

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check/checktest"
)

// TestCheckURLSecretsStayHidden: a check URL whose query carries a key
// (and a redirect to one that does) fails; the key shows nowhere a person
// looks: the API's checks, services, events and alerts, the status page,
// the check page and the page sent to on-call.
func TestCheckURLSecretsStayHidden(t *testing.T) {
	sk := newSink(t)
	closed := checktest.ClosedPort(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/go" {
			http.Redirect(w, r, "http://"+closed+"/landing?token=r3dir-s3cret", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	h := start(t, fmt.Sprintf(`
global: {public: {status_page: true}}
people:
  - {id: thach, contacts: {webhook: "%s/thach"}}
escalations:
  - {id: sre, steps: [{notify: [person/thach]}]}
routes:
  - {escalation: sre, group_wait: 0s}
services:
  - id: shop
    checks:
      - {id: api, http: {url: "%s/health?api_key=k3y-s3cret&region=eu"}, every: 30s, timeout: 2s, expect: ['status == 200'], fail_after: 1}
      - {id: sso, http: {url: "%s/go"}, every: 30s, timeout: 2s, fail_after: 1}
`, sk.URL, srv.URL, srv.URL), "")
	h.step(30*time.Second, "shop/api", "shop/sso")
	h.waitState("shop/api", "failing")
	if c := h.waitState("shop/sso", "failing"); !strings.Contains(c.Reason, "token=xxxxx") {
		t.Errorf("the redirect is not named without its token: %q", c.Reason)
	}
	sk.wait(t, "/thach", 1)

	var seen []string
	for _, path := range []string{"/api/v1/checks", "/api/v1/checks/shop/api", "/api/v1/checks/shop/sso", "/api/v1/services",
		"/api/v1/events", "/api/v1/alerts?status=all", "/api/v1/alerts/1", "/", "/checks/shop/api", "/checks/shop/sso"} {
		resp := h.get(path)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		seen = append(seen, path+": "+string(b))
	}
	for _, d := range sk.deliveries("/thach") {
		seen = append(seen, "page: "+string(d.Body))
	}
	for _, s := range seen {
		if strings.Contains(s, "s3cret") {
			t.Errorf("a check URL's secret shows: %.300s", s)
		}
	}
	var c struct {
		Target string `json:"target"`
	}
	h.do("GET", "/api/v1/checks/shop/api", "", nil, &c)
	if want := srv.URL + "/health?api_key=xxxxx&region=xxxxx"; c.Target != want {
		t.Errorf("target = %q, want %q", c.Target, want)
	}
}
