package notify

import (
	"context"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// TestReportsAreNeverBundled: pages due together for one destination go as
// one message, but each report goes whole, on its own.
func TestReportsAreNeverBundled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	n := func(id int64, kind, msg string) store.Notification {
		return store.Notification{ID: id, CreatedAt: t0, Kind: kind, Destination: "channel/feed", Message: []byte(msg),
			Status: store.NotifyPending, NextAttemptAt: t0}
	}
	if err := st.WriteAlerts(ctx, store.AlertBatch{Notifications: []store.Notification{
		n(1, "report", `{"kind":"report","title":"Toil plan","report":{"id":"weekly-toil","markdown":"# Toil"}}`),
		n(2, "firing", `{"kind":"firing","title":"DNS down"}`),
		n(3, "report", `{"kind":"report","title":"On-call log","report":{"id":"daily-oncall","markdown":"# On-call"}}`),
		n(4, "firing", `{"kind":"firing","title":"Disk full"}`),
	}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	o := webhookOutbox(st, t0, func(_ context.Context, _ Destination, m Message) error {
		mu.Lock()
		defer mu.Unlock()
		if m.Report != nil {
			got = append(got, m.Title+": "+m.Report.Markdown)
		} else {
			got = append(got, m.Title)
		}
		return nil
	})
	go o.Run(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sent %v", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	sort.Strings(got)
	want := []string{"2 notifications: DNS down; Disk full", "On-call log: # On-call", "Toil plan: # Toil"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("sent %q, want %q", got, want)
	}
}
