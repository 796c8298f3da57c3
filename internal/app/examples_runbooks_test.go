package app

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The runbook examples (examples/runbooks) run here the way the README has
// a newcomer run them: the config as shipped, the stand-ins of its bin/,
// and every run started over the API with the config's own token.

// exampleToken is the config's token when VIGIL_TOKEN is not set.
const exampleToken = "examples-token"

type exampleStep struct {
	StepID  string `json:"step_id"`
	Kind    string `json:"kind"`
	Status  string `json:"status"`
	Attempt int    `json:"attempt"`
	Stdout  string `json:"stdout"`
	Detail  string `json:"detail"`
	Error   string `json:"error"`
}

type exampleRun struct {
	ID         string        `json:"id"`
	Runbook    string        `json:"runbook"`
	Status     string        `json:"status"`
	Reason     string        `json:"reason"`
	ApprovedBy string        `json:"approved_by"`
	Steps      []exampleStep `json:"steps"`
}

// statuses maps each step to its status.
func (r exampleRun) statuses() map[string]string {
	out := map[string]string{}
	for _, s := range r.Steps {
		out[s.StepID] = s.Status
	}
	return out
}

func (r exampleRun) step(t *testing.T, id string) exampleStep {
	t.Helper()
	for _, s := range r.Steps {
		if s.StepID == id {
			return s
		}
	}
	t.Fatalf("run %s of %s has no step %s: %+v", r.ID, r.Runbook, id, r.Steps)
	return exampleStep{}
}

// exampleApp is Vigil running examples/runbooks/vigil.yaml.
type exampleApp struct {
	*harness
	bin   string // examples/runbooks/bin, absolute
	state string // VIGIL_STATE: the stand-ins' state
}

// startExample starts Vigil with examples/runbooks/vigil.yaml, its
// environment references filled in as the README's exports would fill
// them, and the stand-ins' state laid out by bin/setup in a fresh
// directory. edit, when not nil, changes the config text first.
func startExample(t *testing.T, appURL, hook string, edit func(string) string) *exampleApp {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "runbooks"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "vigil.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := &exampleApp{bin: filepath.Join(dir, "bin"), state: t.TempDir()}
	cfg := strings.NewReplacer(
		"${VIGIL_EXAMPLES}", dir,
		"${VIGIL_STATE:-/tmp/vigil-examples}", e.state,
		"${VIGIL_APP_URL:-http://127.0.0.1:8081/health}", appURL,
		"${VIGIL_HOOK:-}", hook,
	).Replace(string(raw))
	// A reference written some other way would load with its default and
	// point the test at this machine's /tmp.
	for _, v := range []string{"VIGIL_EXAMPLES", "VIGIL_STATE", "VIGIL_APP_URL", "VIGIL_HOOK"} {
		if strings.Contains(cfg, "${"+v) {
			t.Fatalf("examples/runbooks/vigil.yaml: a ${%s...} reference this test does not fill in", v)
		}
	}
	if edit != nil {
		cfg = edit(cfg)
	}
	e.standIn(t, "setup")
	e.harness = start(t, cfg, "")
	return e
}

// standIn runs one of the stand-ins as a person at the terminal would.
func (e *exampleApp) standIn(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(e.bin, name), args...)
	cmd.Env = append(os.Environ(), "VIGIL_STATE="+e.state)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// readState reads a file of the stand-ins' state, "" when it is missing.
func (e *exampleApp) readState(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.state, name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// startRun posts a run and returns the HTTP status and the run.
func (e *exampleApp) startRun(t *testing.T, runbook, body string) (int, exampleRun) {
	t.Helper()
	var r exampleRun
	code := e.do("POST", "/api/v1/runbooks/"+runbook+"/runs", exampleToken, strings.NewReader(body), &r)
	return code, r
}

// waitRun waits until the run has one of the statuses.
func (e *exampleApp) waitRun(t *testing.T, id string, statuses ...string) exampleRun {
	t.Helper()
	var r exampleRun
	e.eventually(fmt.Sprintf("run %s %v", id, statuses), func() bool {
		r = exampleRun{}
		e.do("GET", "/api/v1/runs/"+id, "", nil, &r)
		return slices.Contains(statuses, r.Status)
	})
	return r
}

// exampleTold returns the text of the first message the sink got whose title is title.
func exampleTold(t *testing.T, sk *sink, title string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range sk.deliveries("/hook") {
			var m struct{ Title, Text string }
			if json.Unmarshal(d.Body, &m) == nil && m.Title == title {
				return m.Text
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("nobody was told %q", title)
	return ""
}

// examplePlan is what a dry run should show for one step: the argv of a
// command, or else text its detail contains.
type examplePlan struct {
	id, kind string
	argv     []string
	detail   string
}

// TestExampleRunbooksDryRun renders every example runbook without running
// it: each step shows the command, request or message a real run would
// use, and the stand-ins' state is left as it was.
func TestExampleRunbooksDryRun(t *testing.T) {
	tg := newTarget(t)
	e := startExample(t, tg.URL+"/health", newSink(t).URL+"/hook", nil)
	bin := func(name string, args ...string) []string {
		return append([]string{filepath.Join(e.bin, name)}, args...)
	}
	cases := []struct {
		runbook string
		params  string
		steps   []examplePlan
	}{
		{"order-processor-restart", `{}`, []examplePlan{
			{id: "errors", kind: "run", argv: []string{"grep", "-c", "Error Processing Order", filepath.Join(e.state, "order_processing.log")}},
			{id: "tell_developers", kind: "notify", detail: `if steps.errors.ok: notify team/developers: The order processor logged <steps.errors.stdout> "Error Processing Order" lines`},
			{id: "restart", kind: "run", argv: bin("order-processor", "restart")},
			{id: "verify", kind: "check", detail: "run check shop/order-processor"},
		}},
		{"log-cleanup", `{}`, []examplePlan{
			{id: "clean", kind: "cleanup", detail: `"free_percent_before":`},
			{id: "tell_steve", kind: "notify", detail: "notify person/steve: Log clean-up (manual run"},
		}},
		{"dns-failover", `{}`, []examplePlan{
			{id: "active", kind: "run", argv: bin("dnsTool", "-q", "active_server")},
			{id: "standby", kind: "run", argv: bin("dnsTool", "-q", "standby_server")},
			{id: "shutdown", kind: "run", argv: bin("dnsTool", "-a", "shutdown", "-s", "<steps.active.stdout>")},
			{id: "failover", kind: "run", argv: bin("dnsTool", "-a", "failover", "-s", "<steps.standby.stdout>")},
			{id: "force", kind: "run", argv: bin("dnsTool", "-a", "failover", "-s", "<steps.standby.stdout>", "-f")},
			// What depends on the shutdown is shown, not decided.
			{id: "engage", kind: "notify", detail: "notify team/networking: DNS failed over from <steps.active.stdout> to <steps.standby.stdout>" +
				"<if not steps.shutdown.ok: by force: the shutdown failed, so make sure its dns process is down>. Please bring <steps.active.stdout> back"},
			{id: "verify", kind: "check", detail: "run check shop/dns"},
		}},
		{"app-down-triage", `{}`, []examplePlan{
			{id: "reachable", kind: "http", detail: `"expect":["status == 200"],"method":"GET","url":"` + tg.URL + `/health"`},
			{id: "escalate", kind: "notify", detail: "if !steps.reachable.ok: notify team/support, team/networking, team/ops, team/dba, team/developers: "},
			{id: "processes", kind: "run", argv: bin("app", "status")},
			{id: "app_log", kind: "run", argv: []string{"tail", "-n", "20", filepath.Join(e.state, "app", "app.log")}},
			{id: "last_deploy", kind: "run", argv: bin("deploys", "last", "production")},
			{id: "approve_restart", kind: "approve", detail: "wait for approval by team/sre"},
			{id: "restart", kind: "run", argv: bin("app", "restart")},
			{id: "verify", kind: "check", detail: "run check shop/app"},
		}},
		{"post-deploy", `{"env":"production","version":"2.0.1"}`, []examplePlan{
			{id: "deployed", kind: "run", argv: bin("deploys", "verify", "production", "2.0.1")},
			{id: "schema", kind: "run", argv: bin("migrate", "-e", "production", "-v", "2.0.1", "-s", "schema")},
			{id: "data_fixes", kind: "run", argv: bin("migrate", "-e", "production", "-v", "2.0.1", "-s", "data-fixes")},
			{id: "done", kind: "notify", detail: "notify team/ops: Post-deploy of 2.0.1 to production done"},
		}},
	}
	for _, c := range cases {
		t.Run(c.runbook, func(t *testing.T) {
			code, r := e.startRun(t, c.runbook, `{"dry_run":true,"params":`+c.params+`}`)
			if code != 200 || r.Status != "succeeded" || len(r.Steps) != len(c.steps) {
				t.Fatalf("dry run: %d %+v", code, r)
			}
			for i, want := range c.steps {
				got := r.Steps[i]
				if got.StepID != want.id || got.Kind != want.kind || got.Status != "planned" || got.Error != "" {
					t.Fatalf("step %d: got %+v, want %s (%s) planned", i, got, want.id, want.kind)
				}
				if want.argv == nil {
					mustContain(t, "step "+want.id, got.Detail, want.detail)
					continue
				}
				var cmd struct {
					Argv []string `json:"argv"`
					Env  []string `json:"env"`
				}
				detail := got.Detail // JSON, after "if COND: " when the step has a condition
				if i := strings.Index(detail, "{"); i >= 0 {
					detail = detail[i:]
				}
				if err := json.Unmarshal([]byte(detail), &cmd); err != nil {
					t.Fatalf("step %s: detail %q: %v", want.id, got.Detail, err)
				}
				if !slices.Equal(cmd.Argv, want.argv) {
					t.Errorf("step %s argv:\n got %q\nwant %q", want.id, cmd.Argv, want.argv)
				}
				if want.argv[0] != "grep" && want.argv[0] != "tail" && !slices.Contains(cmd.Env, "VIGIL_STATE="+e.state) {
					t.Errorf("step %s: the stand-in is not given its state: env %q", want.id, cmd.Env)
				}
			}
		})
	}
	// Nothing ran: no failover, no restart.
	if log := e.readState(t, "dns/actions.log"); log != "" {
		t.Errorf("a dry run touched the DNS servers: %q", log)
	}
	if pid := e.readState(t, "order-processor/pid"); pid != "" {
		t.Errorf("a dry run restarted the order processor (pid %s)", pid)
	}
}

// TestExampleDNSFailover runs the DNS failover SOP against the dnsTool
// stand-in, once when the active server can be shut down (a normal
// failover) and once when it cannot (the forced one).
func TestExampleDNSFailover(t *testing.T) {
	cases := []struct {
		name        string
		dns1        string // what dns1 is before the run
		steps       map[string]string
		dns1After   string
		failoverLog string
		told        string
	}{
		{
			name: "shutdown works", dns1: "up",
			steps:     map[string]string{"active": "ok", "standby": "ok", "shutdown": "ok", "failover": "ok", "force": "skipped", "engage": "ok", "verify": "ok"},
			dns1After: "down", failoverLog: "failover dns1 -> dns2\n",
			told: "DNS failed over from dns1 to dns2. Please bring dns1 back online as the standby.",
		},
		{
			name: "shutdown fails", dns1: "unreachable",
			steps:     map[string]string{"active": "ok", "standby": "ok", "shutdown": "failed", "failover": "skipped", "force": "ok", "engage": "ok", "verify": "ok"},
			dns1After: "unreachable", failoverLog: "failover dns1 -> dns2 (forced)\n",
			told: "DNS failed over from dns1 to dns2 by force: the shutdown failed, so make sure its dns process is down.",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sk := newSink(t)
			e := startExample(t, newTarget(t).URL, sk.URL+"/hook", nil)
			e.standIn(t, "dnsTool", "-a", "simulate", "-s", "dns1", "-m", c.dns1)
			code, r := e.startRun(t, "dns-failover", `{}`)
			if code != 201 {
				t.Fatalf("run: %d %+v", code, r)
			}
			r = e.waitRun(t, r.ID, "succeeded", "failed")
			if r.Status != "succeeded" {
				t.Fatalf("run %s: %s", r.Status, r.Reason)
			}
			if got := r.statuses(); !maps.Equal(got, c.steps) {
				t.Fatalf("steps: got %v, want %v", got, c.steps)
			}
			if got := strings.TrimSpace(e.readState(t, "dns/active")); got != "dns2" {
				t.Errorf("active server after the run: %q, want dns2", got)
			}
			if got := strings.TrimSpace(e.readState(t, "dns/dns1")); got != c.dns1After {
				t.Errorf("dns1 after the run: %q, want %q", got, c.dns1After)
			}
			mustContain(t, "dnsTool's log", e.readState(t, "dns/actions.log"), c.failoverLog)
			mustContain(t, "networking was told", exampleTold(t, sk, "Runbook dns-failover: engage"), c.told)
		})
	}
}

// TestExampleLogCleanup runs the daily log clean-up on a log directory
// holding logs from before and within the last 7 days: old *.log files go,
// recent ones and files of other names stay, and Steve hears what went.
//
// The example keeps 20% of the disk free and deletes no more than that
// takes; a test machine's disk is rarely that full, so this test asks for
// 100%, which deletes every old log, as on a full disk.
func TestExampleLogCleanup(t *testing.T) {
	sk := newSink(t)
	e := startExample(t, newTarget(t).URL, sk.URL+"/hook", func(cfg string) string {
		if !strings.Contains(cfg, "keep_free_percent: 20\n") {
			t.Fatal("examples/runbooks/vigil.yaml: log-cleanup no longer says keep_free_percent: 20")
		}
		return strings.Replace(cfg, "keep_free_percent: 20\n", "keep_free_percent: 100\n", 1)
	})
	logs := filepath.Join(e.state, "logs")
	if err := os.RemoveAll(logs); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	ages := map[string]time.Duration{
		"app-2026-10-24.log": 30 * 24 * time.Hour,
		"app-2026-11-15.log": 8 * 24 * time.Hour,
		"app-2026-11-20.log": 3 * 24 * time.Hour,
		"app.log":            time.Hour,
		"audit-2026-10.csv":  30 * 24 * time.Hour, // not a *.log
	}
	for name, age := range ages {
		p := filepath.Join(logs, name)
		if err := os.WriteFile(p, []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, t0.Add(-age), t0.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	code, r := e.startRun(t, "log-cleanup", `{}`)
	if code != 201 {
		t.Fatalf("run: %d %+v", code, r)
	}
	r = e.waitRun(t, r.ID, "succeeded", "failed")
	if r.Status != "succeeded" || r.step(t, "clean").Status != "ok" {
		t.Fatalf("run %s (%s): %+v", r.Status, r.Reason, r.Steps)
	}
	entries, err := os.ReadDir(logs)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, en := range entries {
		left = append(left, en.Name())
	}
	if want := []string{"app-2026-11-20.log", "app.log", "audit-2026-10.csv"}; !slices.Equal(left, want) {
		t.Fatalf("left in the log directory: %q, want %q", left, want)
	}
	mustContain(t, "clean's output", r.step(t, "clean").Stdout,
		"delete "+filepath.Join(logs, "app-2026-10-24.log"), "delete "+filepath.Join(logs, "app-2026-11-15.log"))
	mustContain(t, "Steve was told", exampleTold(t, sk, "Runbook log-cleanup: tell_steve"),
		"Log clean-up (manual run "+r.ID+"): delete "+filepath.Join(logs, "app-2026-10-24.log"))
}

// TestExamplePostDeploy runs the release's migrations: production waits for
// approval, and once approved rides out a busy database with a retry.
// Staging needs no approval.
func TestExamplePostDeploy(t *testing.T) {
	e := startExample(t, newTarget(t).URL, newSink(t).URL+"/hook", nil)
	e.standIn(t, "deploys", "record", "production", "2.0.1", "release-2.0.1", "ghammer")
	e.standIn(t, "migrate", "-e", "production", "-F", "1")

	code, r := e.startRun(t, "post-deploy", `{"params":{"env":"production","version":"2.0.1"}}`)
	if code != 201 || r.Status != "awaiting_approval" || len(r.Steps) != 0 {
		t.Fatalf("production run: %d %+v", code, r)
	}
	if applied := e.readState(t, "db/production.applied"); applied != "" {
		t.Fatalf("migrations ran before approval: %q", applied)
	}
	var approved exampleRun
	if code := e.do("POST", "/api/v1/runs/"+r.ID+"/approve", exampleToken, strings.NewReader(`{"comment":"release night"}`), nil); code != 403 {
		t.Fatalf("thach approved the run he started: %d", code)
	}
	if code := e.do("POST", "/api/v1/runs/"+r.ID+"/approve", "examples-dba-token", strings.NewReader(`{"comment":"release night"}`), &approved); code != 200 {
		t.Fatalf("approve: %d %+v", code, approved)
	}
	// The first attempt at the schema finds the database busy; the retry
	// waits 5s on Vigil's clock.
	e.advanceUntil("production run done", time.Second, time.Minute, func() bool {
		e.do("GET", "/api/v1/runs/"+r.ID, "", nil, &r)
		return r.Status == "succeeded" || r.Status == "failed"
	})
	if r.Status != "succeeded" || r.ApprovedBy != "person/karen (token/dba)" {
		t.Fatalf("production run: %+v", r)
	}
	if s := r.step(t, "schema"); s.Attempt != 2 || s.Status != "ok" {
		t.Fatalf("schema step: %+v", s)
	}
	if got, want := e.readState(t, "db/production.applied"), "2.0.1 schema\n2.0.1 data-fixes\n"; got != want {
		t.Fatalf("applied to production: %q, want %q", got, want)
	}

	code, r = e.startRun(t, "post-deploy", `{"params":{"env":"staging","version":"2.0.0"}}`)
	if code != 201 || r.Status == "awaiting_approval" {
		t.Fatalf("staging run: %d %+v", code, r)
	}
	if r = e.waitRun(t, r.ID, "succeeded", "failed"); r.Status != "succeeded" {
		t.Fatalf("staging run: %+v", r)
	}
}
