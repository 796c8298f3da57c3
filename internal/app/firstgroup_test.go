package app

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestNewAlertsKeepTheirGroupAcrossRestarts: a new alert's place in its
// group, which its own row holds while nobody has been notified (store
// migration 0029), comes back after a restart. The group then pages its
// open alerts after group_wait, and not the one resolved before it. Once
// paged, the place has a row of its own, and after another restart the
// alert's resolution is announced through the group once.
func TestNewAlertsKeepTheirGroupAcrossRestarts(t *testing.T) {
	sk := newSink(t)
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "vigil.db")
	h := start(t, ingestConfig(sk.URL), dsn)
	webhook := func(status string, instances ...string) []byte {
		var alerts []any
		for _, in := range instances {
			alerts = append(alerts, map[string]any{"status": status,
				"labels":      map[string]string{"alertname": "DiskFull", "instance": in, "team": "data", "service": "postgres"},
				"annotations": map[string]string{"summary": "Disk full on " + in},
				"startsAt":    "2026-11-23T09:00:00Z", "fingerprint": "fp-" + in})
		}
		b, _ := json.Marshal(map[string]any{"version": "4", "status": status, "receiver": "vigil", "alerts": alerts})
		return b
	}
	type paged struct {
		Alerts []struct {
			Summary string `json:"summary"`
			Status  string `json:"status"`
		} `json:"alerts"`
	}
	alertsOf := func(d delivery) []string {
		t.Helper()
		var p paged
		if err := json.Unmarshal(d.Body, &p); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range p.Alerts {
			out = append(out, a.Summary+" "+a.Status)
		}
		slices.Sort(out)
		return out
	}
	restart := func() {
		h.stop()
		h = startAt(t, h.cfg, dsn, h.clock)
	}

	h.webhook(webhook("firing", "db-1", "db-2", "db-3"))
	h.webhook(webhook("resolved", "db-2"))
	restart()
	h.advance(30 * time.Second)
	first := sk.wait(t, "/dba", 1)
	if got, want := fmt.Sprint(alertsOf(first[0])), "[Disk full on db-1 firing Disk full on db-3 firing]"; got != want {
		t.Fatalf("the page after group_wait and a restart carries %s; want %s", got, want)
	}

	restart()
	h.webhook(webhook("resolved", "db-1"))
	h.advance(5 * time.Minute) // group_interval
	second := sk.wait(t, "/dba", 2)
	if got, want := fmt.Sprint(alertsOf(second[1])), "[Disk full on db-1 resolved]"; got != want {
		t.Fatalf("the group's next notice carries %s; want %s", got, want)
	}
	restart()
	h.advance(5 * time.Minute)
	h.webhook(webhook("resolved", "db-3"))
	h.advance(5 * time.Minute)
	third := sk.wait(t, "/dba", 3)
	if got, want := fmt.Sprint(alertsOf(third[2])), "[Disk full on db-3 resolved]"; got != want {
		t.Fatalf("the last notice carries %s; want db-3 resolved alone (db-1's resolution was announced)", got)
	}
}
