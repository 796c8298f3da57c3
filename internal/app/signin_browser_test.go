package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSignInInBrowser: in headless Chromium, one person signs in with a
// password and another through a real OpenID provider (its scope from a
// group); someone the config does not know is refused; pages fit a phone.
func TestSignInInBrowser(t *testing.T) {
	chromium := findChromium(t)
	op := startProvider(t,
		opUser{ID: "u1", Username: "olga", Password: "olga-at-idp", Email: "olga@example.com", Groups: []string{"responders"}},
		opUser{ID: "u2", Username: "mallory", Password: "mallory-at-idp", Email: "mallory@elsewhere.example"},
	)
	cfg := peopleConfigWith(t, "  - {id: olga, name: Olga Petrova, contacts: {email: olga@example.com}}\n") + `auth:
` + op.oidcConfig("") + `  access:
    - {team: sre, scopes: [respond]}
    - {oidc_group: responders, scopes: [respond]}
`
	h := start(t, cfg, "")
	op.register("vigil", "vigil-s3cret", h.url+"/login/oidc/callback")

	b := newTab(t, chromium)
	seen := b.watch()
	seen.expect("status of 401 (Unauthorized) " + h.url + "/login") // the wrong password, on purpose
	b.do(chromedp.Navigate(h.url + "/alerts"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#sign-in")))
	if got := b.path(); got != "/login?next=%2Falerts" {
		t.Fatalf("a private page sent the browser to %s", got)
	}
	b.accessible("sign-in page")
	b.focusVisible("sign-in page")
	b.fill("#name", "susan")
	b.fill("#password", "wrong password")
	b.clickAndLoad("#sign-in")
	mustContain(t, "failed sign-in", b.text("#problem"), "Sign-in failed: that name and password do not match.")
	b.docShot("login.png")
	b.fill("#password", "susan-password")
	b.clickAndLoad("#sign-in")
	if got := b.path(); got != "/alerts" {
		t.Fatalf("after sign-in the browser is at %s, want /alerts", got)
	}
	mustContain(t, "header", b.text("#who"), "Susan Reyes", "Sign out")
	if got := evalIn[string](b, `document.querySelector('.nav a[aria-current="page"]').innerText`); got != "Alerts" {
		t.Errorf("the navigation marks %q as current", got)
	}
	nav := evalIn[[]string](b, `[...document.querySelectorAll('.nav a')].map(a => a.innerText)`)
	if strings.Join(nav, ",") != "Status,Alerts,SLOs,Incidents,On call,Runbooks,Silences,Deploys,Delivery,Releases,Toil,Reports,Cluster" {
		t.Errorf("navigation %v", nav)
	}
	b.phone()
	for _, path := range []string{"/alerts", "/", "/login"} {
		b.do(chromedp.Navigate(h.url + path))
		b.do(chromedp.WaitVisible(chromedp.CSS("#main")))
		b.fits(path + " at 390 px")
	}
	b.docShot("login-phone.png")
	b.desktop()

	// Another person, another browser: single sign-on.
	o := b.person()
	o.loginOIDC(h, "olga", "olga-at-idp")
	mustContain(t, "header", o.text("#who"), "Olga Petrova")
	if got := evalIn[string](o, `document.querySelector('#who .me').title`); got != "respond scope" {
		t.Errorf("olga's scope from her group: %q, want respond", got)
	}
	if !strings.Contains(h.auditActions(), "person/olga session.started") {
		t.Error("the single sign-on is not in the audit log")
	}

	// Someone the provider knows but Vigil's config does not.
	m := b.person()
	m.do(chromedp.Navigate(h.url + "/login"))
	m.clickAndLoad("#sso")
	m.do(chromedp.WaitVisible(chromedp.CSS("#username")))
	m.fill("#username", "mallory")
	m.fill("#password", "mallory-at-idp")
	m.clickAndLoad("button[type=submit]")
	m.do(chromedp.WaitVisible(chromedp.CSS("#problem")))
	mustContain(t, "stranger", m.text("#problem"), "mallory@elsewhere.example", "no person in Vigil's config has that email")
	m.do(chromedp.Navigate(h.url + "/alerts"))
	m.do(chromedp.WaitVisible(chromedp.CSS("#sign-in")))

	// Signing out from the header.
	b.do(chromedp.Navigate(h.url + "/alerts"))
	b.clickAndLoad("#who button")
	if got := b.path(); got != "/login?out=1" {
		t.Fatalf("sign-out led to %s", got)
	}
	mustContain(t, "after sign-out", b.text("#notice"), "You are signed out.")
	b.do(chromedp.Navigate(h.url + "/alerts"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#sign-in")))
	seen.check(t, h.url)
}
