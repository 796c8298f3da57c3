package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWeeklyPageInBrowser: susan (read) finds the weekly status report
// under Reports in the navigation, picks a week and a service in the form,
// and reads the report in the app's layout; a period backwards comes back
// as a 400 naming the field. The page fits a phone.
func TestWeeklyPageInBrowser(t *testing.T) {
	chromium := findChromium(t)
	h := start(t, peopleConfig(t)+peopleAccess+toilItemsConfig, "")
	if code := h.do("POST", "/api/v1/toil/entries", "r00t-t0ken", strings.NewReader(
		`{"text":"Cleaned /home/sre/course4 by hand","minutes":20,"item":"log-cleanup","by":"glen","at":"2026-11-20T09:00:00Z"}`), nil); code != 201 {
		t.Fatalf("log toil: %d", code)
	}

	b := newTab(t, chromium)
	seen := b.watch()
	b.loginPassword(h, "susan", "susan-password")
	b.do(chromedp.Navigate(h.url + "/"))
	b.do(chromedp.WaitVisible(chromedp.CSS(`nav a[href="/reports/weekly"]`)))
	b.clickAndLoad(`nav a[href="/reports/weekly"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS("#document h1")))
	if got := evalIn[string](b, `document.querySelector('nav a[aria-current="page"]').textContent`); got != "Reports" {
		t.Errorf("the current navigation entry is %q", got)
	}
	mustContain(t, "default week", b.text("#document h1"), "Weekly status report: shop, dns, 2026-11-17 to 2026-11-23")

	// The week before, for the shop only.
	b.do(chromedp.SetValue(chromedp.CSS("#from"), "2026-11-16"))
	b.do(chromedp.SetValue(chromedp.CSS("#to"), "2026-11-22"))
	b.do(chromedp.SetValue(chromedp.CSS("#service"), "shop"))
	b.clickAndLoad("#period button")
	if got := b.path(); !strings.HasPrefix(got, "/reports/weekly?from=2026-11-16&to=2026-11-22&service=shop") {
		t.Fatalf("the form went to %s", got)
	}
	mustContain(t, "title", b.text("#document h1"), "Weekly status report: shop, 2026-11-16 to 2026-11-22")
	doc := b.text("#document")
	mustContain(t, "report", doc, "Current work", "Work done", "Incidents", "SLOs and uptime", "On call", "Toil",
		"20 min of toil in 1 occurrence", "Future work", "Config changes")
	if strings.Contains(doc, "dns") {
		t.Errorf("the shop's report shows another service:\n%s", doc)
	}
	mustRow(t, "toil", b.rows("#document table"), "clean the logs by hand | identified | 20 min | new | 0 min")
	b.accessible("weekly report")
	b.docShot("weekly-report.png")

	b.phone()
	b.fits("weekly report at 390 px")
	b.desktop()

	// A period backwards: the page says which field is wrong.
	b.do(chromedp.Navigate(h.url + "/reports/weekly?from=2026-11-22&to=2026-11-16"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#problem")))
	seen.expect("status of 400 (Bad Request) " + h.url + "/reports/weekly")
	mustContain(t, "refused", b.text("#problem"), "to: must be after from")
	seen.check(t, h.url)
}
