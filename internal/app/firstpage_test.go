package app

import (
	"fmt"
	"testing"
	"time"
)

// TestFirstPageWithTheDefaults measures the failure-to-page time the README
// states for a check with every: 10s and the default fail_after (2) and
// grouping: the first failing probe, the second one 10s later makes the
// check failing, and its alert pages DefaultCheckGroupWait (10s) after
// that, not Alertmanager's 30s, which ingested alerts keep.
func TestFirstPageWithTheDefaults(t *testing.T) {
	tg := newTarget(t)
	sk := newSink(t)
	h := start(t, fmt.Sprintf(`
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach, contacts: {webhook: "%[2]s/thach"}}
escalations:
  - {id: sre, steps: [{notify: [person/thach]}]}
services:
  - id: shop
    escalation: sre
    checks:
      - {id: homepage, http: {url: %[1]q}, every: 10s, timeout: 2s}
  - {id: queue, escalation: sre}
`, tg.URL, sk.URL), "")
	h.step(10*time.Second, "shop/homepage") // a passing result: the check is ok
	tg.status.Store(503)
	down := h.clock.Now()
	h.step(10*time.Second, "shop/homepage")
	if c := h.check("shop/homepage"); c.State != "pending" {
		t.Fatalf("after one failure: %s", c.State)
	}
	h.step(10*time.Second, "shop/homepage")
	h.waitState("shop/homepage", "failing")
	failing := h.clock.Now()
	h.advanceUntil("the first page", time.Second, time.Minute, func() bool { return len(sk.deliveries("/thach")) > 0 })
	page := sk.deliveries("/thach")[0].Message
	if wait := page.At.Sub(failing); wait != 10*time.Second {
		t.Fatalf("paged %v after the check failed, want 10s", wait)
	}
	t.Logf("failure to page: %v (the target broke at %v, paged at %v)", page.At.Sub(down), down.Sub(t0), page.At.Sub(t0))

	// An ingested alert keeps Alertmanager's group_wait of 30s.
	raised := h.clock.Now()
	h.raise("queue", "Queue backing up", "critical", "queue")
	h.advanceUntil("the ingested alert's page", 5*time.Second, time.Minute, func() bool { return len(sk.deliveries("/thach")) > 1 })
	if wait := sk.deliveries("/thach")[1].Message.At.Sub(raised); wait < 30*time.Second {
		t.Fatalf("an ingested alert paged after %v, want 30s", wait)
	}
}
