package runbook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

const canaryYAML = `
services: [{id: shop, checks: [{id: canary, tcp: {address: "h:1"}}]}]
runbooks:
  - id: canary
    steps:
      - {id: ten, run: [sh, -c, 'echo 10 >> $DIR/traffic']}
      - {id: gate_ten, wait: {check: shop/canary, for: 1m, every: 10s}}
      - {id: full, run: [sh, -c, 'echo 100 >> $DIR/traffic']}
    rollback:
      - {id: hold, wait: {duration: 1h}, idempotent: true}
      - {id: back, run: [sh, -c, 'echo "0 after: {{ .steps.gate_ten.error }}" >> $DIR/traffic']}
`

// advancing moves the fake clock on until stop is closed, so waits and
// gates on it come due.
func (h *harness) advancing(step time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
				h.clock.Advance(step)
			}
		}
	}()
	return func() { close(done) }
}

func (h *harness) traffic() string {
	b, _ := os.ReadFile(filepath.Join(h.dir, "traffic"))
	return string(b)
}

// TestGateHoldsOrRollsBack: a wait with for is a gate: a check that
// passes at every look lets the run go on; one that fails ends it at
// once, and the runbook's rollback steps run (reading the failed gate);
// the run fails, saying it rolled back.
func TestGateHoldsOrRollsBack(t *testing.T) {
	h := newHarness(t, canaryYAML)
	h.probes["shop/canary"] = check.Pass
	row, err := h.start1("canary", nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := h.advancing(5 * time.Second)
	row, steps := h.wait(row.ID)
	stop()
	if row.Status != store.RunSucceeded || len(steps) != 3 || h.traffic() != "10\n100\n" ||
		steps[1].Detail != "gate: check shop/canary held at each of 7 looks for 1m" {
		t.Fatalf("passing gate: %s %q %q %+v", row.Status, row.Reason, h.traffic(), steps)
	}

	h = newHarness(t, canaryYAML)
	h.probes["shop/canary"] = check.Fail
	row, _ = h.start1("canary", nil)
	stop = h.advancing(10 * time.Minute)
	row, steps = h.wait(row.ID)
	stop()
	if row.Status != store.RunFailed || row.Reason != "step gate_ten failed: probe says fail; rolled back" {
		t.Fatalf("failing gate: %s %q", row.Status, row.Reason)
	}
	if got := h.traffic(); got != "10\n0 after: probe says fail\n" {
		t.Fatalf("traffic: %q", got)
	}
	ids := []string{}
	for _, s := range steps {
		ids = append(ids, s.StepID+" "+s.Status)
	}
	if strings.Join(ids, ", ") != "ten ok, gate_ten failed, hold ok, back ok" || steps[1].Detail != "gate: check shop/canary failed at look 1, 0s in" {
		t.Fatalf("steps: %s; gate %q", strings.Join(ids, ", "), steps[1].Detail)
	}
}

// TestRollbackResumesAfterRestart: a stop in the middle of the rollback
// steps resumes them at the next start (the step was idempotent); the
// steps after the failed gate never run.
func TestRollbackResumesAfterRestart(t *testing.T) {
	h := newHarness(t, canaryYAML)
	h.probes["shop/canary"] = check.Fail
	row, _ := h.start1("canary", nil)
	for {
		_, steps, _ := h.e.Get(context.Background(), row.ID)
		if len(steps) == 3 && steps[2].Status == "running" {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	h.stop()
	cfg, _ := config.Parse("vigil.yaml", []byte(strings.ReplaceAll(canaryYAML, "$DIR", h.dir)), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	h.start(cfg)
	stop := h.advancing(10 * time.Minute)
	row, steps := h.wait(row.ID)
	stop()
	if row.Status != store.RunFailed || row.Reason != "step gate_ten failed: probe says fail; rolled back" || len(steps) != 4 {
		t.Fatalf("resumed rollback: %s %q, %d steps", row.Status, row.Reason, len(steps))
	}
	if got := h.traffic(); got != "10\n0 after: probe says fail\n" {
		t.Fatalf("traffic: %q", got)
	}
}

// TestDryRunShowsGatesAndRollback: a dry run plans the gate and the
// rollback steps, saying when each runs.
func TestDryRunShowsGatesAndRollback(t *testing.T) {
	h := newHarness(t, canaryYAML)
	row, err := h.e.Start(context.Background(), Request{Runbook: "canary", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	_, steps, _ := h.e.Get(context.Background(), row.ID)
	var got []string
	for _, s := range steps {
		got = append(got, s.StepID+": "+s.Detail)
	}
	want := []string{
		`ten: {"argv":["sh","-c","echo 10 >> ` + h.dir + `/traffic"],"dir":"","env":[]}`,
		"gate_ten: gate: check shop/canary must pass at every look (every 10s) for 1m, else the run fails",
		`full: {"argv":["sh","-c","echo 100 >> ` + h.dir + `/traffic"],"dir":"","env":[]}`,
		"hold: if a step fails: wait 1h",
		`back: if a step fails: {"argv":["sh","-c","echo \"0 after: <steps.gate_ten.error>\" >> ` + h.dir + `/traffic"],"dir":"","env":[]}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("dry run:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if h.traffic() != "" {
		t.Fatal("a dry run executed a step")
	}
}
