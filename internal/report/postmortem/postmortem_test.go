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

func TestBuildFillsWhatIsKnown(t *testing.T) {
	in := seedIncident()
	deploys := []store.DeployRow{{ID: 1, Service: "shop", Version: "qa7", Environment: "production", By: "ghammer", At: in.StartedAt.Add(-10 * time.Hour)}}
	tl := []store.TimelineEntry{{At: in.StartedAt.Add(-10 * time.Hour), Kind: "deploy", Text: "deploy"}, {At: in.StartedAt, Kind: "chat", Text: "outage | down", Actor: "svega"}}
	d := Build(in, tl, nil, []string{"person/you/webhook"}, nil, deploys, nil, time.UTC)
	if d.ImpactWindow != "2021-09-04 09:15 → 10:30 UTC (1h15m)" || d.Durations != (Durations{"0m", "1m", "1h11m", "1h15m"}) {
		t.Fatalf("window %q durations %+v", d.ImpactWindow, d.Durations)
	}
	if d.RootCauses != "Wrong deploy script | QA profile" || d.Lucky != ToWrite || !strings.Contains(d.Trigger, "deploy of shop qa7 to production") {
		t.Fatalf("sections: %q / %q / %q", d.RootCauses, d.Lucky, d.Trigger)
	}
	if d.Timeline[0].Time != "2021-09-03 23:15" || d.Timeline[1].Time != "09:15" {
		t.Fatalf("times: %+v", d.Timeline)
	}
	tmpl, err := Parse("")
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := Render(&md, tmpl, d, "md"); err != nil {
		t.Fatal(err)
	}
	// A | in a table cell is escaped, so the table keeps its columns.
	if !strings.Contains(md.String(), `| 09:15 | outage \| down | svega |`) {
		t.Fatalf("timeline row:\n%s", md.String())
	}
	var html bytes.Buffer
	if err := Render(&html, tmpl, d, "html"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "<td>outage | down</td>") {
		t.Fatalf("html table:\n%s", html.String())
	}
}

func TestReplacementTemplate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pm.tmpl")
	os.WriteFile(path, []byte("# {{ .Title }} ({{ .Durations.Resolve }})\n<script>alert(1)</script>\n"), 0o644)
	tmpl, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Render(&out, tmpl, Build(seedIncident(), nil, nil, nil, nil, nil, nil, nil), "html"); err != nil {
		t.Fatal(err)
	}
	// Raw HTML in Markdown is not passed through: a title or a chat line
	// cannot inject script into the page.
	if !strings.Contains(out.String(), "<h1>Application outage (1h15m)</h1>") || strings.Contains(out.String(), "<script>") {
		t.Fatalf("html:\n%s", out.String())
	}
	if _, err := Parse(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("a missing template parsed")
	}
}
