package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

const (
	unfinishedStatuses = `('` + RunPending + `', '` + RunRunning + `', '` + RunAwaiting + `')`
	claimRuns          = `UPDATE runs SET runner = ?, lease_until_ms = NOW_MS + ?
		WHERE id IN (SELECT id FROM runs WHERE status IN ` + unfinishedStatuses + ` AND runner <> ? AND (? OR lease_until_ms < NOW_MS)
		ORDER BY created_ms, id LIMIT ?%s) RETURNING ` + runCols
	renewRuns = `UPDATE runs SET lease_until_ms = NOW_MS + ? WHERE runner = ? AND status IN ` + unfinishedStatuses
)

// ClaimRuns makes runner the runner of up to limit unfinished runs that
// another replica ran and no longer renews (their lease ended on the
// database's clock), oldest first, for lease; with all, of every
// unfinished run that is not runner's already (one process starting alone
// on its database). Each run is claimed by one replica only; the claimer
// resumes it or marks it interrupted.
func (s *Store) ClaimRuns(ctx context.Context, runner string, lease time.Duration, all bool, limit int) ([]RunRow, error) {
	defer s.observe("claim_runs", clock.Start())
	var out []RunRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		q := s.d.rebind(s.d.now(fmt.Sprintf(claimRuns, s.d.skipLocked)))
		out, err = queryRows(ctx, tx, scanRun, q, runner, lease.Milliseconds(), runner, all, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim runs: %w", err)
	}
	return out, nil
}

// RenewRuns extends runner's lease on every unfinished run it runs.
func (s *Store) RenewRuns(ctx context.Context, runner string, lease time.Duration) error {
	defer s.observe("renew_runs", clock.Start())
	if _, err := s.w.ExecContext(ctx, s.d.rebind(s.d.now(renewRuns)), lease.Milliseconds(), runner); err != nil {
		return fmt.Errorf("store: renew runs: %w", err)
	}
	return nil
}

// Admission is what a runbook's guards read and write while a run is
// admitted: in one transaction, under a lock of the runbook's own, so runs
// started together on any replicas never all see room for one more.
type Admission struct {
	s   *Store
	ctx context.Context
	tx  *sql.Tx
}

// CountRuns counts as Store.CountRuns does, inside the admission.
func (a Admission) CountRuns(ctx context.Context, c RunCount) (int, error) {
	cond, args := runWhere(c)
	var n int
	if err := a.tx.QueryRowContext(ctx, a.s.d.rebind(`SELECT COUNT(*) FROM runs`+cond), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count runs: %w", err)
	}
	return n, nil
}

// LastAudit is when action was last audited for runbook; zero when never.
func (a Admission) LastAudit(ctx context.Context, runbook, action string) (time.Time, error) {
	var ms int64
	err := a.tx.QueryRowContext(ctx, a.s.d.rebind(`SELECT COALESCE(MAX(at_ms), 0) FROM audit_log WHERE runbook = ? AND action = ?`), runbook, action).Scan(&ms)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: last %s of %s: %w", action, runbook, err)
	}
	return fromMS(ms), nil
}

// SaveRun stores the admitted run.
func (a Admission) SaveRun(r RunRow) error { return a.s.saveRun(a.ctx, a.tx, r) }

// Admit runs fn in one transaction holding the runbook's admission lock (a
// transaction-scoped advisory lock on Postgres; SQLite has one writer). fn
// must use only the Admission for the store.
func (s *Store) Admit(ctx context.Context, runbook string, fn func(Admission) error) error {
	defer s.observe("admit_run", clock.Start())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.name == enginePostgres {
			h := fnv.New64a()
			h.Write([]byte(s.channel + "\x00runbook\x00" + runbook))
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64())); err != nil {
				return err
			}
		}
		return fn(Admission{s: s, ctx: ctx, tx: tx})
	})
}
