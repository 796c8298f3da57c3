package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers driver "pgx"
	"github.com/pressly/goose/v3"
)

func postgresDialect() dialect {
	return dialect{name: enginePostgres, goose: goose.DialectPostgres, maxParams: 65535, maxBulkRows: 256, numbered: true,
		nowMS:    "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT",
		lockRows: " FOR UPDATE", shareRows: " FOR SHARE", skipLocked: " FOR UPDATE SKIP LOCKED"}
}

// openPostgres opens one pool for reads and writes; Postgres handles concurrent
// writers itself. Errors may quote driver text, so the caller redacts them.
func openPostgres(ctx context.Context, dsn string, idleTx time.Duration, migrate func(context.Context, *sql.DB) error) (*sql.DB, error) {
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if idleTx > 0 {
		pc.RuntimeParams["idle_in_transaction_session_timeout"] = strconv.FormatInt(idleTx.Milliseconds(), 10)
	}
	db := stdlib.OpenDB(*pc)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		return db, fmt.Errorf("store: connect to postgres: %w", err)
	}
	return db, migrate(ctx, db)
}
