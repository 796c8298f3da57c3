package app

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const uiConfig = `
global:
  public: {status_page: true}
services:
  - id: shop
    name: Exotic Plant Shop
    checks:
      - id: web
        name: Storefront
        http: {url: %q}
        every: 30s
        expect: ['status == 200']
  - id: payments
    checks:
      - id: api
        http: {url: %q}
        every: 30s
        expect: ['status == 200', 'duration < 5s']
        fail_after: 1
        runbook: payments-down
runbooks:
  - id: payments-down
    title: Payments API down
    doc: |
      1. Look at the payments log.
      2. Restart the payments pod.
`

// TestStatusPageInBrowser loads the status page and a check page in headless
// Chromium and asserts what a person sees there, not just the HTML sent.
func TestStatusPageInBrowser(t *testing.T) {
	chromium := findChromium(t)
	shop, payments := newTarget(t), newTarget(t)
	payments.status.Store(503)
	h := start(t, fmt.Sprintf(uiConfig, shop.URL, payments.URL), "")
	// Started after the app so that it is closed first: the app's graceful
	// shutdown waits seconds for the browser's preconnected, unused sockets.
	b := newTab(t, chromium)
	seen := b.watch()

	// Before the first results the page must not claim that all is well.
	b.do(chromedp.Navigate(h.url + "/"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#check-payments-api")))
	b.shot("status-before.png")
	mustContain(t, "banner before any result", b.text("#overall"), "Waiting for the first results")
	mustContain(t, "reason before any result", b.text("#check-payments-api .reason"), "no result yet")

	const okKey, badKey = "shop/web", "payments/api"
	// Two results each, so the day buckets hold 30s of up or down time.
	h.step(30*time.Second, okKey, badKey)
	h.step(30*time.Second, okKey, badKey)
	h.waitState(okKey, "ok")
	h.waitState(badKey, "failing")
	h.eventually("uptime written", func() bool {
		for _, k := range []string{okKey, badKey} {
			if c := h.check(k); len(c.Uptime) == 0 || c.Uptime[0].Percent == nil {
				return false
			}
		}
		return true
	})
	today := h.clock.Now().UTC().Format("2006-01-02")

	b.do(chromedp.Navigate(h.url + "/"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#check-payments-api")))
	b.shot("status.png")
	mustContain(t, "banner", b.text("#overall"), "1 of 2 checks need attention", "payments / api")
	if got := evalIn[string](b, `document.title`); got != "(1) Status · Vigil" {
		t.Errorf("tab title %q", got)
	}
	if got := evalIn[string](b, `document.querySelector('meta[http-equiv="refresh"]')?.content ?? ""`); got != "30" {
		t.Errorf("refresh meta tag = %q, want 30", got)
	}
	rowCases := []struct{ row, state, reason string }{
		{"#check-shop-web", "ok", ""},
		{"#check-payments-api", "failing", "status == 200 failed (status=503)"},
	}
	for _, c := range rowCases {
		// CSS upper-cases the pill, and innerText says so.
		if got := b.text(c.row + " .pill"); !strings.EqualFold(got, c.state) {
			t.Errorf("%s shows state %q, want %q", c.row, got, c.state)
		}
		got := b.text(c.row + " .reason")
		if c.reason == "" && got != "" || !strings.Contains(got, c.reason) {
			t.Errorf("%s shows reason %q, want %q", c.row, got, c.reason)
		}
	}
	barCases := []struct{ service, class, pct string }{
		{"shop", "up", "100%"},
		{"payments", "down", "0.00%"},
	}
	for _, c := range barCases {
		sel := "#service-" + c.service + " .bar"
		if n := evalIn[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)); n != 90 {
			t.Errorf("%s has %d bars, want 90", c.service, n)
		}
		// A width of 0 would mean the bars are there but not drawn.
		last := evalIn[[]string](b, fmt.Sprintf(`(b => [b.className, b.title, String(b.getBoundingClientRect().width)])([...document.querySelectorAll(%q)].at(-1))`, sel))
		want := today + ": " + c.pct + " up"
		if last[0] != "bar "+c.class || !strings.HasPrefix(last[1], want) || last[2] == "0" {
			t.Errorf("%s's bar for today: class %q, title %q, width %s; want class %q, title %q", c.service, last[0], last[1], last[2], "bar "+c.class, want)
		}
	}
	if ext := evalIn[[]string](b, `[...document.querySelectorAll('link[href], script[src], img[src], iframe[src]')]
		.map(e => e.href || e.src).filter(u => new URL(u).origin !== location.origin)`); len(ext) > 0 {
		t.Errorf("status page loads external resources: %v", ext)
	}

	b.clickAndLoad("#check-payments-api a")
	b.do(chromedp.WaitVisible(chromedp.CSS("table.conditions")))
	b.shot("check.png")
	if got := evalIn[string](b, `location.pathname`); got != "/checks/payments/api" {
		t.Fatalf("the link led to %s", got)
	}
	mustContain(t, "reason", b.text("#reason"), "status == 200 failed (status=503)")
	conds := b.rows("table.conditions")
	mustRow(t, "conditions", conds, "✗ failed | status == 200 | expect | status=503")
	mustRow(t, "conditions", conds, "✓ held | duration < 5s | expect")
	mustRow(t, "state changes", b.rows("table.events"), "| unknown | failing | status == 200 failed (status=503)")

	// The failing check opened an alert; its page is where notifications
	// lead, with the SOP and the timeline. They are private, so the tab
	// sends a token.
	if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + harnessReadToken}}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(h.url + "/alerts"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#heading")))
	mustContain(t, "alerts heading", b.text("#heading"), "1 open alert")
	mustRow(t, "alerts", b.rows("table.alerts"), "firing | error | payments | api is failing: status == 200 failed (status=503)")
	b.clickAndLoad("table.alerts tbody tr td.summary a")
	b.do(chromedp.WaitVisible(chromedp.CSS("#timeline")))
	b.shot("alert.png")
	if got := evalIn[string](b, `location.pathname`); !strings.HasPrefix(got, "/alerts/") {
		t.Fatalf("the alert link led to %s", got)
	}
	mustContain(t, "alert status", b.text("#status"), "FIRING")
	mustContain(t, "runbook", b.text("#runbook"), "Payments API down", "1. Look at the payments log.\n2. Restart the payments pod.")
	mustRow(t, "timeline", b.rows("#timeline"), "| fired | check | ")
	mustRow(t, "labels", b.rows("#labels"), "check | api")

	// On a phone the pages must fit the screen: nothing to scroll sideways.
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.fits("alert page")
	b.do(chromedp.Navigate(h.url + "/checks/payments/api"))
	b.do(chromedp.WaitVisible(chromedp.CSS("table.conditions")))
	b.fits("check page")
	b.shot("check-narrow.png")
	b.do(chromedp.Navigate(h.url + "/"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#overall")))
	b.fits("status page")
	b.shot("status-narrow.png")

	seen.check(t, h.url)
}

// findChromium returns the path of Chromium, or skips the test when there is
// none, unless VIGIL_REQUIRE_BROWSER=1 says that this machine must have one.
func findChromium(t *testing.T) string {
	t.Helper()
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err == nil {
		return path
	}
	path, err := exec.LookPath("chromium")
	if err == nil {
		return path
	}
	if os.Getenv("VIGIL_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium is not installed and VIGIL_REQUIRE_BROWSER=1 (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium); set VIGIL_REQUIRE_BROWSER=1 to fail instead")
	return ""
}

// tab is a headless Chromium tab; its helpers fail the test on any error.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// browserTimeout bounds each browser action, so a page that never shows an
// element fails the test instead of hanging it.
const browserTimeout = 5 * time.Second

// newTab starts headless Chromium and opens a tab, both closed when the test
// ends.
func newTab(t *testing.T, chromium string) *tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1200, 900),
		chromedp.UserDataDir(t.TempDir()),
		// The machine has no network: anything Chromium dials on its own is
		// refused and slows the start down.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser and ties it to ctx, which has no
	// deadline; each later call gets its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return &tab{t: t, ctx: ctx}
}

func (b *tab) do(a chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, a); err != nil {
		b.t.Fatal(err)
	}
}

// clickAndLoad clicks the element and waits for the page it leads to.
func (b *tab) clickAndLoad(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		b.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// evalIn is a func, not a method, because methods cannot have type parameters.
func evalIn[T any](b *tab, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// text is the element's innerText: what is rendered, after CSS.
func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// rows is the rendered text of each body row of a table, cells joined by
// " | " and lower-cased, as CSS may upper-case some of them.
func (b *tab) rows(table string) []string {
	b.t.Helper()
	return evalIn[[]string](b, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(r =>
		[...r.cells].map(c => c.innerText.trim()).join(" | ").toLowerCase())`, table+" tbody tr"))
}

// shot saves a full-page screenshot; go test -artifacts keeps it.
func (b *tab) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(b.t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// fits fails when the page is wider than the window.
func (b *tab) fits(what string) {
	b.t.Helper()
	if w := evalIn[[]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
		b.t.Errorf("%s is %dpx wide in a %dpx window", what, w[0], w[1])
	}
}

// mustRow fails unless one of rows contains want.
func mustRow(t *testing.T, what string, rows []string, want string) {
	t.Helper()
	for _, r := range rows {
		if strings.Contains(r, want) {
			return
		}
	}
	t.Errorf("%s: no row has %q in %q", what, want, rows)
}

// pageWatch records what the browser saw go wrong and what it fetched.
type pageWatch struct {
	mu       sync.Mutex
	problems []string
	requests []string
	expected []string
}

// expect lets problems containing s pass: an error page a test asks for
// (a refused sign-in answers 401) is logged by the browser as an error.
func (w *pageWatch) expect(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expected = append(w.expected, s)
}

// watch starts recording; Listen, unlike chromedp.Events, sees the events in
// order before the next reply, so check misses none.
func (b *tab) watch() *pageWatch {
	b.t.Helper()
	w := &pageWatch{}
	err := chromedp.Listen(b.ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			if d.Exception != nil {
				w.problems = append(w.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, d.Exception.Description))
			} else {
				w.problems = append(w.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, d.Text))
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				w.problems = append(w.problems, fmt.Sprintf("console.%s", ev.Type))
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				w.problems = append(w.problems, fmt.Sprintf("%s %s: %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		case *network.EventRequestWillBeSent:
			w.requests = append(w.requests, ev.Request.URL)
		}
	})
	if err != nil {
		b.t.Fatal(err)
	}
	return w
}

// check fails the test for any error the pages logged or threw, and for any
// request that left the app: the page must work with no network.
func (w *pageWatch) check(t *testing.T, base string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
problems:
	for _, p := range w.problems {
		for _, e := range w.expected {
			if strings.Contains(p, e) {
				continue problems
			}
		}
		t.Errorf("browser: %s", p)
	}
	for _, u := range w.requests {
		if !strings.HasPrefix(u, base+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("page fetched %s, outside the app", u)
		}
	}
	if len(w.requests) == 0 {
		t.Error("saw no requests: the network watch is broken")
	}
}
