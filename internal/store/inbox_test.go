package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// TestInboxAppliedOnce: a message is marked done in the transaction that
// applies it, once; a second batch that claims to apply it again is refused
// whole (ErrFenced), and the outcome of the first stays.
func TestInboxAppliedOnce(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, e.Fresh(t), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			id, err := s.AddInbox(ctx, store.InboxMessage{Module: "pager", Format: 1, Payload: []byte(`{"events":[]}`), Sender: "r1"})
			if err != nil {
				t.Fatal(err)
			}
			pend, err := s.PendingInbox(ctx, "pager", nil, 10)
			if err != nil || len(pend) != 1 || pend[0].ID != id || string(pend[0].Payload) != `{"events":[]}` || pend[0].Sender != "r1" {
				t.Fatalf("pending = %+v, %v", pend, err)
			}
			if err := s.WriteAlerts(ctx, store.AlertBatch{Inbox: []store.InboxOutcome{{ID: id, Outcome: []byte(`{"n":1}`)}}}); err != nil {
				t.Fatal(err)
			}
			err = s.WriteAlerts(ctx, store.AlertBatch{Inbox: []store.InboxOutcome{{ID: id, Outcome: []byte(`{"n":2}`)}}})
			if !errors.Is(err, store.ErrFenced) {
				t.Fatalf("applying a done message again = %v, want ErrFenced", err)
			}
			outs, err := s.InboxOutcomes(ctx, []int64{id})
			if err != nil || string(outs[id]) != `{"n":1}` {
				t.Fatalf("outcome = %q, %v; want the first", outs[id], err)
			}
			if pend, _ := s.PendingInbox(ctx, "pager", nil, 10); len(pend) != 0 {
				t.Fatalf("still pending: %+v", pend)
			}
			// Applied messages are kept for their senders, then pruned.
			if n, err := s.PruneInbox(ctx, 0); err != nil || n != 1 {
				t.Fatalf("pruned %d, %v; want 1", n, err)
			}
		})
	}
}
