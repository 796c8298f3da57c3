package app

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// TestTimesInTheReadersZone: with global.timezone and a person's own zone
// set, every page shows its times in its reader's zone (the person's own,
// else the global one): the webhook's text and JSON times, email and the
// console. The postmortem and the on-call log default to the same zones.
func TestTimesInTheReadersZone(t *testing.T) {
	sk := newSink(t)
	box := newMailbox(t)
	host, port, _ := net.SplitHostPort(box.addr)
	h := start(t, fmt.Sprintf(`
global:
  timezone: Europe/Berlin
  smtp: {host: %q, port: %s, from: "Vigil <vigil@shop.example>", tls: none}
tokens:
  - {id: thach-cli, secret: thach-t0ken, scopes: [operate], person: thach}
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach, timezone: Asia/Ho_Chi_Minh, contacts: {webhook: "%[3]s/thach", email: thach@shop.example}}
  - {id: john, contacts: {webhook: "%[3]s/john"}}
channels:
  - {id: ops-console, type: console}
escalations:
  - {id: sre, steps: [{notify: [person/thach, person/john, channel/ops-console]}]}
routes:
  - {escalation: sre, group_wait: 0s}
services:
  - {id: shop}
`, host, port, sk.URL), "")
	// t0 is 09:00 UTC: 10:00 in Berlin, 16:00 in Ho Chi Minh City.
	id := h.raise("app-down", "Application down", "critical", "shop")
	john := sk.wait(t, "/john", 1)[0]
	thach := sk.wait(t, "/thach", 1)[0]
	mustContain(t, "john's webhook", john.Message.Text, "Since 2026-11-23 10:00 CET.")
	mustContain(t, "john's webhook JSON", string(john.Body), `"at":"2026-11-23T10:00:00+01:00"`, `"since":"2026-11-23T10:00:00+01:00"`)
	mustContain(t, "thach's webhook", thach.Message.Text, "Since 2026-11-23 16:00 +07.")
	mustContain(t, "thach's webhook JSON", string(thach.Body), `"since":"2026-11-23T16:00:00+07:00"`)
	mail := box.wait(t, 1)[0]
	mustContain(t, "thach's email", strings.ReplaceAll(mail.Data, "=\r\n", ""), "Mon 23 Nov 2026 16:00 +07")
	h.eventually("the console page", func() bool { return strings.Contains(h.logs.String(), "since Mon 23 Nov 2026 10:00 CET") })
	mustContain(t, "console header", h.logs.String(), "→ channel/ops-console · 2026-11-23T10:00:00+01:00")

	// The postmortem is in the zone of whoever asks: thach's token, else Berlin.
	cli := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, append(args, "--server", h.url, "--token", "thach-t0ken")...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, errOut)
		}
		return out
	}
	if code := h.do("POST", "/api/v1/incidents", "thach-t0ken", strings.NewReader(fmt.Sprintf(`{"title":"Outage","services":["shop"],"alert_ids":[%d]}`, id)), nil); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	mustContain(t, "postmortem for thach", cli("postmortem", "1"), "All times Asia/Ho_Chi_Minh.", "Impact window:** 2026-11-23 16:00 +07 → ongoing")
	_, pm := h.text("/api/v1/incidents/1/postmortem")
	mustContain(t, "postmortem for a token without a person", pm, "All times Europe/Berlin.", "2026-11-23 10:00 CET → ongoing")
	// The on-call log is in its person's zone: 16:00 in Ho Chi Minh City is
	// within working hours, 10:00 in Berlin too.
	log := cli("report", "oncall", "--person", "thach", "--from", "2026-11-23T00:00:00Z")
	mustContain(t, "thach's log", log, "(Asia/Ho_Chi_Minh)", "## 16:00 -- *Application down*")
	mustContain(t, "john's log", cli("report", "oncall", "--person", "john", "--from", "2026-11-23T00:00:00Z"), "(Europe/Berlin)", "## 10:00 -- *Application down*")
}
