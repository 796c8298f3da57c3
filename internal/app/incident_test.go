package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
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
channels:
  - {id: sre-chat, type: webhook, url: "%[1]s/sre-chat"}
escalations:
  - {id: sre, steps: [{notify: [person/you, channel/sre-chat]}]}
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
// golden file (VIGIL_UPDATE_GOLDEN=1 rewrites it). The postmortem's
// timeline folds what a reader does not need (the page to two contacts is
// one row; the database check starting up and the postmortem edits are
// left out), while the API's timeline keeps every entry.
func TestSeedOutageToPostmortem(t *testing.T) {
	sk := newSink(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, incidentConfig(sk.URL)+"    checks:\n      - {id: db, tcp: {address: \""+sk.Listener.Addr().String()+"\"}, every: 1m}\n")
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
	sk.wait(t, "/sre-chat", 1)
	h.eventually("the page recorded as delivered", func() bool {
		var hist []map[string]any
		h.do("GET", "/api/v1/alerts/1/notifications", "", nil, &hist)
		return len(hist) == 2 && hist[0]["status"] == "sent" && hist[1]["status"] == "sent"
	})
	h.advance(5 * time.Minute)
	h.eventually("the db check's first state change stored", func() bool { // its first probe fell due in the first minute
		var evs []map[string]any
		h.do("GET", "/api/v1/events", "", nil, &evs)
		return len(evs) == 1
	})
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
	// Afterwards the chat, as the seed wrote it, is imported, and the scribe
	// records the statuses at the times they happened.
	h.advance(71 * time.Minute) // 10:31
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
		"type":"prevent","owner":"ghammer","due":"2021-09-17T00:00:00Z","tracking":"https://tracker.example/OPS-42","links":["alert/1"]}`), nil)

	var full struct {
		Timeline []struct {
			Kind string `json:"kind"`
			Text string `json:"text"`
		} `json:"timeline"`
	}
	h.do("GET", "/api/v1/incidents/1", "", nil, &full)
	var record []string
	for _, e := range full.Timeline {
		record = append(record, e.Text)
	}
	mustContain(t, "API timeline", strings.Join(record, "\n"), "check shop/db unknown → ok", "postmortem edited: authors, resolution, root_causes",
		"firing page delivered to person/you/webhook", "firing page delivered to channel/sre-chat")

	resp := h.get("/api/v1/incidents/1/postmortem?format=md")
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustContain(t, "postmortem", string(got), "09:15 → 10:30 UTC (1h15m)", "| Time to resolve | 1h15m |", "## Root causes",
		"deploy of shop 2021.09.03-qa7 to production", "Refuse QA builds", "when was the last deploy?",
		"| 09:15 | firing page delivered to channel/sre-chat, person/you/webhook | vigil |")
	for _, noise := range []string{"unknown → ok", "postmortem edited", "page delivered to person/you/webhook |"} {
		if strings.Contains(string(got), noise) {
			t.Errorf("the postmortem's timeline keeps %q", noise)
		}
	}
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
	resp = h.get("/api/v1/incidents/1/postmortem?format=html")
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "<h2>Root causes</h2>") || !strings.Contains(string(page), "<table>") || strings.Contains(string(page), "<th></th>") ||
		!strings.Contains(string(page), `<a href="https://tracker.example/OPS-42">`) {
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

// TestOnCallLogForAShift: a Monday with four alerts: two night-time disk
// alerts that resolve by themselves (toil), an order backlog acknowledged
// and resolved by hand, and a DNS failure handled as an incident with a
// note. The log lists each with what was tried and the resolution.
func TestOnCallLogForAShift(t *testing.T) {
	sk := newSink(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, reportConfig(sk.URL))
	monday := time.Date(2021, 9, 6, 0, 0, 0, 0, time.UTC)
	fc := clock.NewFake(monday.Add(2 * time.Hour))
	h := startAt(t, path, "sqlite://"+filepath.Join(dir, "vigil.db"), fc)
	pages := 0
	paged := func() {
		pages++
		sk.wait(t, "/thach", pages)
	}
	at := func(hhmm time.Duration) {
		if d := monday.Add(hhmm).Sub(fc.Now()); d > 0 {
			fc.Advance(d)
		}
	}
	// 02:00 and 03:00: the log disk fills and clears by itself.
	h.raise("disk-1", "Free storage below 20%", "warning", "shop")
	paged()
	at(2*time.Hour + 10*time.Minute)
	h.resolveKey("disk-1")
	at(3 * time.Hour)
	h.raise("disk-2", "Free storage below 20%", "warning", "shop")
	paged()
	at(3*time.Hour + 10*time.Minute)
	h.resolveKey("disk-2")
	// 09:15 DNS fails; an incident, a note, resolved.
	at(9*time.Hour + 15*time.Minute)
	dnsID := h.raise("dns1", "DNS failure", "critical", "dns")
	paged()
	h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", dnsID), "sre-t0ken", nil, nil)
	h.do("POST", "/api/v1/incidents", "sre-t0ken", strings.NewReader(fmt.Sprintf(`{"title":"DNS failure","severity":"SEV2","services":["dns"],"alert_ids":[%d]}`, dnsID)), nil)
	var note struct {
		ID int64 `json:"id"`
	}
	if code := h.do("POST", "/api/v1/incidents/1/notes", "sre-t0ken", strings.NewReader(`{"text":"Shut down dns1; failed over to dns2 with -f","by":"thach"}`), &note); code != 201 || note.ID == 0 {
		t.Fatalf("note: %d, id %d", code, note.ID)
	}
	at(9*time.Hour + 40*time.Minute)
	h.resolveKey("dns1")
	// 10:00 outstanding orders too high: acknowledged, resolved by hand.
	at(10 * time.Hour)
	ordersID := h.raise("orders", "Outstanding orders too high", "error", "shop")
	paged()
	at(10*time.Hour + 5*time.Minute)
	h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/ack", ordersID), "sre-t0ken", strings.NewReader(`{"by":"thach"}`), nil)
	at(10*time.Hour + 20*time.Minute)
	h.do("POST", fmt.Sprintf("/api/v1/alerts/%d/resolve", ordersID), "sre-t0ken", strings.NewReader(`{"by":"thach"}`), nil)

	var rep struct {
		Pages         int `json:"pages"`
		OffHoursPages int `json:"off_hours_pages"`
		Alerts        []struct {
			Summary    string   `json:"summary"`
			Tried      []string `json:"troubleshooting"`
			Resolution []string `json:"resolution"`
		} `json:"alerts"`
		Toil []struct {
			Summary string `json:"summary"`
			Count   int    `json:"count"`
			Why     string `json:"why"`
		} `json:"toil_candidates"`
	}
	q := "/api/v1/reports/oncall?person=thach&from=2021-09-06T00:00:00Z&to=2021-09-07T00:00:00Z"
	if code := h.do("GET", q, "", nil, &rep); code != 200 {
		t.Fatalf("report: %d", code)
	}
	if rep.Pages != 4 || rep.OffHoursPages != 2 || len(rep.Alerts) != 4 {
		t.Fatalf("pages %d, off hours %d, alerts %d", rep.Pages, rep.OffHoursPages, len(rep.Alerts))
	}
	if len(rep.Toil) != 1 || rep.Toil[0].Summary != "Free storage below 20%" || rep.Toil[0].Count != 2 ||
		!strings.Contains(rep.Toil[0].Why, "recurring") || !strings.Contains(rep.Toil[0].Why, "self-resolving") {
		t.Fatalf("toil: %+v", rep.Toil)
	}
	dns, orders := rep.Alerts[2], rep.Alerts[3]
	mustContain(t, "dns troubleshooting", strings.Join(dns.Tried, "\n"), "failed over to dns2 with -f")
	mustContain(t, "orders", strings.Join(orders.Tried, "\n")+strings.Join(orders.Resolution, "\n"), "10:05 acknowledged by thach (token/sre)", "10:20 resolved by thach (token/sre)")
	// The same as the team's log, in Markdown.
	resp := h.get(q + "&format=md")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text, code := string(b), resp.StatusCode
	if code != 200 {
		t.Fatalf("markdown: %d", code)
	}
	mustContain(t, "markdown log", text, "## 10:00 -- *Outstanding orders too high*", "Troubleshooting", "Resolution",
		"| 4 | 2 | 4 |", "*Free storage below 20%* (shop): recurring: fired 2 times in the shift")
	if code := h.do("GET", "/api/v1/reports/oncall?person=thach", "", nil, nil); code != 400 {
		t.Fatalf("missing from/to: %d", code)
	}
}

// TestSevereAlertDeclaresAnIncident: with incident.auto_severity set, a
// critical alert declares an incident; the next one on the service joins it,
// and a warning declares nothing.
func TestSevereAlertDeclaresAnIncident(t *testing.T) {
	sk := newSink(t)
	h := start(t, strings.Replace(suppressConfig(sk.URL, ""), "  - {id: shop}", "  - {id: shop, incident: {auto_severity: critical, severity: SEV1}}", 1), "")
	h.raise("warn", "Latency creeping up", "warning", "shop")
	first := h.raise("down", "Checkout down", "critical", "shop")
	var list []struct {
		ID       int64    `json:"id"`
		Title    string   `json:"title"`
		Severity string   `json:"severity"`
		Services []string `json:"services"`
	}
	h.eventually("an incident declared", func() bool {
		list = nil
		h.do("GET", "/api/v1/incidents", "", nil, &list)
		return len(list) == 1
	})
	if list[0].Title != "Checkout down" || list[0].Severity != "SEV1" {
		t.Fatalf("incident: %+v", list[0])
	}
	second := h.raise("pay", "Payments failing", "critical", "shop")
	var in struct {
		Alerts []int64 `json:"alerts"`
	}
	h.eventually("the second alert joins it", func() bool {
		h.do("GET", "/api/v1/incidents/1", "", nil, &in)
		return len(in.Alerts) == 2
	})
	if in.Alerts[0] != first || in.Alerts[1] != second {
		t.Fatalf("linked alerts %v", in.Alerts)
	}
	h.do("GET", "/api/v1/incidents", "", nil, &list)
	if len(list) != 1 {
		t.Fatalf("%d incidents", len(list))
	}
}

func TestIncidentCommands(t *testing.T) {
	sk := newSink(t)
	h := start(t, incidentConfig(sk.URL), "")
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, append(args, "--server", h.url, "--token", "sre-t0ken")...)
	}
	code, out, errOut := cli("incident", "declare", "Application outage", "--severity", "SEV1", "--service", "shop", "--role", "commander=you")
	if code != 0 || !strings.Contains(out, "incident 1 declared: SEV1 Application outage") {
		t.Fatalf("declare: %d %q %q", code, out, errOut)
	}
	if code, _, errOut = cli("incident", "declare", "x", "--severity", "SEV9", "--service", "nope"); code != 1 ||
		!strings.Contains(errOut, `severity: "SEV9" is not one of SEV1, SEV2, SEV3, SEV4`) || !strings.Contains(errOut, `unknown service "nope"`) {
		t.Fatalf("bad declare: %d %q", code, errOut)
	}
	chat := filepath.Join(t.TempDir(), "chat.txt")
	writeFile(t, chat, "09:15 Hey we have reports of an application outage **FROM: svega**\n0930 -- Everything looks good from the network FROM: sparrow\nno time here\n")
	code, out, errOut = cli("incident", "import", "1", chat, "--date", "2021-09-04")
	if code != 0 || !strings.Contains(out, "imported 2 messages") || !strings.Contains(errOut, "chat.txt:3:") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	if code, out, _ = cli("incident", "import", "1", chat, "--date", "2021-09-04"); !strings.Contains(out, "imported 0 messages (2 already there)") {
		t.Fatalf("second import: %q", out)
	}
	if code, _, errOut = cli("incident", "status", "1", "identified", "--at", "2000-01-01T00:00:00Z"); code != 1 || !strings.Contains(errOut, "is not between the incident's start") {
		t.Fatalf("status before the start: %d %q", code, errOut)
	}
	if code, out, _ = cli("incident", "note", "1", "Restarted the app", "--by", "you"); code != 0 {
		t.Fatalf("note: %d %q", code, out)
	}
	if code, out, _ = cli("incident", "role", "1", "communications", "svega"); code != 0 || !strings.Contains(out, "svega is communications") {
		t.Fatalf("role: %d %q", code, out)
	}
	if code, out, _ = cli("incident", "status", "1", "identified", "--note", "QA build in prod"); code != 0 || !strings.Contains(out, "is identified") {
		t.Fatalf("status: %d %q", code, out)
	}
	if code, out, _ = cli("incident", "resolve", "1"); code != 0 || !strings.Contains(out, "is resolved") {
		t.Fatalf("resolve: %d %q", code, out)
	}
	code, out, _ = cli("incident", "show", "1")
	mustContain(t, "show", out, "incident 1: Application outage", "time to resolve:", "Everything looks good from the network (sparrow)", "status: identified: QA build in prod")
	code, out, _ = cli("incident", "list")
	if !regexp.MustCompile(`(?m)^1\s+SEV1\s+resolved\s+shop\s`).MatchString(out) {
		t.Fatalf("list:\n%s", out)
	}
	pm := filepath.Join(t.TempDir(), "pm.html")
	if code, _, errOut = cli("postmortem", "1", "--format", "html", "-o", pm); code != 0 {
		t.Fatalf("postmortem: %d %q", code, errOut)
	}
	if b, _ := os.ReadFile(pm); !strings.Contains(string(b), "<h1>Postmortem: Application outage</h1>") {
		t.Fatalf("postmortem file: %.300s", b)
	}
	if code, out, _ = cli("postmortem", "--print-template"); code != 0 || !strings.Contains(out, "## Root causes") {
		t.Fatalf("template: %d", code)
	}
	code, out, _ = cli("report", "oncall", "--person", "you", "--from", "2020-01-01T00:00:00Z")
	if code != 0 || !strings.Contains(out, "# On-call log: you") {
		t.Fatalf("report: %d %q", code, out)
	}
}

// TestIncidentEditsKeepTheirShape: an action item stays with its incident,
// reopening clears the resolution, and two different messages in the same
// minute from the same person are both imported.
func TestIncidentEditsKeepTheirShape(t *testing.T) {
	h := start(t, incidentConfig(newSink(t).URL), "")
	for i := 0; i < 2; i++ {
		h.do("POST", "/api/v1/incidents", "sre-t0ken", strings.NewReader(`{"title":"x","services":["shop"]}`), nil)
	}
	var item map[string]any
	if code := h.do("POST", "/api/v1/incidents/1/action_items", "sre-t0ken", strings.NewReader(`{"item":"fix","type":"prevent"}`), &item); code != 201 {
		t.Fatalf("item: %d", code)
	}
	if code := h.do("POST", "/api/v1/incidents/2/action_items", "sre-t0ken", strings.NewReader(`{"id":1,"item":"steal","type":"prevent"}`), nil); code != 404 {
		t.Fatalf("another incident's item: %d", code)
	}
	var upd map[string]any
	h.do("POST", "/api/v1/incidents/1/action_items", "sre-t0ken", strings.NewReader(`{"id":1,"item":"fix it","type":"prevent","status":"done"}`), &upd)
	if upd["created_at"] != item["created_at"] || upd["status"] != "done" {
		t.Fatalf("update: %v, was %v", upd, item)
	}
	var in struct {
		Status     string `json:"status"`
		ResolvedAt string `json:"resolved_at"`
	}
	h.do("POST", "/api/v1/incidents/1/status", "sre-t0ken", strings.NewReader(`{"status":"resolved"}`), &in)
	if in.ResolvedAt == "" {
		t.Fatal("resolving set no resolved_at")
	}
	in.ResolvedAt = "" // the answer leaves it out when zero
	h.do("POST", "/api/v1/incidents/1/status", "sre-t0ken", strings.NewReader(`{"status":"monitoring"}`), &in)
	if in.Status != "monitoring" || in.ResolvedAt != "" {
		t.Fatalf("reopened: %+v", in)
	}
	var res struct{ Added, Skipped int }
	h.do("POST", "/api/v1/incidents/1/import?date=2026-11-22", "sre-t0ken", strings.NewReader("09:15 -- yes FROM: thach\n09:15 -- no! FROM: thach\n09:15 -- yes FROM: thach\n"), &res)
	if res.Added != 3 {
		t.Fatalf("import: %+v", res)
	}
}
