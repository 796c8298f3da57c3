// Package store owns Vigil's durable data: one SQL package with a SQLite and a
// Postgres dialect, embedded versioned migrations, and one contract that both
// engines satisfy (the same tests run against each).
//
// Exported methods own their transaction; unexported helpers take a *sql.Tx.
// Queries are written once with ? placeholders and rebound for Postgres when the
// Store is opened. Times are stored as unix milliseconds and durations as
// microseconds, so both engines keep plain integers.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// ErrNotFound is returned (possibly wrapped) when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// Options tune a Store. The zero value is usable.
type Options struct {
	// Log receives migration and lifecycle messages; nil discards them.
	Log *slog.Logger
	// Observe, when set, is called after every exported operation with a short
	// op name (e.g. "write_batch") and how long it took; it feeds metrics.
	Observe func(op string, took time.Duration)
	// Exclusive makes this Store the database's one server (vigil serve):
	// Open refuses with ErrLocked while another process holds the lock,
	// and holds it until Close (see exclusive.go).
	Exclusive bool
	// IdleTxTimeout, on Postgres, ends a session that sits inside a
	// transaction for longer (idle_in_transaction_session_timeout): a
	// replica paused mid-transaction (SIGSTOP, a frozen VM) must not hold
	// its row locks, the lease's among them, past its lease. 0 leaves the
	// server's setting.
	IdleTxTimeout time.Duration
}

// Store is the SQL store. It is safe for concurrent use.
type Store struct {
	d   dialect
	w   *sql.DB // writes; for SQLite a single connection, the only writer
	r   *sql.DB // reads; for SQLite a separate pool, WAL lets it read alongside the writer
	q   queries
	opt Options
	// secrets are DSN parts (passwords) scrubbed from every error Open and Ping return.
	secrets []string
	// unlock releases the server lock; nil when not exclusive.
	unlock func() error
	// channel is the Postgres NOTIFY channel of this schema's replicas:
	// schemas sharing a database never hear each other.
	channel string
	// args keeps argument lists of bulk writes between commits (args.go).
	args sync.Pool
	// ckpt checkpoints SQLite's log in the background; nil on Postgres.
	ckpt *checkpointer
	// logs syncs SQLite's log for the commits that leave the sync out
	// (logsync.go); nil on Postgres.
	logs *logSync
}

// Open connects to the database named by dsn, pings it and applies pending
// migrations. Accepted forms:
//
//	sqlite://vigil.db                 relative path
//	sqlite:///var/lib/vigil/vigil.db  absolute path; the parent directory is created
//	postgres://user:pass@host:5432/db?sslmode=disable   (or postgresql://)
//
// It returns an error for an unknown scheme or a malformed DSN, when the
// database cannot be reached, or when a migration fails. Errors never contain
// the DSN's password.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{d: cfg.dialect, opt: opt, secrets: cfg.secrets}
	if err := s.open(ctx, cfg); err != nil {
		s.Close()
		return nil, s.redact(err)
	}
	return s, nil
}

func (s *Store) open(ctx context.Context, cfg config) error {
	var err error
	switch s.d.name {
	case engineSQLite:
		if s.opt.Exclusive {
			if s.unlock, err = lockSQLite(cfg.path); err != nil {
				return err
			}
		}
		if _, statErr := os.Stat(cfg.path); errors.Is(statErr, fs.ErrNotExist) {
			// Said plainly, so that a mistyped --store is noticed: it starts
			// on a store of its own, with no history.
			s.opt.Log.Info("store: no SQLite database at this path; creating a new, empty one", "path", cfg.path)
		}
		s.w, s.r, err = openSQLite(ctx, cfg.path, s.migrate)
		s.logs = newLogSync(cfg.path, s.opt.Log, s.observe)
		if err == nil {
			s.ckpt, err = openCheckpointer(cfg.path, s.opt.Log)
		}
		if err == nil {
			s.ckpt.start()
		}
	case enginePostgres:
		// The lock comes before migrating: a second server must not change
		// the schema under the first.
		migrate := s.migrate
		if s.opt.Exclusive {
			migrate = func(ctx context.Context, db *sql.DB) error {
				var err error
				if s.unlock, err = lockPostgres(ctx, db); err != nil {
					return err
				}
				return s.migrate(ctx, db)
			}
		}
		s.w, err = openPostgres(ctx, cfg.dsn, s.opt.IdleTxTimeout, migrate)
		s.r = s.w
		if err == nil {
			s.channel, err = notifyChannel(ctx, s.w)
		}
	}
	if err != nil {
		return err
	}
	s.q, err = prepareQueries(ctx, s.w, s.d)
	return err
}

// Close releases prepared statements and every connection, returning any
// errors from doing so. It is safe to call on a partly opened Store.
func (s *Store) Close() error {
	errs := []error{s.ckpt.close(), s.closeDirect(), s.q.close(), s.logs.close()}
	if s.unlock != nil && s.d.name == enginePostgres {
		errs = append(errs, s.unlock()) // its connection belongs to the pool closed below
		s.unlock = nil
	}
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if s.unlock != nil {
		errs = append(errs, s.unlock()) // SQLite's, once the database is closed
		s.unlock = nil
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers on both the write and the read side.
// It returns a wrapped driver error (without the password) if it does not,
// and the error of a failed sync of SQLite's log (logsync.go), after which
// no alert change is acknowledged.
func (s *Store) Ping(ctx context.Context) error {
	defer s.observe("ping", clock.Start())
	if err := s.logs.failed(); err != nil {
		return err
	}
	if err := s.w.PingContext(ctx); err != nil {
		return s.redact(fmt.Errorf("store: ping: %w", err))
	}
	if err := s.r.PingContext(ctx); err != nil {
		return s.redact(fmt.Errorf("store: ping readers: %w", err))
	}
	return nil
}

// Engine returns "sqlite" or "postgres".
func (s *Store) Engine() string { return s.d.name }

func (s *Store) observe(op string, sw clock.Stopwatch) {
	if s.opt.Observe != nil {
		s.opt.Observe(op, sw.Elapsed())
	}
}

// inTx runs fn in a write transaction, committing when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// inSnapshot runs fn in a read-only transaction on the read pool, so that its
// queries see one committed state: Postgres needs repeatable read for that,
// SQLite transactions already are serializable.
func (s *Store) inSnapshot(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	return errors.Join(fn(tx), ignoreDone(tx.Rollback()))
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
