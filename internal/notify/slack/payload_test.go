package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/sendertest"
)

func TestFiringPayload(t *testing.T) {
	m := sendertest.Message()
	m.Title = "[FIRING:2] shop: Disk & latency"
	m.Alerts[0].Summary = "Disk <80% & falling> <!channel>"
	m.Alerts[0].Labels["team"] = "<@U123>"
	m.Alerts[0].Links = []notify.Link{{Href: "https://grafana.example/d/1?from=now-1h&to=now", Text: "Dashboard"}, {Href: "javascript:alert(1)", Text: "evil"}}
	m.Alerts[0].Runbook.Doc = "# Disk full\n**Check** `df -h` & the <logs>.\n- Rotate: see [Grafana](https://g.example/d?x=1&y=2)\n```\nrm -rf /tmp/<cache>\n```"
	m.Alerts = append(m.Alerts, notify.Alert{ID: 43, Status: "acknowledged", Severity: "warning", Summary: "Latency high",
		AckURL: "https://vigil.example/a/43/ack", ResolveURL: "https://vigil.example/a/43/resolve", URL: "https://vigil.example/alerts/43"})

	p := newSlackSink(t).send(m)

	if got, want := p["text"], "[FIRING:2] shop: Disk &amp; latency"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	blocks := blocksOf(p)
	wantTypes := []string{"header", "context", "section", "context", "section", "actions", "section", "actions", "actions"}
	if got := typesOf(blocks); strings.Join(got, ",") != strings.Join(wantTypes, ",") {
		t.Fatalf("block types = %v, want %v", got, wantTypes)
	}
	if got := textOf(blocks[0]); got != "🔴 [FIRING:2] shop: Disk & latency" {
		t.Errorf("header = %q", got)
	}
	if got := textOf(blocks[1]); got != "Service *shop*  ·  escalation step 1  ·  2 alerts" {
		t.Errorf("context = %q", got)
	}

	alert := textOf(blocks[2])
	for _, want := range []string{
		"🔴 *<https://vigil.example/alerts/42|Disk &lt;80% &amp; falling&gt; &lt;!channel&gt;>*",
		"<https://grafana.example/d/1?from=now-1h&amp;to=now|Dashboard>",
	} {
		if !strings.Contains(alert, want) {
			t.Errorf("alert section %q lacks %q", alert, want)
		}
	}
	if strings.Contains(alert, "javascript:") || strings.Contains(alert, "<!channel>") {
		t.Errorf("alert section carries an unsafe link or mention: %q", alert)
	}
	fields := fieldsOf(blocks[2])
	wantFields := []string{"*Service*\nshop", "*Severity*\ncritical",
		fmt.Sprintf("*Since*\n<!date^%d^{date_short_pretty} {time}|2026-11-27 21:52 UTC> (12m ago)", m.Alerts[0].Since.Unix()), "*Occurrences*\n3"}
	if strings.Join(fields, "|") != strings.Join(wantFields, "|") {
		t.Errorf("fields = %q, want %q", fields, wantFields)
	}
	if got := textOf(blocks[3]); got != "`alertname=HomepageDown`  `instance=web-1`  `team=&lt;@U123&gt;`" {
		t.Errorf("labels = %q", got)
	}
	wantRunbook := "📖 *Runbook: <https://vigil.example/runbooks/app-down|App down>*\n" +
		"*Disk full*\n*Check* `df -h` &amp; the &lt;logs&gt;.\n• Rotate: see <https://g.example/d?x=1&amp;y=2|Grafana>\n```\nrm -rf /tmp/&lt;cache&gt;\n```"
	if got := textOf(blocks[4]); got != wantRunbook {
		t.Errorf("runbook =\n%s\nwant\n%s", got, wantRunbook)
	}
	wantButtons := []string{
		"Acknowledge|https://vigil.example/a/42/ack?t=sig|ack-0|primary",
		"Resolve|https://vigil.example/a/42/resolve?t=sig|resolve-0|",
		"Open in Vigil|https://vigil.example/alerts/42|open-0|",
	}
	if got := buttonsOf(blocks[5]); strings.Join(got, " ") != strings.Join(wantButtons, " ") {
		t.Errorf("buttons = %q, want %q", got, wantButtons)
	}
	// Acknowledged: no Acknowledge button, and it says so.
	if got := textOf(blocks[6]); !strings.HasPrefix(got, "🟡 *<https://vigil.example/alerts/43|Latency high>*  _acknowledged_") {
		t.Errorf("second alert = %q", got)
	}
	if got := buttonsOf(blocks[7]); len(got) != 2 || !strings.HasPrefix(got[0], "Resolve|") {
		t.Errorf("acknowledged alert buttons = %q", got)
	}
	if got := buttonsOf(blocks[8]); len(got) != 1 || got[0] != "Open in Vigil|https://vigil.example/alerts?group=7|open|" {
		t.Errorf("message buttons = %q", got)
	}
}

func TestHeaderEmoji(t *testing.T) {
	cases := []struct {
		name     string
		kind     notify.Kind
		severity []string
		status   string
		want     string
	}{
		{"critical", notify.KindFiring, []string{"critical"}, "firing", "🔴"},
		{"worst wins", notify.KindFiring, []string{"info", "error", "warning"}, "firing", "🟠"},
		{"warning", notify.KindEscalation, []string{"warning"}, "firing", "🟡"},
		{"alias", notify.KindReminder, []string{"WARN"}, "firing", "🟡"},
		{"info", notify.KindFiring, []string{"info"}, "firing", "🔵"},
		{"unknown severity", notify.KindFiring, []string{"p9"}, "firing", "🔔"},
		{"resolved kind", notify.KindResolved, []string{"critical"}, "resolved", "✅"},
		{"all alerts resolved", notify.KindFiring, []string{"critical"}, "resolved", "✅"},
		{"handoff", notify.KindHandoff, nil, "", "📟"},
		{"test", notify.KindTest, nil, "", "🧪"},
	}
	sink := newSlackSink(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := notify.Message{Kind: c.kind, Title: "T", Text: "body", At: sendertest.Now()}
			for i, s := range c.severity {
				m.Alerts = append(m.Alerts, notify.Alert{ID: int64(i), Severity: s, Status: c.status, Summary: "s"})
			}
			if got := textOf(blocksOf(sink.send(m))[0]); got != c.want+" T" {
				t.Errorf("header = %q, want %q", got, c.want+" T")
			}
		})
	}
}

func TestResolvedAlertHasNoActionButtons(t *testing.T) {
	m := sendertest.Message()
	m.Kind, m.Alerts[0].Status = notify.KindResolved, "resolved"
	blocks := blocksOf(newSlackSink(t).send(m))
	last := blocks[len(blocks)-1]
	if got := buttonsOf(last); len(got) != 1 || !strings.HasPrefix(got[0], "Open in Vigil|") {
		t.Errorf("buttons of a resolved alert = %q", got)
	}
	if !strings.HasPrefix(textOf(blocks[2]), "✅ ") {
		t.Errorf("resolved alert = %q", textOf(blocks[2]))
	}
}

func TestHandoffPayload(t *testing.T) {
	hcm := time.FixedZone("+07", 7*3600)
	m := notify.Message{Kind: notify.KindHandoff, Title: "On call: sre-primary", At: sendertest.Now(),
		URL: "https://vigil.example/oncall/sre-primary",
		Handoff: &notify.Handoff{Schedule: "sre-primary", Person: "thach",
			From: time.Date(2026, 11, 30, 9, 0, 0, 0, hcm), Until: time.Date(2026, 12, 7, 9, 0, 0, 0, hcm)}}
	blocks := blocksOf(newSlackSink(t).send(m))
	if got := typesOf(blocks); strings.Join(got, ",") != "header,section,actions" {
		t.Fatalf("types = %v", got)
	}
	// Slack shows each reader their own zone; the fallback keeps the zone
	// the message was written in.
	want := fmt.Sprintf("You are on call for *sre-primary* from <!date^%d^{date_short_pretty} {time}|2026-11-30 09:00 +07>"+
		" until <!date^%d^{date_short_pretty} {time}|2026-12-07 09:00 +07>.", m.Handoff.From.Unix(), m.Handoff.Until.Unix())
	if got := textOf(blocks[1]); got != want {
		t.Errorf("handoff = %q\nwant      %q", got, want)
	}
	if got := buttonsOf(blocks[2]); len(got) != 1 || got[0] != "Open in Vigil|https://vigil.example/oncall/sre-primary|open|" {
		t.Errorf("buttons = %q", got)
	}
}

func TestTestMessageShowsItsText(t *testing.T) {
	m := notify.Message{Kind: notify.KindTest, Title: "Test from Vigil", Text: "If you see this, <slack> works & so do you.", At: sendertest.Now()}
	blocks := blocksOf(newSlackSink(t).send(m))
	if got := textOf(blocks[1]); got != "If you see this, &lt;slack&gt; works &amp; so do you." {
		t.Errorf("text = %q", got)
	}
}

// TestLimits sends messages built to break Slack's limits and checks (in
// send, via checkLimits) that what arrives respects every one of them.
func TestLimits(t *testing.T) {
	sink := newSlackSink(t)
	many := sendertest.Message()
	many.Alerts = nil
	for i := range 30 {
		a := sendertest.Message().Alerts[0]
		a.ID, a.Summary = int64(i), fmt.Sprintf("Alert %d", i)
		many.Alerts = append(many.Alerts, a)
	}
	p := sink.send(many)
	blocks := blocksOf(p)
	sections := 0
	for _, b := range blocks {
		if b["type"] == "section" && strings.Contains(textOf(b), "*<https://vigil.example/alerts/42|Alert ") {
			sections++
		}
	}
	if sections != 10 {
		t.Errorf("%d alerts drawn, want 10", sections)
	}
	if more := textOf(blocks[len(blocks)-2]); !strings.HasPrefix(more, "…and 20 more alerts.") {
		t.Errorf("more = %q", more)
	}

	huge := sendertest.Message()
	huge.Title = strings.Repeat("Homepage down & out ", 100)
	a := &huge.Alerts[0]
	a.Summary = strings.Repeat("<b>", 3000)
	a.Labels = map[string]string{}
	for i := range 50 {
		a.Labels[fmt.Sprintf("label%02d", i)] = strings.Repeat("&", 500)
	}
	a.Links = []notify.Link{{Href: "https://x.example/" + strings.Repeat("a", 4000), Text: strings.Repeat("L", 500)}}
	a.AckURL = "https://vigil.example/" + strings.Repeat("a", 3100) // too long for a button
	a.Runbook.Doc = "```\n" + strings.Repeat("x & y\n", 20000)
	a.Runbook.Title = strings.Repeat("T", 5000)
	blocks = blocksOf(sink.send(huge))
	if got := textOf(blocks[0]); utf16.RuneLen('🔴') == 2 && !strings.HasSuffix(got, "…") {
		t.Errorf("long header was not clipped: %q", got)
	}
	for _, b := range blocks {
		for _, btn := range buttonsOf(b) {
			if strings.HasPrefix(btn, "Acknowledge|") {
				t.Errorf("a button with an over-long URL was sent: %.80s", btn)
			}
		}
	}
	doc := textOf(blocks[4])
	if strings.Count(doc, "```")%2 != 0 {
		t.Errorf("runbook leaves a code block open: …%s", doc[len(doc)-40:])
	}
}
