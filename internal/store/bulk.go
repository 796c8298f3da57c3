package store

import (
	"context"
	"database/sql"
	"errors"
	"math/bits"
	"strings"
)

// bulk is a multi-row INSERT ... VALUES (...),(...) [ON CONFLICT ...] statement,
// prepared on the writer at Open for every power-of-two row count up to its
// cap, so a batch of any size runs as a few prepared statements.
type bulk struct {
	cols    int
	stmts   []*sql.Stmt // stmts[i] writes 1<<i rows
	queries []string    // their text
	// direct, on SQLite, runs them at the driver within a connTx (direct.go).
	direct *directStmts
}

// prepareBulk prepares head + VALUES tuples + tail. The caps keep every variant
// under the engine's bind-parameter limit (SQLite 32766, Postgres 65535) and
// its rows a statement (dialect.maxBulkRows: on Postgres, beyond a few
// hundred the round trip saved is gone and the statement text only grows).
// tuple, when not empty, is one row's placeholders, for rows whose types the
// engine cannot tell from the statement (a VALUES list in a FROM clause).
func prepareBulk(ctx context.Context, db *sql.DB, d dialect, head string, cols int, tail, tuple string) (bulk, error) {
	limit := min(d.maxBulkRows, d.maxParams/cols)
	if tuple == "" {
		tuple = "(" + strings.Repeat("?,", cols-1) + "?)"
	}
	b := bulk{cols: cols}
	if d.name == engineSQLite {
		b.direct = &directStmts{}
	}
	for n := 1; n <= limit; n *= 2 {
		q := head + " VALUES " + strings.Repeat(tuple+",", n-1) + tuple + " " + tail
		q = d.rebind(q)
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return b, errors.Join(err, b.close())
		}
		b.stmts, b.queries = append(b.stmts, st), append(b.queries, q)
	}
	return b, nil
}

// exec writes args (len a multiple of cols) in chunks of the largest prepared size that fits.
func (b bulk) exec(ctx context.Context, tx txn, args []any) error {
	if len(args) == 0 {
		return nil
	}
	if ct, ok := tx.(*connTx); ok && b.direct != nil {
		return ct.conn.Raw(func(dc any) error { return b.direct.exec(ctx, dc, b, args) })
	}
	return b.chunks(len(args)/b.cols, func(i, off, n int) error {
		_, err := tx.StmtContext(ctx, b.stmts[i]).ExecContext(ctx, args[off*b.cols:(off+n)*b.cols]...)
		return err
	})
}

// chunks calls write for each chunk of rows: the variant i that writes the
// n rows from off.
func (b bulk) chunks(rows int, write func(i, off, n int) error) error {
	for off := 0; off < rows; {
		i := min(bits.Len(uint(rows-off))-1, len(b.stmts)-1)
		n := 1 << i
		if err := write(i, off, n); err != nil {
			return err
		}
		off += n
	}
	return nil
}

func (b bulk) close() error {
	var errs []error
	for _, st := range b.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
