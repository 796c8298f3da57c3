package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5/stdlib"
)

// Replicas wake each other through Postgres LISTEN/NOTIFY on one channel
// per schema: "pager" when a request waits in the pager's inbox, "beat" and
// "run" for the other inbox modules, "done" when outcomes are written,
// "signal" when a broadcast signal moves. A notification is only a hint to
// look now; every reader also polls, so a lost one delays, never loses.

func notifyChannel(ctx context.Context, db *sql.DB) (string, error) {
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return "", fmt.Errorf("store: current schema: %w", err)
	}
	h := fnv.New32a()
	h.Write([]byte(schema))
	return fmt.Sprintf("vigil_%08x", h.Sum32()), nil
}

// notify sends a hint to every replica listening, when tx commits.
func (s *Store) notify(ctx context.Context, tx txn, payload string) error {
	if s.channel == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, s.channel, payload)
	return err
}

// Listen calls fn with the payload of every hint sent on this schema's
// channel until ctx ends or the connection fails; it returns at once on
// SQLite, where one process has nobody to hear. fn must not block.
func (s *Store) Listen(ctx context.Context, ready func(), fn func(payload string)) error {
	if s.channel == "" {
		return nil
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return s.redact(fmt.Errorf("store: listen: %w", err))
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		if _, err := c.Exec(ctx, "LISTEN "+s.channel); err != nil {
			return err
		}
		if ready != nil {
			ready()
		}
		for {
			n, err := c.WaitForNotification(ctx)
			if err != nil {
				return err
			}
			fn(n.Payload)
		}
	})
	if ctx.Err() != nil {
		return nil // pgx closed the connection it was waiting on; the pool drops it
	}
	return s.redact(fmt.Errorf("store: listen: %w", err))
}
