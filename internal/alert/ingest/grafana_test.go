package ingest

import (
	"testing"

	"github.com/vigil-sre/vigil/internal/alert"
)

var grafanaInteg = Integration{ID: "grafana-main", Type: "grafana", Service: "web"}

// grafana_firing.json is the example payload from Grafana's webhook notifier
// documentation; grafana_resolved.json adds the fields a real rule with a
// dashboard, panel and screenshot fills in.
func TestGrafanaFixtures(t *testing.T) {
	firing := func(name, zone, fp, rule, silence, startsAt string) alert.Event {
		return alert.Event{
			Action:      alert.Trigger,
			Source:      alert.SourceGrafana,
			Integration: "grafana-main",
			Key:         fp,
			Summary:     "This alert was triggered for zone " + zone,
			Severity:    alert.Error,
			Service:     "web",
			Labels:      map[string]string{"alertname": name, "team": "blue", "zone": zone},
			Annotations: map[string]string{
				"description": "The system has high " + map[string]string{"us-1": "memory", "eu-1": "CPU"}[zone] + " usage",
				"runbook_url": "https://myrunbook.com/runbook/1234",
				"summary":     "This alert was triggered for zone " + zone,
			},
			Links: []alert.Link{
				{Href: "https://play.grafana.org/alerting/" + rule + "/edit", Text: "Source"},
				{Href: "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=" + silence, Text: "Silence"},
				{Href: "https://myrunbook.com/runbook/1234", Text: "Runbook"},
			},
			At: mustTime(t, startsAt),
		}
	}
	tests := []struct {
		file string
		want []alert.Event
	}{
		{"grafana_firing.json", []alert.Event{
			firing("High memory usage", "us-1", "c6eadffa33fcdf37", "1afz29v7z", "alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1", "2021-10-12T09:51:03.157076+02:00"),
			firing("High CPU usage", "eu-1", "bc97ff14869b13e3", "d1rdpdv7k", "alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1", "2021-10-12T09:56:03.157076+02:00"),
		}},
		{"grafana_resolved.json", []alert.Event{{
			Action:      alert.Resolve,
			Source:      alert.SourceGrafana,
			Integration: "grafana-main",
			Key:         "5f1ae0b5d6c3e2a1",
			Summary:     "Disk usage on db-1 was above 90%.",
			Severity:    alert.Warning,
			Service:     "postgres",
			Labels: map[string]string{
				"alertname": "Disk almost full", "grafana_folder": "Infra", "instance": "db-1",
				"service": "postgres", "severity": "warning",
			},
			Annotations: map[string]string{"description": "Disk usage on db-1 was above 90%."},
			Links: []alert.Link{
				{Href: "https://grafana.example.com/d/node-exporter?from=1772355600000&orgId=1&to=1772358300000", Text: "Dashboard"},
				{Href: "https://grafana.example.com/d/node-exporter?from=1772355600000&orgId=1&to=1772358300000&viewPanel=12", Text: "Panel"},
				{Href: "https://grafana.example.com/alerting/grafana/ddk4x0y/view?orgId=1", Text: "Source"},
				{Href: "https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Dddk4x0y&orgId=1", Text: "Silence"},
				{Href: "https://grafana.example.com/public/img/attachments/5OqNaJ2Ex.png", Text: "Image"},
			},
			At: mustTime(t, "2026-03-01T10:45:00Z"),
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Grafana(fixture(t, tt.file), grafanaInteg)
			if err != nil {
				t.Fatal(err)
			}
			sameEvents(t, got, tt.want)
		})
	}
}

func TestGrafanaInvalid(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		// Legacy Grafana alerting sent its own shape with no version.
		{"legacy alerting", `{"title":"[Alerting] CPU","ruleName":"CPU","state":"alerting","evalMatches":[]}`, []string{`version: is missing; expected "1"`}},
		{"an Alertmanager payload", `{"version":"4","alerts":[]}`, []string{`version: "4" is not supported; expected "1"`}},
		{"dashboardURL of wrong type", `{"version":"1","alerts":[{"status":"firing","dashboardURL":7}]}`, []string{
			"alerts[0].dashboardURL: expected a string, found a number (at byte 60)"}},
		{"label of wrong type", `{"version":"1","alerts":[{"status":"firing"},{"status":"firing","labels":{"a":true}}]}`, []string{
			"alerts[1].labels: expected a string, found a bool (at byte 82)"}},
		{"values are not checked", `{"version":"1","alerts":[{"status":"nope","values":{"B":"NaN"}}]}`, []string{
			`alerts[0].status: "nope" is not "firing" or "resolved"`}},
		{"array body", `[]`, []string{"body is a JSON array; expected an object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Grafana([]byte(tt.body), grafanaInteg)
			if err == nil {
				t.Fatal("accepted")
			}
			sameStrings(t, problems(t, err), tt.want)
		})
	}
}
