package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

func reportsConfig(box *mailbox, sinkURL string) string {
	host, port, _ := net.SplitHostPort(box.addr)
	return fmt.Sprintf(`
global:
  external_url: http://vigil.example
  smtp: {host: %q, port: %s, from: "Vigil <vigil@shop.example>", tls: none}
people:
  - {id: thach, name: Thach Duong, contacts: {email: thach@shop.example}}
channels:
  - {id: sre-slack, type: slack, url: "%s/slack"}
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
  - {id: shop}
toil:
  - {id: log-cleanup, title: Clean the logs by hand, service: shop, estimate: 15m, match: [{alert: ['alertname="Disk full"']}]}
reports:
  - id: weekly-toil
    kind: toil
    schedule: {cron: "0 9 * * 1", timezone: UTC}
    to: [person/thach, channel/sre-slack, channel/feed]
  - id: daily-oncall
    kind: oncall
    schedule: {cron: "0 9 * * *", timezone: UTC}
    period: 1d
    people: [thach]
    to: [channel/feed]
`, host, port, sinkURL, sinkURL)
}

type reportRunView struct {
	ID          int64     `json:"id"`
	Report      string    `json:"report"`
	ScheduledAt time.Time `json:"scheduled_at"`
	From        time.Time `json:"from"`
	Status      string    `json:"status"`
	Title       string    `json:"title"`
	Document    string    `json:"document"`
}

func (h *harness) reportRuns(report string) []reportRunView {
	h.t.Helper()
	var rows []reportRunView
	if code := h.do("GET", "/api/v1/reports/runs?report="+report, "", nil, &rows); code != 200 {
		h.t.Fatalf("report runs: %d", code)
	}
	return rows
}

// feedReports are the report messages the webhook channel received, by report id.
func feedReports(sk *sink, id string) []time.Time {
	var out []time.Time
	for _, d := range sk.deliveries("/feed") {
		var m struct {
			Kind   string `json:"kind"`
			Report struct {
				ID string    `json:"id"`
				To time.Time `json:"to"`
			} `json:"report"`
		}
		if json.Unmarshal(d.Body, &m) == nil && m.Kind == "report" && m.Report.ID == id {
			out = append(out, m.Report.To)
		}
	}
	return out
}

// TestScheduledReportsAcrossRestarts: reports are rendered on their
// schedule, once per scheduled time, and delivered through the outbox to a
// real SMTP server (the whole document as HTML), Slack (a summary with a
// link) and a webhook (the document and its data). A report due while
// Vigil was down is sent once when it is back; restarting again sends
// nothing twice. The history is in the API and the CLI.
func TestScheduledReportsAcrossRestarts(t *testing.T) {
	sk := newSink(t)
	box := newMailbox(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	db := "sqlite://" + filepath.Join(dir, "vigil.db")
	writeFile(t, path, reportsConfig(box, sk.URL))
	h := startAt(t, path, db, clock.NewFake(t0)) // Monday 2026-11-23 09:00 UTC

	// Monday: the disk fills; thach is paged and cleans up for 20 minutes.
	h.at(t0.Add(time.Hour))
	if c, _ := h.post("/api/v1/events", "mon-k3y", "application/json", []byte(`{"key":"disk","summary":"Disk full"}`)); c != 200 {
		t.Fatal("alert")
	}
	box.wait(t, 1)
	h.at(t0.Add(time.Hour + 20*time.Minute))
	h.post("/api/v1/events", "mon-k3y", "application/json", []byte(`{"key":"disk","action":"resolve"}`))

	// Tuesday 09:00: the first daily on-call log.
	h.at(t0.Add(24 * time.Hour))
	h.eventually("Tuesday's on-call log", func() bool { return len(feedReports(sk, "daily-oncall")) == 1 })
	var runs []reportRunView
	h.eventually("the run recorded as queued", func() bool {
		runs = h.reportRuns("daily-oncall")
		return len(runs) == 1 && runs[0].Status == "queued"
	})
	if len(runs) != 1 || runs[0].Status != "queued" || !runs[0].ScheduledAt.Equal(t0.Add(24*time.Hour)) || !runs[0].From.Equal(t0) {
		t.Fatalf("runs: %+v", runs)
	}

	// Vigil is down over Wednesday 09:00 and comes back at 09:30.
	h.delivered()
	h.stop()
	h = startAt(t, path, db, clock.NewFake(t0.Add(48*time.Hour+30*time.Minute)))
	h.eventually("Wednesday's log after the restart", func() bool { return len(feedReports(sk, "daily-oncall")) == 2 })
	if got := feedReports(sk, "daily-oncall"); !got[1].Equal(t0.Add(48 * time.Hour)) {
		t.Fatalf("the log sent after the restart covers up to %v", got[1])
	}
	// Back again at once: nothing is due, nothing is sent twice.
	h.delivered()
	h.stop()
	h = startAt(t, path, db, clock.NewFake(t0.Add(48*time.Hour+31*time.Minute)))
	time.Sleep(100 * time.Millisecond)
	if n := len(h.reportRuns("daily-oncall")); n != 2 {
		t.Fatalf("%d daily runs after two restarts, want 2", n)
	}

	// The next Monday 09:00: the weekly plan by email, Slack and webhook.
	h.at(t0.Add(7 * 24 * time.Hour))
	h.eventually("the weekly plan", func() bool { return len(feedReports(sk, "weekly-toil")) == 1 })
	var weekly []reportRunView
	h.eventually("the weekly run recorded as queued", func() bool {
		weekly = h.reportRuns("weekly-toil")
		return len(weekly) == 1 && weekly[0].Status == "queued"
	})
	if len(weekly) != 1 || weekly[0].Status != "queued" || weekly[0].Title != "Toil reduction plan: all services, 2026-11-23 to 2026-11-30" {
		t.Fatalf("weekly runs: %+v", weekly)
	}
	link := fmt.Sprintf("http://vigil.example/reports/runs/%d", weekly[0].ID)
	var mail string
	h.eventually("the plan mailed", func() bool {
		for _, m := range box.wait(t, 1) {
			if strings.Contains(m.Data, "Subject: Toil reduction plan") {
				mail = strings.ReplaceAll(m.Data, "=\r\n", "") // quoted-printable soft breaks
				return true
			}
		}
		return false
	})
	mustContain(t, "mail", mail, "text/html", "<h1>Toil reduction plan: all services, 2026-11-23 to 2026-11-30</h1>",
		"Clean the logs by hand", "X-Vigil-Kind: report")
	slack := sk.wait(t, "/slack", 1)
	mustContain(t, "slack", string(slack[len(slack)-1].Body), "Toil reduction plan", "20 min of toil in 1 occurrences", link)
	for _, d := range sk.deliveries("/feed") {
		var m struct {
			Report struct {
				ID       string `json:"id"`
				Markdown string `json:"markdown"`
				HTML     string `json:"html"`
				Data     struct {
					Items []struct {
						ID      string `json:"id"`
						Minutes int    `json:"minutes"`
					} `json:"items"`
				} `json:"data"`
			} `json:"report"`
		}
		if json.Unmarshal(d.Body, &m) != nil || m.Report.ID != "weekly-toil" {
			continue
		}
		if len(m.Report.Data.Items) != 1 || m.Report.Data.Items[0].Minutes != 20 || !strings.Contains(m.Report.Markdown, "| 1 | Clean the logs by hand |") ||
			!strings.HasPrefix(m.Report.HTML, "<!doctype html>") {
			t.Fatalf("webhook report: %s", d.Body)
		}
	}

	// The history: the API, the document, the link's page and the CLI.
	var one reportRunView
	if code := h.do("GET", fmt.Sprintf("/api/v1/reports/runs/%d", weekly[0].ID), "", nil, &one); code != 200 || !strings.HasPrefix(one.Document, "# Toil reduction plan") {
		t.Fatalf("run: %d %+v", code, one)
	}
	resp := h.get(fmt.Sprintf("/reports/runs/%d", weekly[0].ID))
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if r := h.visitor().get(fmt.Sprintf("/reports/runs/%d", weekly[0].ID)); r.Status != 303 || !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("the page without a credential: %d %s", r.Status, r.Location)
	}
	code, out, errOut := runCLI(t, "report", "runs", "--server", h.url, "--token", harnessReadToken)
	if code != 0 {
		t.Fatal(errOut)
	}
	mustContain(t, "report runs", out, "weekly-toil", "daily-oncall", "queued")
	code, out, _ = runCLI(t, "report", "show", fmt.Sprint(weekly[0].ID), "--server", h.url, "--token", harnessReadToken)
	if code != 0 || out != one.Document {
		t.Fatalf("report show: %d %q", code, out)
	}

	// Sent off schedule: operate only, a configured report only.
	if code := h.do("POST", "/api/v1/reports/weekly-toil/runs", "", nil, nil); code != 403 {
		t.Fatalf("send with a read token: %d", code)
	}
	if code := h.do("POST", "/api/v1/reports/nope/runs", "sre-t0ken", nil, nil); code != 404 {
		t.Fatalf("send an unknown report: %d", code)
	}
	h.advance(time.Minute)
	code, out, errOut = runCLI(t, "report", "send", "weekly-toil", "--server", h.url, "--token", "sre-t0ken")
	if code != 0 || !strings.Contains(out, "of weekly-toil queued: Toil reduction plan") {
		t.Fatalf("report send: %d %q %q", code, out, errOut)
	}
	h.eventually("the plan sent off schedule", func() bool { return len(feedReports(sk, "weekly-toil")) == 2 })
	// Nothing left in flight when the test ends: Monday's on-call log, the
	// second plan's Slack message and mail.
	h.eventually("Monday's on-call log", func() bool { return len(feedReports(sk, "daily-oncall")) == 3 })
	sk.wait(t, "/slack", 2)
	h.eventually("the plan mailed again", func() bool {
		n := 0
		for _, m := range box.wait(t, 1) {
			if strings.Contains(m.Data, "Subject: Toil reduction plan") {
				n++
			}
		}
		return n == 2
	})
}

// delivered waits until the outbox has recorded every send: a stop while a
// destination has taken a message but its answer is not yet recorded sends
// it again at the next start (delivery is at least once), which a test
// counting deliveries across restarts must not mistake for a second run.
func (h *harness) delivered() {
	h.t.Helper()
	h.eventually("every notification's outcome recorded", func() bool {
		pending, err := h.app.store.DueNotifications(context.Background(), h.clock.Now().Add(100*365*24*time.Hour), 1)
		return err == nil && len(pending) == 0
	})
}

// at moves the fake clock forward to t.
func (h *harness) at(t time.Time) {
	h.t.Helper()
	d := t.Sub(h.clock.Now())
	if d < 0 {
		h.t.Fatalf("the clock is already past %v", t)
	}
	h.advance(d)
}
