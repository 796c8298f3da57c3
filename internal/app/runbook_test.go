package app

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

type stepJSON struct {
	StepID   string `json:"step_id"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	ExitCode int    `json:"exit_code"`
	Stdout   string `json:"stdout"`
	Detail   string `json:"detail"`
	Error    string `json:"error"`
}

type runJSONT struct {
	ID          string            `json:"id"`
	Runbook     string            `json:"runbook"`
	Status      string            `json:"status"`
	Trigger     string            `json:"trigger"`
	TriggeredBy string            `json:"triggered_by"`
	AlertID     int64             `json:"alert_id"`
	Reason      string            `json:"reason"`
	ApprovedBy  string            `json:"approved_by"`
	Params      map[string]string `json:"params"`
	Steps       []stepJSON        `json:"steps"`
}

func runbookConfig(target, sink, fixer string) string {
	return fmt.Sprintf(`
tokens:
  - {id: ops, secret: 0perate-t0ken, scopes: [operate], person: thach}
  - {id: glen, secret: gl3n-t0ken, scopes: [operate], person: glen}
  - {id: viewer, secret: v1ew-t0ken, scopes: [read]}
people:
  - {id: thach, contacts: {webhook: "%[2]s/thach"}}
  - {id: glen, contacts: {webhook: "%[2]s/glen"}}
escalations:
  - {id: sre, steps: [{notify: [person/thach]}]}
services:
  - id: shop
    escalation: sre
    checks:
      - {id: web, http: {url: %[1]q}, every: 30s, fail_after: 1, recover_after: 3, runbook: app-down}
runbooks:
  - id: app-down
    title: Application down
    doc: Restart the app, then check it answers.
    on: [{alert: {check: shop/web}}]
    resolve_on_success: true
    guard: {max_runs: 3, per: 1h}
    steps:
      - {id: restart, http: {url: "%[3]s", method: POST}}
      - {id: tell, notify: [person/glen], message: "restarted the app for alert {{ .alert.id }}"}
      - {id: verify, check: shop/web}
  - id: migrate
    params: [{name: env, enum: [staging, production]}]
    guard: {approval_if: 'params.env == "production"', approvers: [person/thach, person/glen]}
    steps:
      - {id: run, run: [echo, "migrating {{ .params.env }}"]}
`, target, sink, fixer)
}

// TestAlertTriggeredRunbookResolvesTheAlert: the homepage check fails, its
// alert starts the app-down runbook, which restarts the app, tells glen,
// checks the homepage again and, finding it up, resolves the alert. The
// alert's timeline and delivery history show the run.
func TestAlertTriggeredRunbookResolvesTheAlert(t *testing.T) {
	tg, sk := newTarget(t), newSink(t)
	// The app's "restart" endpoint brings it back.
	fixer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tg.status.Store(200) }))
	defer fixer.Close()
	h := start(t, runbookConfig(tg.URL, sk.URL, fixer.URL), "")
	tg.status.Store(500)
	h.step(30*time.Second, "shop/web")
	h.waitState("shop/web", "failing")
	var runs []runJSONT
	h.eventually("the runbook ran", func() bool {
		runs = nil
		h.do("GET", "/api/v1/runs?runbook=app-down", "", nil, &runs)
		return len(runs) == 1 && runs[0].Status == "succeeded"
	})
	if runs[0].Trigger != "alert" || runs[0].AlertID != 1 || runs[0].TriggeredBy != "alert/1" {
		t.Fatalf("run: %+v", runs[0])
	}
	h.eventually("alert resolved by the runbook", func() bool { return h.alert(1).Status == "resolved" })
	if by := h.alert(1).ResolvedBy; !strings.HasPrefix(by, "runbook/app-down (run "+runs[0].ID) {
		t.Fatalf("resolved by %q", by)
	}
	mustContain(t, "alert timeline", h.logKinds(1), "runbook")
	var withRuns struct {
		Runs []runJSONT `json:"runs"`
	}
	h.do("GET", "/api/v1/alerts/1", "", nil, &withRuns)
	if len(withRuns.Runs) != 1 || withRuns.Runs[0].ID != runs[0].ID {
		t.Fatalf("the alert does not list its run: %+v", withRuns.Runs)
	}
	glen := sk.wait(t, "/glen", 1)[0].Message
	if glen.Kind != "runbook" || !strings.Contains(glen.Text, "restarted the app for alert 1") {
		t.Fatalf("glen was told %+v", glen)
	}
	var hist []map[string]any
	h.do("GET", "/api/v1/alerts/1/notifications", "", nil, &hist)
	kinds := []string{}
	for _, n := range hist {
		kinds = append(kinds, fmt.Sprint(n["kind"]))
	}
	mustContain(t, "delivery history", strings.Join(kinds, " "), "runbook")
}

func TestRunbookAPIAndCLI(t *testing.T) {
	tg, sk := newTarget(t), newSink(t)
	h := start(t, runbookConfig(tg.URL, sk.URL, tg.URL), "")
	var books []map[string]any
	if code := h.do("GET", "/api/v1/runbooks", "", nil, &books); code != 200 || len(books) != 2 || books[0]["doc"] != "Restart the app, then check it answers." {
		t.Fatalf("runbooks: %d %v", code, books)
	}
	post := func(tok, body string, out any) int {
		return h.do("POST", "/api/v1/runbooks/migrate/runs", tok, strings.NewReader(body), out)
	}
	var e map[string]any
	if code := post("v1ew-t0ken", `{"params":{"env":"staging"}}`, &e); code != http.StatusForbidden {
		t.Fatalf("read token: %d", code)
	}
	if code := post("0perate-t0ken", `{"params":{"env":"staging","cmd":"rm -rf /"}}`, &e); code != 400 || !strings.Contains(fmt.Sprint(e["error"]), "params.cmd: not declared") {
		t.Fatalf("undeclared param: %d %v", code, e)
	}
	if code := post("0perate-t0ken", `{"params":{"env":"qa"}}`, &e); code != 400 || !strings.Contains(fmt.Sprint(e["error"]), `"qa" is not one of staging, production`) {
		t.Fatalf("bad enum: %d %v", code, e)
	}
	var dry runJSONT
	if code := post("0perate-t0ken", `{"params":{"env":"staging"},"dry_run":true}`, &dry); code != 200 || len(dry.Steps) != 1 ||
		!strings.Contains(dry.Steps[0].Detail, `"argv":["echo","migrating staging"]`) || dry.Steps[0].Status != "planned" {
		t.Fatalf("dry run: %+v", dry)
	}
	var run runJSONT
	if code := post("0perate-t0ken", `{"params":{"env":"staging"}}`, &run); code != 201 {
		t.Fatalf("run: %d %+v", code, run)
	}
	h.eventually("staging run done", func() bool {
		h.do("GET", "/api/v1/runs/"+run.ID, "", nil, &run)
		return run.Status == "succeeded"
	})
	if run.Steps[0].Stdout != "migrating staging\n" {
		t.Fatalf("output: %+v", run.Steps)
	}
	// Production needs approval by thach or glen; thach started it, so glen
	// approves. The run waits, then goes on.
	if code := post("0perate-t0ken", `{"params":{"env":"production"}}`, &run); code != 201 || run.Status != "awaiting_approval" {
		t.Fatalf("production run: %d %+v", code, run)
	}
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, append(args, "--server", h.url, "--token", "0perate-t0ken")...)
	}
	if code, _, errOut := cli("run", "approve", run.ID); code == 0 || !strings.Contains(errOut, "may not approve it too") {
		t.Fatalf("the starter approved their own run: %d %q", code, errOut)
	}
	// Glen was asked; thach, who started it, was not. Glen answers once
	// asked: an answer stored before the run asks stands, and then nobody
	// is asked.
	asked := sk.wait(t, "/glen", 1)[0].Message
	if asked.Kind != "runbook" || !strings.Contains(asked.Text, "vigil run approve "+run.ID) {
		t.Fatalf("approval request: %+v", asked)
	}
	// Follow the run live while it is approved.
	resp := h.get("/api/v1/runs/" + run.ID + "/events")
	defer resp.Body.Close()
	code, out, errOut := runCLI(t, "run", "approve", run.ID, "--comment", "DBA on the bridge", "--server", h.url, "--token", "gl3n-t0ken")
	if code != 0 || !strings.Contains(out, "approved") {
		t.Fatalf("approve: %d %q %q", code, out, errOut)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("events: %s", resp.Status)
	}
	var events []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			events = append(events, ev)
			if ev == "end" {
				break
			}
		}
	}
	if events[0] != "snapshot" || events[len(events)-1] != "end" || !strings.Contains(strings.Join(events, " "), "step") {
		t.Fatalf("events: %v", events)
	}
	code, out, _ = cli("run", "logs", run.ID)
	if code != 0 || !strings.Contains(out, "succeeded") || !strings.Contains(out, "| migrating production") {
		t.Fatalf("logs: %d\n%s", code, out)
	}
	h.do("GET", "/api/v1/runs/"+run.ID, "", nil, &run)
	if run.ApprovedBy != "person/glen (token/glen)" {
		t.Fatalf("approved by %q", run.ApprovedBy)
	}
	// Glen starts a second run; thach is asked with a signed link and
	// approves through it.
	var second runJSONT
	post("gl3n-t0ken", `{"params":{"env":"production"}}`, &second)
	var link string
	h.eventually("second approval request", func() bool {
		for _, d := range sk.deliveries("/thach") {
			if u, err := url.Parse(d.Message.URL); err == nil && strings.Contains(u.Path, second.ID) {
				link = h.url + u.RequestURI()
			}
		}
		return link != ""
	})
	page, code := httpGetText(t, link)
	if code != 200 || !strings.Contains(page, "Approve run as person/thach") {
		t.Fatalf("link page %d: %.400s", code, page)
	}
	if h.run(second.ID).Status != "awaiting_approval" {
		t.Fatal("opening the link approved the run")
	}
	u, _ := url.Parse(link)
	if resp, err := http.PostForm(h.url+u.Path, u.Query()); err != nil || resp.StatusCode != 200 {
		t.Fatalf("approve by link: %v %v", err, resp)
	}
	h.eventually("approved by link", func() bool { return h.run(second.ID).Status == "succeeded" })
	if by := h.run(second.ID).ApprovedBy; by != "person/thach (link)" {
		t.Fatalf("approved by %q", by)
	}
	forged := strings.Replace(link, "who=person%2Fthach", "who=person%2Fglen", 1)
	if _, code := httpGetText(t, forged); code != http.StatusForbidden {
		t.Fatalf("forged link: %d", code)
	}
	code, out, _ = cli("run", "migrate", "-p", "env=staging", "--dry-run")
	if code != 0 || !strings.Contains(out, "nothing was executed") || !strings.Contains(out, "migrating staging") {
		t.Fatalf("cli dry run: %d\n%s", code, out)
	}
	var audit []map[string]any
	h.do("GET", "/api/v1/audit", "", nil, &audit)
	actions := []string{}
	for _, a := range audit {
		actions = append(actions, fmt.Sprint(a["action"]))
	}
	mustContain(t, "audit log", strings.Join(actions, " "), "run.dry_run", "run.triggered", "run.approved", "run.finished")
}

func (h *harness) run(id string) runJSONT {
	h.t.Helper()
	var r runJSONT
	if code := h.do("GET", "/api/v1/runs/"+id, "", nil, &r); code != 200 {
		h.t.Fatalf("GET run %s: %d", id, code)
	}
	return r
}

func httpGetText(t *testing.T, u string) (string, int) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}
