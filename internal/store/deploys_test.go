package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// testDeploys: every field comes back as written; Deploys selects by service
// and [since, until), newest first.
func testDeploys(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	var d []DeployRow
	for _, in := range []DeployRow{
		{ID: 999, Service: "shop", Version: "v2.3.0", Environment: "prod", Artifact: "registry/shop@sha256:ab12", By: "ci/github",
			At: t0.Add(-time.Hour), Notes: "canary then full\nü"},
		{Service: "shop-api", Version: "v1.9", Environment: "prod", At: t0},
		{Service: "shop", Version: "v2.3.1", Environment: "staging", At: t0},
		{Service: "shop", Version: "v2.4.0", Environment: "prod", At: t0.Add(time.Hour + 5*time.Millisecond), Notes: "bad \x00"},
	} {
		got, err := s.RecordDeploy(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(d) > 0 && got.ID <= d[len(d)-1].ID {
			t.Fatalf("deploy id %d after %d; want increasing", got.ID, d[len(d)-1].ID)
		}
		in.ID = got.ID
		if in.Notes == "bad \x00" {
			in.Notes = "bad \uFFFD"
		}
		if !reflect.DeepEqual(got, in) {
			t.Errorf("RecordDeploy =\n%+v\nwant\n%+v", got, in)
		}
		d = append(d, in)
	}
	for _, c := range []struct {
		name         string
		service      string
		since, until time.Time
		want         []DeployRow
	}{
		{"all", "", time.Time{}, time.Time{}, []DeployRow{d[3], d[2], d[1], d[0]}},
		{"service exactly", "shop", time.Time{}, time.Time{}, []DeployRow{d[3], d[2], d[0]}},
		{"since is inclusive", "", t0, time.Time{}, []DeployRow{d[3], d[2], d[1]}},
		{"until is exclusive", "", time.Time{}, t0, []DeployRow{d[0]}},
		{"range", "", t0.Add(-time.Hour), t0.Add(time.Hour + 5*time.Millisecond), []DeployRow{d[2], d[1], d[0]}},
		{"service and range", "shop", t0, t0.Add(2 * time.Hour), []DeployRow{d[3], d[2]}},
		{"empty range", "", t0.Add(time.Minute), t0.Add(time.Hour), nil},
		{"unknown service", "cart", time.Time{}, time.Time{}, nil},
	} {
		if got, err := s.Deploys(ctx, c.service, c.since, c.until); err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Deploys =\n%+v (err %v)\nwant\n%+v", c.name, got, err, c.want)
		}
	}
	if got, err := s.DeployPage(ctx, "shop", time.Time{}, time.Time{}, 2); err != nil || !reflect.DeepEqual(got, []DeployRow{d[3], d[2]}) {
		t.Errorf("DeployPage(shop, 2) =\n%+v (err %v); want the newest two", got, err)
	}
}

// testDeployVerification: a deploy's release, status, commits, source and
// verification come back as written; a verification takes progress and
// one verdict (a second decider is told it came too late); what the
// verdict set off is noted; pending ones are found for a restart, and a
// version's verified environments are those where it passed.
func testDeployVerification(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	pending := func(checks ...string) *Verification {
		v := &Verification{Status: VerifyPending, StartedAt: t0, Deadline: t0.Add(5 * time.Minute)}
		for _, c := range checks {
			v.Checks = append(v.Checks, VerifyCheck{Check: c, Status: VerifyPending})
		}
		return v
	}
	in := DeployRow{Service: "shop", Version: "2.0.0", Environment: "staging", By: "ci", At: t0, ReleaseID: 7, Status: "succeeded",
		Source: "api", Commits: []Commit{{SHA: "a1b2c3", At: t0.Add(-2*time.Hour + 123456789)}, {SHA: "d4e5f6", At: t0.Add(-time.Hour)}},
		Verification: pending("shop/home", "shop/cart")}
	staging, err := s.RecordDeploy(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID = staging.ID
	want.Commits = []Commit{{SHA: "a1b2c3", At: t0.Add(-2*time.Hour + 123*time.Millisecond)}, {SHA: "d4e5f6", At: t0.Add(-time.Hour)}}
	if !reflect.DeepEqual(staging, want) {
		t.Fatalf("RecordDeploy =\n%+v\nwant\n%+v", staging, want)
	}
	if in.Commits[0].At != t0.Add(-2*time.Hour+123456789) {
		t.Fatal("RecordDeploy changed the caller's commits")
	}
	prod, err := s.RecordDeploy(ctx, DeployRow{Service: "shop", Version: "2.0.0", Environment: "production", At: t0.Add(time.Hour),
		Status: "succeeded", Source: "pagerduty/orders", Verification: pending("shop/home")})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.RecordDeploy(ctx, DeployRow{Service: "docs", Version: "1", Environment: "production", At: t0})
	if err != nil || plain.Verification != nil {
		t.Fatalf("a deploy without checks: %+v %v", plain, err)
	}
	if got, err := s.PendingVerifications(ctx); err != nil || len(got) != 2 || got[0].ID != staging.ID || got[1].ID != prod.ID {
		t.Fatalf("PendingVerifications = %+v, %v", got, err)
	}

	progress := *staging.Verification
	progress.Checks = []VerifyCheck{{Check: "shop/home", Status: VerifyPassed, Results: 1, Passes: 1, Last: "pass", At: t0.Add(time.Second)},
		{Check: "shop/cart", Status: VerifyPending, Results: 1, Fails: 1, Last: "fail", Reason: "status == 200 failed (status=503)"}}
	if ok, err := s.SaveVerification(ctx, staging.ID, progress); !ok || err != nil {
		t.Fatalf("progress: %v %v", ok, err)
	}
	passed := progress
	passed.Status, passed.ConcludedAt, passed.Reason = VerifyPassed, t0.Add(2*time.Second), "every check passed"
	passed.Checks[1] = VerifyCheck{Check: "shop/cart", Status: VerifyPassed, Results: 2, Passes: 1, Last: "pass", At: t0.Add(2 * time.Second)}
	if ok, err := s.SaveVerification(ctx, staging.ID, passed); !ok || err != nil {
		t.Fatalf("verdict: %v %v", ok, err)
	}
	late := passed
	late.Status, late.Reason = VerifyFailed, "too late"
	if ok, err := s.SaveVerification(ctx, staging.ID, late); ok || err != nil {
		t.Fatalf("a second verdict was taken: %v %v", ok, err)
	}
	got, err := s.Deploy(ctx, staging.ID)
	if err != nil || !reflect.DeepEqual(*got.Verification, passed) {
		t.Fatalf("Deploy = %+v (%v)\nwant verification %+v", got.Verification, err, passed)
	}
	failed := *prod.Verification
	failed.Status, failed.Reason, failed.ConcludedAt = VerifyFailed, "shop/home failed", t0.Add(time.Hour+time.Minute)
	if ok, err := s.SaveVerification(ctx, prod.ID, failed); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if got, err := s.UnraisedFailures(ctx, t0); err != nil || len(got) != 1 || got[0].ID != prod.ID {
		t.Fatalf("UnraisedFailures before the alert is noted = %+v, %v", got, err)
	}
	if got, err := s.UnraisedFailures(ctx, t0.Add(2*time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("UnraisedFailures since later = %+v, %v", got, err)
	}
	if err := s.NoteVerification(ctx, prod.ID, 42, "r_abc"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Deploy(ctx, prod.ID); got.Verification.AlertID != 42 || got.Verification.RollbackRun != "r_abc" || got.Verification.Status != VerifyFailed {
		t.Fatalf("noted: %+v", got.Verification)
	}
	if got, err := s.UnraisedFailures(ctx, t0); err != nil || len(got) != 0 {
		t.Fatalf("UnraisedFailures after the alert is noted = %+v, %v", got, err)
	}
	if got, err := s.PendingVerifications(ctx); err != nil || len(got) != 0 {
		t.Fatalf("PendingVerifications after verdicts = %+v, %v", got, err)
	}
	if envs, err := s.VerifiedEnvironments(ctx, "shop", "2.0.0"); err != nil || !reflect.DeepEqual(envs, []string{"staging"}) {
		t.Fatalf("VerifiedEnvironments = %v, %v", envs, err)
	}
	if envs, err := s.VerifiedEnvironments(ctx, "shop", "2.0.1"); err != nil || len(envs) != 0 {
		t.Fatalf("VerifiedEnvironments of another version = %v, %v", envs, err)
	}
	if _, err := s.Deploy(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Deploy(999): %v", err)
	}
	if page, err := s.DeployPage(ctx, "shop", time.Time{}, time.Time{}, 10); err != nil || len(page) != 2 || page[0].Verification.Status != VerifyFailed {
		t.Fatalf("DeployPage with verifications: %+v %v", page, err)
	}
}
