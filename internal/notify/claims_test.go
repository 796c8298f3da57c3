package notify

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

func postgresStore(t *testing.T) *store.Store {
	t.Helper()
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; claims among replicas need Postgres (see .ci/postgres.sh)")
	}
	st, err := store.Open(context.Background(), storetest.PostgresSchema(t, base), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// recorder is a sender that records which replica sent which delivery key.
type recorder struct {
	mu   sync.Mutex
	sent map[string][]string // notification id → replicas that sent it
}

func (r *recorder) sender(replica string) Sender {
	return SenderFunc(func(_ context.Context, _ Destination, m Message) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, id := range strings.Split(m.Delivery, ",") {
			r.sent[id] = append(r.sent[id], replica)
		}
		return nil
	})
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

func writeNotifications(t *testing.T, st *store.Store, n int, at time.Time) {
	t.Helper()
	var ns []store.Notification
	for i := 1; i <= n; i++ {
		ns = append(ns, store.Notification{ID: int64(i), CreatedAt: at, GroupKey: "g", Kind: "firing",
			Destination: fmt.Sprintf("person/p%d/webhook", i%4), Message: []byte(`{"title":"Order processor down"}`),
			Status: store.NotifyPending, NextAttemptAt: at})
	}
	if err := st.WriteAlerts(context.Background(), store.AlertBatch{Notifications: ns}); err != nil {
		t.Fatal(err)
	}
}

func claimingOutbox(st *store.Store, r *recorder, replica string) *Outbox {
	return NewOutbox(OutboxOptions{
		Store: st, Clock: clock.Real(), Log: slog.New(slog.DiscardHandler), Sender: r.sender(replica),
		Resolve: func(name string) (Destination, Limit, bool) {
			return Destination{Type: Webhook, Name: name}, Limit{}, true
		},
		Claimer: replica, ClaimHold: 500 * time.Millisecond,
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReplicasClaimEachNotificationOnce: two replicas deliver from one
// database; every notification is sent once, by one of them, and stored as
// sent.
func TestReplicasClaimEachNotificationOnce(t *testing.T) {
	st := postgresStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	writeNotifications(t, st, 40, clock.Real().Now())
	r := &recorder{sent: map[string][]string{}}
	var wg sync.WaitGroup
	for _, replica := range []string{"a", "b"} {
		o := claimingOutbox(st, r, replica)
		wg.Add(1)
		go func() { defer wg.Done(); o.Run(ctx) }()
	}
	waitUntil(t, "all 40 notifications sent", func() bool { return r.count() == 40 })
	waitUntil(t, "all 40 recorded as sent", func() bool {
		for _, dest := range []string{"person/p0/webhook", "person/p1/webhook", "person/p2/webhook", "person/p3/webhook"} {
			if ns, _ := st.DueNotificationsTo(ctx, dest, clock.Real().Now().Add(time.Hour), 100); len(ns) > 0 {
				return false
			}
		}
		return true
	})
	cancel()
	wg.Wait()
	for id, by := range r.sent {
		if len(by) != 1 {
			t.Errorf("notification %s sent %d times (by %v)", id, len(by), by)
		}
	}
}

// TestDeadReplicasClaimIsRetried: a replica that claimed a notification
// and died before recording the send leaves it to another replica once the
// sending deadline passes on the database's clock; the late outcome of the
// dead one, should it come back, is dropped.
func TestDeadReplicasClaimIsRetried(t *testing.T) {
	st := postgresStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := clock.Real().Now()
	writeNotifications(t, st, 1, now)
	claimed, err := st.ClaimNotificationsTo(ctx, "person/p1/webhook", now, 10, "dead", 500*time.Millisecond)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	// While the claim lasts, nobody else gets it.
	if again, err := st.ClaimNotificationsTo(ctx, "person/p1/webhook", now.Add(time.Second), 10, "b", time.Second); err != nil || len(again) != 0 {
		t.Fatalf("a live claim was claimed again: %v %v", again, err)
	}
	r := &recorder{sent: map[string][]string{}}
	o := claimingOutbox(st, r, "b")
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	waitUntil(t, "the other replica sends the dead one's notification", func() bool { return r.count() == 1 })
	if by := r.sent["1"]; len(by) != 1 || by[0] != "b" {
		t.Fatalf("sent by %v, want b once", by)
	}
	waitUntil(t, "recorded as sent", func() bool {
		h, _ := st.AlertNotifications(ctx, 0)
		ns, _ := st.DueNotificationsTo(ctx, "person/p1/webhook", clock.Real().Now().Add(time.Hour), 10)
		return len(h) == 0 && len(ns) == 0
	})
	// The dead replica comes back and reports a failure: it no longer
	// holds the claim, so the sent status stands.
	late := []store.NotificationUpdate{{ID: 1, Status: store.NotifyFailed, Attempts: 1, LastError: "late"}}
	if err := st.UpdateClaimedNotifications(ctx, late, "dead"); err != nil {
		t.Fatal(err)
	}
	if ns, _ := st.DueNotificationsTo(ctx, "person/p1/webhook", clock.Real().Now().Add(time.Hour), 10); len(ns) != 0 {
		t.Fatalf("still pending after the send: %+v", ns)
	}
	cancel()
	<-done
}

// TestGoneReplicasClaimsEndWithIt: once the replicas declare a member gone
// (it missed its heartbeats), its claims on notifications end at once, so
// another replica sends them within a heartbeat instead of waiting out the
// sending deadline (35 s by default), which held every page to that
// destination back.
func TestGoneReplicasClaimsEndWithIt(t *testing.T) {
	st := postgresStore(t)
	ctx := context.Background()
	now := clock.Real().Now()
	ttl := 200 * time.Millisecond
	member := func(id string) store.Member {
		return store.Member{ID: id, Name: id, Host: "h", URL: "http://" + id, Version: "test", SchemaVersion: store.SchemaVersion()}
	}
	if _, err := st.Beat(ctx, member("dead"), ttl); err != nil {
		t.Fatal(err)
	}
	writeNotifications(t, st, 1, now)
	if claimed, err := st.ClaimNotificationsTo(ctx, "person/p1/webhook", now, 10, "dead", time.Hour); err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if again, err := st.ClaimNotificationsTo(ctx, "person/p1/webhook", now, 10, "b", time.Hour); err != nil || len(again) != 0 {
		t.Fatalf("a live member's claim was claimed again: %v %v", again, err)
	}
	// "dead" beats no more; "b" beats, and past the TTL declares it gone.
	waitUntil(t, "the gone member's claim ends", func() bool {
		if _, err := st.Beat(ctx, member("b"), ttl); err != nil {
			t.Fatal(err)
		}
		got, err := st.ClaimNotificationsTo(ctx, "person/p1/webhook", clock.Real().Now(), 10, "b", time.Hour)
		return err == nil && len(got) == 1
	})
	if took := clock.Real().Now().Sub(now); took > time.Minute {
		t.Fatalf("the claim ended after %s, not when its member was declared gone", took)
	}
}
