package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Report run statuses.
const (
	ReportClaimed  = "claimed"  // being rendered
	ReportRendered = "rendered" // the document is stored; not yet in the outbox
	ReportQueued   = "queued"   // in the outbox for every target
	ReportFailed   = "failed"   // could not be rendered; Error says why
)

// ReportRunRow is one run of a scheduled report: claimed for its scheduled
// time before anything is rendered, then kept as history.
type ReportRunRow struct {
	ID          int64           `json:"id"`
	Report      string          `json:"report"`
	Kind        string          `json:"kind"`
	ScheduledAt time.Time       `json:"scheduled_at"`
	From        time.Time       `json:"from"`
	To          time.Time       `json:"to"`
	Status      string          `json:"status"`
	ClaimedAt   time.Time       `json:"claimed_at"`
	FinishedAt  time.Time       `json:"finished_at,omitzero"`
	Title       string          `json:"title,omitempty"`
	Summary     string          `json:"summary,omitempty"`
	Document    string          `json:"-"` // Markdown
	Data        json.RawMessage `json:"-"`
	Targets     []string        `json:"targets"`
	Error       string          `json:"error,omitempty"`
}

const (
	reportRunCols   = `id, report, kind, scheduled_ms, from_ms, to_ms, status, claimed_ms, finished_ms, title, summary, document, data, targets, error`
	insertReportRun = `INSERT INTO report_runs (report, kind, scheduled_ms, from_ms, to_ms, status, claimed_ms, finished_ms,
		title, summary, document, data, targets, error) VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', '', '', '', ?, '')
		ON CONFLICT (report, scheduled_ms) DO NOTHING RETURNING ` + reportRunCols
	updateReportRun = `UPDATE report_runs SET status = ?, finished_ms = ?, title = ?, summary = ?, document = ?, data = ?, error = ?
		WHERE id = ?`
	reclaimReportRun = `UPDATE report_runs SET claimed_ms = ? WHERE id = ? AND claimed_ms = ? AND status IN ('` +
		ReportClaimed + `', '` + ReportRendered + `')`
	selectReportRuns = `SELECT ` + reportRunCols + ` FROM report_runs`
	selectLastRun    = `SELECT COALESCE(MAX(scheduled_ms), 0) FROM report_runs WHERE report = ?`
)

// ClaimReportRun stores r as claimed for its report and scheduled time and
// returns it with its id. ok is false, and nothing changes, when that
// report and time were claimed before: by this process before a restart,
// or by another replica.
func (s *Store) ClaimReportRun(ctx context.Context, r ReportRunRow) (ReportRunRow, bool, error) {
	defer s.observe("claim_report_run", clock.Start())
	var out ReportRunRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanReportRun(tx.QueryRowContext(ctx, s.d.rebind(insertReportRun), r.Report, r.Kind, toMS(r.ScheduledAt),
			toMS(r.From), toMS(r.To), ReportClaimed, toMS(r.ClaimedAt), jsonText(r.Targets, "[]")))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return ReportRunRow{}, false, nil
	}
	if err != nil {
		return ReportRunRow{}, false, fmt.Errorf("store: claim report %s at %v: %w", r.Report, r.ScheduledAt, err)
	}
	return out, true, nil
}

// ReclaimReportRun takes over an unfinished run whose claim was made at
// prev (a restart found it): ok is false when someone else took it over
// first, or it finished.
func (s *Store) ReclaimReportRun(ctx context.Context, id int64, prev, now time.Time) (bool, error) {
	defer s.observe("reclaim_report_run", clock.Start())
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(reclaimReportRun), toMS(now), id, toMS(prev))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: reclaim report run %d: %w", id, err)
	}
	return n == 1, nil
}

// FinishReportRun records how far a run got: its status, the rendered
// document and data, or the error. Text is stored as storable text.
func (s *Store) FinishReportRun(ctx context.Context, r ReportRunRow) error {
	defer s.observe("finish_report_run", clock.Start())
	data := string(r.Data)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind(updateReportRun), r.Status, toMS(r.FinishedAt), storableText(r.Title),
			storableText(r.Summary), storableText(r.Document), storableText(data), storableText(r.Error), r.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish report run %d: %w", r.ID, err)
	}
	return nil
}

// ReportRunFilter selects report runs; zero fields select everything.
type ReportRunFilter struct {
	Report   string
	Statuses []string
	Limit    int // default 100, max 1000
}

// ReportRuns returns the runs f selects, newest scheduled first.
func (s *Store) ReportRuns(ctx context.Context, f ReportRunFilter) ([]ReportRunRow, error) {
	defer s.observe("report_runs", clock.Start())
	var w conds
	w.eq(`report`, f.Report)
	w.in(`status`, f.Statuses)
	rows, err := queryRows(ctx, s.r, scanReportRun, s.d.rebind(selectReportRuns+w.sql()+` ORDER BY scheduled_ms DESC, id DESC LIMIT ?`),
		append(w.args, pageLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("store: report runs: %w", err)
	}
	return rows, nil
}

// ReportRun returns one run with its document. It returns ErrNotFound when
// there is none.
func (s *Store) ReportRun(ctx context.Context, id int64) (ReportRunRow, error) {
	defer s.observe("report_run", clock.Start())
	r, err := scanReportRun(s.r.QueryRowContext(ctx, s.d.rebind(selectReportRuns+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return ReportRunRow{}, fmt.Errorf("store: report run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ReportRunRow{}, fmt.Errorf("store: report run %d: %w", id, err)
	}
	return r, nil
}

// LastReportRun is the latest scheduled time report was claimed for; zero
// when it never ran.
func (s *Store) LastReportRun(ctx context.Context, report string) (time.Time, error) {
	defer s.observe("last_report_run", clock.Start())
	var ms int64
	if err := s.r.QueryRowContext(ctx, s.d.rebind(selectLastRun), report).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("store: last run of report %s: %w", report, err)
	}
	return fromMS(ms), nil
}

func scanReportRun(row scanner) (ReportRunRow, error) {
	var r ReportRunRow
	var scheduled, from, to, claimed, finished int64
	var data, targets string
	if err := row.Scan(&r.ID, &r.Report, &r.Kind, &scheduled, &from, &to, &r.Status, &claimed, &finished, &r.Title,
		&r.Summary, &r.Document, &data, &targets, &r.Error); err != nil {
		return ReportRunRow{}, err
	}
	if err := decodeJSONs(&r.Targets, targets); err != nil {
		return ReportRunRow{}, fmt.Errorf("targets of report run %d: %w", r.ID, err)
	}
	if data != "" {
		r.Data = json.RawMessage(data)
	}
	r.ScheduledAt, r.From, r.To, r.ClaimedAt, r.FinishedAt = fromMS(scheduled), fromMS(from), fromMS(to), fromMS(claimed), fromMS(finished)
	return r, nil
}
