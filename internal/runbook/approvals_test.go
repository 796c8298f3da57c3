package runbook

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// TestWhoMayAnswerAnApproval: Waiting, CanApprove and CanDeny say what
// Approve and Deny would do, without doing it: the starter may not approve
// but may withdraw their run; someone outside the approvers may do
// neither; an approver may do both. A denial cancels the run, names who
// denied it and is audited; the step never runs.
func TestWhoMayAnswerAnApproval(t *testing.T) {
	h := newHarness(t, `
people: [{id: thach}, {id: glen}, {id: karen}]
teams: [{id: dba, members: [thach, glen]}]
tokens:
  - {id: glen, secret: cli-secret-3, scopes: [operate], person: glen}
runbooks:
  - id: migrate
    guard: {approval: required, approvers: [team/dba]}
    steps: [{id: s, run: [touch, $DIR/migrated]}]
`)
	ctx := context.Background()
	row, err := h.e.Start(ctx, Request{Runbook: "migrate", TriggeredBy: "person/thach"})
	if err != nil {
		t.Fatal(err)
	}
	w, ok := h.e.Waiting(t.Context(), row.ID)
	if !ok || !slices.Equal(w.Approvers, []string{"team/dba"}) || w.Starter != "person/thach" || !w.Distinct || w.Expires.IsZero() {
		t.Fatalf("Waiting = %+v, %v", w, ok)
	}
	if err := h.e.CanApprove(ctx, row.ID, "", "thach"); errs.CodeOf(err) != errs.Forbidden || !strings.Contains(err.Error(), "started run") {
		t.Errorf("the starter may approve: %v", err)
	}
	if err := h.e.CanDeny(ctx, row.ID, "", "thach"); err != nil {
		t.Errorf("the starter may not withdraw: %v", err)
	}
	for _, check := range []func(context.Context, string, string, string) error{h.e.CanApprove, h.e.CanDeny} {
		if err := check(ctx, row.ID, "", "karen"); errs.CodeOf(err) != errs.Forbidden || !strings.Contains(err.Error(), "not among the approvers (team/dba)") {
			t.Errorf("karen, outside team/dba: %v", err)
		}
		if err := check(ctx, row.ID, "", "glen"); err != nil {
			t.Errorf("glen, in team/dba: %v", err)
		}
	}
	if _, err := h.e.DenyAs(ctx, row.ID, "karen", "person/karen", ""); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("karen denied: %v", err)
	}
	if _, err := h.e.Deny(ctx, row.ID, "glen", "not during the sale"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.e.ApproveAs(ctx, row.ID, "glen", "person/glen", ""); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("approved after the denial: %v", err)
	}
	got, steps := h.wait(row.ID)
	if got.Status != store.RunCanceled || got.Reason != "denied by person/glen (token/glen): not during the sale" || len(steps) != 0 || got.ApprovedBy != "" {
		t.Fatalf("denied run: %+v, steps %+v", got, steps)
	}
	if _, ok := h.e.Waiting(t.Context(), row.ID); ok {
		t.Error("a finished run still waits")
	}
	if err := h.e.CanApprove(ctx, row.ID, "", "glen"); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("CanApprove on a finished run: %v", err)
	}
	audit, _ := h.st.RunAudit(ctx, row.ID)
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Actor+" "+a.Action)
	}
	if !slices.Contains(actions, "person/glen (token/glen) run.denied") {
		t.Errorf("audit: %v", actions)
	}
}

// TestDenyAnApproveStep: a denial at an approve step cancels the run there.
func TestDenyAnApproveStep(t *testing.T) {
	h := newHarness(t, `
people: [{id: thach}, {id: glen}]
runbooks:
  - id: deploy
    steps:
      - {id: ask, approve: {approvers: [person/glen]}}
      - {id: go, run: [touch, $DIR/deployed]}
`)
	ctx := context.Background()
	row, err := h.e.Start(ctx, Request{Runbook: "deploy", TriggeredBy: "person/thach"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := h.e.Waiting(t.Context(), row.ID); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the approve step never waited")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if _, err := h.e.DenyAs(ctx, row.ID, "glen", "person/glen", ""); err != nil {
		t.Fatal(err)
	}
	got, steps := h.wait(row.ID)
	if got.Status != store.RunCanceled || got.Reason != "denied by person/glen" || len(steps) != 1 || steps[0].Status != "canceled" {
		t.Fatalf("run %+v steps %+v", got, steps)
	}
}

// TestConfirmTarget: what to type is the guard's confirm rendered over the
// params, "" without one, and bad params are refused as Start refuses them.
func TestConfirmTarget(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: drop
    params: [{name: project, pattern: "[a-z-]+"}]
    guard: {confirm: "{{ .params.project }}"}
    steps: [{id: s, run: ["true"]}]
  - id: safe
    steps: [{id: s, run: ["true"]}]
`)
	if got, err := h.e.ConfirmTarget(Request{Runbook: "drop", Params: map[string]string{"project": "shop-staging"}}); err != nil || got != "shop-staging" {
		t.Errorf("drop: %q %v", got, err)
	}
	if got, err := h.e.ConfirmTarget(Request{Runbook: "safe"}); err != nil || got != "" {
		t.Errorf("safe: %q %v", got, err)
	}
	if _, err := h.e.ConfirmTarget(Request{Runbook: "drop", Params: map[string]string{"project": "Shop"}}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("bad param: %v", err)
	}
	if _, err := h.e.ConfirmTarget(Request{Runbook: "nope"}); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("unknown runbook: %v", err)
	}
}
