package app

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

const heartbeatConfig = `
tokens:
  - {id: ops, secret: op3rate-t0ken, scopes: [operate]}
  - {id: reader, secret: r3ad-t0ken, scopes: [read]}
  - {id: root, secret: adm1n-t0ken, scopes: [admin]}
services:
  - id: shop
    checks:
      - {id: orders, heartbeat: {key: hb-k3y}, every: 1h, grace: 10m}
      - {id: nightly, heartbeat: {}, every: 24h}
      - {id: db, tcp: {address: "127.0.0.1:1"}, every: 30s}
`

func TestHeartbeatAPI(t *testing.T) {
	h := start(t, heartbeatConfig, "")
	post := func(path, token, contentType, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", h.url+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		b, _ := io.ReadAll(resp.Body)
		_ = jsonUnmarshal(b, &out)
		return resp.StatusCode, out
	}
	cases := []struct {
		name, path, token, ctype, body string
		status                         int
		errHas                         string
	}{
		{"no key", "/api/v1/heartbeats/shop/orders", "", "", "", 401, "missing heartbeat key"},
		{"wrong key", "/api/v1/heartbeats/shop/orders", "nope", "", "", 401, "invalid token"},
		{"read token is not enough", "/api/v1/heartbeats/shop/orders", "r3ad-t0ken", "", "", 403, "lacks the operate scope"},
		{"key in query", "/api/v1/heartbeats/shop/orders?key=hb-k3y", "", "", "", 202, ""},
		{"key as bearer", "/api/v1/heartbeats/shop/orders", "hb-k3y", "", "", 202, ""},
		{"operate token", "/api/v1/heartbeats/shop/orders", "op3rate-t0ken", "", "", 202, ""},
		{"keyless check needs a token", "/api/v1/heartbeats/shop/nightly", "", "", "", 401, "missing bearer token"},
		{"keyless check with token", "/api/v1/heartbeats/shop/nightly", "op3rate-t0ken", "", "", 202, ""},
		{"JSON sent as a form, as curl -d does", "/api/v1/heartbeats/shop/nightly", "op3rate-t0ken", "application/x-www-form-urlencoded", `{"status":"fail","message":"disk full"}`, 202, ""},
		{"malformed JSON", "/api/v1/heartbeats/shop/orders", "hb-k3y", "application/json", `{"status": "ok",`, 400, "invalid JSON body: unexpected EOF"},
		{"unknown field", "/api/v1/heartbeats/shop/orders", "hb-k3y", "application/json", `{"state":"ok"}`, 400, `unknown field "state"`},
		{"bad status", "/api/v1/heartbeats/shop/orders", "hb-k3y", "application/json", `{"status":"meh"}`, 400, `status must be ok or fail, not "meh"`},
		{"too large", "/api/v1/heartbeats/shop/orders", "hb-k3y", "text/plain", strings.Repeat("x", 70<<10), 413, "larger than 64 KiB"},
		{"unknown check", "/api/v1/heartbeats/shop/nope", "hb-k3y", "", "", 404, `service "shop" has no check "nope"`},
		{"unknown service", "/api/v1/heartbeats/nope/orders", "hb-k3y", "", "", 404, `no service "nope"`},
		{"not a heartbeat", "/api/v1/heartbeats/shop/db", "op3rate-t0ken", "", "", 400, "shop/db is a tcp check"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(c.path, c.token, c.ctype, c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d: %v", status, c.status, body)
			}
			if c.errHas != "" && !strings.Contains(fmt.Sprint(body["error"]), c.errHas) {
				t.Fatalf("error %q does not contain %q", body["error"], c.errHas)
			}
		})
	}
	if code := h.do("GET", "/api/v1/heartbeats/shop/orders", "", nil, nil); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET heartbeat: %d", code)
	}
}

func TestHeartbeatFailsWhenLateOrReportedFailed(t *testing.T) {
	h := start(t, heartbeatConfig, "")
	const key = "shop/orders"
	if code := h.do("POST", "/api/v1/heartbeats/"+key, "hb-k3y", nil, nil); code != 202 {
		t.Fatalf("beat: %d", code)
	}
	if c := h.check(key); c.State != "ok" {
		t.Fatalf("after a beat: %s", c.State)
	}
	// Due at 1h10m after the beat: still ok just before, failing just after.
	h.advance(time.Hour + 9*time.Minute)
	if c := h.check(key); c.State != "ok" {
		t.Fatalf("within grace: %s %s", c.State, c.Reason)
	}
	h.advance(2 * time.Minute)
	c := h.waitState(key, "failing")
	mustContain(t, "late reason", c.Reason, "no heartbeat for 1h11m", "expected every 1h, grace 10m")

	// A report brings it back at once; a failure report fails it with its message.
	h.do("POST", "/api/v1/heartbeats/"+key, "hb-k3y", strings.NewReader(`{}`), nil)
	h.waitState(key, "ok")
	code := h.do("POST", "/api/v1/heartbeats/"+key+"?status=fail", "hb-k3y", strings.NewReader(`{"message":"backup: disk full"}`), nil)
	if code != 202 {
		t.Fatalf("fail report: %d", code)
	}
	c = h.waitState(key, "failing")
	mustContain(t, "reported failure", c.Reason, "job reported failure: backup: disk full")
}

func TestReload(t *testing.T) {
	tg := newTarget(t)
	cfg := fmt.Sprintf(`
tokens:
  - {id: root, secret: adm1n-t0ken, scopes: [admin]}
  - {id: ops, secret: op3rate-t0ken, scopes: [operate]}
services:
  - id: shop
    checks:
      - {id: web, http: {url: %q}, every: 30s, timeout: 2s}
`, tg.URL)
	h := start(t, cfg, "")
	h.step(30*time.Second, "shop/web")
	h.waitState("shop/web", "ok")

	if code := h.do("POST", "/-/reload", anonymous, nil, nil); code != 401 {
		t.Fatalf("reload without token: %d", code)
	}
	if code := h.do("POST", "/-/reload", "op3rate-t0ken", nil, nil); code != 403 {
		t.Fatalf("reload with operate token: %d", code)
	}

	// A broken config is refused with its problems; the old one keeps running.
	writeFile(t, h.cfg, cfg+"      - {id: api, http: {url: 'http://x'}, every: 1 minute}\n")
	var refused struct {
		Error    string `json:"error"`
		Problems []struct {
			Line    int    `json:"line"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	if code := h.do("POST", "/-/reload", "adm1n-t0ken", nil, &refused); code != 400 {
		t.Fatalf("broken reload: %d", code)
	}
	if len(refused.Problems) != 1 || refused.Problems[0].Field != "services[0].checks[1].every" || refused.Problems[0].Line != 9 {
		t.Fatalf("problems: %+v", refused.Problems)
	}
	mustContain(t, "refusal", refused.Error, "running config is unchanged")
	h.step(30*time.Second, "shop/web")
	mustContain(t, "log", h.logs.String(), "config reload refused")

	// A file emptied by mistake is refused: it would drop every token.
	writeFile(t, h.cfg, "")
	if code := h.do("POST", "/-/reload", "adm1n-t0ken", nil, &refused); code != 400 {
		t.Fatalf("reload of an empty file: %d", code)
	}
	mustContain(t, "refusal of an empty file", refused.Error, "vigil.yaml had config and is now empty (no YAML document)", "the running config stays")
	if code := h.do("POST", "/-/reload", "adm1n-t0ken", nil, nil); code != 400 {
		t.Fatalf("the admin token stopped working after an empty file was refused: %d", code)
	}

	// A good config adds a check and keeps the history of the old one.
	writeFile(t, h.cfg, cfg+fmt.Sprintf("      - {id: api, http: {url: %q}, every: 1m}\n", tg.URL+"/api"))
	if code := h.do("POST", "/-/reload", "adm1n-t0ken", nil, nil); code != 200 {
		t.Fatalf("good reload: %d", code)
	}
	h.step(time.Minute, "shop/api", "shop/web")
	h.eventually("history kept", func() bool { return len(h.check("shop/web").Results) >= 3 })
	var checks []checkJSON
	h.do("GET", "/api/v1/checks", "", nil, &checks)
	if len(checks) != 2 {
		t.Fatalf("after reload: %d checks", len(checks))
	}
}

// TestSIGHUPReloads runs `vigil serve` as main does and reloads it with SIGHUP.
func TestSIGHUPReloads(t *testing.T) {
	h := runServe(t, `
services:
  - id: a
    checks: [{id: one, disk: {path: .}, every: 1m}]
`)
	h.writeConfig(`
services:
  - id: a
    checks: [{id: one, disk: {path: .}, every: 1m}, {id: two, disk: {path: .}, every: 1m}]
`)
	h.hup()
	h.eventually("reloaded", func() bool {
		var checks []checkJSON
		h.getJSON("/api/v1/checks", &checks)
		return len(checks) == 2
	})
	// A broken config on SIGHUP is refused; the running one stays.
	h.writeConfig("services: [{id: a, checks: [{id: one, disk: {}}]}]\n")
	h.hup()
	h.eventually("refusal logged", func() bool { return strings.Contains(h.stderr.String(), "config reload refused") })
	var checks []checkJSON
	h.getJSON("/api/v1/checks", &checks)
	if len(checks) != 2 {
		t.Fatalf("a broken reload changed the running config: %d checks", len(checks))
	}
}

func TestHealthReadyAndMetrics(t *testing.T) {
	tg := newTarget(t)
	h := start(t, fmt.Sprintf(`
services:
  - id: shop
    checks: [{id: web, http: {url: %q}, every: 30s, timeout: 2s}]
`, tg.URL), "")
	h.step(30*time.Second, "shop/web")
	var health map[string]string
	if code := h.do("GET", "/healthz", "", nil, &health); code != 200 || health["status"] != "ok" {
		t.Fatalf("healthz: %d %v", code, health)
	}
	if code := h.do("GET", "/readyz", "", nil, nil); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	// Results reach the store in batches, so wait for the first write.
	var b []byte
	h.eventually("a store write", func() bool {
		resp := h.get("/metrics")
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), `op="write_batch"`)
	})
	mustContain(t, "metrics", string(b),
		`vigil_check_up{check="web",service="shop"} 1`,
		`vigil_checks{state="ok"} 1`,
		`vigil_check_duration_seconds_bucket{kind="http"`,
		`vigil_check_results_total{kind="http",status="pass"} 1`,
		`vigil_scheduler_lag_seconds_count 1`,
		`vigil_store_operation_seconds_count{op="write_batch"}`,
		`vigil_http_request_duration_seconds_count{code="OK",route="GET /healthz"} 1`,
		`go_goroutines`)
}

func TestAPINotFoundAndLimits(t *testing.T) {
	h := start(t, heartbeatConfig, "")
	var body map[string]string
	if code := h.do("GET", "/api/v1/checks/shop/nope", "", nil, &body); code != 404 || body["code"] != "not_found" {
		t.Fatalf("missing check: %d %v", code, body)
	}
	if code := h.do("GET", "/api/v1/services/nope", "", nil, &body); code != 404 {
		t.Fatalf("missing service: %d", code)
	}
	if code := h.do("GET", "/api/v1/checks/shop/db/results?limit=0", "", nil, &body); code != 400 || !strings.Contains(body["error"], "limit must be") {
		t.Fatalf("bad limit: %d %v", code, body)
	}
	var checks []checkJSON
	resp := h.get("/api/v1/checks?service=shop&state=unknown")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := jsonUnmarshal(b, &checks); err != nil || len(checks) != 3 || resp.Header.Get("X-Total-Count") != "3" {
		t.Fatalf("filtered list: %v %d %q", err, len(checks), resp.Header.Get("X-Total-Count"))
	}
}

// TestSecretsStayOutOfLogsAndAnswers: tokens, keys, header values and URL
// passwords never appear in logs or API answers, even when checks fail.
func TestSecretsStayOutOfLogsAndAnswers(t *testing.T) {
	tg := newTarget(t)
	tg.status.Store(401)
	secrets := []string{"adm1n-t0ken", "hb-s3cret", "hdr-s3cret", "url-pa55word", "pg-pa55word"}
	h := start(t, fmt.Sprintf(`
tokens:
  - {id: root, secret: adm1n-t0ken, scopes: [admin]}
services:
  - id: shop
    checks:
      - {id: web, http: {url: %q, headers: {Authorization: "Bearer hdr-s3cret"}}, every: 30s, timeout: 2s, fail_after: 1}
      - {id: job, heartbeat: {key: hb-s3cret}, every: 1h}
`, strings.Replace(tg.URL, "http://", "http://admin:url-pa55word@", 1)), "")
	h.step(30*time.Second, "shop/web")
	h.waitState("shop/web", "failing")
	h.do("POST", "/api/v1/heartbeats/shop/job", "wrong-key", nil, nil)
	h.do("POST", "/-/reload", "adm1n-t0ken", nil, nil)

	var answers strings.Builder
	for _, path := range []string{"/api/v1/checks", "/api/v1/checks/shop/web", "/api/v1/services", "/api/v1/events", "/", "/checks/shop/web", "/metrics"} {
		resp := h.get(path)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answers.Write(b)
	}
	// A store DSN with a password that cannot be reached must not print it.
	_, err := Start(t.Context(), Options{ConfigPath: h.cfg, Listen: "127.0.0.1:0",
		Store: "postgres://vigil:pg-pa55word@127.0.0.1:1/vigil?connect_timeout=1", LookupEnv: func(string) (string, bool) { return "", false }})
	if err == nil {
		t.Fatal("an unreachable store started")
	}
	h.stop()
	all := h.logs.String() + answers.String() + err.Error()
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("secret %q leaked", s)
		}
	}
	mustContain(t, "the failing check is still explained", answers.String(), "status=401", "admin:xxxxx@127.0.0.1")
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
