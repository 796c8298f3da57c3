package app

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/ical/icaltest"
)

// onCallPagesConfig is peopleConfig's team (glen: respond, in Asia/Ho_Chi_Minh;
// susan: read; viktor: admin) with thach and john, on a daily rotation of
// thach, john and glen handing over at 09:00 in Ho Chi Minh City from
// Monday 23 November: at the harness's t0 (16:00 there) thach is on call,
// then john on Tuesday, glen on Wednesday, thach on Thursday...
func onCallPagesConfig(t *testing.T) string {
	return peopleConfigWith(t, "  - {id: thach, name: Thach Duong}\n  - {id: john, name: John Robert}\n") + peopleAccess + `
schedules:
  - id: sre-primary
    name: SRE primary
    timezone: Asia/Ho_Chi_Minh
    rotations: [{id: daily, members: [thach, john, glen], length: 1d, start: "2026-11-23T09:00:00"}]
escalations:
  - id: sre-default
    steps:
      - notify: [schedule/sre-primary]
      - {after: 15m, notify: [team/sre, person/viktor]}
`
}

var feedLink = regexp.MustCompile(`id="feed-url" type="text" readonly value="([^"]+)"`)

// TestOnCallFormsWithoutBrowser: the forms' refusals come back on the page
// with what was typed and why (400 for bad input, 403 for putting someone
// else on call with respond), a person with read only is refused before
// anything changes, and the feed opens only with its token.
func TestOnCallFormsWithoutBrowser(t *testing.T) {
	h := start(t, onCallPagesConfig(t), "")
	glen := h.visitor()
	glen.login("glen", "glen-password")
	page := "/oncall/schedules/sre-primary"
	csrf := glen.csrf(page)
	form := func(v url.Values) url.Values {
		v.Set("csrf", csrf)
		v.Set("view", "2026-11-23")
		v.Set("weeks", "2")
		return v
	}
	r := glen.post(page+"/overrides", form(url.Values{"person": {"glen"}, "from": {"2026-11-26T12:00"}, "until": {"2026-11-26T10:00"}, "note": {"typed note"}}))
	if r.Status != 400 || !strings.Contains(r.Body, "until: 2026-11-26T03:00:00Z must be after from (2026-11-26T05:00:00Z)") ||
		!strings.Contains(r.Body, `value="typed note"`) {
		t.Fatalf("backwards times: %d %.2000s", r.Status, r.Body)
	}
	r = glen.post(page+"/overrides", form(url.Values{"person": {"glen"}, "from": {"tomorrow"}, "until": {"2026-11-26T10:00"}}))
	if r.Status != 400 || !strings.Contains(r.Body, `from: &#34;tomorrow&#34; is not a date and time like 2026-11-24T09:00`) {
		t.Fatalf("a bad time: %d %.600s", r.Status, r.Body)
	}
	r = glen.post(page+"/overrides", form(url.Values{"person": {"susan"}, "from": {"2026-11-26T09:00"}, "until": {"2026-11-26T18:00"}}))
	if r.Status != 403 || !strings.Contains(r.Body, "putting someone else on call needs the operate scope") {
		t.Fatalf("glen putting susan on call: %d %.600s", r.Status, r.Body)
	}
	r = glen.post(page+"/overrides", form(url.Values{"person": {"glen"}, "replacing": {"thach"}, "from": {"2026-11-26T09:00"}, "until": {"2026-11-27T09:00"}}))
	if r.Status != 303 || r.Location != page+"?from=2026-11-23&weeks=2#calendar" {
		t.Fatalf("glen taking thach's Thursday: %d %q %.600s", r.Status, r.Location, r.Body)
	}
	cal := glen.get(page + "?from=2026-11-23")
	mustContain(t, "calendar after the override", cal.Body, "Override #1: Glen Hart on call from Thu 26 Nov 09:00 until Fri 27 Nov 09:00",
		`data-person="glen" data-source="override/1"`, `id="override-1"`)

	// susan has read only: the page shows her why, and posting anyway is
	// refused with nothing changed.
	susan := h.visitor()
	susan.login("susan", "susan-password")
	cal = susan.get(page)
	mustContain(t, "susan's calendar", cal.Body, `id="override-submit" disabled aria-describedby="why-respond"`,
		`id="why-respond">This needs the respond scope; you have read.`, `id="remove-1" aria-label="Remove override 1" disabled aria-describedby="why-ov-1"`)
	r = susan.post(page+"/overrides", url.Values{"csrf": {susan.csrf(page)}, "person": {"susan"}, "from": {"2026-11-26T09:00"}, "until": {"2026-11-26T18:00"}})
	if r.Status != 403 {
		t.Fatalf("susan posting anyway: %d", r.Status)
	}
	r = susan.post(page+"/overrides/1/remove", url.Values{"csrf": {susan.csrf(page)}})
	if r.Status != 403 {
		t.Fatalf("susan removing anyway: %d", r.Status)
	}
	// A form without the CSRF token changes nothing either.
	if r := glen.post(page+"/overrides/1/remove", url.Values{}); r.Status != 403 {
		t.Fatalf("without a CSRF token: %d", r.Status)
	}
	var list struct {
		Overrides []struct{ ID int64 } `json:"overrides"`
	}
	h.do("GET", "/api/v1/schedules/sre-primary/overrides?all=true", "", nil, &list)
	if len(list.Overrides) != 1 {
		t.Fatalf("overrides after refusals: %+v", list)
	}

	if r := glen.get("/oncall/schedules/nope"); r.Status != 404 {
		t.Errorf("an unknown schedule's calendar: %d", r.Status)
	}
	if r := glen.get(page + "?weeks=9"); r.Status != 400 || !strings.Contains(r.Body, "weeks must be 2, 3 or 4") {
		t.Errorf("nine weeks: %d", r.Status)
	}

	// The feed: the right token opens it without a sign-in; a wrong one,
	// or another person's, does not.
	m := feedLink.FindStringSubmatch(glen.get("/oncall/me").Body)
	if m == nil {
		t.Fatal("my shifts shows no feed address")
	}
	feed := m[1]
	if !strings.HasPrefix(feed, h.url+"/oncall/ical/glen/") || !strings.HasSuffix(feed, ".ics") {
		t.Fatalf("feed address %q", feed)
	}
	resp, err := http.Get(feed)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	parsed := icaltest.Parse(t, body)
	found := false
	for _, e := range parsed.Events() {
		start, _ := e.DateTimeStart(nil)
		desc, _ := e.Props.Text("DESCRIPTION")
		if start.Equal(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)) && strings.Contains(desc, "override #1, standing in for Thach Duong") {
			found = true
		}
	}
	if !found {
		t.Errorf("glen's feed lacks the override:\n%s", body)
	}
	token := feed[strings.LastIndex(feed, "/")+1:]
	for _, bad := range []string{
		"/oncall/ical/glen/" + strings.Repeat("A", 32) + ".ics",
		"/oncall/ical/susan/" + token,
		"/oncall/ical/zed/" + token,
		"/oncall/ical/glen/" + strings.TrimSuffix(token, ".ics"),
	} {
		resp, err := http.Get(h.url + bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d", bad, resp.StatusCode)
		}
	}
	// A token without a person has no shifts to show.
	if code := h.do("GET", "/oncall/me", "r00t-t0ken", nil, nil); code != 200 {
		t.Errorf("my shifts with a token: %d", code)
	}
}
