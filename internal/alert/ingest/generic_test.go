package ingest

import (
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/alert"
)

var genericInteg = Integration{ID: "cron", Type: "generic", Service: "batch"}

func TestGenericFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []alert.Event
	}{
		{"single.json", []alert.Event{{
			Action:      alert.Trigger,
			Source:      alert.SourceGeneric,
			Integration: "cron",
			Key:         "backup/db-1",
			Summary:     "Nightly backup of db-1 failed",
			Severity:    alert.Critical, // "high"
			Service:     "batch",
			Labels:      map[string]string{"host": "db-1", "job": "pg_dump"},
			Annotations: map[string]string{"exit_code": "3"},
			Links:       []alert.Link{{Href: "https://ci.example.com/jobs/881", Text: "Job log"}},
			Runbook:     "backup-retry",
			At:          mustTime(t, "2026-03-01T01:15:00Z"),
		}}},
		{"batch.json", []alert.Event{
			{Action: alert.Trigger, Source: alert.SourceGeneric, Integration: "cron", Key: "cron/report", Summary: "Report job did not run", Severity: alert.Error, Service: "reporting"},
			{Action: alert.Resolve, Source: alert.SourceGeneric, Integration: "cron", Key: "backup/db-1", Severity: alert.Error, Service: "batch"},
			{Action: alert.Acknowledge, Source: alert.SourceGeneric, Integration: "cron", Key: "deploy/api", Severity: alert.Warning, Service: "batch"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Generic(fixture(t, "generic/"+tt.file), genericInteg)
			if err != nil {
				t.Fatal(err)
			}
			sameEvents(t, got, tt.want)
		})
	}
}

func TestGenericInvalid(t *testing.T) {
	tooMany := `{"events":[` + strings.Repeat(`{"key":"k","summary":"s"},`, MaxAlerts) + `{"key":"k","summary":"s"}]}`
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"missing key and summary", `{"severity":"info"}`, []string{"key: is missing or blank", "summary: is missing or blank (required to trigger)"}},
		{"misspelt field", `{"key":"k","sumary":"s"}`, []string{"sumary: is not a known field"}},
		{"bad action, severity, time, link", `{"key":"k","action":"close","severity":"urgent","at":"01/03/2026","links":[{"text":"no href"},{"href":"javascript:alert(1)"}]}`, []string{
			`at: "01/03/2026" is not an RFC 3339 time`,
			`action: "close" is not one of trigger, acknowledge, resolve`,
			`severity: "urgent" is not one of critical, error, warning, info`,
			"links[0].href: is missing or blank",
			"links[1].href: must be an http:// or https:// URL",
		}},
		{"label of wrong type", `{"key":"k","summary":"s","labels":{"n":5}}`, []string{"labels: expected a string, found a number (at byte 40)"}},
		{"overlong key and summary", `{"key":"` + strings.Repeat("k", 256) + `","summary":"` + strings.Repeat("s", 1025) + `"}`, []string{
			"key: is too long (maximum is 255 characters)", "summary: is too long (maximum is 1024 characters)"}},
		{"oversized annotation", `{"key":"k","summary":"s","annotations":{"log":"` + strings.Repeat("x", MaxValueBytes+1) + `"}}`, []string{
			"annotations.log: is 8193 bytes; the limit is 8192"}},
		{"problems in a batch, by index", `{"events":[{"key":"a","summary":"ok"},{"summary":"no key"},{"key":"c","summary":"s","labels":[]},{"key":"d","summery":"typo"}]}`, []string{
			"events[1].key: is missing or blank",
			"events[2].labels: expected an object, found an array",
			"events[3].summery: is not a known field",
		}},
		{"batch with single-event fields", `{"key":"k","events":[{"key":"a","summary":"s"}]}`, []string{`key: cannot be combined with "events"; set it on each event`}},
		{"events not an array", `{"events":{"key":"a"}}`, []string{"events: expected an array, found an object (at byte 11)"}},
		{"too many events", tooMany, []string{"events: has 10001 events; the limit is 10000 a request"}},
		{"array body", `[{"key":"a","summary":"s"}]`, []string{"body is a JSON array; expected an object"}},
		{"malformed JSON", `{"key":"a","summary":"s"`, []string{"invalid JSON at byte 24: unexpected end of JSON input"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := Generic([]byte(tt.body), genericInteg)
			if err == nil {
				t.Fatalf("accepted: %s", dump(evs))
			}
			sameStrings(t, problems(t, err), tt.want)
		})
	}
}

// TestForeignLinksKeepOnlyWebURLs: links from other tools are not refused
// (that would lose the alert) but a javascript: or data: one is dropped.
func TestForeignLinksKeepOnlyWebURLs(t *testing.T) {
	var links []alert.Link
	for _, href := range []string{"https://grafana.example/d/1", "javascript:alert(1)", " JavaScript:x", "data:text/html,x", "//host/x", "", "http://am.example/#/alerts"} {
		links = addLink(links, href, "x")
	}
	if len(links) != 2 || links[0].Href != "https://grafana.example/d/1" || links[1].Href != "http://am.example/#/alerts" {
		t.Fatalf("kept %+v", links)
	}
}
