package app

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/bench"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// TestHAKillLeaderUnderLoad runs three vigil serve replicas on one
// Postgres database under steady Alertmanager load spread over all three,
// kills the one running the pager with SIGKILL, and finds every alert that
// got a 2xx stored and paged, with duplicate pages bounded by what one
// destination can have in flight (one bundle).
func TestHAKillLeaderUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; replicas need Postgres (see .ci/postgres.sh)")
	}
	rep, err := bench.RunHA(t.Context(), bench.HAOptions{
		Binary: os.Args[0], Env: []string{"VIGIL_TEST_EXEC=1"}, Store: storetest.PostgresSchema(t, base),
		Replicas: 3, Clients: 6, Batch: 20, Kills: 1, AckedPerKill: 1000,
		Heartbeat: 200 * time.Millisecond, LeaseTTL: 2 * time.Second, Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d alerts acknowledged (%.0f/s); %d stored, %d paged, %d duplicates; failover %.2fs",
		rep.Acknowledged, rep.AckedPerSec, rep.Found, rep.Delivered, rep.Duplicates, rep.FailoverSeconds[0])
	if rep.Acknowledged < 1000 {
		t.Fatalf("only %d alerts were acknowledged; the test proves little", rep.Acknowledged)
	}
	if rep.Found != rep.Acknowledged {
		t.Fatalf("%d acknowledged alerts lost, e.g. %v", rep.Acknowledged-rep.Found, rep.Missing)
	}
	if rep.Delivered != rep.Acknowledged {
		t.Fatalf("%d acknowledged alerts never paged, e.g. %v", rep.Acknowledged-rep.Delivered, rep.Undelivered)
	}
	// One destination, one send in flight cluster-wide, at most 50
	// notifications a bundle: that is all a dead replica can leave sent but
	// unrecorded. A notification carries every alert of a pager batch, so
	// the bound is on notifications; every duplicate page must come from
	// such a redelivery, none from paging twice.
	t.Logf("%d notifications delivered again, %d pages repeated outside a redelivery", rep.Redelivered, rep.Repaged)
	if rep.Redelivered > 50 {
		t.Fatalf("%d notifications delivered again; at most one bundle (50) was in flight", rep.Redelivered)
	}
	if rep.Repaged != 0 {
		t.Fatalf("%d alerts paged twice outside a redelivery: the pager paged them again", rep.Repaged)
	}
	if rep.FailoverSeconds[0] > 10 {
		t.Fatalf("failover took %.1fs with a 2s lease", rep.FailoverSeconds[0])
	}
}

// testLog writes a scenario's log to the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(string(p))
	return len(p), nil
}

// TestHAStaleLeaderIsFenced stops the replica running the pager with
// SIGSTOP while pages wait in its memory, lets the other replica take over
// and page, then resumes it: it must not page again with its stale lease,
// and it steps down.
func TestHAStaleLeaderIsFenced(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and stops processes")
	}
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; replicas need Postgres (see .ci/postgres.sh)")
	}
	rep, err := bench.RunFence(t.Context(), bench.FenceOptions{
		Binary: os.Args[0], Env: []string{"VIGIL_TEST_EXEC=1"}, Store: storetest.PostgresSchema(t, base), Alerts: 20,
		Heartbeat: 200 * time.Millisecond, LeaseTTL: 2 * time.Second, GroupWait: 5 * time.Second, Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Paged != 20 {
		t.Fatalf("%d of 20 alerts paged after the takeover", rep.Paged)
	}
	if rep.Duplicates != 0 {
		t.Fatalf("%d duplicate pages: the stale leader paged with its old lease\n%s", rep.Duplicates, rep.StaleLog)
	}
	if !rep.SteppedDown {
		t.Fatalf("the stale leader did not step down; its log:\n%s", rep.StaleLog)
	}
}

// TestHARunsAreClaimedByAnyReplica runs three replicas. Two runs started
// through a replica that does not lead are executed there; it is killed
// with SIGKILL mid-step, and another replica takes both over: the run at a
// step that is not idempotent is marked interrupted and the one at an
// idempotent step resumes and succeeds, each exactly once, also after the
// killed replica is back. Two runs of a runbook with concurrency 1 started
// at once through two replicas: one is admitted, the other refused. A run
// started through one replica is followed live through a second and
// approved through a third. A run waiting for approval whose replica died
// is approved through another and goes on where it was taken over. A
// replica stopped (SIGSTOP) past its claim mid-step is fenced when it
// resumes: the run, taken over and finished elsewhere, ends once.
func TestHARunsAreClaimedByAnyReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; replicas need Postgres (see .ci/postgres.sh)")
	}
	rep, err := bench.RunRuns(t.Context(), bench.RunOptions{
		Binary: os.Args[0], Env: []string{"VIGIL_TEST_EXEC=1"}, Store: storetest.PostgresSchema(t, base),
		Heartbeat: 200 * time.Millisecond, LeaseTTL: 2 * time.Second, Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != "interrupted" {
		t.Fatalf("run %s is %s after its replica died mid-step, want interrupted", rep.RunID, rep.Status)
	}
	if rep.Interrupted != 1 || !rep.Restarted {
		t.Fatalf("run.interrupted recorded %d times (restarted: %v), want once", rep.Interrupted, rep.Restarted)
	}
	if rep.ResumedStatus != "succeeded" || rep.ResumedRunner == rep.Runner || rep.ResumedRunner == "" {
		t.Fatalf("idempotent run %s is %s on %q after %q died, want succeeded on another replica", rep.ResumedID, rep.ResumedStatus, rep.ResumedRunner, rep.Runner)
	}
	if !rep.ClaimMetric {
		t.Fatal(`/metrics has no vigil_cluster_claim_seconds{kind="runs"}`)
	}
	if rep.Resumed != 1 {
		t.Fatalf("run.resumed recorded %d times for the idempotent run, want once", rep.Resumed)
	}
	if !slices.Equal(rep.LockStatuses, []int{201, 409}) || !strings.Contains(rep.LockRefusal, "concurrency") {
		t.Fatalf("two runs with concurrency 1 through two replicas answered %v (%s), want one 201 and one 409 from the concurrency guard", rep.LockStatuses, rep.LockRefusal)
	}
	if rep.ApprovedStatus != "succeeded" || !strings.Contains(rep.ApprovedBy, "bench-approver") {
		t.Fatalf("run approved through another replica is %s, approved by %q", rep.ApprovedStatus, rep.ApprovedBy)
	}
	if rep.FollowedStatus != "succeeded" {
		t.Fatalf("the live log followed through a replica not running the run ended with %q, want succeeded", rep.FollowedStatus)
	}
	if rep.OrphanStatus != "succeeded" {
		t.Fatalf("a run approved after its replica died is %s (on %s), want succeeded on the replica that took it over", rep.OrphanStatus, rep.OrphanRunner)
	}
	if rep.PausedStatus != "succeeded" || rep.PausedFinished != 1 || !rep.PausedStopped {
		t.Fatalf("run %s of a replica stopped past its claim: %s on %s, finished %d times, the resumed replica stopped it: %v; want succeeded once elsewhere, stopped",
			rep.PausedID, rep.PausedStatus, rep.PausedRunner, rep.PausedFinished, rep.PausedStopped)
	}
}
