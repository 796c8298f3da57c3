package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

func saveRun(t *testing.T, s *Store, r RunRow) {
	t.Helper()
	if err := s.SaveRun(context.Background(), r); err != nil {
		t.Fatalf("SaveRun: %v", err)
	}
}

func saveStep(t *testing.T, s *Store, st StepRow) {
	t.Helper()
	if err := s.SaveStep(context.Background(), st); err != nil {
		t.Fatalf("SaveStep: %v", err)
	}
}

func loadRun(t *testing.T, s *Store, id string) (RunRow, []StepRow) {
	t.Helper()
	r, steps, err := s.Run(context.Background(), id)
	if err != nil {
		t.Fatalf("Run(%s): %v", id, err)
	}
	return r, steps
}

func runIDs(rs []RunRow) []string {
	ids := []string{}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// testRunsRoundTrip: every field of a run and its steps comes back as
// written, unset times stay zero, and saving a run again replaces it.
func testRunsRoundTrip(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	r := RunRow{
		ID: "r_7f3kq9", Runbook: "restart-web", Status: RunFailed, Trigger: "runbook", TriggeredBy: "run/r_parent",
		AlertID: 42, ParentRunID: "r_parent", Depth: 2, Params: map[string]string{"host": "web-1", "note": "it's \"quoted\"\nü"},
		DryRun: true, LockKey: "restart-web/web-1", Reason: "step restart: exit 3", ApprovedBy: "person/thach",
		CreatedAt: t0, StartedAt: t0.Add(1500 * time.Millisecond), EndedAt: t0.Add(time.Minute + 7*time.Millisecond),
		ApprovalExpiresAt: t0.Add(15 * time.Minute),
	}
	steps := []StepRow{
		{RunID: r.ID, Seq: 0, StepID: "drain", Kind: "http", Status: "ok", Attempt: 1,
			Detail: `{"method":"POST","url":"https://lb/drain"}`, Idempotent: true, StartedAt: t0.Add(2 * time.Second), EndedAt: t0.Add(3 * time.Second)},
		{RunID: r.ID, Seq: 1, StepID: "restart", Kind: "ssh", Status: "failed", Attempt: 3, ExitCode: 3, HasExit: true,
			Stdout: "stopping\nstarting\n", Stderr: "unit failed", Detail: "systemctl restart web", Error: "exit status 3",
			StartedAt: t0.Add(4 * time.Second), EndedAt: t0.Add(time.Minute)},
	}
	saveRun(t, s, r)
	for _, st := range steps {
		saveStep(t, s, st)
	}
	got, gotSteps := loadRun(t, s, r.ID)
	if !reflect.DeepEqual(got, r) {
		t.Errorf("Run =\n%+v\nwant\n%+v", got, r)
	}
	if !reflect.DeepEqual(gotSteps, steps) {
		t.Errorf("steps =\n%+v\nwant\n%+v", gotSteps, steps)
	}

	bare := RunRow{ID: "r_bare", Runbook: "cleanup", Status: RunPending, Trigger: "manual", TriggeredBy: "token/cli", CreatedAt: t0}
	saveRun(t, s, bare)
	got, gotSteps = loadRun(t, s, bare.ID)
	if !got.StartedAt.IsZero() || !got.EndedAt.IsZero() || !got.ApprovalExpiresAt.IsZero() || len(got.Params) != 0 || got.DryRun || len(gotSteps) != 0 {
		t.Errorf("bare run = %+v, steps %+v; want zero times, no params, no steps", got, gotSteps)
	}

	// Saved again, whole: fields may also go back to zero.
	r.Status, r.Reason, r.ApprovedBy, r.DryRun, r.Params, r.EndedAt = RunSucceeded, "", "", false, map[string]string{"host": "web-2"}, time.Time{}
	saveRun(t, s, r)
	if got, _ := loadRun(t, s, r.ID); !reflect.DeepEqual(got, r) {
		t.Errorf("after update Run =\n%+v\nwant\n%+v", got, r)
	}
	if all, err := s.Runs(ctx, RunFilter{}); err != nil || len(all) != 2 {
		t.Errorf("Runs after update = %v, %v; want 2 runs", runIDs(all), err)
	}

	if _, _, err := s.Run(ctx, "r_missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Run(missing) err = %v, want ErrNotFound", err)
	}
	if err := s.SaveRun(ctx, RunRow{Runbook: "x"}); err == nil {
		t.Error("SaveRun without id: want error")
	}
}

// testStepsInPlace: a retried step stays one row, replaced whole; steps come
// back by Seq whatever order they were saved in; a step needs its run.
func testStepsInPlace(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	saveRun(t, s, RunRow{ID: "r1", Runbook: "restart", Status: RunRunning, CreatedAt: t0})
	step := StepRow{RunID: "r1", Seq: 1, StepID: "restart", Kind: "shell", Status: "running", Attempt: 1, StartedAt: t0}
	saveStep(t, s, step)
	step.Status, step.Attempt, step.ExitCode, step.HasExit, step.Stderr, step.Error = "failed", 2, 1, true, "boom", "exit status 1"
	saveStep(t, s, step)
	final := StepRow{RunID: "r1", Seq: 1, StepID: "restart", Kind: "shell", Status: "ok", Attempt: 3, HasExit: true,
		Stdout: "done", StartedAt: t0, EndedAt: t0.Add(time.Second)}
	saveStep(t, s, final)
	saveStep(t, s, StepRow{RunID: "r1", Seq: 2, StepID: "check", Kind: "check", Status: "pending"})
	saveStep(t, s, StepRow{RunID: "r1", Seq: 0, StepID: "drain", Kind: "http", Status: "ok"})

	_, steps := loadRun(t, s, "r1")
	var seqs []int
	for _, st := range steps {
		seqs = append(seqs, st.Seq)
	}
	if want := []int{0, 1, 2}; !slices.Equal(seqs, want) {
		t.Fatalf("step seqs = %v, want %v", seqs, want)
	}
	if !reflect.DeepEqual(steps[1], final) {
		t.Errorf("retried step =\n%+v\nwant\n%+v", steps[1], final)
	}
	var n int
	if err := s.r.QueryRow(s.d.rebind("SELECT COUNT(*) FROM run_steps WHERE run_id = ?"), "r1").Scan(&n); err != nil || n != 3 {
		t.Errorf("stored step rows = %d (err %v), want 3", n, err)
	}
	if err := s.SaveStep(ctx, StepRow{RunID: "r_unknown", Seq: 0, StepID: "x"}); err == nil {
		t.Error("step of an unsaved run: want error")
	}
}

// testStepText: output Postgres TEXT cannot hold (NUL, invalid UTF-8 such as
// a rune cut by a byte cap) is stored with U+FFFD in its place on every engine.
func testStepText(t *testing.T, e engine) {
	s := openStore(t, e.Fresh(t), Options{})
	saveRun(t, s, RunRow{ID: "r1", Runbook: "dump", Status: RunRunning, CreatedAt: t0, Reason: "bad \xff"})
	saveStep(t, s, StepRow{RunID: "r1", Seq: 0, StepID: "dump", Kind: "shell", Status: "ok",
		Stdout: "a\x00b", Stderr: "caf" + "é"[:1], Detail: "ok ü", Error: "\xff\xfe"})
	r, steps := loadRun(t, s, "r1")
	want := StepRow{RunID: "r1", Seq: 0, StepID: "dump", Kind: "shell", Status: "ok",
		Stdout: "a\uFFFDb", Stderr: "caf\uFFFD", Detail: "ok ü", Error: "\uFFFD"}
	if len(steps) != 1 || !reflect.DeepEqual(steps[0], want) {
		t.Errorf("steps = %+v, want %+v", steps, want)
	}
	if r.Reason != "bad \uFFFD" {
		t.Errorf("Reason = %q, want %q", r.Reason, "bad \uFFFD")
	}
}

// testSaveRunAndStep: run and step land together, or neither does.
func testSaveRunAndStep(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	r := RunRow{ID: "r1", Runbook: "restart", Status: RunAwaiting, CreatedAt: t0, ApprovalExpiresAt: t0.Add(time.Hour), Params: map[string]string{}}
	st := StepRow{RunID: "r1", Seq: 0, StepID: "approve", Kind: "approve", Status: "awaiting_approval", StartedAt: t0}
	if err := s.SaveRunAndStep(ctx, r, st); err != nil {
		t.Fatal(err)
	}
	got, steps := loadRun(t, s, "r1")
	if !reflect.DeepEqual(got, r) || len(steps) != 1 || !reflect.DeepEqual(steps[0], st) {
		t.Fatalf("after SaveRunAndStep: %+v %+v", got, steps)
	}

	// The step is refused (its run does not exist): the run's change rolls back.
	changed := r
	changed.Status, changed.ApprovedBy = RunRunning, "person/thach"
	if err := s.SaveRunAndStep(ctx, changed, StepRow{RunID: "r_other", Seq: 0, StepID: "x"}); err == nil {
		t.Fatal("step of an unsaved run: want error")
	}
	if got, _ := loadRun(t, s, "r1"); got.Status != RunAwaiting || got.ApprovedBy != "" {
		t.Errorf("run after failed save = %+v; want it unchanged", got)
	}
	if err := s.SaveRunAndStep(ctx, RunRow{ID: "r2", Status: RunRunning}, StepRow{Seq: 0}); err == nil {
		t.Fatal("step without run id: want error")
	}
	if _, _, err := s.Run(ctx, "r2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Run(r2) after failed save err = %v, want ErrNotFound", err)
	}
}

// seedRuns saves five runs a minute apart, r1 oldest.
func seedRuns(t *testing.T, s *Store) {
	t.Helper()
	for i, r := range []RunRow{
		{ID: "r1", Runbook: "restart", AlertID: 42, Status: RunSucceeded, LockKey: "restart/web1", Trigger: "alert"},
		{ID: "r2", Runbook: "restart", Status: RunFailed, LockKey: "restart/web1", Trigger: "manual"},
		{ID: "r3", Runbook: "cleanup", AlertID: 42, Status: RunRunning, Trigger: "alert"},
		{ID: "r4", Runbook: "restart", AlertID: 7, Status: RunRunning, LockKey: "restart/web2", Trigger: "alert"},
		{ID: "r5", Runbook: "cleanup", Status: RunRefused, DryRun: true, Trigger: "manual"},
	} {
		r.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
		saveRun(t, s, r)
	}
}

func testRunsFilter(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	seedRuns(t, s)
	for _, c := range []struct {
		name string
		f    RunFilter
		want []string
	}{
		{"all", RunFilter{}, []string{"r5", "r4", "r3", "r2", "r1"}},
		{"runbook", RunFilter{Runbook: "restart"}, []string{"r4", "r2", "r1"}},
		{"alert", RunFilter{AlertID: 42}, []string{"r3", "r1"}},
		{"status", RunFilter{Statuses: []string{RunRunning}}, []string{"r4", "r3"}},
		{"statuses", RunFilter{Statuses: []string{RunFailed, RunRefused}}, []string{"r5", "r2"}},
		{"runbook and status", RunFilter{Runbook: "restart", Statuses: []string{RunRunning}}, []string{"r4"}},
		{"runbook and alert", RunFilter{Runbook: "cleanup", AlertID: 42}, []string{"r3"}},
		{"limit", RunFilter{Limit: 2}, []string{"r5", "r4"}},
		{"limit with filter", RunFilter{Runbook: "restart", Limit: 1}, []string{"r4"}},
		{"trigger", RunFilter{Trigger: "manual"}, []string{"r5", "r2"}},
		{"trigger and runbook", RunFilter{Trigger: "alert", Runbook: "restart"}, []string{"r4", "r1"}},
		{"real runs", RunFilter{Runbook: "cleanup", RealOnly: true}, []string{"r3"}},
		{"none", RunFilter{Runbook: "unknown"}, []string{}},
	} {
		got, err := s.Runs(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ids := runIDs(got); !slices.Equal(ids, c.want) {
			t.Errorf("%s: Runs = %v, want %v", c.name, ids, c.want)
		}
	}
}

func testCountRuns(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	seedRuns(t, s)
	for _, c := range []struct {
		name string
		c    RunCount
		want int
	}{
		{"all", RunCount{}, 5},
		{"runbook", RunCount{Runbook: "restart"}, 3},
		{"alert", RunCount{AlertID: 42}, 2},
		{"lock key", RunCount{LockKey: "restart/web1"}, 2},
		{"since is inclusive", RunCount{Since: t0.Add(time.Minute)}, 4},
		{"since later", RunCount{Since: t0.Add(4*time.Minute + time.Millisecond)}, 0},
		{"statuses", RunCount{Statuses: []string{RunRunning, RunAwaiting}}, 2},
		{"runbook and since", RunCount{Runbook: "restart", Since: t0.Add(2 * time.Minute)}, 1},
		{"every field", RunCount{Runbook: "restart", AlertID: 42, LockKey: "restart/web1", Since: t0, Statuses: []string{RunSucceeded}}, 1},
		{"real runs only", RunCount{RealOnly: true}, 4},
		{"trigger", RunCount{Trigger: "alert", AlertID: 42}, 2},
		{"every field, other status", RunCount{Runbook: "restart", AlertID: 42, LockKey: "restart/web1", Since: t0, Statuses: []string{RunFailed}}, 0},
	} {
		if n, err := s.CountRuns(ctx, c.c); err != nil || n != c.want {
			t.Errorf("%s: CountRuns = %d, %v; want %d", c.name, n, err, c.want)
		}
	}
}

func testUnfinishedRuns(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	for i, st := range []string{RunSucceeded, RunPending, RunFailed, RunRunning, RunRefused, RunAwaiting, RunInterrupted, RunCanceled} {
		saveRun(t, s, RunRow{ID: st, Runbook: "restart", Status: st, CreatedAt: t0.Add(-time.Duration(i) * time.Minute)})
	}
	got, err := s.UnfinishedRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids, want := runIDs(got), []string{RunAwaiting, RunRunning, RunPending}; !slices.Equal(ids, want) {
		t.Errorf("UnfinishedRuns = %v, want %v (oldest first)", ids, want)
	}
	saveRun(t, s, RunRow{ID: RunRunning, Runbook: "restart", Status: RunInterrupted, CreatedAt: t0.Add(-3 * time.Minute)})
	if got, err := s.UnfinishedRuns(ctx); err != nil || !slices.Equal(runIDs(got), []string{RunAwaiting, RunPending}) {
		t.Errorf("after interrupting: UnfinishedRuns = %v, %v", runIDs(got), err)
	}
}

// testAudit: ids grow in append order; Audit reads by time from since,
// RunAudit one run's entries, both oldest first.
func testAudit(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	entries := []AuditRow{
		{ID: 999, At: t0.Add(2 * time.Minute), Actor: "token/cli", Action: "run.triggered", Runbook: "restart", RunID: "r1", Detail: `{"host":"web-1"}`},
		{At: t0.Add(time.Minute), Actor: "system", Action: "config.reloaded", Detail: "3 runbooks"},
		{At: t0.Add(3 * time.Minute), Actor: "system", Action: "run.finished", Runbook: "restart", RunID: "r1", Detail: "succeeded"},
		{At: t0.Add(3 * time.Minute), Actor: "alert/42", Action: "run.refused", Runbook: "restart", RunID: "r2", Detail: "rate limit"},
	}
	var last int64
	for i := range entries {
		id, err := s.AppendAudit(ctx, entries[i])
		if err != nil {
			t.Fatal(err)
		}
		if id <= last {
			t.Fatalf("AppendAudit %d returned id %d after %d; want increasing", i, id, last)
		}
		entries[i].ID, last = id, id
	}
	e1, e2, e3, e4 := entries[0], entries[1], entries[2], entries[3]

	for _, c := range []struct {
		name  string
		since time.Time
		limit int
		want  []AuditRow
	}{
		{"all", time.Time{}, 0, []AuditRow{e2, e1, e3, e4}},
		{"since is inclusive", t0.Add(2 * time.Minute), 0, []AuditRow{e1, e3, e4}},
		{"limit", time.Time{}, 2, []AuditRow{e2, e1}},
		{"nothing yet", t0.Add(time.Hour), 0, nil},
	} {
		got, err := s.Audit(ctx, c.since, c.limit)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Audit =\n%+v (err %v)\nwant\n%+v", c.name, got, err, c.want)
		}
	}
	if got, err := s.RunAudit(ctx, "r1"); err != nil || !reflect.DeepEqual(got, []AuditRow{e1, e3}) {
		t.Errorf("RunAudit(r1) =\n%+v (err %v)\nwant\n%+v", got, err, []AuditRow{e1, e3})
	}
	if got, err := s.RunAudit(ctx, "r_none"); err != nil || len(got) != 0 {
		t.Errorf("RunAudit(unknown) = %+v, %v; want empty", got, err)
	}

	// AuditPage: newest first in append order, filtered, a page at a time.
	for _, c := range []struct {
		name string
		f    AuditFilter
		want []AuditRow
	}{
		{"all", AuditFilter{}, []AuditRow{e4, e3, e2, e1}},
		{"runbook", AuditFilter{Runbook: "restart"}, []AuditRow{e4, e3, e1}},
		{"run", AuditFilter{RunID: "r1"}, []AuditRow{e3, e1}},
		{"since", AuditFilter{Since: t0.Add(3 * time.Minute)}, []AuditRow{e4, e3}},
		{"first page", AuditFilter{Limit: 3}, []AuditRow{e4, e3, e2}},
		{"next page", AuditFilter{Limit: 3, Before: e2.ID}, []AuditRow{e1}},
		{"next page of a runbook", AuditFilter{Runbook: "restart", Before: e3.ID}, []AuditRow{e1}},
		{"nothing", AuditFilter{RunID: "r_none"}, nil},
	} {
		got, err := s.AuditPage(ctx, c.f)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: AuditPage =\n%+v (err %v)\nwant\n%+v", c.name, got, err, c.want)
		}
	}
}

func TestPageLimit(t *testing.T) {
	for _, c := range []struct{ in, want int }{{-1, 100}, {0, 100}, {1, 1}, {250, 250}, {1000, 1000}, {1001, 1000}} {
		if got := pageLimit(c.in); got != c.want {
			t.Errorf("pageLimit(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}
