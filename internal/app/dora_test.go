package app

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeliveryReport: four weeks of deploys and incidents recorded through
// the API (backdated on the fake clock), and one deploy now that fails its
// verification and joins the incident it declares, give the four keys per
// service and overall, with their DORA bands, through the API (JSON) and
// the CLI (Markdown, golden).
func TestDeliveryReport(t *testing.T) {
	prod, staging, sk := newTarget(t), newTarget(t), newSink(t)
	h := start(t, deployConfig(prod.URL, staging.URL, sk.URL, filepath.Join(t.TempDir(), "r")), "")
	deploy := func(service, version, env, at, status string, commits ...string) {
		t.Helper()
		var cs []string
		for _, c := range commits {
			sha, when, _ := strings.Cut(c, "@")
			cs = append(cs, fmt.Sprintf(`{"sha":%q,"at":%q}`, sha, when))
		}
		h.recordDeploy(fmt.Sprintf(`{"service":%q,"version":%q,"environment":%q,"at":%q,"status":%q,"commits":[%s]}`,
			service, version, env, at, status, strings.Join(cs, ",")))
	}
	deploy("shop", "1.0.0", "production", "2026-10-20T10:00:00Z", "", "c0@2026-10-20T09:00:00Z")
	deploy("shop", "1.1.0", "production", "2026-10-26T10:00:00Z", "", "c1@2026-10-26T09:00:00Z")
	deploy("shop", "1.2.0", "production", "2026-10-27T10:00:00Z", "rolled_back", "c2@2026-10-27T08:00:00Z", "c1@2026-10-26T09:00:00Z")
	deploy("shop", "1.2.1", "production", "2026-10-27T12:00:00Z", "", "c3@2026-10-27T11:30:00Z")
	deploy("shop", "1.3.0", "staging", "2026-11-01T10:00:00Z", "")
	deploy("shop", "1.3.0", "production", "2026-11-02T10:00:00Z", "")
	deploy("shop", "1.3.1", "production", "2026-11-03T10:00:00Z", "failed")
	deploy("shop", "1.4.0", "production", "2026-11-10T10:00:00Z", "")
	deploy("shop", "1.5.0", "production", "2026-11-17T10:00:00Z", "", "c4@2026-11-16T10:00:00Z")
	deploy("docs", "7", "production", "2026-11-05T10:00:00Z", "", "d1@2026-11-04T10:00:00Z")
	var in struct {
		ID int64 `json:"id"`
	}
	if code := h.do("POST", "/api/v1/incidents", ciToken, strings.NewReader(`{"title":"Orders stuck","severity":"SEV2",
		"services":["shop"],"started_at":"2026-11-02T11:00:00Z"}`), &in); code != 201 {
		t.Fatalf("incident: %d", code)
	}
	if code := h.do("POST", fmt.Sprintf("/api/v1/incidents/%d/status", in.ID), ciToken,
		strings.NewReader(`{"status":"resolved","at":"2026-11-02T12:30:00Z"}`), nil); code != 200 {
		t.Fatalf("resolve: %d", code)
	}

	// Now a broken build goes out: its verification fails, it pages, and
	// the critical alert declares an incident.
	prod.status.Store(503)
	h.advance(time.Second)
	bad := h.recordDeploy(`{"service":"shop","version":"2.0.0","environment":"production","commits":[{"sha":"c5","at":"2026-11-23T07:00:01Z"}]}`)
	h.advance(10 * time.Second)
	if v := h.waitVerdict(bad.ID).Verification; v.Status != "failed" {
		t.Fatalf("bad deploy: %+v", v)
	}
	h.eventually("the failure declared an incident", func() bool {
		var ins []struct{ ID int64 }
		h.do("GET", "/api/v1/incidents", "", nil, &ins)
		return len(ins) == 2
	})

	var rep struct {
		Overall struct {
			Deploys           int      `json:"deploys"`
			Frequency         string   `json:"frequency"`
			Changes           int      `json:"changes"`
			LeadTimeSeconds   float64  `json:"lead_time_seconds"`
			Failed            int      `json:"failed"`
			ChangeFailureRate float64  `json:"change_failure_rate"`
			TimeToRestore     *float64 `json:"time_to_restore_seconds"`
			Unrestored        int      `json:"unrestored"`
			Bands             map[string]string
		} `json:"overall"`
		Services []struct {
			Service string `json:"service"`
			Deploys int    `json:"deploys"`
		} `json:"services"`
		Failures []struct {
			Deploy    int64    `json:"deploy"`
			Why       []string `json:"why"`
			Incidents []int64  `json:"incidents"`
		} `json:"failures"`
	}
	if code := h.do("GET", "/api/v1/reports/delivery?from=2026-10-26T00:00:00Z", "", nil, &rep); code != 200 {
		t.Fatalf("report: %d", code)
	}
	o := rep.Overall
	// 8 deploys: shop's 1.1.0, 1.2.0, 1.2.1, 1.3.0, 1.4.0, 1.5.0, 2.0.0 and docs 7.
	// Leads: c1 1h, c2 2h, c3 30m, c4 24h, d1 24h, c5 2h → median 2h.
	// Failures: 1.2.0 rolled back (restored by 1.2.1 in 2h), 1.3.0 incident #1
	// (1h30m), 2.0.0 verification failed + incident #2 (open) → 3 of 8.
	if o.Deploys != 8 || o.Changes != 6 || o.LeadTimeSeconds != 7200 || o.Failed != 3 || o.ChangeFailureRate != 0.375 ||
		o.TimeToRestore == nil || *o.TimeToRestore != 6300 || o.Unrestored != 1 || o.Frequency != "weekly" {
		b, _ := json.Marshal(rep)
		t.Fatalf("overall: %s", b)
	}
	if len(rep.Failures) != 3 || strings.Join(rep.Failures[2].Why, ",") != "verification failed,incident" || len(rep.Failures[2].Incidents) != 1 {
		t.Fatalf("failures: %+v", rep.Failures)
	}
	code, md, errOut := runCLI(t, "report", "delivery", "--from", "2026-10-26T00:00:00Z", "--server", h.url, "--token", ciToken)
	if code != 0 {
		t.Fatalf("cli: %d %s", code, errOut)
	}
	goldenFile(t, "testdata/delivery.md", md)
	code, _, errOut = runCLI(t, "report", "delivery", "--from", "2026-10-26T00:00:00Z", "--to", "2026-10-01T00:00:00Z", "--service", "cart",
		"--server", h.url, "--token", ciToken)
	if code != 1 || errOut != "vigil: to: must be after from; service: unknown service \"cart\" (HTTP 400)\n" {
		t.Fatalf("bad period: %d %q", code, errOut)
	}
	var e struct {
		Error string `json:"error"`
	}
	if code := h.do("GET", "/api/v1/reports/delivery?from=2026-10-26T00:00:00Z&to=2026-10-01T00:00:00Z&service=cart", "", nil, &e); code != 400 ||
		e.Error != `to: must be after from; service: unknown service "cart"` {
		t.Fatalf("bad query: %d %+v", code, e)
	}
	if code := h.do("GET", "/api/v1/reports/delivery?from=2026-10-26T00:00:00Z", anonymous, nil, nil); code != 401 {
		t.Fatalf("anonymous: %d", code)
	}
}
