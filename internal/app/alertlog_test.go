package app

import (
	"fmt"
	"strings"
	"testing"
)

// TestAlertLogAcrossRestart: an alert's log starts with the entry that it
// fired (kept in the alert's own row), followed by what happened to it, and
// after a restart the next alert's entries are told apart from the first's:
// an incident linking both shows each one firing.
func TestAlertLogAcrossRestart(t *testing.T) {
	h := start(t, `
tokens:
  - {id: oncall, secret: r3spond-t0ken, scopes: [respond]}
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
services:
  - {id: shop}
`, "")
	// No route: nothing but the firing is logged before the restart.
	first := h.raise("db-down", "DB <down>", "critical", "shop")
	path := h.cfg
	h.stop()

	h2 := startAt(t, path, "sqlite://"+strings.TrimSuffix(path, "vigil.yaml")+"vigil.db", h.clock)
	second := h2.raise("disk", "Disk full", "warning", "shop")
	if code := h2.do("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", first), "r3spond-t0ken", strings.NewReader(`{}`), nil); code != 200 {
		t.Fatalf("ack: %d", code)
	}
	var a struct {
		Log []struct{ Kind, Actor, Detail string } `json:"log"`
	}
	h2.do("GET", fmt.Sprintf("/api/v1/alerts/%d", first), "", nil, &a)
	if len(a.Log) != 2 || a.Log[0].Kind != "fired" || a.Log[0].Actor != "generic/scripts" || a.Log[0].Detail != "DB <down>" ||
		a.Log[1].Kind != "acknowledged" {
		t.Fatalf("log of alert %d = %+v; want fired by generic/scripts with its summary, then acknowledged", first, a.Log)
	}

	var in struct {
		ID       int64 `json:"id"`
		Timeline []struct{ Kind, Text string }
	}
	body := fmt.Sprintf(`{"title":"Shop degraded","services":["shop"],"alert_ids":[%d,%d]}`, first, second)
	if code := h2.do("POST", "/api/v1/incidents", "r3spond-t0ken", strings.NewReader(body), &in); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	h2.do("GET", fmt.Sprintf("/api/v1/incidents/%d", in.ID), "", nil, &in)
	var texts []string
	for _, e := range in.Timeline {
		texts = append(texts, e.Text)
	}
	mustContain(t, "incident timeline", strings.Join(texts, "\n"),
		fmt.Sprintf("alert %d fired: DB <down>", first), fmt.Sprintf("alert %d fired: Disk full", second),
		fmt.Sprintf("alert %d acknowledged", first))
}
