package notify

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// gatedStore is the real store, but its writes of outcomes wait while the
// gate is shut and fail while failing is set.
type gatedStore struct {
	*store.Store
	mu      sync.Mutex
	gate    chan struct{} // closed: writes go through
	failing bool
	writes  int // writes of outcomes begun
}

func (g *gatedStore) enter() error {
	g.mu.Lock()
	g.writes++
	gate, failing := g.gate, g.failing
	g.mu.Unlock()
	<-gate
	if failing {
		return errors.New("disk I/O error")
	}
	return nil
}

func (g *gatedStore) UpdateNotifications(ctx context.Context, us []store.NotificationUpdate) error {
	if err := g.enter(); err != nil {
		return err
	}
	return g.Store.UpdateNotifications(ctx, us)
}

func (g *gatedStore) UpdateClaimedNotifications(ctx context.Context, us []store.NotificationUpdate, claimer string) error {
	if err := g.enter(); err != nil {
		return err
	}
	return g.Store.UpdateClaimedNotifications(ctx, us, claimer)
}

func (g *gatedStore) set(gate chan struct{}, failing bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate, g.failing = gate, failing
}

func (g *gatedStore) writesBegun() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.writes
}

// sendCount counts the sends of each notification id.
type sendCount struct {
	mu   sync.Mutex
	sent map[string]int
}

func (c *sendCount) sender() Sender {
	return SenderFunc(func(_ context.Context, _ Destination, m Message) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, id := range strings.Split(m.Delivery, ",") {
			c.sent[id]++
		}
		return nil
	})
}

func (c *sendCount) of(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent[id]
}

// recordingCase is an engine to deliver from: SQLite alone, or Postgres
// with the outbox claiming as one of several replicas.
type recordingCase struct {
	name    string
	open    func(t *testing.T) *store.Store
	claimer string
}

var recordingCases = []recordingCase{
	{name: "sqlite", open: func(t *testing.T) *store.Store {
		st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
	{name: "postgres-claims", open: postgresStore, claimer: "a"},
}

func pageTo(id int64, dest string, due time.Time) store.Notification {
	return store.Notification{ID: id, CreatedAt: due, GroupKey: "g", Kind: "firing", Destination: dest,
		Message: []byte(`{"title":"Order processor down"}`), Status: store.NotifyPending, NextAttemptAt: due}
}

func startOutbox(t *testing.T, tc recordingCase, st Store, fc *clock.Fake, sent *sendCount) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	o := NewOutbox(OutboxOptions{
		Store: st, Clock: fc, Log: slog.New(slog.DiscardHandler), Sender: sent.sender(),
		Resolve: func(name string) (Destination, Limit, bool) {
			return Destination{Type: Webhook, Name: name}, Limit{}, true
		},
		Claimer: tc.claimer, ClaimHold: 10 * time.Second,
	})
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// stored waits until no notification is pending any more: every outcome is
// in the store.
func stored(t *testing.T, st *store.Store, at time.Time, dests ...string) {
	t.Helper()
	waitUntil(t, "every outcome stored", func() bool {
		for _, d := range dests {
			if ns, err := st.DueNotificationsTo(context.Background(), d, at.Add(24*time.Hour), 100); err != nil || len(ns) > 0 {
				return false
			}
		}
		return true
	})
}

// TestNewPagesGoWhileOutcomesAreWritten: while the outcome of a send is
// being written (on SQLite, behind the one writer and an fsync), pages
// that fall due meanwhile, to the same destination and to another, are
// sent without waiting for that write; the notification whose outcome is
// in flight is still pending in the store, yet it is not sent again.
func TestNewPagesGoWhileOutcomesAreWritten(t *testing.T) {
	for _, tc := range recordingCases {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.open(t)
			t0 := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
			later := t0.Add(time.Minute) // past the claim's hold: claimed rows are due again
			if err := st.WriteAlerts(context.Background(), store.AlertBatch{Notifications: []store.Notification{
				pageTo(1, "person/thach/webhook", t0), pageTo(2, "person/thach/webhook", later), pageTo(3, "person/john/webhook", later),
			}}); err != nil {
				t.Fatal(err)
			}
			g := &gatedStore{Store: st}
			gate := make(chan struct{})
			release := sync.OnceFunc(func() { close(gate) })
			g.set(gate, false)
			fc := clock.NewFake(t0)
			sent := &sendCount{sent: map[string]int{}}
			startOutbox(t, tc, g, fc, sent)
			t.Cleanup(release) // before the outbox stops, which records everything

			waitUntil(t, "the first page sent and its outcome being written", func() bool {
				return sent.of("1") == 1 && g.writesBegun() == 1
			})
			fc.Advance(time.Minute)
			waitUntil(t, "the later pages sent while the first outcome is being written", func() bool {
				return sent.of("2") == 1 && sent.of("3") == 1
			})
			if g.writesBegun() != 1 {
				t.Fatalf("%d writes begun; the first is still in flight, so the others must wait for it", g.writesBegun())
			}
			if n := sent.of("1"); n != 1 {
				t.Fatalf("notification 1 sent %d times while its outcome was being written, want once", n)
			}
			release()
			stored(t, st, t0, "person/thach/webhook", "person/john/webhook")
			for _, id := range []string{"1", "2", "3"} {
				if n := sent.of(id); n != 1 {
					t.Errorf("notification %s sent %d times, want once", id, n)
				}
			}
		})
	}
}

// TestFailedRecordingHoldsResends: while the store refuses the outcome of a
// send, the notification stays pending there, yet it is not sent again; the
// outcome is retried with backoff and stored once the store recovers, and
// what fell due meanwhile then goes out.
func TestFailedRecordingHoldsResends(t *testing.T) {
	for _, tc := range recordingCases {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.open(t)
			t0 := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
			if err := st.WriteAlerts(context.Background(), store.AlertBatch{Notifications: []store.Notification{
				pageTo(1, "person/thach/webhook", t0), pageTo(2, "person/john/webhook", t0.Add(time.Minute)),
			}}); err != nil {
				t.Fatal(err)
			}
			g := &gatedStore{Store: st}
			open := make(chan struct{})
			close(open)
			g.set(open, true)
			fc := clock.NewFake(t0)
			sent := &sendCount{sent: map[string]int{}}
			startOutbox(t, tc, g, fc, sent)

			// Retries back off 1s, 2s, 4s...
			waitUntil(t, "the outcome's write failed and was retried three times", func() bool {
				fc.Advance(time.Second)
				return g.writesBegun() >= 4
			})
			if n := sent.of("1"); n != 1 {
				t.Fatalf("sent %d times while its outcome could not be stored, want once", n)
			}
			g.set(open, false)
			waitUntil(t, "the outcome stored and the next page sent", func() bool {
				fc.Advance(time.Second)
				return sent.of("2") == 1
			})
			stored(t, st, t0, "person/thach/webhook", "person/john/webhook")
			if n := sent.of("1"); n != 1 {
				t.Errorf("notification 1 sent %d times, want once", n)
			}
		})
	}
}

// TestReadDueReadsPastUnstored: the read of what is due for a destination
// skips notifications whose outcomes are not stored yet, but still returns
// a whole bundle of the others when there are that many, and says so: a
// bundle's worth of unstored outcomes must not stall the destination.
func TestReadDueReadsPastUnstored(t *testing.T) {
	st := recordingCases[0].open(t)
	t0 := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	var ns []store.Notification
	for id := int64(1); id <= maxBundle+5; id++ {
		ns = append(ns, pageTo(id, "channel/ops", t0))
	}
	if err := st.WriteAlerts(context.Background(), store.AlertBatch{Notifications: ns}); err != nil {
		t.Fatal(err)
	}
	o := NewOutbox(OutboxOptions{Store: st, Clock: clock.NewFake(t0)})
	skipFirst := func(n int64) map[int64]bool {
		skip := map[int64]bool{}
		for id := int64(1); id <= n; id++ {
			skip[id] = true
		}
		return skip
	}
	for _, tc := range []struct {
		skipped     int64
		first, last int64
		full        bool
	}{
		{skipped: 0, first: 1, last: maxBundle, full: true},
		{skipped: 3, first: 4, last: maxBundle + 3, full: true},
		{skipped: maxBundle, first: maxBundle + 1, last: maxBundle + 5, full: false},
		{skipped: maxBundle + 5, full: false},
	} {
		got, full, err := o.readDue(context.Background(), "channel/ops", t0, skipFirst(tc.skipped))
		if err != nil {
			t.Fatal(err)
		}
		if full != tc.full || tc.first == 0 && len(got) > 0 ||
			tc.first > 0 && (len(got) == 0 || got[0].ID != tc.first || got[len(got)-1].ID != tc.last || len(got) != int(tc.last-tc.first+1)) {
			t.Errorf("%d skipped: read %d (%s), full %v; want %d..%d, full %v", tc.skipped, len(got), deliveryKey(got), full, tc.first, tc.last, tc.full)
		}
	}
}
