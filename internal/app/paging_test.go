package app

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/notify/webhook"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// pagingConfig is the seed's shop: a homepage check paging the SRE on call,
// then ops after 15 minutes, with the SOP attached.
func pagingConfig(target, sink string) string {
	return fmt.Sprintf(`
global: {external_url: "http://vigil.test"}
tokens:
  - {id: oncall, secret: r3spond-t0ken, scopes: [respond]}
people:
  - {id: thach, name: Thach Duong, contacts: {webhook: "%[2]s/thach"}}
  - {id: john, name: John Robert, contacts: {webhook: "%[2]s/john"}}
  - {id: glen, name: Glen Hammer, contacts: {webhook: "%[2]s/glen"}}
teams:
  - {id: ops, members: [glen]}
schedules:
  - id: sre-primary
    timezone: UTC
    rotations: [{id: weekly, members: [thach, john], length: 168h, start: "2026-11-16T09:00:00"}]
channels:
  - {id: audit, type: webhook, url: "%[2]s/audit", secret: h00k-s3cret}
escalations:
  - id: sre-default
    steps:
      - notify: [schedule/sre-primary, channel/audit]
      - {after: 15m, notify: [team/ops]}
routes:
  - group_wait: 0s
runbooks:
  - id: app-down
    title: Application down
    doc: Verify the app is unreachable, check the hosts, then page the POCs.
services:
  - id: shop
    name: Exotic Plant Shop
    escalation: sre-default
    checks:
      - {id: homepage, http: {url: %[1]q}, every: 30s, timeout: 2s, fail_after: 1, severity: critical, runbook: app-down}
`, target, sink)
}

func TestFailingCheckPagesEscalatesAndResolves(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			tg := newTarget(t)
			sk := newSink(t)
			h := start(t, pagingConfig(tg.URL, sk.URL), e.Fresh(t))

			tg.status.Store(503)
			h.step(30*time.Second, "shop/homepage")
			h.waitState("shop/homepage", "failing")

			// John is on call this week: he and the audit channel are paged at once.
			john := sk.wait(t, "/john", 1)[0].Message
			if john.Kind != "firing" || len(john.Alerts) != 1 || john.Alerts[0].Severity != "critical" || john.Title != "[CRITICAL] shop: homepage" {
				t.Fatalf("john was told %+v", john)
			}
			a := john.Alerts[0]
			if a.Runbook == nil || a.Runbook.Title != "Application down" || !strings.Contains(a.Runbook.Doc, "Verify the app") {
				t.Fatalf("the page lacks the SOP: %+v", a.Runbook)
			}
			if !strings.HasPrefix(a.AckURL, "http://vigil.test/a/") {
				t.Fatalf("ack link %q", a.AckURL)
			}
			audit := sk.wait(t, "/audit", 1)[0]
			if err := webhook.Verify("h00k-s3cret", audit.Header.Get("X-Vigil-Timestamp"), audit.Body,
				audit.Header.Get("X-Vigil-Signature"), time.Now(), time.Hour); err != nil {
				t.Fatalf("the audit webhook is not signed: %v", err)
			}
			if got := len(sk.deliveries("/thach")) + len(sk.deliveries("/glen")); got != 0 {
				t.Fatalf("people not on call were paged: %d", got)
			}

			// Nobody acknowledges for 15 minutes: ops are paged.
			h.advance(15 * time.Minute)
			glen := sk.wait(t, "/glen", 1)[0].Message
			if glen.Kind != "escalation" || glen.Step != 2 || glen.Alerts[0].ID != a.ID {
				t.Fatalf("glen was told %+v", glen.Kind)
			}

			// John acknowledges from his phone through the link, without logging in.
			ackURL := strings.Replace(a.AckURL, "http://vigil.test", h.url, 1)
			resp, err := http.Get(ackURL)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(page), "Acknowledge alert #") {
				t.Fatalf("link page %d: %.300s", resp.StatusCode, page)
			}
			// When it fired, in John's zone, with UTC on hover.
			if !strings.Contains(string(page), `<dt>Since</dt><dd><time datetime="`) {
				t.Fatalf("link page shows no time in the reader's zone: %.1200s", page)
			}
			if st := h.alert(a.ID).Status; st != "firing" {
				t.Fatalf("opening the link changed the alert: %s", st)
			}
			u, _ := url.Parse(ackURL)
			resp, err = http.PostForm(h.url+u.Path, u.Query())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := h.alert(a.ID)
			if resp.StatusCode != 200 || got.Status != "acknowledged" || got.AckedBy != "person/john (link)" {
				t.Fatalf("after the ack link: %d %s by %q", resp.StatusCode, got.Status, got.AckedBy)
			}
			// Opening the link again says so, with no button to press.
			if resp, err = http.Get(ackURL); err != nil {
				t.Fatal(err)
			}
			page, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(page), "already acknowledged by person/john (link)") || strings.Contains(string(page), `id="act"`) {
				t.Fatalf("link page after the ack: %.600s", page)
			}
			// A signed link cannot be turned into another action or alert.
			tampered := strings.Replace(h.url+u.Path, "/ack", "/resolve", 1)
			if resp, _ := http.PostForm(tampered, u.Query()); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("tampered link: %d", resp.StatusCode)
			}

			// The site recovers; whoever was paged hears it is over at the next group flush.
			tg.status.Store(200)
			h.step(30*time.Second, "shop/homepage")
			h.waitState("shop/homepage", "ok")
			h.advance(5 * time.Minute)
			for _, who := range []string{"/john", "/glen", "/audit"} {
				ds := sk.wait(t, who, 2)
				if last := ds[len(ds)-1].Message; last.Kind != "resolved" || last.Alerts[0].Status != "resolved" {
					t.Fatalf("%s last heard %s", who, last.Kind)
				}
			}
			if n := len(sk.deliveries("/thach")); n != 0 {
				t.Fatalf("thach, off call, got %d messages", n)
			}

			// The alert's log and delivery history tell the story.
			got = h.alert(a.ID)
			var kinds []string
			for _, l := range got.Log {
				kinds = append(kinds, l.Kind)
			}
			if want := "fired notified notified acknowledged resolved"; strings.Join(kinds, " ") != want {
				t.Fatalf("log %v, want %s", kinds, want)
			}
			var notes []struct {
				Kind, Destination, Status string
			}
			// A delivery is recorded just after the receiver answers it.
			h.eventually("every delivery recorded as sent", func() bool {
				notes = nil
				h.do("GET", "/api/v1/alerts/"+strconv.FormatInt(a.ID, 10)+"/notifications", "", nil, &notes)
				for _, n := range notes {
					if n.Status != "sent" {
						return false
					}
				}
				return len(notes) == 6
			})
		})
	}
}

// homepageDown starts the seed's shop (pagingConfig) and breaks its
// homepage until the check is failing and john, on call, is paged.
func homepageDown(t *testing.T) (*harness, *target, *sink) {
	t.Helper()
	tg, sk := newTarget(t), newSink(t)
	h := start(t, pagingConfig(tg.URL, sk.URL), "")
	tg.status.Store(503)
	h.step(30*time.Second, "shop/homepage")
	h.waitState("shop/homepage", "failing")
	sk.wait(t, "/john", 1)
	return h, tg, sk
}

type alertJSON struct {
	ID          int64  `json:"id"`
	Status      string `json:"status"`
	Summary     string `json:"summary"`
	Severity    string `json:"severity"`
	Service     string `json:"service"`
	Occurrences int    `json:"occurrences"`
	AckedBy     string `json:"acknowledged_by"`
	ResolvedBy  string `json:"resolved_by"`
	DedupKey    string `json:"dedup_key"`
	Labels      map[string]string
	Log         []struct {
		Kind, Actor, Detail string
	} `json:"log"`
}

func (h *harness) alert(id int64) alertJSON {
	h.t.Helper()
	var a alertJSON
	if code := h.do("GET", "/api/v1/alerts/"+strconv.FormatInt(id, 10), "", nil, &a); code != 200 {
		h.t.Fatalf("GET alert %d: %d", id, code)
	}
	return a
}

// TestPagesSayWhatTheAlertIsAndHowItIsNow: the title names the alert, not
// its state; each page tells the check's state and reason as of the page,
// so an escalation sent later carries the reason then, and the resolved
// notice neither says "failing" nor repeats a reason from before.
func TestPagesSayWhatTheAlertIsAndHowItIsNow(t *testing.T) {
	h, tg, sk := homepageDown(t)
	first := sk.wait(t, "/john", 1)[0].Message
	if first.Title != "[CRITICAL] shop: homepage" || first.Alerts[0].Summary != "homepage" ||
		first.Alerts[0].State != "failing" || !strings.Contains(first.Alerts[0].Reason, "status=503") {
		t.Fatalf("first page: %q %+v", first.Title, first.Alerts[0])
	}

	// The site now answers 500: still failing, for another reason.
	tg.status.Store(500)
	h.step(30*time.Second, "shop/homepage")
	h.advanceUntil("the escalation to ops", time.Minute, 15*time.Minute, func() bool { return len(sk.deliveries("/glen")) > 0 })
	esc := sk.deliveries("/glen")[0].Message
	if esc.Kind != "escalation" || !strings.HasPrefix(esc.Title, "[ESCALATED, step 2] [CRITICAL] shop: homepage") ||
		esc.Alerts[0].State != "failing" || !strings.Contains(esc.Alerts[0].Reason, "status=500") {
		t.Fatalf("escalation: %q %+v", esc.Title, esc.Alerts[0])
	}

	tg.status.Store(200)
	h.step(30*time.Second, "shop/homepage")
	h.waitState("shop/homepage", "ok")
	h.advance(5 * time.Minute)
	ds := sk.wait(t, "/john", 2)
	res := ds[len(ds)-1]
	if res.Message.Kind != "resolved" || res.Message.Title != "[RESOLVED] shop: homepage" || res.Message.Alerts[0].State != "ok" {
		t.Fatalf("resolved notice: %q %+v", res.Message.Title, res.Message.Alerts[0])
	}
	for _, s := range []string{"failing", "status=50"} {
		if strings.Contains(string(res.Body), s) {
			t.Fatalf("the resolved notice says %q: %s", s, res.Body)
		}
	}
}
