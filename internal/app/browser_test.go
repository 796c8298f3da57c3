package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
)

// Helpers for driving the web app in headless Chromium as a person would.
// A test starts a browser with newTab(t, findChromium(t)), signs in with
// loginPassword or loginOIDC, and uses do, fill, clickAndLoad, text, rows,
// shot, docShot, fits, phone, accessible and focusVisible. Another person
// gets b.person(): a window of the same Chromium with cookies of its own (a
// second Chromium takes seconds to start). A second tab of the same person
// (same cookies) comes from b.tab().

// tab returns a new tab of the same browser: same cookies, same person.
func (b *tab) tab() *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("opening a tab: %v", err)
	}
	return &tab{t: b.t, ctx: ctx}
}

// person opens a window with its own cookies and storage, as another
// person's browser.
func (b *tab) person() *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("opening a window: %v", err)
	}
	return &tab{t: b.t, ctx: ctx}
}

// fill types value into the field sel, replacing what was there.
func (b *tab) fill(sel, value string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	evalIn[bool](b, fmt.Sprintf(`(e => (e.value = "", true))(document.querySelector(%q))`, sel))
	b.do(chromedp.SendKeys(chromedp.CSS(sel), value))
}

// path is the address bar's path and query.
func (b *tab) path() string {
	b.t.Helper()
	return evalIn[string](b, `location.pathname + location.search`)
}

// loginPassword signs in through Vigil's sign-in form and waits for the
// page it leads to.
func (b *tab) loginPassword(h *harness, name, pw string) {
	b.t.Helper()
	b.do(chromedp.Navigate(h.url + "/login"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#sign-in")))
	b.fill("#name", name)
	b.fill("#password", pw)
	b.clickAndLoad("#sign-in")
	if got := b.text("#who"); !strings.Contains(got, "Sign out") {
		b.t.Fatalf("signing in as %s did not work; the page shows %q at %s", name, got, b.path())
	}
}

// loginOIDC signs in through the OpenID provider: Vigil's sign-in button,
// the provider's own form, and back.
func (b *tab) loginOIDC(h *harness, username, pw string) {
	b.t.Helper()
	b.do(chromedp.Navigate(h.url + "/login"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#sso")))
	b.clickAndLoad("#sso")
	b.do(chromedp.WaitVisible(chromedp.CSS("#username")))
	b.fill("#username", username)
	b.fill("#password", pw)
	b.clickAndLoad("button[type=submit]")
	b.do(chromedp.WaitVisible(chromedp.CSS("#who")))
	if got := b.text("#who"); !strings.Contains(got, "Sign out") {
		b.t.Fatalf("single sign-on as %s did not work; the page shows %q at %s", username, got, b.path())
	}
}

// phone makes the window a 390 px wide phone screen; desktop undoes it.
func (b *tab) phone() {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
}

func (b *tab) desktop() {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(1200, 900))
}

// docShot is shot, also written to docs/img/name when VIGIL_DOC_SCREENSHOTS
// is set, to refresh the screenshots in the docs.
func (b *tab) docShot(name string) {
	b.t.Helper()
	b.shot(name)
	if os.Getenv("VIGIL_DOC_SCREENSHOTS") == "" {
		return
	}
	src, err := os.ReadFile(filepath.Join(b.t.ArtifactDir(), name))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", "img", name), src, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// accessible fails for form fields without a label and controls without a
// name: the basics a screen reader needs on every page.
func (b *tab) accessible(what string) {
	b.t.Helper()
	bad := evalIn[[]string](b, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
		.filter(e => e.tagName === "BUTTON" ? !(e.textContent.trim() || e.getAttribute("aria-label"))
			: !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
		.map(e => e.outerHTML.slice(0, 120))`)
	for _, e := range bad {
		b.t.Errorf("%s: no label or name: %s", what, e)
	}
}

// focusVisible presses Tab and fails unless the focused element shows an
// outline.
func (b *tab) focusVisible(what string) {
	b.t.Helper()
	b.do(chromedp.KeyEvent("\t"))
	got := evalIn[[]string](b, `(e => [e.tagName, getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth])(document.activeElement)`)
	if got[0] == "BODY" || got[1] == "none" || got[2] == "0px" {
		b.t.Errorf("%s: keyboard focus on %s shows no outline (%s %s)", what, got[0], got[1], got[2])
	}
}
