package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers driver "sqlite"
)

func sqliteDialect() dialect {
	// 32 rows a statement: SQLite's driver keeps a list of the texts it
	// binds, grown from nothing at every statement, and past 256 entries it
	// grows by a quarter at a time; short statements halve that garbage at
	// no cost in CPU (BENCHMARKS.md, "Ninth round"). There is no round trip
	// to save.
	return dialect{name: engineSQLite, goose: goose.DialectSQLite3, maxParams: 32766, maxBulkRows: 32, indexHints: true,
		nowMS: "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"}
}

// Writer pragmas: WAL so readers never block the writer; synchronous=FULL so a
// committed transaction survives power loss (alerts must be durable once
// acknowledged; batching keeps the fsync count low; the alert path's
// commits leave the sync to the caller, logsync.go); an 8 MB page cache, room
// for the hot pages of the check results and the tails of the alert tables
// (32 MB held about 60 MB more of the process's memory under a stream of new
// alerts, and checks cost no less CPU with it: BENCHMARKS.md); statement
// journals in
// memory (temp_store), since a multi-row insert that may fail keeps one and
// spilling it to a temporary file cost a write call per page it touched (a
// statement's rollback, never needed after a crash: the WAL covers that);
// IMMEDIATE transactions take the write lock up front instead of failing to
// upgrade later; checkpoints left to a goroutine of their own
// (checkpoint.go), the writer checkpointing only past checkpointBackstop
// pages of log.
const (
	sqliteWriterParams = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=cache_size(-8000)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(16384)&_txlock=immediate"
	sqliteReaderParams = "?_pragma=busy_timeout(10000)&_query_only=1"
)

// openSQLite opens the single-connection writer, migrates through it, then opens
// the read pool (after migration, so readers see WAL mode and the schema).
func openSQLite(ctx context.Context, path string, migrate func(context.Context, *sql.DB) error) (w, r *sql.DB, err error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, fmt.Errorf("store: create sqlite directory: %w", err)
		}
	}
	w, err = sql.Open("sqlite", path+sqliteWriterParams)
	if err != nil {
		return nil, nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// One writer: SQLite serialises writes anyway, and a single connection turns
	// contention into queueing in Go instead of SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		return w, nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		return w, nil, err
	}
	r, err = sql.Open("sqlite", path+sqliteReaderParams)
	if err != nil {
		return w, nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		return w, r, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	return w, r, nil
}
