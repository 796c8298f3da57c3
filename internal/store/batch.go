package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Batch is everything the monitor learned since its last flush.
type Batch struct {
	Results []ResultRow
	States  []CheckState
	Events  []Event
	Buckets []Bucket // deltas, added to what is stored
	// Fences, when set, maps a check's id to the lease its records are
	// written under (replicas split the checks by shard leases): records of
	// a check whose lease the writer no longer holds are refused inside the
	// transaction. Checks without an entry are written unfenced.
	Fences map[int64]Fence
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
	_, err := s.WriteFencedBatch(ctx, b, keep)
	return err
}

// WriteFencedBatch is WriteBatch that also checks b.Fences in the same
// transaction, just before its commit: the records of checks whose lease is
// gone (released, expired or taken at a newer epoch, on the database's
// clock) are left out, and the rest is written. It returns the ids of the
// checks left out. On Postgres the lease rows stay share-locked until the
// commit, so a takeover waits for it and the new owner reads every record
// the old one wrote.
func (s *Store) WriteFencedBatch(ctx context.Context, b Batch, keep int) (refused []int64, err error) {
	defer s.observe("write_batch", clock.Start())
	if keep < 1 {
		return nil, errors.New("store: write batch: keep must be at least 1")
	}
	if len(b.Results)+len(b.States)+len(b.Events)+len(b.Buckets) == 0 {
		return nil, nil
	}
	// The fences are checked last, just before the commit: their share
	// locks then last milliseconds, not the whole write, and a renewal of
	// the leases (an UPDATE of their rows) is not held up behind it. If a
	// lease moved on, the transaction is rolled back and written again
	// without that lease's checks.
	for range 3 {
		var stale map[Fence]bool
		err = s.inTx(ctx, func(tx *sql.Tx) error {
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
			if len(b.Fences) == 0 {
				return nil
			}
			var err error
			if stale, err = s.staleFences(ctx, tx, b.Fences); err != nil {
				return fmt.Errorf("fences: %w", err)
			}
			if len(stale) > 0 {
				return errStaleFence
			}
			return nil
		})
		if !errors.Is(err, errStaleFence) {
			break
		}
		var more []int64
		b, more = dropFenced(b, stale)
		refused = append(refused, more...)
		if len(b.Results)+len(b.States)+len(b.Events)+len(b.Buckets) == 0 {
			return refused, nil
		}
	}
	if err != nil {
		return refused, fmt.Errorf("store: write batch: %w", err)
	}
	return refused, nil
}

// errStaleFence rolls back a batch that holds records of a lease that moved on.
var errStaleFence = errors.New("a lease of the batch moved on")

// staleFences checks every distinct fence of a batch in one statement and
// returns those whose holder no longer holds the lease at its epoch.
func (s *Store) staleFences(ctx context.Context, tx *sql.Tx, fences map[int64]Fence) (map[Fence]bool, error) {
	distinct := map[Fence]bool{}
	for _, f := range fences {
		if f.Module != "" {
			distinct[f] = true
		}
	}
	if len(distinct) == 0 {
		return nil, nil
	}
	modules := map[string]bool{}
	for f := range distinct {
		modules[f.Module] = true
	}
	var args []any
	for _, m := range slices.Sorted(maps.Keys(modules)) {
		args = append(args, m)
	}
	q := `SELECT module, holder, epoch FROM cluster_leases WHERE module IN (` +
		strings.TrimSuffix(strings.Repeat("?,", len(args)), ",") + `) AND expires_ms > NOW_MS ORDER BY module`
	rows, err := tx.QueryContext(ctx, s.d.rebind(s.d.now(q)+s.d.shareRows), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	live := map[Fence]bool{}
	for rows.Next() {
		var f Fence
		if err := rows.Scan(&f.Module, &f.Holder, &f.Epoch); err != nil {
			return nil, err
		}
		live[f] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	stale := map[Fence]bool{}
	for f := range distinct {
		if !live[f] {
			stale[f] = true
		}
	}
	return stale, nil
}

// dropFenced leaves out the records of checks written under a stale fence.
func dropFenced(b Batch, stale map[Fence]bool) (Batch, []int64) {
	var refused []int64
	for id, f := range b.Fences {
		if stale[f] {
			refused = append(refused, id)
		}
	}
	slices.Sort(refused)
	gone := func(id int64) bool { return stale[b.Fences[id]] && b.Fences[id].Module != "" }
	out := Batch{Fences: map[int64]Fence{}}
	for id, f := range b.Fences {
		if !stale[f] {
			out.Fences[id] = f
		}
	}
	out.Results = slices.DeleteFunc(slices.Clone(b.Results), func(r ResultRow) bool { return gone(r.CheckID) })
	out.States = slices.DeleteFunc(slices.Clone(b.States), func(r CheckState) bool { return gone(r.CheckID) })
	out.Events = slices.DeleteFunc(slices.Clone(b.Events), func(r Event) bool { return gone(r.CheckID) })
	out.Buckets = slices.DeleteFunc(slices.Clone(b.Buckets), func(r Bucket) bool { return gone(r.CheckID) })
	return out, refused
}
