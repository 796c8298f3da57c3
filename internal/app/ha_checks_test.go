package app

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/bench"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// TestHAKillCheckOwner runs three vigil serve replicas on one Postgres
// database with 30 HTTP checks every second against a target that records
// which replica probed each check when. Every replica probes some checks
// and no check is probed by two; a replica holding check shards is killed
// with SIGKILL, and the survivors probe all its checks within the lease TTL
// and one interval, keeping every check on its interval after that; the
// replica started again gets its share back.
func TestHAKillCheckOwner(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; replicas need Postgres (see .ci/postgres.sh)")
	}
	const every, ttl, heartbeat = time.Second, 2 * time.Second, 200 * time.Millisecond
	rep, err := bench.RunChecksHA(t.Context(), bench.ChecksHAOptions{
		Binary: os.Args[0], Env: []string{"VIGIL_TEST_EXEC=1"}, Store: storetest.PostgresSchema(t, base),
		Replicas: 3, Checks: 30, Every: every, Heartbeat: heartbeat, LeaseTTL: ttl, Window: 3 * time.Second,
		Kill: true, Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(rep.ProbedBy, 0) {
		t.Fatalf("checks probed per replica = %v; want every replica probing some", rep.ProbedBy)
	}
	if rep.Doubled != 0 {
		t.Fatalf("%d checks probed by two replicas in a steady phase: %s", rep.Doubled, rep.DoubledIn)
	}
	if rep.Silent != 0 {
		t.Fatalf("%d checks not probed at all in a steady phase", rep.Silent)
	}
	// On its interval: a gap of two intervals means a probe was missed.
	// (Scheduling lag on a loaded machine is tens of milliseconds.)
	if rep.MaxGapSeconds >= 2*every.Seconds() {
		t.Fatalf("a check went %.2fs without a probe in a steady phase (interval %s)", rep.MaxGapSeconds, every)
	}
	if rep.KilledChecks == 0 {
		t.Fatal("the killed replica probed no checks; the test proves little")
	}
	// The failover window is the lease TTL plus the heartbeats that notice
	// the death; then each check runs within one interval.
	if limit := (ttl + 3*heartbeat + every + 500*time.Millisecond).Seconds(); rep.TakeoverSeconds > limit {
		t.Fatalf("the killed replica's checks were probed by others only %.2fs after the kill, want ≤ %.2fs", rep.TakeoverSeconds, limit)
	}
	if slices.Contains(rep.AfterJoinBy, 0) {
		t.Fatalf("after the killed replica came back, checks per replica = %v; want every replica probing some", rep.AfterJoinBy)
	}
}
