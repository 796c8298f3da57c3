package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The runbook hardening of issue 9, through the HTTP API as a sender, a
// tool and an operator would meet it. Every request carries a token.

const (
	readTok = "r3ad-t0ken"
	opsTok  = "0perate-t0ken" // thach's
	glenTok = "gl3n-t0ken"
)

// guardConfig has thach and glen on team sre, their tokens and a read
// token, an Alertmanager integration, and the runbooks in extra ($DIR is
// dir). With a hook, each person's pages go to hook/ID.
func guardConfig(dir, hook, extra string) string {
	contacts := func(id string) string {
		if hook == "" {
			return ""
		}
		return fmt.Sprintf(", contacts: {webhook: %q}", hook+"/"+id)
	}
	return fmt.Sprintf(`
tokens:
  - {id: viewer, secret: %q, scopes: [read]}
  - {id: ops, secret: %q, scopes: [read, operate], person: thach}
  - {id: glen, secret: %q, scopes: [read, operate], person: glen}
integrations:
  - {id: prometheus, type: alertmanager, key: am-k3y}
people:
  - {id: thach%s}
  - {id: glen%s}
teams:
  - {id: sre, members: [thach, glen]}
services:
  - {id: shop}
runbooks:
%s`, readTok, opsTok, glenTok, contacts("thach"), contacts("glen"), strings.ReplaceAll(extra, "$DIR", dir))
}

// amAlert is an Alertmanager webhook body with one firing alert.
func amAlert(labels map[string]string) []byte {
	var pairs []string
	for k, v := range labels {
		pairs = append(pairs, fmt.Sprintf("%q: %q", k, v))
	}
	return []byte(`{"version": "4", "status": "firing", "receiver": "vigil", "alerts": [{"status": "firing",
	  "labels": {` + strings.Join(pairs, ", ") + `}, "annotations": {"summary": "instance down"},
	  "startsAt": "2026-11-23T08:59:00Z"}]}`)
}

func (h *harness) runsOf(runbook string) []runJSONT {
	h.t.Helper()
	var runs []runJSONT
	if code := h.do("GET", "/api/v1/runs?runbook="+runbook, readTok, nil, &runs); code != 200 {
		h.t.Fatalf("GET runs of %s: %d", runbook, code)
	}
	return runs
}

// TestAlertLabelCannotBecomeAnOption: an alert whose instance label is
// "-oProxyCommand=..." reaches a runbook that puts the instance into ssh's
// argv. The run is refused, on record, naming the param; nothing runs and
// no file is written. A label rendered straight into an argv is held to
// the same rule at the step.
func TestAlertLabelCannotBecomeAnOption(t *testing.T) {
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	h := start(t, guardConfig(dir, "", `
  - id: ssh-uptime
    params: [{name: host}]
    on: [{alert: {match: {alertname: InstanceDown}}, params: {host: '{{ index .alert.labels "instance" }}'}}]
    steps:
      - {id: up, run: [ssh, -o, BatchMode=yes, "{{ .params.host }}", uptime]}
  - id: sort-report
    on: [{alert: {match: {alertname: InstanceDown}}}]
    steps:
      - {id: report, run: [sort, '{{ index .alert.labels "instance" }}']}
`), "")
	// ProxyCommand runs a shell command before connecting; sort -o writes
	// its output file. Either would write pwned if the value became an option.
	evil := "-oProxyCommand=sh -c 'touch " + pwned + "'"
	if _, err := exec.LookPath("ssh"); err != nil {
		evil = "-o" + pwned // without an ssh client, sort alone shows it
	}
	if code, body := h.post("/api/v1/integrations/alertmanager", "am-k3y", "application/json",
		amAlert(map[string]string{"alertname": "InstanceDown", "instance": evil})); code != 200 {
		t.Fatalf("alert: %d %v", code, body)
	}
	refused := h.onlyRunOf("ssh-uptime")
	if refused.Status != "refused" || refused.Trigger != "alert" || refused.AlertID == 0 ||
		!strings.Contains(refused.Reason, `refused by params: params.host: "`+evil+`" begins with "-" and would be read as an option`) {
		t.Fatalf("run: %+v", refused)
	}
	report := h.runWith(h.onlyRunOf("sort-report").ID, readTok)
	if report.Status != "failed" || len(report.Steps) != 1 || report.Steps[0].Error == "" ||
		!strings.HasPrefix(report.Steps[0].Error, `run[1]: "`+evil+`" (from {{ index .alert.labels "instance" }}) begins with "-"`) {
		t.Fatalf("sort run: %+v", report)
	}
	var a alertJSON
	h.do("GET", fmt.Sprintf("/api/v1/alerts/%d", refused.AlertID), readTok, nil, &a)
	timeline := ""
	for _, l := range a.Log {
		timeline += l.Detail + "\n"
	}
	mustContain(t, "alert timeline", timeline, "of ssh-uptime refused: params.host:")
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a label became an option: the file was written")
	}
}

// onlyRunOf waits for the one run of runbook to end, and returns it.
func (h *harness) onlyRunOf(runbook string) runJSONT {
	h.t.Helper()
	var run runJSONT
	h.eventually("the run of "+runbook+" ended", func() bool {
		runs := h.runsOf(runbook)
		if len(runs) == 1 {
			run = runs[0]
		}
		return len(runs) == 1 && run.Status != "pending" && run.Status != "running" && run.Status != "awaiting_approval"
	})
	return run
}

func (h *harness) runWith(id, token string) runJSONT {
	h.t.Helper()
	var r runJSONT
	if code := h.do("GET", "/api/v1/runs/"+id, token, nil, &r); code != 200 {
		h.t.Fatalf("GET run %s: %d", id, code)
	}
	return r
}

// TestRunbookWebhookHonoursDryRunAndConfirm: a webhook asking for a dry
// run deletes nothing; confirm is checked as for a run by hand; a field
// the body does not know is a 400 naming it; params the trigger fixes
// cannot be changed by the caller.
func TestRunbookWebhookHonoursDryRunAndConfirm(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(logs, "app-2026-10-01.log")
	if err := os.WriteFile(old, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(old, t0.Add(-30*24*time.Hour), t0.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	h := start(t, guardConfig(dir, "", `
  - id: log-cleanup
    on: [{webhook: {key: cl3anup-k3y}}]
    steps:
      - {id: clean, cleanup: {path: "$DIR/logs", glob: "*.log", older_than: 7d}}
  - id: env-cleanup
    params: [{name: env, enum: [staging, production]}]
    on: [{webhook: {key: env-k3y}, params: {env: staging}}]
    guard: {confirm: "{{ .params.env }}"}
    steps:
      - {id: clean, cleanup: {path: "$DIR/logs", glob: "*.log", older_than: 7d}}
`), "")
	post := func(runbook, key, body string, out any) int {
		req, _ := http.NewRequest("POST", h.url+"/api/v1/runbooks/"+runbook+"/webhook", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		return h.doReq(req, out)
	}
	var dry runJSONT
	if code := post("log-cleanup", "cl3anup-k3y", `{"dry_run": true}`, &dry); code != 200 || dry.Status != "succeeded" || len(dry.Steps) != 1 ||
		dry.Steps[0].Status != "planned" || !strings.Contains(dry.Steps[0].Detail, "app-2026-10-01.log") || dry.Trigger != "webhook" {
		t.Fatalf("dry run: %d %+v", code, dry)
	}
	if _, err := os.Stat(old); err != nil {
		t.Fatalf("a dry run by webhook deleted the file: %v", err)
	}
	var e struct{ Error, Code, Guard string }
	for body, want := range map[string]string{
		`{"dryrun": true}`:                  `unknown field "dryrun"`,
		`{"params": {"env": "production"}}`: "params.env: set by this webhook's trigger in config",
	} {
		if code := post("env-cleanup", "env-k3y", body, &e); code != 400 || !strings.Contains(e.Error, want) {
			t.Fatalf("%s: %d %+v", body, code, e)
		}
	}
	if code := post("env-cleanup", "env-k3y", `{"confirm": "production"}`, &e); code != 409 || e.Guard != "confirm" {
		t.Fatalf("wrong confirm: %d %+v", code, e)
	}
	if _, err := os.Stat(old); err != nil {
		t.Fatalf("a refused run deleted the file: %v", err)
	}
	var run runJSONT
	if code := post("env-cleanup", "env-k3y", `{"confirm": "staging"}`, &run); code != 201 {
		t.Fatalf("confirmed run: %d %+v", code, run)
	}
	h.eventually("the confirmed run ended", func() bool { return h.runWith(run.ID, readTok).Status == "succeeded" })
	if _, err := os.Stat(old); err == nil {
		t.Fatal("the confirmed run did not delete the old log")
	}
}

// doReq sends a prepared request and decodes its JSON answer.
func (h *harness) doReq(req *http.Request, out any) int {
	h.t.Helper()
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			h.t.Fatalf("%s %s: %d: %v", req.Method, req.URL.Path, resp.StatusCode, err)
		}
	}
	return resp.StatusCode
}
