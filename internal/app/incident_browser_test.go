package app

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// incidentPagesConfig: the people of peopleConfig (glen responds and sees
// times in Asia/Ho_Chi_Minh, susan may only look, viktor is admin) and
// stella, a stakeholder of shop whose webhook is the sink.
func incidentPagesConfig(t *testing.T, sink string) string {
	cfg := peopleConfigWith(t, fmt.Sprintf("  - {id: stella, name: Stella Stakes, contacts: {webhook: %q}}\n", sink+"/stella")) + peopleAccess
	return strings.Replace(cfg, "services: [{id: shop}, {id: dns}]", "services:\n  - {id: shop, stakeholders: [person/stella]}\n  - {id: dns}", 1)
}

// raiseAlert opens an alert through the generic integration of peopleConfig.
func (h *harness) raiseAlert(key, summary, severity, service string) int64 {
	h.t.Helper()
	code, body := h.post("/api/v1/events", "gen-k3y", "application/json", []byte(fmt.Sprintf(
		`{"key":%q,"summary":%q,"severity":%q,"service":%q}`, key, summary, severity, service)))
	if code != 200 {
		h.t.Fatalf("raise %s: %d %v", key, code, body)
	}
	return int64(body["alerts"].([]any)[0].(map[string]any)["alert_id"].(float64))
}

// until waits for a JavaScript condition on the page to hold.
func (b *tab) until(what, js string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(browserTimeout))); err != nil {
		b.t.Fatalf("waiting for %s: %v (at %s)", what, err, b.path())
	}
}

// value is a form field's current value.
func (b *tab) value(sel string) string {
	b.t.Helper()
	return evalIn[string](b, fmt.Sprintf(`document.querySelector(%q).value`, sel))
}

// TestIncidentPagesInBrowser: a responder declares an incident from an
// alert, and a note they add appears in another person's open page without
// a reload; they change the status (backdated, in their own zone) and a
// role, import the seed outage's chat, tell stakeholders (whose notice
// links to the incident's page), add and close an action item, and write a
// postmortem section, previewed, then seen in the postmortem; the deploy
// before it lists the incident, and MTTA/MTTR are charted. The same pages
// fit and work at 390 px.
func TestIncidentPagesInBrowser(t *testing.T) {
	chromium := findChromium(t)
	sk := newSink(t)
	h := start(t, incidentPagesConfig(t, sk.URL), "")
	if code := h.do("POST", "/api/v1/deploys", "r00t-t0ken", strings.NewReader(`{"service":"shop","version":"2026.11.23-1",
		"environment":"production","by":"ci","at":"2026-11-23T08:40:00Z","notes":"pool size from the new config"}`), nil); code != 201 {
		t.Fatalf("deploy: %d", code)
	}
	alertID := h.raiseAlert("db-down", "Orders database not answering", "critical", "shop")

	b := newTab(t, chromium)
	b.loginPassword(h, "glen", "glen-password")
	seen := b.watch()

	// Declare from the alert: the form comes filled in from it.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/alerts/%d", h.url, alertID)))
	b.clickAndLoad("#declare-incident")
	if got, want := b.path(), fmt.Sprintf("/incidents/new?alert=%d", alertID); got != want {
		t.Fatalf("declare link led to %s, want %s", got, want)
	}
	if got := []string{b.value("#d-title"), b.value("#d-severity"), b.value("#d-commander")}; strings.Join(got, "|") != "Orders database not answering|SEV1|glen" {
		t.Errorf("declare form filled in with %q", got)
	}
	if !evalIn[bool](b, `document.querySelector('input[name=service][value=shop]').checked`) {
		t.Error("the alert's service is not ticked")
	}
	b.accessible("declare form")
	b.clickAndLoad("#declare-submit")
	if got := b.path(); got != "/incidents/1" {
		t.Fatalf("declaring led to %s", got)
	}
	mustContain(t, "notice", b.text("#notice"), "Declared incident #1")
	mustContain(t, "status", b.text("#status"), "INVESTIGATING")
	mustRow(t, "linked alerts", b.rows("#alerts"), "orders database not answering")
	mustRow(t, "timeline", b.rows("#timeline"), "sev1 declared: orders database not answering (shop)")
	mustRow(t, "timeline", b.rows("#timeline"), "deploy of shop 2026.11.23-1 to production")
	mustContain(t, "roles", b.text("#roles"), "Glen Hart (glen)")
	openAll := `(document.querySelectorAll('details').forEach(d => d.open = true), true)`
	evalIn[bool](b, openAll)
	b.accessible("incident page")
	// The stakeholder's notice links to the incident's page, not the API.
	told := sk.wait(t, "/stella", 1)[0].Message
	if !strings.Contains(told.Title, "Incident 1 declared") || !strings.HasSuffix(told.URL, "/incidents/1") {
		t.Errorf("stakeholder notice %q links to %q", told.Title, told.URL)
	}

	// Viktor has the incident open in his own browser.
	o := b.person()
	o.loginPassword(h, "viktor", "viktor-password")
	o.do(chromedp.Navigate(h.url + "/incidents/1"))
	o.until("the live timeline to connect", `document.getElementById('live').textContent.startsWith('Live')`)
	evalIn[bool](o, `(window.notReloaded = true)`)

	// Glen adds a note; it appears in Viktor's page as it is.
	b.fill("#note-text", "Primary restarted; replicas catching up")
	b.clickAndLoad("#note-submit")
	mustContain(t, "notice", b.text("#notice"), "Note added.")
	mustRow(t, "glen's timeline", b.rows("#timeline"), "note | person/glen | primary restarted; replicas catching up")
	o.until("glen's note in viktor's page", `[...document.querySelectorAll('#timeline tbody tr')].some(r => r.innerText.includes('replicas catching up'))`)
	if !evalIn[bool](o, `window.notReloaded === true`) {
		t.Error("viktor's page reloaded to show the note")
	}
	mustRow(t, "viktor's timeline", o.rows("#timeline"), "note | person/glen | primary restarted; replicas catching up")
	mustContain(t, "live region", o.text("#live"), "New note from person/glen")

	// Status, backdated in glen's zone (UTC+7): identified at 16:10, 09:10 UTC.
	h.advance(30 * time.Minute)
	b.do(chromedp.Click(chromedp.CSS("#status-form summary")))
	b.do(chromedp.SetValue(chromedp.CSS("#st-status"), "identified"))
	b.fill("#st-note", "connection pool exhausted")
	b.do(chromedp.SetValue(chromedp.CSS("#st-at"), "2026-11-23T16:10"))
	b.clickAndLoad("#status-submit")
	mustContain(t, "notice", b.text("#notice"), "Incident #1 is identified.")
	mustContain(t, "status", b.text("#status"), "IDENTIFIED")
	mustContain(t, "facts", b.text("#summary"), "Cause identified", "2026-11-23 16:10:00 +07")
	if got := evalIn[string](b, `document.querySelector('#summary dd time[title*="09:10"]').title`); got != "2026-11-23 09:10:00 UTC" {
		t.Errorf("UTC on hover: %q", got)
	}
	o.until("the status in viktor's page", `document.getElementById('status').textContent === 'identified'`)
	// The same status again is refused next to the form, the note kept.
	seen.expect("409 (Conflict) " + h.url + "/incidents/1/status")
	b.do(chromedp.Click(chromedp.CSS("#status-form summary")))
	b.do(chromedp.SetValue(chromedp.CSS("#st-status"), "identified"))
	b.fill("#st-note", "typed again")
	b.clickAndLoad("#status-submit")
	mustContain(t, "same status", b.text("#status-problem"), "already identified")
	if got := b.value("#st-note"); got != "typed again" {
		t.Errorf("the refused form lost its note: %q", got)
	}

	// A role from the people picker.
	b.do(chromedp.Navigate(h.url + "/incidents/1"))
	b.do(chromedp.Click(chromedp.CSS("#role-form summary")))
	b.do(chromedp.SetValue(chromedp.CSS("#r-role"), "communications"))
	b.do(chromedp.SetValue(chromedp.CSS("#r-person"), "susan"))
	b.clickAndLoad("#role-submit")
	mustContain(t, "roles", b.text("#roles"), "communications", "Susan Reyes (susan)")

	// The seed outage's chat, uploaded as a file; the day before, in UTC.
	chat, err := filepath.Abs("../incident/chatlog/testdata/seed-outage.txt")
	if err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Click(chromedp.CSS("#import-form summary")))
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#i-file"), []string{chat}))
	b.do(chromedp.SetValue(chromedp.CSS("#i-format"), "log"))
	b.do(chromedp.SetValue(chromedp.CSS("#i-date"), "2026-11-22"))
	b.fill("#i-tz", "UTC")
	b.clickAndLoad("#import-submit")
	mustContain(t, "import", b.text("#notice"), "messages from seed-outage.txt")
	mustRow(t, "chat on the timeline", b.rows("#timeline"), "chat | svega | hey we have reports of an application outage")
	o.until("the chat in viktor's page", `document.querySelectorAll('#timeline tr[data-kind=chat]').length >= 25`)

	// An update to stakeholders.
	b.do(chromedp.Click(chromedp.CSS("#message-form summary")))
	b.fill("#m-text", "Checkout fails for most customers; next update in 30 minutes.")
	b.clickAndLoad("#message-submit")
	mustContain(t, "message", b.text("#notice"), "Sent to person/stella.")
	mustRow(t, "told", b.rows("#told-list"), "checkout fails for most customers")
	update := sk.wait(t, "/stella", 3)[2].Message // declared, identified, this
	if !strings.Contains(update.Title, "Incident 1 update") || update.Text != "Checkout fails for most customers; next update in 30 minutes." || !strings.HasSuffix(update.URL, "/incidents/1") {
		t.Errorf("stakeholder update: %+v", update)
	}

	// An action item, added and closed.
	b.do(chromedp.Click(chromedp.CSS("#item-form summary")))
	b.fill("#ai-item", "Alert on connection pool saturation")
	b.do(chromedp.SetValue(chromedp.CSS("#ai-type"), "prevent"))
	b.do(chromedp.SetValue(chromedp.CSS("#ai-owner"), "team/sre"))
	b.clickAndLoad("#item-submit")
	mustRow(t, "action items", b.rows("#item-list"), "alert on connection pool saturation | prevent | team/sre")
	b.clickAndLoad("#item-1-done")
	mustRow(t, "closed item", b.rows("#item-list"), "| done")
	mustRow(t, "who closed it", b.rows("#timeline"), "action_item | person/glen | action item #1 is done")
	b.docShot("incident.png")

	// The postmortem: a section written, previewed, saved and shown.
	b.clickAndLoad("#postmortem-link")
	mustContain(t, "postmortem", b.text("#postmortem"), "Root causes", "To be written", "Alert on connection pool saturation")
	b.clickAndLoad("#edit-link")
	b.accessible("postmortem editor")
	b.fill("#pm-root_causes", "The new config halved the connection pool.")
	b.clickAndLoad("#preview")
	mustContain(t, "preview", b.text("#preview-body"), "The new config halved the connection pool.")
	if got := b.value("#pm-root_causes"); got != "The new config halved the connection pool." {
		t.Errorf("the preview lost the text: %q", got)
	}
	var in struct {
		Postmortem map[string]string `json:"postmortem"`
	}
	h.do("GET", "/api/v1/incidents/1", "", nil, &in)
	if in.Postmortem["root_causes"] != "" {
		t.Errorf("the preview saved: %v", in.Postmortem)
	}
	b.clickAndLoad("#save")
	if got := b.path(); got != "/incidents/1/postmortem" {
		t.Fatalf("saving led to %s", got)
	}
	mustContain(t, "saved", b.text("#notice"), "Saved: root causes.")
	mustContain(t, "postmortem", b.text("#postmortem"), "The new config halved the connection pool.")
	b.docShot("postmortem.png")

	// The deploy before it, and MTTA/MTTR once it is resolved.
	b.do(chromedp.Navigate(h.url + "/deploys?service=shop"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#deploys")))
	mustRow(t, "deploys", b.rows("#deploys"), "2026.11.23-1 | production | ci (token/root) | pool size from the new config | #1 sev1 orders database not answering")
	if code := h.do("POST", "/api/v1/incidents/1/status", "r00t-t0ken", strings.NewReader(`{"status":"resolved"}`), nil); code != 200 {
		t.Fatalf("resolve: %d", code)
	}
	b.do(chromedp.Navigate(h.url + "/incidents/metrics?period=7d"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#metrics")))
	mustRow(t, "metrics", b.rows("#metrics"), "shop | 1 | 1 | 0s | 30m")
	if n := evalIn[int](b, `document.querySelectorAll('#chart-mttr svg rect.bar').length`); n != 1 {
		t.Errorf("MTTR chart has %d bars", n)
	}
	b.accessible("metrics page")
	b.do(chromedp.Navigate(h.url + "/incidents?status=all"))
	mustRow(t, "incident list", b.rows("#resolved"), "1 | sev1 | resolved | orders database not answering | shop")

	// At 390 px: every page fits, and a note still goes on the timeline.
	b.phone()
	for _, path := range []string{"/incidents", "/incidents/new?alert=1", "/incidents/1", "/incidents/1/postmortem",
		"/incidents/1/postmortem/edit", "/incidents/metrics", "/deploys"} {
		b.do(chromedp.Navigate(h.url + path))
		b.do(chromedp.WaitVisible(chromedp.CSS("#main")))
		b.fits(path + " at 390 px")
	}
	b.do(chromedp.Navigate(h.url + "/incidents/1"))
	b.fill("#note-text", "Written on a phone")
	b.clickAndLoad("#note-submit")
	mustRow(t, "phone note", b.rows("#timeline"), "written on a phone")
	b.fits("incident page after a note at 390 px")
	b.docShot("incident-phone.png")
	b.do(chromedp.Click(chromedp.CSS("#status-form summary")))
	b.do(chromedp.SetValue(chromedp.CSS("#st-status"), "monitoring"))
	b.clickAndLoad("#status-submit")
	mustContain(t, "status on a phone", b.text("#status"), "MONITORING")
	b.do(chromedp.Click(chromedp.CSS("#role-form summary")))
	b.do(chromedp.SetValue(chromedp.CSS("#r-role"), "scribe"))
	b.do(chromedp.SetValue(chromedp.CSS("#r-person"), "viktor"))
	b.clickAndLoad("#role-submit")
	mustContain(t, "role on a phone", b.text("#roles"), "Viktor Admin (viktor)")
	b.do(chromedp.Navigate(h.url + "/incidents/1/postmortem/edit"))
	b.fill("#pm-lucky", "It happened in office hours.")
	b.clickAndLoad("#save")
	mustContain(t, "postmortem on a phone", b.text("#postmortem"), "It happened in office hours.")
	b.fits("postmortem after saving at 390 px")
	b.desktop()
	b.do(chromedp.Navigate(h.url + "/incidents/1"))
	b.focusVisible("incident page")
	seen.check(t, h.url)
}

// TestIncidentPagesRefuseWhoMayNotAct: susan may only look, so the page
// disables every control with the reason, and her posts are refused and
// change nothing; a form without its CSRF token is refused and changes
// nothing, whoever sends it.
func TestIncidentPagesRefuseWhoMayNotAct(t *testing.T) {
	chromium := findChromium(t)
	h := start(t, incidentPagesConfig(t, "http://127.0.0.1:1"), "")
	alertID := h.raiseAlert("db-down", "Orders database not answering", "critical", "shop")
	if code := h.do("POST", "/api/v1/incidents", "r00t-t0ken", strings.NewReader(fmt.Sprintf(`{"title":"Orders down","severity":"SEV2","services":["shop"],"alert_ids":[%d]}`, alertID)), nil); code != 201 {
		t.Fatalf("declare: %d", code)
	}

	b := newTab(t, chromium)
	b.loginPassword(h, "susan", "susan-password")
	b.do(chromedp.Navigate(h.url + "/incidents/1"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#timeline")))
	mustContain(t, "reason", b.text("#why-respond"), "This needs the respond scope; you have read.")
	disabled := evalIn[[]string](b, `[...document.querySelectorAll('#main button')].filter(e => !e.disabled).map(e => e.id || e.innerText)`)
	if len(disabled) > 0 {
		t.Errorf("buttons susan may press: %v", disabled)
	}
	if got := evalIn[string](b, `document.querySelector('#note-submit').getAttribute('aria-describedby')`); got != "why-respond" {
		t.Errorf("the note button points at %q for its reason", got)
	}
	if evalIn[bool](b, `!!document.querySelector('#postmortem-edit-link')`) {
		t.Error("susan is offered the postmortem editor")
	}
	for _, path := range []string{"/incidents", "/incidents/new?alert=1", "/incidents/1/postmortem/edit"} {
		b.do(chromedp.Navigate(h.url + path))
		b.do(chromedp.WaitVisible(chromedp.CSS("#main")))
		if n := evalIn[int](b, `[...document.querySelectorAll('#main button[type=submit]:not(.secondary)')].filter(e => !e.disabled).length`); n > 0 {
			t.Errorf("%s: %d enabled buttons for susan", path, n)
		}
		// textContent: the reason may be in a folded section.
		mustContain(t, path, evalIn[string](b, `document.querySelector('#why-respond').textContent`), "needs the respond scope")
	}

	// Posting anyway: 403, and nothing changed.
	before := timelineLen(h, 1)
	susan := h.visitor()
	susan.login("susan", "susan-password")
	csrf := susan.csrf("/incidents/1")
	for path, form := range map[string]url.Values{
		"/incidents/1/notes":        {"text": {"from susan"}},
		"/incidents/1/status":       {"status": {"resolved"}},
		"/incidents/1/roles":        {"role": {"commander"}, "person": {"susan"}},
		"/incidents/1/messages":     {"text": {"hello"}},
		"/incidents/1/action_items": {"item": {"x"}, "type": {"prevent"}},
		"/incidents/1/postmortem":   {"root_causes": {"susan wrote this"}},
		"/incidents":                {"title": {"by susan"}},
	} {
		form.Set("csrf", csrf)
		if r := susan.post(path, form); r.Status != 403 || !strings.Contains(r.Body, "needs the respond scope") {
			t.Errorf("susan posting %s: %d %.200s", path, r.Status, r.Body)
		}
	}

	// Glen may act, but not without the form's CSRF token.
	glen := h.visitor()
	glen.login("glen", "glen-password")
	for path, form := range map[string]url.Values{
		"/incidents/1/notes":  {"text": {"no token"}},
		"/incidents/1/status": {"status": {"resolved"}},
		"/incidents":          {"title": {"no token"}},
	} {
		if r := glen.post(path, form); r.Status != 403 || !strings.Contains(r.Body, "did not come from Vigil") {
			t.Errorf("glen posting %s without a token: %d %.200s", path, r.Status, r.Body)
		}
	}
	chatForm := url.Values{"format": {"log"}, "date": {"2026-11-23"}, "tz": {"UTC"}}
	if r := glen.upload("/incidents/1/import", chatForm, "chat", "chat.txt", "08:55 no token FROM: glen\n"); r.Status != 403 {
		t.Errorf("an upload without a token: %d %.200s", r.Status, r.Body)
	}
	if after := timelineLen(h, 1); after != before {
		t.Errorf("the timeline went from %d to %d entries", before, after)
	}
	var in struct {
		Status     string            `json:"status"`
		Postmortem map[string]string `json:"postmortem"`
	}
	h.do("GET", "/api/v1/incidents/1", "", nil, &in)
	if in.Status != "investigating" || len(in.Postmortem) != 0 {
		t.Errorf("the incident changed: %+v", in)
	}
	var list []map[string]any
	h.do("GET", "/api/v1/incidents?status=all", "", nil, &list)
	if len(list) != 1 {
		t.Errorf("%d incidents, want 1", len(list))
	}
	// With the token, the same upload works.
	chatForm.Set("csrf", glen.csrf("/incidents/1"))
	if r := glen.upload("/incidents/1/import", chatForm, "chat", "chat.txt", "08:55 with a token FROM: glen\n"); r.Status != 303 {
		t.Errorf("an upload with a token: %d %.200s", r.Status, r.Body)
	}
	if after := timelineLen(h, 1); after != before+1 {
		t.Errorf("the upload added %d entries, want 1", after-before)
	}
}

// timelineLen counts an incident's timeline entries through the API.
func timelineLen(h *harness, id int64) int {
	h.t.Helper()
	var in struct {
		Timeline []map[string]any `json:"timeline"`
	}
	if code := h.do("GET", fmt.Sprintf("/api/v1/incidents/%d", id), "", nil, &in); code != 200 {
		h.t.Fatalf("GET incident %d: %d", id, code)
	}
	return len(in.Timeline)
}

// upload posts a multipart form with one file, as a browser sends a form
// with a file field.
func (v *visitor) upload(path string, form url.Values, field, filename, content string) reply {
	v.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, val := range vs {
			_ = mw.WriteField(k, val)
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		v.t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", v.h.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return v.send(req)
}
