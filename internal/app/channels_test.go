package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailbox is a real SMTP server on loopback that keeps what it receives.
type mailbox struct {
	addr string
	mu   sync.Mutex
	msgs []mail
}

type mail struct {
	From string
	To   []string
	Data string
}

type mailSession struct {
	box *mailbox
	cur mail
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { s.cur.From = from; return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	s.cur = mail{}
	return nil
}
func (s *mailSession) Reset()        { s.cur = mail{} }
func (s *mailSession) Logout() error { return nil }

func newMailbox(t *testing.T) *mailbox {
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: box}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box
}

func (b *mailbox) wait(t *testing.T, n int) []mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b.mu.Lock()
		got := append([]mail(nil), b.msgs...)
		b.mu.Unlock()
		if len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%d mails arrived, want %d", len(b.msgs), n)
	return nil
}

// TestEmailSlackAndThrottledChannel pages through every kind of channel: an
// email to the on-call person's address over SMTP, a Slack channel (a local
// sink checking the Block Kit shape), and a webhook channel throttled to one
// message a minute, which bundles what piles up.
func TestEmailSlackAndThrottledChannel(t *testing.T) {
	sk := newSink(t)
	box := newMailbox(t)
	host, port, _ := net.SplitHostPort(box.addr)
	h := start(t, fmt.Sprintf(`
global:
  smtp: {host: %q, port: %s, from: "Vigil <vigil@shop.example>", tls: none}
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach, name: Thach Duong, contacts: {email: thach@shop.example}}
channels:
  - {id: sre-slack, type: slack, url: "%s/slack"}
  - {id: pager-feed, type: webhook, url: "%s/feed", throttle: {max: 1, per: 1m}}
escalations:
  - {id: sre, steps: [{notify: [person/thach, channel/sre-slack, channel/pager-feed]}]}
routes:
  - {escalation: sre, group_by: [alertname], group_wait: 0s}
services:
  - {id: shop}
`, host, port, sk.URL, sk.URL), "")

	h.raise("app-down", "Application down", "critical", "shop")
	m := box.wait(t, 1)[0]
	if m.From != "vigil@shop.example" || len(m.To) != 1 || m.To[0] != "thach@shop.example" ||
		!strings.Contains(m.Data, "Subject: [CRITICAL] shop: Application down") || !strings.Contains(m.Data, "/a/1/ack?") {
		t.Fatalf("mail: from %s to %v\n%.600s", m.From, m.To, m.Data)
	}

	slack := sk.wait(t, "/slack", 1)[0]
	var payload struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(slack.Body, &payload); err != nil || !strings.Contains(payload.Text, "Application down") || len(payload.Blocks) < 3 {
		t.Fatalf("slack payload: %v %.400s", err, slack.Body)
	}
	if payload.Blocks[0]["type"] != "header" || !strings.Contains(string(slack.Body), `"type":"actions"`) {
		t.Fatalf("slack blocks: %.600s", slack.Body)
	}

	// The throttled feed took the first page; three more pile up and arrive as one.
	sk.wait(t, "/feed", 1)
	h.raise("db-down", "Database down", "critical", "shop")
	h.raise("dns-down", "DNS down", "critical", "shop")
	h.raise("disk-low", "Log mount low", "warning", "shop")
	// Mails due together are bundled too: wait for every alert, however many mails.
	h.eventually("every alert mailed", func() bool {
		box.mu.Lock()
		defer box.mu.Unlock()
		all := ""
		for _, m := range box.msgs {
			all += m.Data
		}
		return strings.Contains(all, "Database down") && strings.Contains(all, "DNS down") && strings.Contains(all, "Log mount low")
	})
	time.Sleep(50 * time.Millisecond)
	if n := len(sk.deliveries("/feed")); n != 1 {
		t.Fatalf("the throttle let %d messages through", n)
	}
	h.advanceUntil("bundle sent", 10*time.Second, 2*time.Minute, func() bool { return len(sk.deliveries("/feed")) == 2 })
	bundle := sk.deliveries("/feed")[1].Message
	if len(bundle.Alerts) != 3 || !strings.HasPrefix(bundle.Title, "3 notifications:") {
		t.Fatalf("bundle: %q with %d alerts", bundle.Title, len(bundle.Alerts))
	}
}

func TestHandoffNoticeAndOnCall(t *testing.T) {
	sk := newSink(t)
	h := start(t, fmt.Sprintf(`
people:
  - {id: thach, contacts: {webhook: "%[1]s/thach"}}
  - {id: john, contacts: {webhook: "%[1]s/john"}}
schedules:
  - id: sre-primary
    timezone: America/New_York
    rotations: [{id: daily, members: [thach, john], length: 24h, start: "2026-10-31T09:00:00"}]
`, sk.URL), "")
	// Daily handoffs at 09:00 New York time, across the end of daylight saving
	// at 02:00 on 1 November: 13:00 UTC before it, 14:00 UTC after, so the
	// shift across the change lasts 25 hours.
	onCall := func(at string) (string, string) {
		var rows []struct {
			OnCall []struct{ ID string } `json:"on_call"`
			Until  time.Time             `json:"until"`
		}
		h.do("GET", "/api/v1/oncall?at="+at, "", nil, &rows)
		if len(rows) != 1 || len(rows[0].OnCall) > 1 {
			t.Fatalf("oncall at %s: %+v", at, rows)
		}
		if len(rows[0].OnCall) == 0 {
			return "", ""
		}
		return rows[0].OnCall[0].ID, rows[0].Until.UTC().Format(time.RFC3339)
	}
	for at, want := range map[string]string{
		"2026-10-31T12:59:00Z": "",      // before the first shift: nobody
		"2026-10-31T13:00:00Z": "thach", // 09:00 EDT, the first shift
		"2026-11-01T13:59:00Z": "thach", // 08:59 EST: the 25-hour shift
		"2026-11-01T14:00:00Z": "john",  // 09:00 EST
		"2026-11-23T09:00:00Z": "thach", // 04:00 EST on the 23rd: the shift from the 22nd, 22 days in
		"2026-11-23T14:30:00Z": "john",
	} {
		if who, _ := onCall(at); who != want {
			t.Errorf("at %s: %s, want %s", at, who, want)
		}
	}
	if _, until := onCall("2026-11-23T09:00:00Z"); until != "2026-11-23T14:00:00Z" {
		t.Fatalf("the shift ends at %s", until)
	}
	// The clock starts at 09:00 UTC; at 14:00 UTC john takes over and is told.
	h.advanceUntil("handoff notice", time.Hour, 6*time.Hour, func() bool { return len(sk.deliveries("/john")) == 1 })
	msg := sk.deliveries("/john")[0].Message
	if msg.Handoff == nil || msg.Handoff.Schedule != "sre-primary" || !strings.HasPrefix(msg.Title, "You are on call for sre-primary") {
		t.Fatalf("handoff message %+v", msg)
	}
	if n := len(sk.deliveries("/thach")); n != 0 {
		t.Fatalf("thach, going off call, was paged %d times", n)
	}

	// The CLI says the same.
	code, out, _ := runCLI(t, "oncall", "--server", h.url, "--token", harnessReadToken, "--at", "2026-11-01T14:00:00Z")
	if code != 0 || !strings.Contains(out, "sre-primary") || !strings.Contains(out, "john") {
		t.Fatalf("vigil oncall: %d\n%s", code, out)
	}
}

// TestHandoffBeyondTheLookahead: a monthly rotation's next handoff is weeks
// away, further than the pager looks ahead; the incoming person is told all
// the same. A schedule with a single member says no handoff is planned.
func TestHandoffBeyondTheLookahead(t *testing.T) {
	sk := newSink(t)
	h := start(t, fmt.Sprintf(`
people:
  - {id: thach, contacts: {webhook: "%[1]s/thach"}}
  - {id: john, contacts: {webhook: "%[1]s/john"}}
  - {id: susan, contacts: {webhook: "%[1]s/susan"}}
schedules:
  - id: monthly
    rotations: [{id: m, members: [thach, john], length: 30d, start: "2026-11-13T09:00:00"}]
  - id: solo
    rotations: [{id: s, members: [susan], length: 7d, start: "2026-12-20T09:00:00"}]
`, sk.URL), "")
	// The clock starts on 23 November; john takes over on 13 December, 20
	// days on, and susan starts for good on 20 December.
	h.advanceUntil("monthly handoff", 24*time.Hour, 25*24*time.Hour, func() bool { return len(sk.deliveries("/john")) == 1 })
	if msg := sk.deliveries("/john")[0].Message; msg.Handoff == nil || !msg.Handoff.From.Equal(time.Date(2026, 12, 13, 9, 0, 0, 0, time.UTC)) ||
		!msg.Handoff.Until.Equal(time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("john's handoff: %+v", msg.Handoff)
	}
	h.advanceUntil("solo handoff", 24*time.Hour, 10*24*time.Hour, func() bool { return len(sk.deliveries("/susan")) == 1 })
	solo := sk.deliveries("/susan")
	if len(solo) != 1 || solo[0].Message.Handoff == nil || !solo[0].Message.Handoff.Until.IsZero() ||
		!strings.HasSuffix(solo[0].Message.Title, "with no handoff planned") {
		t.Fatalf("susan's handoff: %+v", solo)
	}
}
