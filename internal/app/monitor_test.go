package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check/checktest"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// target is a loopback HTTP server whose answer the test controls.
type target struct {
	*httptest.Server
	status atomic.Int32
	hits   atomic.Int32
}

func newTarget(t *testing.T) *target {
	tg := &target{}
	tg.status.Store(200)
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		code := int(tg.status.Load())
		w.WriteHeader(code)
		state := "UP"
		if code != 200 {
			state = "DOWN"
		}
		fmt.Fprintf(w, `{"status":%q}`, state)
	}))
	t.Cleanup(tg.Close)
	return tg
}

// TestCheckLifecycle drives an HTTP check through ok, pending, failing,
// recovering and ok again, on both store engines, and checks that the API
// says why at each step and keeps the history.
func TestCheckLifecycle(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			tg := newTarget(t)
			h := start(t, fmt.Sprintf(`
services:
  - id: shop
    name: Exotic Plant Shop
    checks:
      - id: homepage
        http: {url: %q}
        every: 30s
        timeout: 2s
        expect: ['status == 200', 'json.status == "UP"', 'duration < 1s']
        fail_after: 3
        recover_after: 2
`, tg.URL+"/"), e.Fresh(t))
			const key = "shop/homepage"
			h.step(30*time.Second, key)
			c := h.waitState(key, "ok")
			if c.Kind != "http" || c.Reason != "" {
				t.Fatalf("ok check: %+v", c)
			}

			tg.status.Store(503)
			h.step(30*time.Second, key)
			c = h.waitState(key, "pending")
			mustContain(t, "pending reason", c.Reason, `status == 200 failed (status=503)`, `json.status == "UP" failed (json.status="DOWN")`, "failure 1 of 3")
			h.step(30*time.Second, key)
			h.step(30*time.Second, key)
			c = h.waitState(key, "failing")
			mustContain(t, "failing reason", c.Reason, "status == 200 failed (status=503)")
			if strings.Contains(c.Reason, "failure") {
				t.Fatalf("failing reason still counts failures: %q", c.Reason)
			}
			// Each condition's verdict and the value it read are stored.
			h.eventually("results written", func() bool {
				c = h.check(key)
				return len(c.Results) == 4
			})
			last := c.Results[0]
			if last.Status != "fail" || len(last.Conditions) != 3 || last.Conditions[0].OK || last.Conditions[0].Observed != "status=503" || !last.Conditions[2].OK {
				t.Fatalf("latest result: %+v", last)
			}

			tg.status.Store(200)
			h.step(30*time.Second, key)
			c = h.waitState(key, "failing")
			mustContain(t, "recovering", c.Reason, "recovering: 1 of 2 passes in a row needed")
			h.step(30*time.Second, key)
			h.waitState(key, "ok")

			// Every state change is an event with its reason, newest first.
			// History is written behind the live state, so wait for it.
			var transitions []string
			h.eventually("events and results written", func() bool {
				c = h.check(key)
				transitions = transitions[:0]
				for _, ev := range c.Events {
					transitions = append(transitions, ev.From+">"+ev.To)
				}
				return len(transitions) == 4 && len(c.Results) == 6
			})
			if got := strings.Join(transitions, " "); got != "failing>ok pending>failing ok>pending unknown>ok" {
				t.Fatalf("events: %s", got)
			}
			if len(c.Results) != 6 || c.Results[0].Seq != 6 {
				t.Fatalf("results: %d, newest seq %d", len(c.Results), c.Results[0].Seq)
			}
		})
	}
}

// TestHangingTargetSlowsNothingElse: a target that accepts and never answers
// fails with the timeout as its reason while another check keeps its schedule.
func TestHangingTargetSlowsNothingElse(t *testing.T) {
	hang := checktest.SilentServer(t)
	fast := newTarget(t)
	h := start(t, fmt.Sprintf(`
services:
  - id: svc
    checks:
      - {id: hang, http: {url: "http://%s/"}, every: 10s, timeout: 300ms, fail_after: 1}
      - {id: fast, http: {url: %q}, every: 10s, timeout: 2s}
`, hang, fast.URL), "")
	for i := 0; i < 3; i++ {
		began := time.Now()
		h.step(10*time.Second, "svc/fast")
		if d := time.Since(began); d > 250*time.Millisecond {
			t.Fatalf("the fast check waited %v for its result", d)
		}
	}
	c := h.waitState("svc/hang", "failing")
	mustContain(t, "hang reason", c.Reason, "timed out after 300ms")
	if got := fast.hits.Load(); got != 3 {
		t.Fatalf("fast target probed %d times, want 3", got)
	}
}

// TestUptimeIsTimeWeighted: a job reports ok at 1m and 10m, fails at 50m and
// is ok again at 60m. Uptime is the time spent up, 49 of 59 minutes (83%),
// not the share of good reports (3 of 4).
func TestUptimeIsTimeWeighted(t *testing.T) {
	h := start(t, `
services:
  - id: shop
    checks:
      - {id: job, heartbeat: {key: k}, every: 2h}
`, "")
	const key = "shop/job"
	beat := func(at time.Duration, body string) {
		h.advance(t0.Add(at).Sub(h.clock.Now()))
		if code := h.do("POST", "/api/v1/heartbeats/"+key, "k", strings.NewReader(body), nil); code != 202 {
			t.Fatalf("beat at %v: %d", at, code)
		}
	}
	beat(time.Minute, `{}`)
	beat(10*time.Minute, `{}`)
	beat(50*time.Minute, `{"status":"fail","message":"backup failed"}`)
	beat(60*time.Minute, `{}`)
	var c checkJSON
	h.eventually("uptime written", func() bool {
		c = h.check(key)
		return len(c.Results) == 4
	})
	want := 100 * 49.0 / 59.0
	for _, w := range c.Uptime {
		if w.Percent == nil || *w.Percent < want-0.01 || *w.Percent > want+0.01 {
			t.Fatalf("%s uptime %v, want %.2f%%", w.Window, w.Percent, want)
		}
	}
	var services []struct {
		ID     string `json:"id"`
		Uptime []struct {
			Window  string   `json:"window"`
			Percent *float64 `json:"percent"`
		} `json:"uptime"`
	}
	h.do("GET", "/api/v1/services", "", nil, &services)
	if len(services) != 1 || services[0].Uptime[4].Window != "90d" || *services[0].Uptime[4].Percent > want+0.01 {
		t.Fatalf("service uptime: %+v", services)
	}
}

// TestRestartKeepsStateAndHistory: a restarted Vigil continues where it was.
func TestRestartKeepsStateAndHistory(t *testing.T) {
	tg := newTarget(t)
	tg.status.Store(500)
	h := start(t, fmt.Sprintf(`
services:
  - id: shop
    checks:
      - {id: web, http: {url: %q}, every: 30s, timeout: 2s, fail_after: 1}
`, tg.URL), "")
	h.step(30*time.Second, "shop/web")
	h.waitState("shop/web", "failing")
	path := h.cfg
	store := "sqlite://" + strings.TrimSuffix(path, "vigil.yaml") + "vigil.db"
	h.stop()

	h2 := startAt(t, path, store, h.clock)
	c := h2.check("shop/web")
	if c.State != "failing" || len(c.Results) != 1 || len(c.Events) != 1 {
		t.Fatalf("after restart: state %s, %d results, %d events", c.State, len(c.Results), len(c.Events))
	}
	tg.status.Store(200)
	h2.step(30*time.Second, "shop/web")
	h2.waitState("shop/web", "ok")
	h2.eventually("second result written", func() bool {
		c = h2.check("shop/web")
		return len(c.Results) == 2
	})
	if c.Results[0].Seq != 2 {
		t.Fatalf("results continue: %+v", c.Results)
	}
}
