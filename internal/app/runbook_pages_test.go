package app

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runbookPagesConfig is a team of three who sign in with passwords: thach
// and glen (team dba) may operate, susan only read. Its runbooks clean up
// logs (params of every type), migrate (approval by dba) and drop a
// project (confirm), each leaving a file in dir when it really runs.
func runbookPagesConfig(t *testing.T, dir, hook string) string {
	return fmt.Sprintf(`
people:
  - {id: thach, name: Thach Duong, timezone: Asia/Ho_Chi_Minh, password_hash: %q, contacts: {webhook: %q}}
  - {id: glen, name: Glen Hart, password_hash: %q, contacts: {webhook: %q}}
  - {id: susan, name: Susan Reyes, password_hash: %q}
teams: [{id: dba, members: [thach, glen]}]
auth:
  access: [{team: dba, scopes: [operate]}]
tokens: [{id: root, secret: r00t-t0ken, scopes: [admin], person: thach}]
integrations: [{id: gen, type: generic, key: gen-k3y}]
services: [{id: shop}]
runbooks:
  - id: log-cleanup
    title: Clean up old logs
    owner: team/dba
    doc: |
      ## When
      The disk of **web-1** is over 90%%.

      1. Preview, check the paths.
      2. Run it.

      <script>document.title = "scripted"</script>
      [not a link](javascript:alert(1))
    on: [{manual: true}]
    params:
      - {name: host, pattern: "[a-z0-9.-]+", default: web-1, description: the host to clean}
      - {name: days, type: int, default: "14"}
      - {name: compress, type: bool, default: "true"}
      - {name: env, enum: [staging, production], default: staging}
      - {name: keep, type: duration, default: 24h}
      - {name: dirs, type: list, default: "app,nginx"}
    guard: {max_runs: 5, per: 1h, concurrency: 1}
    steps:
      - {id: show, run: [echo, "cleaning {{ .params.host }} older than {{ .params.days }}d in {{ .params.dirs }}"]}
      - {id: mark, run: [touch, "%s/cleaned-{{ .params.host }}"]}
  - id: migrate
    title: Run the production migrations
    params: [{name: release, pattern: "[0-9.]+"}]
    guard: {approval: required, approvers: [team/dba]}
    steps:
      - {id: migrate, run: [touch, "%s/migrated-{{ .params.release }}"]}
      - {id: tell, notify: [person/glen], message: "release {{ .params.release }} migrated"}
  - id: drop-project
    title: Drop a project
    params: [{name: project, pattern: "[a-z-]+"}]
    guard: {confirm: "{{ .params.project }}"}
    steps: [{id: drop, run: [touch, "%s/dropped-{{ .params.project }}"]}]
`, hashOf(t, "thach-password"), hook+"/thach", hashOf(t, "glen-password"), hook+"/glen", hashOf(t, "susan-password"), dir, dir, dir)
}

// runsOfBook lists a runbook's runs through the API, newest first.
func runsOfBook(h *harness, runbook string) []runJSONT {
	h.t.Helper()
	var runs []runJSONT
	if code := h.do("GET", "/api/v1/runs?runbook="+runbook, "", nil, &runs); code != 200 {
		h.t.Fatalf("GET runs of %s: %d", runbook, code)
	}
	return runs
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

var previewRe = regexp.MustCompile(`name="preview" value="(r_[a-z0-9]+)"`)

// TestRunbookFormsOverHTTP: the forms as a browser without JavaScript posts
// them. Values the browser did not check are checked by the server (400,
// every field's problem named, nothing run); a form without the session's
// CSRF token, or from a reader, is 403 and runs nothing; a real run needs
// a preview of one's own; the audit log pages newest first.
func TestRunbookFormsOverHTTP(t *testing.T) {
	dir := t.TempDir()
	h := start(t, runbookPagesConfig(t, dir, "http://127.0.0.1:1"), "")
	thach := h.visitor()
	thach.login("thach", "thach-password")
	csrf := thach.csrf("/runbooks/log-cleanup")

	bad := thach.post("/runbooks/log-cleanup/runs", url.Values{"csrf": {csrf}, "mode": {"preview"},
		"p.host": {"-oProxyCommand=x"}, "p.days": {"a week"}, "p.env": {"prod"}, "p.keep": {"soon"}, "p.dirs": {""}})
	if bad.Status != http.StatusBadRequest {
		t.Fatalf("bad values: %d %.500s", bad.Status, bad.Body)
	}
	mustContain(t, "problems", bad.Body, "Some values were refused; nothing ran.",
		`&#34;-oProxyCommand=x&#34; does not match [a-z0-9.-]&#43;`, `&#34;a week&#34; is not an integer`,
		`&#34;prod&#34; is not one of staging, production`, `Invalid duration &#34;soon&#34;`, `value="-oProxyCommand=x"`)
	if runs := runsOfBook(h, "log-cleanup"); len(runs) != 0 {
		t.Fatalf("refused values made runs: %+v", runs)
	}

	for name, form := range map[string]url.Values{
		"no csrf":    {"mode": {"preview"}},
		"wrong csrf": {"mode": {"preview"}, "csrf": {"x" + csrf}},
	} {
		if r := thach.post("/runbooks/log-cleanup/runs", form); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "nothing was changed") {
			t.Errorf("%s: %d %.300s", name, r.Status, r.Body)
		}
	}
	susan := h.visitor()
	susan.login("susan", "susan-password")
	if r := susan.post("/runbooks/log-cleanup/runs", url.Values{"csrf": {susan.csrf("/runbooks/log-cleanup")}, "mode": {"preview"}}); r.Status != http.StatusForbidden ||
		!strings.Contains(r.Body, "needs the operate scope") {
		t.Errorf("reader: %d %.300s", r.Status, r.Body)
	}
	if runs := runsOfBook(h, "log-cleanup"); len(runs) != 0 {
		t.Fatalf("refused forms made runs: %+v", runs)
	}

	// A preview, then the real run from it; nobody else may run it.
	ok := thach.post("/runbooks/log-cleanup/runs", url.Values{"csrf": {csrf}, "mode": {"preview"}, "p.host": {"web-2"}, "p.days": {""},
		"p.compress": {"false", "true"}})
	if ok.Status != http.StatusSeeOther || !strings.HasPrefix(ok.Location, "/runbooks/log-cleanup?preview=r_") {
		t.Fatalf("preview: %d %q %.300s", ok.Status, ok.Location, ok.Body)
	}
	page := thach.get(ok.Location)
	mustContain(t, "preview", page.Body, "cleaning web-2 older than 14d in [app nginx]", "The guards would let a real run through now.", "PARAM_COMPRESS=true")
	m := previewRe.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no run button on the preview: %.2000s", page.Body)
	}
	if exists(filepath.Join(dir, "cleaned-web-2")) {
		t.Fatal("the preview ran the step")
	}
	glen := h.visitor()
	glen.login("glen", "glen-password")
	if r := glen.post("/runbooks/log-cleanup/runs", url.Values{"csrf": {glen.csrf("/runbooks/log-cleanup")}, "mode": {"run"}, "preview": {m[1]}}); r.Status != http.StatusForbidden ||
		!strings.Contains(r.Body, "this preview is person/thach&#39;s") {
		t.Errorf("glen ran thach's preview: %d %.300s", r.Status, r.Body)
	}
	if r := thach.post("/runbooks/migrate/runs", url.Values{"csrf": {csrf}, "mode": {"run"}, "preview": {m[1]}}); r.Status != http.StatusBadRequest {
		t.Errorf("a preview of another runbook: %d %.300s", r.Status, r.Body)
	}
	run := thach.post("/runbooks/log-cleanup/runs", url.Values{"csrf": {csrf}, "mode": {"run"}, "preview": {m[1]}})
	if run.Status != http.StatusSeeOther || !strings.HasPrefix(run.Location, "/runs/r_") {
		t.Fatalf("run: %d %q %.300s", run.Status, run.Location, run.Body)
	}
	id := strings.TrimPrefix(run.Location, "/runs/")
	h.eventually("the run to finish", func() bool { return h.runWith(id, "").Status == "succeeded" })
	if !exists(filepath.Join(dir, "cleaned-web-2")) {
		t.Fatal("the real run did not run")
	}
	done := thach.get(run.Location)
	mustContain(t, "run page", done.Body, "Started run "+id+" of log-cleanup.", "cleaning web-2 older than 14d in [app nginx]", "succeeded")
	if strings.Contains(done.Body, "/static/run.js") {
		t.Error("a finished run's page follows it live")
	}

	// From an alert: the runs are the alert's, and their pages link to it
	// and to the incident it is part of.
	if c, body := h.post("/api/v1/events", "gen-k3y", "application/json",
		[]byte(`{"key":"disk-web-9","summary":"Disk full on web-9","severity":"critical","service":"shop","runbook":"log-cleanup"}`)); c != 200 {
		t.Fatalf("alert: %d %v", c, body)
	}
	mustContain(t, "alert page", thach.get("/alerts/1").Body, `href="/runbooks/log-cleanup?alert=1" id="run-form-link"`)
	var in struct{ ID int64 }
	if code := h.do("POST", "/api/v1/incidents", "r00t-t0ken", strings.NewReader(`{"title":"Disks filling up","severity":"SEV2","alert_ids":[1]}`), &in); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	form := thach.get("/runbooks/log-cleanup?alert=1")
	mustContain(t, "form for an alert", form.Body, `For alert <a href="/alerts/1">#1 Disk full on web-9</a>`, `name="alert" value="1"`)
	fromAlert := thach.post("/runbooks/log-cleanup/runs", url.Values{"csrf": {csrf}, "mode": {"preview"}, "alert": {"1"}, "p.host": {"web-9"}})
	m = previewRe.FindStringSubmatch(thach.get(fromAlert.Location).Body)
	if m == nil {
		t.Fatalf("preview for the alert: %d %q", fromAlert.Status, fromAlert.Location)
	}
	real := thach.post("/runbooks/log-cleanup/runs", url.Values{"csrf": {csrf}, "mode": {"run"}, "preview": {m[1]}})
	alertRun := strings.TrimPrefix(real.Location, "/runs/")
	if got := h.runWith(alertRun, ""); got.AlertID != 1 {
		t.Fatalf("the run from the alert's form is for alert %d", got.AlertID)
	}
	mustContain(t, "run of an alert", thach.get(real.Location).Body, `href="/alerts/1" id="alert-link">#1 Disk full on web-9</a>`,
		fmt.Sprintf(`href="/incidents/%d" class="incident-link"`, in.ID))
	if r := thach.get("/runbooks/log-cleanup?alert=99"); r.Status != http.StatusNotFound {
		t.Errorf("a missing alert: %d", r.Status)
	}

	// The audit log, newest first, a page at a time.
	for i := 0; i < 100; i++ {
		if code := h.do("POST", "/api/v1/runbooks/log-cleanup/runs", "r00t-t0ken", strings.NewReader(`{"dry_run": true}`), nil); code != 200 {
			t.Fatalf("dry run %d: %d", i, code)
		}
	}
	first := thach.get("/audit?runbook=log-cleanup")
	if got := strings.Count(first.Body, "<tr><td><time"); got != 100 {
		t.Fatalf("first page: %d entries", got)
	}
	older := regexp.MustCompile(`href="(/audit\?[^"]+)" id="older"`).FindStringSubmatch(first.Body)
	if older == nil {
		t.Fatalf("no link to older entries")
	}
	next := thach.get(strings.ReplaceAll(older[1], "&amp;", "&"))
	mustContain(t, "second page", next.Body, "run.triggered", "run.dry_run", "person/thach", `href="/runs/`+id+`"`)
	if strings.Contains(next.Body, `id="older"`) || strings.Count(next.Body, "<tr><td><time") < 3 {
		t.Errorf("second page: %.2000s", next.Body)
	}
	byRun := thach.get("/audit?run=" + id)
	if n := strings.Count(byRun.Body, "<tr><td><time"); n != 2 || !strings.Contains(byRun.Body, "run.finished") {
		t.Errorf("the run's entries: %d %.2000s", n, byRun.Body)
	}
	if r := thach.get("/audit?since=yesterday"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "is not a time") {
		t.Errorf("bad since: %d", r.Status)
	}
	if r := thach.get("/runs?trigger=cron"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "trigger: one of manual") {
		t.Errorf("bad trigger: %d", r.Status)
	}
}

// TestRunDenyCLI: vigil run deny cancels a run waiting for approval,
// naming who denied it; its starter may withdraw it so, and a run no
// longer waiting cannot be denied.
func TestRunDenyCLI(t *testing.T) {
	dir := t.TempDir()
	h := start(t, runbookPagesConfig(t, dir, "http://127.0.0.1:1"), "")
	var run runJSONT
	if code := h.do("POST", "/api/v1/runbooks/migrate/runs", "r00t-t0ken", strings.NewReader(`{"params":{"release":"4.0"}}`), &run); code != 201 || run.Status != "awaiting_approval" {
		t.Fatalf("start: %d %+v", code, run)
	}
	code, out, errOut := runCLI(t, "run", "deny", run.ID, "--comment", "wrong release", "--server", h.url, "--token", "r00t-t0ken")
	if code != 0 || !strings.Contains(out, "run "+run.ID+" denied; it is canceled") {
		t.Fatalf("deny: %d %q %q", code, out, errOut)
	}
	h.eventually("the run canceled", func() bool { return h.runWith(run.ID, "").Status == "canceled" })
	if got := h.runWith(run.ID, ""); got.Reason != "denied by person/thach (token/root): wrong release" || exists(filepath.Join(dir, "migrated-4.0")) {
		t.Fatalf("denied run: %+v", got)
	}
	if code, _, errOut := runCLI(t, "run", "deny", run.ID, "--server", h.url, "--token", "r00t-t0ken"); code == 0 || !strings.Contains(errOut, "not waiting for approval") {
		t.Fatalf("deny again: %d %q", code, errOut)
	}
}
