package app

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

type sloJSON struct {
	Service   string              `json:"service"`
	ID        string              `json:"id"`
	Kind      string              `json:"kind"`
	Objective float64             `json:"objective"`
	Window    string              `json:"window"`
	At        time.Time           `json:"evaluated_at"`
	SLI       *float64            `json:"sli"`
	NoData    string              `json:"no_data"`
	Events    float64             `json:"events"`
	BurnRate  *float64            `json:"burn_rate"`
	BurnRates map[string]*float64 `json:"burn_rates"`
	Budget    struct {
		Text             string   `json:"text"`
		RemainingPercent *float64 `json:"remaining_percent"`
		Exhausted        bool     `json:"exhausted"`
	} `json:"budget"`
	Alerts []struct {
		Name   string  `json:"name"`
		Factor float64 `json:"factor"`
		Firing bool    `json:"firing"`
	} `json:"alerts"`
	Step    string `json:"step"`
	History []struct {
		Start time.Time `json:"start"`
		Total float64   `json:"total"`
	} `json:"history"`
}

const sloConfig = `
tokens:
  - {id: ci, secret: ci-t0ken, scopes: [operate]}
services:
  - id: shop
    labels: {team: sre}
    slos:
      - {id: availability, objective: 99.9, availability: {checks: [web]}, description: "the shop answers"}
      - {id: fast, objective: 99, latency: {checks: [web], threshold: 300ms}}
      - {id: checkout, objective: 99.5, window: 7d, events: {}, policy: {block_deploys: true}}
    checks:
      - {id: web, http: {url: %q}, every: 30s, timeout: 2s}
`

func (h *harness) slos() map[string]sloJSON {
	h.t.Helper()
	var list []sloJSON
	if code := h.do("GET", "/api/v1/slos", "", nil, &list); code != 200 {
		h.t.Fatalf("GET /api/v1/slos: %d", code)
	}
	out := map[string]sloJSON{}
	for _, s := range list {
		out[s.Service+"/"+s.ID] = s
	}
	return out
}

// waitSLO advances the clock in evaluation steps until cond holds for the SLO.
func (h *harness) waitSLO(key, what string, cond func(sloJSON) bool) sloJSON {
	h.t.Helper()
	var s sloJSON
	h.advanceUntil(key+": "+what, 30*time.Second, 30*time.Minute, func() bool {
		s = h.slos()[key]
		return cond(s)
	})
	return s
}

// TestSLOBurnPagesAndResolves: an availability SLO over an HTTP check, on
// the fake clock. Ten good minutes leave the budget whole; a burst of
// failures pages through the pager with the slo, window and severity
// labels; the page resolves once the failures leave the 5m window.
func TestSLOBurnPagesAndResolves(t *testing.T) {
	tg := newTarget(t)
	h := start(t, fmt.Sprintf(sloConfig, tg.URL), "")
	for range 20 {
		h.step(30*time.Second, "shop/web")
	}
	s := h.waitSLO("shop/availability", "judged", func(s sloJSON) bool { return s.SLI != nil && *s.SLI == 100 })
	if s.Budget.Text != "43m12s" || *s.Budget.RemainingPercent != 100 || s.Window != "30d" || len(s.Alerts) != 4 || s.Alerts[0].Factor != 14.4 {
		t.Fatalf("before the burst: %+v", s)
	}
	if f := h.slos()["shop/fast"]; f.SLI == nil || *f.SLI != 100 || f.Events < 10 {
		t.Fatalf("latency SLO: %+v", f)
	}

	tg.status.Store(500)
	burst := h.clock.Now()
	var paged time.Time
	h.advanceUntil("fast-burn page", 30*time.Second, 10*time.Minute, func() bool {
		for _, a := range h.alerts("status=open") {
			if a.Labels["slo"] == "availability" && a.Labels["window"] == "1h" {
				// severity is the alert's own, for routes on it; page or
				// ticket is slo_severity.
				if a.Labels["slo_severity"] != "page" || a.Labels["severity"] != "critical" || a.Severity != "critical" || a.Service != "shop" || a.Labels["team"] != "sre" ||
					!strings.Contains(a.Summary, "shop/availability is burning its error budget") {
					t.Fatalf("page alert = %+v", a)
				}
				paged = h.clock.Now()
				return true
			}
		}
		return false
	})
	t.Logf("fast-burn page %v after the first failure (fake clock)", paged.Sub(burst))
	// Down time is credited when the next result arrives (one 30s probe
	// later), results reach the store within a flush, and SLOs are judged
	// every 30s: a page comes two to four evaluations after the first failure.
	if d := paged.Sub(burst); d > 4*time.Minute {
		t.Errorf("paged %v after the burst began; want within 4m", d)
	}
	if f := h.slos()["shop/fast"]; f.SLI == nil || *f.SLI >= 100 {
		t.Errorf("failed results should count against the latency SLO: %+v", f)
	}

	tg.status.Store(200)
	h.advanceUntil("page resolved", 30*time.Second, 15*time.Minute, func() bool {
		for _, a := range h.alerts("status=resolved") {
			if a.Labels["slo"] == "availability" && a.Labels["window"] == "1h" {
				return a.Status == "resolved"
			}
		}
		return false
	})

	var d sloJSON
	if code := h.do("GET", "/api/v1/slos/shop/availability", "", nil, &d); code != 200 || d.Step != "1d" || len(d.History) == 0 || d.History[0].Total <= 0 {
		t.Fatalf("detail: %d %+v", code, d)
	}
	if code := h.do("GET", "/api/v1/slos/shop/nope", "", nil, nil); code != 404 {
		t.Errorf("unknown SLO: %d", code)
	}

	resp := h.get("/metrics")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustContain(t, "/metrics", string(b), `vigil_slo_objective_ratio{service="shop",slo="availability"} 0.999`,
		`vigil_slo_burn_rate{service="shop",slo="availability",window="1h"}`, `vigil_slo_error_budget_remaining_ratio{service="shop",slo="availability"}`)

	page := h.get("/")
	b, _ = io.ReadAll(page.Body)
	page.Body.Close()
	mustContain(t, "status page", string(b), `id="slo-availability"`, `99.9% over 30d`, `error budget spent (`, `href="/slos/shop/availability"`)
}

// TestSLOEvents: counts pushed to an events SLO need the operate scope, are
// checked, stored, and judged; a spent budget with block_deploys is what
// the deploy guard sees. The services API names SLOs in snake_case.
func TestSLOEvents(t *testing.T) {
	tg := newTarget(t)
	h := start(t, fmt.Sprintf(sloConfig, tg.URL), "")
	push := func(token, path, body string) int {
		return h.do("POST", path, token, strings.NewReader(body), nil)
	}
	const path = "/api/v1/slos/shop/checkout/events"
	for _, c := range []struct {
		token, path, body string
		want              int
	}{
		{anonymous, path, `{"good": 1, "total": 1}`, 401},
		{"", path, `{"good": 1, "total": 1}`, 403},
		{"ci-t0ken", path, `{"good": 2, "total": 1}`, 400},
		{"ci-t0ken", path, `{"good": -1, "total": 1}`, 400},
		{"ci-t0ken", path, `{"total": 1}`, 400},
		{"ci-t0ken", path, `{"good": 1, "total": 1, "at": "2020-01-01T00:00:00Z"}`, 400},
		{"ci-t0ken", path, `{"good": 1, "total": 1, "colour": "red"}`, 400},
		{"ci-t0ken", "/api/v1/slos/shop/availability/events", `{"good": 1, "total": 1}`, 400},
		{"ci-t0ken", "/api/v1/slos/shop/nope/events", `{"good": 1, "total": 1}`, 404},
		{"ci-t0ken", path, `{"good": 1, "total": 1, "pad": "` + strings.Repeat("x", 8<<10) + `"}`, 413},
		{"ci-t0ken", path, `{"good": 990, "total": 1000}`, 202},
	} {
		if got := push(c.token, c.path, c.body); got != c.want {
			t.Errorf("POST %s %.60s: %d, want %d", c.path, c.body, got, c.want)
		}
	}
	s := h.waitSLO("shop/checkout", "events judged", func(s sloJSON) bool { return s.Events == 1000 })
	// 1% bad against a 0.5% budget: twice the budget spent.
	if *s.SLI != 99 || *s.Budget.RemainingPercent != -100 || !s.Budget.Exhausted {
		t.Fatalf("checkout: %+v", s)
	}
	if spent, why := h.app.slos.BudgetExhausted("shop"); !spent || !strings.Contains(why, "shop/checkout has spent its error budget") {
		t.Errorf("BudgetExhausted = %v %q", spent, why)
	}
	if spent, _ := h.app.slos.BudgetExhausted("other"); spent {
		t.Error("another service's budget is not shop's")
	}

	resp := h.get("/api/v1/services/shop")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustContain(t, "service", string(b), `"slos":[{"id":"availability","objective":99.9,"window":"30d"`, `"id":"checkout"`, `"exhausted":true`)
	if strings.Contains(string(b), "Objective") || strings.Contains(string(b), "Window") {
		t.Errorf("Go-cased keys in %s", b)
	}
}

// TestSLOCLI: vigil slo list and show read a running Vigil; export and
// import convert the config's SLOs to OpenSLO and back without one.
func TestSLOCLI(t *testing.T) {
	tg := newTarget(t)
	h := start(t, fmt.Sprintf(sloConfig, tg.URL), "")
	if code := h.do("POST", "/api/v1/slos/shop/checkout/events", "ci-t0ken", strings.NewReader(`{"good": 999, "total": 1000}`), nil); code != 202 {
		t.Fatalf("push: %d", code)
	}
	h.waitSLO("shop/checkout", "events judged", func(s sloJSON) bool { return s.Events == 1000 })
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, append(args, "--server", h.url, "--token", harnessReadToken)...)
	}
	code, out, errOut := cli("slo", "list")
	if code != 0 {
		t.Fatalf("list: %d %s", code, errOut)
	}
	mustContain(t, "slo list", out, "SLO", "BUDGET LEFT", "shop/availability", "shop/checkout", "99.5%", "1w", "99.9%", "80% (")
	code, out, errOut = cli("slo", "show", "shop/checkout")
	if code != 0 {
		t.Fatalf("show: %d %s", code, errOut)
	}
	mustContain(t, "slo show", out, "shop/checkout  events SLI, objective 99.5% over 1w", "SLI        99.9% (999 good of 1000)",
		"page-1h", "3.36×", "HISTORY (per 1h)")
	if code, _, errOut := cli("slo", "show", "shop"); code != 1 || !strings.Contains(errOut, "SERVICE/ID") {
		t.Errorf("show without an id: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "slo", "list", "--server", h.url); code != 1 || !strings.Contains(errOut, "VIGIL_TOKEN") {
		t.Errorf("list without a token: %d %q", code, errOut)
	}

	code, exported, errOut := runCLI(t, "slo", "export", "--config", h.cfg)
	if code != 0 || !strings.Contains(exported, "kind: SLO") {
		t.Fatalf("export: %d %s", code, errOut)
	}
	file := t.TempDir() + "/slos.openslo.yaml"
	writeFile(t, file, exported)
	code, imported, errOut := runCLI(t, "slo", "import", file)
	if code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	mustContain(t, "import", imported, "services:", "id: shop", "id: checkout", "objective: 99.5", "window: 1w", "events: {}",
		"threshold: 300ms")
}

// TestSLOCanaryGate: runbook conditions read SLOs, so a canary step can go
// on or roll back by the burn rate; no data counts as no burn with ??.
func TestSLOCanaryGate(t *testing.T) {
	h := start(t, `
tokens:
  - {id: ci, secret: ci-t0ken, scopes: [operate]}
services:
  - id: shop
    slos:
      - {id: checkout, objective: 99.5, events: {}}
runbooks:
  - id: canary
    on: [{manual: true}]
    steps:
      - {id: promote, if: '(slo["shop/checkout"].burn_rates["5m"] ?? 0) < 1', run: ["true"]}
      - {id: rollback, if: '(slo["shop/checkout"].burn_rates["5m"] ?? 0) >= 1', run: ["true"]}
`, "")
	canary := func() map[string]string {
		var r runJSONT
		if code := h.do("POST", "/api/v1/runbooks/canary/runs", "ci-t0ken", strings.NewReader(`{}`), &r); code != 201 {
			t.Fatalf("run: %d", code)
		}
		h.eventually("canary run ends", func() bool { r = h.run(r.ID); return r.Status == "succeeded" || r.Status == "failed" })
		out := map[string]string{}
		for _, s := range r.Steps {
			out[s.StepID] = s.Status
		}
		return out
	}
	h.waitSLO("shop/checkout", "judged", func(s sloJSON) bool { return !s.At.IsZero() })
	if got := canary(); got["promote"] != "ok" || got["rollback"] != "skipped" {
		t.Fatalf("no data: %v", got)
	}
	if code := h.do("POST", "/api/v1/slos/shop/checkout/events", "ci-t0ken", strings.NewReader(`{"good": 900, "total": 1000}`), nil); code != 202 {
		t.Fatalf("push: %d", code)
	}
	h.waitSLO("shop/checkout", "burning", func(s sloJSON) bool { return s.BurnRates["5m"] != nil && *s.BurnRates["5m"] >= 1 })
	if got := canary(); got["promote"] != "skipped" || got["rollback"] != "ok" {
		t.Fatalf("burning at 20×: %v", got)
	}
}
