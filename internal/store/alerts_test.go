package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/vigil-sre/vigil/internal/alert"
)

func alertRow(id int64, key, status string, at time.Duration) AlertRow {
	return AlertRow{
		ID: id, DedupKey: key, Source: "alertmanager", Integration: "prom", Status: status, Severity: "critical",
		Summary: "Disk full " + key, Service: "shop", Labels: map[string]string{"alertname": "DiskFull", "host": key},
		Annotations: map[string]string{"description": "95%\nused"}, Links: []alert.Link{{Href: "https://grafana/d/1", Text: "Dashboard"}},
		Runbook: "cleanup", Occurrences: 1, FirstSeen: t0.Add(at), LastSeen: t0.Add(at), UpdatedAt: t0.Add(at),
	}
}

func writeAlerts(t testing.TB, s *Store, b AlertBatch) {
	t.Helper()
	if err := s.WriteAlerts(context.Background(), b); err != nil {
		t.Fatalf("WriteAlerts: %v", err)
	}
}

// testAlertsRoundTrip: every field of an alert, its log, its group and its
// group membership comes back as written, and rewriting an alert updates it.
func testAlertsRoundTrip(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a := alertRow(1, "k1", "firing", 0)
	g := GroupRow{Key: "shop|{alertname=DiskFull}", Route: "0", Service: "shop", Labels: map[string]string{"alertname": "DiskFull"},
		CreatedAt: t0, NextFlushAt: t0.Add(30 * time.Second)}
	m := MemberRow{AlertID: 1, GroupKey: g.Key, NotifiedAt: t0.Add(30 * time.Second), EscStep: 1, NextEscAt: t0.Add(15 * time.Minute),
		Paged: []string{"channel/ops", "person/thach/slack"}}
	writeAlerts(t, s, AlertBatch{
		Alerts: []AlertRow{a}, Groups: []GroupRow{g}, Members: []MemberRow{m},
		Log: []AlertLog{{ID: 1, AlertID: 1, At: t0, Kind: "fired", Actor: "alertmanager/prom", Detail: "Disk full"},
			{ID: 2, AlertID: 1, At: t0.Add(30 * time.Second), Kind: "notified", Actor: "vigil", Detail: "step 1: person/thach/slack"}},
	})
	got, err := s.Alert(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !sameAlert(got, a) {
		t.Fatalf("Alert(1) =\n%+v\nwant\n%+v", got, a)
	}
	logs, err := s.AlertLogs(ctx, 1)
	if err != nil || len(logs) != 2 || logs[0].Kind != "fired" || logs[1].Detail != "step 1: person/thach/slack" || !logs[1].At.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("AlertLogs = %+v, %v", logs, err)
	}
	groups, err := s.Groups(ctx)
	if err != nil || len(groups) != 1 || groups[0].Key != g.Key || !maps.Equal(groups[0].Labels, g.Labels) || !groups[0].NextFlushAt.Equal(g.NextFlushAt) {
		t.Fatalf("Groups = %+v, %v", groups, err)
	}
	members, err := s.Members(ctx)
	if err != nil || len(members) != 1 || members[0].EscStep != 1 || !members[0].NextEscAt.Equal(m.NextEscAt) || !members[0].NotifiedAt.Equal(m.NotifiedAt) ||
		!slices.Equal(members[0].Paged, m.Paged) {
		t.Fatalf("Members = %+v, %v", members, err)
	}

	// Acknowledged, counted again, silenced, its group flushed: written whole.
	a.Status, a.Occurrences, a.LastSeen, a.AckedAt, a.AckedBy = "acknowledged", 3, t0.Add(time.Minute), t0.Add(2*time.Minute), "thach (link)"
	a.Suppression = alert.Suppression{SilencedBy: []string{"3f2a", "77c1"}, Inhibited: true}
	g.LastFlushAt, g.NextFlushAt = t0.Add(5*time.Minute), t0.Add(10*time.Minute)
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a}, Groups: []GroupRow{g}})
	if got, _ := s.Alert(ctx, 1); !sameAlert(got, a) {
		t.Fatalf("after update Alert(1) =\n%+v\nwant\n%+v", got, a)
	}
	if groups, _ := s.Groups(ctx); len(groups) != 1 || !groups[0].LastFlushAt.Equal(g.LastFlushAt) {
		t.Fatalf("group after flush: %+v", groups)
	}

	// Reported again with nothing else changed: only the count and times
	// are written, the rest of the row stays as it was.
	a.Occurrences, a.LastSeen, a.UpdatedAt = 4, t0.Add(3*time.Minute), t0.Add(3*time.Minute)
	writeAlerts(t, s, AlertBatch{Repeats: []AlertRepeat{{ID: 1, Occurrences: 4, LastSeen: a.LastSeen, UpdatedAt: a.UpdatedAt}}})
	if got, _ := s.Alert(ctx, 1); !sameAlert(got, a) {
		t.Fatalf("after repeat Alert(1) =\n%+v\nwant\n%+v", got, a)
	}

	// Resolved and announced: the member and the group go; the alert stays.
	a.Status, a.ResolvedAt, a.ResolvedBy = "resolved", t0.Add(time.Hour), "alertmanager/prom"
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a}, DeleteMembers: []MemberKey{{1, g.Key}}, DeleteGroups: []string{g.Key}})
	if groups, _ := s.Groups(ctx); len(groups) != 0 {
		t.Fatalf("groups after delete: %+v", groups)
	}
	if members, _ := s.Members(ctx); len(members) != 0 {
		t.Fatalf("members after delete: %+v", members)
	}
	if live, err := s.LiveAlerts(ctx); err != nil || len(live) != 0 {
		t.Fatalf("LiveAlerts after resolution = %+v, %v", live, err)
	}
	if _, err := s.Alert(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Alert(99): %v, want ErrNotFound", err)
	}
	if al, lg, _, err := s.MaxIDs(ctx); err != nil || al != 1 || lg != 2 {
		t.Fatalf("MaxIDs = %d, %d, %v", al, lg, err)
	}
}

// testBackToFiring: an alert held back and then let go, and a membership
// whose escalation is reset, are written back to their first state (the
// statement for such rows writes that state as constants).
func testBackToFiring(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a := alertRow(1, "k1", "firing", 0)
	a.Suppression = alert.Suppression{SilencedBy: []string{"3f2a"}}
	a.AckedAt, a.AckedBy = t0.Add(time.Minute), "thach"
	m := MemberRow{AlertID: 1, GroupKey: "g", NotifiedAt: t0, EscStep: 2, EscRound: 1, NextEscAt: t0.Add(time.Hour), RemindedAt: t0,
		ResolvedSent: true, Paged: []string{"person/thach/slack"}}
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a}, Members: []MemberRow{m}})
	if got, _ := s.Alert(ctx, 1); !sameAlert(got, a) {
		t.Fatalf("held back: Alert(1) =\n%+v\nwant\n%+v", got, a)
	}
	a.Suppression, a.AckedAt, a.AckedBy = alert.Suppression{}, time.Time{}, ""
	m = MemberRow{AlertID: 1, GroupKey: "g"}
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a}, Members: []MemberRow{m}})
	if got, _ := s.Alert(ctx, 1); !sameAlert(got, a) {
		t.Fatalf("let go: Alert(1) =\n%+v\nwant\n%+v", got, a)
	}
	members, err := s.Members(ctx)
	if err != nil || len(members) != 1 || !members[0].NotifiedAt.IsZero() || members[0].EscStep != 0 || members[0].EscRound != 0 ||
		!members[0].NextEscAt.IsZero() || !members[0].RemindedAt.IsZero() || members[0].ResolvedSent || len(members[0].Paged) != 0 {
		t.Fatalf("reset membership = %+v, %v", members, err)
	}
}

// testFirstGroupInRow: the idle membership a new alert's row holds
// (AlertRow.FirstGroup) is read back as a membership of its own, until a
// membership row takes its place; deleting the membership deletes both,
// so neither comes back.
func testFirstGroupInRow(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a1, a2, a3 := alertRow(1, "k1", "firing", 0), alertRow(2, "k2", "firing", 0), alertRow(3, "k3", "firing", 0)
	a1.FirstGroup, a2.FirstGroup = "g", "g"
	a3.Suppression = alert.Suppression{Maintenance: "release-night"} // written by the other statement
	a3.FirstGroup = "g"
	paged := MemberRow{AlertID: 2, GroupKey: "other", NotifiedAt: t0, EscStep: 1, Paged: []string{"person/thach/slack"}}
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a1, a2, a3}, Members: []MemberRow{paged}})
	members := func() string {
		t.Helper()
		ms, err := s.Members(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%d/%s idle=%t inRow=%t", m.AlertID, m.GroupKey, m.Idle(), m.InAlertRow))
		}
		return fmt.Sprint(out)
	}
	if got, want := members(), "[1/g idle=true inRow=true 2/g idle=true inRow=true 2/other idle=false inRow=false 3/g idle=true inRow=true]"; got != want {
		t.Fatalf("members of new alerts:\n%s\nwant\n%s", got, want)
	}

	// Alert 1 is notified through g: its membership row is the membership.
	// Rewriting the alert leaves the group its row holds as it was.
	a1.Occurrences = 2
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a1}, Members: []MemberRow{{AlertID: 1, GroupKey: "g", NotifiedAt: t0, EscStep: 1}}})
	a2.FirstGroup, a2.Severity = "", "warning" // a later write of the row: it sets no group
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a2}})
	if got, want := members(), "[1/g idle=false inRow=false 2/g idle=true inRow=true 2/other idle=false inRow=false 3/g idle=true inRow=true]"; got != want {
		t.Fatalf("members after a page and a rewrite:\n%s\nwant\n%s", got, want)
	}

	// Alert 2 leaves g and alert 1 leaves g; alert 3 resolves (the pager
	// deletes its idle membership as it does).
	a3.Status, a3.ResolvedAt, a3.ResolvedBy = "resolved", t0.Add(time.Hour), "vigil"
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a3}, DeleteMembers: []MemberKey{{2, "g"}, {1, "g"}, {3, "g"}}})
	if got, want := members(), "[2/other idle=false inRow=false]"; got != want {
		t.Fatalf("members after leaving:\n%s\nwant\n%s", got, want)
	}
	// An idle membership row of alert 2 in g, written later, is the only one.
	writeAlerts(t, s, AlertBatch{Members: []MemberRow{{AlertID: 2, GroupKey: "g"}}})
	if got, want := members(), "[2/g idle=true inRow=false 2/other idle=false inRow=false]"; got != want {
		t.Fatalf("members after rejoining:\n%s\nwant\n%s", got, want)
	}
	if got, _ := s.Alert(ctx, 2); !sameAlert(got, a2) {
		t.Fatalf("Alert(2) =\n%+v\nwant\n%+v", got, a2)
	}
}

// testFiredEntryInRow: the first entry of an alert's log, written in its
// row, is read back first in its log, with the log's rows after it; no
// later write of the row changes it, and the writer's next log id comes
// after it, as it does after an entry stored as a row.
func testFiredEntryInRow(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	old := alertRow(1, "k1", "firing", 0) // opened with its entry in the log, as before migration 0028
	a := alertRow(2, "k2", "firing", time.Second)
	fired := AlertLog{ID: 7, AlertID: 2, At: t0.Add(time.Second), Kind: "fired", Actor: "alertmanager/prom", Detail: "Disk full 'k2' <b>"}
	a.Fired = fired
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{old, a}, Log: []AlertLog{
		{ID: 6, AlertID: 1, At: t0, Kind: "fired", Actor: "alertmanager/prom", Detail: "Disk full k1"},
		{ID: 8, AlertID: 2, At: t0.Add(time.Minute), Kind: "notified", Actor: "vigil", Detail: "step 1"},
	}})
	if _, lg, _, err := s.MaxIDs(ctx); err != nil || lg != 8 {
		t.Fatalf("MaxIDs log = %d, %v; want 8", lg, err)
	}

	// Acknowledged: the row is written whole, its entry unset.
	a.Fired, a.Status, a.AckedBy, a.AckedAt = AlertLog{}, "acknowledged", "thach", t0.Add(2*time.Minute)
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a}, Log: []AlertLog{
		{ID: 9, AlertID: 2, At: t0.Add(2 * time.Minute), Kind: "acknowledged", Actor: "thach"},
	}})
	logs, err := s.AlertLogs(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []AlertLog{fired,
		{ID: 8, AlertID: 2, At: t0.Add(time.Minute), Kind: "notified", Actor: "vigil", Detail: "step 1"},
		{ID: 9, AlertID: 2, At: t0.Add(2 * time.Minute), Kind: "acknowledged", Actor: "thach"}}
	if !slices.EqualFunc(logs, want, sameLog) {
		t.Fatalf("AlertLogs(2) =\n%+v\nwant\n%+v", logs, want)
	}
	if logs, err := s.AlertLogs(ctx, 1); err != nil || len(logs) != 1 || logs[0].ID != 6 || logs[0].Kind != "fired" {
		t.Fatalf("AlertLogs(1), opened before its entry moved into the row = %+v, %v", logs, err)
	}

	// Opened by a person, its summary changed since: the entry keeps who
	// and what it first said.
	c := alertRow(4, "k4", "firing", 4*time.Minute)
	c.Source, c.Integration = "alertmanager", ""
	c.Fired = AlertLog{ID: 11, AlertID: 4, At: t0.Add(4 * time.Minute), Kind: "fired", Actor: "alertmanager/prom", Detail: c.Summary}
	d := alertRow(5, "k5", "firing", 4*time.Minute)
	d.Fired = AlertLog{ID: 12, AlertID: 5, At: t0.Add(4 * time.Minute), Kind: "fired", Actor: "alertmanager", Detail: d.Summary}
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{c, d}})
	firstSummary := c.Summary
	c.Fired, c.Summary = AlertLog{}, "Disk full, now on two hosts"
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{c}})
	c.Summary = "Disk full, three hosts"
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{c}})
	for id, want := range map[int64]AlertLog{
		4: {ID: 11, AlertID: 4, At: t0.Add(4 * time.Minute), Kind: "fired", Actor: "alertmanager/prom", Detail: firstSummary},
		5: {ID: 12, AlertID: 5, At: t0.Add(4 * time.Minute), Kind: "fired", Actor: "alertmanager", Detail: d.Summary},
	} {
		if logs, err := s.AlertLogs(ctx, id); err != nil || len(logs) != 1 || !sameLog(logs[0], want) {
			t.Fatalf("AlertLogs(%d) = %+v, %v; want %+v", id, logs, err, want)
		}
	}

	// The newest alert's entry is the highest log id in use.
	b := alertRow(6, "k6", "firing", 5*time.Minute)
	b.Fired = AlertLog{ID: 13, AlertID: 6, At: t0.Add(5 * time.Minute), Kind: "fired", Actor: "generic"}
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{b}})
	if al, lg, _, err := s.MaxIDs(ctx); err != nil || al != 6 || lg != 13 {
		t.Fatalf("MaxIDs = %d, %d, %v; want 6, 13", al, lg, err)
	}
}

// testFiredEntryDown: migrating below 0028 puts every entry kept in an
// alert's row back into the log, with the actor and detail it stands for.
func testFiredEntryDown(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a := alertRow(1, "k1", "firing", 0)
	a.Fired = AlertLog{ID: 1, AlertID: 1, At: t0, Kind: "fired", Actor: "alertmanager/prom", Detail: a.Summary}
	b := alertRow(2, "k2", "firing", time.Second)
	b.Fired = AlertLog{ID: 2, AlertID: 2, At: t0.Add(time.Second), Kind: "fired", Actor: "thach", Detail: "typed by hand"}
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a, b}})
	first := a.Summary
	a.Fired, a.Summary = AlertLog{}, "Disk full, two hosts"
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a}})

	migrateDownTo(t, s, 27)
	rows, err := s.w.QueryContext(ctx, s.d.rebind(`SELECT id, alert_id, at_ms, kind, actor, detail FROM alert_log ORDER BY id`))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []AlertLog
	for rows.Next() {
		var l AlertLog
		var at int64
		if err := rows.Scan(&l.ID, &l.AlertID, &at, &l.Kind, &l.Actor, &l.Detail); err != nil {
			t.Fatal(err)
		}
		l.At = fromMS(at)
		got = append(got, l)
	}
	want := []AlertLog{{ID: 1, AlertID: 1, At: t0, Kind: "fired", Actor: "alertmanager/prom", Detail: first}, b.Fired}
	if rows.Err() != nil || !slices.EqualFunc(got, want, sameLog) {
		t.Fatalf("log after migrating down = %+v, %v; want %+v", got, rows.Err(), want)
	}
}

// testFirstGroupDown: migrating below 0029 writes every membership held in
// an alert's row as a membership row, and leaves the ones with a row of
// their own as they are.
func testFirstGroupDown(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a1, a2 := alertRow(1, "k1", "firing", 0), alertRow(2, "k2", "firing", 0)
	a1.FirstGroup, a2.FirstGroup = "g", "g"
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a1, a2},
		Members: []MemberRow{{AlertID: 2, GroupKey: "g", NotifiedAt: t0, EscStep: 1}}})
	before, err := s.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}

	migrateDownTo(t, s, 28)
	got, err := queryRows(ctx, s.w, func(sc scanner) (string, error) {
		var id int64
		var key string
		var step int
		err := sc.Scan(&id, &key, &step)
		return fmt.Sprintf("%d/%s step %d", id, key, step), err
	}, `SELECT alert_id, group_key, esc_step FROM alert_routes ORDER BY alert_id, group_key`)
	if want := "[1/g step 0 2/g step 1]"; err != nil || fmt.Sprint(got) != want || len(before) != 2 {
		t.Fatalf("membership rows after migrating down = %v, %v (before: %+v); want %s", got, err, before, want)
	}
}

// migrateDownTo runs the migrations down until version is the newest applied.
func migrateDownTo(t *testing.T, s *Store, version int64) {
	t.Helper()
	dir, err := fs.Sub(migrations, "migrations/"+s.d.name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(s.d.goose, s.w, dir, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(context.Background(), version); err != nil {
		t.Fatalf("down to %d: %v", version, err)
	}
}

func sameLog(a, b AlertLog) bool {
	return a.ID == b.ID && a.AlertID == b.AlertID && a.At.Equal(b.At) && a.Kind == b.Kind && a.Actor == b.Actor && a.Detail == b.Detail
}

func sameAlert(a, b AlertRow) bool {
	return a.ID == b.ID && a.DedupKey == b.DedupKey && a.Source == b.Source && a.Integration == b.Integration &&
		a.Status == b.Status && a.Severity == b.Severity && a.Summary == b.Summary && a.Service == b.Service &&
		maps.Equal(a.Labels, b.Labels) && maps.Equal(a.Annotations, b.Annotations) && slices.Equal(a.Links, b.Links) &&
		a.Runbook == b.Runbook && a.Occurrences == b.Occurrences && a.FirstSeen.Equal(b.FirstSeen) && a.LastSeen.Equal(b.LastSeen) &&
		a.AckedAt.Equal(b.AckedAt) && a.AckedBy == b.AckedBy && a.ResolvedAt.Equal(b.ResolvedAt) && a.ResolvedBy == b.ResolvedBy &&
		a.Suppression.Equal(b.Suppression)
}

// testKeySharedBySuccessor: an alert resolving and its successor with the
// same key may be written in one batch. (One open alert per key is the
// pager's to keep, as the only writer of alerts: TestOneOpenAlertPerKey.)
func testKeySharedBySuccessor(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{alertRow(1, "k", "firing", 0)}})
	resolved := alertRow(1, "k", "resolved", 0)
	resolved.ResolvedAt = t0.Add(time.Hour)
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{alertRow(2, "k", "firing", time.Hour), resolved}})
	if a, err := s.Alert(ctx, 2); err != nil || a.Status != "firing" {
		t.Fatalf("successor: %+v, %v", a, err)
	}
	if a, err := s.Alert(ctx, 1); err != nil || a.Status != "resolved" {
		t.Fatalf("predecessor: %+v, %v", a, err)
	}
}

// testAlertsFilter: newest first, filtered by status, service and dedup key
// prefix, paged, and counted in all.
func testAlertsFilter(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	var rows []AlertRow
	for i := int64(1); i <= 25; i++ {
		r := alertRow(i, fmt.Sprint("k", i), []string{"firing", "acknowledged", "resolved"}[i%3], time.Duration(i)*time.Minute)
		if i%5 == 0 {
			r.Service = "db"
		}
		rows = append(rows, r)
	}
	writeAlerts(t, s, AlertBatch{Alerts: rows})
	cases := []struct {
		name  string
		f     AlertFilter
		want  []int64
		total int
	}{
		{"all, newest first", AlertFilter{Limit: 3}, []int64{25, 24, 23}, 25},
		{"second page", AlertFilter{Limit: 3, Offset: 3}, []int64{22, 21, 20}, 25},
		{"open", AlertFilter{Status: []string{"firing", "acknowledged"}, Limit: 4}, []int64{25, 24, 22, 21}, 17},
		{"open, second page", AlertFilter{Status: []string{"firing", "acknowledged"}, Limit: 4, Offset: 4}, []int64{19, 18, 16, 15}, 17},
		{"open of db, past the first", AlertFilter{Status: []string{"firing", "acknowledged"}, Service: "db", Offset: 1}, []int64{15, 10}, 3},
		{"past the end", AlertFilter{Status: []string{"firing", "acknowledged"}, Offset: 17}, nil, 17},
		{"count capped", AlertFilter{Status: []string{"firing", "acknowledged"}, Limit: 2, Offset: 2, CountUpTo: 5}, []int64{22, 21}, 6},
		{"count capped, last page", AlertFilter{Status: []string{"firing", "acknowledged"}, Limit: 10, Offset: 15, CountUpTo: 5}, []int64{3, 1}, 6},
		{"resolved of db", AlertFilter{Status: []string{"resolved"}, Service: "db"}, []int64{20, 5}, 2},
		{"service", AlertFilter{Service: "db"}, []int64{25, 20, 15, 10, 5}, 5},
		{"nothing", AlertFilter{Service: "none"}, nil, 0},
		{"key prefix", AlertFilter{KeyPrefix: "k2"}, []int64{25, 24, 23, 22, 21, 20, 2}, 7},
		{"key prefix is not a pattern", AlertFilter{KeyPrefix: "k_"}, nil, 0},
	}
	for _, c := range cases {
		got, total, err := s.Alerts(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(idsOf(got), c.want) || total != c.total {
			t.Errorf("%s: ids %v total %d, want %v total %d", c.name, idsOf(got), total, c.want, c.total)
		}
	}
}

// testNotificationsOutbox: notifications written with their alerts come due
// in order, record their attempts, and make up each alert's history.
func testNotificationsOutbox(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	n := func(id int64, dest string, due time.Duration, alerts ...int64) Notification {
		return Notification{ID: id, CreatedAt: t0, GroupKey: "g", Kind: "firing", Destination: dest, Message: []byte(`{"title":"x"}`),
			Status: NotifyPending, NextAttemptAt: t0.Add(due), AlertIDs: alerts}
	}
	writeAlerts(t, s, AlertBatch{
		Alerts:        []AlertRow{alertRow(1, "a", "firing", 0), alertRow(2, "b", "firing", 0)},
		Notifications: []Notification{n(1, "person/thach/slack", 0, 1, 2), n(2, "channel/ops", time.Minute, 1), n(3, "person/john/email", 0, 2)},
	})
	if next, err := s.NextNotificationAt(ctx, t0.Add(-time.Second)); err != nil || !next.Equal(t0) {
		t.Fatalf("NextNotificationAt = %v, %v", next, err)
	}
	// What is already due is the caller's; the next one is after it.
	if next, err := s.NextNotificationAt(ctx, t0); err != nil || !next.Equal(t0.Add(time.Minute)) {
		t.Fatalf("NextNotificationAt(t0) = %v, %v", next, err)
	}
	due, err := s.DueNotifications(ctx, t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].ID != 1 || due[1].ID != 3 || string(due[0].Message) != `{"title":"x"}` {
		t.Fatalf("due at t0: %+v", due)
	}
	// Per destination: each due destination once, most overdue first, and
	// its own due notifications.
	writeAlerts(t, s, AlertBatch{Notifications: []Notification{n(4, "person/thach/slack", 0, 1)}})
	dests, err := s.DueDestinations(ctx, t0, 10)
	if err != nil || len(dests) != 2 || dests[0].Name != "person/john/email" || dests[1].Name != "person/thach/slack" || !dests[0].Since.Equal(t0) {
		t.Fatalf("DueDestinations = %+v, %v", dests, err)
	}
	to, err := s.DueNotificationsTo(ctx, "person/thach/slack", t0, 10)
	if err != nil || len(to) != 2 || to[0].ID != 1 || to[1].ID != 4 {
		t.Fatalf("DueNotificationsTo = %+v, %v", to, err)
	}
	if to, _ := s.DueNotificationsTo(ctx, "channel/ops", t0, 10); len(to) != 0 {
		t.Fatalf("channel/ops is not due yet: %+v", to)
	}
	if st, err := s.AlertStatuses(ctx, []int64{1, 2, 99}); err != nil || len(st) != 2 || st[1] != "firing" {
		t.Fatalf("AlertStatuses = %v, %v", st, err)
	}
	err = s.UpdateNotifications(ctx, []NotificationUpdate{
		{ID: 4, Status: NotifySuperseded, Attempts: 0},
		{ID: 1, Status: NotifySent, Attempts: 1, SentAt: t0.Add(time.Second)},
		{ID: 3, Status: NotifyPending, Attempts: 1, NextAttemptAt: t0.Add(2 * time.Minute), LastError: "503 Service Unavailable"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueNotifications(ctx, t0.Add(90*time.Second), 10); len(due) != 1 || due[0].ID != 2 {
		t.Fatalf("due at 1m30s: %+v", due)
	}
	if next, _ := s.NextNotificationAt(ctx, t0); !next.Equal(t0.Add(time.Minute)) {
		t.Fatalf("NextNotificationAt after attempts = %v", next)
	}
	hist, err := s.AlertNotifications(ctx, 2)
	if err != nil || len(hist) != 2 || hist[0].ID != 1 || hist[0].Status != NotifySent || !hist[0].SentAt.Equal(t0.Add(time.Second)) ||
		hist[1].ID != 3 || hist[1].Attempts != 1 || hist[1].LastError != "503 Service Unavailable" {
		t.Fatalf("AlertNotifications(2) = %+v, %v", hist, err)
	}
	if _, _, nmax, err := s.MaxIDs(ctx); err != nil || nmax != 4 {
		t.Fatalf("MaxIDs notifications = %d, %v", nmax, err)
	}
}

// testSilences: silences round-trip, are replaced by id, and list by end.
func testSilences(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	sl := SilenceRow{ID: "s1", Matchers: []string{`service="shop"`, `alertname=~"DNS.*"`}, StartsAt: t0, EndsAt: t0.Add(2 * time.Hour),
		CreatedBy: "susan (token/ops)", Comment: "release night", CreatedAt: t0, UpdatedAt: t0}
	old := SilenceRow{ID: "s0", Matchers: []string{`a="b"`}, StartsAt: t0.Add(-3 * time.Hour), EndsAt: t0.Add(-time.Hour), CreatedAt: t0, UpdatedAt: t0}
	for _, x := range []SilenceRow{sl, old} {
		if err := s.PutSilence(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Silence(ctx, "s1")
	if err != nil || !slices.Equal(got.Matchers, sl.Matchers) || got.Comment != sl.Comment || got.CreatedBy != sl.CreatedBy || !got.EndsAt.Equal(sl.EndsAt) {
		t.Fatalf("Silence(s1) = %+v, %v", got, err)
	}
	if active, _ := s.Silences(ctx, t0); len(active) != 1 || active[0].ID != "s1" {
		t.Fatalf("Silences(now) = %+v", active)
	}
	if all, _ := s.Silences(ctx, time.Time{}); len(all) != 2 || all[0].ID != "s0" {
		t.Fatalf("Silences(all) = %+v", all)
	}
	if page, _ := s.SilencePage(ctx, time.Time{}, 1); len(page) != 1 || page[0].ID != "s1" {
		t.Fatalf("SilencePage(all, 1) = %+v; want the latest start only", page)
	}
	if page, _ := s.SilencePage(ctx, t0, 10); len(page) != 1 || page[0].ID != "s1" {
		t.Fatalf("SilencePage(now, 10) = %+v", page)
	}
	sl.EndsAt, sl.UpdatedAt = t0.Add(time.Minute), t0.Add(time.Minute) // expired early
	if err := s.PutSilence(ctx, sl); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Silence(ctx, "s1"); !got.EndsAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after expiry: %+v", got)
	}
	if _, err := s.Silence(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Silence(nope): %v", err)
	}
}

// testSettingOnce: concurrent first reads of a setting agree on one value.
func testSettingOnce(t *testing.T, e engine) {
	dsn := e.Fresh(t)
	stores := []*Store{openStore(t, dsn, Options{}), openStore(t, dsn, Options{})}
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := stores[i%2].Setting(context.Background(), "link_secret", func() (string, error) { return fmt.Sprint("secret-", i), nil })
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	wg.Wait()
	for _, v := range got {
		if v != got[0] || v == "" {
			t.Fatalf("replicas disagree on the setting: %q", got)
		}
	}
}

// testOpenAlertCounts: open alerts counted by service and severity, those
// held back apart; resolved ones not at all.
func testOpenAlertCounts(t *testing.T, e engine) {
	s := openStore(t, e.Fresh(t), Options{})
	held := alertRow(2, "k2", "acknowledged", 0)
	held.Suppression = alert.Suppression{Maintenance: "release-night"}
	dns := alertRow(3, "k3", "firing", 0)
	dns.Service, dns.Severity = "dns", "warning"
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{alertRow(1, "k1", "firing", 0), held, dns, alertRow(4, "k4", "resolved", 0), alertRow(5, "k5", "firing", 0)}})
	got, err := s.OpenAlertCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []OpenAlertCount{{"dns", "warning", false, 1}, {"shop", "critical", false, 2}, {"shop", "critical", true, 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("OpenAlertCounts = %+v, want %+v", got, want)
	}
}

// testAlertRepeats: a batch of repeats (more rows than one prepared chunk,
// in no order) updates exactly those alerts' counts and times, and leaves
// every other column and every other alert as it was.
func testAlertRepeats(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	var rows []AlertRow
	for i := int64(1); i <= 9; i++ {
		rows = append(rows, alertRow(i, fmt.Sprintf("k%d", i), "firing", 0))
	}
	writeAlerts(t, s, AlertBatch{Alerts: rows})
	later := t0.Add(time.Hour)
	var reps []AlertRepeat
	for _, id := range []int64{7, 2, 9, 4, 1, 8, 3} {
		reps = append(reps, AlertRepeat{ID: id, Occurrences: int(id) * 10, LastSeen: later, UpdatedAt: later})
	}
	writeAlerts(t, s, AlertBatch{Repeats: reps})
	for _, want := range rows {
		if id := want.ID; id != 5 && id != 6 {
			want.Occurrences, want.LastSeen = int(id)*10, later
		}
		got, err := s.Alert(ctx, want.ID)
		if err != nil || !sameAlert(got, want) {
			t.Fatalf("alert %d after repeats =\n%+v (%v)\nwant\n%+v", want.ID, got, err, want)
		}
	}
}

// testAlertAnnotationsKept: a row written with its annotations (or labels)
// unloaded leaves the stored ones as they are, whatever else changes, and
// AlertsShown reads them back by id; a row written with annotations
// replaces them.
func testAlertAnnotationsKept(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a, b := alertRow(1, "k1", "firing", 0), alertRow(2, "k2", "firing", 0)
	b.Annotations = map[string]string{"summary": "second"}
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{a, b}})

	acked := a
	acked.Status, acked.AckedBy, acked.AckedAt = "acknowledged", "thach", t0.Add(time.Minute)
	acked.Annotations, acked.AnnotationsUnloaded = nil, true
	acked.Labels, acked.LabelsUnloaded = nil, true
	acked.Links, acked.LinksUnloaded = nil, true
	changed := b
	changed.Annotations = map[string]string{"summary": "second, changed"}
	changed.Labels = map[string]string{"alertname": "B", "severity": "critical"}
	writeAlerts(t, s, AlertBatch{Alerts: []AlertRow{acked, changed}})

	got, err := s.Alert(ctx, 1)
	if err != nil || got.Status != "acknowledged" || !maps.Equal(got.Annotations, a.Annotations) || !maps.Equal(got.Labels, a.Labels) || len(a.Labels) == 0 {
		t.Fatalf("alert 1 after a write with its labels and annotations unloaded = %+v, %v; want labels %v, annotations %v", got, err, a.Labels, a.Annotations)
	}
	if got, err := s.Alert(ctx, 2); err != nil || !maps.Equal(got.Labels, changed.Labels) {
		t.Fatalf("alert 2 after a write with new labels = %+v, %v; want labels %v", got, err, changed.Labels)
	}
	shown, err := s.AlertsShown(ctx, []int64{2, 1, 99})
	if err != nil || len(shown) != 2 || len(a.Links) == 0 || !slices.Equal(shown[1].Links, a.Links) || !slices.Equal(shown[2].Links, b.Links) {
		t.Fatalf("AlertsShown links after a write with links unloaded = %v, %v; want %v for alert 1", shown, err, a.Links)
	}
	if !maps.Equal(shown[1].Annotations, a.Annotations) || !maps.Equal(shown[2].Annotations, changed.Annotations) {
		t.Fatalf("AlertsShown annotations = %v", shown)
	}
}
