package store

import (
	"context"
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
