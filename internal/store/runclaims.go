package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// Admission is what deciding on a run reads, inside the admission
// transaction: stored runs and the runbook's breaker.
type Admission struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Store
}

// Count counts the runs rc selects.
func (a Admission) Count(rc RunCount) (int, error) {
	cond, args := runWhere(rc)
	var n int
	err := a.tx.QueryRowContext(a.ctx, a.s.d.rebind(`SELECT COUNT(*) FROM runs`+cond), args...).Scan(&n)
	return n, err
}

// BreakerUntil is when runbook's circuit breaker closes; zero when it was
// never opened.
func (a Admission) BreakerUntil(runbook string) (time.Time, error) {
	return a.s.breakerUntil(a.ctx, a.tx, runbook)
}

// AdmitRun decides and stores a new run in one transaction that holds
// runbook's admission lock (a transaction-scoped advisory lock on Postgres;
// SQLite has one writer), so runs started together on any replicas cannot
// all see room for one more. decide reads through the Admission, inside
// the transaction, and returns the run to store, or nil to store nothing;
// its error rolls everything back. The stored run is claimed by c.
func (s *Store) AdmitRun(ctx context.Context, runbook string, c RunClaim, decide func(Admission) (*RunRow, error)) error {
	defer s.observe("admit_run", clock.Start())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.name == enginePostgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, s.runbookKey(runbook)); err != nil {
				return fmt.Errorf("store: admission lock of %s: %w", runbook, err)
			}
		}
		row, err := decide(Admission{ctx: ctx, tx: tx, s: s})
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

// BreakerUntil is when runbook's circuit breaker closes; zero when it was
// never opened.
func (s *Store) BreakerUntil(ctx context.Context, runbook string) (time.Time, error) {
	return s.breakerUntil(ctx, s.r, runbook)
}

func (s *Store) breakerUntil(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, runbook string) (time.Time, error) {
	var ms int64
	err := db.QueryRowContext(ctx, s.d.rebind(`SELECT open_until_ms FROM runbook_breakers WHERE runbook = ?`), runbook).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: breaker of %s: %w", runbook, err)
	}
	return fromMS(ms), nil
}

// OpenBreaker opens runbook's circuit breaker until until, unless it is
// open at now already. It reports whether this call opened it: of replicas
// seeing failures together, one does, and tells people.
func (s *Store) OpenBreaker(ctx context.Context, runbook string, now, until time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO runbook_breakers (runbook, open_until_ms) VALUES (?, ?)
		ON CONFLICT (runbook) DO UPDATE SET open_until_ms = excluded.open_until_ms WHERE runbook_breakers.open_until_ms <= ?`),
		runbook, toMS(until), toMS(now))
	if err != nil {
		return false, fmt.Errorf("store: open the breaker of %s: %w", runbook, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
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

// RenewedRun is a run whose claim was renewed, with the answer given to
// its current wait for approval, if any.
type RenewedRun struct {
	ID      string
	WaitGen int
	Answer  RunAnswer
}

// RenewRuns extends c's lease on the runs ids it executes and returns
// those that are still its own, with their answers; a run missing from the
// answer was claimed by another replica, and its runner must stop it.
func (s *Store) RenewRuns(ctx context.Context, ids []string, c RunClaim) ([]RenewedRun, error) {
	defer s.observe("renew_runs", clock.Start())
	var kept []RenewedRun
	for chunk := range slices.Chunk(ids, 500) {
		q := `UPDATE runs SET lease_until_ms = NOW_MS + ? WHERE runner = ? AND id IN (?` + strings.Repeat(",?", len(chunk)-1) +
			`) RETURNING id, wait_gen, answer, answered_by, answer_note`
		args := []any{c.TTL.Milliseconds(), c.Runner}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := queryRows(ctx, s.w, func(sc scanner) (RenewedRun, error) {
			var r RenewedRun
			return r, sc.Scan(&r.ID, &r.WaitGen, &r.Answer.Answer, &r.Answer.By, &r.Answer.Note)
		}, s.d.rebind(s.d.now(q)), args...)
		if err != nil {
			return nil, fmt.Errorf("store: renew runs: %w", err)
		}
		kept = append(kept, rows...)
	}
	return kept, nil
}

// AnswerRun records the answer to wait gen of run id, if the run is
// waiting for approval at that wait and nobody answered it first: it
// reports whether this answer is the one. Any replica may answer; the
// run's runner acts on it.
func (s *Store) AnswerRun(ctx context.Context, id string, gen int, a RunAnswer) (bool, error) {
	defer s.observe("answer_run", clock.Start())
	res, err := s.w.ExecContext(ctx, s.d.rebind(`UPDATE runs SET answer = ?, answered_by = ?, answer_note = ?
		WHERE id = ? AND status = '`+RunAwaiting+`' AND wait_gen = ? AND answer = ''`), a.Answer, storableText(a.By), storableText(a.Note), id, gen)
	if err != nil {
		return false, fmt.Errorf("store: answer run %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
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
func (s *Store) runbookKey(runbook string) int64 { return s.advisoryKey("runbook", runbook) }
