package runbook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// replica is an engine sharing a Postgres store with others, as a replica
// of vigil serve does, runs claimed under its own runner id.
func replica(t *testing.T, st *store.Store, cfg *config.Config, id string) *Engine {
	t.Helper()
	e := New(Deps{Store: st, Clock: clock.NewFake(t0), Pager: &fakePager{},
		Runner: func() string { return id }, RunLease: 2 * time.Second, Renew: 100 * time.Millisecond})
	if err := e.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.RunRuns(ctx); close(done) }()
	<-e.ready
	t.Cleanup(func() { cancel(); <-done })
	return e
}

// TestReplicasShareRuns: two engines on one Postgres database. A run of a
// runbook with concurrency 1 on one holds the lock against the other; a
// run waiting for approval on one is approved through the other, and goes
// on where it runs; the other follows it live through the store.
func TestReplicasShareRuns(t *testing.T) {
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set")
	}
	dir := t.TempDir()
	yaml := strings.ReplaceAll(`
tokens:
  - {id: starter, secret: starter-secret-0123456789, scopes: [operate]}
  - {id: approver, secret: approver-secret-0123456789, scopes: [operate]}
runbooks:
  - id: once
    guard: {concurrency: 1}
    steps: [{id: hold, shell: "while [ ! -e $DIR/go ]; do sleep 0.05; done"}]
  - id: gated
    guard: {approval: required}
    steps: [{id: hi, run: ["true"]}]
`, "$DIR", dir)
	cfg, err := config.Parse("vigil.yaml", []byte(yaml), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.PostgresSchema(t, base), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, b := replica(t, st, cfg, "replica-a"), replica(t, st, cfg, "replica-b")

	held, err := a.Start(ctx, Request{Runbook: "once", TriggeredBy: "token/starter"})
	if err != nil || held.Runner != "replica-a" {
		t.Fatalf("start on a: %+v, %v", held, err)
	}
	_, err = b.Start(ctx, Request{Runbook: "once", TriggeredBy: "token/starter"})
	var refusal *Refusal
	if !errors.As(err, &refusal) || refusal.Guard != "concurrency" {
		t.Fatalf("second run through another replica = %v, want refused by concurrency", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	gated, err := a.Start(ctx, Request{Runbook: "gated", TriggeredBy: "token/starter"})
	if err != nil || gated.Status != store.RunAwaiting {
		t.Fatalf("gated run: %+v, %v", gated, err)
	}
	events, stop := b.Subscribe(gated.ID)
	defer stop()
	w, ok := b.Waiting(ctx, gated.ID)
	if !ok || w.Starter != "token/starter" || !w.Distinct {
		t.Fatalf("the other replica sees the wait as %+v, %v", w, ok)
	}
	if _, err := b.Approve(ctx, gated.ID, "starter", ""); err == nil {
		t.Fatal("the starter approved their own run through the other replica")
	}
	if _, err := b.Approve(ctx, gated.ID, "approver", "go"); err != nil {
		t.Fatal(err)
	}
	// Through the runner: already approved, or running on by now.
	if _, err := a.Approve(ctx, gated.ID, "approver", "again"); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("a second approval through the runner = %v, want a conflict", err)
	}
	var end *store.RunRow
	timeout := time.After(time.Minute)
	for end == nil {
		select {
		case ev, open := <-events:
			if !open {
				t.Fatal("the follower's stream closed before the end")
			}
			if ev.Type == "end" {
				end = ev.Run
			}
		case <-timeout:
			t.Fatal("no end event through the other replica")
		}
	}
	if end.Status != store.RunSucceeded || end.ApprovedBy != "token/approver" || end.Runner != "replica-a" {
		t.Fatalf("the approved run ended %+v", *end)
	}
}
