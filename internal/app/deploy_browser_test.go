package app

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDeliveryPagesInBrowser: a reader opens the delivery page, sees the
// four keys with their bands (in words) and the period's deploys with
// their verification, follows a failed deploy to its page, which shows the
// verdict check by check and links the alert it raised; both pages fit a
// phone and every control has a label.
func TestDeliveryPagesInBrowser(t *testing.T) {
	chromium := findChromium(t)
	prod, staging, sk := newTarget(t), newTarget(t), newSink(t)
	cfg := deployConfig(prod.URL, staging.URL, sk.URL, filepath.Join(t.TempDir(), "r")) + fmt.Sprintf(`
people:
  - {id: susan, name: Susan Reyes, password_hash: %q}
`, hashOf(t, "susan-password"))
	h := start(t, cfg, "")
	for _, d := range []string{
		`{"service":"shop","version":"1.1.0","environment":"production","at":"2026-11-16T10:00:00Z","commits":[{"sha":"c1","at":"2026-11-16T09:00:00Z"}]}`,
		`{"service":"shop","version":"1.2.0","environment":"production","at":"2026-11-18T10:00:00Z","status":"rolled_back"}`,
		`{"service":"docs","version":"7","environment":"production","at":"2026-11-19T10:00:00Z"}`,
	} {
		h.recordDeploy(d)
	}
	prod.status.Store(503)
	h.advance(time.Second)
	bad := h.recordDeploy(`{"service":"shop","version":"2.0.0","environment":"production","by":"jay"}`)
	h.advance(10 * time.Second)
	h.waitVerdict(bad.ID)
	h.eventually("the alert is noted", func() bool { return h.deploy(bad.ID).Verification.AlertID != 0 })

	b := newTab(t, chromium)
	seen := b.watch()
	b.loginPassword(h, "susan", "susan-password")
	b.do(chromedp.Navigate(h.url + "/delivery"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#keys")))
	overall := b.rows("#keys")[0]
	mustContain(t, "overall", overall, "all services", "4 deploys", "monthly medium", "1h 0m\n1 commit elite", "50%\n2 of 4 low", "2 not yet")
	rows := b.rows("#deploys")
	if len(rows) != 4 || !strings.Contains(rows[0], fmt.Sprintf("%d | ", bad.ID)) || !strings.HasSuffix(rows[0], "succeeded | failed") ||
		!strings.HasSuffix(rows[2], "rolled back | none") {
		t.Fatalf("deploys: %q", rows)
	}
	mustRow(t, "failures", b.rows("#failures"), "1.2.0")
	b.accessible("delivery page")
	b.phone()
	b.fits("delivery page on a phone")
	b.desktop()

	b.clickAndLoad(fmt.Sprintf(`#failures a[href="/deploys/%d"]`, bad.ID))
	mustContain(t, "heading", b.text("#heading"), fmt.Sprintf("Deploy %d: shop 2.0.0 to production", bad.ID))
	mustContain(t, "verdict", strings.ToLower(b.text("#verdict")), "failed", "shop/home failed 2 times in a row")
	if got := b.rows("#checks"); len(got) != 1 || !strings.HasPrefix(got[0], "shop/home | failed | 2 | status >= 200") {
		t.Fatalf("checks: %q", got)
	}
	mustContain(t, "follow-up", b.text("#followup"), "The failure raised alert", "Rollback: run r_")
	b.accessible("deploy page")
	b.phone()
	b.fits("deploy page on a phone")
	b.desktop()
	b.clickAndLoad("#alert-link")
	mustContain(t, "alert page", b.text("main"), "failed verification")

	// The deploy list shows each deploy's verification (none for those
	// recorded after the fact) and leads to its page.
	b.do(chromedp.Navigate(h.url + "/deploys?service=shop"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#deploys")))
	if rows := b.rows("#deploys"); len(rows) != 3 || !strings.HasSuffix(rows[0], "(status=503) | failed") || !strings.HasSuffix(rows[2], "| none | none") {
		t.Fatalf("deploy list: %q", rows)
	}
	b.clickAndLoad(fmt.Sprintf(`#deploy-%d a.deploy-link`, bad.ID))
	mustContain(t, "heading from the list", b.text("#heading"), fmt.Sprintf("Deploy %d: shop 2.0.0 to production", bad.ID))
	seen.check(t, h.url)
}
