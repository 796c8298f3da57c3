package app

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/vigil-sre/vigil/internal/store"
)

// amBody is an Alertmanager webhook with one alert of the given status.
func amBody(instance, status string) []byte {
	return fmt.Appendf(nil, `{"version":"4","status":%[2]q,"receiver":"vigil","alerts":[{"status":%[2]q,
		"labels":{"alertname":"NodeDown","instance":%[1]q,"team":"data","severity":"critical"},
		"annotations":{"summary":"%[1]s is down"},"startsAt":"2026-11-22T03:00:00Z"}]}`, instance, status)
}

// TestOneOpenAlertPerKey: the pager keeps one open alert per dedup key (no
// index does it for the store): resends count on the open alert, across a
// restart too; a key fires again as a new alert once resolved; and a store
// holding two open alerts with one key (written by something else) starts,
// says so, and gives the key's events to the newer.
func TestOneOpenAlertPerKey(t *testing.T) {
	sk := newSink(t)
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "vigil.db")
	h := start(t, ingestConfig(sk.URL), dsn)
	post := func(instance, status string) {
		t.Helper()
		if code, out := h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", amBody(instance, status)); code != 200 {
			t.Fatalf("webhook: %d %v", code, out)
		}
	}
	byInstance := func(query string) map[string][]alertJSON {
		t.Helper()
		out := map[string][]alertJSON{}
		for _, a := range h.alerts(query) {
			out[a.Labels["instance"]] = append(out[a.Labels["instance"]], a)
		}
		return out
	}

	post("db-1", "firing")
	post("db-1", "firing")
	post("db-2", "firing")
	h.stop()
	h = startAt(t, h.cfg, dsn, h.clock)
	post("db-1", "firing")
	open := byInstance("status=open")
	if len(open["db-1"]) != 1 || open["db-1"][0].Occurrences != 3 || len(open["db-2"]) != 1 {
		t.Fatalf("after resends across a restart: %+v", open)
	}
	first := open["db-1"][0]

	post("db-1", "resolved")
	post("db-1", "firing")
	all := byInstance("")
	if len(all["db-1"]) != 2 {
		t.Fatalf("db-1 resolved, then fired again: %+v", all["db-1"])
	}
	open = byInstance("status=open")
	if len(open["db-1"]) != 1 || open["db-1"][0].ID == first.ID || open["db-1"][0].Occurrences != 1 {
		t.Fatalf("the second firing of db-1 is not one new open alert: %+v", open["db-1"])
	}
	second := open["db-1"][0]

	// Something else writes a second open alert for db-1's key.
	h.stop()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	row, err := st.Alert(ctx, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	maxID, _, _, err := st.MaxIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	row.ID = maxID + 1
	if err := st.WriteAlerts(ctx, store.AlertBatch{Alerts: []store.AlertRow{row}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	h = startAt(t, h.cfg, dsn, h.clock)
	post("db-1", "firing") // answered once the pager has loaded the store
	mustContain(t, "log", h.logs.String(), "two open alerts share a dedup key")
	got := map[int64]int{}
	for _, a := range byInstance("status=open")["db-1"] {
		got[a.ID] = a.Occurrences
	}
	if len(got) != 2 || got[second.ID] != 1 || got[row.ID] != 2 {
		t.Fatalf("occurrences by open db-1 alert: %v (older %d, newer %d)", got, second.ID, row.ID)
	}
	// Resolving the older by hand leaves the key with the newer.
	if code := h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/resolve", second.ID), "op3rate-t0ken", nil, nil); code != 200 {
		t.Fatalf("resolve the older: %d", code)
	}
	post("db-1", "firing")
	open = byInstance("status=open")
	if len(open["db-1"]) != 1 || open["db-1"][0].ID != row.ID || open["db-1"][0].Occurrences != 3 {
		t.Fatalf("after the older was resolved: %+v", open["db-1"])
	}
}

// TestIngestBodyNotKept: ingestion bodies are read into buffers that serve
// later requests, so nothing an alert keeps may point into its request's
// body. An alert's labels outlive the next request's body, through a write
// of the whole row (an acknowledgement) that takes them from memory.
func TestIngestBodyNotKept(t *testing.T) {
	sk := newSink(t)
	h := start(t, ingestConfig(sk.URL), "")
	for _, instance := range []string{"db-1", "db-2", "db-3"} { // the same length: a reused buffer lines up
		if code, out := h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json", amBody(instance, "firing")); code != 200 {
			t.Fatalf("webhook: %d %v", code, out)
		}
	}
	for _, a := range h.alerts("status=open") {
		if code := h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", a.ID), "op3rate-t0ken", nil, nil); code != 200 {
			t.Fatalf("ack %d: %d", a.ID, code)
		}
	}
	seen := map[string]bool{}
	for _, a := range h.alerts("status=open") {
		if a.Status != "acknowledged" || a.Summary != a.Labels["instance"]+" is down" {
			t.Fatalf("alert %d after its acknowledgement: %+v", a.ID, a)
		}
		seen[a.Labels["instance"]] = true
	}
	if len(seen) != 3 {
		t.Fatalf("instances: %v", seen)
	}
}
