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

const ciToken = "c1-deploy-t0ken" // deployConfig's operate token

// deployConfig is the shop with a homepage check that verifies production
// deploys and a staging check that verifies staging ones; a failed
// verification pages the webhook sink and rolls back with a shell step
// that writes what it was given to rolledBack.
func deployConfig(prod, staging, sink, rolledBack string) string {
	return fmt.Sprintf(`
global: {external_url: "http://vigil.test"}
tokens:
  - {id: ci, secret: %[5]s, scopes: [operate]}
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
`, prod, staging, sink, rolledBack, ciToken)
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

			prod.status.Store(503)
			h.advance(time.Second)
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

			var paged *delivery
			h.eventually("the page", func() bool {
				for _, dl := range sk.deliveries("/pager") {
					for _, a := range dl.Message.Alerts {
						if a.ID == v.AlertID {
							paged = &dl
						}
					}
				}
				return paged != nil
			})
			want := fmt.Sprintf("Deploy %d of shop 2.0.0 to production failed verification: shop/home failed 2 times in a row", bad.ID)
			if paged.Message.Kind != "firing" || !strings.Contains(paged.Message.Alerts[0].Summary, want) ||
				paged.Message.Alerts[0].Severity != "critical" {
				t.Fatalf("paged: %+v", paged.Message)
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
	h.advance(time.Second)
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
	h.advance(time.Second)
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
