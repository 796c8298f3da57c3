package web

import (
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
)

// A runbook's definition as GET /api/v1/runbooks shows it, in snake_case
// like the config it comes from.

type runbookAPIView struct {
	ID               string      `json:"id"`
	Title            string      `json:"title,omitempty"`
	Doc              string      `json:"doc,omitempty"`
	Owner            string      `json:"owner,omitempty"`
	Params           []paramView `json:"params"`
	Triggers         []string    `json:"triggers"`
	Guard            *guardView  `json:"guard,omitempty"`
	ResolveOnSuccess bool        `json:"resolve_on_success"`
	Steps            []stepView  `json:"steps"`
	// Rollback are the steps run when a step fails and ends the run.
	Rollback []stepView `json:"rollback,omitempty"`
}

// paramView is a declared param as the API shows it, in the config's words.
type paramView struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Default     *string  `json:"default,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Pattern     string   `json:"pattern,omitempty"`
	AllowEmpty  bool     `json:"allow_empty,omitempty"`
	AllowDash   bool     `json:"allow_dash,omitempty"`
	Description string   `json:"description,omitempty"`
}

// guardView is a runbook's guard as the API shows it, defaults filled in
// where they decide what happens (distinct_approver).
type guardView struct {
	MaxRuns          int      `json:"max_runs,omitempty"`
	MaxRunsPerAlert  int      `json:"max_runs_per_alert,omitempty"`
	Per              string   `json:"per,omitempty"`
	Concurrency      int      `json:"concurrency,omitempty"`
	Lock             string   `json:"lock,omitempty"`
	CircuitBreaker   *breaker `json:"circuit_breaker,omitempty"`
	Window           *string  `json:"window,omitempty"`
	Approval         string   `json:"approval,omitempty"`
	ApprovalIf       string   `json:"approval_if,omitempty"`
	Approvers        []string `json:"approvers,omitempty"`
	ApprovalTTL      string   `json:"approval_ttl,omitempty"`
	DistinctApprover bool     `json:"distinct_approver"`
	Confirm          string   `json:"confirm,omitempty"`
}

type breaker struct {
	Failures int    `json:"failures"`
	Within   string `json:"within"`
	Cooldown string `json:"cooldown,omitempty"`
}

func newParamViews(ps []config.Param) []paramView {
	out := make([]paramView, 0, len(ps))
	for _, p := range ps {
		typ := p.Type
		if typ == "" {
			typ = "string"
		}
		out = append(out, paramView{Name: p.Name, Type: typ, Default: p.Default, Enum: p.Enum, Pattern: p.Pattern,
			AllowEmpty: p.AllowEmpty, AllowDash: p.AllowDash, Description: p.Description})
	}
	return out
}

func newGuardView(g *config.Guard) *guardView {
	if g == nil {
		return nil
	}
	v := &guardView{MaxRuns: g.MaxRuns, MaxRunsPerAlert: g.MaxRunsPerAlert, Per: durationText(g.Per), Concurrency: g.Concurrency,
		Lock: g.Lock, Window: g.Window, Approval: g.Approval, ApprovalIf: g.ApprovalIf, Approvers: g.Approvers,
		ApprovalTTL: durationText(g.ApprovalTTL), DistinctApprover: g.Distinct(), Confirm: g.Confirm}
	if b := g.Breaker; b != nil {
		v.CircuitBreaker = &breaker{Failures: b.Failures, Within: b.Within.String(), Cooldown: durationText(b.Cooldown)}
	}
	return v
}

func durationText(d duration.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

type stepView struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	If         string `json:"if,omitempty"`
	OnFailure  string `json:"on_failure"`
	Idempotent bool   `json:"idempotent,omitempty"`
}

func newRunbookAPIView(b config.Runbook) runbookAPIView {
	v := runbookAPIView{ID: b.ID, Title: b.Title, Doc: b.Doc, Owner: b.Owner, Params: newParamViews(b.Params),
		Guard: newGuardView(b.Guard), ResolveOnSuccess: b.ResolveOnSuccess}
	for _, t := range b.On {
		switch {
		case t.Alert != nil && t.Alert.Check != "":
			v.Triggers = append(v.Triggers, "alert: check "+t.Alert.Check+forText(t))
		case t.Alert != nil:
			v.Triggers = append(v.Triggers, "alert: "+strings.Join(append(mapMatchers(t.Alert.Match), t.Alert.Matchers...), ", ")+forText(t))
		case t.Schedule != nil:
			v.Triggers = append(v.Triggers, "schedule: "+t.Schedule.Cron+prefixed(" ", t.Schedule.Timezone))
		case t.Manual:
			v.Triggers = append(v.Triggers, "manual")
		case t.Webhook != nil:
			v.Triggers = append(v.Triggers, "webhook")
		}
	}
	if v.Triggers == nil {
		v.Triggers = []string{}
	}
	v.Steps = stepViews(b.Steps)
	if len(b.Rollback) > 0 {
		v.Rollback = stepViews(b.Rollback)
	}
	return v
}

func stepViews(steps []config.RunbookStep) []stepView {
	out := []stepView{}
	for _, s := range steps {
		onf := s.OnFailure
		if onf == "" {
			onf = "abort"
		}
		out = append(out, stepView{ID: s.ID, Kind: s.Kind(), If: s.If, OnFailure: onf, Idempotent: s.Idempotent})
	}
	return out
}

func forText(t config.Trigger) string {
	if t.For > 0 {
		return " for " + t.For.String()
	}
	return ""
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func mapMatchers(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%q", k, v))
	}
	return out
}
