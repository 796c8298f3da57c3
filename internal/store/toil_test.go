package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestToilStore runs the toil ledger's and scheduled reports' part of the
// store contract against every available engine.
func TestToilStore(t *testing.T) {
	cases := []struct {
		name string
		fn   func(*testing.T, engine)
	}{
		{"ToilEntries", testToilEntries},
		{"ToilDuplicates", testToilDuplicates},
		{"ToilItemEdits", testToilItemEdits},
		{"ToilSources", testToilSources},
		{"ReportRuns", testReportRuns},
		{"ReportActionItems", testReportActionItems},
	}
	for _, e := range engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.fn(t, e) })
			}
		})
	}
}

func toilEntry(at time.Duration, minutes int, person, item, text string) ToilEntryRow {
	return ToilEntryRow{At: t0.Add(at), Minutes: minutes, Person: person, Service: "shop", Item: item, Text: text,
		Source: "manual", CreatedBy: "token/cli", CreatedAt: t0.Add(48 * time.Hour)}
}

// testToilEntries: entries come back as written, with growing ids, and the
// filter selects by person, service, item and [from, to), oldest first.
func testToilEntries(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	var in []ToilEntryRow
	for _, en := range []ToilEntryRow{
		toilEntry(2*time.Hour, 20, "thach", "log-cleanup", "Cleaned /home/sre/course4 by hand"),
		toilEntry(0, 45, "john", "manual-deploy", "Deployed 2.0 by hand\nü"),
		toilEntry(time.Hour, 5, "thach", "", "bad \x00 byte"),
	} {
		en.IdempotencyKey = en.Text[:4] + en.Person
		got, err := s.AddToilEntry(ctx, en)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID == 0 || (len(in) > 0 && got.ID <= in[len(in)-1].ID) {
			t.Fatalf("id %d after %v", got.ID, in)
		}
		en.ID = got.ID
		if en.Text == "bad \x00 byte" {
			en.Text = "bad \uFFFD byte"
		}
		if !reflect.DeepEqual(got, en) {
			t.Fatalf("AddToilEntry =\n%+v\nwant\n%+v", got, en)
		}
		in = append(in, en)
	}
	for _, c := range []struct {
		name string
		f    ToilFilter
		want []ToilEntryRow
	}{
		{"all, oldest first", ToilFilter{}, []ToilEntryRow{in[1], in[2], in[0]}},
		{"person", ToilFilter{Person: "thach"}, []ToilEntryRow{in[2], in[0]}},
		{"item", ToilFilter{Item: "log-cleanup"}, []ToilEntryRow{in[0]}},
		{"service", ToilFilter{Service: "cart"}, nil},
		{"from inclusive, to exclusive", ToilFilter{From: t0.Add(time.Hour), To: t0.Add(2 * time.Hour)}, []ToilEntryRow{in[2]}},
		{"limit", ToilFilter{Limit: 1}, []ToilEntryRow{in[1]}},
	} {
		if got, err := s.ToilEntries(ctx, c.f); err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: ToilEntries =\n%+v (err %v)\nwant\n%+v", c.name, got, err, c.want)
		}
	}
}

// testToilDuplicates: a second entry with the same key, or the same work
// by the same person over overlapping time, is refused with the entry that
// is already there; work that touches but does not overlap is new.
func testToilDuplicates(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	first := toilEntry(0, 20, "thach", "log-cleanup", "Cleaned by hand")
	first.IdempotencyKey = "k1"
	first, err := s.AddToilEntry(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		entry ToilEntryRow
		field string // "" when it is new
	}{
		{"same key, other content", ToilEntryRow{At: t0.Add(5 * time.Hour), Minutes: 1, Person: "john", Text: "x", IdempotencyKey: "k1"}, "idempotency_key"},
		{"same work, overlapping", toilEntry(10*time.Minute, 20, "thach", "log-cleanup", "Cleaned by hand"), "at"},
		{"same work, starts before and runs into it", toilEntry(-10*time.Minute, 15, "thach", "log-cleanup", "Cleaned by hand"), "at"},
		{"same work, right after it", toilEntry(20*time.Minute, 20, "thach", "log-cleanup", "Cleaned by hand"), ""},
		{"same work, other person", toilEntry(0, 20, "john", "log-cleanup", "Cleaned by hand"), ""},
		{"other text, same time", toilEntry(0, 20, "thach", "log-cleanup", "Cleaned the other mount"), ""},
	} {
		_, err := s.AddToilEntry(ctx, c.entry)
		var dup *DuplicateError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v, want it added", c.name, err)
		case c.field != "" && (!errors.As(err, &dup) || dup.Field != c.field || dup.Existing.ID != first.ID):
			t.Errorf("%s: %v, want a duplicate of %d on %s", c.name, err, first.ID, c.field)
		}
	}
	if all, _ := s.ToilEntries(ctx, ToilFilter{}); len(all) != 4 {
		t.Errorf("%d entries stored, want 4", len(all))
	}
}

// testToilItemEdits: edits merge field by field; unset fields stay nil.
func testToilItemEdits(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	str := func(s string) *string { return &s }
	if _, err := s.EditToilItem(ctx, ToilItemEdit{Item: "dns", Impact: str("Downtime"), UpdatedBy: "token/a", UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := s.EditToilItem(ctx, ToilItemEdit{Item: "dns", Status: str("planned"), Benefit: str(""), UpdatedBy: "token/b", UpdatedAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := ToilItemEdit{Item: "dns", Impact: str("Downtime"), Benefit: str(""), Status: str("planned"), UpdatedBy: "token/b", UpdatedAt: t0.Add(time.Hour)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("EditToilItem = %+v, want %+v", got, want)
	}
	if _, err := s.EditToilItem(ctx, ToilItemEdit{Item: "deploy", Status: str("identified"), UpdatedBy: "token/a", UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	all, err := s.ToilItemEdits(ctx)
	if err != nil || len(all) != 2 || !reflect.DeepEqual(all["dns"], want) || all["deploy"].Impact != nil || *all["deploy"].Status != "identified" {
		t.Fatalf("ToilItemEdits = %+v, %v", all, err)
	}
}

// testToilSources: the period reads toil derives its entries from.
func testToilSources(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	n := func(id int64, dest, kind string, at time.Duration, alerts ...int64) Notification {
		return Notification{ID: id, CreatedAt: t0.Add(at), GroupKey: "g", Kind: kind, Destination: dest, Message: []byte(`{}`),
			Status: NotifySent, AlertIDs: alerts}
	}
	writeAlerts(t, s, AlertBatch{
		Alerts: []AlertRow{alertRow(1, "a", "firing", 0), alertRow(2, "b", "resolved", time.Hour), alertRow(3, "c", "firing", 3*time.Hour)},
		Notifications: []Notification{
			n(1, "person/thach/slack", "firing", 0, 1, 2), n(2, "channel/ops", "firing", time.Minute, 1),
			n(3, "person/john/email", "escalation", time.Hour, 2), n(4, "person/thach/slack", "firing", 3*time.Hour, 3),
		},
	})
	pages, err := s.PagesBetween(ctx, t0, t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []PageRef{
		{NotificationID: 1, AlertID: 1, Kind: "firing", Destination: "person/thach/slack", At: t0},
		{NotificationID: 1, AlertID: 2, Kind: "firing", Destination: "person/thach/slack", At: t0},
		{NotificationID: 3, AlertID: 2, Kind: "escalation", Destination: "person/john/email", At: t0.Add(time.Hour)},
	}
	if !reflect.DeepEqual(pages, want) || pages[2].Person() != "john" {
		t.Fatalf("PagesBetween =\n%+v\nwant\n%+v", pages, want)
	}
	byID, err := s.AlertsByID(ctx, []int64{3, 1, 99})
	if err != nil || len(byID) != 2 || byID[3].DedupKey != "c" || byID[1].DedupKey != "a" {
		t.Fatalf("AlertsByID = %+v, %v", byID, err)
	}
	if fired, err := s.AlertsFirstSeen(ctx, t0.Add(time.Minute), t0.Add(4*time.Hour)); err != nil || len(fired) != 2 || fired[0].ID != 2 || fired[1].ID != 3 {
		t.Fatalf("AlertsFirstSeen = %+v, %v", fired, err)
	}

	run := func(id, trigger, status string, at time.Duration, dry bool) RunRow {
		return RunRow{ID: id, Runbook: "log-cleanup", Status: status, Trigger: trigger, TriggeredBy: "x", Params: map[string]string{},
			DryRun: dry, LockKey: "log-cleanup", CreatedAt: t0.Add(at), StartedAt: t0.Add(at), EndedAt: t0.Add(at + time.Minute)}
	}
	for _, r := range []RunRow{
		run("r1", "manual", RunSucceeded, 0, false), run("r2", "schedule", RunSucceeded, time.Hour, false),
		run("r3", "alert", RunFailed, 2*time.Hour, false), run("r4", "schedule", RunSucceeded, 3*time.Hour, true),
		run("r5", "runbook", RunSucceeded, 4*time.Hour, false),
	} {
		if err := s.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if runs, err := s.RunsCreated(ctx, t0, t0.Add(2*time.Hour)); err != nil || len(runs) != 2 || runs[0].ID != "r1" || runs[1].ID != "r2" {
		t.Fatalf("RunsCreated = %+v, %v", runs, err)
	}
	times, err := s.AutomaticRunTimes(ctx, []string{"log-cleanup", "dns-failover"}, t0, t0.Add(24*time.Hour))
	if err != nil || len(times) != 1 || !reflect.DeepEqual(times["log-cleanup"], []time.Time{t0.Add(time.Hour), t0.Add(4 * time.Hour)}) {
		t.Fatalf("AutomaticRunTimes = %v, %v", times, err)
	}
	if times, _ := s.AutomaticRunTimes(ctx, []string{"log-cleanup"}, t0.Add(2*time.Hour), t0.Add(4*time.Hour)); len(times["log-cleanup"]) != 0 {
		t.Fatalf("AutomaticRunTimes in [2h, 4h) = %v", times)
	}
	first, err := s.FirstAutomaticRuns(ctx, []string{"log-cleanup", "dns-failover"})
	if err != nil || len(first) != 1 || !first["log-cleanup"].Equal(t0.Add(time.Hour)) {
		t.Fatalf("FirstAutomaticRuns = %v, %v", first, err)
	}
	for _, a := range []AuditRow{
		{At: t0, Actor: "person/thach (token/cli)", Action: "run.approved", Runbook: "app", RunID: "r9"},
		{At: t0.Add(time.Minute), Actor: "system", Action: "run.finished", Runbook: "app", RunID: "r9"},
		{At: t0.Add(time.Hour), Actor: "person/john (link)", Action: "run.approved", Runbook: "app", RunID: "r10"},
	} {
		if _, err := s.AppendAudit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	approved, err := s.AuditActions(ctx, "run.approved", t0, t0.Add(time.Hour))
	if err != nil || len(approved) != 1 || approved[0].RunID != "r9" || approved[0].Actor != "person/thach (token/cli)" {
		t.Fatalf("AuditActions = %+v, %v", approved, err)
	}
}

// testReportRuns: a report and scheduled time is claimed once; the run is
// finished in place, listed newest first, and an unfinished run can be
// taken over once.
func testReportRuns(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	claim := func(report string, at time.Duration) (ReportRunRow, bool) {
		t.Helper()
		r, ok, err := s.ClaimReportRun(ctx, ReportRunRow{Report: report, Kind: "toil", ScheduledAt: t0.Add(at), From: t0.Add(at - 7*24*time.Hour),
			To: t0.Add(at), ClaimedAt: t0.Add(at + time.Second), Targets: []string{"channel/sre", "person/thach"}})
		if err != nil {
			t.Fatal(err)
		}
		return r, ok
	}
	if last, err := s.LastReportRun(ctx, "weekly"); err != nil || !last.IsZero() {
		t.Fatalf("LastReportRun before any = %v, %v", last, err)
	}
	first, ok := claim("weekly", 0)
	if !ok || first.ID == 0 || first.Status != ReportClaimed || first.Kind != "toil" || len(first.Targets) != 2 || !first.ClaimedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("first claim: %+v %v", first, ok)
	}
	if _, again := claim("weekly", 0); again {
		t.Fatal("the same report and time was claimed twice")
	}
	second, ok := claim("weekly", 7*24*time.Hour)
	if !ok {
		t.Fatal("next week's run was not claimed")
	}
	if _, ok := claim("daily", 0); !ok {
		t.Fatal("another report at the same time was not claimed")
	}
	first.Status, first.FinishedAt, first.Title, first.Summary = ReportQueued, t0.Add(time.Minute), "Toil plan", "3 items"
	first.Document, first.Data = "# Toil\n\nbad \x00", []byte(`{"items":3}`)
	if err := s.FinishReportRun(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReportRun(ctx, first.ID)
	if err != nil || got.Status != ReportQueued || got.Document != "# Toil\n\nbad \uFFFD" || string(got.Data) != `{"items":3}` ||
		got.Title != "Toil plan" || !got.FinishedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("ReportRun = %+v, %v", got, err)
	}
	if _, err := s.ReportRun(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing run: %v", err)
	}
	runs, err := s.ReportRuns(ctx, ReportRunFilter{Report: "weekly"})
	if err != nil || len(runs) != 2 || runs[0].ID != second.ID || runs[1].ID != first.ID {
		t.Fatalf("ReportRuns = %+v, %v", runs, err)
	}
	if open, _ := s.ReportRuns(ctx, ReportRunFilter{Statuses: []string{ReportClaimed, ReportRendered}}); len(open) != 2 {
		t.Fatalf("unfinished runs: %+v", open)
	}
	if last, err := s.LastReportRun(ctx, "weekly"); err != nil || !last.Equal(t0.Add(7*24*time.Hour)) {
		t.Fatalf("LastReportRun = %v, %v", last, err)
	}
	if ok, err := s.ReclaimReportRun(ctx, second.ID, second.ClaimedAt, t0.Add(8*24*time.Hour)); err != nil || !ok {
		t.Fatalf("reclaim: %v %v", ok, err)
	}
	if ok, _ := s.ReclaimReportRun(ctx, second.ID, second.ClaimedAt, t0.Add(8*24*time.Hour)); ok {
		t.Fatal("a run was taken over twice from the same claim")
	}
	if ok, _ := s.ReclaimReportRun(ctx, first.ID, first.ClaimedAt, t0.Add(8*24*time.Hour)); ok {
		t.Fatal("a finished run was taken over")
	}
}
