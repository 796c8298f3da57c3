package postmortem

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

func seedIncident() store.IncidentRow {
	start := time.Date(2021, 9, 4, 9, 15, 0, 0, time.UTC)
	return store.IncidentRow{ID: 4, Title: "Application outage", Severity: "SEV1", Status: "resolved", Services: []string{"shop"},
		DeclaredBy: "you", StartedAt: start, DetectedAt: start, DeclaredAt: start.Add(5 * time.Minute), AcknowledgedAt: start.Add(time.Minute),
		MitigatedAt: start.Add(71 * time.Minute), ResolvedAt: start.Add(75 * time.Minute),
		Postmortem: map[string]string{"root_causes": "Wrong deploy script | QA profile"}}
}

func render(t *testing.T, d Data, format string) string {
	t.Helper()
	tmpl, err := Parse("")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Render(&out, tmpl, d, format); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestBuildFillsWhatIsKnown(t *testing.T) {
	in := seedIncident()
	deploys := []store.DeployRow{{ID: 1, Service: "shop", Version: "qa7", Environment: "production", By: "ghammer", At: in.StartedAt.Add(-10 * time.Hour)}}
	tl := []store.TimelineEntry{{At: in.StartedAt.Add(-10 * time.Hour), Kind: "deploy", Text: "deploy"}, {At: in.StartedAt, Kind: "chat", Text: "outage | down", Actor: "svega"}}
	d := Build(Record{Incident: in, Timeline: tl, Paged: []string{"person/you/webhook"}, Deploys: deploys}, time.UTC)
	if d.ImpactWindow != "2021-09-04 09:15 → 10:30 UTC (1h15m)" || d.Durations != (Durations{"0m", "1m", "1h11m", "1h15m"}) {
		t.Fatalf("window %q durations %+v", d.ImpactWindow, d.Durations)
	}
	if d.RootCauses != "Wrong deploy script | QA profile" || d.Lucky != ToWrite || !strings.Contains(d.Trigger, "deploy of shop qa7 to production") {
		t.Fatalf("sections: %q / %q / %q", d.RootCauses, d.Lucky, d.Trigger)
	}
	if d.Timeline[0].Time != "2021-09-03 23:15" || d.Timeline[1].Time != "09:15" {
		t.Fatalf("times: %+v", d.Timeline)
	}
	md := render(t, d, "md")
	// A | in a table cell is escaped, so the table keeps its columns.
	if !strings.Contains(md, `| 09:15 | outage \| down | svega |`) {
		t.Fatalf("timeline row:\n%s", md)
	}
	html := render(t, d, "html")
	if !strings.Contains(html, "<td>outage | down</td>") {
		t.Fatalf("html table:\n%s", html)
	}
	// The metadata is a list, not a table with an empty header row.
	if strings.Contains(html, "<th></th>") || !strings.Contains(html, "<li><strong>Authors:</strong> you</li>") {
		t.Fatalf("html metadata:\n%s", html)
	}
}

// hostile is untrusted text as it reaches a postmortem: chat, notes,
// labels, summaries, action items and names.
const hostile = "<script>alert(1)</script> | pipes | \n# heading [link](javascript:alert(1)) *bold* `x`"

// TestHostileTextStaysText: every field from the record shows as the words
// it holds, in Markdown and in HTML: no element, link, heading, extra table
// column or line break comes from it.
func TestHostileTextStaysText(t *testing.T) {
	in := seedIncident()
	in.Title, in.Summary, in.DeclaredBy, in.Services, in.Severity = hostile, hostile, hostile, []string{hostile}, hostile
	in.Postmortem = map[string]string{"authors": hostile + ", ok", "status": hostile,
		"went_well": "- paging worked\n- <img src=x onerror=alert(1)> and [x](javascript:alert(1))"}
	r := Record{Incident: in,
		Timeline:    []store.TimelineEntry{{At: in.StartedAt, Kind: "chat", Text: hostile, Actor: hostile}},
		Alerts:      []store.AlertRow{{ID: 1, Severity: hostile, Summary: hostile, Status: "firing", Source: hostile, FirstSeen: in.StartedAt}},
		Paged:       []string{hostile},
		Runs:        []store.RunRow{{ID: "r1", Runbook: hostile, Status: "failed", Reason: hostile}},
		Deploys:     []store.DeployRow{{Service: hostile, Version: hostile, Environment: hostile, Artifact: hostile, By: hostile, At: in.StartedAt.Add(-time.Hour)}},
		ActionItems: []store.ActionItem{{Item: hostile, Type: "prevent", Owner: hostile, Tracking: "javascript:alert(1)", Status: "open"}},
	}
	d := Build(r, time.UTC)
	md := render(t, d, "md")
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# Postmortem: ") && !strings.HasPrefix(line, "## ") && !strings.HasPrefix(line, "### ") {
			t.Errorf("a heading came from input: %q", line)
		}
		if strings.HasPrefix(line, "|") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") > 7 {
			t.Errorf("a table row has extra columns: %q", line)
		}
	}
	html := render(t, d, "html")
	for _, bad := range []string{"<script", "<img", `href="javascript`, "<h1>heading", "<em>bold", "raw HTML"} {
		if strings.Contains(html, bad) {
			t.Errorf("html has %q:\n%s", bad, html)
		}
	}
	if got := strings.Count(html, "<h1>"); got != 1 {
		t.Errorf("%d h1 headings:\n%s", got, html)
	}
	// People's sections keep their Markdown: the list survives.
	if !strings.Contains(html, "<li>paging worked</li>") || !strings.Contains(html, "<title>Postmortem: &lt;script&gt;") {
		t.Errorf("prose or title:\n%s", html)
	}
}

func TestActionItemTrackingLinks(t *testing.T) {
	in := seedIncident()
	d := Build(Record{Incident: in, ActionItems: []store.ActionItem{
		{Item: "Refuse QA builds", Type: "prevent", Owner: "ghammer", Tracking: "https://tracker.example/OPS-42", Status: "open",
			Due: time.Date(2021, 9, 17, 0, 0, 0, 0, time.UTC)},
		{Item: "Write it down", Type: "process", Tracking: "OPS-43", Status: "done"},
	}}, time.UTC)
	md := render(t, d, "md")
	mustHave(t, md, "| Refuse QA builds | prevent | ghammer | 2021-09-17 | [https://tracker.example/OPS-42](https://tracker.example/OPS-42) | open |",
		"| Write it down | process | — | — | OPS-43 | done |")
	html := render(t, d, "html")
	mustHave(t, html, `<td><a href="https://tracker.example/OPS-42">https://tracker.example/OPS-42</a></td>`)
}

func TestReplacementTemplate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pm.tmpl")
	os.WriteFile(path, []byte("# {{ .Title }} ({{ .Durations.Resolve }})\n<script>alert(1)</script>\n"), 0o644)
	tmpl, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Render(&out, tmpl, Build(Record{Incident: seedIncident()}, nil), "html"); err != nil {
		t.Fatal(err)
	}
	// Raw HTML in Markdown is not passed through: a template cannot inject
	// script into the page.
	if !strings.Contains(out.String(), "<h1>Application outage (1h15m)</h1>") || strings.Contains(out.String(), "<script>") {
		t.Fatalf("html:\n%s", out.String())
	}
	if _, err := Parse(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("a missing template parsed")
	}
}

func mustHave(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("missing %q in:\n%s", w, got)
		}
	}
}
