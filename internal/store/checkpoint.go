package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// SQLite keeps a commit in its write-ahead log until a checkpoint copies it
// into the database file. By default the writer does that itself, after the
// commit that takes the log past 1,000 pages: every few dozen batches of
// alerts, one paid for reading, writing and syncing those pages before its
// callers were answered. A goroutine on a connection of its own copies them
// instead, every checkpointEvery, alongside the writer: PASSIVE, it never
// waits for or holds up a writer or a reader. Under a load that never
// pauses the log is never wholly copied between two commits, so it cannot
// start over; the writer still checkpoints past checkpointBackstop pages,
// by when the goroutine has copied most of them (BENCHMARKS.md, "Sixth
// round").
const (
	checkpointEvery    = 100 * time.Millisecond
	checkpointBackstop = 16384 // pages: 64 MiB of log at SQLite's 4 KiB
	checkpointParams   = "?_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)"
)

// checkpointer copies the log into the database file in the background.
type checkpointer struct {
	db   *sql.DB
	log  *slog.Logger
	stop context.CancelFunc
	done chan struct{}
}

// openCheckpointer opens the checkpointer's connection; start runs it.
func openCheckpointer(path string, log *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open("sqlite", path+checkpointParams)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	return &checkpointer{db: db, log: log}, nil
}

// start checkpoints every checkpointEvery until close.
func (c *checkpointer) start() {
	ctx, stop := context.WithCancel(context.Background())
	c.stop, c.done = stop, make(chan struct{})
	go c.run(ctx)
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err := c.once(ctx)
		if err != nil && ctx.Err() == nil && !failing {
			c.log.Warn("store: checkpointing the SQLite log failed; the writer checkpoints past its bound meanwhile", "err", err)
		}
		failing = err != nil
	}
}

// walState is what a checkpoint reports: the log's pages, and how many of
// them are in the database file.
type walState struct{ pages, copied int }

// once copies what it can of the log without waiting for anyone.
func (c *checkpointer) once(ctx context.Context) (walState, error) {
	var busy int
	var w walState
	err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &w.pages, &w.copied)
	return w, err
}

func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	if c.stop != nil {
		c.stop()
		<-c.done
	}
	return c.db.Close()
}
