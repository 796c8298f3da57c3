package weekly

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/slo"
)

func TestCheckNamesEveryField(t *testing.T) {
	cfg := &config.Config{Services: []config.Service{{ID: "shop"}}}
	mon := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		from, to time.Time
		services []string
		want     string // "" when accepted
	}{
		{"a week", mon, mon.AddDate(0, 0, 7), []string{"shop"}, ""},
		{"31 days", mon, mon.AddDate(0, 0, 31), nil, ""},
		{"32 days", mon, mon.AddDate(0, 0, 32), nil, "to: the period may be at most 31 days (it is 32.0)"},
		{"backwards", mon, mon.AddDate(0, 0, -7), nil, "to: must be after from"},
		{"empty", mon, mon, nil, "to: must be after from"},
		{"missing and unknown", time.Time{}, mon, []string{"shed", "shop"}, `from: is required (RFC 3339); service: unknown service "shed"`},
	} {
		err := Check(cfg, c.from, c.to, c.services)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (errs.CodeOf(err) != errs.Invalid || errs.Message(err) != c.want):
			t.Errorf("%s: %v, want invalid %q", c.name, err, c.want)
		}
	}
}

// TestUntrustedTextStaysText: names and titles people and systems wrote
// reach the HTML as the same words, never as markup or links.
func TestUntrustedTextStaysText(t *testing.T) {
	mon := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	sli := 98.5
	rep := Report{From: mon, To: mon.AddDate(0, 0, 7), Services: []Service{{
		ID: "shop", Name: "Shop <script>alert(1)</script>",
		Deploys:     nil,
		Incidents:   []Incident{{ID: 3, Title: "[pwn](javascript:alert(1)) **now**", Severity: "SEV1", Started: mon, Postmortem: PostmortemPath(3)}},
		Closed:      []Action{{ID: 1, IncidentID: 3, Incident: "<img src=x onerror=alert(1)>", Item: "| a | table |", Status: "done"}},
		SLOs:        []slo.PeriodSLI{{Service: "shop", ID: "orders", Objective: 99, SLI: &sli}},
		SLOsRunning: true,
		Toil:        &Toil{Minutes: 30, Previous: 60, Items: []ToilItem{{Title: "<b>clean</b> | up", Status: "identified", Minutes: 30, Trend: "down 50%"}}},
	}}}
	cfg := &config.Config{Services: []config.Service{{ID: "shop", SLOs: []config.ServiceLevel{{ID: "orders"}}}}}
	var md bytes.Buffer
	if err := Markdown(&md, rep, Render{Loc: time.UTC, Base: "https://vigil.example", Config: cfg}); err != nil {
		t.Fatal(err)
	}
	html, err := markdown.Body(md.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, bad := range []string{"<script", "<img", `href="javascript`, "<b>", "<strong>now"} {
		if strings.Contains(page, bad) {
			t.Errorf("the HTML carries %q:\n%s", bad, page)
		}
	}
	for _, want := range []string{
		"Shop &lt;script&gt;alert(1)&lt;/script&gt;",
		`<a href="https://vigil.example/incidents/3/postmortem">here</a>`,
		"**missed**", // a missed SLO says so
		"| `` orders `` | 99% | 98.500% | **missed** |",
		"30 min of toil in 0 occurrences (the week before: 1 h, down 50%)",
		"No checks are configured for this service (`checks:`).",
	} {
		if !strings.Contains(page, want) && !strings.Contains(md.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, md.String())
		}
	}
}
