package web

import (
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/runbook"
)

// guardLine is one guard of a runbook in words, for its page.
type guardLine struct {
	Name, Text string
}

// guardLines says what a runbook's guard holds a run to, one line a guard,
// with the circuit breaker's state now.
func guardLines(b config.Runbook, br runbook.BreakerState) []guardLine {
	g := b.Guard
	if g == nil {
		g = &config.Guard{}
	}
	per := duration.Format(runbook.DefaultPer)
	if g.Per > 0 {
		per = g.Per.String()
	}
	var out []guardLine
	add := func(name, format string, args ...any) {
		out = append(out, guardLine{Name: name, Text: fmt.Sprintf(format, args...)})
	}
	if g.MaxRuns > 0 {
		add("max_runs", "At most %d run%s per %s, dry runs not counted.", g.MaxRuns, plural(g.MaxRuns), per)
	}
	if g.MaxRunsPerAlert > 0 {
		add("max_runs_per_alert", "At most %d run%s per alert per %s.", g.MaxRunsPerAlert, plural(g.MaxRunsPerAlert), per)
	}
	if g.Concurrency > 0 {
		lock := "the runbook"
		if g.Lock != "" {
			lock = "lock " + g.Lock
		}
		add("concurrency", "At most %d run%s at once per %s.", g.Concurrency, plural(g.Concurrency), lock)
	}
	if g.Window != nil {
		add("window", "Automatic runs only within time interval %q; runs by hand at any time.", *g.Window)
	}
	if br.Failures > 0 {
		state := fmt.Sprintf("closed: %d failed run%s within %s, it opens at %d.", br.Recent, plural(br.Recent), duration.Format(br.Within), br.Failures)
		if br.Open {
			state = "OPEN: automatic runs are off until " + br.Until.UTC().Format("2006-01-02 15:04 UTC") + "; runs by hand still go."
		}
		add("circuit_breaker", "After %d failed runs within %s, automatic runs stop for %s and the owner is paged. Now %s",
			br.Failures, duration.Format(br.Within), duration.Format(br.Cooldown), state)
	}
	ttl := duration.Format(runbook.DefaultApprovalTTL)
	if g.ApprovalTTL > 0 {
		ttl = g.ApprovalTTL.String()
	}
	who := "anyone with the operate scope"
	if len(g.Approvers) > 0 {
		who = strings.Join(g.Approvers, ", ")
	}
	switch {
	case g.Approval == "required":
		add("approval", "Every run waits for approval by %s, for up to %s.", who, ttl)
	case g.ApprovalIf != "":
		add("approval_if", "A run waits for approval by %s (up to %s) when %s.", who, ttl, g.ApprovalIf)
	}
	if g.Approval == "required" || g.ApprovalIf != "" || hasApproveStep(b) {
		if g.Distinct() {
			add("distinct_approver", "Whoever starts a run may not approve it.")
		} else {
			add("distinct_approver", "Off: the starter may approve their own run.")
		}
	}
	if g.Confirm != "" {
		add("confirm", "Destructive: to run it, type the target's name (%s). Never runs from an alert or a schedule.", g.Confirm)
	}
	return out
}

func hasApproveStep(b config.Runbook) bool {
	for _, s := range b.Steps {
		if s.Approve != nil {
			return true
		}
	}
	return false
}

// guardSummary is a runbook's guards in a few words, for the list.
func guardSummary(b config.Runbook) string {
	g := b.Guard
	if g == nil {
		return "none"
	}
	var parts []string
	per := ""
	if g.Per > 0 {
		per = "/" + g.Per.String()
	} else {
		per = "/" + duration.Format(runbook.DefaultPer)
	}
	if g.MaxRuns > 0 {
		parts = append(parts, fmt.Sprintf("%d runs%s", g.MaxRuns, per))
	}
	if g.MaxRunsPerAlert > 0 {
		parts = append(parts, fmt.Sprintf("%d per alert%s", g.MaxRunsPerAlert, per))
	}
	if g.Concurrency > 0 {
		parts = append(parts, fmt.Sprintf("%d at once", g.Concurrency))
	}
	if g.Breaker != nil {
		parts = append(parts, "breaker")
	}
	if g.Window != nil {
		parts = append(parts, "window "+*g.Window)
	}
	switch {
	case g.Approval == "required":
		parts = append(parts, "approval")
	case g.ApprovalIf != "":
		parts = append(parts, "approval if "+g.ApprovalIf)
	}
	if g.Confirm != "" {
		parts = append(parts, "confirm")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}
