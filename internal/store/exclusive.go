package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrLocked is returned (wrapped) by Open with Options.Exclusive when
// another process holds the database's server lock.
var ErrLocked = errors.New("another Vigil server is using this database")

// Until several replicas can share a database (their work divided through
// Postgres leases), one server owns it: the pager keeps open alerts in
// memory and is their only writer. Open with Options.Exclusive takes a lock
// for the Store's lifetime and refuses when another process has it. The
// kernel or Postgres lets it go when the process dies, so a crash never
// leaves a stale lock. Supporting replicas means removing this file.

// lockSQLite takes an exclusive flock on PATH.lock next to the database (not
// on the database itself: SQLite's own locks are fcntl locks, which flock
// emulation on some file systems would conflict with). It writes its pid
// there so that the refusal can name the holder.
func lockSQLite(path string) (release func() error, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: create sqlite directory: %w", err)
	}
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		holder := make([]byte, 64)
		n, _ := f.ReadAt(holder, 0)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is held by %s; run one vigil serve per database (stop the other, or give this one another --store)",
				ErrLocked, name, orUnknown(strings.TrimSpace(string(holder[:n]))))
		}
		return nil, fmt.Errorf("store: lock %s: %w", name, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt(fmt.Appendf(nil, "process %d\n", os.Getpid()), 0)
	return func() error {
		_ = f.Truncate(0)
		return errors.Join(unix.Flock(int(f.Fd()), unix.LOCK_UN), f.Close())
	}, nil
}

// lockPostgres takes a session advisory lock, keyed by the schema Vigil's
// tables live in, on a connection of its own that stays out of the pool
// until release.
func lockPostgres(ctx context.Context, db *sql.DB) (release func() error, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: server lock: %w", err)
	}
	var schema string
	if err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: server lock: %w", err)
	}
	key := serverLockKey(schema)
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: server lock: %w", err)
	}
	if !got {
		holder := postgresHolder(ctx, conn, key)
		conn.Close()
		return nil, fmt.Errorf("%w: schema %s is locked by %s; run one vigil serve per database (stop the other, or give this one another --store)",
			ErrLocked, schema, holder)
	}
	return func() error {
		_, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		return errors.Join(err, conn.Close())
	}, nil
}

// serverLockKey is the advisory lock key of a schema. Goose's migration
// lock uses another key, so migrating and serving never collide.
func serverLockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("vigil serve:" + schema))
	return int64(h.Sum64())
}

// postgresHolder names the session holding key, as far as this role may see.
func postgresHolder(ctx context.Context, conn *sql.Conn, key int64) string {
	var pid int
	var addr, app sql.NullString
	err := conn.QueryRowContext(ctx, `SELECT l.pid, host(a.client_addr), a.application_name
		FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1
		LIMIT 1`, key).Scan(&pid, &addr, &app)
	if err != nil {
		return "another session"
	}
	out := fmt.Sprintf("the session of backend %d", pid)
	if addr.Valid && addr.String != "" {
		out += " from " + addr.String
	}
	if app.Valid && app.String != "" {
		out += " (" + app.String + ")"
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "another process"
	}
	return s
}
