package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"time"
)

// On SQLite the bulk writes of a connTx bind their values at the driver:
// database/sql copies every argument of every Exec into a fresh list, and a
// commit of a few hundred new alerts binds thousands of values, so that copy
// was a fifth of the memory the alert path allocated (BENCHMARKS.md, "Sixth
// round"). The statements are prepared on the writer's one connection and
// bind from a list kept between calls.

// connTx is a write transaction together with its connection, so that bulk
// writes in it can reach the driver (Conn.Raw) between its statements.
type connTx struct {
	*sql.Tx
	conn *sql.Conn
}

// txn is what the write helpers run in: a *sql.Tx or a *connTx.
type txn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	StmtContext(ctx context.Context, stmt *sql.Stmt) *sql.Stmt
}

// inConnTx is inTx with a connTx. On SQLite the commit leaves out the sync
// of the log, and the Durable it returns makes it (logsync.go); on Postgres
// the commit is durable when it returns.
func (s *Store) inConnTx(ctx context.Context, fn func(*connTx) error) (Durable, error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if s.logs != nil {
		if _, err := conn.ExecContext(ctx, syncNormal); err != nil {
			return nil, err
		}
		defer s.restoreFullSync(conn)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	err = fn(&connTx{Tx: tx, conn: conn})
	if err != nil {
		err = errors.Join(err, ignoreDone(tx.Rollback()))
	} else {
		err = tx.Commit()
	}
	if err != nil {
		s.dropUnusable(conn)
		return nil, err
	}
	if s.logs == nil {
		return durableNow, nil
	}
	return s.logs.committedOne(), nil
}

// dropUnusable finalizes the statements prepared at the driver on conn when
// the driver will not use it again (a statement on it was interrupted), so
// that database/sql closes it whole rather than leave it open for them.
func (s *Store) dropUnusable(conn *sql.Conn) {
	_ = conn.Raw(func(dc any) error {
		if v, ok := dc.(driver.Validator); ok && !v.IsValid() {
			_ = s.closeDirectOn(dc)
		}
		return nil
	})
}

// directStmts are a bulk statement's variants prepared at the driver, on
// the connection they were first used on.
type directStmts struct {
	mu    sync.Mutex
	conn  any // the driver connection; another one prepares them afresh
	stmts []driver.Stmt
	args  []driver.NamedValue
}

func (d *directStmts) exec(ctx context.Context, dc any, b bulk, args []any) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != dc {
		// The writer's connection was replaced; the old one took its
		// statements with it.
		d.conn, d.stmts = dc, make([]driver.Stmt, len(b.queries))
	}
	return b.chunks(len(args)/b.cols, func(i, off, n int) error {
		st := d.stmts[i]
		if st == nil {
			prep, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return errors.New("store: the driver cannot prepare statements with a context")
			}
			var err error
			if st, err = prep.PrepareContext(ctx, b.queries[i]); err != nil {
				return err
			}
			d.stmts[i] = st
		}
		nv := d.args[:0]
		for j, v := range args[off*b.cols : (off+n)*b.cols] {
			switch v.(type) {
			case int64, string, nil, float64, bool, []byte:
			default:
				// What database/sql does for a driver without its own check.
				var err error
				if v, err = driver.DefaultParameterConverter.ConvertValue(v); err != nil {
					return err
				}
			}
			nv = append(nv, driver.NamedValue{Ordinal: j + 1, Value: v})
		}
		d.args = nv
		ex, ok := st.(driver.StmtExecContext)
		if !ok {
			return errors.New("store: the driver cannot run statements with a context")
		}
		_, err := ex.ExecContext(ctx, nv)
		clear(nv) // keep nothing the values point to
		return err
	})
}

// close finalizes the statements prepared on dc.
func (d *directStmts) close(dc any) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != dc {
		return nil
	}
	var errs []error
	for _, st := range d.stmts {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	d.conn, d.stmts = nil, nil
	return errors.Join(errs...)
}

// closeDirect finalizes the statements prepared at the driver, on the
// writer's connection, before it closes.
func (s *Store) closeDirect() error {
	if s.w == nil || s.d.name != engineSQLite {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error { return s.closeDirectOn(dc) })
}

func (s *Store) closeDirectOn(dc any) error {
	var errs []error
	for _, b := range s.q.bulks() {
		if b.direct != nil {
			errs = append(errs, b.direct.close(dc))
		}
	}
	return errors.Join(errs...)
}
