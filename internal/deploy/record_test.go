package deploy

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

// The deploy Record returns is the deploy as recorded: results that reach
// its verification afterwards change the verifier's own, never the one the
// caller is answering with (an API handler encodes it meanwhile).
func TestRecordAnswersWithWhatItRecorded(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	// No Probe: the only result is the one the test hands over.
	s := shopService(t, Deps{Clock: clock.NewFake(now)})

	d, err := s.Record(ctx, Input{Service: "shop", Version: "1.0.0", Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Verification == nil || len(d.Verification.Checks) != 1 {
		t.Fatalf("recorded %+v; want a verification of shop/home", d.Verification)
	}
	s.Results("shop/home", check.Result{At: now, Status: check.Pass})
	got, err := s.Get(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verification.Status != store.VerifyPassed || got.Verification.Checks[0].Results != 1 {
		t.Fatalf("stored after a passing result: %+v", got.Verification)
	}
	if v := d.Verification; v.Status != store.VerifyPending || v.Checks[0].Results != 0 || v.Checks[0].Status != store.VerifyPending {
		t.Fatalf("the recorded deploy changed under its caller: %+v", v)
	}
}

// A deploy recorded as Run takes up pending verifications is read back
// with them: it is watched, and its checks probed, once.
func TestRecordedAsRunResumesIsWatchedOnce(t *testing.T) {
	ctx := context.Background()
	var probes atomic.Int32
	s := shopService(t, Deps{Clock: clock.NewFake(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)),
		Probe: func(context.Context, string) (check.Result, error) {
			probes.Add(1)
			return check.Result{}, nil
		}})
	if _, err := s.Record(ctx, Input{Service: "shop", Version: "1.0.0", Environment: "production"}); err != nil {
		t.Fatal(err)
	}
	if err := s.v.resume(ctx); err != nil {
		t.Fatal(err)
	}
	s.v.cancel()
	s.v.wg.Wait() // every probe started has run
	if n := probes.Load(); n != 1 {
		t.Fatalf("shop/home probed %d times; want once, by the deploy's one verification", n)
	}
}

// shopService is a deploy service for shop, whose one acceptance check
// verifies its deploys within a minute, on a store of its own, with d's
// clock and probe. Its verifier stops before the store closes.
func shopService(t *testing.T, d Deps) *Service {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg, err := config.Parse("vigil.yaml", []byte(`
services:
  - id: shop
    checks:
      - {id: home, http: {url: "http://127.0.0.1:1/"}, every: 10s, acceptance: true}
    deploy: {verify_within: 1m}
`), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	d.Store = st
	s := New(d)
	if err := s.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.v.cancel(); s.v.wg.Wait() }) // before the store closes (cleanups run last first)
	return s
}
