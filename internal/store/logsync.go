package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// With synchronous=FULL, SQLite syncs its write-ahead log inside every
// commit, so the one writer waits for the disk before it can start the next
// transaction, and everything queued behind it waits too. The alert path
// commits with the sync left out instead (synchronous=NORMAL, for that
// transaction only) and syncs the log itself afterwards, before anyone is
// told the change is stored: the next batch is written while the disk
// syncs the last, and one sync covers every commit made before it started.
// A commit is as durable as under FULL once its Durable returns nil: the
// sync of the log file is the one SQLite would have made (BENCHMARKS.md,
// "Seventh round").

// The alert path's transactions run with the first; every other write
// with the second, the writer's own setting (sqliteWriterParams).
const (
	syncNormal = "PRAGMA synchronous = NORMAL"
	syncFull   = "PRAGMA synchronous = FULL"
)

// restoreFullSync puts the writer's connection back to syncing in every
// commit, as every other write expects. A connection that cannot be put
// back is closed: the next one opens with FULL.
func (s *Store) restoreFullSync(conn *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, syncFull); err == nil {
		return
	}
	_ = conn.Raw(func(dc any) error {
		_ = s.closeDirectOn(dc)
		return driver.ErrBadConn
	})
}

// Durable waits until a committed change is on disk. It returns an error
// when the sync failed; the change is then committed but may not survive a
// power loss, and must not be acknowledged.
type Durable func() error

// durableNow is the Durable of a commit that already is on disk.
func durableNow() error { return nil }

// logSync syncs SQLite's log on behalf of the commits that left it out.
type logSync struct {
	path    string // the log file: the database's path + "-wal"
	log     *slog.Logger
	observe func(op string, sw clock.Stopwatch) // the store's metrics

	committed atomic.Uint64 // commits that left their sync out, so far
	synced    atomic.Uint64 // of those, the ones known to be on disk

	mu  sync.Mutex // one sync at a time; the fields below are under it
	f   *os.File
	err error // sticky: after a failed sync, no later one vouches for the log
	// fsync syncs f; tests count or fail it.
	fsync func(*os.File) error
}

func newLogSync(dbPath string, log *slog.Logger, observe func(string, clock.Stopwatch)) *logSync {
	return &logSync{path: dbPath + "-wal", log: log, observe: observe, fsync: (*os.File).Sync}
}

// committedOne records a commit whose frames are written to the log but not
// synced, and returns what to wait on. The writer calls it after each such
// commit, in commit order.
func (l *logSync) committedOne() Durable {
	gen := l.committed.Add(1)
	return func() error { return l.wait(gen) }
}

// wait returns once the commit numbered gen is on disk. A waiter that finds
// a sync under way waits for it and, if its own commit came later, makes
// the next one, which then covers every commit made meanwhile.
func (l *logSync) wait(gen uint64) error {
	if l.synced.Load() >= gen {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.synced.Load() >= gen {
		return nil
	}
	if l.err != nil {
		return l.err
	}
	upto := l.committed.Load() // all of these have their frames written
	sw := clock.Start()
	err := l.syncFile()
	l.observe("sync_log", sw)
	if err != nil {
		// Linux may have dropped the pages whose write-back failed, and
		// a later sync succeeds without them: nothing after this can be
		// vouched for until the store is opened again.
		l.err = fmt.Errorf("store: sync the SQLite log: %w", err)
		l.log.Error("store: the SQLite log could not be synced; alert changes are committed but no longer acknowledged until vigil is restarted", "err", err)
		return l.err
	}
	l.synced.Store(upto)
	return nil
}

// failed returns the error of the sync that failed, if one did; nil-safe.
func (l *logSync) failed() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// syncFile syncs the log file that is there now. SQLite deletes the log
// only when its last connection closes, after copying all of it into the
// database file and syncing that: with no log, there is nothing to sync,
// and a new log is opened afresh.
func (l *logSync) syncFile() error {
	cur, err := os.Stat(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if l.f != nil {
		if held, err := l.f.Stat(); err != nil || !os.SameFile(held, cur) {
			l.f.Close()
			l.f = nil
		}
	}
	if l.f == nil {
		if l.f, err = os.OpenFile(l.path, os.O_RDWR, 0); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
	}
	return l.fsync(l.f)
}

// close closes the log file; nil-safe.
func (l *logSync) close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
