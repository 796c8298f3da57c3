package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

func createIncident(t *testing.T, s *Store, in IncidentRow, first ...TimelineEntry) IncidentRow {
	t.Helper()
	got, err := s.CreateIncident(context.Background(), in, first)
	if err != nil {
		t.Fatalf("CreateIncident: %v", err)
	}
	return got
}

func loadIncident(t *testing.T, s *Store, id int64) IncidentRow {
	t.Helper()
	in, err := s.Incident(context.Background(), id)
	if err != nil {
		t.Fatalf("Incident(%d): %v", id, err)
	}
	return in
}

func loadTimeline(t *testing.T, s *Store, id int64) []TimelineEntry {
	t.Helper()
	tl, err := s.IncidentTimeline(context.Background(), id)
	if err != nil {
		t.Fatalf("IncidentTimeline(%d): %v", id, err)
	}
	return tl
}

func incidentIDs(rs []IncidentRow) []int64 {
	ids := []int64{}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// refuseKind makes the database refuse timeline entries of kind, so that a
// test can fail a transaction after its first writes.
func refuseKind(t *testing.T, s *Store, kind string) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER refuse_kind BEFORE INSERT ON incident_timeline WHEN NEW.kind = '` + kind + `'
		BEGIN SELECT RAISE(ABORT, 'refused'); END`}
	if s.Engine() == enginePostgres {
		stmts = []string{`CREATE FUNCTION refuse_kind() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.kind = '` + kind + `' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER refuse_kind BEFORE INSERT ON incident_timeline FOR EACH ROW EXECUTE FUNCTION refuse_kind()`}
	}
	for _, q := range stmts {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// fullIncident sets every field, each time to a distinct value.
func fullIncident() IncidentRow {
	return IncidentRow{
		Title: "Checkout fails for 30% of users", Severity: "SEV2", Status: IncidentMonitoring,
		Services: []string{"shop-api", "shop", "payments"}, Summary: "Card payments time out.\nRolled back v2.3.",
		Roles:      map[string]string{"commander": "thach", "communications": "ana", "scribe": "lee"},
		DeclaredBy: "person/ana", StartedAt: t0.Add(-20 * time.Minute), DetectedAt: t0.Add(-12*time.Minute + 3*time.Millisecond),
		DeclaredAt: t0, AcknowledgedAt: t0.Add(2 * time.Minute), IdentifiedAt: t0.Add(15 * time.Minute),
		MitigatedAt: t0.Add(31 * time.Minute), ResolvedAt: t0.Add(2 * time.Hour),
		Postmortem: map[string]string{"root_causes": "pool of 10 \"connections\"", "trigger": "deploy ü"},
		UpdatedAt:  t0.Add(2*time.Hour + time.Second),
	}
}

// testIncidentsRoundTrip: every field comes back as written, unset times
// stay zero, ids grow, and an update replaces the row whole.
func testIncidentsRoundTrip(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	want := fullIncident()
	want.ID = 999 // ignored
	got := createIncident(t, s, want)
	if got.ID <= 0 {
		t.Fatalf("CreateIncident id = %d, want > 0", got.ID)
	}
	want.ID = got.ID
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CreateIncident =\n%+v\nwant\n%+v", got, want)
	}
	if got := loadIncident(t, s, want.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("Incident =\n%+v\nwant\n%+v", got, want)
	}

	bare := createIncident(t, s, IncidentRow{Title: "bare", Severity: "SEV4", Status: IncidentInvestigating, StartedAt: t0, DeclaredAt: t0})
	if bare.ID <= want.ID {
		t.Errorf("second incident id = %d, want > %d", bare.ID, want.ID)
	}
	bare = loadIncident(t, s, bare.ID)
	for name, at := range map[string]time.Time{"detected": bare.DetectedAt, "acknowledged": bare.AcknowledgedAt,
		"identified": bare.IdentifiedAt, "mitigated": bare.MitigatedAt, "resolved": bare.ResolvedAt, "updated": bare.UpdatedAt} {
		if !at.IsZero() {
			t.Errorf("bare incident %s at %v, want zero", name, at)
		}
	}
	if len(bare.Services) != 0 || len(bare.Roles) != 0 || len(bare.Postmortem) != 0 || bare.Summary != "" {
		t.Errorf("bare incident = %+v; want no services, roles, postmortem or summary", bare)
	}

	// Updated whole: fields may go back to zero.
	want.Status, want.Summary, want.DetectedAt, want.ResolvedAt = IncidentIdentified, "", time.Time{}, time.Time{}
	want.Roles, want.Postmortem, want.Services = map[string]string{"commander": "lee"}, map[string]string{}, []string{"payments"}
	if err := s.UpdateIncident(ctx, want, nil); err != nil {
		t.Fatal(err)
	}
	if got := loadIncident(t, s, want.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("after update Incident =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := s.Incident(ctx, bare.ID+100); !errors.Is(err, ErrNotFound) {
		t.Errorf("Incident(missing) err = %v, want ErrNotFound", err)
	}
}

// testIncidentText: text Postgres TEXT cannot hold is stored with U+FFFD in
// its place on every engine.
func testIncidentText(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	in := createIncident(t, s, IncidentRow{Title: "bad \xff", Summary: "a\x00b", Status: IncidentInvestigating, DeclaredAt: t0,
		Postmortem: map[string]string{"trigger": "caf" + "é"[:1]}},
		TimelineEntry{At: t0, Kind: "chat", Actor: "x\x00", Text: "\xff\xfe ok"})
	if in.Title != "bad \uFFFD" || in.Summary != "a\uFFFDb" || in.Postmortem["trigger"] != "caf\uFFFD" {
		t.Errorf("stored incident = %q, %q, %q", in.Title, in.Summary, in.Postmortem["trigger"])
	}
	if err := s.AppendTimeline(ctx, []TimelineEntry{{IncidentID: in.ID, At: t0, Kind: "note", Text: "n\x00"}}); err != nil {
		t.Fatal(err)
	}
	tl := loadTimeline(t, s, in.ID)
	if len(tl) != 2 || tl[0].Actor != "x\uFFFD" || tl[0].Text != "\uFFFD ok" || tl[1].Text != "n\uFFFD" {
		t.Errorf("timeline = %+v", tl)
	}
	a, err := s.SaveActionItem(ctx, ActionItem{IncidentID: in.ID, Item: "fix\x00", Status: "open"})
	if err != nil || a.Item != "fix\uFFFD" {
		t.Errorf("SaveActionItem = %+v, %v", a, err)
	}
}

// testCreateIncidentAtomic: the incident, its services and its first
// timeline entries land together, or nothing does.
func testCreateIncidentAtomic(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	first := []TimelineEntry{
		{IncidentID: 555, At: t0, Kind: "declared", Actor: "person/ana", Text: "Declared SEV2", Source: "chat:slack"},
		{ID: 77, At: t0.Add(-5 * time.Minute), Kind: "alert.fired", Text: "checkout p99 > 2s", Source: "alert/42"},
	}
	in := createIncident(t, s, IncidentRow{Title: "checkout", Status: IncidentInvestigating, Services: []string{"shop"}, DeclaredAt: t0}, first...)
	tl := loadTimeline(t, s, in.ID)
	if len(tl) != 2 || tl[0].Kind != "alert.fired" || tl[1].Kind != "declared" {
		t.Fatalf("timeline after create = %+v; want both entries, oldest first", tl)
	}
	want := []TimelineEntry{tl[1], tl[0]}
	for i, e := range want {
		if e.ID <= 0 || e.IncidentID != in.ID {
			t.Errorf("entry %d stored as %+v; want an id of its own and incident %d", i, e, in.ID)
		}
	}
	// The caller's entries got their ids and incident filled in place.
	if !reflect.DeepEqual(first, want) {
		t.Errorf("entries after create =\n%+v\nstored\n%+v", first, want)
	}

	refuseKind(t, s, "boom")
	_, err := s.CreateIncident(ctx, IncidentRow{Title: "doomed", Status: IncidentInvestigating, Services: []string{"shop"}, DeclaredAt: t0.Add(time.Hour)},
		[]TimelineEntry{{At: t0, Kind: "declared", Text: "ok"}, {At: t0, Kind: "boom", Text: "refused"}})
	if err == nil {
		t.Fatal("CreateIncident with a refused entry: want error")
	}
	all, err := s.Incidents(ctx, IncidentFilter{Service: "shop"})
	if err != nil || !slices.Equal(incidentIDs(all), []int64{in.ID}) {
		t.Errorf("Incidents after failed create = %v, %v; want only %d", incidentIDs(all), err, in.ID)
	}
	var n int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM incident_timeline`).Scan(&n); err != nil || n != 2 {
		t.Errorf("timeline rows after failed create = %d (err %v), want 2", n, err)
	}
}

// testUpdateIncident: row, services and new entries change together;
// an unknown incident is ErrNotFound and changes nothing.
func testUpdateIncident(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	in := createIncident(t, s, IncidentRow{Title: "checkout", Status: IncidentInvestigating, Services: []string{"shop"}, DeclaredAt: t0},
		TimelineEntry{At: t0, Kind: "declared", Text: "declared"})

	in.Status, in.IdentifiedAt, in.Services = IncidentIdentified, t0.Add(time.Minute), []string{"payments", "payments"}
	add := []TimelineEntry{{IncidentID: 12345, At: t0.Add(time.Minute), Kind: "status", Actor: "person/ana", Text: "identified"}}
	if err := s.UpdateIncident(ctx, in, add); err != nil {
		t.Fatal(err)
	}
	if add[0].ID <= 0 || add[0].IncidentID != in.ID {
		t.Errorf("added entry = %+v; want its id filled in and incident %d", add[0], in.ID)
	}
	if tl := loadTimeline(t, s, in.ID); len(tl) != 2 || !reflect.DeepEqual(tl[1], add[0]) {
		t.Errorf("timeline after update = %+v; want the added entry last", tl)
	}
	if got := loadIncident(t, s, in.ID); !reflect.DeepEqual(got, in) {
		t.Errorf("after update Incident =\n%+v\nwant\n%+v", got, in)
	}
	for svc, want := range map[string][]int64{"shop": {}, "payments": {in.ID}} {
		if got, err := s.Incidents(ctx, IncidentFilter{Service: svc}); err != nil || !slices.Equal(incidentIDs(got), want) {
			t.Errorf("Incidents(service %s) after update = %v, %v; want %v", svc, incidentIDs(got), err, want)
		}
	}

	refuseKind(t, s, "boom")
	changed := in
	changed.Status, changed.Services = IncidentResolved, []string{"shop"}
	if err := s.UpdateIncident(ctx, changed, []TimelineEntry{{At: t0, Kind: "note"}, {At: t0, Kind: "boom"}}); err == nil {
		t.Fatal("UpdateIncident with a refused entry: want error")
	}
	if got := loadIncident(t, s, in.ID); !reflect.DeepEqual(got, in) {
		t.Errorf("after failed update Incident = %+v; want it unchanged", got)
	}
	if got, err := s.Incidents(ctx, IncidentFilter{Service: "shop"}); err != nil || len(got) != 0 {
		t.Errorf("Incidents(shop) after failed update = %v, %v; want none", incidentIDs(got), err)
	}
	if tl := loadTimeline(t, s, in.ID); len(tl) != 2 {
		t.Errorf("timeline after failed update has %d entries, want 2", len(tl))
	}

	missing := in
	missing.ID = in.ID + 1
	err := s.UpdateIncident(ctx, missing, []TimelineEntry{{At: t0, Kind: "note"}})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateIncident(missing) err = %v, want ErrNotFound", err)
	}
	if tl := loadTimeline(t, s, missing.ID); len(tl) != 0 {
		t.Errorf("timeline of missing incident = %+v, want empty", tl)
	}
}

func testIncidentsFilter(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids := map[string]int64{}
	for _, c := range []struct {
		name     string
		status   string
		severity string
		services []string
		declared time.Duration
	}{
		{"i1", IncidentResolved, "SEV1", []string{"shop"}, 0},
		{"i2", IncidentInvestigating, "SEV2", []string{"shop-api"}, time.Minute},
		{"i3", IncidentMonitoring, "SEV1", []string{"payments", "shop"}, 2 * time.Minute},
		{"i4", IncidentInvestigating, "SEV3", []string{"myshop", "shop-api", "payments"}, 3 * time.Minute},
		{"i5", IncidentIdentified, "SEV2", nil, 3 * time.Minute}, // same time as i4: the later id first
		{"i6", IncidentResolved, "SEV4", []string{"Shop", "shop%"}, 5 * time.Minute},
	} {
		in := createIncident(t, s, IncidentRow{Title: c.name, Status: c.status, Severity: c.severity, Services: c.services, DeclaredAt: t0.Add(c.declared)})
		ids[c.name] = in.ID
	}
	pick := func(names ...string) []int64 {
		out := []int64{}
		for _, n := range names {
			out = append(out, ids[n])
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    IncidentFilter
		want []int64
	}{
		{"all", IncidentFilter{}, pick("i6", "i5", "i4", "i3", "i2", "i1")},
		{"status", IncidentFilter{Status: []string{IncidentInvestigating}}, pick("i4", "i2")},
		{"statuses", IncidentFilter{Status: []string{IncidentResolved, IncidentIdentified}}, pick("i6", "i5", "i1")},
		{"severity", IncidentFilter{Severity: []string{"SEV1"}}, pick("i3", "i1")},
		{"severities", IncidentFilter{Severity: []string{"SEV4", "SEV2"}}, pick("i6", "i5", "i2")},
		{"severity and status", IncidentFilter{Severity: []string{"SEV2"}, Status: []string{IncidentInvestigating}}, pick("i2")},
		{"service exactly", IncidentFilter{Service: "shop"}, pick("i3", "i1")},
		{"service with dash", IncidentFilter{Service: "shop-api"}, pick("i4", "i2")},
		{"service not a pattern", IncidentFilter{Service: "shop%"}, pick("i6")},
		{"service unknown", IncidentFilter{Service: "sho"}, pick()},
		{"since is inclusive", IncidentFilter{Since: t0.Add(3 * time.Minute)}, pick("i6", "i5", "i4")},
		{"until is exclusive", IncidentFilter{Until: t0.Add(2 * time.Minute)}, pick("i2", "i1")},
		{"since and until", IncidentFilter{Since: t0.Add(time.Minute), Until: t0.Add(5 * time.Minute)}, pick("i5", "i4", "i3", "i2")},
		{"limit", IncidentFilter{Limit: 2}, pick("i6", "i5")},
		{"limit with filter", IncidentFilter{Service: "payments", Limit: 1}, pick("i4")},
		{"every field", IncidentFilter{Status: []string{IncidentMonitoring, IncidentResolved}, Service: "shop",
			Since: t0, Until: t0.Add(4 * time.Minute)}, pick("i3", "i1")},
	} {
		got, err := s.Incidents(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ids := incidentIDs(got); !slices.Equal(ids, c.want) {
			t.Errorf("%s: Incidents = %v, want %v", c.name, ids, c.want)
		}
	}
	if got, err := s.Incidents(ctx, IncidentFilter{}); err != nil || !slices.Equal(got[2].Services, []string{"myshop", "shop-api", "payments"}) {
		t.Errorf("listed services = %v (err %v); want them as written", got[2].Services, err)
	}
}

// testIncidentsByImpact: the list puts the latest impact first, whenever
// each incident was declared.
func testIncidentsByImpact(t *testing.T, e engine) {
	s := openStore(t, e.Fresh(t), Options{})
	recent := createIncident(t, s, IncidentRow{Title: "recent", Status: IncidentInvestigating, StartedAt: t0, DeclaredAt: t0})
	backdated := createIncident(t, s, IncidentRow{Title: "backdated", Status: IncidentInvestigating,
		StartedAt: t0.Add(-3 * time.Hour), DeclaredAt: t0.Add(time.Hour)})
	got, err := s.Incidents(context.Background(), IncidentFilter{})
	if ids := incidentIDs(got); err != nil || !slices.Equal(ids, []int64{recent.ID, backdated.ID}) {
		t.Errorf("Incidents = %v (err %v); want %d, then the backdated %d", ids, err, recent.ID, backdated.ID)
	}
}

// testIncidentsDefaultLimit: without a limit, Incidents returns the newest 100.
func testIncidentsDefaultLimit(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	var last int64
	for i := range 101 {
		last = createIncident(t, s, IncidentRow{Title: "i", Status: IncidentResolved, DeclaredAt: t0.Add(time.Duration(i) * time.Minute)}).ID
	}
	got, err := s.Incidents(ctx, IncidentFilter{})
	if err != nil || len(got) != 100 || got[0].ID != last {
		t.Errorf("Incidents() = %d rows (err %v); want 100, newest (%d) first", len(got), err, last)
	}
}

// testIncidentTimeline: entries come back by At, then append order, whatever
// order they were appended in; ids are filled in; an entry of an unknown
// incident fails the whole append.
func testIncidentTimeline(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a := createIncident(t, s, IncidentRow{Title: "a", Status: IncidentInvestigating, DeclaredAt: t0},
		TimelineEntry{At: t0, Kind: "declared", Actor: "person/ana", Text: "declared"})
	b := createIncident(t, s, IncidentRow{Title: "b", Status: IncidentInvestigating, DeclaredAt: t0})
	declared := loadTimeline(t, s, a.ID)[0]

	entries := []TimelineEntry{
		{IncidentID: a.ID, At: t0.Add(2 * time.Minute), Kind: "note", Actor: "person/lee", Text: "rolling back", Source: "chat:slack"},
		{IncidentID: b.ID, At: t0, Kind: "note", Text: "other incident"},
		{IncidentID: a.ID, At: t0.Add(-10 * time.Minute), Kind: "alert.fired", Text: "p99 > 2s", Source: "alert/42"}, // backdated
		{IncidentID: a.ID, At: t0, Kind: "chat", Actor: "ana", Text: "same time as declared", Source: "chat:log"},
		{IncidentID: a.ID, At: t0.Add(2 * time.Minute), Kind: "deploy", Text: "v2.2 out", Source: "deploy/7"},
	}
	if err := s.AppendTimeline(ctx, entries); err != nil {
		t.Fatal(err)
	}
	last := declared.ID
	for i, en := range entries {
		if en.ID <= last {
			t.Fatalf("entry %d got id %d after %d; want increasing", i, en.ID, last)
		}
		last = en.ID
	}
	want := []TimelineEntry{entries[2], declared, entries[3], entries[0], entries[4]}
	if got := loadTimeline(t, s, a.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("IncidentTimeline(a) =\n%+v\nwant\n%+v", got, want)
	}
	if got := loadTimeline(t, s, b.ID); !reflect.DeepEqual(got, []TimelineEntry{entries[1]}) {
		t.Errorf("IncidentTimeline(b) = %+v, want %+v", got, entries[1])
	}

	// A burst of entries at two instants, appended out of time order: ties
	// must come back in append order, not as the sort leaves them.
	var burst []TimelineEntry
	for i := range 64 {
		burst = append(burst, TimelineEntry{IncidentID: b.ID, At: t0.Add(time.Duration(1-i%2) * time.Hour), Kind: "chat", Text: strconv.Itoa(i)})
	}
	if err := s.AppendTimeline(ctx, burst); err != nil {
		t.Fatal(err)
	}
	want = append([]TimelineEntry{entries[1]}, burst...)
	slices.SortStableFunc(want[1:], func(x, y TimelineEntry) int { return x.At.Compare(y.At) })
	if got := loadTimeline(t, s, b.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("IncidentTimeline(b) after a burst =\n%+v\nwant\n%+v", got, want)
	}

	bad := []TimelineEntry{{IncidentID: b.ID, At: t0, Kind: "note", Text: "kept?"}, {IncidentID: b.ID + 1, At: t0, Kind: "note"}}
	if err := s.AppendTimeline(ctx, bad); !errors.Is(err, ErrNotFound) {
		t.Errorf("AppendTimeline to a missing incident err = %v, want ErrNotFound", err)
	}
	if got := loadTimeline(t, s, b.ID); len(got) != len(want) {
		t.Errorf("IncidentTimeline(b) after failed append has %d entries, want %d", len(got), len(want))
	}
	if bad[0].ID != 0 {
		t.Errorf("entry of a failed append got id %d, want 0", bad[0].ID)
	}
	if got := loadTimeline(t, s, b.ID+1); len(got) != 0 {
		t.Errorf("IncidentTimeline(unknown) = %+v, want empty", got)
	}
	if err := s.AppendTimeline(ctx, nil); err != nil {
		t.Errorf("AppendTimeline(nil) = %v", err)
	}
}

// testLinkAlerts: links are a set, read from both sides, and outlive the
// incident's resolution.
func testLinkAlerts(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a := createIncident(t, s, IncidentRow{Title: "a", Status: IncidentInvestigating, DeclaredAt: t0})
	b := createIncident(t, s, IncidentRow{Title: "b", Status: IncidentInvestigating, DeclaredAt: t0})
	for _, link := range []struct {
		incident int64
		alerts   []int64
	}{{b.ID, []int64{42}}, {a.ID, []int64{42, 7, 42}}, {a.ID, []int64{99, 7}}, {a.ID, nil}} {
		if err := s.LinkAlerts(ctx, link.incident, link.alerts); err != nil {
			t.Fatalf("LinkAlerts(%d, %v): %v", link.incident, link.alerts, err)
		}
	}
	a.Status, a.ResolvedAt = IncidentResolved, t0.Add(time.Hour)
	if err := s.UpdateIncident(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		incident int64
		want     []int64
	}{{a.ID, []int64{7, 42, 99}}, {b.ID, []int64{42}}, {b.ID + 1, nil}} {
		if got, err := s.IncidentAlerts(ctx, c.incident); err != nil || !slices.Equal(got, c.want) {
			t.Errorf("IncidentAlerts(%d) = %v, %v; want %v", c.incident, got, err, c.want)
		}
	}
	for _, c := range []struct {
		alert int64
		want  []int64
	}{{42, []int64{a.ID, b.ID}}, {7, []int64{a.ID}}, {8, nil}} {
		if got, err := s.IncidentsForAlert(ctx, c.alert); err != nil || !slices.Equal(got, c.want) {
			t.Errorf("IncidentsForAlert(%d) = %v, %v; want %v", c.alert, got, err, c.want)
		}
	}
	if err := s.LinkAlerts(ctx, b.ID+1, []int64{5}); !errors.Is(err, ErrNotFound) {
		t.Errorf("LinkAlerts(missing incident) err = %v, want ErrNotFound", err)
	}
	if got, err := s.IncidentsForAlert(ctx, 5); err != nil || len(got) != 0 {
		t.Errorf("IncidentsForAlert(5) after failed link = %v, %v; want none", got, err)
	}
}
