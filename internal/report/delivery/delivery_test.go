package delivery

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

var from = time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC) // a Monday

func at(day, hour, minute int) time.Time {
	return from.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

func dep(id int64, when time.Time, commits ...store.Commit) store.DeployRow {
	return store.DeployRow{ID: id, Service: "shop", Version: "v" + formatID(id), Environment: "production", At: when, Status: "succeeded", Commits: commits}
}

func formatID(id int64) string { return strings.Repeat("1", int(id)) }

// TestComputeFourKeys: the keys of four weeks of shop deploys, worked by
// hand: 7 deploys to production (staging, a failed deploy and one before
// the window do not count); lead times 1h, 2h, 30m and 24h (a commit
// counts at its first deploy) give a 1h30m median; a failed verification,
// an incident and a rollback make 3 failures of 7; they were restored in
// 2h (the next deploy), 1h30m (the incident) and 1h (the next deploy).
func TestComputeFourKeys(t *testing.T) {
	c0, c1, c2, c3, c4 := store.Commit{SHA: "c0", At: at(-7, 9, 0)}, store.Commit{SHA: "c1", At: at(0, 9, 0)},
		store.Commit{SHA: "c2", At: at(1, 8, 0)}, store.Commit{SHA: "c3", At: at(1, 11, 30)}, store.Commit{SHA: "c4", At: at(21, 10, 0)}
	d2 := dep(2, at(1, 10, 0), c2, c1)
	d2.Verification = &store.Verification{Status: store.VerifyFailed}
	d5 := dep(5, at(15, 10, 0))
	d5.Status = "rolled_back"
	staging := dep(20, at(3, 9, 0))
	staging.Environment = "staging"
	broken := dep(21, at(4, 9, 0))
	broken.Status = "failed"
	in := Input{From: from, To: from.AddDate(0, 0, 28), Environment: "production", Now: from.AddDate(0, 0, 28),
		Deploys: []store.DeployRow{dep(7, at(22, 10, 0), c4), dep(0, at(-6, 10, 0), c0), dep(1, at(0, 10, 0), c1), d2, dep(3, at(1, 12, 0), c3),
			dep(4, at(7, 10, 0)), d5, dep(6, at(15, 11, 0)), staging, broken},
		Incidents: []store.IncidentRow{
			{ID: 1, Services: []string{"shop"}, StartedAt: at(7, 11, 0), ResolvedAt: at(7, 12, 30)},
			{ID: 2, Services: []string{"search"}, StartedAt: at(22, 11, 0)},                          // another service
			{ID: 3, Services: []string{"shop"}, StartedAt: at(24, 11, 0), ResolvedAt: at(24, 12, 0)}, // 2 days after the last deploy
		},
	}
	r := Compute(in)
	m := r.Overall
	if m.Deploys != 7 || m.Frequency != "weekly" || m.DeploysPerWeek != 1.75 || m.Changes != 4 || *m.LeadTimeSeconds != 5400 ||
		m.Failed != 3 || *m.ChangeFailureRate != 0.4286 || m.Restored != 3 || *m.TimeToRestoreSecs != 5400 {
		t.Fatalf("overall: %+v", m)
	}
	want := Bands{DeploymentFrequency: High, LeadTime: Elite, ChangeFailureRate: Medium, TimeToRestore: High, Overall: Medium}
	if m.Bands != want {
		t.Fatalf("bands %+v, want %+v", m.Bands, want)
	}
	if len(r.Services) != 1 || r.Services[0].Service != "shop" || r.Services[0].Deploys != 7 {
		t.Fatalf("services: %+v", r.Services)
	}
	var got []string
	for _, f := range r.Failures {
		got = append(got, formatID(f.Deploy)+" "+strings.Join(f.Why, "+")+" "+f.RestoredHow)
	}
	if strings.Join(got, "; ") != "11 verification failed deploy 3; 1111 incident incident resolved; 11111 rolled back deploy 6" {
		t.Fatalf("failures: %q", got)
	}
	md := Markdown(r, nil)
	for _, want := range []string{
		"| **All services** | 7 | weekly, 1.75 a week (high) | 1h 30m (4 changes) (elite) | 42.86% (3 of 7) (medium) | 1h 30m (high) | medium |",
		"| 4 | shop | v1111 | 2026-11-02 10:00 UTC | incident #1 | 1h 30m (incident resolved) |",
	} {
		if !strings.Contains(md, want) {
			t.Fatalf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestFrequencyBuckets: Four Keys' buckets, over four weeks.
func TestFrequencyBuckets(t *testing.T) {
	to := from.AddDate(0, 0, 28)
	var daily, weekly, monthly []time.Time
	for w := 0; w < 4; w++ {
		for d := 0; d < 3; d++ {
			daily = append(daily, at(7*w+d, 10, 0))
		}
		weekly = append(weekly, at(7*w+2, 10, 0))
	}
	monthly = []time.Time{at(3, 10, 0)}
	for name, c := range map[string]struct {
		at   []time.Time
		want string
	}{"daily": {daily, "daily"}, "weekly": {weekly, "weekly"}, "monthly": {monthly, "monthly"}, "none": {nil, "yearly"},
		"two weeks of four": {weekly[:2], "monthly"}} {
		if got := frequency(c.at, from, to); got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
}

// TestUntrustedTextInTheTable: a version or environment is text in the
// Markdown, never markup.
func TestUntrustedTextInTheTable(t *testing.T) {
	d := dep(1, at(1, 10, 0))
	d.Version, d.Status = "<img src=x onerror=alert(1)> | [x](javascript:y)", "rolled_back"
	md := Markdown(Compute(Input{From: from, To: from.AddDate(0, 0, 7), Environment: "production", Deploys: []store.DeployRow{d}}), nil)
	if strings.Contains(strings.ReplaceAll(md, `\<`, ""), "<") || strings.Contains(md, " [x](") || !strings.Contains(md, `\<img src=x onerror=alert(1)\> \| \[x\](javascript:y)`) {
		t.Fatalf("escaping:\n%s", md)
	}
}
