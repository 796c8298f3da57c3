package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Run statuses.
const (
	RunPending     = "pending"           // accepted, not started
	RunAwaiting    = "awaiting_approval" // waits for an approval (guard or approve step)
	RunRunning     = "running"
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunRefused     = "refused"     // a guard refused it; Reason says which
	RunInterrupted = "interrupted" // Vigil stopped while it ran
	RunCanceled    = "canceled"    // approval expired or denied
)

// RunStatuses are every status a run can have, in the order a run may pass
// through them.
func RunStatuses() []string {
	return []string{RunPending, RunAwaiting, RunRunning, RunSucceeded, RunFailed, RunRefused, RunInterrupted, RunCanceled}
}

// RunRow is one run of a runbook.
type RunRow struct {
	ID                string            `json:"id"` // random, e.g. "r_7f3k..."; primary key
	Runbook           string            `json:"runbook"`
	Status            string            `json:"status"`
	Trigger           string            `json:"trigger"`                 // manual, alert, schedule, webhook, runbook
	TriggeredBy       string            `json:"triggered_by"`            // "token/cli", "alert/42", "schedule", "run/<id>"
	AlertID           int64             `json:"alert_id,omitempty"`      // 0 when none
	ParentRunID       string            `json:"parent_run_id,omitempty"` // set for a runbook step's child run
	Depth             int               `json:"depth"`
	Params            map[string]string `json:"params"`
	DryRun            bool              `json:"dry_run"`
	LockKey           string            `json:"lock_key"`
	Reason            string            `json:"reason,omitempty"` // why it was refused or failed
	ApprovedBy        string            `json:"approved_by,omitempty"`
	CreatedAt         time.Time         `json:"created_at"`
	StartedAt         time.Time         `json:"started_at,omitzero"`          // zero until started
	EndedAt           time.Time         `json:"ended_at,omitzero"`            // zero until ended
	ApprovalExpiresAt time.Time         `json:"approval_expires_at,omitzero"` // zero unless awaiting approval
	// Runner is the replica (cluster member id) executing the run, or that
	// last did; "" for a run no replica claimed (dry and refused runs).
	Runner string `json:"runner,omitempty"`
	// WaitGen numbers the run's waits for approval; the current one while
	// it is awaiting_approval.
	WaitGen int `json:"-"`
	// Answer is the answer given to wait WaitGen, not yet acted on by the
	// runner when the run still awaits approval.
	Answer RunAnswer `json:"-"`
}

// RunAnswer is an approval or denial of a run's wait.
type RunAnswer struct {
	Answer string // "approved" or "denied"; "" when none
	By     string
	Note   string
}

// StepRow is one step of a run (one row per step, updated in place; Attempt counts retries).
type StepRow struct {
	RunID      string    `json:"run_id"`
	Seq        int       `json:"seq"` // position in the runbook, from 0
	StepID     string    `json:"step_id"`
	Kind       string    `json:"kind"`   // run, shell, ssh, http, check, wait, approve, notify, cleanup, runbook
	Status     string    `json:"status"` // pending, running, ok, failed, skipped, interrupted, awaiting_approval
	Attempt    int       `json:"attempt"`
	ExitCode   int       `json:"exit_code"`
	HasExit    bool      `json:"has_exit"` // ExitCode is meaningful
	Stdout     string    `json:"stdout,omitempty"`
	Stderr     string    `json:"stderr,omitempty"`
	Detail     string    `json:"detail,omitempty"` // what ran: rendered argv, request, files; JSON or text
	Error      string    `json:"error,omitempty"`
	Idempotent bool      `json:"idempotent"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
}

// AuditRow is one entry of the append-only audit log.
type AuditRow struct {
	ID      int64     `json:"id"` // assigned by the store on append (autoincrement / identity)
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`  // token/ID, person/ID, alert/42, schedule, system
	Action  string    `json:"action"` // run.triggered, run.refused, run.approved, run.finished, config.reloaded, ...
	Runbook string    `json:"runbook,omitempty"`
	RunID   string    `json:"run_id,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// RunFilter selects runs for Runs; zero fields select everything.
type RunFilter struct {
	Runbook  string
	AlertID  int64
	Statuses []string
	Trigger  string // manual, alert, schedule, webhook or runbook
	RealOnly bool   // leave dry runs out
	Limit    int    // default 100, max 1000
}

// RunCount selects runs for CountRuns, as guards (rate limits, concurrency)
// ask; zero fields select everything.
type RunCount struct {
	Runbook  string
	Trigger  string    // "": any
	AlertID  int64     // 0: any
	LockKey  string    // "": any
	Since    time.Time // created at or after
	Statuses []string  // empty: any
	// RealOnly leaves dry runs out: they execute nothing, so they do not
	// count against a runbook's limits.
	RealOnly bool
}

const (
	runWriteCols = `id, runbook, status, trigger_kind, triggered_by, alert_id, parent_run_id, depth, params, dry_run,
		lock_key, reason, approved_by, created_ms, started_ms, ended_ms, approval_expires_ms, wait_gen`
	// The runner is set by admitting and claiming a run, the answer by
	// answering it, never by saving it.
	runCols   = runWriteCols + `, runner, answer, answered_by, answer_note`
	upsertRun = `INSERT INTO runs (` + runWriteCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET runbook = excluded.runbook, status = excluded.status,
		trigger_kind = excluded.trigger_kind, triggered_by = excluded.triggered_by, alert_id = excluded.alert_id,
		parent_run_id = excluded.parent_run_id, depth = excluded.depth, params = excluded.params,
		dry_run = excluded.dry_run, lock_key = excluded.lock_key, reason = excluded.reason,
		approved_by = excluded.approved_by, created_ms = excluded.created_ms, started_ms = excluded.started_ms,
		ended_ms = excluded.ended_ms, approval_expires_ms = excluded.approval_expires_ms,
		answer = CASE WHEN runs.wait_gen = excluded.wait_gen THEN runs.answer ELSE '' END,
		answered_by = CASE WHEN runs.wait_gen = excluded.wait_gen THEN runs.answered_by ELSE '' END,
		answer_note = CASE WHEN runs.wait_gen = excluded.wait_gen THEN runs.answer_note ELSE '' END,
		wait_gen = excluded.wait_gen`
	selectRuns       = `SELECT ` + runCols + ` FROM runs`
	selectUnfinished = selectRuns + ` WHERE status IN ('` + RunPending + `', '` + RunRunning + `', '` + RunAwaiting + `')
		ORDER BY created_ms, id`

	stepCols = `run_id, seq, step_id, kind, status, attempt, exit_code, has_exit, stdout, stderr, detail, error,
		idempotent, started_ms, ended_ms`
	upsertStep = `INSERT INTO run_steps (` + stepCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (run_id, seq) DO UPDATE SET step_id = excluded.step_id, kind = excluded.kind,
		status = excluded.status, attempt = excluded.attempt, exit_code = excluded.exit_code,
		has_exit = excluded.has_exit, stdout = excluded.stdout, stderr = excluded.stderr, detail = excluded.detail,
		error = excluded.error, idempotent = excluded.idempotent, started_ms = excluded.started_ms,
		ended_ms = excluded.ended_ms`
	selectSteps = `SELECT ` + stepCols + ` FROM run_steps WHERE run_id = ? ORDER BY seq`

	auditCols     = `id, at_ms, actor, action, runbook, run_id, detail`
	insertAudit   = `INSERT INTO audit_log (at_ms, actor, action, runbook, run_id, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	selectAudit   = `SELECT ` + auditCols + ` FROM audit_log WHERE at_ms >= ? ORDER BY at_ms, id LIMIT ?`
	selectRunLogs = `SELECT ` + auditCols + ` FROM audit_log WHERE run_id = ? ORDER BY at_ms, id`
)

// SaveRun inserts the run or replaces the stored row with the same ID. The
// row is durable when it returns. Reason is stored as storable text (see
// SaveStep). It returns an error for an empty ID.
func (s *Store) SaveRun(ctx context.Context, r RunRow) error {
	defer s.observe("save_run", clock.Start())
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.saveRun(ctx, tx, r) }); err != nil {
		return fmt.Errorf("store: save run %s: %w", r.ID, err)
	}
	return nil
}

// SaveStep inserts the step or replaces the stored one at the same RunID and
// Seq. Its run must have been saved. Stdout, Stderr, Detail and Error may be
// command output: NUL bytes and invalid UTF-8 (a byte cap can split a rune)
// become U+FFFD, which Postgres TEXT requires and SQLite stores alike.
func (s *Store) SaveStep(ctx context.Context, st StepRow) error {
	defer s.observe("save_step", clock.Start())
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.saveStep(ctx, tx, st) }); err != nil {
		return fmt.Errorf("store: save step %s/%d: %w", st.RunID, st.Seq, err)
	}
	return nil
}

// SaveRunAndStep saves a run and one of its steps in one transaction, so a
// crash never leaves the run's status disagreeing with its step's.
func (s *Store) SaveRunAndStep(ctx context.Context, r RunRow, st StepRow) error {
	defer s.observe("save_run_and_step", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.saveRun(ctx, tx, r); err != nil {
			return err
		}
		return s.saveStep(ctx, tx, st)
	})
	if err != nil {
		return fmt.Errorf("store: save run %s and step %d: %w", r.ID, st.Seq, err)
	}
	return nil
}

func (s *Store) saveRun(ctx context.Context, tx *sql.Tx, r RunRow) error {
	if r.ID == "" {
		return errors.New("empty run id")
	}
	_, err := tx.ExecContext(ctx, s.d.rebind(upsertRun), r.ID, r.Runbook, r.Status, r.Trigger, r.TriggeredBy, r.AlertID,
		r.ParentRunID, r.Depth, jsonText(r.Params, "{}"), r.DryRun, r.LockKey, storableText(r.Reason), r.ApprovedBy,
		toMS(r.CreatedAt), toMS(r.StartedAt), toMS(r.EndedAt), toMS(r.ApprovalExpiresAt), r.WaitGen)
	return err
}

func (s *Store) saveStep(ctx context.Context, tx *sql.Tx, st StepRow) error {
	if st.RunID == "" {
		return errors.New("empty run id")
	}
	_, err := tx.ExecContext(ctx, s.d.rebind(upsertStep), st.RunID, st.Seq, st.StepID, st.Kind, st.Status, st.Attempt,
		st.ExitCode, st.HasExit, storableText(st.Stdout), storableText(st.Stderr), storableText(st.Detail),
		storableText(st.Error), st.Idempotent, toMS(st.StartedAt), toMS(st.EndedAt))
	return err
}

// Run returns a run and its steps by Seq, read from one snapshot so that they
// agree. It returns ErrNotFound when there is no such run.
func (s *Store) Run(ctx context.Context, id string) (RunRow, []StepRow, error) {
	defer s.observe("run", clock.Start())
	var r RunRow
	var steps []StepRow
	err := s.inSnapshot(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = scanRun(tx.QueryRowContext(ctx, s.d.rebind(selectRuns+` WHERE id = ?`), id)); err != nil {
			return err
		}
		steps, err = queryRows(ctx, tx, scanStep, s.d.rebind(selectSteps), id)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return RunRow{}, nil, fmt.Errorf("store: run %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return RunRow{}, nil, fmt.Errorf("store: run %s: %w", id, err)
	}
	return r, steps, nil
}

// Runs returns the runs the filter selects, newest first.
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]RunRow, error) {
	defer s.observe("runs", clock.Start())
	cond, args := runWhere(RunCount{Runbook: f.Runbook, Trigger: f.Trigger, AlertID: f.AlertID, Statuses: f.Statuses, RealOnly: f.RealOnly})
	q := s.d.rebind(selectRuns + cond + ` ORDER BY created_ms DESC, id DESC LIMIT ?`)
	rows, err := queryRows(ctx, s.r, scanRun, q, append(args, pageLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	return rows, nil
}

// CountRuns returns how many runs c selects.
func (s *Store) CountRuns(ctx context.Context, c RunCount) (int, error) {
	defer s.observe("count_runs", clock.Start())
	cond, args := runWhere(c)
	var n int
	if err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM runs`+cond), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count runs: %w", err)
	}
	return n, nil
}

// UnfinishedRuns returns the runs that are pending, running or awaiting
// approval, oldest first: what a restart must settle.
func (s *Store) UnfinishedRuns(ctx context.Context) ([]RunRow, error) {
	defer s.observe("unfinished_runs", clock.Start())
	rows, err := queryRows(ctx, s.r, scanRun, selectUnfinished)
	if err != nil {
		return nil, fmt.Errorf("store: unfinished runs: %w", err)
	}
	return rows, nil
}

// runWhere returns the WHERE clause (or "") and its arguments for c's set fields.
func runWhere(c RunCount) (string, []any) {
	var w conds
	w.eq(`runbook`, c.Runbook)
	w.eq(`trigger_kind`, c.Trigger)
	if c.AlertID != 0 {
		w.add(`alert_id = ?`, c.AlertID)
	}
	w.eq(`lock_key`, c.LockKey)
	w.at(`created_ms`, `>=`, c.Since)
	w.in(`status`, c.Statuses)
	if c.RealOnly {
		w.add(`dry_run = ?`, false)
	}
	return w.sql(), w.args
}

// AppendAudit adds an entry to the audit log and returns the id the store
// gave it; a.ID is ignored. Ids only grow and are never reused. Detail is
// stored as storable text (see SaveStep).
func (s *Store) AppendAudit(ctx context.Context, a AuditRow) (int64, error) {
	defer s.observe("append_audit", clock.Start())
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.d.rebind(insertAudit), toMS(a.At), a.Actor, a.Action, a.Runbook, a.RunID,
			storableText(a.Detail)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: append audit %s: %w", a.Action, err)
	}
	return id, nil
}

// Audit returns up to limit entries at or after since, oldest first (by time,
// then by append order). limit <= 0 means 100; more than 1000 means 1000.
func (s *Store) Audit(ctx context.Context, since time.Time, limit int) ([]AuditRow, error) {
	defer s.observe("audit", clock.Start())
	rows, err := queryRows(ctx, s.r, scanAudit, s.d.rebind(selectAudit), toMS(since), pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	return rows, nil
}

// RunAudit returns every audit entry about one run, oldest first.
func (s *Store) RunAudit(ctx context.Context, runID string) ([]AuditRow, error) {
	defer s.observe("run_audit", clock.Start())
	rows, err := queryRows(ctx, s.r, scanAudit, s.d.rebind(selectRunLogs), runID)
	if err != nil {
		return nil, fmt.Errorf("store: audit of run %s: %w", runID, err)
	}
	return rows, nil
}

type scanner interface{ Scan(...any) error }

func scanRun(row scanner) (RunRow, error) {
	var r RunRow
	var params string
	var created, started, ended, expires int64
	if err := row.Scan(&r.ID, &r.Runbook, &r.Status, &r.Trigger, &r.TriggeredBy, &r.AlertID, &r.ParentRunID, &r.Depth,
		&params, &r.DryRun, &r.LockKey, &r.Reason, &r.ApprovedBy, &created, &started, &ended, &expires, &r.WaitGen, &r.Runner, &r.Answer.Answer, &r.Answer.By, &r.Answer.Note); err != nil {
		return RunRow{}, err
	}
	if err := decodeJSONs(&r.Params, params); err != nil {
		return RunRow{}, fmt.Errorf("params of run %s: %w", r.ID, err)
	}
	r.CreatedAt, r.StartedAt, r.EndedAt, r.ApprovalExpiresAt = fromMS(created), fromMS(started), fromMS(ended), fromMS(expires)
	return r, nil
}

func scanStep(row scanner) (StepRow, error) {
	var st StepRow
	var started, ended int64
	err := row.Scan(&st.RunID, &st.Seq, &st.StepID, &st.Kind, &st.Status, &st.Attempt, &st.ExitCode, &st.HasExit,
		&st.Stdout, &st.Stderr, &st.Detail, &st.Error, &st.Idempotent, &started, &ended)
	st.StartedAt, st.EndedAt = fromMS(started), fromMS(ended)
	return st, err
}

func scanAudit(row scanner) (AuditRow, error) {
	var a AuditRow
	var at int64
	err := row.Scan(&a.ID, &at, &a.Actor, &a.Action, &a.Runbook, &a.RunID, &a.Detail)
	a.At = fromMS(at)
	return a, err
}

// queryRows runs q on db (a pool or a transaction) and scans every row.
func queryRows[T any](ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// pageLimit applies the default (100) and the cap (1000) to a list's limit.
func pageLimit(n int) int { return clampLimit(n, 100, 1000) }

// storableText replaces NUL bytes and invalid UTF-8 with U+FFFD: Postgres TEXT
// rejects both, and both engines must store the same text.
func storableText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
