package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-sre/vigil/internal/ical/icaltest"
)

// setValue sets a field as a person picking from the browser's own
// date-time or select control would, and tells the page it changed.
func (b *tab) setValue(sel, value string) {
	b.t.Helper()
	ok := evalIn[bool](b, fmt.Sprintf(`(e => { if (!e) return false; e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return e.value === %q })(document.querySelector(%q))`, value, value, sel))
	if !ok {
		b.t.Fatalf("could not set %s to %q", sel, value)
	}
}

// dayShifts is the text of the on-call entries of one calendar day.
func (b *tab) dayShifts(day string) []string {
	b.t.Helper()
	return evalIn[[]string](b, fmt.Sprintf(`[...document.querySelectorAll('.oc-day[data-day=%q] .oc-shift')].map(e => e.innerText.replace(/\s+/g, ' ').trim())`, day))
}

func mustHave(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	all := strings.Join(got, " | ")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Fatalf("%s: %q lacks %q", what, got, w)
		}
	}
}

// TestOnCallInBrowser: glen, signed in, sees who is on call, takes thach's
// Thursday from the calendar and sees the calendar change, swaps a shift
// with john, finds both in his shifts and in the calendar feed his
// calendar app would fetch; the same at phone width. susan, with read
// only, sees why she cannot change anything.
func TestOnCallInBrowser(t *testing.T) {
	chromium := findChromium(t)
	h := start(t, onCallPagesConfig(t), "")
	b := newTab(t, chromium)
	seen := b.watch()
	b.loginPassword(h, "glen", "glen-password")

	// Who is on call now, and what each step would page.
	b.do(chromedp.Navigate(h.url + "/oncall"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#schedules")))
	mustContain(t, "on call now", b.text("#schedule-sre-primary"), "Thach Duong is on call until 2026-11-24 09:00:00 +07", "rotation daily",
		"NEXT", "John Robert from 2026-11-24 09:00:00 +07")
	mustContain(t, "policy", b.text("#policy-sre-default"), "Step 1, at once", "schedule/sre-primary → Thach Duong",
		"Step 2, 15m after step 1", "team/sre → Glen Hart", "person/viktor → Viktor Admin")
	mustContain(t, "handoffs", b.text("#handoffs"), "John Robert")
	b.accessible("on-call page")
	b.docShot("oncall.png")

	// The calendar: take thach's Thursday.
	b.clickAndLoad("#schedule-sre-primary h3 a")
	if got := b.path(); got != "/oncall/schedules/sre-primary" {
		t.Fatalf("the schedule link led to %s", got)
	}
	mustHave(t, "Thursday before", b.dayShifts("2026-11-26"), "Glen Hart until 09:00", "Thach Duong from 09:00 rotation daily")
	b.accessible("calendar")
	b.focusVisible("calendar")
	b.clickAndLoad(`.oc-day[data-day="2026-11-26"] .oc-shift[data-person="thach"] a.take`)
	if got := evalIn[[]string](b, `['#o-person', '#o-replacing', '#o-from', '#o-until'].map(s => document.querySelector(s).value)`); strings.Join(got, " ") != "glen thach 2026-11-26T09:00 2026-11-27T09:00" {
		t.Fatalf("the take link filled in %q", got)
	}
	b.fill("#o-note", "thach, flying; back Friday")
	b.clickAndLoad("#override-submit")
	mustContain(t, "notice", b.text("#notice"), "Override #1: Glen Hart on call from Thu 26 Nov 09:00 until Fri 27 Nov 09:00")
	mustHave(t, "Thursday after", b.dayShifts("2026-11-26"), "Glen Hart from 09:00 ⇄ override #1")
	if got := b.dayShifts("2026-11-26"); strings.Contains(strings.Join(got, " "), "Thach") {
		t.Fatalf("thach is still on call on Thursday: %q", got)
	}
	mustContain(t, "override row", b.text("#override-1"), "Glen Hart", "Thach Duong", "PLANNED", "person/glen", "thach, flying; back Friday")
	var now []struct {
		OnCall []struct{ ID string } `json:"on_call"`
	}
	h.do("GET", "/api/v1/oncall?at=2026-11-26T05:00:00Z", "", nil, &now)
	if len(now) != 1 || len(now[0].OnCall) != 1 || now[0].OnCall[0].ID != "glen" {
		t.Fatalf("the API on Thursday: %+v", now)
	}

	// A swap: glen takes john's Tuesday, john takes glen's Wednesday.
	b.setValue("#s-with", "john")
	b.setValue("#s-from", "2026-11-24T09:00")
	b.setValue("#s-until", "2026-11-25T09:00")
	b.setValue("#s-back-from", "2026-11-25T09:00")
	b.setValue("#s-back-until", "2026-11-26T09:00")
	b.clickAndLoad("#swap-submit")
	mustContain(t, "swap notice", b.text("#notice"), "Swapped: Glen Hart takes John Robert's shift from Tue 24 Nov 09:00, and John Robert takes Glen Hart's from Wed 25 Nov 09:00.")
	mustHave(t, "Tuesday", b.dayShifts("2026-11-24"), "Glen Hart from 09:00 ⇄ override #2")
	mustHave(t, "Wednesday", b.dayShifts("2026-11-25"), "John Robert from 09:00 ⇄ override #3")
	b.desktop()
	if top := evalIn[[]float64](b, `[...document.querySelectorAll('.oc-day')].slice(0, 8).map(d => d.getBoundingClientRect().top)`); top[0] != top[6] || top[7] <= top[0] {
		t.Errorf("on a wide screen a week is not one row: day tops %v", top)
	}
	b.docShot("oncall-calendar.png")

	// My shifts, and the calendar feed a calendar app fetches.
	b.clickAndLoad("a[href='/oncall']")
	b.clickAndLoad("#my-shifts")
	mustContain(t, "my shifts", b.text("#mine"), "You are not on call now.")
	rows := b.rows("#shifts")
	if len(rows) < 3 || !strings.Contains(rows[0], "override #2") || !strings.Contains(rows[1], "override #1") || !strings.Contains(rows[2], "rotation daily") {
		t.Fatalf("glen's shifts: %q", rows)
	}
	b.accessible("my shifts")
	feed := evalIn[string](b, `document.querySelector('#feed-url').value`)
	if href := evalIn[string](b, `document.querySelector('#feed-download').href`); href != feed {
		t.Fatalf("the download link %q is not the address shown %q", href, feed)
	}
	// The browser downloads it...
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	downloaded, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#feed-download').href, {credentials: 'omit'})
		.then(async r => r.status + " " + r.headers.get('content-type') + "\n" + await r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(downloaded, "200 text/calendar; charset=utf-8\nBEGIN:VCALENDAR\r\n") {
		t.Fatalf("the browser fetching the feed: %.200q", downloaded)
	}
	// ...and so does a calendar app, with no session: a valid feed.
	body := fetchFeed(t, feed, 200)
	events := icaltest.Parse(t, body).Events()
	var starts []string
	for _, e := range events {
		st, _ := e.DateTimeStart(nil)
		starts = append(starts, st.Format(time.RFC3339))
	}
	for _, want := range []string{"2026-11-24T02:00:00Z", "2026-11-26T02:00:00Z", "2026-11-28T02:00:00Z"} {
		if !strings.Contains(strings.Join(starts, " "), want) {
			t.Errorf("the feed lacks the shift from %s: %v", want, starts)
		}
	}
	if strings.Contains(strings.Join(starts, " "), "2026-11-25T02:00:00Z") {
		t.Errorf("the feed still has the Wednesday glen gave away: %v", starts)
	}
	// Replacing the address voids the old one.
	b.clickAndLoad("#feed-rotate")
	mustContain(t, "rotated", b.text("#notice"), "Your calendar feed has a new address")
	fresh := evalIn[string](b, `document.querySelector('#feed-url').value`)
	if fresh == feed {
		t.Fatal("the address did not change")
	}
	fetchFeed(t, feed, 404)
	fetchFeed(t, fresh, 200)

	// The same on a phone: the calendar is a list of days, and fits.
	b.phone()
	b.do(chromedp.Navigate(h.url + "/oncall/schedules/sre-primary"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#days")))
	b.fits("the calendar at 390 px")
	if lefts := evalIn[[]float64](b, `[...document.querySelectorAll('.oc-day')].slice(0, 2).map(d => d.getBoundingClientRect().left)`); lefts[0] != lefts[1] {
		t.Errorf("on a phone the days are not one list: lefts %v", lefts)
	}
	b.docShot("oncall-calendar-phone.png")
	// Remove the Thursday override from the phone.
	b.clickAndLoad("#remove-1")
	mustContain(t, "removed", b.text("#notice"), "Override #1 removed")
	mustHave(t, "Thursday back", b.dayShifts("2026-11-26"), "Thach Duong from 09:00")
	for _, path := range []string{"/oncall", "/oncall/me"} {
		b.do(chromedp.Navigate(h.url + path))
		b.do(chromedp.WaitVisible(chromedp.CSS("#main")))
		b.fits(path + " at 390 px")
	}
	b.desktop()

	// susan has read only: every button that would change something is
	// disabled and says why; posting anyway is refused (see
	// TestOnCallFormsWithoutBrowser).
	s := b.person()
	s.loginPassword(h, "susan", "susan-password")
	s.do(chromedp.Navigate(h.url + "/oncall/schedules/sre-primary"))
	s.do(chromedp.WaitVisible(chromedp.CSS("#days")))
	for _, sel := range []string{"#override-submit", "#swap-submit", "#remove-2"} {
		if !evalIn[bool](s, fmt.Sprintf(`document.querySelector(%q).disabled`, sel)) {
			t.Errorf("susan's %s is enabled", sel)
		}
	}
	mustContain(t, "why", s.text("#why-respond"), "This needs the respond scope; you have read.")
	mustContain(t, "why remove", s.text("#why-ov-2"), "This needs the respond scope")
	if n := evalIn[int](s, `document.querySelectorAll('a.take').length`); n != 0 {
		t.Errorf("susan is offered %d shifts to take", n)
	}
	// Posting anyway (the button enabled by hand) is refused.
	seen.expect("status of 403 (Forbidden) " + h.url + "/oncall/schedules/sre-primary/overrides")
	evalIn[bool](s, `(b => (b.disabled = false, true))(document.querySelector('#override-submit'))`)
	s.setValue("#o-from", "2026-11-27T09:00")
	s.setValue("#o-until", "2026-11-27T18:00")
	s.clickAndLoad("#override-submit")
	mustContain(t, "susan posting anyway", s.text("#problem"), "needs the respond scope; you have read")
	var list struct {
		Overrides []struct{ Person string } `json:"overrides"`
	}
	h.do("GET", "/api/v1/schedules/sre-primary/overrides", "", nil, &list)
	for _, o := range list.Overrides {
		if o.Person == "susan" {
			t.Fatal("susan's refused override was stored")
		}
	}
	seen.check(t, h.url)
}

// fetchFeed gets a feed address as a calendar app does, with no session,
// and fails unless the answer has the status wanted.
func fetchFeed(t *testing.T, url string, want int) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %.200s", url, resp.StatusCode, want, body)
	}
	return body
}
