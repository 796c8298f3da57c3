package app

import (
	"maps"
	"strings"
	"testing"
	"time"
)

// TestExampleCanary runs the canary runbook of examples/runbooks against
// its traffic stand-in, through the API: the dry run shows the stages, the
// gates and the rollback; a healthy canary goes 10% → 25% → 100% with each
// gate held for 2 minutes on the fake clock; a canary that breaks during
// its first gate stops there, and the rollback sends all traffic back to
// the stable version and tells SRE and Ops; so does one whose checkouts
// fail, through the gate on the checkout SLO's burn rate.
func TestExampleCanary(t *testing.T) {
	sk := newSink(t)
	e := startExample(t, newTarget(t).URL, sk.URL+"/hook", nil)

	code, out, errOut := runCLI(t, "run", "canary", "-p", "version=2.1.0", "--dry-run", "--server", e.url, "--token", exampleToken)
	if code != 0 {
		t.Fatalf("dry run: %d %s", code, errOut)
	}
	mustContain(t, "dry run", out, "nothing was executed",
		"1. canary_10 (run)\n   {\"argv\":[\""+e.bin+"/traffic\",\"shift\",\"shop\",\"2.1.0\",\"10\"]",
		"2. gate_10 (wait)\n   gate: check shop/canary must pass and "+sloGate+" must hold at every look (every 10s) for 2m, else the run fails",
		"3. canary_25 (run)", "4. gate_25 (wait)", "5. promote (run)\n   {\"argv\":[\""+e.bin+"/traffic\",\"shift\",\"shop\",\"2.1.0\",\"100\"]",
		"8. back (run)\n   if a step fails: {\"argv\":[\""+e.bin+"/traffic\",\"rollback\",\"shop\"]",
		"9. tell (notify)\n   if a step fails: notify team/sre, team/ops:")
	if got := e.standIn(t, "traffic", "status", "shop"); got != "shop: stable 2.0.0, canary none at 0%\n" {
		t.Fatalf("a dry run moved traffic: %q", got)
	}

	code, r := e.startRun(t, "canary", `{"params":{"version":"2.1.0"}}`)
	if code != 201 {
		t.Fatalf("run: %d %+v", code, r)
	}
	e.advanceUntil("the canary is promoted", 10*time.Second, 10*time.Minute, func() bool {
		var cur exampleRun
		e.do("GET", "/api/v1/runs/"+r.ID, "", nil, &cur)
		return cur.Status == "succeeded" || cur.Status == "failed"
	})
	r = e.waitRun(t, r.ID, "succeeded", "failed")
	want := map[string]string{"canary_10": "ok", "gate_10": "ok", "canary_25": "ok", "gate_25": "ok", "promote": "ok", "record": "ok", "done": "ok"}
	if r.Status != "succeeded" || !maps.Equal(r.statuses(), want) {
		t.Fatalf("healthy canary: %s %q %v", r.Status, r.Reason, r.statuses())
	}
	if d := r.step(t, "gate_25").Detail; d != "gate: check shop/canary and condition "+sloGate+" held at each of 13 looks for 2m" {
		t.Fatalf("gate: %q", d)
	}
	if got := e.standIn(t, "traffic", "status", "shop"); got != "shop: stable 2.1.0, canary none at 0%\n" {
		t.Fatalf("after promotion: %q", got)
	}
	mustContain(t, "deploys", e.readState(t, "deploys.log"), "env=production version=2.1.0 build=release-2.1.0 by=canary")

	// The first run gives its lock back just after it ends (concurrency: 1).
	e.eventually("the second canary starts", func() bool {
		code, r = e.startRun(t, "canary", `{"params":{"version":"2.2.0"}}`)
		return code == 201
	})
	e.eventually("the canary at 10%", func() bool {
		var cur exampleRun
		e.do("GET", "/api/v1/runs/"+r.ID, "", nil, &cur)
		return cur.statuses()["canary_10"] == "ok"
	})
	e.standIn(t, "traffic", "break", "shop")
	e.advanceUntil("the bad canary ends", 10*time.Second, 10*time.Minute, func() bool {
		var cur exampleRun
		e.do("GET", "/api/v1/runs/"+r.ID, "", nil, &cur)
		return cur.Status == "succeeded" || cur.Status == "failed"
	})
	r = e.waitRun(t, r.ID, "succeeded", "failed")
	want = map[string]string{"canary_10": "ok", "gate_10": "failed", "back": "ok", "tell": "ok"}
	if r.Status != "failed" || !maps.Equal(r.statuses(), want) ||
		r.Reason != "step gate_10 failed: exit_code == 0 failed (exit_code=1); rolled back" {
		t.Fatalf("bad canary: %s %q %v", r.Status, r.Reason, r.statuses())
	}
	if got := e.standIn(t, "traffic", "status", "shop"); got != "shop: stable 2.1.0, canary none at 0%\n" {
		t.Fatalf("after the rollback: %q", got)
	}
	mustContain(t, "sre and ops were told", exampleTold(t, sk, "Runbook canary: tell"),
		"The canary of 2.2.0 failed a gate and all traffic is back on the stable version")
	if strings.Contains(e.readState(t, "deploys.log"), "2.2.0") {
		t.Fatal("the bad canary was recorded as deployed")
	}

	// The canary's check passes, but checkouts fail: 10% of them against a
	// 0.5% budget burns it at 20×, and the gate stops at the next look
	// after the SLO's evaluation.
	e.eventually("the third canary starts", func() bool {
		code, r = e.startRun(t, "canary", `{"params":{"version":"2.3.0"}}`)
		return code == 201
	})
	e.eventually("the third canary at 10%", func() bool {
		var cur exampleRun
		e.do("GET", "/api/v1/runs/"+r.ID, "", nil, &cur)
		return cur.statuses()["canary_10"] == "ok"
	})
	if code := e.do("POST", "/api/v1/slos/shop/checkout/events", exampleToken, strings.NewReader(`{"good": 900, "total": 1000}`), nil); code != 202 {
		t.Fatalf("checkout events: %d", code)
	}
	e.advanceUntil("the burning canary ends", 10*time.Second, 10*time.Minute, func() bool {
		var cur exampleRun
		e.do("GET", "/api/v1/runs/"+r.ID, "", nil, &cur)
		return cur.Status == "succeeded" || cur.Status == "failed"
	})
	r = e.waitRun(t, r.ID, "succeeded", "failed")
	if r.Status != "failed" || !maps.Equal(r.statuses(), want) ||
		!strings.HasPrefix(r.Reason, "step gate_10 failed: not true: ") || !strings.HasSuffix(r.Reason, "; rolled back") ||
		!strings.HasPrefix(r.step(t, "gate_10").Detail, "gate: condition "+sloGate+" did not hold at look ") {
		t.Fatalf("burning canary: %s %q %v %q", r.Status, r.Reason, r.statuses(), r.step(t, "gate_10").Detail)
	}
	if got := e.standIn(t, "traffic", "status", "shop"); got != "shop: stable 2.1.0, canary none at 0%\n" {
		t.Fatalf("after the second rollback: %q", got)
	}
}

// sloGate is the condition the example canary's gates hold.
const sloGate = `(slo["shop/checkout"].burn_rates["5m"] ?? 0) < 14.4`
