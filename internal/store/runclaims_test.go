package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

func openEngine(t *testing.T, e storetest.Engine) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), e.Fresh(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func admit(t *testing.T, s *store.Store, row store.RunRow, c store.RunClaim) {
	t.Helper()
	err := s.AdmitRun(context.Background(), row.Runbook, c, func(store.Admission) (*store.RunRow, error) { return &row, nil })
	if err != nil {
		t.Fatal(err)
	}
}

func ids(rows []store.RunRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// TestRunClaimsFenceAndTakeOver: a run's writes are its runner's only;
// renewing keeps it; a run let go of is claimed by exactly one of two
// replicas claiming at once, and its old runner is fenced from then on.
func TestRunClaimsFenceAndTakeOver(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openEngine(t, e)
			r1 := store.RunClaim{Runner: "r1", TTL: time.Hour}
			r2 := store.RunClaim{Runner: "r2", TTL: time.Hour}
			r3 := store.RunClaim{Runner: "r3", TTL: time.Hour}
			at := time.UnixMilli(1_700_000_000_000)
			a := store.RunRow{ID: "r_a", Runbook: "rb", Status: store.RunRunning, LockKey: "rb", CreatedAt: at}
			b := store.RunRow{ID: "r_b", Runbook: "rb", Status: store.RunAwaiting, LockKey: "rb", CreatedAt: at.Add(time.Second)}
			admit(t, s, a, r1)
			admit(t, s, b, r1)
			if got, _, err := s.Run(ctx, "r_a"); err != nil || got.Runner != "r1" {
				t.Fatalf("runner = %q, %v; want r1", got.Runner, err)
			}
			if err := s.SaveRunClaimed(ctx, a, r1); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveRunClaimed(ctx, a, r2); !errors.Is(err, store.ErrFenced) {
				t.Fatalf("save by another replica = %v, want ErrFenced", err)
			}
			st := store.StepRow{RunID: "r_a", Seq: 0, StepID: "s", Kind: "run", Status: "running"}
			if err := s.SaveStepClaimed(ctx, st, r2); !errors.Is(err, store.ErrFenced) {
				t.Fatalf("step saved by another replica = %v, want ErrFenced", err)
			}
			if _, steps, _ := s.Run(ctx, "r_a"); len(steps) != 0 {
				t.Fatalf("a fenced step was stored: %+v", steps)
			}
			if kept, err := s.RenewRuns(ctx, []string{"r_a", "r_b"}, r1); err != nil || len(kept) != 2 {
				t.Fatalf("renewed %+v, %v; want both", kept, err)
			}
			if kept, err := s.RenewRuns(ctx, []string{"r_a"}, r2); err != nil || len(kept) != 0 {
				t.Fatalf("r2 renewed %+v, %v; want none", kept, err)
			}
			if got, err := s.ClaimStaleRuns(ctx, r2, 10); err != nil || len(got) != 0 {
				t.Fatalf("claimed live runs %v, %v", ids(got), err)
			}

			// r1 lets go (a clean stop); r2 and r3 claim at once.
			if err := s.ReleaseRuns(ctx, "r1"); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			got := make([][]store.RunRow, 2)
			for i, c := range []store.RunClaim{r2, r3} {
				wg.Go(func() {
					rows, err := s.ClaimStaleRuns(ctx, c, 10)
					if err != nil {
						t.Error(err)
					}
					got[i] = rows
				})
			}
			wg.Wait()
			all := append(ids(got[0]), ids(got[1])...)
			slices.Sort(all)
			if !slices.Equal(all, []string{"r_a", "r_b"}) {
				t.Fatalf("claims %v and %v; want each run claimed once", ids(got[0]), ids(got[1]))
			}
			winner := r2
			if slices.Contains(ids(got[1]), "r_a") {
				winner = r3
			}
			if err := s.SaveRunClaimed(ctx, a, r1); !errors.Is(err, store.ErrFenced) {
				t.Fatalf("the old runner saved after the takeover: %v", err)
			}
			if kept, _ := s.RenewRuns(ctx, []string{"r_a", "r_b"}, r1); len(kept) != 0 {
				t.Fatalf("the old runner renewed %+v after the takeover", kept)
			}
			// A finished run is never claimed again.
			a.Status, a.EndedAt = store.RunSucceeded, at.Add(time.Minute)
			if err := s.SaveRunClaimed(ctx, a, winner); err != nil {
				t.Fatal(err)
			}
			for _, c := range []store.RunClaim{r2, r3} {
				if err := s.ReleaseRuns(ctx, c.Runner); err != nil {
					t.Fatal(err)
				}
			}
			if rows, err := s.ClaimStaleRuns(ctx, r1, 10); err != nil || len(rows) != 1 || rows[0].ID != "r_b" || rows[0].Runner != "r1" {
				t.Fatalf("claimed %v, %v; want only the unfinished r_b", ids(rows), err)
			}
		})
	}
}

// TestAdmissionHoldsAcrossConnections: runs admitted at once through
// separate calls, each counting the live runs of a lock key, never
// exceed a concurrency of one.
func TestAdmissionHoldsAcrossConnections(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openEngine(t, e)
			var wg sync.WaitGroup
			const n = 8
			// Each decision waits, after counting, for the others to count
			// too (or a moment, when the admission lock keeps them out), so
			// without the lock all would see room.
			var arrived sync.WaitGroup
			arrived.Add(n)
			all := make(chan struct{})
			go func() { arrived.Wait(); close(all) }()
			for i := range n {
				wg.Go(func() {
					row := store.RunRow{ID: fmt.Sprintf("r_%d", i), Runbook: "rb", Status: store.RunRunning, LockKey: "rb/db1"}
					err := s.AdmitRun(ctx, "rb", store.RunClaim{}, func(a store.Admission) (*store.RunRow, error) {
						live, err := a.Count(store.RunCount{LockKey: "rb/db1", Statuses: []string{store.RunPending, store.RunAwaiting, store.RunRunning}})
						arrived.Done()
						select {
						case <-all:
						case <-time.After(100 * time.Millisecond):
						}
						if err != nil || live > 0 {
							return nil, err
						}
						return &row, nil
					})
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n, err := s.CountRuns(ctx, store.RunCount{LockKey: "rb/db1"}); err != nil || n != 1 {
				t.Fatalf("%d runs admitted with concurrency 1 (%v)", n, err)
			}
		})
	}
}

// TestAnswerRunOnce: the first answer to the current wait stands; an
// answer to another wait, or a second one, is refused; saving the run
// keeps the answer until it opens its next wait.
func TestAnswerRunOnce(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openEngine(t, e)
			row := store.RunRow{ID: "r_w", Runbook: "rb", Status: store.RunAwaiting, WaitGen: 1}
			admit(t, s, row, store.RunClaim{})
			for _, c := range []struct {
				gen  int
				ans  string
				want bool
			}{{2, "approved", false}, {1, "approved", true}, {1, "denied", false}} {
				ok, err := s.AnswerRun(ctx, "r_w", c.gen, store.RunAnswer{Answer: c.ans, By: "person/glen", Note: "ok"})
				if err != nil || ok != c.want {
					t.Fatalf("answer %s to wait %d = %v, %v; want %v", c.ans, c.gen, ok, err, c.want)
				}
			}
			if err := s.SaveRun(ctx, row); err != nil {
				t.Fatal(err)
			}
			got, _, _ := s.Run(ctx, "r_w")
			if got.Answer != (store.RunAnswer{Answer: "approved", By: "person/glen", Note: "ok"}) {
				t.Fatalf("answer after a save of the same wait = %+v", got.Answer)
			}
			row.WaitGen = 2
			if err := s.SaveRun(ctx, row); err != nil {
				t.Fatal(err)
			}
			if got, _, _ := s.Run(ctx, "r_w"); got.Answer != (store.RunAnswer{}) || got.WaitGen != 2 {
				t.Fatalf("a new wait kept the old answer: %+v (wait %d)", got.Answer, got.WaitGen)
			}
		})
	}
}

// TestBreakerOpensOnce: of replicas opening a breaker together one does;
// once it closed it may open again.
func TestBreakerOpensOnce(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openEngine(t, e)
			now := time.UnixMilli(1_700_000_000_000)
			if until, err := s.BreakerUntil(ctx, "rb"); err != nil || !until.IsZero() {
				t.Fatalf("a breaker never opened is open until %v (%v)", until, err)
			}
			for i, c := range []struct {
				now  time.Time
				want bool
			}{{now, true}, {now.Add(time.Minute), false}, {now.Add(time.Hour), true}} {
				ok, err := s.OpenBreaker(ctx, "rb", c.now, c.now.Add(time.Hour))
				if err != nil || ok != c.want {
					t.Fatalf("opening #%d = %v, %v; want %v", i, ok, err, c.want)
				}
			}
			if until, err := s.BreakerUntil(ctx, "rb"); err != nil || !until.Equal(now.Add(2*time.Hour)) {
				t.Fatalf("open until %v (%v), want %v", until, err, now.Add(2*time.Hour))
			}
		})
	}
}
