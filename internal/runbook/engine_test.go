package runbook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/store"
)

// t0 is a Friday, 22:00 in Ho Chi Minh City: release night, outside business hours.
var t0 = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

type fakePager struct {
	mu        sync.Mutex
	announced []pager.Announcement
	notes     []string
	resolved  []int64
}

func (p *fakePager) Announce(_ context.Context, a pager.Announcement) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.announced = append(p.announced, a)
	return nil
}

func (p *fakePager) Note(_ context.Context, id int64, kind, actor, detail string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notes = append(p.notes, detail)
	return nil
}

func (p *fakePager) Resolve(_ context.Context, id int64, by string) (pager.Outcome, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resolved = append(p.resolved, id)
	return pager.Outcome{AlertID: id}, nil
}

type harness struct {
	t      *testing.T
	e      *Engine
	st     *store.Store
	clock  *clock.Fake
	pager  *fakePager
	dir    string
	probes map[string]check.Status
	cancel context.CancelFunc
	done   chan struct{}
}

func newHarness(t *testing.T, yaml string) *harness {
	t.Helper()
	dir := t.TempDir()
	yaml = strings.ReplaceAll(yaml, "$DIR", dir)
	cfg, err := config.Parse("vigil.yaml", []byte(yaml), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(dir, "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, st: st, clock: clock.NewFake(t0), pager: &fakePager{}, dir: dir, probes: map[string]check.Status{}}
	h.start(cfg)
	t.Cleanup(func() { h.stop(); st.Close() })
	return h
}

func (h *harness) start(cfg *config.Config) {
	var mu sync.Mutex
	h.e = New(Deps{Store: h.st, Clock: h.clock, Pager: h.pager,
		Probe: func(_ context.Context, key string) (check.Result, error) {
			mu.Lock()
			defer mu.Unlock()
			st, ok := h.probes[key]
			if !ok {
				return check.Result{}, errors.New("no check " + key)
			}
			return check.Result{Status: st, Reason: "probe says " + string(st)}, nil
		}})
	if err := h.e.Apply(cfg); err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan struct{})
	go func() { _ = h.e.Run(ctx); close(h.done) }()
	<-h.e.ready
}

func (h *harness) stop() {
	if h.cancel != nil {
		h.cancel()
		<-h.done
		h.cancel = nil
	}
}

func (h *harness) start1(runbook string, params map[string]string) (store.RunRow, error) {
	return h.e.Start(context.Background(), Request{Runbook: runbook, Params: params, TriggeredBy: "token/test"})
}

// wait waits for a run to end and returns it with its steps.
// advanceUntilEnd moves the fake clock by step, again and again, until the
// run ends: a step re-arms its timer only after real work (a process, a
// store write), which a loaded machine may take long to do, so a fixed
// number of advances could stop before the last timer is set.
func (h *harness) advanceUntilEnd(id string, step time.Duration) (store.RunRow, []store.StepRow) {
	h.t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); h.e.waitRun(context.Background(), id) }()
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-done:
			return h.wait(id)
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("run %s did not end within a minute of advancing the clock", id)
		}
		h.clock.Advance(step)
	}
}

func (h *harness) wait(id string) (store.RunRow, []store.StepRow) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if !h.e.waitRun(ctx, id) {
		h.t.Fatal("run did not end")
	}
	row, steps, err := h.e.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return row, steps
}

// TestTemplatesStayOneArgument: a label or param value full of shell
// syntax reaches the command as one literal argument.
func TestTemplatesStayOneArgument(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: echo
    params: [{name: host}]
    steps:
      - {id: args, run: [printf, "%s\n", "{{ .params.host }}", "{{ index .alert.labels \"x\" | default \"none\" }}"]}
      - {id: reuse, run: [printf, "[%s]", "{{ .steps.args.stdout | firstline }}"]}
`)
	evil := "x; rm -rf / $(id) `id` 'q' \"dq\" \n next"
	row, err := h.start1("echo", map[string]string{"host": evil})
	if err != nil {
		t.Fatal(err)
	}
	row, steps := h.wait(row.ID)
	if row.Status != store.RunSucceeded {
		t.Fatalf("run %s: %s", row.Status, row.Reason)
	}
	if want := evil + "\nnone\n"; steps[0].Stdout != want {
		t.Fatalf("argv was split or interpreted:\n got %q\nwant %q", steps[0].Stdout, want)
	}
	if steps[1].Stdout != "[x; rm -rf / $(id) `id` 'q' \"dq\" ]" {
		t.Fatalf("step output as input: %q", steps[1].Stdout)
	}
}

func TestParamsAreDeclaredAndTyped(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: restart
    params:
      - {name: host, pattern: "[a-z0-9.-]+"}
      - {name: count, type: int, default: "1"}
      - {name: hosts, type: list}
    steps: [{id: s, run: ["true"]}]
`)
	for _, c := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"host": "app1", "hosts": "a", "cmd": "rm -rf /"}, "params.cmd: not declared by runbook restart"},
		{map[string]string{"host": "app1; reboot", "hosts": "a"}, `params.host: "app1; reboot" does not match`},
		{map[string]string{"host": "app1", "count": "two", "hosts": "a"}, `params.count: "two" is not an integer`},
		{map[string]string{"host": "app1", "hosts": " , "}, "params.hosts: is an empty list"},
		{map[string]string{"hosts": "a"}, "params.host: is required"},
	} {
		_, err := h.start1("restart", c.params)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.params, err, c.want)
		}
	}
	runs, _ := h.st.Runs(context.Background(), store.RunFilter{})
	if len(runs) != 0 {
		t.Fatalf("bad params still stored %d runs", len(runs))
	}
}

func TestIfOnFailureAndRetry(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: failover
    steps:
      - {id: shutdown, run: ["false"], on_failure: continue}
      - {id: failover, if: steps.shutdown.ok, run: [echo, normal]}
      - {id: force, if: "!steps.shutdown.ok && steps.shutdown.exit_code == 1", run: [echo, forced]}
      - {id: flaky, run: [sh, -c, 'n=$(cat $DIR/n 2>/dev/null || echo 0); echo $((n+1)) > $DIR/n; [ $n -ge 2 ]'], retry: {count: 3, delay: 1s}}
`)
	row, _ := h.start1("failover", nil)
	row, steps := h.advanceUntilEnd(row.ID, time.Second)
	if row.Status != store.RunSucceeded {
		t.Fatalf("run %s: %s", row.Status, row.Reason)
	}
	got := []string{}
	for _, s := range steps {
		got = append(got, s.StepID+"="+s.Status)
	}
	if strings.Join(got, " ") != "shutdown=failed failover=skipped force=ok flaky=ok" || steps[3].Attempt != 3 {
		t.Fatalf("steps: %v (flaky attempt %d)", got, steps[3].Attempt)
	}
	if !strings.Contains(steps[1].Detail, "did not hold") {
		t.Fatalf("skip does not say why: %q", steps[1].Detail)
	}
}

func TestGuards(t *testing.T) {
	h := newHarness(t, `
time_intervals:
  - {id: business_hours, weekdays: ["monday:friday"], times: ["09:00-17:00"], timezone: Asia/Ho_Chi_Minh}
runbooks:
  - id: restart
    params: [{name: host}]
    guard: {max_runs: 2, per: 1h, concurrency: 1, lock: "{{ .params.host }}", window: business_hours}
    steps: [{id: wait, wait: {duration: 10m}}]
  - id: delete-project
    params: [{name: project}]
    guard: {confirm: "{{ .params.project }}"}
    steps: [{id: delete, run: ["true"]}]
`)
	first, err := h.start1("restart", map[string]string{"host": "app1"})
	if err != nil {
		t.Fatal(err)
	}
	var ref *Refusal
	_, err = h.start1("restart", map[string]string{"host": "app1"})
	if !errors.As(err, &ref) || ref.Guard != "concurrency" {
		t.Fatalf("second run on the same host: %v", err)
	}
	if _, err := h.start1("restart", map[string]string{"host": "app2"}); err != nil {
		t.Fatalf("another host has its own lock: %v", err)
	}
	_, err = h.start1("restart", map[string]string{"host": "app3"})
	if !errors.As(err, &ref) || ref.Guard != "max_runs" || !strings.Contains(ref.Reason, "2 of at most 2 runs in the last 1h") {
		t.Fatalf("third run in the hour: %v", err)
	}
	// Automatic runs keep to the window; 22:00 local is outside it.
	_, err = h.e.Start(context.Background(), Request{Runbook: "restart", Params: map[string]string{"host": "app9"}, Trigger: TriggerSchedule})
	if !errors.As(err, &ref) || ref.Guard != "window" {
		t.Fatalf("automatic run outside the window: %v", err)
	}
	refused, _ := h.st.Runs(context.Background(), store.RunFilter{Statuses: []string{store.RunRefused}})
	var window store.RunRow
	for _, r := range refused {
		if strings.HasPrefix(r.Reason, "refused by window") {
			window = r
		}
	}
	if len(refused) != 3 || window.ID == "" {
		t.Fatalf("refusals are stored with their reason: %+v", refused)
	}
	audit, _ := h.st.RunAudit(context.Background(), window.ID)
	if len(audit) != 1 || audit[0].Action != "run.refused" {
		t.Fatalf("audit: %+v", audit)
	}
	// The destructive runbook runs only when the name is typed exactly.
	for _, typed := range []string{"", "shop-prod "} {
		_, err = h.e.Start(context.Background(), Request{Runbook: "delete-project", Params: map[string]string{"project": "shop-prod"}, Confirm: typed})
		if !errors.As(err, &ref) || ref.Guard != "confirm" || !strings.Contains(ref.Reason, `"shop-prod"`) {
			t.Fatalf("confirm %q: %v", typed, err)
		}
	}
	ok, err := h.e.Start(context.Background(), Request{Runbook: "delete-project", Params: map[string]string{"project": "shop-prod"}, Confirm: "shop-prod"})
	if err != nil {
		t.Fatal(err)
	}
	if row, _ := h.wait(ok.ID); row.Status != store.RunSucceeded {
		t.Fatalf("confirmed run: %s", row.Status)
	}
	_ = first
}

func TestCircuitBreakerPagesTheOwner(t *testing.T) {
	h := newHarness(t, `
people: [{id: thach}]
runbooks:
  - id: restart
    owner: person/thach
    guard: {circuit_breaker: {failures: 2, within: 1h}}
    steps: [{id: restart, run: ["false"]}]
`)
	for i := 0; i < 2; i++ {
		row, err := h.e.Start(context.Background(), Request{Runbook: "restart", Trigger: TriggerSchedule})
		if err != nil {
			t.Fatal(err)
		}
		if row, _ = h.wait(row.ID); row.Status != store.RunFailed {
			t.Fatalf("run %d: %s", i, row.Status)
		}
	}
	var ref *Refusal
	_, err := h.e.Start(context.Background(), Request{Runbook: "restart", Trigger: TriggerSchedule})
	if !errors.As(err, &ref) || ref.Guard != "circuit_breaker" {
		t.Fatalf("third automatic run: %v", err)
	}
	h.pager.mu.Lock()
	n := len(h.pager.announced)
	var to []string
	if n > 0 {
		to = h.pager.announced[0].Targets
	}
	h.pager.mu.Unlock()
	if n != 1 || to[0] != "person/thach" {
		t.Fatalf("owner paged %d times: %v", n, to)
	}
	// A person can still run it by hand.
	if _, err := h.start1("restart", nil); err != nil {
		t.Fatalf("manual run while the breaker is open: %v", err)
	}
}

func TestDryRunExecutesNothing(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: clean
    params: [{name: target, default: app1}]
    secrets: [{name: token, value: s3cr3t-t0ken}]
    steps:
      - {id: mark, run: [touch, "$DIR/ran"]}
      - {id: call, http: {url: "http://127.0.0.1:1/{{ .params.target }}?t={{ .secrets.token }}", method: POST}}
      - {id: logs, cleanup: {path: "$DIR/logs", glob: "*.log", older_than: 1d}}
`)
	os.MkdirAll(filepath.Join(h.dir, "logs"), 0o755)
	old := filepath.Join(h.dir, "logs", "old.log")
	os.WriteFile(old, []byte("x"), 0o644)
	os.Chtimes(old, t0.Add(-72*time.Hour), t0.Add(-72*time.Hour))
	row, err := h.e.Start(context.Background(), Request{Runbook: "clean", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	_, steps, _ := h.e.Get(context.Background(), row.ID)
	if _, err := os.Stat(filepath.Join(h.dir, "ran")); err == nil {
		t.Fatal("a dry run executed a command")
	}
	if _, err := os.Stat(old); err != nil {
		t.Fatal("a dry run deleted a file")
	}
	if len(steps) != 3 || !strings.Contains(steps[0].Detail, `"argv":["touch","`+h.dir+`/ran"]`) ||
		!strings.Contains(steps[1].Detail, "http://127.0.0.1:1/app1?t=****") || !strings.Contains(steps[2].Detail, "old.log") {
		t.Fatalf("dry run steps: %+v", steps)
	}
}

// TestHTTPStepErrorNamesItsTarget: a failed http step says where it went,
// with the secret in its query hidden and nothing else.
func TestHTTPStepErrorNamesItsTarget(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: call
    secrets: [{name: token, value: s3cr3t-t0ken-1}]
    steps:
      - {id: call, http: {url: "http://127.0.0.1:1/hook?token={{ .secrets.token }}", method: POST}}
`)
	row, _ := h.start1("call", nil)
	row, steps := h.wait(row.ID)
	if row.Status != store.RunFailed || len(steps) != 1 {
		t.Fatalf("run %s, %d steps", row.Status, len(steps))
	}
	got := steps[0].Error + " " + row.Reason
	if !strings.Contains(got, "http://127.0.0.1:1/hook?token=") || !strings.Contains(got, "connection refused") ||
		strings.Contains(got, "s3cr3t-t0ken-1") || strings.Contains(got, `"URL"`) {
		t.Fatalf("step error: %q", got)
	}
}

func TestRestartInterruptsOrResumes(t *testing.T) {
	yaml := `
runbooks:
  - id: migrate
    steps:
      - {id: first, run: [echo, one]}
      - {id: slow, wait: {duration: 1h}, idempotent: IDEMPOTENT}
      - {id: last, run: [echo, done]}
`
	for _, idem := range []string{"false", "true"} {
		t.Run("idempotent="+idem, func(t *testing.T) {
			y := strings.Replace(yaml, "IDEMPOTENT", idem, 1)
			h := newHarness(t, y)
			row, err := h.start1("migrate", nil)
			if err != nil {
				t.Fatal(err)
			}
			for {
				_, steps, _ := h.e.Get(context.Background(), row.ID)
				if len(steps) == 2 && steps[1].Status == "running" {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			h.stop() // Vigil stops mid-step
			cfg, _ := config.Parse("vigil.yaml", []byte(y), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
			h.start(cfg)
			if idem == "false" {
				got, steps, _ := h.e.Get(context.Background(), row.ID)
				if got.Status != store.RunInterrupted || steps[1].Status != "interrupted" || !strings.Contains(got.Reason, "slow") {
					t.Fatalf("after restart: %s %q, step %s", got.Status, got.Reason, steps[1].Status)
				}
				return
			}
			got, steps := h.advanceUntilEnd(row.ID, 10*time.Minute)
			if got.Status != store.RunSucceeded || len(steps) != 3 || steps[2].Stdout != "done\n" {
				t.Fatalf("resumed run: %s, %d steps", got.Status, len(steps))
			}
		})
	}
}

// TestCleanupCannotBeSteeredOutOfItsDirectory: a param that tries to walk
// a cleanup out of its directory fails the step, and nothing is deleted.
func TestCleanupCannotBeSteeredOutOfItsDirectory(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: clean
    params: [{name: dir}]
    steps:
      - {id: clean, cleanup: {path: "{{ .params.dir }}", glob: "*"}}
`)
	victim := filepath.Join(h.dir, "keep")
	os.MkdirAll(victim, 0o755)
	os.WriteFile(filepath.Join(victim, "precious"), []byte("x"), 0o644)
	for _, dir := range []string{h.dir + "/logs/../keep", "keep", "/"} {
		row, err := h.start1("clean", map[string]string{"dir": dir})
		if err != nil {
			t.Fatal(err)
		}
		row, steps := h.wait(row.ID)
		if row.Status != store.RunFailed || !strings.Contains(steps[0].Error, "path:") {
			t.Errorf("dir %q: run %s, step error %q", dir, row.Status, steps[0].Error)
		}
	}
	if _, err := os.Stat(filepath.Join(victim, "precious")); err != nil {
		t.Fatal("a file outside the cleanup's directory was deleted")
	}
}

// TestApproveStepChildRunbookWaitAndHTTP: an approve step holds the run
// until approved (and cancels it when nobody does in time); a runbook step
// runs a child and takes its outcome; wait polls a check; an http step's
// expect decides its outcome.
func TestApproveStepChildRunbookWaitAndHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"UP","version":"2.4.1"}`)
	}))
	defer srv.Close()
	h := newHarness(t, fmt.Sprintf(`
people: [{id: glen}]
services:
  - {id: shop, checks: [{id: web, tcp: {address: "127.0.0.1:1"}}]}
runbooks:
  - id: child
    params: [{name: version}]
    steps: [{id: echo, run: [echo, "deploying {{ .params.version }}"]}]
  - id: deploy
    steps:
      - {id: health, http: {url: %q}, expect: ['status == 200', 'json.status == "UP"']}
      - {id: ok, approve: {approvers: [person/glen], ttl: 15m}}
      - {id: call, runbook: {id: child, params: {version: '{{ .steps.health.stdout | replace "\"" "" }}'}}}
      - {id: settle, wait: {check: shop/web, every: 10s}, timeout: 1m}
`, srv.URL))
	h.probes["shop/web"] = check.Pass
	row, err := h.start1("deploy", nil)
	if err != nil {
		t.Fatal(err)
	}
	var waiting store.RunRow
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if waiting, _, _ = h.e.Get(context.Background(), row.ID); waiting.Status == store.RunAwaiting {
			break
		}
	}
	if waiting.Status != store.RunAwaiting || waiting.ApprovalExpiresAt.IsZero() {
		t.Fatalf("run did not wait for approval: %+v", waiting)
	}
	if _, err := h.e.ApproveByLink(context.Background(), row.ID, 1, "person/mallory"); err == nil {
		t.Fatal("someone who is not an approver approved")
	}
	if _, err := h.e.ApproveByLink(context.Background(), row.ID, 1, "person/glen"); err != nil {
		t.Fatal(err)
	}
	row, steps := h.wait(row.ID)
	if row.Status != store.RunSucceeded || row.ApprovedBy != "person/glen (link)" {
		t.Fatalf("run %s %q approved by %q", row.Status, row.Reason, row.ApprovedBy)
	}
	if !strings.Contains(steps[2].Detail, "succeeded") {
		t.Fatalf("child run: %+v", steps[2])
	}
	children, _ := h.st.Runs(context.Background(), store.RunFilter{Runbook: "child"})
	if len(children) != 1 || children[0].ParentRunID != row.ID || children[0].Trigger != TriggerRunbook {
		t.Fatalf("child runs: %+v", children)
	}
	// Nobody approves: after the ttl the run is canceled.
	row, _ = h.start1("deploy", nil)
	if row, _ = h.advanceUntilEnd(row.ID, 16*time.Minute); row.Status != store.RunCanceled || !strings.Contains(row.Reason, "no approval within") {
		t.Fatalf("unapproved run: %s %q", row.Status, row.Reason)
	}
}

// TestScheduleRunsInItsTimezone: a daily 06:00 Ho Chi Minh City schedule
// runs once when the clock passes 23:00 UTC, not before.
func TestScheduleRunsInItsTimezone(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: log-cleanup
    on: [{schedule: {cron: "0 6 * * *", timezone: Asia/Ho_Chi_Minh}}]
    steps: [{id: s, run: ["true"]}]
`)
	count := func() int {
		runs, _ := h.st.Runs(context.Background(), store.RunFilter{Runbook: "log-cleanup"})
		return len(runs)
	}
	// t0 is 15:00 UTC, 22:00 local: the run is due at 23:00 UTC.
	for i := 0; i < 7; i++ {
		h.clock.Advance(time.Hour)
		time.Sleep(20 * time.Millisecond)
		if count() != 0 {
			t.Fatalf("ran at %v, before 06:00 local", h.clock.Now())
		}
	}
	h.clock.Advance(time.Hour) // 23:00 UTC
	deadline := time.Now().Add(5 * time.Second)
	for count() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("runs after 06:00 local: %d", count())
		}
		time.Sleep(5 * time.Millisecond)
	}
	runs, _ := h.st.Runs(context.Background(), store.RunFilter{Runbook: "log-cleanup"})
	if runs[0].Trigger != TriggerSchedule {
		t.Fatalf("trigger %q", runs[0].Trigger)
	}
}

// TestDryRunsDoNotCountAgainstLimits: looking at what a run would do must
// not use up the one run an hour that is allowed.
func TestDryRunsDoNotCountAgainstLimits(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: failover
    guard: {max_runs: 1, per: 1h, approval: required}
    steps: [{id: s, run: ["true"]}]
`)
	for i := 0; i < 3; i++ {
		row, err := h.e.Start(context.Background(), Request{Runbook: "failover", DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if row.Reason != "a real run now would wait for approval" {
			t.Fatalf("dry run says %q", row.Reason)
		}
	}
	if _, err := h.start1("failover", nil); err != nil {
		t.Fatalf("real run after dry runs: %v", err)
	}
}

// TestLimitsHoldForRunsStartedTogether: a burst of alerts starting the same
// runbook at once gets exactly max_runs runs.
func TestLimitsHoldForRunsStartedTogether(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: restart
    guard: {max_runs: 1, per: 1h}
    steps: [{id: s, run: ["true"]}]
`)
	var wg sync.WaitGroup
	var mu sync.Mutex
	started := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.e.Start(context.Background(), Request{Runbook: "restart", Trigger: TriggerAlert}); err == nil {
				mu.Lock()
				started++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if started != 1 {
		t.Fatalf("%d runs started; max_runs is 1", started)
	}
}

// TestSecretsAreMaskedEverywhere: a secret with characters JSON escapes
// (&, <, >) is masked in step details, failure reasons, the audit log and a
// child run's params.
func TestSecretsAreMaskedEverywhere(t *testing.T) {
	const sec = "p&ss<w>rd1"
	h := newHarness(t, `
runbooks:
  - id: child
    params: [{name: token}]
    steps: [{id: s, run: ["true"]}]
  - id: leaky
    secrets: [{name: tok, value: "`+sec+`"}]
    steps:
      - {id: echo, run: [echo, "{{ .secrets.tok }}"]}
      - {id: pass, runbook: {id: child, params: {token: "{{ .secrets.tok }}"}}}
      - {id: fail, run: ["/nonexistent/{{ .secrets.tok }}"]}
`)
	row, err := h.start1("leaky", nil)
	if err != nil {
		t.Fatal(err)
	}
	row, steps := h.wait(row.ID)
	if row.Status != store.RunFailed {
		t.Fatalf("run %s", row.Status)
	}
	dump := fmt.Sprintf("%+v %+v", row, steps)
	children, _ := h.st.Runs(context.Background(), store.RunFilter{Runbook: "child"})
	dump += fmt.Sprintf("%+v", children)
	audit, _ := h.st.Audit(context.Background(), time.Time{}, 1000)
	dump += fmt.Sprintf("%+v", audit)
	if strings.Contains(dump, "ss<w>") || strings.Contains(dump, `ss\u003cw`) {
		t.Fatalf("the secret leaked:\n%s", dump)
	}
	if !strings.Contains(steps[0].Detail, "****") || !strings.Contains(row.Reason, "****") {
		t.Fatalf("nothing was masked: %q / %q", steps[0].Detail, row.Reason)
	}
}

// TestRestartAfterTheRunbookChanged: a run stopped mid-step whose runbook
// lost that step is marked interrupted, not resumed at the wrong step.
func TestRestartAfterTheRunbookChanged(t *testing.T) {
	h := newHarness(t, `
runbooks:
  - id: migrate
    steps:
      - {id: first, run: [echo, one]}
      - {id: second, run: [echo, two]}
      - {id: slow, wait: {duration: 1h}, idempotent: true}
`)
	row, _ := h.start1("migrate", nil)
	for {
		_, steps, _ := h.e.Get(context.Background(), row.ID)
		if len(steps) == 3 && steps[2].Status == "running" {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	h.stop()
	cfg, err := config.Parse("vigil.yaml", []byte(`
runbooks:
  - id: migrate
    steps: [{id: first, run: [echo, one]}]
`), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	h.start(cfg)
	got, _, _ := h.e.Get(context.Background(), row.ID)
	if got.Status != store.RunInterrupted || !strings.Contains(got.Reason, "changed") {
		t.Fatalf("after the change: %s %q", got.Status, got.Reason)
	}
}
