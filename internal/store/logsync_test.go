package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// countSyncs makes the store's log syncs countable, and failable.
func countSyncs(s *Store) (n func() int, fail func(error)) {
	var mu sync.Mutex
	count, failWith := 0, error(nil)
	s.logs.fsync = func(f *os.File) error {
		mu.Lock()
		defer mu.Unlock()
		count++
		if failWith != nil {
			return failWith
		}
		return f.Sync()
	}
	return func() int { mu.Lock(); defer mu.Unlock(); return count },
		func(err error) { mu.Lock(); defer mu.Unlock(); failWith = err }
}

func newAlerts(from int64, n int) AlertBatch {
	var b AlertBatch
	for id := from; id < from+int64(n); id++ {
		b.Alerts = append(b.Alerts, alertRow(id, fmt.Sprintf("key-%d", id), "firing", 0))
	}
	return b
}

// On SQLite a commit of alerts leaves the sync of the log to its Durable:
// the change is visible at once, the log is synced when it is waited on,
// one sync covers every commit made before it, and the writer's connection
// is back to syncing in every commit for all other writes.
func TestCommitAlertsSyncsTheLogWhenWaitedOn(t *testing.T) {
	var observed atomic.Int32
	s := openStore(t, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), Options{Observe: func(op string, _ time.Duration) {
		if op == "sync_log" {
			observed.Add(1)
		}
	}})
	ctx := context.Background()
	syncs, _ := countSyncs(s)

	first, err := s.CommitAlerts(ctx, newAlerts(1, 10))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Alert(ctx, 10); err != nil || got.DedupKey != "key-10" {
		t.Fatalf("Alert(10) after the commit = %+v, %v; want it visible before it is durable", got, err)
	}
	second, err := s.CommitAlerts(ctx, newAlerts(11, 10))
	if err != nil {
		t.Fatal(err)
	}
	if n := syncs(); n != 0 {
		t.Fatalf("%d syncs of the log before anyone waited", n)
	}
	if err := first(); err != nil {
		t.Fatal(err)
	}
	if err := second(); err != nil {
		t.Fatal(err)
	}
	if n := syncs(); n != 1 {
		t.Fatalf("%d syncs for two commits waited on after both were made; want one covering both", n)
	}
	if err := first(); err != nil || syncs() != 1 {
		t.Fatalf("waiting again = %v after %d syncs; want nil and no new sync", err, syncs())
	}
	if err := s.WriteAlerts(ctx, newAlerts(21, 1)); err != nil || syncs() != 2 {
		t.Fatalf("WriteAlerts = %v after %d syncs; want it to return synced", err, syncs())
	}
	if n := observed.Load(); n != 2 {
		t.Fatalf("%d syncs observed as sync_log; want 2, one per sync", n)
	}

	var mode int
	if err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 {
		t.Fatalf("the writer's synchronous is %d after alert commits; want 2 (FULL) for every other write", mode)
	}
}

// Once a sync of the log fails, no later one vouches for it: the pages
// whose write-back failed may be gone while later ones reach the disk.
func TestLogSyncFailureIsSticky(t *testing.T) {
	s := openStore(t, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), Options{})
	ctx := context.Background()
	syncs, fail := countSyncs(s)

	before, err := s.CommitAlerts(ctx, newAlerts(1, 5))
	if err != nil {
		t.Fatal(err)
	}
	if err := before(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping before a failed sync = %v", err)
	}
	fail(errors.New("input/output error"))
	if err := s.WriteAlerts(ctx, newAlerts(6, 5)); err == nil || !strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("WriteAlerts with a failing sync = %v; want the sync's error", err)
	}
	if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("Ping after a failed sync = %v; want the sync's error, so /readyz says not ready", err)
	}
	fail(nil)
	after, err := s.CommitAlerts(ctx, newAlerts(11, 5))
	if err != nil {
		t.Fatal(err)
	}
	if err := after(); err == nil {
		t.Fatal("a commit after a failed sync was vouched for")
	}
	if err := before(); err != nil {
		t.Fatalf("a commit synced before the failure = %v; want nil", err)
	}
	if n := syncs(); n != 2 {
		t.Fatalf("%d syncs; want 2 (none tried after the failure)", n)
	}
}

// The log is synced by name: SQLite deletes it only after copying it whole
// into the database file, so no log means nothing to sync, and a log made
// afresh is opened afresh.
func TestLogSyncFollowsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	l := newLogSync(path, nil, func(string, clock.Stopwatch) {})
	var synced []string
	l.fsync = func(f *os.File) error {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		synced = append(synced, fmt.Sprint(fi.Size()))
		return nil
	}
	t.Cleanup(func() { l.close() })
	if err := l.committedOne()(); err != nil || len(synced) != 0 {
		t.Fatalf("with no log: %v, synced %v; want nil and nothing synced", err, synced)
	}
	if err := os.WriteFile(path+"-wal", []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.committedOne()(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-wal", []byte("three"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.committedOne()(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(synced) != "[3 5]" {
		t.Fatalf("synced files of sizes %v; want [3 5]: the first log, then the one made afresh", synced)
	}
}
