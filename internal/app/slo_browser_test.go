package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSLOPageInBrowser: a person signed in follows an SLO from the status
// page to its page and sees the budget left, the burn-rate chart over the
// window, the rules and the alert the burn raised; the list page shows it
// exhausted; both fit a phone.
func TestSLOPageInBrowser(t *testing.T) {
	chromium := findChromium(t)
	tg := newTarget(t)
	h := start(t, fmt.Sprintf(`
people:
  - {id: glen, name: Glen Hart, password_hash: %q}
teams: [{id: sre, members: [glen]}]
auth:
  access: [{team: sre, scopes: [respond]}]
tokens:
  - {id: ci, secret: ci-t0ken, scopes: [operate]}
services:
  - id: shop
    slos:
      - {id: availability, objective: 99.9, availability: {checks: [web]}, description: "the shop answers"}
      - {id: checkout, objective: 99.5, window: 7d, events: {}, policy: {block_deploys: true}}
    checks:
      - {id: web, http: {url: %q}, every: 30s, timeout: 2s}
`, hashOf(t, "glen-password"), tg.URL), "")
	b := newTab(t, chromium)
	seen := b.watch()

	for range 4 {
		h.step(30*time.Second, "shop/web")
	}
	if code := h.do("POST", "/api/v1/slos/shop/checkout/events", "ci-t0ken", strings.NewReader(`{"good": 900, "total": 1000}`), nil); code != 202 {
		t.Fatalf("push: %d", code)
	}
	h.advanceUntil("checkout page raised", 30*time.Second, 10*time.Minute, func() bool {
		for _, a := range h.alerts("status=open") {
			if a.Labels["slo"] == "checkout" && a.Labels["window"] == "1h" {
				return true
			}
		}
		return false
	})

	h.waitSLO("shop/availability", "judged", func(s sloJSON) bool { return s.SLI != nil })
	b.loginPassword(h, "glen", "glen-password")
	b.do(chromedp.Navigate(h.url + "/"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#slo-checkout")))
	mustContain(t, "status page budget", strings.ToLower(b.text("#service-shop .slos")), "availability 99.9% over 30d 100.0% of the error budget left (43m12s)",
		"checkout 99.5% over 1w error budget spent (-1900.0% left)", "burning (page)")
	b.clickAndLoad("#slo-checkout a")
	b.do(chromedp.WaitVisible(chromedp.CSS("#budget")))
	b.shot("slo.png")
	if got := b.path(); got != "/slos/shop/checkout" {
		t.Fatalf("the SLO link led to %s", got)
	}
	mustContain(t, "heading", b.text("#heading"), "shop/checkout")
	mustContain(t, "SLI", b.text("#sli"), "90.0000%")
	// 10% bad against a 0.5% budget: nineteen budgets over.
	mustContain(t, "budget left", b.text("#left"), "-1900.00%", "spent")
	mustContain(t, "policy", b.text("#budget"), "deploys that are not fixes are refused")
	if n := evalIn[int](b, `document.querySelectorAll('#burn-chart svg polyline, #burn-chart svg path, #burn-chart svg circle').length`); n == 0 {
		t.Errorf("no burn-rate line drawn:\n%s", evalIn[string](b, `document.querySelector('#burn-chart').innerHTML`))
	}
	if label := evalIn[string](b, `document.querySelector('#burn-chart svg').getAttribute('aria-label') || document.querySelector('#burn-chart svg title')?.textContent || ''`); !strings.Contains(label, "Burn rate over the window") {
		t.Errorf("burn chart has no accessible name: %q", label)
	}
	mustRow(t, "rules", b.rows("#rules"), "page-1h | page | 3.36× (2% of the budget)")
	mustRow(t, "rules", b.rows("#rules"), "firing")
	mustRow(t, "alerts raised", b.rows("#raised"), "firing | page 1h | shop/checkout is burning its error budget")
	b.clickAndLoad("#raised tbody tr td:nth-child(4) a")
	b.do(chromedp.WaitVisible(chromedp.CSS("#timeline")))
	if got := b.path(); !strings.HasPrefix(got, "/alerts/") {
		t.Fatalf("the raised alert's link led to %s", got)
	}

	b.do(chromedp.Navigate(h.url + "/slos"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#slos")))
	mustRow(t, "SLO list", b.rows("#slos"), "shop/checkout")
	mustRow(t, "SLO list", b.rows("#slos"), "exhausted")
	b.phone()
	b.fits("SLO list")
	b.do(chromedp.Navigate(h.url + "/slos/shop/availability"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#budget")))
	b.fits("SLO page")
	b.shot("slo-narrow.png")
	mustContain(t, "availability SLI", b.text("#sli"), "100.0000%")
	mustContain(t, "nothing raised", b.text("#raised-none"), "None yet.")

	b.do(chromedp.Navigate(h.url + "/slos/shop/nope"))
	b.do(chromedp.WaitVisible(chromedp.CSS("main")))
	seen.expect("/slos/shop/nope")
	seen.check(t, h.url)
}
