package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

func ingestConfig(sinkURL string) string {
	return fmt.Sprintf(`
tokens:
  - {id: ops, secret: op3rate-t0ken, scopes: [operate]}
integrations:
  - {id: prometheus, type: alertmanager, key: am-k3y}
  - {id: grafana, type: grafana, key: gf-k3y}
  - {id: orders, type: pagerduty, key: pd-r0uting-k3y, service: shop}
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: dba, contacts: {webhook: "%s/dba"}}
escalations:
  - {id: data, steps: [{notify: [person/dba]}]}
routes:
  - {match: {team: data}, escalation: data, group_by: [alertname], group_wait: 30s}
services:
  - {id: postgres}
  - {id: shop}
`, sinkURL)
}

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile("../alert/ingest/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *harness) post(path, key, contentType string, body []byte) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.url+path, bytes.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// webhook posts an Alertmanager webhook body, which must be taken.
func (h *harness) webhook(body []byte) {
	h.t.Helper()
	if code, out := h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", body); code != 200 {
		h.t.Fatalf("webhook: %d %v", code, out)
	}
}

func (h *harness) alerts(query string) []alertJSON {
	h.t.Helper()
	var out []alertJSON
	if code := h.do("GET", "/api/v1/alerts?"+query, "", nil, &out); code != 200 {
		h.t.Fatalf("GET alerts: %d", code)
	}
	return out
}

// TestAlertmanagerWebhook: Alertmanager's own payloads open deduplicated
// alerts, which are routed and grouped into one page after group_wait.
func TestAlertmanagerWebhook(t *testing.T) {
	sk := newSink(t)
	h := start(t, ingestConfig(sk.URL), "")
	firing := fixture(t, "am_firing.json")

	if code, body := h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", firing); code != 200 {
		t.Fatalf("webhook: %d %v", code, body)
	}
	open := h.alerts("status=open")
	if len(open) != 2 || open[1].Summary != "Instance db-1:9100 down" || open[1].Service != "postgres" || open[1].Severity != "critical" {
		t.Fatalf("alerts %+v", open)
	}
	// Alertmanager resends a firing group every group_interval: same alerts, counted.
	h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", firing)
	if open = h.alerts("status=open"); len(open) != 2 || open[0].Occurrences != 2 {
		t.Fatalf("after a resend: %+v", open)
	}
	// Grouped by alertname: one page with both alerts, after group_wait.
	time.Sleep(20 * time.Millisecond)
	if n := len(sk.deliveries("/dba")); n != 0 {
		t.Fatalf("paged before group_wait: %d", n)
	}
	h.advance(30 * time.Second)
	page := sk.wait(t, "/dba", 1)[0].Message
	if len(page.Alerts) != 2 || !strings.HasPrefix(page.Title, "[FIRING:2] postgres: Instance db-") {
		t.Fatalf("grouped page %q with %d alerts", page.Title, len(page.Alerts))
	}

	// Alertmanager says db-1 is resolved.
	var payload map[string]any
	json.Unmarshal(firing, &payload)
	one := payload["alerts"].([]any)[0].(map[string]any)
	one["status"], one["endsAt"] = "resolved", "2026-11-23T09:05:00Z"
	payload["alerts"], payload["status"] = []any{one}, "resolved"
	resolved, _ := json.Marshal(payload)
	h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", resolved)
	if open = h.alerts("status=open"); len(open) != 1 || !strings.Contains(open[0].Summary, "db-2") {
		t.Fatalf("after resolving db-1: %+v", open)
	}
	r := h.alerts("status=resolved")
	if len(r) != 1 || r[0].ResolvedBy != "alertmanager/prometheus" {
		t.Fatalf("resolved: %+v", r)
	}

	// db-1 goes down again: a new alert with a new id and the same key; the
	// resolved one stays resolved, as history.
	h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", firing)
	open = h.alerts("status=open")
	if len(open) != 2 {
		t.Fatalf("after db-1 fired again: %+v", open)
	}
	var again alertJSON
	for _, a := range open {
		if a.DedupKey == r[0].DedupKey {
			again = a
		}
	}
	if again.ID == 0 || again.ID == r[0].ID || again.Occurrences != 1 || again.Status != "firing" {
		t.Fatalf("re-fired alert %+v, resolved one %+v", again, r[0])
	}
	if old := h.alert(r[0].ID); old.Status != "resolved" {
		t.Fatalf("the resolved alert became %s", old.Status)
	}
}

func TestIngestionRefusesBadInput(t *testing.T) {
	h := start(t, ingestConfig("http://127.0.0.1:1"), "")
	firing := fixture(t, "am_firing.json")
	cases := []struct {
		name, path, key string
		body            []byte
		status          int
		errHas          string
	}{
		{"no key", "/api/v1/integrations/alertmanager", "", firing, 401, "missing key"},
		{"wrong key", "/api/v1/integrations/alertmanager", "nope", firing, 401, "no alertmanager integration has this key"},
		{"another integration's key", "/api/v1/integrations/alertmanager", "gf-k3y", firing, 401, "no alertmanager integration"},
		{"malformed JSON", "/api/v1/integrations/alertmanager", "am-k3y", []byte(`{"version": "4", "alerts": [`), 400, "invalid JSON at byte"},
		{"wrong field type", "/api/v1/integrations/alertmanager", "am-k3y", []byte(`{"version":"4","alerts":[{"status":"firing","labels":{"a":1}}]}`), 400, "alerts[0].labels"},
		{"unknown version", "/api/v1/integrations/alertmanager", "am-k3y", []byte(`{"version":"3","alerts":[]}`), 400, "version"},
		{"too large", "/api/v1/events", "gen-k3y", bytes.Repeat([]byte("x"), 2<<20), 413, "larger than"},
		{"generic missing key field", "/api/v1/events", "gen-k3y", []byte(`{"summary":"x"}`), 400, "key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := h.post(c.path, c.key, "application/json", c.body)
			if code != c.status || !strings.Contains(fmt.Sprint(body["error"]), c.errHas) {
				t.Fatalf("%d %v, want %d containing %q", code, body, c.status, c.errHas)
			}
		})
	}
	if n := len(h.alerts("status=open")); n != 0 {
		t.Fatalf("refused requests opened %d alerts", n)
	}
}

// TestPagerDutyClient points PagerDuty's own Go client at /v2/enqueue.
func TestPagerDutyClient(t *testing.T) {
	h := start(t, ingestConfig("http://127.0.0.1:1"), "")
	client := pagerduty.NewClient("", pagerduty.WithV2EventsAPIEndpoint(h.url))
	ctx := context.Background()
	resp, err := client.ManageEventWithContext(ctx, &pagerduty.V2Event{
		RoutingKey: "pd-r0uting-k3y", Action: "trigger",
		Payload: &pagerduty.V2Payload{Summary: "Error Processing Order #12", Source: "order-processor", Severity: "error",
			Details: map[string]any{"queue": 42}},
	})
	if err != nil || resp.Status != "success" || resp.Message != "Event processed" || resp.DedupKey == "" {
		t.Fatalf("trigger: %+v %v", resp, err)
	}
	open := h.alerts("status=open")
	if len(open) != 1 || open[0].Service != "shop" || open[0].Severity != "error" || open[0].Summary != "Error Processing Order #12" {
		t.Fatalf("alert %+v", open)
	}
	if _, err := client.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: "pd-r0uting-k3y", Action: "acknowledge", DedupKey: resp.DedupKey}); err != nil {
		t.Fatal(err)
	}
	if a := h.alert(open[0].ID); a.Status != "acknowledged" || a.AckedBy != "pagerduty/orders" {
		t.Fatalf("after acknowledge: %+v", a)
	}
	if _, err := client.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: "pd-r0uting-k3y", Action: "resolve", DedupKey: resp.DedupKey}); err != nil {
		t.Fatal(err)
	}
	if a := h.alert(open[0].ID); a.Status != "resolved" {
		t.Fatalf("after resolve: %+v", a)
	}
	// Invalid events and unknown keys are refused the way PagerDuty refuses them.
	_, err = client.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: "pd-r0uting-k3y", Action: "trigger",
		Payload: &pagerduty.V2Payload{Summary: "x", Source: "y", Severity: "urgent"}})
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("bad severity: %v", err)
	}
	_, err = client.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: "not-a-key", Action: "trigger",
		Payload: &pagerduty.V2Payload{Summary: "x", Source: "y", Severity: "info"}})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("unknown routing key: %v", err)
	}
}

func TestGrafanaAndGenericEvents(t *testing.T) {
	h := start(t, ingestConfig("http://127.0.0.1:1"), "")
	if code, body := h.post("/api/v1/integrations/grafana", "gf-k3y", "application/json", fixture(t, "grafana_firing.json")); code != 200 {
		t.Fatalf("grafana: %d %v", code, body)
	}
	// Grafana can send the key as a basic-auth password.
	req, _ := http.NewRequest("POST", h.url+"/api/v1/integrations/grafana", bytes.NewReader(fixture(t, "grafana_resolved.json")))
	req.SetBasicAuth("grafana", "gf-k3y")
	resp, err := h.client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("basic auth: %v %v", resp, err)
	}
	resp.Body.Close()
	// A script with an operate token raises and resolves by key.
	code, body := h.post("/api/v1/events", "op3rate-t0ken", "application/json",
		[]byte(`{"key":"disk-cleanup","summary":"Log mount below 20%","severity":"warning","service":"shop"}`))
	if code != 200 {
		t.Fatalf("generic: %d %v", code, body)
	}
	var found bool
	for _, a := range h.alerts("status=open") {
		if a.Summary == "Log mount below 20%" && a.Severity == "warning" && a.Service == "shop" {
			found = true
		}
	}
	if !found {
		t.Fatalf("generic alert missing: %+v", h.alerts("status=open"))
	}
	h.post("/api/v1/events", "gen-k3y", "application/json", []byte(`{"key":"disk-cleanup","action":"resolve"}`))
	h.post("/api/v1/events", "op3rate-t0ken", "application/json", []byte(`{"key":"disk-cleanup","action":"resolve"}`))
	for _, a := range h.alerts("status=open") {
		if a.Summary == "Log mount below 20%" {
			t.Fatalf("the key's own source resolves it: %+v", a)
		}
	}
}

// TestAnnotationsStayTrueOnceStored: an open alert's annotations are kept in
// the store, not the pager's memory, once written. A resend that changes them
// stores the change, one that repeats them counts, an acknowledgement keeps
// them, a restart reads them back, and the page sent after group_wait
// carries each alert's latest.
func TestAnnotationsStayTrueOnceStored(t *testing.T) {
	sk := newSink(t)
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "vigil.db")
	h := start(t, ingestConfig(sk.URL), dsn)
	firing := fixture(t, "am_firing.json")
	h.webhook(firing)
	var payload map[string]any
	json.Unmarshal(firing, &payload)
	db1 := payload["alerts"].([]any)[0].(map[string]any)
	db1["annotations"].(map[string]any)["description"] = "db-1:9100 has been down for more than 15 minutes."
	changed, _ := json.Marshal(payload)
	h.webhook(changed)
	h.webhook(changed)

	open := h.alerts("status=open")
	if len(open) != 2 {
		t.Fatalf("open alerts: %+v", open)
	}
	byInstance := map[string]int64{}
	for _, a := range open {
		byInstance[a.Labels["instance"]] = a.ID
	}
	type withAnnotations struct {
		Occurrences int               `json:"occurrences"`
		Status      string            `json:"status"`
		Annotations map[string]string `json:"annotations"`
	}
	get := func(id int64) withAnnotations {
		t.Helper()
		var a withAnnotations
		if code := h.do("GET", fmt.Sprintf("/api/v1/alerts/%d", id), "op3rate-t0ken", nil, &a); code != 200 {
			t.Fatalf("GET alert %d: %d", id, code)
		}
		return a
	}
	a1 := get(byInstance["db-1:9100"])
	if a1.Occurrences != 3 || a1.Annotations["description"] != "db-1:9100 has been down for more than 15 minutes." ||
		a1.Annotations["runbook_url"] != "https://runbooks.example.com/InstanceDown" {
		t.Fatalf("db-1 after a changed resend and a repeat: %+v", a1)
	}
	id2 := byInstance["db-2:9100"]
	if code := h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", id2), "op3rate-t0ken", nil, nil); code != 200 {
		t.Fatalf("ack: %d", code)
	}
	if a2 := get(id2); a2.Status != "acknowledged" || a2.Annotations["description"] != "db-2:9100 of job node has been down for more than 5 minutes." {
		t.Fatalf("db-2 after its acknowledgement: %+v", a2)
	}

	// After a restart the same resend is a repeat, counted.
	h.stop()
	h = startAt(t, h.cfg, dsn, h.clock)
	h.webhook(changed)
	if a1 := get(byInstance["db-1:9100"]); a1.Occurrences != 4 || a1.Annotations["description"] != "db-1:9100 has been down for more than 15 minutes." {
		t.Fatalf("db-1 after a restart and a resend: %+v", a1)
	}

	h.advance(30 * time.Second)
	var page struct {
		Alerts []struct {
			ID          int64             `json:"id"`
			Annotations map[string]string `json:"annotations"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(sk.wait(t, "/dba", 1)[0].Body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Alerts) != 1 || page.Alerts[0].ID != byInstance["db-1:9100"] ||
		page.Alerts[0].Annotations["description"] != "db-1:9100 has been down for more than 15 minutes." {
		t.Fatalf("the page after group_wait: %+v", page.Alerts)
	}
}

// TestStalledSendersHoldNoOneBack: senders that send half a body and stall,
// more of them than there are processors, do not hold back a sender whose
// body is whole.
func TestStalledSendersHoldNoOneBack(t *testing.T) {
	sk := newSink(t)
	h := start(t, ingestConfig(sk.URL), "")
	firing := fixture(t, "am_firing.json")
	addr := strings.TrimPrefix(h.url, "http://")
	for range runtime.GOMAXPROCS(0) + 1 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "POST /api/v1/integrations/alertmanager HTTP/1.1\r\nHost: vigil\r\nAuthorization: Bearer am-k3y\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(firing), firing[:len(firing)/2])
	}
	done := make(chan int, 1)
	go func() {
		code, _ := h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", firing)
		done <- code
	}()
	select {
	case code := <-done:
		if code != 200 {
			t.Fatalf("whole body: %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a whole body waited behind senders stalled halfway through theirs")
	}
}
