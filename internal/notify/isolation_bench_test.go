package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// BenchmarkHealthyDestination measures how long a page takes to reach a
// healthy destination while N others hang (accept the request, never
// answer) until the send timeout (1s): every page goes to all N+1, as an
// escalation step naming N+1 channels would, and pages come 20 a second,
// a storm for a pager. One op is one page; the reported p50/p99 are the
// healthy destination's latency from the page being written to its send
// returning.
func BenchmarkHealthyDestination(b *testing.B) {
	for _, hanging := range []int{0, 8, 50, 200} {
		b.Run(fmt.Sprintf("hanging=%d", hanging), func(b *testing.B) { benchHealthy(b, hanging) })
	}
}

func benchHealthy(b *testing.B, hanging int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(b.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	got := make(chan time.Time, 1)
	o := NewOutbox(OutboxOptions{
		Store: st, Clock: clock.Real(), Timeout: time.Second, MaxDelay: 2 * time.Second,
		Sender: SenderFunc(func(ctx context.Context, d Destination, _ Message) error {
			if strings.HasPrefix(d.Name, "channel/hang") {
				<-ctx.Done()
				return &RetryableError{Err: ctx.Err()}
			}
			got <- clock.Real().Now()
			return nil
		}),
		Resolve: func(name string) (Destination, Limit, bool) {
			return Destination{Type: Webhook, Name: name}, Limit{}, true
		},
	})
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	msg, _ := json.Marshal(Message{Kind: KindFiring, Title: "Checkout down"})
	var id int64
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for range b.N {
		<-tick.C
		now := clock.Real().Now()
		var ns []store.Notification
		for i := range hanging + 1 {
			dest := "channel/ok"
			if i < hanging {
				dest = fmt.Sprintf("channel/hang%03d", i)
			}
			id++
			ns = append(ns, store.Notification{ID: id, CreatedAt: now, GroupKey: "g", Kind: string(KindFiring),
				Destination: dest, Message: msg, Status: store.NotifyPending, NextAttemptAt: now})
		}
		if err := st.WriteAlerts(ctx, store.AlertBatch{Notifications: ns}); err != nil {
			b.Fatal(err)
		}
		o.Wake()
		select {
		case at := <-got:
			lat = append(lat, at.Sub(now))
		case <-time.After(30 * time.Second):
			b.Fatal("the healthy destination got nothing in 30s")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)*99+99)/100-1].Microseconds())/1000, "p99-ms")
}
