package app

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// An acknowledgement or resolution dated before the alert fired (a
// sender's clock that is off) counts from when it fired: an alert is never
// handled before it began, which would make its time to resolve negative.
func TestHandlingIsNeverBeforeFiring(t *testing.T) {
	h := start(t, ingestConfig("http://127.0.0.1:9"), "")
	fired := h.clock.Now().Add(-10 * time.Minute).UTC()
	post := func(action string, at time.Time) {
		t.Helper()
		body := fmt.Sprintf(`{"key":"early","summary":"disk full","service":"shop","action":%q,"at":%q}`, action, at.Format(time.RFC3339))
		if code := h.do("POST", "/api/v1/events", "gen-k3y", strings.NewReader(body), nil); code/100 != 2 {
			t.Fatalf("%s at %s: %d", action, at, code)
		}
	}
	post("trigger", fired)
	post("resolve", fired.Add(-time.Hour))
	var got []struct {
		FirstSeen  time.Time  `json:"first_seen"`
		ResolvedAt *time.Time `json:"resolved_at"`
		Status     string     `json:"status"`
	}
	if code := h.do("GET", "/api/v1/alerts?status=all", "", nil, &got); code != 200 || len(got) != 1 {
		t.Fatalf("alerts: %d %+v", code, got)
	}
	a := got[0]
	if a.Status != "resolved" || a.ResolvedAt == nil || !a.ResolvedAt.Equal(a.FirstSeen) || !a.FirstSeen.Equal(fired) {
		t.Fatalf("fired %s, resolved an hour before: first_seen %s, resolved_at %v, %s; want resolved when it fired",
			fired, a.FirstSeen, a.ResolvedAt, a.Status)
	}
}
