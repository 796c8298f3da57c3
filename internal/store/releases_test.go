package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

func createRelease(t *testing.T, s *Store, r ReleaseRow, ms ...ReleaseManifestRow) ReleaseRow {
	t.Helper()
	got, err := s.CreateRelease(context.Background(), r, ms, ReleaseStatusRow{To: r.Status, At: r.CreatedAt, By: r.CreatedBy})
	if err != nil {
		t.Fatalf("CreateRelease(%s %s): %v", r.Service, r.Version, err)
	}
	return got
}

// testReleasesRoundTrip: every field comes back as written, with the
// manifests in order and the first status recorded; a second release of the
// same version is refused and leaves nothing behind.
func testReleasesRoundTrip(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	in := ReleaseRow{Service: "shop", Name: "Release 2", Version: "2.0.0", Status: "released", PlannedAt: t0,
		StartedAt: t0.Add(time.Minute), FinishedAt: t0.Add(time.Hour), Details: json.RawMessage("{\"summary\":\"catalog \x00\"}"),
		CreatedBy: "token/sre", CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Hour)}
	ms := []ReleaseManifestRow{
		{Name: "deployment.yaml", Source: "kind: Deployment\n", Workloads: json.RawMessage(`[{"kind":"Deployment"}]`), Findings: json.RawMessage(`[]`)},
		{Name: "b.yaml", Source: "x: 1\n"},
	}
	got := createRelease(t, s, in, ms...)
	if got.ID <= 0 {
		t.Fatalf("id %d", got.ID)
	}
	want := in
	want.ID = got.ID
	want.Details = json.RawMessage("{\"summary\":\"catalog \uFFFD\"}") // NUL is not storable text; it is replaced
	if got, err := s.Release(ctx, got.ID); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Release =\n%+v (err %v)\nwant\n%+v", got, err, want)
	}
	if got, err := s.ReleaseByVersion(ctx, "shop", "2.0.0"); err != nil || got.ID != want.ID {
		t.Errorf("ReleaseByVersion = %+v, %v", got, err)
	}
	gotMs, err := s.ReleaseManifests(ctx, want.ID)
	if err != nil || len(gotMs) != 2 || gotMs[0].Name != "deployment.yaml" || gotMs[0].Position != 0 || gotMs[1].Position != 1 ||
		string(gotMs[0].Workloads) != `[{"kind":"Deployment"}]` || string(gotMs[1].Workloads) != `[]` || gotMs[1].Source != "x: 1\n" {
		t.Errorf("ReleaseManifests = %+v, %v", gotMs, err)
	}
	hist, err := s.ReleaseHistory(ctx, want.ID)
	if err != nil || !reflect.DeepEqual(hist, []ReleaseStatusRow{{ReleaseID: want.ID, To: "released", At: in.CreatedAt, By: "token/sre"}}) {
		t.Errorf("ReleaseHistory = %+v, %v", hist, err)
	}

	dup := in
	dup.Name = "again"
	if _, err := s.CreateRelease(ctx, dup, ms, ReleaseStatusRow{To: "planned"}); !errors.Is(err, ErrReleaseExists) {
		t.Fatalf("duplicate version: err %v, want ErrReleaseExists", err)
	}
	if all, _ := s.Releases(ctx, ReleaseFilter{}); len(all) != 1 {
		t.Errorf("after a refused duplicate: %d releases", len(all))
	}
	if _, err := s.Release(ctx, want.ID+1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown release: %v", err)
	}
	for _, d := range []DeployRow{{Service: "shop", Version: "2.0.0", Environment: "staging", At: t0},
		{Service: "shop", Version: "1.0.0", Environment: "prod", At: t0}, {Service: "shop-api", Version: "2.0.0", Environment: "prod", At: t0},
		{Service: "shop", Version: "2.0.0", Environment: "prod", At: t0.Add(time.Hour)}} {
		if _, err := s.RecordDeploy(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if ds, err := s.ReleaseDeploys(ctx, "shop", "2.0.0"); err != nil || len(ds) != 2 || ds[0].Environment != "prod" || ds[1].Environment != "staging" {
		t.Errorf("ReleaseDeploys = %+v, %v", ds, err)
	}
	if _, err := s.ReleaseByVersion(ctx, "shop", "9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown version: %v", err)
	}
}

// testReleasesFilterAndPrevious: lists are newest planned first, filtered by
// service and status and paged; the previous release is the one planned
// before (or, planned at the same time, recorded before) on the same service.
func testReleasesFilterAndPrevious(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	mk := func(svc, version, status string, planned time.Time) ReleaseRow {
		return createRelease(t, s, ReleaseRow{Service: svc, Name: version, Version: version, Status: status, PlannedAt: planned, CreatedAt: t0})
	}
	r2 := mk("shop", "2", "planned", t0.Add(48*time.Hour))
	r1 := mk("shop", "1", "released", t0) // recorded after release 2, planned before it
	other := mk("shop-api", "1", "released", t0.Add(24*time.Hour))
	r1b := mk("shop", "1.1", "rolled_back", t0) // planned at the same time as release 1
	ids := func(rs []ReleaseRow) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    ReleaseFilter
		want []int64
	}{
		{"all", ReleaseFilter{}, []int64{r2.ID, other.ID, r1b.ID, r1.ID}},
		{"service exactly", ReleaseFilter{Service: "shop"}, []int64{r2.ID, r1b.ID, r1.ID}},
		{"status", ReleaseFilter{Status: []string{"released", "rolled_back"}}, []int64{other.ID, r1b.ID, r1.ID}},
		{"service and status", ReleaseFilter{Service: "shop", Status: []string{"planned"}}, []int64{r2.ID}},
		{"page", ReleaseFilter{Service: "shop", Limit: 1, Offset: 1}, []int64{r1b.ID}},
		{"past the end", ReleaseFilter{Offset: 10}, nil},
	} {
		if got, err := s.Releases(ctx, c.f); err != nil || !reflect.DeepEqual(ids(got), c.want) {
			t.Errorf("%s: Releases = %v (err %v), want %v", c.name, ids(got), err, c.want)
		}
	}
	for _, c := range []struct {
		of   ReleaseRow
		want int64 // 0: none
	}{{r2, r1b.ID}, {r1b, r1.ID}, {r1, 0}, {other, 0}} {
		got, err := s.PreviousRelease(ctx, c.of.ID)
		switch {
		case c.want == 0 && !errors.Is(err, ErrNotFound):
			t.Errorf("PreviousRelease(%s %s) = %d, %v; want ErrNotFound", c.of.Service, c.of.Version, got.ID, err)
		case c.want != 0 && (err != nil || got.ID != c.want):
			t.Errorf("PreviousRelease(%s %s) = %d, %v; want %d", c.of.Service, c.of.Version, got.ID, err, c.want)
		}
	}
	if _, err := s.PreviousRelease(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("PreviousRelease(unknown) err %v", err)
	}
}

// testReleaseStatus: a change applies only from the status it expects, and
// each applied change is recorded.
func testReleaseStatus(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	r := createRelease(t, s, ReleaseRow{Service: "shop", Name: "2", Version: "2", Status: "planned", PlannedAt: t0, CreatedAt: t0})
	start := ReleaseStatusRow{ReleaseID: r.ID, From: "planned", To: "in_progress", At: t0.Add(time.Hour), By: "ops", Note: "window open"}
	if err := s.SetReleaseStatus(ctx, start, t0.Add(time.Hour), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetReleaseStatus(ctx, start, t0.Add(2*time.Hour), time.Time{}); !errors.Is(err, ErrStatusChanged) {
		t.Fatalf("stale change: err %v, want ErrStatusChanged", err)
	}
	done := ReleaseStatusRow{ReleaseID: r.ID, From: "in_progress", To: "released", At: t0.Add(3 * time.Hour), By: "ops"}
	if err := s.SetReleaseStatus(ctx, done, t0.Add(time.Hour), t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Release(ctx, r.ID)
	if got.Status != "released" || !got.StartedAt.Equal(t0.Add(time.Hour)) || !got.FinishedAt.Equal(t0.Add(3*time.Hour)) || !got.UpdatedAt.Equal(done.At) {
		t.Errorf("after release: %+v", got)
	}
	hist, _ := s.ReleaseHistory(ctx, r.ID)
	if len(hist) != 3 || hist[1] != start || hist[2] != done {
		t.Errorf("history = %+v", hist)
	}
	missing := done
	missing.ReleaseID = r.ID + 1
	if err := s.SetReleaseStatus(ctx, missing, time.Time{}, time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown release: err %v", err)
	}
}

// testReleaseVersionRace: writers recording the same version at once end
// with one release, and every other writer gets ErrReleaseExists.
func testReleaseVersionRace(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := s.CreateRelease(ctx, ReleaseRow{Service: "shop", Name: "2", Version: "2", Status: "planned", PlannedAt: t0},
				nil, ReleaseStatusRow{To: "planned"})
			errs <- err
		}()
	}
	created := 0
	for range 4 {
		switch err := <-errs; {
		case err == nil:
			created++
		case !errors.Is(err, ErrReleaseExists):
			t.Errorf("err %v, want ErrReleaseExists", err)
		}
	}
	if all, _ := s.Releases(ctx, ReleaseFilter{}); created != 1 || len(all) != 1 {
		t.Errorf("%d created, %d stored; want 1", created, len(all))
	}
}
