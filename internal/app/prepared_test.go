package app

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestOneRequestOpensAndChangesAnAlert: an alert opened and then changed by
// the same request (a webhook that holds it twice, the second time with
// another severity, description and link) is stored as the second says.
// The text of a new alert's row is encoded before its request reaches the
// pager (pager/prepare.go); it must not stand for a row changed since.
func TestOneRequestOpensAndChangesAnAlert(t *testing.T) {
	h := start(t, `
integrations:
  - {id: prometheus, type: alertmanager, key: am-k3y}
services:
  - {id: shop}
`, "")
	alert := func(severity, description, url string) map[string]any {
		return map[string]any{"status": "firing",
			"labels":      map[string]string{"alertname": "DiskFull", "instance": "db-1", "severity": severity, "service": "shop"},
			"annotations": map[string]string{"summary": "Disk full on db-1", "description": description},
			"startsAt":    "2026-11-23T09:00:00Z", "generatorURL": url, "fingerprint": "f00d"}
	}
	body, _ := json.Marshal(map[string]any{"version": "4", "status": "firing", "receiver": "vigil",
		"alerts": []any{alert("warning", "first <sent>", "http://prom/first"), alert("critical", "then \"this\"", "http://prom/then")}})
	h.webhook(body)
	open := h.alerts("status=open")
	if len(open) != 1 || open[0].Occurrences != 2 {
		t.Fatalf("open alerts %+v; want the one alert, seen twice", open)
	}
	id := open[0].ID
	path := h.cfg
	h.stop()

	// Read back from the store, not from memory.
	h2 := startAt(t, path, "sqlite://"+strings.TrimSuffix(path, "vigil.yaml")+"vigil.db", h.clock)
	var a struct {
		Severity    string            `json:"severity"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		Links       []struct{ Href string }
	}
	h2.do("GET", "/api/v1/alerts/"+strconv.FormatInt(id, 10), "", nil, &a)
	if a.Severity != "critical" || a.Labels["severity"] != "critical" || a.Annotations["description"] != `then "this"` {
		t.Errorf("stored alert: severity %q, labels %v, annotations %v; want the second's", a.Severity, a.Labels, a.Annotations)
	}
	var hrefs []string
	for _, l := range a.Links {
		hrefs = append(hrefs, l.Href)
	}
	if got := strings.Join(hrefs, " "); !strings.Contains(got, "http://prom/then") || strings.Contains(got, "http://prom/first") {
		t.Errorf("stored links %q; want the second's", got)
	}
}
