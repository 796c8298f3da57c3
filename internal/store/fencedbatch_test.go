package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// TestStaleShardResultIsRefused: two checks written in one batch, each
// under its shard's lease; once another replica took one shard at a newer
// epoch, the old holder's records of that check are refused inside the
// write transaction, and the other check's are written.
func TestStaleShardResultIsRefused(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, e.Fresh(t), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ids, err := s.RegisterChecks(ctx, []store.CheckRef{{Service: "web", Name: "a", Kind: "http"}, {Service: "web", Name: "b", Kind: "http"}})
			if err != nil {
				t.Fatal(err)
			}
			a, b := ids["web/a"], ids["web/b"]
			take := func(module, holder string, ttl time.Duration) store.Fence {
				l, ok, err := s.TakeLease(ctx, module, holder, 0, 1, ttl)
				if err != nil || !ok {
					t.Fatalf("taking %s for %s: held=%v, %v", module, holder, ok, err)
				}
				return store.Fence{Module: module, Holder: holder, Epoch: l.Epoch}
			}
			// r1 holds shard 1 briefly: it expires and r2 takes it.
			old := take("checks/1", "r1", time.Millisecond)
			other := take("checks/2", "r1", time.Minute)
			// r2 takes it once it expired on the database's clock.
			var fresh store.Fence
			for deadline := clock.Real().Now().Add(5 * time.Second); fresh.Epoch == 0; {
				l, ok, err := s.TakeLease(ctx, "checks/1", "r2", 0, 1, time.Minute)
				if err != nil || (!ok && clock.Real().Now().After(deadline)) {
					t.Fatalf("r2 could not take the expired lease: %v", err)
				}
				if ok {
					fresh = store.Fence{Module: "checks/1", Holder: "r2", Epoch: l.Epoch}
				}
			}
			if fresh.Epoch != old.Epoch+1 {
				t.Fatalf("takeover epoch = %d, want %d", fresh.Epoch, old.Epoch+1)
			}
			at := time.UnixMilli(1_700_000_000_000).UTC()
			batch := func(id int64, seq int64, f store.Fence, into *store.Batch) {
				into.Results = append(into.Results, store.ResultRow{CheckID: id, Seq: seq, Result: check.Result{At: at, Status: check.Pass}})
				into.States = append(into.States, store.CheckState{CheckID: id, Service: "web", Name: "x", Kind: "http", State: "ok", LastChecked: at, Seq: seq})
				into.Events = append(into.Events, store.Event{CheckID: id, Service: "web", Name: "x", At: at, From: "pending", To: "ok"})
				into.Fences[id] = f
			}
			stale := store.Batch{Fences: map[int64]store.Fence{}}
			batch(a, 1, old, &stale)
			batch(b, 1, other, &stale)
			refused, err := s.WriteFencedBatch(ctx, stale, 10)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(refused, []int64{a}) {
				t.Fatalf("refused = %v, want only check %d (its shard moved to another replica)", refused, a)
			}
			states, err := s.CheckStates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int64]bool{}
			for _, st := range states {
				seen[st.CheckID] = true
			}
			if seen[a] || !seen[b] {
				t.Fatalf("stored states for %v; want only check %d's", seen, b)
			}
			if rs, err := s.RecentResults(ctx, a, 10); err != nil || len(rs) != 0 {
				t.Fatalf("results of the refused check: %d, %v; want none", len(rs), err)
			}
			// The new holder writes.
			ok := store.Batch{Fences: map[int64]store.Fence{}}
			batch(a, 1, fresh, &ok)
			if refused, err := s.WriteFencedBatch(ctx, ok, 10); err != nil || len(refused) != 0 {
				t.Fatalf("the new holder's write: refused %v, %v", refused, err)
			}
			if rs, err := s.RecentResults(ctx, a, 10); err != nil || len(rs) != 1 {
				t.Fatalf("results after the new holder's write: %d, %v; want 1", len(rs), err)
			}
		})
	}
}
