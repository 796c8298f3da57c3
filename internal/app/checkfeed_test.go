package app

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/clock"
)

// TestCheckFeedRetriesInOrder: while the pager cannot commit, check events
// wait and are retried with backoff; none is lost or reordered, and send
// never blocks a probe while there is room in the queue.
func TestCheckFeedRetriesInOrder(t *testing.T) {
	fc := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	var got []string
	failures := 2
	calls := make(chan int, 16)
	f := newCheckFeed(func(_ context.Context, evs []alert.Event) error {
		mu.Lock()
		defer mu.Unlock()
		calls <- len(evs)
		if failures > 0 {
			failures--
			return errors.New("store unavailable")
		}
		for _, e := range evs {
			got = append(got, e.Key)
		}
		return nil
	}, slog.New(slog.DiscardHandler), fc)
	for _, k := range []string{"a", "b", "c"} {
		f.send(alert.Event{Key: k}) // queued before run: one batch
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.run(ctx); close(done) }()

	if n := <-calls; n != 3 {
		t.Fatalf("first attempt had %d events, want the 3 queued", n)
	}
	f.send(alert.Event{Key: "d"}) // arrives while the batch is failing
	for _, wait := range []time.Duration{time.Second, 2 * time.Second} {
		if err := fc.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		fc.Advance(wait - time.Nanosecond)
		select {
		case <-calls:
			t.Fatalf("retried before its %v backoff", wait)
		case <-time.After(20 * time.Millisecond):
		}
		fc.Advance(time.Nanosecond)
		<-calls
	}
	<-calls // d, in a batch of its own
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Fatalf("pager got %v, want %v", got, want)
	}
	f.send(alert.Event{Key: "e"}) // after run: dropped, not blocking
}
