package notify

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// TestOutboxIdlesWhileAWorkerSends: a notification being delivered is still
// pending in the store, so a loop that slept until "the earliest pending
// notification" would query the store without pause for as long as the
// destination takes to answer. Only finishing, new rows and later retries
// may wake it.
func TestOutboxIdlesWhileAWorkerSends(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	ops := map[string]int{}
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{
		Observe: func(op string, _ time.Duration) { mu.Lock(); ops[op]++; mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	onePage(t, st, t0)

	sending, release := make(chan struct{}), make(chan struct{})
	o := webhookOutbox(st, t0, func(ctx context.Context, _ Destination, m Message) error {
		close(sending)
		<-release
		return nil
	})
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	<-sending
	mu.Lock()
	before := ops["due_destinations"]
	mu.Unlock()
	time.Sleep(100 * time.Millisecond) // a spinning loop makes hundreds of queries in this time
	mu.Lock()
	during := ops["due_destinations"] - before
	mu.Unlock()
	if during > 1 {
		t.Errorf("the outbox read the store %d times while one send was in flight", during)
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		hist, err := st.AlertNotifications(ctx, 1)
		if err == nil && len(hist) == 1 && hist[0].Status == store.NotifySent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not recorded as sent: %+v %v", hist, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

// onePage writes alert 1 and a page about it, pending and due at t0.
func onePage(t *testing.T, st *store.Store, t0 time.Time) {
	t.Helper()
	err := st.WriteAlerts(context.Background(), store.AlertBatch{
		Alerts: []store.AlertRow{{ID: 1, DedupKey: "k", Source: "generic", Status: "firing", Severity: "critical",
			Summary: "Order processor down", Occurrences: 1, FirstSeen: t0, LastSeen: t0, UpdatedAt: t0}},
		Notifications: []store.Notification{{ID: 1, CreatedAt: t0, GroupKey: "g", Kind: "firing", Destination: "person/thach/webhook",
			Message: []byte(`{"title":"Order processor down"}`), Status: store.NotifyPending, NextAttemptAt: t0, AlertIDs: []int64{1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// webhookOutbox delivers from st through send, on a fake clock at t0,
// every destination taken as a webhook.
func webhookOutbox(st *store.Store, t0 time.Time, send SenderFunc) *Outbox {
	return NewOutbox(OutboxOptions{
		Store: st, Clock: clock.NewFake(t0), Log: slog.New(slog.DiscardHandler), Sender: send,
		Resolve: func(name string) (Destination, Limit, bool) {
			return Destination{Type: Webhook, Name: name}, Limit{}, true
		},
	})
}
