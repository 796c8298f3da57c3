package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func suppressConfig(sinkURL string, extra string) string {
	return fmt.Sprintf(`
tokens:
  - {id: oncall, secret: r3spond-t0ken, scopes: [respond]}
  - {id: cli, secret: cl1-t0ken, scopes: [operate]}
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach, contacts: {webhook: "%s/thach"}}
escalations:
  - {id: sre, steps: [{notify: [person/thach]}]}
routes:
  - {escalation: sre, group_by: [alertname], group_wait: 0s, group_interval: 1m%s}
inhibit:
  - {source: {severity: critical}, target: {severity: warning}, equal: [service]}
maintenance:
  - {id: release-night, match: {service: shop}, start: "2026-11-27T22:00:00", duration: 2h}
services:
  - {id: shop}
  - {id: dns}
`, sinkURL, extra)
}

func (h *harness) raise(key, summary, severity, service string) int64 {
	h.t.Helper()
	code, body := h.post("/api/v1/events", "gen-k3y", "application/json",
		[]byte(fmt.Sprintf(`{"key":%q,"summary":%q,"severity":%q,"service":%q}`, key, summary, severity, service)))
	if code != 200 {
		h.t.Fatalf("raise %s: %d %v", key, code, body)
	}
	return int64(body["alerts"].([]any)[0].(map[string]any)["alert_id"].(float64))
}

func (h *harness) resolveKey(key string) {
	h.t.Helper()
	if code, _ := h.post("/api/v1/events", "gen-k3y", "application/json", []byte(fmt.Sprintf(`{"key":%q,"action":"resolve"}`, key))); code != 200 {
		h.t.Fatalf("resolve %s: %d", key, code)
	}
}

func (h *harness) logKinds(id int64) string {
	var kinds []string
	for _, l := range h.alert(id).Log {
		kinds = append(kinds, l.Kind)
	}
	return strings.Join(kinds, " ")
}

func TestSilenceHoldsBackPagesUntilItEnds(t *testing.T) {
	sk := newSink(t)
	h := start(t, suppressConfig(sk.URL, ""), "")
	var sil struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	body := strings.NewReader(`{"matchers":["service=\"dns\""],"duration":"1h","comment":"failing over dns1 by hand"}`)
	if code := h.do("POST", "/api/v1/silences", "r3spond-t0ken", body, &sil); code != 201 || sil.State != "active" {
		t.Fatalf("create silence: %d %+v", code, sil)
	}
	id := h.raise("dns1-down", "DNS1 not answering", "critical", "dns")
	time.Sleep(30 * time.Millisecond)
	if n := len(sk.deliveries("/thach")); n != 0 {
		t.Fatalf("a silenced alert paged: %d", n)
	}
	if !strings.Contains(h.logKinds(id), "suppressed") {
		t.Fatalf("the log does not say why: %s", h.logKinds(id))
	}
	// Expiring the silence lets the alert page at its group's next flush.
	if code := h.do("DELETE", "/api/v1/silences/"+sil.ID, "r3spond-t0ken", nil, nil); code != 200 {
		t.Fatalf("expire: %d", code)
	}
	h.advance(time.Minute)
	if msg := sk.wait(t, "/thach", 1)[0].Message; msg.Alerts[0].ID != id {
		t.Fatalf("paged about %+v", msg.Alerts)
	}
	var list []map[string]any
	h.do("GET", "/api/v1/silences?all=true", "", nil, &list)
	if len(list) != 1 || list[0]["state"] != "expired" {
		t.Fatalf("silences: %+v", list)
	}
	// Bad silences are refused with a reason.
	for body, want := range map[string]string{
		`{"matchers":[],"duration":"1h","comment":"x"}`:                                                     "matcher",
		`{"matchers":["alertname=~\".*\""],"duration":"1h","comment":"x"}`:                                  "match",
		`{"matchers":["service=\"dns\""],"duration":"1h"}`:                                                  "comment is required",
		`{"matchers":["service=dns\""],"duration":"1h","comment":"x"}`:                                      "",
		`{"matchers":["service=\"dns\""],"duration":"-1h","comment":"x"}`:                                   "duration: must be positive",
		`{"matchers":["service=\"dns\""],"duration":"soon","comment":"x"}`:                                  "duration: ",
		`{"matchers":["service=\"dns\""],"ends_at":"tonight","comment":"x"}`:                                "ends_at: \"tonight\" is not an RFC 3339 time",
		`{"matchers":["service=\"dns\""],"starts_at":"2026-13-01T00:00:00Z","duration":"1h","comment":"x"}`: "starts_at: ",
	} {
		var e map[string]string
		if code := h.do("POST", "/api/v1/silences", "r3spond-t0ken", strings.NewReader(body), &e); code != 400 || !strings.Contains(e["error"], want) {
			t.Errorf("%s: %d %v", body, code, e)
		}
	}
	huge := `{"comment":"` + strings.Repeat("x", 70<<10) + `"}`
	if code := h.do("POST", "/api/v1/silences", "r3spond-t0ken", strings.NewReader(huge), nil); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized silence: %d", code)
	}
	if code := h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", id), "r3spond-t0ken", strings.NewReader(huge), nil); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized ack: %d", code)
	}
	if code := h.do("POST", "/api/v1/silences", anonymous, strings.NewReader(`{}`), nil); code != http.StatusUnauthorized {
		t.Fatalf("silence without a token: %d", code)
	}
}

// TestResolvedWhenSilenced: by default an alert silenced when it resolves
// sends no resolved notice; the route option sends it, so whoever was paged
// hears it is over (a long-standing Alertmanager request).
func TestResolvedWhenSilenced(t *testing.T) {
	for _, opt := range []bool{false, true} {
		t.Run(fmt.Sprint(opt), func(t *testing.T) {
			sk := newSink(t)
			h := start(t, suppressConfig(sk.URL, fmt.Sprintf(", resolved_when_silenced: %v", opt)), "")
			h.raise("db-down", "DB down", "critical", "shop")
			sk.wait(t, "/thach", 1)
			h.do("POST", "/api/v1/silences", "r3spond-t0ken",
				strings.NewReader(`{"matchers":["alertname=\"DB down\""],"duration":"1h","comment":"known"}`), nil)
			h.advance(time.Minute) // the next flush sees the silence
			h.resolveKey("db-down")
			h.advance(time.Minute)
			time.Sleep(30 * time.Millisecond)
			got := sk.deliveries("/thach")
			resolvedSent := len(got) == 2 && got[1].Message.Kind == "resolved"
			if resolvedSent != opt || (!opt && len(got) != 1) {
				t.Fatalf("resolved_when_silenced=%v: %d messages", opt, len(got))
			}
		})
	}
}

func TestInhibitionAndMaintenance(t *testing.T) {
	sk := newSink(t)
	h := start(t, suppressConfig(sk.URL, ""), "")
	crit := h.raise("app-down", "Application down", "critical", "shop")
	warn := h.raise("slow", "Checkout slow", "warning", "shop")
	other := h.raise("dns-slow", "DNS slow", "warning", "dns")
	// Two pages, or one if the second was waiting while the first was sent
	// (what waits for a destination goes as one message).
	pagedAbout := func() (ids []int64) {
		for _, d := range sk.deliveries("/thach") {
			for _, a := range d.Message.Alerts {
				ids = append(ids, a.ID)
			}
		}
		return ids
	}
	h.eventually("both pages are sent", func() bool { return len(pagedAbout()) >= 2 })
	time.Sleep(30 * time.Millisecond) // room for a wrong third page
	paged := pagedAbout()
	if fmt.Sprint(paged) != fmt.Sprint([]int64{crit, other}) {
		t.Fatalf("paged about %v; want the critical one and the other service's warning, not %d", paged, warn)
	}
	if !strings.Contains(h.logKinds(warn), "suppressed") {
		t.Fatalf("inhibited alert log: %s", h.logKinds(warn))
	}
	// Inside the release-night window, shop's new alerts do not page.
	h.advance(time.Date(2026, 11, 27, 22, 30, 0, 0, time.UTC).Sub(h.clock.Now()))
	id := h.raise("migration", "Migration slow", "critical", "shop")
	time.Sleep(50 * time.Millisecond)
	for _, d := range sk.deliveries("/thach") {
		for _, a := range d.Message.Alerts {
			if a.ID == id {
				t.Fatalf("paged during maintenance: %s", d.Message.Title)
			}
		}
	}
	a := h.alert(id)
	if last := a.Log[len(a.Log)-1]; last.Kind != "suppressed" || !strings.Contains(last.Detail, "release-night") {
		t.Fatalf("maintenance log: %+v", a.Log)
	}
}

// TestInhibitionEndsWithItsSource: a warning held back by a firing critical
// alert pages at its group's next flush once the critical one resolves, and
// one raised after that pages at once: the pager's inhibition index follows
// the firing set as alerts come and go.
func TestInhibitionEndsWithItsSource(t *testing.T) {
	sk := newSink(t)
	h := start(t, suppressConfig(sk.URL, ""), "")
	pagedAbout := func(id int64) bool {
		for _, d := range sk.deliveries("/thach") {
			for _, a := range d.Message.Alerts {
				if a.ID == id {
					return true
				}
			}
		}
		return false
	}
	crit := h.raise("app-down", "Application down", "critical", "shop")
	h.eventually("the critical alert pages", func() bool { return pagedAbout(crit) })
	warn := h.raise("slow", "Checkout slow", "warning", "shop")
	h.eventually("the warning is held back", func() bool { return strings.Contains(h.logKinds(warn), "suppressed") })
	if pagedAbout(warn) {
		t.Fatal("the warning paged while the critical alert of its service was firing")
	}
	h.resolveKey("app-down")
	h.advance(time.Minute) // the warning's group flushes again
	h.eventually("the warning pages once nothing inhibits it", func() bool { return pagedAbout(warn) })
	later := h.raise("queue", "Queue backlog", "warning", "shop")
	h.eventually("a new warning pages at once", func() bool { return pagedAbout(later) })
}

// TestDestinationDownDelaysButNeverDrops: a webhook answering 503 and then
// 429 with Retry-After gets the page once it recovers; every attempt is in
// the delivery history.
func TestDestinationDownDelaysButNeverDrops(t *testing.T) {
	sk := newSink(t)
	sk.fail([]int{503, 503, 429}, http.Header{"Retry-After": {"120"}})
	h := start(t, suppressConfig(sk.URL, ""), "")
	id := h.raise("app-down", "Application down", "critical", "shop")
	notes := func() []map[string]any {
		var n []map[string]any
		h.do("GET", fmt.Sprintf("/api/v1/alerts/%d/notifications", id), "", nil, &n)
		return n
	}
	h.eventually("first attempt fails", func() bool { n := notes(); return len(n) == 1 && n[0]["attempts"] == 1.0 })
	if n := notes()[0]; n["status"] != "pending" || !strings.Contains(fmt.Sprint(n["last_error"]), "503") {
		t.Fatalf("after a 503: %+v", n)
	}
	// Backoff: about 1s, then 2s.
	h.advanceUntil("second attempt", 500*time.Millisecond, 5*time.Second, func() bool { return notes()[0]["attempts"] == 2.0 })
	h.advanceUntil("third attempt (429)", 500*time.Millisecond, 5*time.Second, func() bool { return notes()[0]["attempts"] == 3.0 })
	retryAt := h.clock.Now()
	// The 429 asked for two minutes, longer than the backoff: nothing before that.
	h.advanceUntil("delivered", 10*time.Second, 3*time.Minute, func() bool { return len(sk.deliveries("/thach")) == 1 })
	if waited := h.clock.Now().Sub(retryAt); waited < 110*time.Second {
		t.Fatalf("Retry-After not honoured: retried after %v", waited)
	}
	h.eventually("recorded as sent", func() bool { n := notes()[0]; return n["status"] == "sent" && n["attempts"] == 4.0 })
}

// TestAckDuringGroupWaitPagesNobody: an alert acknowledged before its group's
// first flush is already being handled, so the flush pages nobody.
func TestAckDuringGroupWaitPagesNobody(t *testing.T) {
	sk := newSink(t)
	cfg := strings.Replace(suppressConfig(sk.URL, ""), "group_wait: 0s", "group_wait: 30s", 1)
	h := start(t, cfg, "")
	id := h.raise("disk-full", "Disk full on app1", "critical", "shop")
	if code := h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", id), "r3spond-t0ken", nil, nil); code != 200 {
		t.Fatalf("ack: %d", code)
	}
	h.advance(time.Minute)
	h.advance(time.Minute)
	time.Sleep(50 * time.Millisecond)
	if got := sk.deliveries("/thach"); len(got) != 0 {
		t.Fatalf("an acknowledged alert paged: %+v", got[0].Message)
	}
	// A second alert in another group, not acknowledged, still pages: the
	// route itself is live.
	h.raise("dns-down", "DNS down", "critical", "dns")
	h.advance(31 * time.Second)
	if msg := sk.wait(t, "/thach", 1)[0].Message; msg.Alerts[0].Summary != "DNS down" {
		t.Fatalf("paged about %+v", msg.Alerts)
	}
}

// TestResolvedNoticeAfterRestart: whoever was paged before a restart hears
// the alert resolve after it. The page itself reached the receiver, but
// Vigil stopped before the answer came back, so to Vigil it is undelivered:
// after the restart it must not go out again as "firing" for an alert that
// has resolved meanwhile. It is superseded, and says so in the history.
func TestResolvedNoticeAfterRestart(t *testing.T) {
	sk := newSink(t)
	sk.stall["/thach"] = 1
	h := start(t, suppressConfig(sk.URL, ""), "")
	id := h.raise("db-down", "DB down", "critical", "shop")
	if got := sk.wait(t, "/thach", 1)[0].Message; got.Kind != "firing" {
		t.Fatalf("first message %q", got.Kind)
	}
	path := h.cfg
	store := "sqlite://" + strings.TrimSuffix(path, "vigil.yaml") + "vigil.db"
	h.stop() // the receiver is still holding the page: it is cut off unanswered

	h2 := startAt(t, path, store, h.clock)
	h2.resolveKey("db-down")
	h2.advance(time.Minute)
	got := sk.wait(t, "/thach", 2)
	if got[1].Message.Kind != "resolved" {
		t.Fatalf("second message is %q, want resolved", got[1].Message.Kind)
	}
	var notes []struct {
		Kind, Status string
		LastError    string `json:"last_error"`
	}
	h2.eventually("the history shows the cut-off page superseded", func() bool {
		notes = nil
		h2.do("GET", fmt.Sprintf("/api/v1/alerts/%d/notifications", id), "r3spond-t0ken", nil, &notes)
		return len(notes) == 2 && notes[1].Status == "sent"
	})
	if notes[0].Kind != "firing" || notes[0].Status != "superseded" || !strings.Contains(notes[0].LastError, "resolved before it could be delivered") {
		t.Fatalf("history %+v", notes)
	}
	if n := len(sk.deliveries("/thach")); n != 2 {
		t.Fatalf("%d messages, want the page and the resolved notice", n)
	}
}

// TestAlertListFilters: the API filters the alert list by severity, text
// and what holds an alert back, as the alerts page does.
func TestAlertListFilters(t *testing.T) {
	sk := newSink(t)
	h := start(t, suppressConfig(sk.URL, ""), "")
	h.raise("disk", "Disk filling on db-1", "critical", "dns")
	h.raise("dns", "DNS answers slowly", "warning", "dns") // inhibited by the critical one on dns
	if code := h.do("POST", "/api/v1/silences", "r3spond-t0ken",
		strings.NewReader(`{"matchers":["alertname=\"Disk filling on db-1\""],"duration":"1h","comment":"db-1 is being replaced"}`), nil); code != 201 {
		t.Fatalf("silence: %d", code)
	}
	ids := func(query string) string {
		var got []string
		for _, a := range h.alerts(query) {
			got = append(got, a.DedupKey[strings.LastIndex(a.DedupKey, "/")+1:])
		}
		return strings.Join(got, ",")
	}
	h.eventually("the silence and the inhibition are stored", func() bool {
		return ids("held=silenced") == "disk" && ids("held=inhibited") == "dns"
	})
	for query, want := range map[string]string{
		"severity=warning":     "dns",
		"q=DISK%20FILLING":     "disk",
		"q=db-1&held=silenced": "disk",
		"severity=info":        "",
	} {
		if got := ids(query); got != want {
			t.Errorf("%s: %q, want %q", query, got, want)
		}
	}
	for _, bad := range []string{"severity=sev1", "held=muted", "q=" + strings.Repeat("x", 201)} {
		var body map[string]string
		if code := h.do("GET", "/api/v1/alerts?"+bad, "", nil, &body); code != 400 {
			t.Errorf("%s: %d %v", bad, code, body)
		}
	}
}
