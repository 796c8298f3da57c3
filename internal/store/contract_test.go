package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
)

var t0 = time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)

// register registers checks given as "service/name" and returns their ids.
func register(t *testing.T, s *Store, keys ...string) map[string]int64 {
	t.Helper()
	refs := make([]CheckRef, len(keys))
	for i, k := range keys {
		svc, name, _ := strings.Cut(k, "/")
		refs[i] = CheckRef{Service: svc, Name: name, Kind: "http"}
	}
	ids, err := s.RegisterChecks(context.Background(), refs)
	if err != nil {
		t.Fatalf("RegisterChecks: %v", err)
	}
	return ids
}

func write(t *testing.T, s *Store, b Batch, keep int) {
	t.Helper()
	if err := s.WriteBatch(context.Background(), b, keep); err != nil {
		t.Fatalf("WriteBatch: %v", err)
	}
}

func testMigrationsIdempotent(t *testing.T, e engine) {
	ctx := context.Background()
	dsn := e.Fresh(t)
	s1, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s1.Engine(); got != e.Name {
		t.Errorf("Engine() = %q, want %q", got, e.Name)
	}
	first := register(t, s1, "shop/homepage")
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openStore(t, dsn, Options{})
	if again := register(t, s2, "shop/homepage"); again["shop/homepage"] != first["shop/homepage"] {
		t.Errorf("id after reopen = %d, want %d", again["shop/homepage"], first["shop/homepage"])
	}
	assertMigratedOnce(t, s2)
}

// assertMigratedOnce checks goose recorded version 1 exactly once.
func assertMigratedOnce(t *testing.T, s *Store) {
	t.Helper()
	var n int
	if err := s.r.QueryRow("SELECT COUNT(*) FROM goose_db_version WHERE version_id = 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("migration 1 recorded %d times, want 1", n)
	}
}

func testConcurrentOpen(t *testing.T, e engine) {
	if e.Name != enginePostgres {
		t.Skip("one vigil process owns a SQLite file; replicas share only Postgres")
	}
	dsn := e.Fresh(t)
	var wg sync.WaitGroup
	stores := make([]*Store, 3)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), dsn, Options{}) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		t.Cleanup(func() { s.Close() })
	}
	if t.Failed() {
		return
	}
	assertMigratedOnce(t, stores[0])
	a, b := register(t, stores[0], "shop/db"), register(t, stores[1], "shop/db")
	if a["shop/db"] != b["shop/db"] {
		t.Errorf("replicas disagree on id: %d vs %d", a["shop/db"], b["shop/db"])
	}
}

func testRegisterChecks(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids, err := s.RegisterChecks(ctx, []CheckRef{
		{"shop", "homepage", "http"}, {"shop", "dns1", "dns"}, {"shop", "homepage", "http"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids["shop/homepage"] == 0 || ids["shop/dns1"] == 0 || ids["shop/homepage"] == ids["shop/dns1"] {
		t.Fatalf("ids = %v, want two distinct ids", ids)
	}
	write(t, s, Batch{States: []CheckState{{CheckID: ids["shop/dns1"], State: "ok"}}}, 10)

	// Kind changes, dns1 leaves the config: ids stay, dns1 keeps its row and state.
	again, err := s.RegisterChecks(ctx, []CheckRef{{"shop", "homepage", "tcp"}, {"shop", "db", "tcp"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 || again["shop/homepage"] != ids["shop/homepage"] || again["shop/db"] == 0 {
		t.Errorf("ids after re-register = %v, homepage was %d", again, ids["shop/homepage"])
	}
	write(t, s, Batch{States: []CheckState{{CheckID: ids["shop/homepage"], State: "ok"}}}, 10)
	st, err := s.CheckState(ctx, ids["shop/homepage"])
	if err != nil || st.Kind != "tcp" {
		t.Errorf("homepage kind = %q (err %v), want tcp", st.Kind, err)
	}
	if _, err := s.CheckState(ctx, ids["shop/dns1"]); err != nil {
		t.Errorf("unconfigured check lost its state: %v", err)
	}

	if _, err := s.RegisterChecks(ctx, []CheckRef{{Service: "shop", Kind: "http"}}); err == nil {
		t.Error("empty name: want error")
	}
	if got, err := s.RegisterChecks(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("RegisterChecks(nil) = %v, %v; want empty map", got, err)
	}
}

func testStates(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids := register(t, s, "web/b", "web/a", "api/z")
	a := CheckState{
		CheckID: ids["web/a"], State: "failing", Reason: "status == 200: status=503",
		Since: t0, LastChecked: t0.Add(90 * time.Second), LastStatus: "fail", LastDuration: 1234567 * time.Microsecond,
		Fails: 3, Passes: 0, History: strings.Repeat("p", 18) + "fff", Flapping: true, Seq: 41,
	}
	stale := a
	stale.State, stale.Seq = "pending", 40
	b := CheckState{CheckID: ids["web/b"], State: "ok", LastStatus: "pass", Passes: 7, Seq: 7}
	z := CheckState{CheckID: ids["api/z"], State: "unknown"}
	write(t, s, Batch{States: []CheckState{stale, b, a}}, 10) // a follows stale in the slice: last wins
	z.State = "ok"
	write(t, s, Batch{States: []CheckState{z}}, 10) // a later batch overwrites

	got, err := s.CheckStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []CheckState{z, a, b} // by service, then name
	want[0].Service, want[0].Name, want[0].Kind = "api", "z", "http"
	want[1].Service, want[1].Name, want[1].Kind = "web", "a", "http"
	want[2].Service, want[2].Name, want[2].Kind = "web", "b", "http"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CheckStates:\n got %+v\nwant %+v", got, want)
	}
	one, err := s.CheckState(ctx, ids["web/a"])
	if err != nil || !reflect.DeepEqual(one, want[1]) {
		t.Errorf("CheckState = %+v, %v; want %+v", one, err, want[1])
	}
	if _, err := s.CheckState(ctx, 999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("CheckState(missing) err = %v, want ErrNotFound", err)
	}
}

func result(id, seq int64) ResultRow {
	return ResultRow{CheckID: id, Seq: seq, Result: check.Result{
		At: t0.Add(time.Duration(seq) * time.Second), Duration: time.Duration(seq) * time.Millisecond, Status: check.Pass,
	}}
}

func testResultsRing(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids := register(t, s, "shop/homepage", "shop/db")
	id, other := ids["shop/homepage"], ids["shop/db"]
	const keep = 10
	var first []ResultRow
	for seq := range int64(keep + 2) { // seqs 10 and 11 share slots with 0 and 1 in this very batch
		first = append(first, result(id, seq))
	}
	write(t, s, Batch{Results: append(first, result(other, 0))}, keep)
	for seq := int64(keep + 2); seq < keep+5; seq++ {
		write(t, s, Batch{Results: []ResultRow{result(id, seq)}}, keep)
	}

	got, err := s.RecentResults(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, r := range got {
		seqs = append(seqs, r.Seq)
	}
	if want := []int64{14, 13, 12, 11, 10, 9, 8, 7, 6, 5}; !slices.Equal(seqs, want) {
		t.Fatalf("seqs = %v, want %v", seqs, want)
	}
	if want := result(id, 14); !reflect.DeepEqual(got[0], want) {
		t.Errorf("newest = %+v, want %+v", got[0], want)
	}
	if top, _ := s.RecentResults(ctx, id, 3); len(top) != 3 || top[0].Seq != 14 || top[2].Seq != 12 {
		t.Errorf("RecentResults(limit 3) = %+v", top)
	}
	var rows int
	if err := s.r.QueryRow(s.d.rebind("SELECT COUNT(*) FROM results WHERE check_id = ?"), id).Scan(&rows); err != nil || rows != keep {
		t.Errorf("stored rows = %d (err %v), want %d", rows, err, keep)
	}
	if none, err := s.RecentResults(ctx, 999999, 5); err != nil || len(none) != 0 {
		t.Errorf("RecentResults(unknown) = %v, %v; want empty", none, err)
	}
}

func testConditions(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	id := register(t, s, "shop/homepage")["shop/homepage"]
	failed := ResultRow{CheckID: id, Seq: 1, Result: check.Result{
		At: t0, Duration: 5*time.Second + 250*time.Microsecond, Status: check.Fail,
		Error: "", Reason: `status == 200: status=503`,
		Conditions: []check.Condition{
			{Expr: "status == 200", Kind: "expect", OK: false, Observed: "status=503"},
			{Expr: "duration < 500ms", Kind: "warn", OK: true},
			{Expr: `json.status == "UP"`, Kind: "expect", OK: false, Error: "body is not JSON: 'quoted' \"too\""},
		},
	}}
	probeErr := ResultRow{CheckID: id, Seq: 2, Result: check.Result{
		At: t0.Add(time.Minute), Status: check.Fail, Error: "dial tcp 127.0.0.1:8081: connect: connection refused",
	}}
	write(t, s, Batch{Results: []ResultRow{failed, probeErr}}, 10)
	got, err := s.RecentResults(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []ResultRow{probeErr, failed}; !reflect.DeepEqual(got, want) {
		t.Errorf("RecentResults:\n got %+v\nwant %+v", got, want)
	}
}

func testEvents(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids := register(t, s, "shop/homepage", "shop/db")
	h, d := ids["shop/homepage"], ids["shop/db"]
	ev := func(id int64, at time.Duration, from, to string) Event {
		return Event{CheckID: id, At: t0.Add(at), From: from, To: to, Reason: from + "->" + to}
	}
	write(t, s, Batch{Events: []Event{ev(h, 0, "unknown", "ok"), ev(d, 0, "unknown", "ok")}}, 10)
	write(t, s, Batch{Events: []Event{ev(h, time.Minute, "ok", "pending"), ev(h, 3*time.Minute, "pending", "failing")}}, 10)
	write(t, s, Batch{Events: []Event{ev(d, 2*time.Minute, "ok", "degraded")}}, 10)

	all, err := s.Events(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range all {
		got = append(got, fmt.Sprintf("%s %s %s", e.Name, e.At.Sub(t0), e.To))
		if e.ID == 0 || e.Service != "shop" || e.Reason != e.From+"->"+e.To {
			t.Errorf("event not filled: %+v", e)
		}
	}
	want := []string{"homepage 3m0s failing", "db 2m0s degraded", "homepage 1m0s pending", "db 0s ok", "homepage 0s ok"}
	if !slices.Equal(got, want) {
		t.Errorf("Events(all) =\n%q\nwant\n%q", got, want)
	}
	mine, err := s.Events(ctx, h, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 2 || mine[0].To != "failing" || mine[1].To != "pending" || mine[0].CheckID != h {
		t.Errorf("Events(homepage, 2) = %+v", mine)
	}
	// By name, up to a moment: what led to homepage's failing at 3m.
	named, err := s.CheckEvents(ctx, "shop", "homepage", t0.Add(2*time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(named) != 2 || named[0].To != "pending" || named[1].To != "ok" || named[0].CheckID != h {
		t.Errorf("CheckEvents(shop/homepage, 2m) = %+v", named)
	}
	if none, err := s.CheckEvents(ctx, "shop", "nope", t0.Add(time.Hour), 0); err != nil || len(none) != 0 {
		t.Errorf("CheckEvents(unknown) = %v, %v", none, err)
	}
}

func testBucketDeltas(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	id := register(t, s, "shop/homepage")["shop/homepage"]
	delta := func(res Resolution, n, fails int64, mx time.Duration) Bucket {
		return Bucket{CheckID: id, Res: res, Start: t0, N: n, Fails: fails, Warns: 1, UpMs: 1000 * (n - fails),
			DownMs: 1000 * fails, DurSum: time.Duration(n) * 10 * time.Millisecond, DurMax: mx}
	}
	// The same bucket twice in one batch, then again in a second batch.
	write(t, s, Batch{Buckets: []Bucket{delta(Minute, 1, 0, 5*time.Millisecond), delta(Minute, 2, 1, 9*time.Millisecond), delta(Hour, 3, 1, time.Millisecond)}}, 10)
	write(t, s, Batch{Buckets: []Bucket{delta(Minute, 3, 2, 7*time.Millisecond)}}, 10)

	got, err := s.Buckets(ctx, id, Minute, t0, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []Bucket{{CheckID: id, Res: Minute, Start: t0, N: 6, Fails: 3, Warns: 3, UpMs: 3000, DownMs: 3000,
		DurSum: 60 * time.Millisecond, DurMax: 9 * time.Millisecond}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("minute buckets:\n got %+v\nwant %+v", got, want)
	}
	hour, err := s.Buckets(ctx, id, Hour, t0, t0.Add(time.Hour))
	if err != nil || len(hour) != 1 || hour[0].N != 3 || hour[0].DurMax != time.Millisecond {
		t.Errorf("hour buckets = %+v, %v; want one with N=3", hour, err)
	}
	if err := s.WriteBatch(ctx, Batch{Buckets: []Bucket{{CheckID: id, Res: "week", Start: t0}}}, 10); err == nil {
		t.Error("unknown resolution: want error")
	}
}

// bucketsAt writes one N=1 minute bucket per offset for each id.
func bucketsAt(t *testing.T, s *Store, res Resolution, ids []int64, offsets ...time.Duration) {
	t.Helper()
	var b Batch
	for _, id := range ids {
		for _, off := range offsets {
			b.Buckets = append(b.Buckets, Bucket{CheckID: id, Res: res, Start: t0.Add(off), N: 1, UpMs: 60000})
		}
	}
	write(t, s, b, 10)
}

func testSumBucketsWindow(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids := register(t, s, "shop/a", "shop/b", "shop/c")
	a, b, c := ids["shop/a"], ids["shop/b"], ids["shop/c"]
	bucketsAt(t, s, Minute, []int64{a, b, c}, -time.Minute, 0, time.Minute, 2*time.Minute, 3*time.Minute)
	bucketsAt(t, s, Hour, []int64{a}, 0) // another resolution is never counted
	write(t, s, Batch{Buckets: []Bucket{{CheckID: a, Res: Minute, Start: t0, N: 2, Fails: 2, Warns: 1, DownMs: 5}}}, 10)

	from, to := t0, t0.Add(3*time.Minute) // includes 0, 1m, 2m; excludes -1m and 3m
	got, err := s.SumBuckets(ctx, []int64{a, b}, Minute, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]Totals{
		a: {N: 5, Fails: 2, Warns: 1, UpMs: 180000, DownMs: 5},
		b: {N: 3, UpMs: 180000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SumBuckets(a, b) = %+v, want %+v", got, want)
	}
	all, err := s.SumBuckets(ctx, nil, Minute, from, to)
	if err != nil || len(all) != 3 || all[c].N != 3 || all[a] != want[a] {
		t.Errorf("SumBuckets(all) = %+v, %v", all, err)
	}
	empty, err := s.SumBuckets(ctx, []int64{a}, Minute, t0.Add(time.Hour), t0.Add(2*time.Hour))
	if err != nil || len(empty) != 0 {
		t.Errorf("SumBuckets(empty window) = %+v, %v", empty, err)
	}
	if _, err := s.SumBuckets(ctx, nil, "fortnight", from, to); err == nil {
		t.Error("unknown resolution: want error")
	}
}

func testBucketsOrdered(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids := register(t, s, "shop/a", "shop/b")
	bucketsAt(t, s, Day, []int64{ids["shop/a"], ids["shop/b"]}, 72*time.Hour, 0, 48*time.Hour, 24*time.Hour, -24*time.Hour)
	got, err := s.Buckets(ctx, ids["shop/a"], Day, t0, t0.Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var starts []time.Duration
	for _, b := range got {
		if b.CheckID != ids["shop/a"] || b.Res != Day {
			t.Errorf("bucket of wrong check or resolution: %+v", b)
		}
		starts = append(starts, b.Start.Sub(t0))
	}
	if want := []time.Duration{0, 24 * time.Hour, 48 * time.Hour}; !slices.Equal(starts, want) {
		t.Errorf("starts = %v, want %v", starts, want)
	}
}

func testTimeline(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids := register(t, s, "shop/a", "shop/b", "shop/c")
	a, b, c := ids["shop/a"], ids["shop/b"], ids["shop/c"]
	bucketsAt(t, s, Day, []int64{a, b, c}, -24*time.Hour, 0, 24*time.Hour)
	bucketsAt(t, s, Hour, []int64{a}, 0) // another resolution is never counted
	write(t, s, Batch{Buckets: []Bucket{{CheckID: b, Res: Day, Start: t0, Fails: 1, DownMs: 5000}}}, 10)

	got, err := s.Timeline(ctx, []int64{a, b}, Day, t0, t0.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []Bucket{
		{Res: Day, Start: t0, N: 2, Fails: 1, UpMs: 120000, DownMs: 5000},
		{Res: Day, Start: t0.Add(24 * time.Hour), N: 2, UpMs: 120000},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d buckets: %+v", len(got), got)
	}
	for i := range want {
		if g := got[i]; !g.Start.Equal(want[i].Start) || g.N != want[i].N || g.Fails != want[i].Fails || g.UpMs != want[i].UpMs || g.DownMs != want[i].DownMs || g.CheckID != 0 {
			t.Errorf("bucket %d = %+v, want %+v", i, g, want[i])
		}
	}
	// More ids than one query takes are summed across the chunks.
	many := make([]int64, 0, sumIDsChunk+2)
	for i := 0; i < sumIDsChunk; i++ {
		many = append(many, 1_000_000+int64(i))
	}
	many = append(many, a, c)
	got, err = s.Timeline(ctx, many, Day, t0, t0.Add(24*time.Hour))
	if err != nil || len(got) != 1 || got[0].N != 2 {
		t.Fatalf("chunked: %+v %v", got, err)
	}
}

func testPrune(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	ids := register(t, s, "shop/a", "shop/b")
	both := []int64{ids["shop/a"], ids["shop/b"]}
	bucketsAt(t, s, Minute, both, 0, time.Minute, 2*time.Minute)
	bucketsAt(t, s, Hour, both, 0)
	n, err := s.Prune(ctx, Minute, t0.Add(2*time.Minute))
	if err != nil || n != 4 {
		t.Fatalf("Prune = %d, %v; want 4", n, err)
	}
	left, err := s.SumBuckets(ctx, nil, Minute, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil || left[both[0]].N != 1 || left[both[1]].N != 1 {
		t.Errorf("minute buckets left = %+v, %v; want one each", left, err)
	}
	hours, err := s.SumBuckets(ctx, nil, Hour, t0, t0.Add(time.Hour))
	if err != nil || len(hours) != 2 {
		t.Errorf("hour buckets = %+v, %v; Prune(minute) must not touch them", hours, err)
	}
	if n, err := s.Prune(ctx, Minute, t0.Add(2*time.Minute)); err != nil || n != 0 {
		t.Errorf("second Prune = %d, %v; want 0", n, err)
	}
}

func testUnknownCheckRejected(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	id := register(t, s, "shop/a")["shop/a"]
	bad := Batch{
		States:  []CheckState{{CheckID: id, State: "ok"}},
		Results: []ResultRow{result(id+1000, 1)},
	}
	if err := s.WriteBatch(ctx, bad, 10); err == nil {
		t.Fatal("result for unregistered check: want error")
	}
	// The whole batch rolled back, including the valid state.
	if _, err := s.CheckState(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("state after failed batch: err = %v, want ErrNotFound", err)
	}
	if err := s.WriteBatch(ctx, Batch{States: []CheckState{{CheckID: id}}}, 0); err == nil {
		t.Error("keep 0: want error")
	}
}

func testObserve(t *testing.T, e engine) {
	ctx := context.Background()
	var mu sync.Mutex
	var ops []string
	s := openStore(t, e.Fresh(t), Options{Observe: func(op string, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		ops = append(ops, op)
	}})
	id := register(t, s, "shop/a")["shop/a"]
	write(t, s, Batch{Results: []ResultRow{result(id, 1)}}, 10)
	if _, err := s.RecentResults(ctx, id, 1); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"register_checks", "write_batch", "recent_results"}; !slices.Equal(ops, want) {
		t.Errorf("observed %q, want %q", ops, want)
	}
}
