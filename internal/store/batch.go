package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/vigil-sre/vigil/internal/clock"
)

// Batch is everything the monitor learned since its last flush.
type Batch struct {
	Results []ResultRow
	States  []CheckState
	Events  []Event
	Buckets []Bucket // deltas, added to what is stored
}

// WriteBatch writes b in one transaction, so a crash leaves all of it or none.
//
//   - Results go into a ring of keep slots per check (slot = Seq % keep,
//     overwritten in place), capping raw history without DELETEs. If keep
//     shrinks, slots at or beyond the new keep linger unwritten; they hold the
//     oldest Seqs, so RecentResults(limit=keep) is unaffected.
//   - States are upserted; the last one per check wins.
//   - Events are appended.
//   - Buckets are deltas: N, Fails, Warns, UpMs, DownMs and DurSum add to the
//     stored bucket and DurMax keeps the maximum. Several deltas for one bucket
//     may appear in the same batch.
//
// Rows are written in key order so that replicas sharing Postgres lock them in
// the same order and cannot deadlock. It returns an error if keep < 1 or a
// bucket has an unknown resolution, and a wrapped error if the write fails
// (including a reference to an unregistered check).
func (s *Store) WriteBatch(ctx context.Context, b Batch, keep int) error {
	defer s.observe("write_batch", clock.Start())
	if keep < 1 {
		return errors.New("store: write batch: keep must be at least 1")
	}
	if len(b.Results)+len(b.States)+len(b.Events)+len(b.Buckets) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.writeResults(ctx, tx, b.Results, keep); err != nil {
			return fmt.Errorf("results: %w", err)
		}
		if err := s.writeStates(ctx, tx, b.States); err != nil {
			return fmt.Errorf("states: %w", err)
		}
		if err := s.writeEvents(ctx, tx, b.Events); err != nil {
			return fmt.Errorf("events: %w", err)
		}
		if err := s.writeBuckets(ctx, tx, b.Buckets); err != nil {
			return fmt.Errorf("buckets: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: write batch: %w", err)
	}
	return nil
}
