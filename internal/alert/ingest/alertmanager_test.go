package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/internal/alert"
)

var amInteg = Integration{ID: "prom", Type: "alertmanager", Service: "infra"}

const (
	amExternal  = "http://alertmanager.example.com:9093"
	amGenerator = "http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1"
)

func instanceDown(t *testing.T, host, fp, startsAt string) alert.Event {
	return alert.Event{
		Action:      alert.Trigger,
		Source:      alert.SourceAlertmanager,
		Integration: "prom",
		Key:         fp,
		Summary:     "Instance " + host + ":9100 down",
		Severity:    alert.Critical,
		Service:     "postgres",
		Labels: map[string]string{
			"alertname": "InstanceDown", "instance": host + ":9100", "job": "node",
			"service": "postgres", "severity": "critical", "team": "data",
		},
		Annotations: map[string]string{
			"description": host + ":9100 of job node has been down for more than 5 minutes.",
			"runbook_url": "https://runbooks.example.com/InstanceDown",
			"summary":     "Instance " + host + ":9100 down",
		},
		Links: []alert.Link{
			{Href: amGenerator, Text: "Source"},
			{Href: amExternal, Text: "Alertmanager"},
			{Href: "https://runbooks.example.com/InstanceDown", Text: "Runbook"},
		},
		At: mustTime(t, startsAt),
	}
}

// The am_*.json fixtures except am_legacy were captured from Alertmanager
// v0.34.2's own webhook notifier posting to a test server.
func TestAlertmanagerFixtures(t *testing.T) {
	legacyLabels := map[string]string{
		"alertname": "CertificateExpiry", "instance": "https://shop.example.com",
		"job": "blackbox", "severity": "page",
	}
	tests := []struct {
		file string
		want []alert.Event
	}{
		{"am_firing.json", []alert.Event{
			instanceDown(t, "db-1", "cf2e27012423cbbc", "2026-11-22T04:11:08Z"),
			instanceDown(t, "db-2", "9f4df8e28959fb3d", "2026-11-22T04:14:08Z"),
		}},
		{"am_truncated.json", []alert.Event{
			instanceDown(t, "db-1", "cf2e27012423cbbc", "2026-11-22T04:11:08Z"),
		}},
		{"am_resolved.json", []alert.Event{{
			Action:      alert.Resolve,
			Source:      alert.SourceAlertmanager,
			Integration: "prom",
			Key:         "7d870b0f75a936a3",
			Summary:     "p99 latency above 500ms", // the description's first line
			Severity:    alert.Warning,
			Service:     "checkout",
			Labels:      map[string]string{"alertname": "HighLatency", "job": "api", "service": "checkout", "severity": "warning"},
			Annotations: map[string]string{"description": "p99 latency above 500ms\nfor 10 minutes on checkout"},
			Links: []alert.Link{
				{Href: "http://prometheus.example.com:9090/graph?g0.expr=histogram_quantile", Text: "Source"},
				{Href: amExternal, Text: "Alertmanager"},
			},
			At: mustTime(t, "2026-11-22T04:19:08Z"), // endsAt
		}}},
		{"am_legacy_no_fingerprint.json", []alert.Event{{
			Action:      alert.Trigger,
			Source:      alert.SourceAlertmanager,
			Integration: "prom",
			Key:         model.LabelSet{"alertname": "CertificateExpiry", "instance": "https://shop.example.com", "job": "blackbox", "severity": "page"}.Fingerprint().String(),
			Summary:     "TLS certificate of https://shop.example.com expires in 6 days.",
			Severity:    alert.Critical, // "page"
			Service:     "infra",        // no service label: the integration's
			Labels:      legacyLabels,
			Annotations: map[string]string{"description": "\n  TLS certificate of https://shop.example.com expires in 6 days.\n  Renew it."},
			Links:       []alert.Link{{Href: "http://prometheus.example.com:9090/graph?g0.expr=probe_ssl_earliest_cert_expiry", Text: "Source"}},
			At:          mustTime(t, "2026-03-01T07:00:00.123456789Z"),
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Alertmanager(fixture(t, tt.file), amInteg)
			if err != nil {
				t.Fatal(err)
			}
			sameEvents(t, got, tt.want)
		})
	}
}

// fingerprint must agree with Alertmanager's, so a key computed for an alert
// without one matches what Alertmanager sends for the same labels.
func TestFingerprintMatchesAlertmanager(t *testing.T) {
	var msg amMessage
	if err := json.Unmarshal(fixture(t, "am_firing.json"), &msg); err != nil {
		t.Fatal(err)
	}
	sets := []map[string]string{nil, {}, {"a": ""}, {"alertname": "x", "ü": "ß\xff"}}
	for _, a := range msg.Alerts {
		if got := fingerprint(a.Labels); got != a.Fingerprint {
			t.Errorf("fingerprint(%v) = %s, Alertmanager sent %s", a.Labels, got, a.Fingerprint)
		}
	}
	for _, labels := range sets {
		ls := model.LabelSet{}
		for k, v := range labels {
			ls[model.LabelName(k)] = model.LabelValue(v)
		}
		if got, want := fingerprint(labels), ls.Fingerprint().String(); got != want {
			t.Errorf("fingerprint(%v) = %s, want %s", labels, got, want)
		}
	}
}

func TestAlertmanagerSummaryAndDefaults(t *testing.T) {
	tests := []struct {
		name        string
		alert       string
		summary     string
		severity    alert.Severity
		service     string
		at          time.Time
		wantLinks   int
		wantSummary bool
	}{
		{"summary annotation wins", `{"status":"firing","labels":{"alertname":"A"},"annotations":{"summary":" S ","description":"D"}}`, "S", alert.Error, "infra", time.Time{}, 0, true},
		{"description first non-blank line", `{"status":"firing","labels":{"alertname":"A"},"annotations":{"description":"\n\n  line two\nthree"}}`, "line two", alert.Error, "infra", time.Time{}, 0, true},
		{"alertname last", `{"status":"firing","labels":{"alertname":"A","severity":"WARN"}}`, "A", alert.Warning, "infra", time.Time{}, 0, true},
		{"unknown severity is error", `{"status":"firing","labels":{"alertname":"A","severity":"sev9"}}`, "A", alert.Error, "infra", time.Time{}, 0, true},
		{"service label wins", `{"status":"firing","labels":{"alertname":"A","service":"api"}}`, "A", alert.Error, "api", time.Time{}, 0, true},
		{"no title at all", `{"status":"firing","fingerprint":"abc"}`, "Alert abc", alert.Error, "infra", time.Time{}, 0, true},
		{"resolved without endsAt", `{"status":"resolved","labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z"}`, "A", alert.Error, "infra", time.Time{}, 0, true},
		{"firing uses startsAt", `{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T01:00:00Z"}`, "A", alert.Error, "infra", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0, true},
		{"long summary truncated", `{"status":"firing","annotations":{"summary":"` + strings.Repeat("é", 1500) + `"}}`, strings.Repeat("é", 1023) + "…", alert.Error, "infra", time.Time{}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := Alertmanager([]byte(`{"version":"4","alerts":[`+tt.alert+`]}`), amInteg)
			if err != nil {
				t.Fatal(err)
			}
			ev := evs[0]
			if ev.Summary != tt.summary || ev.Severity != tt.severity || ev.Service != tt.service || !ev.At.Equal(tt.at) || len(ev.Links) != tt.wantLinks {
				t.Errorf("got summary %q severity %q service %q at %v links %v", ev.Summary, ev.Severity, ev.Service, ev.At, ev.Links)
			}
		})
	}
}

func TestAlertmanagerInvalid(t *testing.T) {
	big := strings.Repeat("x", MaxValueBytes+1)
	tooMany := `{"version":"4","alerts":[` + strings.Repeat(`{"status":"firing"},`, MaxAlerts) + `{"status":"firing"}]}`
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"empty body", "  \n", []string{"body is empty; expected a JSON object"}},
		{"malformed JSON", `{"version":"4","alerts":[{"status":"firing",}]}`, []string{
			`invalid JSON at byte 45: invalid character '}' looking for beginning of object key string`}},
		{"truncated JSON", `{"version":"4","alerts":[`, []string{"invalid JSON at byte 25: unexpected end of JSON input"}},
		{"not JSON", `<html>502 Bad Gateway</html>`, []string{"invalid JSON at byte 1: invalid character '<' looking for beginning of value"}},
		{"array body", `[{"version":"4"}]`, []string{"body is a JSON array; expected an object"}},
		{"string body", `"hello"`, []string{"body is a JSON string; expected an object"}},
		{"null body", `null`, []string{"body is a JSON null; expected an object"}},
		{"trailing garbage", `{"version":"4","alerts":[]} {}`, []string{"invalid JSON at byte 29: invalid character '{' after top-level value"}},
		{"missing version", `{"alerts":[]}`, []string{`version: is missing; expected "4"`}},
		{"unknown version", `{"version":"5","alerts":[]}`, []string{`version: "5" is not supported; expected "4"`}},
		{"echoed values are cut short", `{"version":"` + strings.Repeat("9", 100) + `"}`, []string{
			`version: "` + strings.Repeat("9", 63) + `…" is not supported; expected "4"`}},
		{"version of wrong type", `{"version":4,"alerts":[]}`, []string{"version: expected a string, found a number (at byte 12)"}},
		{"alerts not an array", `{"version":"4","alerts":{}}`, []string{"alerts: expected an array, found an object (at byte 25)"}},
		{"label of wrong type, with index", `{"version":"4","alerts":[{"status":"firing"},{"status":"firing","labels":{"a":1}},{"labels":[]}]}`, []string{
			"alerts[1].labels: expected a string, found a number (at byte 79)",
			"alerts[2].labels: expected an object, found an array (at byte 93)",
		}},
		{"every problem at once", `{"version":"3","alerts":[{"status":"pending","startsAt":"yesterday"},{"labels":{"app.kubernetes.io/name":"` + big + `"},"annotations":{"description":"` + big + `"}}]}`, []string{
			`version: "3" is not supported; expected "4"`,
			`alerts[0].startsAt: "yesterday" is not an RFC 3339 time`,
			`alerts[0].status: "pending" is not "firing" or "resolved"`,
			`alerts[1].status: is missing; expected "firing" or "resolved"`,
			`alerts[1].labels["app.kubernetes.io/name"]: is 8193 bytes; the limit is 8192`,
			`alerts[1].annotations.description: is 8193 bytes; the limit is 8192`,
		}},
		{"overlong fingerprint", `{"version":"4","alerts":[{"status":"firing","fingerprint":"` + strings.Repeat("f", 256) + `"}]}`, []string{
			"alerts[0].fingerprint: is longer than 255 characters"}},
		{"too many alerts", tooMany, []string{"alerts: has 10001 alerts; the limit is 10000 a request"}},
		{"too many labels", `{"version":"4","alerts":[{"status":"firing","labels":{` + manyPairs(257) + `}}]}`, []string{
			"alerts[0].labels: has 257 entries; the limit is 256"}},
		{"names out of bounds", `{"version":"4","alerts":[{"status":"firing","labels":{"":"x","a\u0000b":"y","` + strings.Repeat("n", 257) + `":"z","ok":"v"}}]}`, []string{
			"alerts[0].labels: has an empty name",
			`alerts[0].labels["a\x00b"]: the name holds a control character`,
			"alerts[0].labels: has a name of 257 bytes; the limit is 256",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := Alertmanager([]byte(tt.body), amInteg)
			if err == nil {
				t.Fatalf("accepted: %s", dump(evs))
			}
			if evs != nil {
				t.Errorf("events returned with an error: %v", evs)
			}
			sameStrings(t, problems(t, err), tt.want)
		})
	}
}

func TestAlertmanagerEmptyGroup(t *testing.T) {
	evs, err := Alertmanager([]byte(`{"version":"4","status":"firing","alerts":[]}`), amInteg)
	if err != nil || len(evs) != 0 {
		t.Fatalf("got %v, %v", evs, err)
	}
}

// manyPairs is n JSON object members "l0":"v", "l1":"v", ...
func manyPairs(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"l%d":"v"`, i)
	}
	return strings.Join(parts, ",")
}
