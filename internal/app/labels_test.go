package app

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLabelsAndLinksStayTrueOnceStored: once an alert is stored the pager
// keeps its labels packed, not as the row's map, and its links only in the
// store. A change of severity stores the new labels and a new generatorURL
// the new link, an acknowledgement keeps both, the page renders both, a
// silence made later matches the labels, and a restart reads them back.
func TestLabelsAndLinksStayTrueOnceStored(t *testing.T) {
	sk := newSink(t)
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "vigil.db")
	h := start(t, ingestConfig(sk.URL), dsn)
	firing := fixture(t, "am_firing.json")
	h.webhook(firing)
	var payload map[string]any
	json.Unmarshal(firing, &payload)
	db1 := payload["alerts"].([]any)[0].(map[string]any)
	db1["labels"].(map[string]any)["severity"] = "warning"
	db1["generatorURL"] = "http://prometheus.example.com:9090/graph?g0.expr=up%7Bjob%3D%22node%22%7D+%3D%3D+0"
	changed, _ := json.Marshal(payload)
	h.webhook(changed)

	byInstance := map[string]int64{}
	for _, a := range h.alerts("status=open") {
		byInstance[a.Labels["instance"]] = a.ID
	}
	type withLabels struct {
		Severity string            `json:"severity"`
		Status   string            `json:"status"`
		Labels   map[string]string `json:"labels"`
		Links    []struct {
			Href string `json:"href"`
		} `json:"links"`
	}
	get := func(instance string) withLabels {
		t.Helper()
		var a withLabels
		if code := h.do("GET", fmt.Sprintf("/api/v1/alerts/%d", byInstance[instance]), "op3rate-t0ken", nil, &a); code != 200 {
			t.Fatalf("GET alert of %s: %d", instance, code)
		}
		return a
	}
	want1 := map[string]string{"alertname": "InstanceDown", "instance": "db-1:9100", "job": "node", "service": "postgres", "severity": "warning", "team": "data"}
	want2 := maps.Clone(want1)
	want2["instance"], want2["severity"] = "db-2:9100", "critical"
	link1 := db1["generatorURL"].(string)
	link2 := payload["alerts"].([]any)[1].(map[string]any)["generatorURL"].(string)
	check := func(when string) {
		t.Helper()
		if a := get("db-1:9100"); a.Severity != "warning" || !maps.Equal(a.Labels, want1) || len(a.Links) == 0 || a.Links[0].Href != link1 {
			t.Fatalf("db-1 %s: %+v, want labels %v and first a link to %s", when, a, want1, link1)
		}
		if a := get("db-2:9100"); !maps.Equal(a.Labels, want2) || len(a.Links) == 0 || a.Links[0].Href != link2 {
			t.Fatalf("db-2 %s: %+v, want labels %v and first a link to %s", when, a, want2, link2)
		}
	}
	check("after a resend that lowers its severity and changes its link")

	h.advance(30 * time.Second)
	var page struct {
		Alerts []struct {
			ID     int64             `json:"id"`
			Labels map[string]string `json:"labels"`
			Links  []struct {
				Href string `json:"href"`
			} `json:"links"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(sk.wait(t, "/dba", 1)[0].Body, &page); err != nil {
		t.Fatal(err)
	}
	rendered, links := map[int64]map[string]string{}, map[int64]string{}
	for _, a := range page.Alerts {
		rendered[a.ID] = a.Labels
		if len(a.Links) > 0 {
			links[a.ID] = a.Links[0].Href
		}
	}
	if !maps.Equal(rendered[byInstance["db-1:9100"]], want1) || !maps.Equal(rendered[byInstance["db-2:9100"]], want2) {
		t.Fatalf("the page renders labels %v", rendered)
	}
	if links[byInstance["db-1:9100"]] != link1 || links[byInstance["db-2:9100"]] != link2 {
		t.Fatalf("the page renders links %v", links)
	}

	if code := h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", byInstance["db-2:9100"]), "op3rate-t0ken", nil, nil); code != 200 {
		t.Fatalf("ack: %d", code)
	}
	if code := h.do("POST", "/api/v1/silences", "op3rate-t0ken", strings.NewReader(`{"matchers":["instance=\"db-1:9100\"","severity=\"warning\""],"duration":"1h","comment":"db-1 rebuild"}`), nil); code != 201 {
		t.Fatalf("silence: %d", code)
	}
	held := func(when string) {
		t.Helper()
		got := h.alerts("status=open&held=silenced")
		if len(got) != 1 || got[0].ID != byInstance["db-1:9100"] {
			t.Fatalf("silenced %s: %+v, want db-1 alone", when, got)
		}
	}
	check("after db-2's acknowledgement")
	held("at once")

	h.stop()
	h = startAt(t, h.cfg, dsn, h.clock)
	h.webhook(changed)
	check("after a restart and a resend")
	held("after a restart")
}
