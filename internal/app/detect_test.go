package app

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTimeToDetectFromFirstFailure: a check with fail_after: 3 fails at
// 09:02 and alerts at 09:04. An incident declared on that alert began at
// the first failing result, so its time to detect is 2m, in the API's
// metrics and in the postmortem, without anyone giving --started.
func TestTimeToDetectFromFirstFailure(t *testing.T) {
	tg := newTarget(t)
	h := start(t, fmt.Sprintf(`
tokens:
  - {id: sre, secret: sre-t0ken, scopes: [operate]}
services:
  - id: shop
    checks:
      - {id: homepage, http: {url: %q}, every: 1m, expect: ['status == 200'], fail_after: 3}
`, tg.URL+"/"), "")
	const key = "shop/homepage"
	h.step(time.Minute, key)
	h.waitState(key, "ok")
	tg.status.Store(503)
	h.step(time.Minute, key)
	first := h.waitState(key, "pending").LastChecked
	h.step(time.Minute, key)
	h.step(time.Minute, key)
	h.waitState(key, "failing")
	var alerts []alertJSON
	h.eventually("the check's alert", func() bool { alerts = h.alerts("status=open"); return len(alerts) == 1 })
	// The fake clock fits minutes of checking into milliseconds; the check's
	// history is written a moment behind, as it would long be by now.
	h.eventually("the check's history stored", func() bool {
		var evs []map[string]any
		h.do("GET", "/api/v1/events", "", nil, &evs)
		return len(evs) == 3
	})

	var in struct {
		StartedAt time.Time `json:"started_at"`
		Metrics   struct {
			ToDetect int64 `json:"time_to_detect"`
		} `json:"metrics"`
	}
	body := fmt.Sprintf(`{"title":"Homepage down","services":["shop"],"alert_ids":[%d]}`, alerts[0].ID)
	if code := h.do("POST", "/api/v1/incidents", "sre-t0ken", strings.NewReader(body), &in); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	if !in.StartedAt.Equal(*first) || time.Duration(in.Metrics.ToDetect) != 2*time.Minute {
		t.Fatalf("started %v (first failure %v), time to detect %v", in.StartedAt, first, time.Duration(in.Metrics.ToDetect))
	}
	_, pm := h.text("/api/v1/incidents/1/postmortem")
	mustContain(t, "postmortem", pm, "| Time to detect | 2m |", "Impact began at 09:02:00 UTC, 2m before.")
}
