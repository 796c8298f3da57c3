package runbook

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// TestStarterStaysTheStarterAfterARestart: a run waiting for approval
// keeps its starter across a restart, and so does the child run of a
// runbook step: neither the starter's token nor another token of the same
// person approves it, and another person does.
func TestStarterStaysTheStarterAfterARestart(t *testing.T) {
	y := `
people: [{id: thach}, {id: glen}]
tokens:
  - {id: cli, secret: cli-secret-1, scopes: [operate], person: thach}
  - {id: laptop, secret: cli-secret-2, scopes: [operate], person: thach}
  - {id: glen, secret: cli-secret-3, scopes: [operate], person: glen}
runbooks:
  - id: parent
    steps: [{id: call, runbook: {id: child}}]
  - id: child
    guard: {approval: required}
    steps: [{id: s, run: ["true"]}]
`
	h := newHarness(t, y)
	ctx := context.Background()
	if _, err := h.e.Start(ctx, Request{Runbook: "parent", TriggeredBy: "token/cli"}); err != nil {
		t.Fatal(err)
	}
	var child store.RunRow
	deadline := time.Now().Add(10 * time.Second)
	for child.ID == "" {
		runs, _ := h.st.Runs(ctx, store.RunFilter{Runbook: "child"})
		if len(runs) == 1 && runs[0].Status == store.RunAwaiting {
			child = runs[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("the child run never waited for approval")
		}
		time.Sleep(2 * time.Millisecond)
	}
	h.stop()
	cfg, err := config.Parse("vigil.yaml", []byte(y), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	h.start(cfg)
	for _, tok := range []string{"cli", "laptop"} {
		// The resumed run takes approvals as soon as the engine is ready.
		_, err := h.e.Approve(ctx, child.ID, tok, "")
		if errs.CodeOf(err) != errs.Forbidden || !strings.Contains(err.Error(), "person/thach started run "+child.ID) {
			t.Fatalf("token %s approved the run its person started: %v", tok, err)
		}
	}
	if _, err := h.e.Approve(ctx, child.ID, "glen", "checked"); err != nil {
		t.Fatal(err)
	}
	if row, _ := h.wait(child.ID); row.Status != store.RunSucceeded || row.ApprovedBy != "person/glen (token/glen)" {
		t.Fatalf("child run: %s by %q", row.Status, row.ApprovedBy)
	}
}

// TestSignedInStarterCannotApproveWithAToken: a run started in the browser
// app (person/ID) is the person's; their token does not approve it.
func TestSignedInStarterCannotApproveWithAToken(t *testing.T) {
	h := newHarness(t, `
people: [{id: thach}, {id: glen}]
tokens:
  - {id: cli, secret: cli-secret-1, scopes: [operate], person: thach}
  - {id: glen, secret: cli-secret-3, scopes: [operate], person: glen}
runbooks:
  - id: migrate
    guard: {approval: required}
    steps: [{id: s, run: ["true"]}]
`)
	ctx := context.Background()
	row, err := h.e.Start(ctx, Request{Runbook: "migrate", TriggeredBy: "person/thach"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.e.Approve(ctx, row.ID, "cli", ""); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("thach's token approved thach's run: %v", err)
	}
	if _, err := h.e.Approve(ctx, row.ID, "glen", ""); err != nil {
		t.Fatal(err)
	}
	if row, _ = h.wait(row.ID); row.Status != store.RunSucceeded {
		t.Fatalf("run: %s %s", row.Status, row.Reason)
	}
}
