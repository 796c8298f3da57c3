package notify

import (
	"context"
	"path/filepath"
	"testing"
	"time"

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
	onePage(t, st, t0)
	sending, release := make(chan struct{}), make(chan struct{})
	o := webhookOutbox(st, t0, func(ctx context.Context, _ Destination, m Message) error {
		close(sending)
		<-release
		return ctx.Err() // what a send sees when the stop cut it off
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
