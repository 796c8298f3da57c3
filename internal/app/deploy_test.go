package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store/storetest"
)

const (
	ciToken       = "c1-deploy-t0ken"                 // deployConfig's operate token
	shopDeployKey = "sh0p-d3ploy-key"                 // deployConfig's deploy integration, for shop only
	changeKey     = "R0UT1NGKEY0F0URBU1LDSERVERXXXXX" // deployConfig's pagerduty integration, for shop
)

// deployConfig is the shop with a homepage check that verifies production
// deploys and a staging check that verifies staging ones; a failed
// verification pages the webhook sink and rolls back with a shell step
// that writes what it was given to rolledBack.
func deployConfig(prod, staging, sink, rolledBack string) string {
	return fmt.Sprintf(`
global: {external_url: "http://vigil.test"}
tokens:
  - {id: ci, secret: %[5]s, scopes: [operate]}
integrations:
  - {id: shop-ci, type: deploy, key: %[6]s, service: shop}
  - {id: builds, type: pagerduty, key: %[7]s, service: shop}
channels:
  - {id: pager, type: webhook, url: "%[3]s/pager"}
escalations:
  - {id: sre, steps: [{notify: [channel/pager]}]}
routes:
  - {group_wait: 0s, group_by: [alertname]}
time_intervals:
  - {id: weekend, weekdays: [saturday, sunday]}
maintenance:
  - {id: db-move, match: {service: shop}, start: "2026-11-25T22:00:00", duration: 2h}
runbooks:
  - id: rollback
    title: Roll the shop back
    params:
      - {name: service}
      - {name: environment}
      - {name: previous_version, default: none}
    steps:
      - {id: back, shell: 'echo "$PARAM_SERVICE $PARAM_ENVIRONMENT $PARAM_PREVIOUS_VERSION" > %[4]q'}
services:
  - id: shop
    escalation: sre
    incident: {auto_severity: critical, severity: SEV2}
    checks:
      - {id: home, http: {url: %[1]q}, every: 10s, timeout: 2s, fail_after: 2, severity: critical, acceptance: true}
      - {id: stg-home, http: {url: %[2]q}, every: 10s, timeout: 2s, fail_after: 2, acceptance: true, labels: {environment: staging}}
    deploy:
      verify_within: 1m
      on_failure: runbook/rollback
      promote_from: [staging]
      freeze: [weekend, db-move]
  - id: docs
`, prod, staging, sink, rolledBack, ciToken, shopDeployKey, changeKey)
}

type deployJSON struct {
	ID           int64  `json:"id"`
	Service      string `json:"service"`
	Version      string `json:"version"`
	Environment  string `json:"environment"`
	ReleaseID    int64  `json:"release_id"`
	Status       string `json:"status"`
	By           string `json:"by"`
	Source       string `json:"source"`
	Verification *struct {
		Status      string `json:"status"`
		Reason      string `json:"reason"`
		AlertID     int64  `json:"alert_id"`
		RollbackRun string `json:"rollback_run"`
		Checks      []struct {
			Check   string `json:"check"`
			Status  string `json:"status"`
			Results int    `json:"results"`
			Reason  string `json:"reason"`
		} `json:"checks"`
	} `json:"verification"`
	Commits []struct {
		SHA string    `json:"sha"`
		At  time.Time `json:"at"`
	} `json:"commits"`
}

// guardDecision is the deploy guard's answer.
type guardDecision struct {
	Allowed bool `json:"allowed"`
	Reasons []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"reasons"`
	Notes []string `json:"notes"`
	Error string   `json:"error"`
	Code  string   `json:"code"`
}

// recordDeploy posts a deploy as CI would and returns it.
func (h *harness) recordDeploy(body string) deployJSON {
	h.t.Helper()
	var d deployJSON
	if code := h.do("POST", "/api/v1/deploys", ciToken, strings.NewReader(body), &d); code != 201 {
		h.t.Fatalf("POST deploy %s: %d", body, code)
	}
	return d
}

func (h *harness) deploy(id int64) deployJSON {
	h.t.Helper()
	var d deployJSON
	if code := h.do("GET", fmt.Sprintf("/api/v1/deploys/%d", id), "", nil, &d); code != 200 {
		h.t.Fatalf("GET deploy %d: %d", id, code)
	}
	return d
}

// waitVerdict waits for a deploy's verification to have a verdict.
func (h *harness) waitVerdict(id int64) deployJSON {
	h.t.Helper()
	var d deployJSON
	h.eventually(fmt.Sprintf("deploy %d verified", id), func() bool {
		d = h.deploy(id)
		return d.Verification != nil && d.Verification.Status != "pending"
	})
	return d
}

// TestDeployVerificationPagesAndRollsBack: a deploy to production runs
// the acceptance check at once and passes; the next one, of a broken
// build, fails it twice in a row, which raises an alert naming the deploy
// that pages the webhook sink, and starts the rollback runbook with the
// deploy's service, environment and the version to go back to. The
// staging check does not verify production deploys. A later good deploy
// resolves the alert.
func TestDeployVerificationPagesAndRollsBack(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			prod, staging, sk := newTarget(t), newTarget(t), newSink(t)
			rolled := filepath.Join(t.TempDir(), "rolled-back")
			h := start(t, deployConfig(prod.URL, staging.URL, sk.URL, rolled), e.Fresh(t))
			h.advance(time.Second)

			good := h.recordDeploy(`{"service":"shop","version":"1.0.0","environment":"production","by":"jay"}`)
			if good.Verification == nil || len(good.Verification.Checks) != 1 || good.Verification.Checks[0].Check != "shop/home" ||
				good.By != "jay (token/ci)" || good.Status != "succeeded" || good.Source != "api" {
				t.Fatalf("recorded: %+v", good)
			}
			if v := h.waitVerdict(good.ID).Verification; v.Status != "passed" || v.Reason != "the check passed" || v.AlertID != 0 {
				t.Fatalf("good deploy: %+v", v)
			}

			// A whole interval, its scheduled probe done: none falls due
			// while the deploy's own probe runs, so the deploy has one result.
			prod.status.Store(503)
			h.step(10*time.Second, "shop/home")
			bad := h.recordDeploy(`{"service":"shop","version":"2.0.0","environment":"production",
				"commits":[{"sha":"9f1c2e","at":"2026-11-23T08:30:00Z"}]}`)
			h.eventually("the first result of the bad deploy", func() bool {
				v := h.deploy(bad.ID).Verification
				return v.Checks[0].Results == 1
			})
			if v := h.deploy(bad.ID).Verification; v.Status != "pending" {
				t.Fatalf("one failure of a fail_after: 2 check decided: %+v", v)
			}
			h.advance(10 * time.Second) // the next scheduled probe fails too
			d := h.waitVerdict(bad.ID)
			v := d.Verification
			if v.Status != "failed" || !strings.HasPrefix(v.Reason, "shop/home failed 2 times in a row: ") || v.Checks[0].Results != 2 {
				t.Fatalf("bad deploy: %+v", v)
			}
			h.eventually("the alert and the rollback are noted", func() bool {
				v := h.deploy(bad.ID).Verification
				return v.AlertID != 0 && v.RollbackRun != ""
			})
			v = h.deploy(bad.ID).Verification

			// The page may share its message with the check's own alert's
			// (the outbox sends a destination's pending notifications together).
			var kind, summary, severity string
			h.eventually("the page", func() bool {
				for _, dl := range sk.deliveries("/pager") {
					for _, a := range dl.Message.Alerts {
						if a.ID == v.AlertID {
							kind, summary, severity = dl.Message.Kind, a.Summary, a.Severity
						}
					}
				}
				return kind != ""
			})
			want := fmt.Sprintf("Deploy %d of shop 2.0.0 to production failed verification: shop/home failed 2 times in a row", bad.ID)
			if kind != "firing" || !strings.Contains(summary, want) || severity != "critical" {
				t.Fatalf("paged: %s %q %s", kind, summary, severity)
			}
			a := h.alert(v.AlertID)
			if a.Labels["deploy"] != fmt.Sprint(bad.ID) || a.Labels["version"] != "2.0.0" || a.Labels["service"] != "shop" ||
				a.Labels["alertname"] != "DeployVerificationFailed" || a.Service != "shop" {
				t.Fatalf("alert labels: %+v", a)
			}

			run := h.runWith(v.RollbackRun, "")
			h.eventually("the rollback ran", func() bool { run = h.run(v.RollbackRun); return run.Status == "succeeded" })
			if run.Runbook != "rollback" || run.Trigger != "alert" || run.AlertID != v.AlertID || run.TriggeredBy != fmt.Sprintf("deploy/%d", bad.ID) {
				t.Fatalf("rollback run: %+v", run)
			}
			got, err := os.ReadFile(rolled)
			if err != nil || string(got) != "shop production 1.0.0\n" {
				t.Fatalf("the rollback was given %q (%v)", got, err)
			}

			// The fix passes, and the alert of the failure resolves.
			prod.status.Store(200)
			h.advance(time.Second)
			fix := h.recordDeploy(`{"service":"shop","version":"2.0.1","environment":"production"}`)
			if v := h.waitVerdict(fix.ID).Verification; v.Status != "passed" {
				t.Fatalf("fix: %+v", v)
			}
			h.eventually("the failure's alert resolved", func() bool { return h.alert(v.AlertID).Status == "resolved" })
			if by := h.alert(v.AlertID).ResolvedBy; by != fmt.Sprintf("deploy/%d", fix.ID) {
				t.Fatalf("resolved by %q", by)
			}

			// A staging deploy is verified by the staging check only; docs has no checks to verify with.
			stg := h.recordDeploy(`{"service":"shop","version":"3.0.0","environment":"staging"}`)
			if len(stg.Verification.Checks) != 1 || stg.Verification.Checks[0].Check != "shop/stg-home" {
				t.Fatalf("staging verified by %+v", stg.Verification)
			}
			if docs := h.recordDeploy(`{"service":"docs","version":"1","environment":"production"}`); docs.Verification != nil {
				t.Fatalf("docs has a verification: %+v", docs.Verification)
			}
		})
	}
}

// TestDeployVerificationSurvivesRestart: a verification pending when Vigil
// stops resumes at the next start with the results it had, and passes on
// a fresh probe; one whose deadline passed while Vigil was stopped is
// decided by one probe at start (its second failure in a row), and rolls
// back to the version that passed before.
func TestDeployVerificationSurvivesRestart(t *testing.T) {
	prod, staging, sk := newTarget(t), newTarget(t), newSink(t)
	rolled := filepath.Join(t.TempDir(), "rolled-back")
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "vigil.db")
	h := start(t, deployConfig(prod.URL, staging.URL, sk.URL, rolled), dsn)
	// A whole interval, its scheduled probe done: none falls due while the
	// deploy's own probe runs, so the deploy has exactly one result.
	h.step(10*time.Second, "shop/home")
	prod.status.Store(503)
	first := h.recordDeploy(`{"service":"shop","version":"2.0.0","environment":"production"}`)
	h.eventually("one failing result", func() bool { return h.deploy(first.ID).Verification.Checks[0].Results == 1 })
	h.stop()

	prod.status.Store(200)
	h = startAt(t, h.cfg, dsn, h.clock)
	d := h.waitVerdict(first.ID)
	if v := d.Verification; v.Status != "passed" || v.Checks[0].Results < 2 {
		t.Fatalf("resumed: %+v", v)
	}

	prod.status.Store(503)
	h.step(10*time.Second, "shop/home")
	second := h.recordDeploy(`{"service":"shop","version":"2.0.1","environment":"production"}`)
	h.eventually("one failing result", func() bool { return h.deploy(second.ID).Verification.Checks[0].Results == 1 })
	h.stop()
	h.clock.Advance(2 * time.Minute) // past verify_within while stopped
	h = startAt(t, h.cfg, dsn, h.clock)
	d = h.waitVerdict(second.ID)
	if v := d.Verification; v.Status != "failed" || v.Reason != "shop/home failed 2 times in a row: status >= 200 && status < 400 failed (status=503)" {
		t.Fatalf("decided at start: %+v", v)
	}
	h.eventually("the rollback of the late verdict", func() bool {
		v := h.deploy(second.ID).Verification
		return v.RollbackRun != "" && h.run(v.RollbackRun).Status == "succeeded"
	})
	if got, _ := os.ReadFile(rolled); string(got) != "shop production 2.0.0\n" {
		t.Fatalf("rolled back to %q", got)
	}
}

// TestDeployInputErrors: a deploy for a release the service does not have
// is a 400 naming the field, as are unknown fields, unknown services,
// bad times and bad commits, every problem at once; a read token cannot
// record; nothing half-written stays.
func TestDeployInputErrors(t *testing.T) {
	prod, staging, sk := newTarget(t), newTarget(t), newSink(t)
	h := start(t, deployConfig(prod.URL, staging.URL, sk.URL, filepath.Join(t.TempDir(), "r")), "")
	type apiErr struct {
		Error    string `json:"error"`
		Code     string `json:"code"`
		Problems []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	post := func(token, body string) (int, apiErr) {
		var e apiErr
		code := h.do("POST", "/api/v1/deploys", token, strings.NewReader(body), &e)
		return code, e
	}
	code, e := post(ciToken, `{"service":"shop","version":"2.0.0","environment":"production","release":"9.9.9"}`)
	if code != 400 || e.Code != "invalid" || len(e.Problems) != 1 || e.Problems[0].Field != "release" ||
		e.Error != `release: no release "9.9.9" of service shop (give its id or version)` {
		t.Fatalf("unknown release: %d %+v", code, e)
	}
	code, e = post(ciToken, `{"service":"shop","version":"2.0.0","environment":"production","relase":"2"}`)
	if code != 400 || !strings.Contains(e.Error, `unknown field "relase"`) {
		t.Fatalf("unknown field: %d %+v", code, e)
	}
	code, e = post(ciToken, `{"service":"cart","environment":"","at":"yesterday","status":"done",
		"commits":[{"sha":"","at":"2026-11-23T08:00:00Z"},{"sha":"abc","at":"2026-11-24T08:00:00Z"},{"sha":"has space"}]}`)
	fields := []string{}
	for _, p := range e.Problems {
		fields = append(fields, p.Field+": "+p.Message)
	}
	want := []string{`service: unknown service "cart"`, "environment: is required",
		`at: "yesterday" is not an RFC 3339 time (like 2026-11-27T22:00:00Z)`, `status: "done" is not one of succeeded, failed, rolled_back`,
		"version: is required (or name a release)", "commits[0].sha: is required",
		"commits[1].at: 2026-11-24T08:00:00Z must not be in the future (latest 2026-11-23T09:05:00Z)",
		"commits[2].sha: must be at most 64 characters without spaces", "commits[2].at: is required: when the commit was made"}
	if code != 400 || strings.Join(fields, "\n") != strings.Join(want, "\n") {
		t.Fatalf("every problem at once: %d\n%s", code, strings.Join(fields, "\n"))
	}
	if code, _ = post("", `{"service":"shop","version":"1","environment":"production"}`); code != 403 {
		t.Fatalf("a read token recorded a deploy: %d", code)
	}
	if code, _ = post(anonymous, `{"service":"shop","version":"1","environment":"production"}`); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	big := `{"service":"shop","version":"1","environment":"production","notes":"` + strings.Repeat("x", 300<<10) + `"}`
	if code, e = post(ciToken, big); code != 413 {
		t.Fatalf("oversized: %d %+v", code, e)
	}
	var all []deployJSON
	h.do("GET", "/api/v1/deploys", "", nil, &all)
	if len(all) != 0 {
		t.Fatalf("refused deploys were stored: %+v", all)
	}
	if code := h.do("GET", "/api/v1/deploys/1", "", nil, nil); code != 404 {
		t.Fatalf("GET a deploy that does not exist: %d", code)
	}
}

// TestDeployGuard: the guard refuses a version that has not passed in
// staging, then allows it once it has; refuses an unpinned image; refuses
// with a SEV1 open and allows once it is resolved (staging, where versions
// prove themselves, is never held up); refuses during a maintenance
// window and on the weekend, naming every reason at once; audits each
// decision. A deploy integration's key asks for its own service only.
func TestDeployGuard(t *testing.T) {
	prod, staging, sk := newTarget(t), newTarget(t), newSink(t)
	h := start(t, deployConfig(prod.URL, staging.URL, sk.URL, filepath.Join(t.TempDir(), "r")), "")
	cli := func(args ...string) (int, string) {
		code, out, errOut := runCLI(t, append(append([]string{"deploy", "check"}, args...), "--server", h.url, "--token", ciToken)...)
		return code, out + errOut
	}
	ask := func(token, body string) (int, guardDecision) {
		var d guardDecision
		code := h.do("POST", "/api/v1/deploys/check", token, strings.NewReader(body), &d)
		return code, d
	}
	reasons := func(d guardDecision) string {
		var rs []string
		for _, r := range d.Reasons {
			rs = append(rs, r.Code+": "+r.Message)
		}
		return strings.Join(rs, "\n")
	}

	code, out := cli("--service", "shop", "--version", "2.0.0")
	if code != 1 || out != "refused: shop 2.0.0 to production may not go ahead now\n"+
		"  - unverified: shop 2.0.0 has not passed verification in staging (it passed nowhere)\n" {
		t.Fatalf("unverified: %d %q", code, out)
	}
	stg := h.recordDeploy(`{"service":"shop","version":"2.0.0","environment":"staging"}`)
	if v := h.waitVerdict(stg.ID).Verification; v.Status != "passed" {
		t.Fatalf("staging: %+v", v)
	}
	if code, out = cli("--service", "shop", "--version", "2.0.0", "--image", "registry.example/shop:2.0.0",
		"--image", "registry.example/sidecar@sha256:9f86d081884c7d65"); code != 0 || out != "allowed: shop 2.0.0 to production may go ahead\n" {
		t.Fatalf("allowed: %d %q", code, out)
	}
	code, d := ask(ciToken, `{"service":"shop","version":"2.0.0","images":["registry.example/shop:latest","localhost:5000/shop"]}`)
	if code != 409 || d.Allowed || d.Code != "conflict" || !strings.HasPrefix(d.Error, "deploy not allowed now: image registry.example/shop:latest") ||
		reasons(d) != "unpinned_image: image registry.example/shop:latest uses the latest tag; pin a version tag or a digest\n"+
			"unpinned_image: image localhost:5000/shop has no tag, so it runs whatever :latest is at the time; pin a version tag or a digest" {
		t.Fatalf("unpinned: %d %+v", code, d)
	}

	var in struct {
		ID int64 `json:"id"`
	}
	if code := h.do("POST", "/api/v1/incidents", ciToken, strings.NewReader(`{"title":"Checkout down","severity":"SEV1","services":["shop"]}`), &in); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	code, d = ask(ciToken, `{"service":"shop","version":"2.0.0"}`)
	if code != 409 || reasons(d) != fmt.Sprintf("incident: incident #%d (SEV1, investigating) is open on shop: Checkout down", in.ID) {
		t.Fatalf("SEV1 open: %d %+v", code, d)
	}
	if code, d = ask(ciToken, `{"service":"shop","version":"2.1.0","environment":"staging"}`); code != 200 || !d.Allowed {
		t.Fatalf("staging during the incident: %d %+v", code, d)
	}
	if code := h.do("POST", fmt.Sprintf("/api/v1/incidents/%d/status", in.ID), ciToken, strings.NewReader(`{"status":"resolved"}`), nil); code != 200 {
		t.Fatalf("resolve: %d", code)
	}
	if code, _ = ask(ciToken, `{"service":"shop","version":"2.0.0"}`); code != 200 {
		t.Fatalf("after the incident: %d", code)
	}

	h.advance(2*24*time.Hour + 13*time.Hour + 30*time.Minute) // Wednesday 22:30, in db-move
	if code, d = ask(ciToken, `{"service":"shop","version":"2.0.0"}`); code != 409 ||
		reasons(d) != "freeze: deploys of shop are frozen during maintenance window db-move, until 2026-11-26T00:00:00Z" {
		t.Fatalf("maintenance: %d %+v", code, d)
	}
	h.advance(2*24*time.Hour + 12*time.Hour) // Saturday 10:30
	h.do("POST", "/api/v1/incidents", ciToken, strings.NewReader(`{"title":"Slow search","severity":"SEV2","services":["shop"]}`), &in)
	code, out = cli("--service", "shop", "--version", "2.0.1", "--image", "shop")
	if code != 1 || !strings.Contains(out, "  - freeze: deploys of shop are frozen during time interval weekend\n") ||
		!strings.Contains(out, "(SEV2, investigating) is open on shop: Slow search\n") ||
		!strings.Contains(out, "  - unverified: shop 2.0.1 has not passed verification in staging (it passed nowhere)\n") ||
		!strings.Contains(out, "  - unpinned_image: image shop has no tag") {
		t.Fatalf("every reason at once: %d\n%s", code, out)
	}

	// A deploy key asks for its own service only; a read token may not ask.
	if code, d = ask(shopDeployKey, `{"service":"docs","version":"1"}`); code != 403 {
		t.Fatalf("deploy key for another service: %d %+v", code, d)
	}
	if code, _ = ask(shopDeployKey, `{"service":"shop","version":"2.0.0","environment":"staging"}`); code != 200 {
		t.Fatalf("deploy key: %d", code)
	}
	if code, _ = ask("", `{"service":"shop","version":"2.0.0"}`); code != 403 {
		t.Fatalf("read token: %d", code)
	}
	if code, d = ask(ciToken, `{"service":"cart","version":""}`); code != 400 || d.Error != `service: unknown service "cart"; version: is required` {
		t.Fatalf("bad request: %d %+v", code, d)
	}

	var audit []struct {
		Actor  string `json:"actor"`
		Action string `json:"action"`
		Detail string `json:"detail"`
	}
	h.do("GET", "/api/v1/audit", "", nil, &audit)
	var seen []string
	for _, a := range audit {
		if strings.HasPrefix(a.Action, "deploy.") {
			seen = append(seen, a.Action+" "+a.Actor+" "+a.Detail)
		}
	}
	all := strings.Join(seen, "\n")
	mustContain(t, "audit", all, "deploy.refused token/ci shop 2.0.0 to production: shop 2.0.0 has not passed verification in staging",
		"deploy.allowed token/ci shop 2.0.0 to production", "deploy.allowed integration/shop-ci shop 2.0.0 to staging")
	if len(seen) != 9 { // every answered question; the 403 and the 400 were not decisions
		t.Fatalf("%d decisions audited, want 9:\n%s", len(seen), all)
	}
}
