package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// alertPagesConfig: a failing check, a route that pages at once, a runbook
// alerts can name, and people: olga signs in through the provider (her
// group grants respond and operate), susan with a password and may only
// look.
func alertPagesConfig(t *testing.T, op *provider) string {
	return peopleConfigWith(t, "  - {id: olga, name: Olga Petrova, timezone: Asia/Ho_Chi_Minh, contacts: {email: olga@example.com}}\n") + `
channels: [{id: console, type: console}]
escalations: [{id: ops, steps: [{notify: [channel/console]}]}]
routes: [{escalation: ops, group_by: [alertname], group_wait: 0s}]
schedules:
  - id: primary
    rotations: [{id: weekly, members: [olga, glen], length: 7d, start: "2026-11-23T09:00:00"}]
runbooks:
  - id: disk-cleanup
    title: Disk filling up
    doc: Find the biggest logs, then rotate them.
    on: [{manual: true}]
    steps: [{id: df, run: [df, -h]}]
auth:
` + op.oidcConfig("") + `  access:
    - {oidc_group: responders, scopes: [operate]}
`
}

// raiseEvent opens an alert with labels and a runbook.
func (h *harness) raiseEvent(key, summary, severity, service, runbook string) int64 {
	h.t.Helper()
	code, body := h.post("/api/v1/events", "gen-k3y", "application/json", []byte(fmt.Sprintf(
		`{"key":%q,"summary":%q,"severity":%q,"service":%q,"runbook":%q,"labels":{"alertname":%q,"host":"db-1"}}`,
		key, summary, severity, service, runbook, key)))
	if code != 200 {
		h.t.Fatalf("raise %s: %d %v", key, code, body)
	}
	return int64(body["alerts"].([]any)[0].(map[string]any)["alert_id"].(float64))
}

// TestAlertPagesInBrowser drives the alert and silence pages and the
// wallboard as responders do: sign in through single sign-on, filter,
// acknowledge from the list, several at once, silence from an alert,
// declare an incident, dry-run the runbook, and the same on a phone. A
// person who may only look sees why the buttons are off, and posting anyway
// changes nothing.
func TestAlertPagesInBrowser(t *testing.T) {
	chromium := findChromium(t)
	op := startProvider(t, opUser{ID: "u1", Username: "olga", Password: "olga-at-idp", Email: "olga@example.com", Groups: []string{"responders"}})
	cfg := strings.Replace(alertPagesConfig(t, op), "services: [{id: shop}, {id: dns}]",
		"services:\n  - {id: shop, checks: [{id: db, tcp: {address: \"127.0.0.1:1\"}, every: 30s, fail_after: 1}]}\n  - {id: dns}", 1)
	h := start(t, cfg, "")
	op.register("vigil", "vigil-s3cret", h.url+"/login/oidc/callback")
	disk := h.raiseEvent("disk", "Disk filling on db-1", "critical", "shop", "disk-cleanup")
	dnsA := h.raiseEvent("dns", "DNS1 not answering", "warning", "dns", "")
	cert := h.raiseEvent("cert", "Certificate expires in 10 days", "info", "shop", "")
	queue := h.raiseEvent("queue", "Order queue backing up", "error", "shop", "")

	b := newTab(t, chromium)
	b.loginOIDC(h, "olga", "olga-at-idp")
	seen := b.watch() // from here on, only the app's own pages
	b.do(chromedp.Navigate(h.url + "/alerts"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#alerts")))
	mustContain(t, "heading", b.text("#heading"), "4 open alerts")
	b.accessible("alert list")

	// Filters: severity, then text.
	b.do(chromedp.SetValue(chromedp.CSS("#f-severity"), "critical"))
	b.clickAndLoad("#filters button")
	if rows := b.rows("#alerts"); len(rows) != 1 || !strings.Contains(rows[0], "disk filling on db-1") {
		t.Fatalf("critical alerts: %q", rows)
	}
	b.do(chromedp.Navigate(h.url + "/alerts?q=DNS1"))
	if rows := b.rows("#alerts"); len(rows) != 1 || !strings.Contains(rows[0], "dns1 not answering") {
		t.Fatalf("text filter: %q", rows)
	}

	// Acknowledge from the list, by the row's button.
	b.do(chromedp.Navigate(h.url + "/alerts"))
	b.clickAndLoad(fmt.Sprintf("#alert-%d td.act button", disk))
	mustContain(t, "notice", b.text("#notice"), "Acknowledged 1 alert.")
	mustContain(t, "row", b.text(fmt.Sprintf("#alert-%d", disk)), "ACKNOWLEDGED")
	if a := h.alert(disk); a.AckedBy != "person/olga" {
		t.Fatalf("acknowledged by %q, want person/olga", a.AckedBy)
	}
	b.docShot("alerts.png")

	// Several at once.
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#pick-%d", dnsA))))
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#pick-%d", cert))))
	b.clickAndLoad("#bulk-ack")
	mustContain(t, "notice", b.text("#notice"), "Acknowledged 2 alerts.")
	for _, id := range []int64{dnsA, cert} {
		if a := h.alert(id); a.Status != "acknowledged" || a.AckedBy != "person/olga" {
			t.Errorf("alert %d after the bulk acknowledge: %s by %s", id, a.Status, a.AckedBy)
		}
	}

	// The alert page: times in olga's zone with UTC on hover; silence from it.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/alerts/%d", h.url, dnsA)))
	b.do(chromedp.WaitVisible(chromedp.CSS("#actions")))
	first := evalIn[[]string](b, `(t => [t.innerText, t.title, t.getAttribute("datetime")])(document.querySelector(".facts time"))`)
	if !strings.HasSuffix(first[0], "+07") || !strings.HasSuffix(first[1], "UTC") || !strings.HasSuffix(first[2], "Z") {
		t.Errorf("first seen shows %q (title %q, datetime %q): want olga's zone, UTC on hover", first[0], first[1], first[2])
	}
	b.accessible("alert page")
	b.clickAndLoad("#silence")
	if got := evalIn[string](b, `document.querySelector("#s-matchers").value`); !strings.Contains(got, `alertname="dns"`) || !strings.Contains(got, `service="dns"`) {
		t.Fatalf("the silence form is not filled from the alert: %q", got)
	}
	b.accessible("silence form")
	b.fill("#s-matchers", `service="dns"`)
	b.do(chromedp.SetValue(chromedp.CSS("#s-duration"), "1h"))
	b.fill("#s-comment", "failing dns1 over by hand")
	b.docShot("silence-new.png")
	b.clickAndLoad("#silence-submit")
	if got := b.path(); got != fmt.Sprintf("/alerts/%d", dnsA) {
		t.Fatalf("after silencing the browser is at %s", got)
	}
	mustContain(t, "notice", b.text("#notice"), "Silenced until 2026-11-23 10:00 UTC")
	// The silence holds back the alert it was made from at once, and a new
	// alert of the service too; the list says so.
	dnsB := h.raiseEvent("dns2", "DNS2 not answering", "critical", "dns", "")
	b.do(chromedp.Navigate(h.url + "/alerts?status=silenced"))
	if rows := b.rows("#alerts"); len(rows) != 2 || !strings.Contains(rows[0], "dns2 not answering") || !strings.Contains(rows[1], "dns1 not answering") ||
		!strings.Contains(rows[0], "silenced by") || !strings.Contains(rows[1], "silenced by") {
		t.Fatalf("silenced alerts: %q", rows)
	}

	// Declare an incident and dry-run the runbook from the alert page.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/alerts/%d", h.url, disk)))
	b.do(chromedp.Click(chromedp.CSS("#declare summary")))
	b.do(chromedp.SetValue(chromedp.CSS("#d-severity"), "SEV2"))
	b.fill("#d-summary", "db-1 disk will be full within the hour")
	b.clickAndLoad("#declare-submit")
	mustContain(t, "notice", b.text("#notice"), "Declared incident #1 (SEV2)")
	var incidents []struct {
		ID         int64  `json:"id"`
		DeclaredBy string `json:"declared_by"`
		Title      string `json:"title"`
	}
	h.do("GET", "/api/v1/incidents", "", nil, &incidents)
	if len(incidents) != 1 || incidents[0].DeclaredBy != "person/olga" || incidents[0].Title != "Disk filling on db-1" {
		t.Fatalf("incidents: %+v", incidents)
	}
	b.clickAndLoad("#run-submit")
	mustContain(t, "notice", b.text("#notice"), "Dry run", "nothing was executed")
	mustRow(t, "runs", b.rows("#run-list"), "(dry run)")
	mustRow(t, "runs", b.rows("#run-list"), "person/olga")
	b.docShot("alert.png")

	// Silences: listed, then expired.
	b.do(chromedp.Navigate(h.url + "/silences"))
	mustRow(t, "silences", b.rows("#silences"), `active | service="dns"`)
	b.accessible("silences page")
	b.docShot("silences.png")
	b.clickAndLoad("#silences td.act button")
	mustContain(t, "notice", b.text("#notice"), "has ended")
	if rows := b.rows("#silences"); len(rows) != 0 {
		t.Fatalf("an expired silence is still listed as in force: %q", rows)
	}

	// The wallboard, with the check failing.
	h.step(30*time.Second, "shop/db")
	h.waitState("shop/db", "failing")
	h.eventually("the failing check's alert", func() bool { // the check feed hands it to the pager a moment later
		for _, a := range h.alerts("status=firing") {
			if strings.HasPrefix(a.Summary, "db is failing") {
				return true
			}
		}
		return false
	})
	b.do(chromedp.Navigate(h.url + "/wall"))
	mustContain(t, "wall checks", b.text("#wall-checks"), "1 of 1 checks failing", "shop / db")
	mustContain(t, "wall alerts", b.text("#wall-alerts"), "3 alerts firing", "3 acknowledged", "db is failing")
	mustContain(t, "wall incidents", b.text("#wall-incidents"), "1 open incident", "Disk filling on db-1")
	mustContain(t, "wall on call", b.text("#wall-oncall"), "primary", "Olga Petrova")
	if got := evalIn[string](b, `document.querySelector('meta[http-equiv="refresh"]').content`); got != "30" {
		t.Errorf("the wallboard refreshes every %q s", got)
	}
	b.docShot("wall.png")

	// On a phone: everything fits, and acknowledging from the list works.
	b.phone()
	for _, path := range []string{"/alerts", fmt.Sprintf("/alerts/%d", disk), "/silences/new", "/silences", "/wall"} {
		b.do(chromedp.Navigate(h.url + path))
		b.do(chromedp.WaitVisible(chromedp.CSS("#main")))
		b.fits(path + " at 390 px")
	}
	b.do(chromedp.Navigate(h.url + "/alerts"))
	b.docShot("alerts-phone.png")
	b.clickAndLoad(fmt.Sprintf("#alert-%d td.act button", queue))
	mustContain(t, "notice on a phone", b.text("#notice"), "Acknowledged 1 alert.")
	if a := h.alert(queue); a.Status != "acknowledged" {
		t.Fatalf("acknowledging on a phone: %s", a.Status)
	}
	b.desktop()

	// susan may only look: the buttons are off, with the reason; posting
	// anyway is refused and changes nothing.
	s := b.person()
	s.loginPassword(h, "susan", "susan-password")
	s.do(chromedp.Navigate(fmt.Sprintf("%s/alerts/%d", h.url, dnsB)))
	if !evalIn[bool](s, `document.querySelector("#ack").disabled`) {
		t.Fatal("susan's Acknowledge button is enabled")
	}
	mustContain(t, "why", s.text("#why-respond"), "needs the respond scope; you have read")
	if got := evalIn[string](s, `document.querySelector("#ack").getAttribute("aria-describedby")`); got != "why-respond" {
		t.Errorf("the disabled button does not point at its reason: %q", got)
	}
	s.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#ack").disabled = false`))
	s.clickAndLoad("#ack")
	mustContain(t, "refused", s.text("#problem"), "needs the respond scope")
	if a := h.alert(dnsB); a.Status != "firing" {
		t.Fatalf("susan's refused post changed the alert: %s", a.Status)
	}
	seen.check(t, h.url)
}
