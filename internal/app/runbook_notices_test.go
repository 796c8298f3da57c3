package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// runNoticesConfig reaches Vigil at a public address other than the one it
// listens on; every person and the ops channel are webhooks into sink.
func runNoticesConfig(sink string) string {
	return fmt.Sprintf(`
global: {external_url: "https://vigil.example.org/"}
tokens:
  - {id: ops, secret: %q, scopes: [read, operate], person: thach}
  - {id: glen, secret: %q, scopes: [read, operate], person: glen}
integrations: [{id: gen, type: generic, key: gen-k3y}]
people:
  - {id: thach, contacts: {webhook: %q}}
  - {id: glen, contacts: {webhook: %q}}
channels:
  - {id: ops, type: webhook, url: %q}
escalations:
  - {id: sre, steps: [{notify: [channel/ops]}]}
routes:
  - {escalation: sre, group_by: [alertname], group_wait: 0s}
services: [{id: shop}]
runbooks:
  - id: migrate
    guard: {approval: required, approvers: [person/glen]}
    steps: [{id: m, run: ["true"]}]
  - id: gated
    steps:
      - {id: ok, approve: {notify: [channel/ops]}}
      - {id: go, run: ["true"]}
  - id: flaky
    owner: person/thach
    guard: {circuit_breaker: {failures: 1, within: 1h}}
    steps: [{id: f, run: ["false"]}]
`, opsTok, glenTok, sink+"/thach", sink+"/glen", sink+"/ops")
}

// TestRunNoticesLinkToRunPages: the notices a run sends (asking for
// approval, the circuit breaker opening after it failed) link to the run's
// page at global.external_url, and an alert's notice links its runbook to
// the runbook's page made out for that alert.
func TestRunNoticesLinkToRunPages(t *testing.T) {
	sk := newSink(t)
	h := start(t, runNoticesConfig(sk.URL), "")
	const base = "https://vigil.example.org"
	startRun := func(runbook string) runJSONT {
		t.Helper()
		var run runJSONT
		if code := h.do("POST", "/api/v1/runbooks/"+runbook+"/runs", opsTok, strings.NewReader(`{}`), &run); code != 201 {
			t.Fatalf("start %s: %d %+v", runbook, code, run)
		}
		return run
	}

	// A person asked to approve gets a signed link that approves as them,
	// and the run's page.
	migrate := startRun("migrate")
	asked := sk.wait(t, "/glen", 1)[0].Message
	if !strings.HasPrefix(asked.URL, base+"/r/"+migrate.ID+"/approve?") {
		t.Errorf("glen's notice links to %q", asked.URL)
	}
	if !strings.HasPrefix(asked.Text, "Runbook migrate wants to run with {} and needs approval.") ||
		!strings.Contains(asked.Text, "\nThe run: "+base+"/runs/"+migrate.ID) {
		t.Errorf("glen's notice does not name the run's page: %q", asked.Text)
	}
	// The signed link's page leads to the run's page too.
	u, _ := url.Parse(asked.URL)
	resp, err := http.Get(h.url + u.Path + "?" + u.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<a href="/runs/`+migrate.ID+`" id="run-page">`) {
		t.Errorf("the approval link's page: %d %.1000s", resp.StatusCode, page)
	}

	// A channel asked at an approve step gets the run's page.
	gated := startRun("gated")
	var toOps string
	for _, d := range sk.wait(t, "/ops", 1) {
		if strings.Contains(d.Message.Title, "gated") {
			toOps = d.Message.URL
			mustContain(t, "the channel's notice", d.Message.Text, "The run: "+base+"/runs/"+gated.ID)
		}
	}
	if toOps != base+"/runs/"+gated.ID {
		t.Errorf("the channel's approval notice links to %q", toOps)
	}

	// A failed run opens the breaker; its owner is told, with the run's page.
	flaky := startRun("flaky")
	h.eventually("the run to fail", func() bool { return h.runWith(flaky.ID, opsTok).Status == "failed" })
	told := sk.wait(t, "/thach", 1)[0].Message
	if !strings.Contains(told.Title, "automatic runs stopped") || told.URL != base+"/runs/"+flaky.ID {
		t.Errorf("the breaker's notice: %q links to %q", told.Title, told.URL)
	}

	// An alert's notice: the alert's page, and its runbook's page with the
	// run form made out for the alert.
	id := h.raiseEvent("disk-full", "Disk full on db-1", "critical", "shop", "migrate")
	var alertNotice struct {
		Alerts []struct {
			URL     string `json:"url"`
			Runbook struct {
				URL string `json:"url"`
			} `json:"runbook"`
		} `json:"alerts"`
	}
	h.eventually("the alert's notice", func() bool {
		for _, d := range sk.deliveries("/ops") {
			if d.Message.Kind == "firing" {
				return json.Unmarshal(d.Body, &alertNotice) == nil
			}
		}
		return false
	})
	if len(alertNotice.Alerts) != 1 || alertNotice.Alerts[0].URL != fmt.Sprintf("%s/alerts/%d", base, id) ||
		alertNotice.Alerts[0].Runbook.URL != fmt.Sprintf("%s/runbooks/migrate?alert=%d", base, id) {
		t.Errorf("the alert's notice: %+v", alertNotice)
	}
}
