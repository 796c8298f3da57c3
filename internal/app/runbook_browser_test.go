package app

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRunbookPagesInBrowser: in Chromium, Thach reads a runbook's SOP and
// guards, previews a run (nothing runs), then runs it for real from the
// preview and watches it finish. He asks for a migration that needs
// approval; he may not approve it himself and the page says why. Glen, in
// his own browser, finds it waiting for him, approves it, and Thach's page
// follows without a reload. The notice the run sends links to the run's
// page. Run history filters and the audit log show it all.
func TestRunbookPagesInBrowser(t *testing.T) {
	chromium := findChromium(t)
	sk := newSink(t)
	dir := t.TempDir()
	h := start(t, runbookPagesConfig(t, dir, sk.URL), "")
	b := newTab(t, chromium)
	seen := b.watch()
	b.loginPassword(h, "thach", "thach-password")

	b.do(chromedp.Navigate(h.url + "/runbooks"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#runbooks")))
	rows := b.rows("#runbooks")
	if len(rows) != 3 {
		t.Fatalf("runbooks: %q", rows)
	}
	mustRow(t, "runbooks", rows, "clean up old logs log-cleanup | team/dba | manual | 5 runs/1h · 1 at once | never run")
	mustRow(t, "runbooks", rows, "run the production migrations migrate |  | by hand | approval | never run")
	mustRow(t, "runbooks", rows, "drop a project drop-project |  | by hand | confirm | never run")
	b.accessible("runbooks page")
	b.docShot("runbooks.png")

	// The runbook's page: the SOP as Markdown, nothing of its HTML.
	b.clickAndLoad(`a[href="/runbooks/log-cleanup"]`)
	mustContain(t, "SOP", b.text("#sop h2"), "When")
	mustContain(t, "SOP", b.text("#sop"), "The disk of web-1 is over 90%.", "Preview, check the paths.")
	if n := evalIn[int](b, `document.querySelectorAll('#sop script, #sop a[href^="javascript"]').length`); n != 0 || evalIn[string](b, `document.title`) == "scripted" {
		t.Fatal("the SOP's HTML reached the page")
	}
	mustContain(t, "guards", b.text("#guards"), "At most 5 runs per 1h", "At most 1 run at once")
	b.accessible("runbook page")
	// Every param has a fitting, labelled field, filled with its default.
	fields := evalIn[[]string](b, `[...document.querySelectorAll('#run-form .field')].map(f => {
		const e = f.querySelector('input:not([type=hidden]), select');
		return [e.labels[0].innerText.trim(), e.tagName.toLowerCase(), e.type, e.type === 'checkbox' ? String(e.checked) : e.value].join(' ');
	})`)
	if want := "host input text web-1|days input number 14|compress input checkbox true|env select select-one staging|keep input text 24h|dirs input text app,nginx"; strings.Join(fields, "|") != want {
		t.Errorf("fields:\n%s\nwant\n%s", strings.Join(fields, "|"), strings.ReplaceAll(want, "|", "\n"))
	}
	// Chromium reads the pattern as the server does.
	for v, bad := range map[string]bool{"web-2.shop": false, "-oProxyCommand=x": true, "Web 2": true} {
		b.fill("#param-host", v)
		if got := evalIn[bool](b, `document.querySelector('#param-host').validity.patternMismatch`); got != bad {
			t.Errorf("pattern says %q mismatches: %v", v, got)
		}
	}

	// Preview: the exact commands, nothing run, the real run offered.
	b.fill("#param-host", "web-2")
	b.fill("#param-days", "7")
	b.clickAndLoad("#preview-button")
	if p := b.path(); !strings.HasPrefix(p, "/runbooks/log-cleanup?preview=r_") {
		t.Fatalf("the preview is at %s", p)
	}
	mustContain(t, "verdict", b.text("#verdict"), "The guards would let a real run through now.")
	mustContain(t, "preview", b.text("#preview-steps #step-0"), "show", "○ PLANNED", `"echo"`, "cleaning web-2 older than 7d in [app nginx]", "PARAM_COMPRESS=true")
	mustContain(t, "preview", b.text("#preview-steps #step-1"), "mark", "○ PLANNED", "cleaned-web-2")
	if exists(filepath.Join(dir, "cleaned-web-2")) {
		t.Fatal("the preview ran a step")
	}
	if got := evalIn[string](b, `document.querySelector('#param-days').value`); got != "7" {
		t.Errorf("the form forgot the previewed value: %q", got)
	}
	b.docShot("runbook-preview.png")
	b.clickAndLoad("#run-button")
	if p := b.path(); !strings.HasPrefix(p, "/runs/r_") {
		t.Fatalf("the run is at %s", p)
	}
	cleanup := strings.TrimPrefix(b.path(), "/runs/")
	mustContain(t, "notice", b.text("#notice"), "Started run "+cleanup+" of log-cleanup.")
	b.waitText("#status", "SUCCEEDED")
	if !exists(filepath.Join(dir, "cleaned-web-2")) {
		t.Fatal("the real run did not run")
	}
	mustContain(t, "steps", b.text("#step-0"), "show", "✓ OK", "exit code 0")
	mustContain(t, "steps", b.text("#step-1"), "mark", "✓ OK")
	b.do(chromedp.Navigate(h.url + "/runs/" + cleanup))
	b.do(chromedp.WaitVisible(chromedp.CSS("#steps")))
	b.do(chromedp.Click(chromedp.CSS("#step-0 summary")))
	mustContain(t, "stdout", b.text("#step-0 details"), "cleaning web-2 older than 7d in [app nginx]")
	// Times are Thach's (Ho Chi Minh City), UTC on hover.
	if got := evalIn[[]string](b, `(t => [t.innerText, t.title])(document.querySelector('#run-head time'))`); !strings.HasSuffix(got[0], "+07") || !strings.HasSuffix(got[1], "UTC") {
		t.Errorf("time shown as %q", got)
	}
	b.accessible("run page")

	// A run that needs approval: Thach may not approve his own.
	b.do(chromedp.Navigate(h.url + "/runbooks/migrate"))
	b.fill("#param-release", "2.0.1")
	b.clickAndLoad("#preview-button")
	mustContain(t, "verdict", b.text("#verdict"), "A real run now would wait for approval.")
	b.clickAndLoad("#run-button")
	migrate := strings.TrimPrefix(b.path(), "/runs/")
	mustContain(t, "notice", b.text("#notice"), "Run "+migrate+" of migrate waits for approval.")
	mustContain(t, "status", b.text("#status"), "AWAITING APPROVAL")
	mustContain(t, "approval", b.text("#approval"), "By team/dba, until", "Started by person/thach.")
	if !evalIn[bool](b, `document.querySelector('#approve').disabled`) || evalIn[bool](b, `document.querySelector('#deny').disabled`) {
		t.Fatal("the starter's approve button is enabled, or his withdraw button disabled")
	}
	mustContain(t, "why", b.text("#why-approve"), "person/thach started run "+migrate+" and may not approve it too (guard.distinct_approver); another approver must.")
	b.docShot("run-awaiting.png")
	evalIn[bool](b, `(window.stillHere = true)`)

	// Glen, in his own browser, finds it waiting for him and approves it.
	o := b.person()
	o.loginPassword(h, "glen", "glen-password")
	o.do(chromedp.Navigate(h.url + "/runbooks"))
	o.do(chromedp.WaitVisible(chromedp.CSS("#awaiting")))
	mustContain(t, "waiting for glen", o.text("#awaiting"), "Waiting for your approval (1)", migrate)
	o.do(chromedp.Navigate(h.url + "/runs?awaiting=me"))
	o.do(chromedp.WaitVisible(chromedp.CSS("#runs")))
	o.clickAndLoad(`#runs a[href="/runs/` + migrate + `"]`)
	if evalIn[bool](o, `document.querySelector('#approve').disabled`) {
		t.Fatal("glen may not approve")
	}
	o.fill("#comment", "DBA on the bridge")
	o.clickAndLoad("#approve")
	mustContain(t, "notice", o.text("#notice"), "Approved run "+migrate+".")

	// Thach's page follows: approved, the steps ran, no reload.
	b.waitText("#status", "SUCCEEDED")
	if !evalIn[bool](b, `window.stillHere === true`) {
		t.Error("the page reloaded instead of updating")
	}
	mustContain(t, "approved by", b.text("#approved-by"), "person/glen")
	mustContain(t, "steps", b.text("#step-0"), "migrate", "✓ OK")
	mustContain(t, "steps", b.text("#step-1"), "tell", "✓ OK", "notify person/glen: release 2.0.1 migrated")
	if b.count("#approval") != 0 {
		t.Error("the approval box stayed after the approval")
	}
	b.waitText("#live", "The run is over: succeeded.")
	mustContain(t, "audit", b.text("#audit"), "run.approved", "person/glen", "DBA on the bridge", "run.finished")
	if !exists(filepath.Join(dir, "migrated-2.0.1")) {
		t.Fatal("the approved run did not run")
	}
	b.docShot("run.png")

	// The notify step's notice links to the run's page.
	msg := sk.wait(t, "/glen", 2)
	var link string
	for _, d := range msg {
		if strings.Contains(d.Message.Text, "release 2.0.1 migrated") {
			link = d.Message.URL
		}
	}
	if !strings.HasSuffix(link, "/runs/"+migrate) {
		t.Errorf("the notice links to %q", link)
	}

	// Run history, filtered; the audit log.
	b.do(chromedp.Navigate(h.url + "/runs"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#runs")))
	if got := len(b.rows("#runs")); got != 4 {
		t.Errorf("history: %d runs, want 2 dry runs and 2 runs", got)
	}
	b.do(chromedp.SetValue(chromedp.CSS("#f-runbook"), "migrate"))
	b.do(chromedp.SetValue(chromedp.CSS("#f-status"), "succeeded"))
	b.do(chromedp.SetValue(chromedp.CSS("#f-trigger"), "manual"))
	b.do(chromedp.SetValue(chromedp.CSS("#f-dry"), "hide"))
	b.clickAndLoad("#filter-button")
	rows = b.rows("#runs")
	if len(rows) != 1 || !strings.Contains(rows[0], migrate+" | migrate | ✓ succeeded | person/thach · manual") {
		t.Errorf("filtered history: %q", rows)
	}
	b.accessible("runs page")
	b.do(chromedp.Navigate(h.url + "/audit?run=" + migrate))
	b.do(chromedp.WaitVisible(chromedp.CSS("#audit")))
	rows = b.rows("#audit")
	if len(rows) != 3 || !strings.Contains(rows[0], "run.finished") || !strings.Contains(rows[1], "run.approved | person/glen | "+migrate) {
		t.Errorf("audit: %q", rows)
	}
	b.accessible("audit page")
	b.docShot("audit.png")
	seen.check(t, h.url)
}

// waitText waits until the element's text contains want, as it changes
// by itself (a live page).
func (b *tab) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := evalIn[string](b, fmt.Sprintf(`(e => e ? e.innerText : "")(document.querySelector(%q))`, sel))
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s says %q, not %q", sel, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// count is how many elements match sel.
func (b *tab) count(sel string) int {
	b.t.Helper()
	return evalIn[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// TestRunbookRefusalsInBrowser: a destructive runbook runs only when the
// target's name is typed right, and a wrong one is refused on the page,
// running nothing; a form without its CSRF token is 403 and runs nothing;
// Susan, who may only read, sees the buttons disabled with the reason and
// gets 403 if she presses one anyway. Then the same flows on a phone:
// preview and run, and Glen approving from his.
func TestRunbookRefusalsInBrowser(t *testing.T) {
	chromium := findChromium(t)
	dir := t.TempDir()
	h := start(t, runbookPagesConfig(t, dir, "http://127.0.0.1:1"), "")
	b := newTab(t, chromium)
	seen := b.watch()
	seen.expect("status of 409")
	seen.expect("status of 403")
	b.loginPassword(h, "thach", "thach-password")

	b.do(chromedp.Navigate(h.url + "/runbooks/drop-project"))
	mustContain(t, "guards", b.text("#guards"), "Destructive: to run it, type the target's name")
	b.fill("#param-project", "shop-staging")
	b.clickAndLoad("#preview-button")
	mustContain(t, "confirm", b.text("#confirm-target"), "shop-staging")
	b.fill("#confirm", "shop-prod")
	b.clickAndLoad("#run-button")
	mustContain(t, "refusal", b.text("#problem"), `Refused by confirm: type the target's name exactly ("shop-staging") to run drop-project. Nothing ran.`, "The refused run r_")
	if evalIn[string](b, `document.querySelector('#confirm').getAttribute('aria-invalid')`) != "true" {
		t.Error("the confirm field is not marked invalid")
	}
	if exists(filepath.Join(dir, "dropped-shop-staging")) {
		t.Fatal("a wrong confirmation ran the runbook")
	}
	// The preview and the refused run, made in the same instant of the
	// test's clock, so in either order.
	if runs := runsOfBook(h, "drop-project"); len(runs) != 2 || runs[0].Status+runs[1].Status != "refusedsucceeded" && runs[0].Status+runs[1].Status != "succeededrefused" {
		t.Fatalf("runs: %+v", runs)
	}
	b.docShot("runbook-confirm-refused.png")
	b.fill("#confirm", "shop-staging")
	b.clickAndLoad("#run-button")
	b.waitText("#status", "SUCCEEDED")
	if !exists(filepath.Join(dir, "dropped-shop-staging")) {
		t.Fatal("the right confirmation did not run it")
	}

	// A form without the session's CSRF token changes nothing.
	before := len(runsOfBook(h, "log-cleanup"))
	b.do(chromedp.Navigate(h.url + "/runbooks/log-cleanup"))
	evalIn[bool](b, `(document.querySelector('#run-form input[name=csrf]').remove(), true)`)
	b.clickAndLoad("#preview-button")
	mustContain(t, "no csrf", b.text("#problem"), "this form is out of date or did not come from Vigil; nothing was changed")
	if n := len(runsOfBook(h, "log-cleanup")); n != before {
		t.Fatalf("a form without its token made a run: %d → %d", before, n)
	}

	// A migration waiting for approval, for the reader and the phone.
	b.do(chromedp.Navigate(h.url + "/runbooks/migrate"))
	b.fill("#param-release", "3.0.0")
	b.clickAndLoad("#preview-button")
	b.clickAndLoad("#run-button")
	migrate := strings.TrimPrefix(b.path(), "/runs/")

	// Susan may read: buttons disabled, the reason given, 403 anyway.
	s := b.person()
	s.loginPassword(h, "susan", "susan-password")
	s.do(chromedp.Navigate(h.url + "/runbooks/log-cleanup"))
	s.do(chromedp.WaitVisible(chromedp.CSS("#run-form")))
	if !evalIn[bool](s, `document.querySelector('#preview-button').disabled`) {
		t.Fatal("a reader's preview button is enabled")
	}
	mustContain(t, "why", s.text("#why-operate"), "This needs the operate scope; you have read.")
	s.accessible("runbook page for a reader")
	s.do(chromedp.Navigate(h.url + "/runs/" + migrate))
	s.do(chromedp.WaitVisible(chromedp.CSS("#approval")))
	if !evalIn[bool](s, `document.querySelector('#approve').disabled && document.querySelector('#deny').disabled`) {
		t.Fatal("a reader's approve or deny button is enabled")
	}
	mustContain(t, "why", s.text("#why-operate"), "This needs the operate scope; you have read.")
	s.shot("run-reader.png")
	evalIn[bool](s, `(document.querySelector('#approve').disabled = false, true)`)
	s.clickAndLoad("#approve")
	mustContain(t, "forced approve", s.text("#problem"), "Susan Reyes needs the operate scope; you have read")
	if st := h.runWith(migrate, "").Status; st != "awaiting_approval" {
		t.Fatalf("a reader's forced approval left the run %s", st)
	}
	s.do(chromedp.Navigate(h.url + "/runbooks/log-cleanup"))
	evalIn[bool](s, `(document.querySelector('#preview-button').disabled = false, true)`)
	s.clickAndLoad("#preview-button")
	mustContain(t, "forced preview", s.text("#problem"), "needs the operate scope")
	if n := len(runsOfBook(h, "log-cleanup")); n != before {
		t.Fatalf("a reader's forced preview made a run")
	}

	// On a phone: preview and run, and the approval from another phone.
	b.phone()
	for _, path := range []string{"/runbooks", "/runs", "/audit", "/runs/" + migrate} {
		b.do(chromedp.Navigate(h.url + path))
		b.do(chromedp.WaitVisible(chromedp.CSS("#main")))
		b.fits(path + " at 390 px")
	}
	b.do(chromedp.Navigate(h.url + "/runbooks/log-cleanup"))
	b.fits("runbook page at 390 px")
	b.fill("#param-host", "web-3")
	b.clickAndLoad("#preview-button")
	b.fits("preview at 390 px")
	b.docShot("runbook-phone.png")
	b.clickAndLoad("#run-button")
	b.waitText("#status", "SUCCEEDED")
	b.fits("run page at 390 px")
	if !exists(filepath.Join(dir, "cleaned-web-3")) {
		t.Fatal("the run from the phone did not run")
	}
	b.do(chromedp.Navigate(h.url + "/runs/" + migrate))
	b.do(chromedp.WaitVisible(chromedp.CSS("#approval")))
	g := b.person()
	g.phone()
	g.loginPassword(h, "glen", "glen-password")
	g.do(chromedp.Navigate(h.url + "/runs/" + migrate))
	g.do(chromedp.WaitVisible(chromedp.CSS("#approval")))
	g.fits("approval at 390 px")
	g.shot("run-approve-phone.png")
	g.clickAndLoad("#approve")
	mustContain(t, "notice", g.text("#notice"), "Approved run "+migrate+".")
	b.waitText("#status", "SUCCEEDED")
	b.fits("the approved run at 390 px")
	seen.check(t, h.url)
}
