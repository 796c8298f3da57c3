package cluster_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/cluster"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
)

const ttl = 800 * time.Millisecond

func postgres(t *testing.T) *store.Store {
	t.Helper()
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; leases need Postgres (see .ci/postgres.sh)")
	}
	s, err := store.Open(context.Background(), storetest.PostgresSchema(t, base), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func node(s *store.Store, name string) *cluster.Node {
	return cluster.New(cluster.Options{Store: s, Name: name, Heartbeat: 100 * time.Millisecond, LeaseTTL: ttl})
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fencedWrite applies an inbox message under f, as the pager does.
func fencedWrite(t *testing.T, s *store.Store, f store.Fence) error {
	t.Helper()
	ctx := context.Background()
	id, err := s.AddInbox(ctx, store.InboxMessage{Module: "pager", Payload: []byte(`{}`), Sender: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return s.WriteAlerts(ctx, store.AlertBatch{Fence: f, Inbox: []store.InboxOutcome{{ID: id, Outcome: []byte(`{}`)}}})
}

func TestOneHolderAndEpochsOnTheDatabaseClock(t *testing.T) {
	s := postgres(t)
	ctx := context.Background()
	a, b := node(s, "a"), node(s, "b")
	la, lb := a.Lease("leader", 1), b.Lease("leader", 1)
	if err := a.Join(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Join(ctx); err != nil {
		t.Fatal(err)
	}
	fa, held := la.Held()
	if !held || fa.Epoch != 1 || fa.Holder != a.ID() {
		t.Fatalf("first replica's lease = %+v held=%v, want epoch 1 held by %s", fa, held, a.ID())
	}
	if _, held := lb.Held(); held {
		t.Fatal("two replicas hold the same lease")
	}
	if err := fencedWrite(t, s, fa); err != nil {
		t.Fatalf("a write by the holder was refused: %v", err)
	}
	termA, _ := la.Wait(ctx)

	// a stops renewing (it is paused); b takes over once the lease expires
	// on the database's clock, at the next epoch.
	ctxB, stopB := context.WithCancel(ctx)
	defer stopB()
	go b.Run(ctxB)
	termB, err := waitTerm(lb, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if termB.Fence.Epoch != 2 || termB.Fence.Holder != b.ID() {
		t.Fatalf("takeover fence = %+v, want epoch 2 held by %s", termB.Fence, b.ID())
	}
	// a's write with its stale lease is refused, inside the transaction:
	// the inbox message stays pending for the new holder.
	if err := fencedWrite(t, s, fa); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("a write with a stale lease = %v, want ErrFenced", err)
	}
	if pend, _ := s.PendingInbox(ctx, "pager", nil, 10); len(pend) != 1 {
		t.Fatalf("pending inbox after the refused write = %d messages, want 1", len(pend))
	}
	if err := fencedWrite(t, s, termB.Fence); err != nil {
		t.Fatalf("the new holder's write was refused: %v", err)
	}
	// a learns at its next renewal that it lost the lease, and steps down.
	ctxA, stopA := context.WithCancel(ctx)
	defer stopA()
	go a.Run(ctxA)
	select {
	case <-termA.Lost:
	case <-time.After(5 * time.Second):
		t.Fatal("the replica that lost its lease did not step down")
	}
	ls, err := s.Leases(ctx)
	if err != nil || len(ls) != 1 || ls[0].Failovers != 1 || ls[0].Holder != b.ID() {
		t.Fatalf("leases = %+v, %v; want one, held by %s, one failover", ls, err, b.ID())
	}
}

func waitTerm(l *cluster.Lease, within time.Duration) (cluster.Term, error) {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	return l.Wait(ctx)
}

func TestCleanStopHandsTheLeaseOverAtOnce(t *testing.T) {
	s := postgres(t)
	ctx := context.Background()
	a := cluster.New(cluster.Options{Store: s, Name: "a", Heartbeat: 50 * time.Millisecond, LeaseTTL: time.Minute})
	b := cluster.New(cluster.Options{Store: s, Name: "b", Heartbeat: 50 * time.Millisecond, LeaseTTL: time.Minute})
	la, lb := a.Lease("leader", 1), b.Lease("leader", 1)
	ctxA, stopA := context.WithCancel(ctx)
	if err := a.Join(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { a.Run(ctxA); close(done) }()
	ctxB, stopB := context.WithCancel(ctx)
	defer stopB()
	go b.Run(ctxB)
	if _, held := la.Held(); !held {
		t.Fatal("the first replica does not hold the lease")
	}
	stopA()
	<-done
	// With a one-minute TTL, only the release lets b in this fast.
	if _, err := waitTerm(lb, 5*time.Second); err != nil {
		t.Fatalf("the lease was not handed over after a clean stop: %v", err)
	}
	ls, _ := s.Leases(ctx)
	if ls[0].Failovers != 0 {
		t.Fatalf("a clean hand-over counted %d failovers, want 0", ls[0].Failovers)
	}
}

func TestOlderModuleVersionDoesNotTakeOver(t *testing.T) {
	s := postgres(t)
	ctx := context.Background()
	newer, older := node(s, "new"), node(s, "old")
	ln, lo := newer.Lease("leader", 2), older.Lease("leader", 1)
	if err := newer.Join(ctx); err != nil {
		t.Fatal(err)
	}
	f, _ := ln.Held()
	if err := s.ReleaseLease(ctx, "leader", f.Holder, f.Epoch); err != nil {
		t.Fatal(err)
	}
	if err := older.Join(ctx); err != nil {
		t.Fatal(err)
	}
	if _, held := lo.Held(); held {
		t.Fatal("a replica with an older module version took the lease a newer one had held")
	}
}

func TestPausedMemberIsDeclaredGoneAndRejoins(t *testing.T) {
	s := postgres(t)
	ctx := context.Background()
	a, b := node(s, "a"), node(s, "b")
	la := a.Lease("leader", 1)
	if err := a.Join(ctx); err != nil {
		t.Fatal(err)
	}
	first := a.ID()
	termA, _ := la.Wait(ctx)
	ctxB, stopB := context.WithCancel(ctx)
	defer stopB()
	go b.Run(ctxB)
	eventually(t, 5*time.Second, "the silent replica is declared gone", func() bool {
		for _, m := range b.View().Members {
			if m.ID == first && !m.Gone.IsZero() {
				return true
			}
		}
		return false
	})
	if err := a.Join(ctx); err != nil {
		t.Fatal(err)
	}
	if a.ID() == first {
		t.Fatal("a replica declared gone beat again under its old id")
	}
	select {
	case <-termA.Lost:
	default:
		t.Fatal("a replica declared gone kept its term")
	}
}

func TestSingleNodeHoldsEveryLease(t *testing.T) {
	n := cluster.Single("solo")
	l := n.Lease("leader", 1)
	f, held := l.Held()
	if !held || f != (store.Fence{}) {
		t.Fatalf("single node lease = %+v held=%v, want held with a zero fence", f, held)
	}
	l.StepDown(f)
	if _, held := l.Held(); !held {
		t.Fatal("a single node stepped down")
	}
}

// TestOlderSchemaLeadsNothing: once a newer version migrated the database
// past what this build knows, a replica of this build takes no lease, and
// one that holds a lease hands it over.
func TestOlderSchemaLeadsNothing(t *testing.T) {
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; leases need Postgres (see .ci/postgres.sh)")
	}
	dsn := storetest.PostgresSchema(t, base)
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := node(s, "old")
	l := old.Lease("leader", 1)
	if err := old.Join(ctx); err != nil {
		t.Fatal(err)
	}
	if _, held := l.Held(); !held {
		t.Fatal("the only replica did not take the lease")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A newer version applies a migration this build does not carry.
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, store.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if err := old.Join(ctx); err != nil {
		t.Fatal(err)
	}
	if _, held := l.Held(); held {
		t.Fatal("a replica behind the database's schema kept the lease")
	}
	if ls, _ := s.Leases(ctx); len(ls) != 1 || ls[0].Holder != "" {
		t.Fatalf("leases %+v, want the lease released", ls)
	}
	if err := old.Join(ctx); err != nil {
		t.Fatal(err)
	}
	if _, held := l.Held(); held {
		t.Fatal("a replica behind the database's schema took the lease again")
	}
}
