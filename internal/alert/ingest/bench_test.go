package ingest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// amBatch builds an Alertmanager notification of n alerts shaped like the
// captured fixtures: eight labels, three annotations, the group fields
// Alertmanager adds, and endsAt zero as Alertmanager sends for firing alerts.
func amBatch(tb testing.TB, n int) []byte {
	type alertJSON struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     time.Time         `json:"startsAt"`
		EndsAt       time.Time         `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	alerts := make([]alertJSON, n)
	for i := range alerts {
		host := fmt.Sprintf("node-%03d.prod.example.com:9100", i)
		labels := map[string]string{
			"alertname": "HighCPUUsage", "instance": host, "job": "node", "severity": "warning",
			"service": "compute", "team": "platform", "cluster": "prod-eu-1", "namespace": "monitoring",
		}
		alerts[i] = alertJSON{
			Status: "firing",
			Labels: labels,
			Annotations: map[string]string{
				"summary":     "CPU usage above 90% on " + host,
				"description": "CPU usage on " + host + " has been above 90% for 10 minutes.\nCurrent value: 93.4%.",
				"runbook_url": "https://runbooks.example.com/HighCPUUsage",
			},
			StartsAt:     start.Add(-time.Duration(i) * time.Second),
			GeneratorURL: "http://prometheus.example.com:9090/graph?g0.expr=cpu_usage+%3E+0.9&g0.tab=1",
			Fingerprint:  fingerprint(labels),
		}
	}
	body, err := json.Marshal(map[string]any{
		"receiver":            "vigil",
		"status":              "firing",
		"alerts":              alerts,
		"notification_reason": "new alerts in group",
		"groupLabels":         map[string]string{"alertname": "HighCPUUsage"},
		"commonLabels":        map[string]string{"alertname": "HighCPUUsage", "job": "node", "severity": "warning", "service": "compute"},
		"commonAnnotations":   map[string]string{"runbook_url": "https://runbooks.example.com/HighCPUUsage"},
		"routeLabels":         map[string]string{},
		"externalURL":         "http://alertmanager.example.com:9093",
		"version":             "4",
		"groupKey":            `{}/{severity="warning"}:{alertname="HighCPUUsage"}`,
		"truncatedAlerts":     0,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// BenchmarkAlertmanager parses a batch of 50 alerts, the unit the ingest
// target (20,000 alerts/s on 2 cores, end to end) is stated in.
func BenchmarkAlertmanager(b *testing.B) {
	const batch = 50
	body := amBatch(b, batch)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		evs, err := Alertmanager(body, amInteg)
		if err != nil || len(evs) != batch {
			b.Fatal(len(evs), err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "alerts/s")
}

func TestBenchBatchIsValid(t *testing.T) {
	evs, err := Alertmanager(amBatch(t, 50), amInteg)
	if err != nil || len(evs) != 50 || evs[49].Summary != "CPU usage above 90% on node-049.prod.example.com:9100" {
		t.Fatalf("%d events, %v", len(evs), err)
	}
}
