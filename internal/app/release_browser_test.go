package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestReleasePagesInBrowser: a person who may operate browses the shop's
// releases, reads Release 2's as-built document and capacity plan, and moves
// the release from its page; a person who may only read sees why the form
// is disabled. The pages fit a phone and every control has a label.
func TestReleasePagesInBrowser(t *testing.T) {
	chromium := findChromium(t)
	h := start(t, peopleConfigWith(t, "  - {id: thach, name: Thach Duong}\n")+peopleAccess, "")
	for _, f := range []string{"release-1.yaml", "release-2.yaml"} {
		if code, out, errOut := runCLI(t, "release", "create", "-f", "../../examples/releases/"+f, "--server", h.url, "--token", "r00t-t0ken"); code != 0 {
			t.Fatalf("%s: %d %q %q", f, code, out, errOut)
		}
	}
	b := newTab(t, chromium)
	seen := b.watch()
	b.loginPassword(h, "viktor", "viktor-password")

	b.do(chromedp.Navigate(h.url + "/releases?service=shop"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#releases")))
	rows := b.rows("#releases")
	if len(rows) != 2 || !strings.Contains(rows[0], "release 2 | 2.0.0 | planned") || !strings.Contains(rows[1], "release 1 | 1.0.0 | released") {
		t.Fatalf("history: %q", rows)
	}
	b.accessible("releases page")
	b.clickAndLoad(`#releases a[href="/releases/2"]`)
	doc := b.text("#document")
	mustContain(t, "as-built document", doc, "Security fixes", "Fixed SQL injection attack (Tk-205)", "Thach Duong",
		"app-deployment: replicas 3 → 6", "container main-app memory request 256Mi → 320Mi", "container order-processor added")
	b.accessible("release page")

	b.clickAndLoad("#capacity-link")
	mustContain(t, "capacity page", b.text("#outcome"), "app-deployment: 6 replicas")
	mustContain(t, "main-app steps", b.text("#steps-main-app"), "256Mi × 85% = 217.6Mi", "272Mi ÷ 85% = 320Mi", "2600 users ÷ 500 per replica = 5.2 → ceil = 6 replicas")
	mustContain(t, "order-processor steps", b.text("#steps-order-processor"), "2 × (2 × 250m) = 1000m")
	mustContain(t, "manifest", b.text("#manifest"), "replicas: 6", "name: order-processor", "memory: 320Mi")
	b.phone()
	b.fits("capacity page on a phone")
	b.desktop()

	b.do(chromedp.Navigate(h.url + "/releases/2"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#move")))
	b.fill("#note", "release window open")
	b.clickAndLoad("#move-button")
	if got := b.text("#notice"); got != "Release 2 is in progress." {
		t.Fatalf("notice %q", got)
	}
	mustContain(t, "status", strings.ToLower(b.text("#status")), "in progress")
	mustContain(t, "history", strings.Join(b.rows("#history"), "\n"), "in progress | person/viktor | release window open")
	b.phone()
	b.fits("release page on a phone")
	b.desktop()

	// Susan may read: the form is there, disabled, and says why.
	o := b.person()
	o.loginPassword(h, "susan", "susan-password")
	o.do(chromedp.Navigate(h.url + "/releases/2"))
	o.do(chromedp.WaitVisible(chromedp.CSS("#move")))
	if dis := evalIn[bool](o, `document.querySelector("#move-button").disabled`); !dis {
		t.Fatal("a reader's move button is enabled")
	}
	mustContain(t, "why", o.text("#why-operate"), "This needs the operate scope; you have read.")
	seen.check(t, h.url)
}
