package app

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

func incidentConfig(sink string) string {
	return fmt.Sprintf(`
tokens:
  - {id: sre, secret: sre-t0ken, scopes: [operate], person: you}
integrations:
  - {id: monitoring, type: generic, key: mon-k3y}
people:
  - {id: you, contacts: {webhook: "%[1]s/you"}}
  - {id: svega, contacts: {webhook: "%[1]s/svega"}}
  - {id: bsparrow, contacts: {webhook: "%[1]s/bsparrow"}}
  - {id: ghammer, contacts: {webhook: "%[1]s/ghammer"}}
  - {id: khouse, contacts: {webhook: "%[1]s/khouse"}}
  - {id: gtree, contacts: {webhook: "%[1]s/gtree"}}
teams:
  - {id: support, members: [svega]}
  - {id: networking, members: [bsparrow]}
  - {id: ops, members: [ghammer]}
  - {id: dba, members: [khouse]}
  - {id: developers, members: [gtree]}
escalations:
  - {id: sre, steps: [{notify: [person/you]}]}
routes:
  - {escalation: sre, group_wait: 0s}
services:
  - id: shop
    name: Exotic Plant Shop
    stakeholders: [team/support, team/networking, team/ops, team/dba, team/developers]
`, sink)
}

// TestSeedOutageToPostmortem replays the application outage of our on-call
// week: the alert fires, the incident is declared and finds the wrong-build
// deploy as the recent change, the chat is imported, the incident moves to
// identified, monitoring and resolved, and the postmortem is generated.
// Its timeline, durations (09:15 → 10:30) and sections are compared with a
// golden file (VIGIL_UPDATE_GOLDEN=1 rewrites it).
func TestSeedOutageToPostmortem(t *testing.T) {
	sk := newSink(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, incidentConfig(sk.URL))
	fc := clock.NewFake(time.Date(2021, 9, 4, 9, 15, 0, 0, time.UTC))
	h := startAt(t, path, "sqlite://"+filepath.Join(dir, "vigil.db"), fc)

	// The night before, a QA build went to production by mistake.
	var dep map[string]any
	code := h.do("POST", "/api/v1/deploys", "sre-t0ken", strings.NewReader(`{"service":"shop","version":"2021.09.03-qa7",
		"environment":"production","artifact":"shop-qa-2021.09.03-7.tar.gz","by":"ghammer","at":"2021-09-03T22:40:00Z",
		"notes":"deploy script run with the QA profile"}`), &dep)
	if code != 201 {
		t.Fatalf("deploy: %d %v", code, dep)
	}
	// 09:15 the monitoring alert fires.
	if c, body := h.post("/api/v1/events", "mon-k3y", "application/json",
		[]byte(`{"key":"app-down","summary":"Application not answering","severity":"critical","service":"shop"}`)); c != 200 {
		t.Fatalf("alert: %d %v", c, body)
	}
	// The page reaches the on-call SRE; at 09:20 they declare the incident.
	sk.wait(t, "/you", 1)
	h.eventually("the page recorded as delivered", func() bool {
		var hist []map[string]any
		h.do("GET", "/api/v1/alerts/1/notifications", "", nil, &hist)
		return len(hist) == 1 && hist[0]["status"] == "sent"
	})
	h.advance(5 * time.Minute)
	var in struct {
		ID       int64 `json:"id"`
		Timeline []struct {
			Kind string `json:"kind"`
			Text string `json:"text"`
		} `json:"timeline"`
	}
	code = h.do("POST", "/api/v1/incidents", "sre-t0ken", strings.NewReader(`{"title":"Application outage","severity":"SEV1",
		"services":["shop"],"alert_ids":[1],"roles":{"commander":"you"},"by":"you",
		"summary":"The shop application stopped answering customers."}`), &in)
	if code != 201 {
		t.Fatalf("declare: %d", code)
	}
	var recent []string
	for _, e := range in.Timeline {
		if e.Kind == "deploy" {
			recent = append(recent, e.Text)
		}
	}
	if len(recent) != 1 || !strings.Contains(recent[0], "2021.09.03-qa7 to production") {
		t.Fatalf("the declaration does not show the recent deploy: %+v", in.Timeline)
	}
	// The stakeholders (the seed's five POCs) are told.
	for _, who := range []string{"/svega", "/bsparrow", "/ghammer", "/khouse", "/gtree"} {
		if msg := sk.wait(t, who, 1)[0].Message; !strings.Contains(msg.Title, "Incident 1 declared") {
			t.Fatalf("%s was told %+v", who, msg)
		}
	}
	// The chat, as the seed wrote it.
	chat, err := os.ReadFile("../incident/chatlog/testdata/seed-outage.txt")
	if err != nil {
		t.Fatal(err)
	}
	var imported struct {
		Added int `json:"added"`
	}
	if code := h.do("POST", "/api/v1/incidents/1/import?format=log&date=2021-09-04&tz=UTC", "sre-t0ken", strings.NewReader(string(chat)), &imported); code != 200 || imported.Added < 25 {
		t.Fatalf("import: %d, %d added", code, imported.Added)
	}
	for _, st := range []struct{ status, at, note string }{
		{"identified", "2021-09-04T10:10:00Z", "a QA build was deployed to production"},
		{"monitoring", "2021-09-04T10:26:00Z", "redeployed the production build; app back up"},
		{"resolved", "2021-09-04T10:30:00Z", "everything responding"},
	} {
		body := fmt.Sprintf(`{"status":%q,"at":%q,"note":%q,"by":"you"}`, st.status, st.at, st.note)
		if code := h.do("POST", "/api/v1/incidents/1/status", "sre-t0ken", strings.NewReader(body), nil); code != 200 {
			t.Fatalf("status %s: %d", st.status, code)
		}
	}
	h.do("PUT", "/api/v1/incidents/1/postmortem", "sre-t0ken", strings.NewReader(`{"root_causes":"The deploy script was run with the QA profile, so a QA build reached production.",
		"resolution":"Redeployed the production build with the production profile.","authors":"you, ghammer"}`), nil)
	h.do("POST", "/api/v1/incidents/1/action_items", "sre-t0ken", strings.NewReader(`{"item":"Refuse QA builds in the production deploy script",
		"type":"prevent","owner":"ghammer","links":["alert/1"]}`), nil)

	resp, err := http.Get(h.url + "/api/v1/incidents/1/postmortem?format=md")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustContain(t, "postmortem", string(got), "09:15 → 10:30 UTC (1h15m)", "| Time to resolve | 1h15m |", "## Root causes",
		"deploy of shop 2021.09.03-qa7 to production", "Refuse QA builds", "when was the last deploy?")
	golden := "testdata/postmortem-seed-outage.md"
	if os.Getenv("VIGIL_UPDATE_GOLDEN") == "1" {
		writeFile(t, golden, string(got))
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with VIGIL_UPDATE_GOLDEN=1 to write it)", err)
	}
	if string(got) != string(want) {
		t.Fatalf("postmortem differs from %s; got:\n%s", golden, got)
	}
	resp, err = http.Get(h.url + "/api/v1/incidents/1/postmortem?format=html")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "<h2>Root causes</h2>") || !strings.Contains(string(page), "<table>") {
		t.Fatalf("html: %.500s", page)
	}
	var metrics struct {
		Summary []struct {
			Service string `json:"service"`
			MTTR    int64  `json:"mttr"`
		} `json:"summary"`
	}
	h.do("GET", "/api/v1/incidents/metrics", "", nil, &metrics)
	found := false
	for _, s := range metrics.Summary {
		if s.Service == "shop" && time.Duration(s.MTTR) == 75*time.Minute {
			found = true
		}
	}
	if !found {
		t.Fatalf("MTTR: %+v", metrics.Summary)
	}
}
