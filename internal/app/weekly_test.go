package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// weeklyConfig has two services: shop with toil and a scheduled weekly
// report, cart with nothing configured but itself.
func weeklyConfig(box *mailbox, sinkURL string) string {
	host, port, _ := net.SplitHostPort(box.addr)
	return fmt.Sprintf(`
global:
  external_url: http://vigil.example
  timezone: Asia/Ho_Chi_Minh
  smtp: {host: %q, port: %s, from: "Vigil <vigil@shop.example>", tls: none}
people:
  - {id: thach, name: Thach Duong, timezone: Asia/Ho_Chi_Minh, contacts: {email: thach@shop.example}}
channels:
  - {id: feed, type: webhook, url: "%s/feed"}
tokens:
  - {id: sre, secret: sre-t0ken, scopes: [operate], person: thach}
integrations:
  - {id: mon, type: generic, key: mon-k3y, service: shop}
escalations:
  - {id: sre, steps: [{notify: [person/thach]}]}
routes:
  - {escalation: sre, group_wait: 0s}
services:
  - {id: shop, name: "Plant <b>Shop</b>"}
  - {id: cart}
toil:
  - {id: log-cleanup, title: Clean the logs by hand, service: shop, estimate: 15m, match: [{alert: ['alertname="Disk full"']}]}
reports:
  - id: weekly-status
    kind: weekly
    schedule: {cron: "0 9 * * 1", timezone: Europe/Paris}
    to: [person/thach, channel/feed]
`, host, port, sinkURL)
}

// TestWeeklyReportBadInput: a period backwards, longer than 31 days, an
// unknown service, format or zone are refused with 400 naming each field at
// once, through the API and the CLI; without a credential nothing is read.
func TestWeeklyReportBadInput(t *testing.T) {
	box := newMailbox(t)
	sk := newSink(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, weeklyConfig(box, sk.URL))
	h := startAt(t, path, "sqlite://"+filepath.Join(dir, "vigil.db"), clock.NewFake(t0))

	for _, c := range []struct {
		query string
		wants []string
	}{
		{"from=2026-11-23T00:00:00Z&to=2026-11-16T00:00:00Z", []string{"to: must be after from"}},
		{"from=2026-10-01T00:00:00Z&to=2026-11-20T00:00:00Z", []string{"to: the period may be at most 31 days"}},
		{"from=2026-11-16T00:00:00Z&to=2026-11-23T00:00:00Z&service=shed", []string{`service: unknown service "shed"`}},
		{"from=yesterday&to=2026-11-23T00:00:00Z&service=shed", []string{`from: "yesterday" is not an RFC 3339 time`, `service: unknown service "shed"`}},
		{"from=2026-11-16T00:00:00Z&format=pdf&tz=Mars/Base", []string{`format: "pdf" is not md, html or json`, `tz: unknown time zone "Mars/Base"`}},
	} {
		var body struct {
			Error string `json:"error"`
			Code  string `json:"code"`
		}
		if code := h.do("GET", "/api/v1/reports/weekly?"+c.query, "", nil, &body); code != 400 {
			t.Fatalf("%s: %d %+v, want 400", c.query, code, body)
		}
		mustContain(t, c.query, body.Error, c.wants...)
	}
	if code := h.do("GET", "/api/v1/reports/weekly", anonymous, nil, nil); code != 401 {
		t.Fatalf("without a credential: %d", code)
	}

	code, _, errOut := runCLI(t, "report", "weekly", "--from", "2026-11-23T00:00:00Z", "--to", "2026-11-16T00:00:00Z",
		"--service", "shed", "--server", h.url, "--token", harnessReadToken)
	if code == 0 {
		t.Fatal("the CLI accepted a period backwards")
	}
	mustContain(t, "cli", errOut, "to: must be after from", `service: unknown service "shed"`)

	// A good request through the CLI, as Markdown and as JSON.
	code, out, errOut := runCLI(t, "report", "weekly", "--from", "2026-11-16T00:00:00+07:00", "--to", "2026-11-23T00:00:00+07:00",
		"--service", "cart", "--server", h.url, "--token", harnessReadToken)
	if code != 0 {
		t.Fatal(errOut)
	}
	mustContain(t, "cli", out, "# Weekly status report: cart, 2026-11-16 to 2026-11-22",
		"Here's what happened from Mon 2026-11-16 00:00 to Mon 2026-11-23 00:00 (Asia/Ho_Chi_Minh).",
		"No SLOs or checks are configured for this service (`slos:`, `checks:`).",
		"No toil items are configured for this service (`toil:`).",
		"- Maintenance: no windows are configured (`maintenance:`).")
	code, out, errOut = runCLI(t, "report", "weekly", "--from", "2026-11-16T00:00:00Z", "--to", "2026-11-23T00:00:00Z",
		"--format", "json", "--tz", "UTC", "--server", h.url, "--token", harnessReadToken)
	var rep struct {
		Zone     string `json:"zone"`
		Services []struct {
			ID string `json:"id"`
		} `json:"services"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Zone != "UTC" || len(rep.Services) != 2 {
		t.Fatalf("json: %d %s %s", code, out, errOut)
	}
}

// TestScheduledWeeklyReport: the weekly kind is rendered on its schedule,
// its times in the schedule's zone, and mailed whole through a real SMTP
// server and sent to a webhook with its data; untrusted text (a service's
// name, an incident's title, an action item) arrives as text.
func TestScheduledWeeklyReport(t *testing.T) {
	box := newMailbox(t)
	sk := newSink(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, weeklyConfig(box, sk.URL))
	h := startAt(t, path, "sqlite://"+filepath.Join(dir, "vigil.db"), clock.NewFake(t0)) // Monday 09:00 UTC

	// Monday 10:00 UTC (17:00 ICT): the disk fills; thach is paged; 20
	// minutes later it is clean. Saturday night an incident.
	h.at(t0.Add(time.Hour))
	if c, _ := h.post("/api/v1/events", "mon-k3y", "application/json", []byte(`{"key":"disk","summary":"Disk full"}`)); c != 200 {
		t.Fatal("alert")
	}
	box.wait(t, 1)
	h.at(t0.Add(time.Hour + 20*time.Minute))
	h.post("/api/v1/events", "mon-k3y", "application/json", []byte(`{"key":"disk","action":"resolve"}`))
	h.at(t0.Add(5*24*time.Hour + 13*time.Hour)) // Saturday 22:00 UTC
	var in struct {
		ID int64 `json:"id"`
	}
	if code := h.do("POST", "/api/v1/incidents", "sre-t0ken", strings.NewReader(`{"title":"<img src=x onerror=alert(1)> [click](javascript:alert(1))",
		"severity":"SEV2","services":["shop"]}`), &in); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	if code := h.do("POST", fmt.Sprintf("/api/v1/incidents/%d/action_items", in.ID), "sre-t0ken",
		strings.NewReader(`{"item":"**Never** <script>again</script>","type":"prevent"}`), nil); code != 201 {
		t.Fatalf("action item: %d", code)
	}

	// Monday 09:00 in Paris (08:00 UTC): the report is due.
	h.at(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	var mail string
	h.eventually("the weekly report mailed", func() bool {
		for _, m := range box.wait(t, 1) {
			if strings.Contains(m.Data, "Subject: Weekly status report") {
				mail = strings.ReplaceAll(m.Data, "=\r\n", "") // quoted-printable soft breaks
				return true
			}
		}
		return false
	})
	mail = strings.ReplaceAll(mail, "=3D", "=")
	mustContain(t, "mail", mail, "text/html", "X-Vigil-Kind: report",
		"<h1>Weekly status report: Plant &lt;b&gt;Shop&lt;/b&gt;, cart, 2026-11-23 to 2026-11-30</h1>",
		"(Europe/Paris)", "Mon 2026-11-23 09:00", // the period, in the schedule's zone: 08:00 UTC
		"&lt;img src=x onerror=alert(1)&gt;", "&lt;script&gt;again&lt;/script&gt;",
		fmt.Sprintf(`<a href="http://vigil.example/incidents/%d/postmortem">here</a>`, in.ID),
		"Clean the logs by hand", "1 page, 0 off hours")
	_, html, _ := strings.Cut(mail, "Content-Type: text/html")
	for _, bad := range []string{"<img", "<script>", `href="javascript`, "<b>"} {
		if strings.Contains(html, bad) {
			t.Fatalf("the mail carries %q as markup:\n%s", bad, mail)
		}
	}
	var data struct {
		Report struct {
			ID       string `json:"id"`
			Markdown string `json:"markdown"`
			Data     struct {
				Services []struct {
					ID        string `json:"id"`
					Incidents []struct {
						Severity string `json:"severity"`
					} `json:"incidents"`
					OnCall struct {
						Pages int `json:"pages"`
					} `json:"on_call"`
				} `json:"services"`
			} `json:"data"`
		} `json:"report"`
	}
	h.eventually("the report on the webhook", func() bool {
		for _, d := range sk.deliveries("/feed") {
			if json.Unmarshal(d.Body, &data) == nil && data.Report.ID == "weekly-status" {
				return true
			}
		}
		return false
	})
	s := data.Report.Data.Services
	if len(s) != 2 || s[0].ID != "shop" || len(s[0].Incidents) != 1 || s[0].Incidents[0].Severity != "SEV2" || s[0].OnCall.Pages != 1 {
		t.Fatalf("webhook data: %+v", data.Report.Data)
	}
	// The same period through the API, in the same zone, is the same document.
	q := url.Values{"from": {"2026-11-23T08:00:00Z"}, "to": {"2026-11-30T08:00:00Z"}, "tz": {"Europe/Paris"}, "format": {"md"}}
	resp := h.get("/api/v1/reports/weekly?" + q.Encode())
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != data.Report.Markdown {
		t.Fatalf("API %d:\n%s\nscheduled:\n%s", resp.StatusCode, got, data.Report.Markdown)
	}
}
