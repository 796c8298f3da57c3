package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// dataMaps are members whose value, when an object, is keyed by data (label
// names, role names, param names), not by field names.
var dataMaps = map[string]bool{"labels": true, "annotations": true, "params": true, "counts": true, "roles": true,
	"postmortem": true, "env": true, "burn_rates": true}

// TestEveryAPIFieldIsSnakeCase walks the JSON of every GET route in
// routes.go on an instance with something of each kind, and fails on any
// member name that is not snake_case (such as a Go field name without a
// json tag).
func TestEveryAPIFieldIsSnakeCase(t *testing.T) {
	tg := newTarget(t)
	sk := newSink(t)
	h := start(t, fmt.Sprintf(`
tokens:
  - {id: ops, secret: op3rate-t0ken, scopes: [operate], person: thach}
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach, name: Thach Duong, contacts: {webhook: "%[2]s/thach"}}
  - {id: john}
teams:
  - {id: sre, members: [thach, john]}
schedules:
  - id: primary
    rotations: [{id: weekly, members: [thach, john], length: 168h, start: "2026-11-23T09:00:00"}]
escalations:
  - {id: sre, steps: [{notify: [schedule/primary]}]}
routes:
  - {escalation: sre, group_wait: 0s}
services:
  - id: shop
    owner: sre
    escalation: sre
    slo: {objective: 99.9, window: 30d}
    checks:
      - {id: web, http: {url: %[1]q}, every: 30s, expect: ['status == 200'], fail_after: 1, runbook: restart}
      - {id: job, heartbeat: {}, every: 1h}
runbooks:
  - id: restart
    title: Restart the app
    params: [{name: host, default: web-1, pattern: '^[a-z0-9-]+$'}]
    on: [{manual: true}]
    guard: {max_runs: 5, per: 1h}
    steps:
      - {id: say, run: [echo, "{{ .params.host }}"]}
toil:
  - {id: restarts, title: Restarts by hand, service: shop, estimate: 5m, match: [{runbook: restart}], automated_by: restart}
reports:
  - {id: weekly, kind: toil, schedule: {cron: "0 9 * * 1"}, to: [person/thach]}
`, tg.URL+"/", sk.URL), "")
	h.step(30*time.Second, "shop/web")
	tg.status.Store(503)
	h.step(30*time.Second, "shop/web")
	h.waitState("shop/web", "failing")
	sk.wait(t, "/thach", 1)
	var sil struct {
		ID string `json:"id"`
	}
	if code := h.do("POST", "/api/v1/silences", "op3rate-t0ken", strings.NewReader(`{"matchers":["host=db-2"],"duration":"1h","comment":"maintenance"}`), &sil); code != 201 {
		t.Fatalf("silence: %d", code)
	}
	silence := sil.ID
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/api/v1/events", `{"key":"disk","summary":"Disk full","service":"shop","labels":{"host":"db-1"}}`},
		{"POST", "/api/v1/incidents", `{"title":"Shop down","services":["shop"],"alert_ids":[1],"roles":{"commander":"thach"}}`},
		{"POST", "/api/v1/incidents/1/notes", `{"text":"looking"}`},
		{"POST", "/api/v1/incidents/1/action_items", `{"item":"Add a canary","type":"prevent","owner":"sre"}`},
		{"POST", "/api/v1/deploys", `{"service":"shop","version":"1.2","environment":"prod"}`},
		{"POST", "/api/v1/runbooks/restart/runs", `{}`},
		{"POST", "/api/v1/toil/entries", `{"text":"Restarted by hand","minutes":5,"item":"restarts"}`},
		{"POST", "/api/v1/reports/weekly/runs", ``},
		{"POST", "/api/v1/releases", `{"service":"shop","version":"1","planned_at":"2026-11-20","stakeholders":{"sre":["person/thach","Jay"]},
			"code_changes":[{"id":"Tk-1","title":"x","kind":"fix","link":"https://t.example/1"}],"data_changes":[{"text":"t","ticket":"Tk-1"}],
			"design_decisions":[{"text":"d","doc":"Doc 1"}],"tests":{"summary":"s","load_tests":[{"component":"app","result":"pass","concurrent_users":10,"findings":["f"]}]},
			"manifests":[{"name":"d.yaml","yaml":"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  Replicas: 2\n  template: {spec: {containers: [{name: app, image: nginx, resources: {requests: {cpu: 1m}}}]}}\n"}],
			"capacity":{"deployment":{"name":"app","labels":{"app":"app"}},"components":[{"name":"app","users":{"target":10,"per_replica":5},"memory":{"request":"64Mi"},
				"cpu":{"request":"100m"}},{"name":"worker","cpu":{"like":"app","times":2},"queue":{"workers":1,"concurrency":2,"service_time":{"min":"1s","max":"2s"},"size":10}}]}}`},
		{"POST", "/api/v1/schedules/primary/swaps", `{"person":"thach","with":"john","from":"2026-11-30T09:00:00Z","until":"2026-11-30T12:00:00Z",
			"back_from":"2026-11-24T09:00:00Z","back_until":"2026-11-24T12:00:00Z","note":"dentist"}`},
	} {
		if code := h.do(req.method, req.path, "op3rate-t0ken", strings.NewReader(req.body), nil); code/100 != 2 {
			t.Fatalf("%s %s: %d", req.method, req.path, code)
		}
	}
	var runs []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	h.eventually("the run to finish", func() bool {
		h.do("GET", "/api/v1/runs", "", nil, &runs)
		return len(runs) == 1 && runs[0].Status == "succeeded"
	})

	src, err := os.ReadFile("../web/routes.go")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"{service}": "shop", "{check}": "web", "{id}": "1"}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	walked := 0
	for _, m := range regexp.MustCompile(`"GET (/api/v1/[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		path := m[1]
		for k, v := range ids {
			path = strings.ReplaceAll(path, k, v)
		}
		switch {
		case m[1] == "/api/v1/runs/{id}/events":
			continue // server-sent events, not JSON
		case strings.HasPrefix(m[1], "/api/v1/runs/{id}"):
			path = strings.Replace(m[1], "{id}", url.PathEscape(runs[0].ID), 1)
		case m[1] == "/api/v1/slos/{service}/{id}":
			path = "/api/v1/slos/shop/availability" // the one-line slo form's id
		case strings.HasPrefix(m[1], "/api/v1/runbooks/{id}"):
			path = strings.Replace(m[1], "{id}", "restart", 1)
		case m[1] == "/api/v1/reports/oncall":
			path += "?person=thach&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z"
		case m[1] == "/api/v1/toil/items/{id}":
			path = "/api/v1/toil/items/restarts"
		case strings.HasPrefix(m[1], "/api/v1/schedules/{id}"):
			path = strings.Replace(m[1], "{id}", "primary", 1)
		case strings.HasPrefix(m[1], "/api/v1/silences/{id}"):
			path = strings.Replace(m[1], "{id}", url.PathEscape(silence), 1)
		case strings.HasSuffix(m[1], "/postmortem"), strings.HasSuffix(m[1], "/doc"):
			continue // Markdown, not JSON
		}
		resp := h.get(path)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var v any
		if resp.StatusCode != 200 || json.Unmarshal(b, &v) != nil {
			t.Errorf("GET %s: %d %.200s", path, resp.StatusCode, b)
			continue
		}
		var bad []string
		walkKeys(v, "", func(at, key string) {
			if !snake.MatchString(key) {
				bad = append(bad, at+key)
			}
		})
		if len(bad) > 0 {
			sort.Strings(bad)
			t.Errorf("GET %s: members not in snake_case: %s", path, strings.Join(bad, ", "))
		}
		walked++
	}
	if walked < 20 {
		t.Fatalf("walked only %d routes", walked)
	}
}

// walkKeys calls f with every member name in v and the path to its object,
// skipping the contents of dataMaps.
func walkKeys(v any, at string, f func(at, key string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			f(at, k)
			if _, isMap := child.(map[string]any); !isMap || !dataMaps[k] {
				walkKeys(child, at+k+".", f)
			}
		}
	case []any:
		for _, child := range x {
			walkKeys(child, at+"[].", f)
		}
	}
}
