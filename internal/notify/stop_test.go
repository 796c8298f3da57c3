package notify

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// A send in flight when the outbox is stopped runs to its end and is
// recorded as sent: cut off, the receiver would have the page while the
// store says pending, and it would go again after the restart.
func TestStopLetsASendInFlightFinish(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	err = st.WriteAlerts(ctx, store.AlertBatch{
		Alerts: []store.AlertRow{{ID: 1, DedupKey: "k", Source: "generic", Status: "firing", Severity: "critical",
			Summary: "Order processor down", Occurrences: 1, FirstSeen: t0, LastSeen: t0, UpdatedAt: t0}},
		Notifications: []store.Notification{{ID: 1, CreatedAt: t0, GroupKey: "g", Kind: "firing", Destination: "person/thach/webhook",
			Message: []byte(`{"title":"Order processor down"}`), Status: store.NotifyPending, NextAttemptAt: t0, AlertIDs: []int64{1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sending, release := make(chan struct{}), make(chan struct{})
	o := NewOutbox(OutboxOptions{
		Store: st, Clock: clock.NewFake(t0), Log: slog.New(slog.DiscardHandler),
		Sender: SenderFunc(func(ctx context.Context, _ Destination, m Message) error {
			close(sending)
			<-release
			return ctx.Err() // what a send sees when the stop cut it off
		}),
		Resolve: func(name string) (Destination, Limit, bool) {
			return Destination{Type: Webhook, Name: name}, Limit{}, true
		},
	})
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	<-sending
	cancel() // the stop, while the receiver is taking the page
	close(release)
	<-done
	hist, err := st.AlertNotifications(context.Background(), 1)
	if err != nil || len(hist) != 1 || hist[0].Status != store.NotifySent {
		t.Fatalf("after a send that finished during the stop: %+v, %v; want it recorded as sent, or it goes again", hist, err)
	}
}
