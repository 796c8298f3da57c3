package app

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
)

const boundsConfig = `
tokens:
  - {id: ops, secret: op3rate-t0ken, scopes: [operate]}
integrations:
  - {id: prometheus, type: alertmanager, key: am-k3y}
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach}
  - {id: john}
schedules:
  - id: primary
    rotations: [{id: weekly, members: [thach, john], length: 168h, start: "2026-11-23T09:00:00"}]
services:
  - {id: shop}
`

// TestOutOfRangeTimesAreRefused: each time from the report that broke the
// API (outside years 0–9999 once in UTC) is a 400 naming its field, and
// the reads that used to answer 200 with an empty body still answer JSON.
func TestOutOfRangeTimesAreRefused(t *testing.T) {
	h := start(t, boundsConfig, "")
	if code, body := h.post("/api/v1/events", "gen-k3y", "application/json", []byte(`{"key":"ok","summary":"fine","service":"shop"}`)); code != 200 {
		t.Fatalf("event: %d %v", code, body)
	}
	if code := h.do("POST", "/api/v1/incidents", "op3rate-t0ken", strings.NewReader(`{"title":"t","services":["shop"]}`), nil); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	const year0, year9999 = "0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:00"
	am := `{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"Old"},"startsAt":"` + year0 + `"}]}`
	cases := []struct {
		name, method, path, key, body, want string
	}{
		{"ingested at", "POST", "/api/v1/events", "gen-k3y", `{"key":"k","summary":"s","at":"` + year0 + `"}`, "at: " + year0 + " must not be before 1970"},
		{"alertmanager startsAt", "POST", "/api/v1/integrations/alertmanager", "am-k3y", am, "alerts[0].startsAt: " + year0},
		{"note", "POST", "/api/v1/incidents/1/notes", "op3rate-t0ken", `{"text":"x","at":"` + year9999 + `"}`, "at: " + year9999 + " must not be in the future"},
		{"silence end", "POST", "/api/v1/silences", "op3rate-t0ken", `{"matchers":["service=shop"],"ends_at":"` + year9999 + `","comment":"c"}`, "ends_at: " + year9999 + " must be at most a year from now"},
		{"silence duration", "POST", "/api/v1/silences", "op3rate-t0ken", `{"matchers":["service=shop"],"duration":"800d","comment":"c"}`, "duration: the silence would end at"},
		{"on-call at", "GET", "/api/v1/oncall?at=" + url.QueryEscape(year9999), "", "", "at: " + year9999},
		{"declared start", "POST", "/api/v1/incidents", "op3rate-t0ken", `{"title":"t","started_at":"` + year0 + `"}`, "started_at: " + year0},
		{"status at", "POST", "/api/v1/incidents/1/status", "op3rate-t0ken", `{"status":"resolved","at":"` + year9999 + `"}`, "at: " + year9999},
		{"action item due", "POST", "/api/v1/incidents/1/action_items", "op3rate-t0ken", `{"item":"x","type":"prevent","due":"` + year9999 + `"}`, "due: " + year9999},
		{"deploy at", "POST", "/api/v1/deploys", "op3rate-t0ken", `{"service":"shop","version":"1","environment":"prod","at":"` + year9999 + `"}`, "at: " + year9999},
		{"deploys since", "GET", "/api/v1/deploys?since=" + url.QueryEscape(year0), "", "", "since: " + year0},
		{"report window", "GET", "/api/v1/reports/oncall?person=thach&from=2026-11-23T00:00:00Z&to=" + url.QueryEscape(year9999), "", "", "to: " + year9999},
		{"audit since", "GET", "/api/v1/audit?since=" + url.QueryEscape(year0), "", "", "since: " + year0},
		{"incident metrics", "GET", "/api/v1/incidents/metrics?until=" + url.QueryEscape(year9999), "", "", "until: " + year9999},
		{"chat in the future", "POST", "/api/v1/incidents/1/import?format=log&date=9999-12-31&tz=UTC", "op3rate-t0ken", "09:15 -- hello FROM: thach\n", "line 1: 9999-12-31T09:15:00Z must not be in the future"},
	}
	for _, tc := range cases {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		var e struct {
			Error string `json:"error"`
		}
		if code := h.do(tc.method, tc.path, tc.key, body, &e); code != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s: %d %q, want 400 with %q", tc.name, code, e.Error, tc.want)
		}
	}
	for _, path := range []string{"/api/v1/alerts?status=all", "/api/v1/incidents/1", "/api/v1/incidents", "/api/v1/silences?all=true",
		"/api/v1/deploys", "/api/v1/oncall", "/api/v1/audit"} {
		resp := h.get(path)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !json.Valid(b) {
			t.Errorf("GET %s after the refusals: %d %q", path, resp.StatusCode, b)
		}
	}
}
