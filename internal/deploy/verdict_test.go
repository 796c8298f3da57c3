package deploy

import (
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func result(s check.Status, at time.Duration, why string) check.Result {
	return check.Result{At: t0.Add(at), Status: s, Error: why}
}

// TestFoldDecidesByTheCheckThresholds: a check passes a verification after
// recover_after passes in a row and fails it after fail_after failures in
// a row; a pass resets the failures; warn counts as up; a decided check
// keeps its verdict.
func TestFoldDecidesByTheCheckThresholds(t *testing.T) {
	th := thresholds{pass: 2, fail: 3}
	cases := []struct {
		name    string
		results []check.Result
		want    store.VerifyCheck
	}{
		{"two passes", []check.Result{result(check.Pass, 0, ""), result(check.Warn, time.Second, "")},
			store.VerifyCheck{Status: store.VerifyPassed, Results: 2, Passes: 2, Last: "warn", At: t0.Add(time.Second)}},
		{"failures reset by a pass", []check.Result{result(check.Fail, 0, "503"), result(check.Fail, 1, "503"), result(check.Pass, 2, ""),
			result(check.Fail, 3, "timeout")},
			store.VerifyCheck{Status: store.VerifyPending, Results: 4, Fails: 1, Last: "fail", Reason: "timeout"}},
		{"three failures", []check.Result{result(check.Fail, 0, "503"), result(check.Fail, 1, "503"), result(check.Fail, 2, "refused")},
			store.VerifyCheck{Status: store.VerifyFailed, Results: 3, Fails: 3, Last: "fail", Reason: "refused", At: t0.Add(2)}},
		{"decided stays decided", []check.Result{result(check.Pass, 0, ""), result(check.Pass, 1, ""), result(check.Fail, 2, "x"),
			result(check.Fail, 3, "x"), result(check.Fail, 4, "x")},
			store.VerifyCheck{Status: store.VerifyPassed, Results: 5, Fails: 3, Last: "fail", Reason: "x", At: t0.Add(1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vc := store.VerifyCheck{Status: store.VerifyPending}
			for _, r := range c.results {
				fold(&vc, r, th)
			}
			if vc != c.want {
				t.Fatalf("got %+v\nwant %+v", vc, c.want)
			}
		})
	}
}

// TestJudgeAndExpire: one failed check fails the verification, all passed
// pass it; at the deadline every undecided check fails, each saying why.
func TestJudgeAndExpire(t *testing.T) {
	v := newVerification([]string{"shop/home", "shop/cart", "shop/api"}, t0, t0.Add(time.Minute))
	if s, _ := judge(v); s != store.VerifyPending {
		t.Fatalf("fresh: %s", s)
	}
	v.Checks[0] = store.VerifyCheck{Check: "shop/home", Status: store.VerifyPassed, Results: 1, Passes: 1, Last: "pass"}
	v.Checks[1] = store.VerifyCheck{Check: "shop/cart", Status: store.VerifyPending, Results: 3, Fails: 1, Last: "fail", Reason: "status=503"}
	if s, _ := judge(v); s != store.VerifyPending {
		t.Fatalf("partly decided: %s", s)
	}
	why := expire(v, t0.Add(time.Minute), time.Minute)
	want := "shop/cart did not pass within 1m (3 result(s), last failed: status=503); shop/api did not pass within 1m (no result)"
	if why != want {
		t.Fatalf("expire:\n%s\nwant\n%s", why, want)
	}
	if s, reason := judge(v); s != store.VerifyFailed || reason != "shop/cart failed once: status=503" {
		t.Fatalf("after expiry: %s %q", s, reason)
	}
	all := newVerification([]string{"a/b", "a/c"}, t0, t0.Add(time.Minute))
	for i := range all.Checks {
		all.Checks[i].Status = store.VerifyPassed
	}
	if s, reason := judge(all); s != store.VerifyPassed || reason != "all 2 checks passed" {
		t.Fatalf("all passed: %s %q", s, reason)
	}
}

// TestVerifyChecksByEnvironment: checks labelled with the deploy's
// environment verify it; without such a check, the unlabelled ones do.
func TestVerifyChecksByEnvironment(t *testing.T) {
	svc := &config.Service{ID: "shop", Checks: []config.Check{
		{ID: "home", Acceptance: true},
		{ID: "stg", Acceptance: true, Labels: map[string]string{"environment": "staging"}},
		{ID: "qa", Acceptance: true, Labels: map[string]string{"environment": "qa"}},
		{ID: "db"},
	}}
	for env, want := range map[string][]string{"production": {"shop/home"}, "staging": {"shop/stg"}, "qa": {"shop/qa"}, "dev": {"shop/home"}} {
		if got := verifyChecks(svc, env); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", env, got, want)
		}
	}
	svc.Deploy = &config.DeployPolicy{Verify: []string{"db"}}
	if got := verifyChecks(svc, "production"); !slices.Equal(got, []string{"shop/db"}) {
		t.Errorf("deploy.verify: %v", got)
	}
}

// TestUnpinnedImages: no tag and :latest are refused; a version tag or a
// digest pins; a registry port is not a tag.
func TestUnpinnedImages(t *testing.T) {
	for ref, refused := range map[string]bool{
		"shop":                           true,
		"shop:latest":                    true,
		"registry.example/shop:latest":   true,
		"localhost:5000/shop":            true,
		"localhost:5000/shop:2.0.1":      false,
		"shop:2.0.1":                     false,
		"shop@sha256:9f86d081884c7d65":   false,
		"shop:latest@sha256:9f86d08188":  false,
		"shop@sha256":                    true,
		"ghcr.io/exotic/plant-shop:v2.0": false,
	} {
		if got := unpinned(ref) != ""; got != refused {
			t.Errorf("%s: refused %v, want %v (%s)", ref, got, refused, unpinned(ref))
		}
	}
}
