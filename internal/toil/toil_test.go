package toil

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// t0 is Monday 2026-11-23 09:00 UTC, when thach's first shift starts.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

const weekCfg = `
global: {toil: {weekly_hours: 4}}
people: [{id: thach, name: Thach Duong}, {id: john}, {id: steve}]
teams: [{id: sre, name: SRE, members: [thach, john]}]
schedules:
  - {id: primary, timezone: UTC, rotations: [{id: r, members: [thach, john], length: 12h, start: "2026-11-23T09:00:00"}]}
tokens:
  - {id: cli, secret: s1, scopes: [respond], person: thach}
  - {id: bot, secret: s2, scopes: [operate]}
services:
  - {id: shop, checks: [{id: logs-disk, disk: {path: /tmp}}]}
  - {id: cart}
runbooks:
  - {id: log-cleanup, on: [{manual: true}, {schedule: {cron: "0 6 * * *"}}], steps: [{id: s, run: ["true"]}]}
  - {id: dns-failover, on: [{manual: true}], steps: [{id: s, run: ["true"]}]}
toil:
  - id: log-cleanup
    title: Clean the log mount every morning
    service: shop
    estimate: 20m
    match: [{check: shop/logs-disk}, {runbook: log-cleanup, trigger: manual}]
    automated_by: log-cleanup
    automated_since: "2026-11-25"
  - id: dns
    title: Fail DNS over by hand
    service: shop
    estimate: 15m
    match: [{alert: ['alertname="DNSDown"']}]
    impact: Downtime while someone wakes up.
`

// week is a ledger over a recorded week: the record is written straight
// into the store, as the pager, the runbook engine and incidents would.
type week struct {
	l     *Ledger
	s     *store.Store
	clock *clock.Fake
	cfg   *config.Config
}

func newWeek(t *testing.T, e storetest.Engine) *week {
	t.Helper()
	cfg, err := config.Parse("week.yml", []byte(weekCfg), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), e.Fresh(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	dir, err := oncall.NewDirectory(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fc := clock.NewFake(t0.Add(7 * 24 * time.Hour))
	return &week{s: s, clock: fc, cfg: cfg, l: New(Deps{Store: s, Clock: fc, Config: func() *config.Config { return cfg },
		Directory: func() *oncall.Directory { return dir }})}
}

func at(d time.Duration) time.Time { return t0.Add(d) }

func (w *week) record(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	alert := func(id int64, source, service, name string, first, resolved time.Duration) store.AlertRow {
		a := store.AlertRow{ID: id, DedupKey: fmt.Sprint("k", id), Source: source, Integration: "x", Status: "firing", Severity: "error",
			Summary: name + " fired", Service: service, Labels: map[string]string{"alertname": name}, Occurrences: 1,
			FirstSeen: at(first), LastSeen: at(first), UpdatedAt: at(first)}
		if source == "check" {
			a.Labels["check"] = "logs-disk"
		}
		if resolved != 0 {
			a.Status, a.ResolvedAt, a.ResolvedBy = "resolved", at(resolved), "x"
		}
		return a
	}
	n := 0
	page := func(dest, kind string, when time.Duration, alerts ...int64) store.Notification {
		n++
		return store.Notification{ID: int64(n), CreatedAt: at(when), GroupKey: "g", Kind: kind, Destination: dest,
			Message: []byte(`{}`), Status: store.NotifySent, AlertIDs: alerts}
	}
	h := time.Hour
	if err := w.s.WriteAlerts(ctx, store.AlertBatch{
		Alerts: []store.AlertRow{
			alert(1, "check", "shop", "Free space", h, h+30*time.Minute),
			alert(2, "alertmanager", "shop", "DNSDown", 11*h, 14*h),
			alert(3, "alertmanager", "shop", "DNSDown", 26*h, 26*h+5*time.Minute),
			alert(4, "alertmanager", "cart", "CartSlow", 2*h, 2*h+10*time.Minute),
			alert(5, "alertmanager", "cart", "CartSlow", 3*h, 3*h+10*time.Minute),
			alert(6, "alertmanager", "shop", "DNSDown", -72*h, -72*h+30*time.Minute), // the week before
			alert(7, "alertmanager", "cart", "Noise", 5*h, 5*h+time.Minute),          // paged nobody, no item: not toil
		},
		Notifications: []store.Notification{
			page("person/thach/slack", "firing", h, 1), page("person/thach/slack", "reminder", h+10*time.Minute, 1),
			page("channel/ops", "firing", h, 1),
			page("person/thach/slack", "firing", 11*h, 2), page("person/john/email", "escalation", 11*h+15*time.Minute, 2),
			page("person/thach/slack", "resolved", 14*h, 2),
			page("channel/ops", "firing", 26*h, 3),
			page("person/thach/slack", "firing", 2*h, 4), page("person/thach/slack", "firing", 3*h, 5),
			page("person/thach/slack", "firing", -72*h, 6),
		},
	}); err != nil {
		t.Fatal(err)
	}
	run := func(id, runbook, trigger, by string, alertID int64, start, end time.Duration) {
		r := store.RunRow{ID: id, Runbook: runbook, Status: store.RunSucceeded, Trigger: trigger, TriggeredBy: by, AlertID: alertID,
			Params: map[string]string{}, LockKey: runbook, CreatedAt: at(start), StartedAt: at(start), EndedAt: at(end)}
		if err := w.s.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	run("r1", "log-cleanup", "manual", "token/cli", 1, h+5*time.Minute, h+15*time.Minute) // during its page
	run("r2", "dns-failover", "alert", "alert/3", 3, 30*h, 30*h+time.Minute)
	run("r3", "dns-failover", "webhook", "webhook/dns-failover#1", 0, 31*h, 31*h+time.Minute)
	run("a0", "log-cleanup", "schedule", "schedule", 0, 21*h, 21*h) // before automated_since
	run("a1", "log-cleanup", "schedule", "schedule", 0, 45*h, 45*h)
	run("a2", "log-cleanup", "schedule", "schedule", 0, 69*h, 69*h)
	for _, a := range []store.AuditRow{
		{At: at(30 * h), Actor: "person/john (link)", Action: "run.approved", Runbook: "dns-failover", RunID: "r2"},
		{At: at(31 * h), Actor: "person/john (link)", Action: "run.approved", Runbook: "dns-failover", RunID: "r3"},
	} {
		if _, err := w.s.AppendAudit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.s.CreateIncident(ctx, store.IncidentRow{Title: "Checkout down", Severity: "SEV2", Status: store.IncidentResolved,
		Services: []string{"cart"}, Roles: map[string]string{"commander": "thach"}, DeclaredBy: "token/cli", StartedAt: at(4 * h),
		DeclaredAt: at(4 * h), ResolvedAt: at(6 * h), UpdatedAt: at(6 * h)},
		[]store.TimelineEntry{{At: at(4 * h), Kind: "role", Actor: "token/cli", Text: "commander: thach"}}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{50 * h, 74 * h} {
		if _, err := w.l.Log(ctx, LogRequest{Text: "Deployed by hand", Minutes: 45, Service: "shop", Person: "steve", At: ptr(at(d)), Actor: "token/bot"}); err != nil {
			t.Fatal(err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestLedgerOverAWeek(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWeek(t, e)
			w.record(t)
			testEntries(t, w)
			testOverview(t, w)
		})
	}
}

// testEntries: each source's entries, their minutes with overlaps counted
// once, the shift and open-alert caps, and the items they attach to.
func testEntries(t *testing.T, w *week) {
	es, err := w.l.Entries(context.Background(), Query{From: t0, To: t0.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s %s %s %dm %s %s", e.At.Sub(t0), e.ID, e.Person, e.Minutes, e.Service, e.Item))
	}
	want := []string{
		"1h0m0s page/1/thach thach 30m shop log-cleanup",
		"1h5m0s run/r1 thach 0m shop log-cleanup", // inside the page's time
		"2h0m0s page/4/thach thach 10m cart ",
		"3h0m0s page/5/thach thach 10m cart ",
		"4h0m0s incident/1/thach thach 120m cart ",
		"11h0m0s page/2/thach thach 60m shop dns", // capped at the end of thach's shift, 21:00
		"11h15m0s page/2/john john 165m shop dns", // john's shift runs on
		"26h0m0s alert/3  15m shop dns",           // paged nobody: the item's estimate
		"30h0m0s approval/r2/0 john 5m  ",         // no rule claims dns-failover's approvals
		"31h0m0s approval/r3/1 john 5m  ",
		"50h0m0s manual/1 steve 45m shop ",
		"74h0m0s manual/2 steve 45m shop ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, c := range []struct {
		q    Query
		want int
	}{
		{Query{Item: "dns"}, 3},
		{Query{Item: Unclassified}, 7},
		{Query{Person: "john"}, 3},
		{Query{Source: SourceManual}, 2},
		{Query{Service: "cart"}, 3},
		{Query{Limit: 2}, 2},
	} {
		c.q.From, c.q.To = t0, t0.Add(7*24*time.Hour)
		if got, _ := w.l.Entries(context.Background(), c.q); len(got) != c.want {
			t.Errorf("%+v: %d entries, want %d", c.q, len(got), c.want)
		}
	}
}

// testOverview: item cost, trend, savings and status; the ranking; the
// unclassified work; and the 50% rule.
func testOverview(t *testing.T, w *week) {
	ov, err := w.l.Overview(context.Background(), t0, t0.Add(7*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]Item{}
	for _, it := range ov.Items {
		items[it.ID] = it
	}
	lc := items["log-cleanup"]
	if lc.Occurrences != 1 || lc.Minutes != 30 || lc.Status != config.ToilAutomated ||
		lc.Savings != (Savings{Runs: 2, Minutes: 40, TotalRuns: 2, TotalMinutes: 40}) || lc.Weeks[0].Saved != 40 {
		t.Errorf("log-cleanup: %+v", lc)
	}
	dns := items["dns"]
	if dns.Occurrences != 2 || dns.Minutes != 240 || dns.Previous != (Count{1, 30}) || dns.Trend != "up 700%" ||
		dns.Status != config.ToilIdentified || dns.PerMonth.Minutes != round1(240*30/7.0) || dns.Impact != "Downtime while someone wakes up." ||
		dns.BySource[SourcePage] != 225 || dns.BySource[SourceAlert] != 15 {
		t.Errorf("dns: %+v", dns)
	}
	if !reflect.DeepEqual(ov.Candidates, []string{"dns"}) {
		t.Errorf("candidates %v", ov.Candidates)
	}
	var groups []string
	for _, g := range ov.Unclassified {
		groups = append(groups, fmt.Sprintf("%s %s %d %dm", g.Kind, g.Name, g.Occurrences, g.Minutes))
	}
	if want := []string{"manual deployed by hand 2 90m", "alert CartSlow 2 20m", "runbook dns-failover 2 10m"}; !reflect.DeepEqual(groups, want) {
		t.Errorf("unclassified %v, want %v", groups, want)
	}
	// alert/3 is one occurrence: its alert entry and the approval of the run it started.
	if ov.Total != (Count{Occurrences: 9, Minutes: 510}) || ov.Saved != 40 {
		t.Errorf("totals %+v saved %d", ov.Total, ov.Saved)
	}
	var people []string
	for _, l := range ov.People {
		people = append(people, fmt.Sprintf("%s %d/%d %.1f%% %v", l.ID, l.Minutes, l.Working, l.Percent, l.Over))
	}
	if want := []string{"thach 230/240 95.8% true", "john 175/240 72.9% true", "steve 90/240 37.5% false"}; !reflect.DeepEqual(people, want) {
		t.Errorf("people %v, want %v", people, want)
	}
	if len(ov.Teams) != 1 || ov.Teams[0].Minutes != 405 || ov.Teams[0].Working != 480 || ov.Teams[0].Percent != 84.4 || !ov.Teams[0].Over {
		t.Errorf("teams %+v", ov.Teams)
	}

	// One service: only its items and entries; the load stays the team's.
	shop, err := w.l.Overview(context.Background(), t0, t0.Add(7*24*time.Hour), []string{"shop"})
	if err != nil {
		t.Fatal(err)
	}
	if len(shop.Items) != 2 || shop.Total.Minutes != 360 || len(shop.Unclassified) != 1 || len(shop.People) != 3 {
		t.Errorf("shop: total %+v unclassified %+v", shop.Total, shop.Unclassified)
	}
}

func TestEditsAndStatus(t *testing.T) {
	w := newWeek(t, storetest.Engines(t)[0])
	ctx := context.Background()
	it, err := w.l.EditItem(ctx, "dns", ItemEdit{Status: ptr("planned"), Benefit: ptr("No more 3 a.m. failovers."), By: "token/cli"})
	if err != nil || it.Status != "planned" || it.Benefit != "No more 3 a.m. failovers." || it.Impact != "Downtime while someone wakes up." || it.EditedBy != "token/cli" {
		t.Fatalf("edit: %+v %v", it, err)
	}
	if it, _ := w.l.EditItem(ctx, "dns", ItemEdit{Impact: ptr(""), By: "token/cli"}); it.Impact != "" || it.Status != "planned" {
		t.Fatalf("second edit: %+v", it)
	}
	for _, c := range []struct {
		id   string
		edit ItemEdit
		want string
	}{
		{"nope", ItemEdit{Status: ptr("planned")}, `no toil item "nope" (known: log-cleanup, dns)`},
		{"dns", ItemEdit{}, "impact, benefit, status: nothing to change"},
		{"dns", ItemEdit{Status: ptr("done"), Impact: ptr(strings.Repeat("x", maxPlanText+1))},
			`impact: is longer than 10000 characters; status: "done" is not one of identified, planned, automated`},
	} {
		if _, err := w.l.EditItem(ctx, c.id, c.edit); err == nil || err.Error() != c.want {
			t.Errorf("edit %s %+v: %v, want %s", c.id, c.edit, err, c.want)
		}
	}
	// The automation ran: the item reads automated whatever was written.
	if err := w.s.SaveRun(ctx, store.RunRow{ID: "a", Runbook: "log-cleanup", Status: store.RunSucceeded, Trigger: "schedule",
		Params: map[string]string{}, CreatedAt: at(50 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if it, _ := w.l.EditItem(ctx, "log-cleanup", ItemEdit{Status: ptr("identified")}); it.Status != config.ToilAutomated {
		t.Errorf("an item whose automation ran reads %s", it.Status)
	}
}

func TestLogRefusesBadInput(t *testing.T) {
	w := newWeek(t, storetest.Engines(t)[0])
	ctx := context.Background()
	for _, c := range []struct {
		name string
		r    LogRequest
		want string
	}{
		{"everything wrong", LogRequest{Text: " ", Minutes: -5, Item: "nope", Service: "shed", Person: "ghost", At: ptr(at(8 * 24 * time.Hour)),
			IdempotencyKey: "a\nb", Caller: "thach", Actor: "token/cli"},
			`text: is required: say what was done; minutes: must be at least 1, got -5; item: unknown toil item "nope" (known: log-cleanup, dns); ` +
				`service: unknown service "shed"; by: unknown person "ghost"; at: 2026-12-01T09:00:00Z is in the future; ` +
				`idempotency_key: must be at most 200 printable characters`},
		{"a day and a minute", LogRequest{Text: "x", Minutes: 1441, Caller: "thach", Actor: "token/cli"},
			"minutes: must be at most 1440 (24 hours) per entry, got 1441: log longer work as several entries"},
		{"a token without a person", LogRequest{Text: "x", Minutes: 5, Actor: "token/bot"},
			`by: is required: token/bot is not tied to a person (set person: on the token, or say who did it)`},
		{"item of another service", LogRequest{Text: "x", Minutes: 5, Item: "dns", Service: "cart", Caller: "thach", Actor: "token/cli"},
			`service: toil item "dns" belongs to service "shop", not "cart"`},
		{"two years ago", LogRequest{Text: "x", Minutes: 5, At: ptr(at(-730 * 24 * time.Hour)), Caller: "thach", Actor: "token/cli"},
			"at: 2024-11-23T09:00:00Z is more than a year ago"},
	} {
		if _, err := w.l.Log(ctx, c.r); err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.want)
		}
	}
	first, err := w.l.Log(ctx, LogRequest{Text: "Cleaned /home/sre/course4 by hand", Minutes: 20, Item: "log-cleanup", At: ptr(at(time.Hour)),
		IdempotencyKey: "k-1", Caller: "thach", Actor: "token/cli"})
	if err != nil || first.Person != "thach" || first.Service != "shop" || first.ID != "manual/1" {
		t.Fatalf("log: %+v %v", first, err)
	}
	if _, err := w.l.Log(ctx, LogRequest{Text: "Cleaned /home/sre/course4 by hand", Minutes: 20, Item: "log-cleanup", IdempotencyKey: "k-1", Caller: "thach", Actor: "token/cli"}); err == nil ||
		err.Error() != "idempotency_key: entry manual/1 was already logged with this key, so nothing was added" {
		t.Errorf("retried request: %v", err)
	}
	if _, err := w.l.Log(ctx, LogRequest{Text: "Cleaned /home/sre/course4 by hand", Minutes: 20, Item: "log-cleanup", At: ptr(at(time.Hour + 10*time.Minute)), Caller: "thach", Actor: "token/cli"}); err == nil ||
		!strings.HasPrefix(err.Error(), "at: 2026-11-23T10:10:00Z overlaps entry manual/1, the same work by thach logged for 2026-11-23T10:00:00Z") {
		t.Errorf("overlapping entry: %v", err)
	}
}

func TestSpans(t *testing.T) {
	var s spans
	s = s.add(at(0), at(time.Hour))
	s = s.add(at(2*time.Hour), at(3*time.Hour))
	s = s.add(at(30*time.Minute), at(150*time.Minute)) // bridges both
	if len(s) != 1 || !s[0].start.Equal(at(0)) || !s[0].end.Equal(at(3*time.Hour)) {
		t.Fatalf("merged: %+v", s)
	}
	if d := s.overlap(at(170*time.Minute), at(4*time.Hour)); d != 10*time.Minute {
		t.Fatalf("overlap %v", d)
	}
	for _, c := range []struct {
		cur, prev int
		want      string
	}{{0, 0, "none"}, {5, 0, "new"}, {102, 100, "steady"}, {50, 100, "down 50%"}, {300, 100, "up 200%"}} {
		if got, _ := trend(c.cur, c.prev); got != c.want {
			t.Errorf("trend(%d, %d) = %s, want %s", c.cur, c.prev, got, c.want)
		}
	}
}
