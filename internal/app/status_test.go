package app

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

type serviceStatusJSON struct {
	State       string `json:"state"`
	CheckState  string `json:"check_state"`
	StateReason string `json:"state_reason"`
	Incidents   []struct {
		ID       int64  `json:"id"`
		Severity string `json:"severity"`
		Title    string `json:"title"`
	} `json:"incidents"`
	Alerts []struct {
		ID           int64  `json:"id"`
		Severity     string `json:"severity"`
		SuppressedBy string `json:"suppressed_by"`
	} `json:"alerts"`
}

// TestStatusShowsIncidentsAlertsAndSilences: the shop's checks pass, but a
// critical Alertmanager alert and then a SEV1 incident are open on it, so
// its status is failing, on the API and on the public status page (which
// shows that they are open, and their titles only to readers). A silenced
// warning and an inhibited one are marked as such in the API, the alerts
// page and the CLI, and do not raise their service's state.
func TestStatusShowsIncidentsAlertsAndSilences(t *testing.T) {
	tg := newTarget(t)
	sk := newSink(t)
	h := start(t, fmt.Sprintf(`
global: {public: {status_page: true}}
tokens:
  - {id: sre, secret: sre-t0ken, scopes: [operate]}
integrations:
  - {id: prometheus, type: alertmanager, key: am-k3y}
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach, contacts: {webhook: "%s/thach"}}
escalations:
  - {id: sre, steps: [{notify: [person/thach]}]}
routes:
  - {escalation: sre, group_by: [alertname], group_wait: 0s}
inhibit:
  - {source: {severity: critical}, target: {severity: warning}, equal: [service]}
services:
  - id: shop
    checks: [{id: web, http: {url: %q}, every: 1m}]
  - {id: dns}
`, sk.URL, tg.URL+"/"), "")
	h.step(time.Minute, "shop/web")
	h.waitState("shop/web", "ok")
	svc := func(id string) serviceStatusJSON {
		t.Helper()
		var v serviceStatusJSON
		if code := h.do("GET", "/api/v1/services/"+id, "", nil, &v); code != 200 {
			t.Fatalf("GET service %s: %d", id, code)
		}
		return v
	}
	if s := svc("shop"); s.State != "ok" || s.CheckState != "ok" || len(s.Alerts) != 0 {
		t.Fatalf("quiet shop: %+v", s)
	}

	am := `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"CheckoutErrors","severity":"critical","service":"shop"},
		"annotations":{"summary":"Checkout failing for 12% of orders"},"startsAt":"2026-11-23T08:55:00Z"}]}`
	if code, body := h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", []byte(am)); code != 200 {
		t.Fatalf("alertmanager: %d %v", code, body)
	}
	if s := svc("shop"); s.State != "failing" || s.CheckState != "ok" || s.StateReason != "1 critical alert(s) open" || len(s.Alerts) != 1 {
		t.Fatalf("shop with a critical alert: %+v", s)
	}
	if code := h.do("POST", "/api/v1/incidents", "sre-t0ken", strings.NewReader(`{"title":"Checkout outage","severity":"SEV1","services":["shop"]}`), nil); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	if s := svc("shop"); s.State != "failing" || len(s.Incidents) != 1 || s.Incidents[0].Title != "Checkout outage" {
		t.Fatalf("shop with an incident: %+v", s)
	}

	// A warning on the shop is inhibited by its critical alert; one on dns
	// is silenced. Neither raises its service's state.
	h.raise("slow", "Checkout slow", "warning", "shop")
	dnsID := h.raise("dns-flap", "DNS answers slowly", "warning", "dns")
	if s := svc("dns"); s.State != "degraded" || s.CheckState != "unknown" {
		t.Fatalf("dns with a warning: %+v", s)
	}
	var sil struct {
		ID string `json:"id"`
	}
	if code := h.do("POST", "/api/v1/silences", "sre-t0ken", strings.NewReader(`{"matchers":["service=\"dns\""],"duration":"1h","comment":"dns2 maintenance"}`), &sil); code != 201 {
		t.Fatalf("silence: %d", code)
	}
	if s := svc("dns"); s.State != "unknown" || len(s.Alerts) != 1 || s.Alerts[0].SuppressedBy != "silenced by "+sil.ID {
		t.Fatalf("dns with a silenced warning: %+v", s)
	}
	var open []map[string]any
	h.do("GET", "/api/v1/alerts?status=open", "", nil, &open)
	byID := map[int64]map[string]any{}
	for _, a := range open {
		byID[int64(a["id"].(float64))] = a
	}
	if a := byID[dnsID]; a["suppressed_by"] != "silenced by "+sil.ID || fmt.Sprint(a["silenced_by"]) != "["+sil.ID+"]" || a["inhibited"] != nil {
		t.Fatalf("silenced alert in the API: %v", a)
	}
	if a := byID[dnsID-1]; a["inhibited"] != true || a["suppressed_by"] != "inhibited" {
		t.Fatalf("inhibited alert in the API: %v", a)
	}
	if a := byID[1]; a["suppressed_by"] != nil {
		t.Fatalf("the critical alert is marked suppressed: %v", a)
	}
	code, out, errOut := runCLI(t, "alert", "list", "--server", h.url, "--token", "sre-t0ken")
	if code != 0 {
		t.Fatalf("alert list: %d %s", code, errOut)
	}
	mustContain(t, "alert list", out, "firing (silenced)", "firing (inhibited)")
	_, page := h.text("/alerts")
	mustContain(t, "alerts page", page, `<span class="pill muted">silenced</span>`, `<div class="note">silenced by `+sil.ID+`</div>`,
		`<span class="pill muted">inhibited</span>`, `<div class="note">inhibited</div>`)

	// The public status page says the shop is failing and why, without the
	// incident's title or the alert's summary; a reader sees both.
	public := h.page("/", anonymous)
	mustContain(t, "public status page", public, `<section class="overall failing" id="overall">`, "1 service affected by open incidents or alerts",
		`<section class="service" id="service-shop" data-state="failing">`, "Incident #1 investigating since", "Alert #1 firing",
		`<span class="pill suppressed">silenced</span>`)
	for _, secret := range []string{"Checkout outage", "Checkout failing for 12%", "DNS answers slowly"} {
		if strings.Contains(public, secret) {
			t.Errorf("the public status page shows %q", secret)
		}
	}
	mustContain(t, "status page for a reader", h.page("/", ""), "Incident #1 investigating since", ": Checkout outage", `<a href="/alerts/1">Alert #1</a>`,
		"Checkout failing for 12% of orders")
}

// page GETs a browser page with token (the harness's read token for "",
// none for anonymous) and returns its HTML.
func (h *harness) page(path, token string) string {
	h.t.Helper()
	req, err := http.NewRequest("GET", h.url+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	withToken(req, token)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		h.t.Fatalf("GET %s: %d %.300s", path, resp.StatusCode, b)
	}
	return string(b)
}
