package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// A run is executed by one replica, its runner, under a lease on the run's
// row judged by the database's clock. Admission (concurrency, max_runs, the
// breaker) is decided from the rows under a per-runbook lock, writes of the
// run are fenced by its lease, and a run whose lease ran out is claimed by
// exactly one other replica.

// RunClaim is who executes a run and for how long a claim lasts unless
// renewed. The zero RunClaim (one process on SQLite) fences nothing.
type RunClaim struct {
	Runner string
	TTL    time.Duration
}

// live are the statuses of a run that still holds its lock and needs a
// runner.
const liveRunStatuses = `('` + RunPending + `', '` + RunRunning + `', '` + RunAwaiting + `')`

const (
	claimRun   = `UPDATE runs SET runner = ?, lease_until_ms = NOW_MS + ? WHERE id = ?`
	fenceRun   = `SELECT 1 FROM runs WHERE id = ? AND runner = ? AND lease_until_ms > NOW_MS`
	claimStale = `UPDATE runs SET runner = ?, lease_until_ms = NOW_MS + ?
		WHERE id IN (SELECT id FROM runs WHERE status IN ` + liveRunStatuses + ` AND lease_until_ms <= NOW_MS
		ORDER BY created_ms, id LIMIT ?%s) AND lease_until_ms <= NOW_MS RETURNING ` + runCols
	releaseRuns = `UPDATE runs SET lease_until_ms = 0 WHERE runner = ? AND status IN ` + liveRunStatuses
)

// AdmitRun decides and stores a new run in one transaction that holds
// runbook's admission lock (a transaction-scoped advisory lock on Postgres;
// SQLite has one writer), so runs started together on any replicas cannot
// all see room for one more. decide counts runs with count, which reads
// inside the transaction, and returns the run to store, or nil to store
// nothing; its error rolls everything back. The stored run is claimed by c.
func (s *Store) AdmitRun(ctx context.Context, runbook string, c RunClaim, decide func(count func(RunCount) (int, error)) (*RunRow, error)) error {
	defer s.observe("admit_run", clock.Start())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.name == enginePostgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, s.runbookKey(runbook)); err != nil {
				return fmt.Errorf("store: admission lock of %s: %w", runbook, err)
			}
		}
		count := func(rc RunCount) (int, error) {
			cond, args := runWhere(rc)
			var n int
			err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM runs`+cond), args...).Scan(&n)
			return n, err
		}
		row, err := decide(count)
		if err != nil || row == nil {
			return err
		}
		if err := s.saveRun(ctx, tx, *row); err != nil {
			return fmt.Errorf("store: save run %s: %w", row.ID, err)
		}
		if c.Runner == "" {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(s.d.now(claimRun)), c.Runner, c.TTL.Milliseconds(), row.ID)
		return err
	})
}

// SaveRunClaimed is SaveRun for the runner holding c: nothing is written,
// and the error wraps ErrFenced, once another replica claimed the run or
// its lease ran out. On Postgres the row stays share-locked until the
// commit, so a claim waits for the write in flight and then reads it.
func (s *Store) SaveRunClaimed(ctx context.Context, r RunRow, c RunClaim) error {
	defer s.observe("save_run", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkRunClaim(ctx, tx, r.ID, c); err != nil {
			return err
		}
		return s.saveRun(ctx, tx, r)
	})
	if err != nil {
		return fmt.Errorf("store: save run %s: %w", r.ID, err)
	}
	return nil
}

// SaveStepClaimed is SaveStep fenced as SaveRunClaimed is.
func (s *Store) SaveStepClaimed(ctx context.Context, st StepRow, c RunClaim) error {
	defer s.observe("save_step", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkRunClaim(ctx, tx, st.RunID, c); err != nil {
			return err
		}
		return s.saveStep(ctx, tx, st)
	})
	if err != nil {
		return fmt.Errorf("store: save step %s/%d: %w", st.RunID, st.Seq, err)
	}
	return nil
}

func (s *Store) checkRunClaim(ctx context.Context, tx *sql.Tx, id string, c RunClaim) error {
	if c.Runner == "" {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, s.d.rebind(s.d.now(fenceRun)+s.d.shareRows), id, c.Runner).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w (run %s is no longer %s's)", ErrFenced, id, c.Runner)
	}
	return err
}

// RenewRuns extends c's lease on the runs ids it executes and returns the
// ids that are still its own; a run missing from the answer was claimed by
// another replica, and its runner must stop it.
func (s *Store) RenewRuns(ctx context.Context, ids []string, c RunClaim) ([]string, error) {
	defer s.observe("renew_runs", clock.Start())
	var kept []string
	for chunk := range slices.Chunk(ids, 500) {
		q := `UPDATE runs SET lease_until_ms = NOW_MS + ? WHERE runner = ? AND id IN (?` + strings.Repeat(",?", len(chunk)-1) + `) RETURNING id`
		args := []any{c.TTL.Milliseconds(), c.Runner}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := queryRows(ctx, s.w, func(sc scanner) (string, error) {
			var id string
			return id, sc.Scan(&id)
		}, s.d.rebind(s.d.now(q)), args...)
		if err != nil {
			return nil, fmt.Errorf("store: renew runs: %w", err)
		}
		kept = append(kept, rows...)
	}
	return kept, nil
}

// ClaimStaleRuns claims for c up to limit unfinished runs whose lease ran
// out (their runner died, stalled or stopped), oldest first. Each such run
// is claimed by exactly one replica: the claim is the fence.
func (s *Store) ClaimStaleRuns(ctx context.Context, c RunClaim, limit int) ([]RunRow, error) {
	defer s.observe("claim_runs", clock.Start())
	q := s.d.rebind(s.d.now(fmt.Sprintf(claimStale, s.d.skipLocked)))
	rows, err := queryRows(ctx, s.w, scanRun, q, c.Runner, c.TTL.Milliseconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim runs: %w", err)
	}
	return rows, nil
}

// ReleaseRuns lets go of the unfinished runs runner holds, on a clean stop,
// so that another replica claims them at once rather than after the lease.
func (s *Store) ReleaseRuns(ctx context.Context, runner string) error {
	if _, err := s.w.ExecContext(ctx, s.d.rebind(releaseRuns), runner); err != nil {
		return fmt.Errorf("store: release runs: %w", err)
	}
	return nil
}

// runbookKey is the advisory lock key of a runbook's admission in this schema.
func (s *Store) runbookKey(runbook string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s.channel + "\x00runbook\x00" + runbook))
	return int64(h.Sum64())
}
