package web

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/runbook"
)

// TestGuardLines: every guard a runbook sets is said in words, the
// circuit breaker with its state now; the list's summary is short.
func TestGuardLines(t *testing.T) {
	window, no := "business_hours", false
	b := config.Runbook{ID: "restart", Guard: &config.Guard{MaxRuns: 3, Per: duration.Duration(2 * time.Hour), MaxRunsPerAlert: 1,
		Concurrency: 1, Lock: "{{ .params.host }}", Window: &window, Approval: "required", Approvers: []string{"team/dba"},
		DistinctApprover: &no, Confirm: "{{ .params.host }}",
		Breaker: &config.Breaker{Failures: 3, Within: duration.Duration(time.Hour)}}}
	closed := runbook.BreakerState{Failures: 3, Within: time.Hour, Cooldown: time.Hour, Recent: 1}
	open := closed
	open.Open, open.Recent, open.Until = true, 3, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var got []string
	for _, l := range guardLines(b, closed) {
		got = append(got, l.Name+": "+l.Text)
	}
	want := []string{
		"max_runs: At most 3 runs per 2h, dry runs not counted.",
		"max_runs_per_alert: At most 1 run per alert per 2h.",
		"concurrency: At most 1 run at once per lock {{ .params.host }}.",
		`window: Automatic runs only within time interval "business_hours"; runs by hand at any time.`,
		"circuit_breaker: After 3 failed runs within 1h, automatic runs stop for 1h and the owner is paged. Now closed: 1 failed run within 1h, it opens at 3.",
		"approval: Every run waits for approval by team/dba, for up to 1h.",
		"distinct_approver: Off: the starter may approve their own run.",
		"confirm: Destructive: to run it, type the target's name ({{ .params.host }}). Never runs from an alert or a schedule.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("guard lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range guardLines(b, open) {
		if l.Name == "circuit_breaker" && !strings.Contains(l.Text, "Now OPEN: automatic runs are off until 2026-11-23 10:00 UTC; runs by hand still go.") {
			t.Errorf("open breaker: %s", l.Text)
		}
	}
	if s := guardSummary(b); s != "3 runs/2h · 1 per alert/2h · 1 at once · breaker · window business_hours · approval · confirm" {
		t.Errorf("summary: %s", s)
	}
	if s := guardSummary(config.Runbook{}); s != "none" || len(guardLines(config.Runbook{}, runbook.BreakerState{})) != 0 {
		t.Errorf("no guard: %q", s)
	}
}
