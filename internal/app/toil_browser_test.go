package app

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const toilItemsConfig = `toil:
  - {id: log-cleanup, title: Clean the logs by hand, service: shop, estimate: 20m}
  - {id: dns-failover, title: Fail DNS over by hand, service: dns, estimate: 15m}
`

// TestToilPagesInBrowser: glen (respond) sees the toil items with their
// trend and savings, logs toil with the form (a refused entry keeps what
// he typed and says why), finds it in the ledger and reads the plan;
// susan (read) sees the form but may not use it. The pages fit a phone.
func TestToilPagesInBrowser(t *testing.T) {
	chromium := findChromium(t)
	h := start(t, peopleConfig(t)+peopleAccess+toilItemsConfig, "")
	// Last week's toil, logged over the API.
	for _, body := range []string{
		`{"text":"Cleaned /home/sre/course4 by hand","minutes":20,"item":"log-cleanup","by":"glen","at":"2026-11-20T09:00:00Z"}`,
		`{"text":"Failed DNS over by hand","minutes":25,"item":"dns-failover","by":"susan","at":"2026-11-21T15:00:00Z"}`,
	} {
		if code := h.do("POST", "/api/v1/toil/entries", "r00t-t0ken", strings.NewReader(body), nil); code != 201 {
			t.Fatalf("log %s: %d", body, code)
		}
	}

	b := newTab(t, chromium)
	seen := b.watch()
	seen.expect("status of 400 (Bad Request) " + h.url + "/toil/entries") // the refused entry, on purpose
	b.loginPassword(h, "glen", "glen-password")
	b.do(chromedp.Navigate(h.url + "/toil"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#items")))
	rows := b.rows("#items")
	mustRow(t, "items", rows, "clean the logs by hand\nlog-cleanup | identified | 1 | 20 min | 5 min")
	mustRow(t, "items", rows, "fail dns over by hand\ndns-failover | identified | 1 | 25 min")
	mustContain(t, "totals", b.text("#totals"), "45 min of toil in 2 occurrences")
	if got := evalIn[string](b, `document.querySelector('#items svg.sparkline').getAttribute('aria-label')`); !strings.HasPrefix(got, "Minutes a week for Clean the logs by hand: ") {
		t.Errorf("the trend's sparkline is labelled %q", got)
	}
	mustRow(t, "load", b.rows("#people"), "glen hart | 20 min | 160 h | 0.2%")
	b.accessible("toil page")
	b.docShot("toil.png")

	// A refused entry: the form comes back as typed, saying why.
	b.fill("#text", "Restarted the order processor by hand")
	b.fill("#minutes", "30")
	b.do(chromedp.SetValue(chromedp.CSS("#at"), "2030-01-01T09:00"))
	b.clickAndLoad("#log-toil")
	mustContain(t, "refused", b.text("#problem"), "Nothing was logged:", "at: 2030-01-01T09:00:00+07:00 is in the future")
	if got := evalIn[string](b, `document.querySelector('#text').value`); got != "Restarted the order processor by hand" {
		t.Errorf("the refused form lost its text: %q", got)
	}
	// Then as it should be: to the ledger, with a notice.
	evalIn[string](b, `document.querySelector('#at').value = ''`)
	b.do(chromedp.SetValue(chromedp.CSS("#item"), "log-cleanup"))
	b.clickAndLoad("#log-toil")
	if got := b.path(); got != "/toil/entries" {
		t.Fatalf("after logging the browser is at %s", got)
	}
	mustContain(t, "notice", b.text("#notice"), "Logged 30 min: Restarted the order processor by hand.")
	mustRow(t, "ledger", b.rows("#entries"), "glen | 30 min | manual | shop | log-cleanup | restarted the order processor by hand")
	b.accessible("ledger")

	// The plan.
	b.do(chromedp.Navigate(h.url + "/toil/plan?from=2026-11-16&to=2026-11-23"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#document h1")))
	mustContain(t, "plan", b.text("#document h1"), "Toil reduction plan: all services, 2026-11-16 to 2026-11-23")
	mustContain(t, "plan", b.text("#document"), "Clean the logs by hand", "Automation candidates", "Toil load (50% cap)")
	b.docShot("toil-plan.png")

	b.phone()
	for _, path := range []string{"/toil", "/toil/entries", "/toil/plan"} {
		b.do(chromedp.Navigate(h.url + path))
		b.do(chromedp.WaitVisible(chromedp.CSS("#main")))
		b.fits(path + " at 390 px")
	}
	b.desktop()

	// Susan reads; the form says why she cannot log.
	o := b.person()
	o.loginPassword(h, "susan", "susan-password")
	o.do(chromedp.Navigate(h.url + "/toil"))
	o.do(chromedp.WaitVisible(chromedp.CSS("#log-form")))
	if disabled := evalIn[bool](o, `document.querySelector('#log-toil').disabled`); !disabled {
		t.Error("susan's Log toil button is enabled")
	}
	mustContain(t, "why", o.text("#why-respond"), "This needs the respond scope; you have read.")
	seen.check(t, h.url)
}

// TestToilFormSubmittedTwice: the form carries a key of its own, so sending
// it again (a double click, the back button) adds nothing; without a
// session nothing is logged at all.
func TestToilFormSubmittedTwice(t *testing.T) {
	h := start(t, peopleConfig(t)+peopleAccess+toilItemsConfig, "")
	v := h.visitor()
	v.login("glen", "glen-password")
	page := v.get("/toil")
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(page.Body)
	if key == nil {
		t.Fatalf("the form has no key: %.300s", page.Body)
	}
	form := url.Values{"csrf": {v.csrf("/toil")}, "key": {key[1]}, "text": {"Cleaned the logs"}, "minutes": {"15"}, "item": {"log-cleanup"}, "by": {"glen"}}
	if r := v.post("/toil/entries", form); r.Status != 303 || r.Location != "/toil/entries" {
		t.Fatalf("first submit: %d %s", r.Status, r.Location)
	}
	r := v.post("/toil/entries", form)
	if r.Status != 400 || !strings.Contains(r.Body, "was already logged with this key, so nothing was added") || !strings.Contains(r.Body, `value="Cleaned the logs"`) {
		i := strings.Index(r.Body, `id="problem"`)
		t.Fatalf("second submit: %d %.800s", r.Status, r.Body[max(i, 0):])
	}
	stranger := h.visitor()
	if r := stranger.post("/toil/entries", form); r.Status != 403 {
		t.Fatalf("without a session: %d", r.Status)
	}
	var ledger struct {
		Entries []any `json:"entries"`
	}
	h.do("GET", "/api/v1/toil/entries", "", nil, &ledger)
	if len(ledger.Entries) != 1 {
		t.Fatalf("%d entries, want 1", len(ledger.Entries))
	}
}
