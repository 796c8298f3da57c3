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

// DeployRow is one deploy of a service, as CI or a person reported it,
// with its verification when the service has checks that verify deploys.
// The store keeps what it is given; the deploy package decides statuses.
type DeployRow struct {
	ID          int64     `json:"id"`
	Service     string    `json:"service"`
	Version     string    `json:"version"`
	Environment string    `json:"environment"`
	Artifact    string    `json:"artifact,omitempty"`
	By          string    `json:"by,omitempty"`
	At          time.Time `json:"at"`
	Notes       string    `json:"notes,omitempty"`
	// ReleaseID is the release the deploy carries; 0 for none.
	ReleaseID int64 `json:"release_id,omitempty"`
	// Status is how the deploy itself went: succeeded, failed, rolled_back.
	Status string `json:"status,omitempty"`
	// Commits are the changes the deploy brought, for lead time.
	Commits []Commit `json:"commits,omitempty"`
	// Source says where the record came from: api, or pagerduty/ID.
	Source       string        `json:"source,omitempty"`
	Verification *Verification `json:"verification,omitempty"`
}

// Commit is one change a deploy brought: its id and when it was made.
type Commit struct {
	SHA string    `json:"sha"`
	At  time.Time `json:"at"`
}

// Verification is the verdict of a deploy's acceptance checks.
type Verification struct {
	Status      string        `json:"status"` // pending, passed, failed
	Checks      []VerifyCheck `json:"checks"`
	Reason      string        `json:"reason,omitempty"`
	StartedAt   time.Time     `json:"started_at"`
	Deadline    time.Time     `json:"deadline"`
	ConcludedAt time.Time     `json:"concluded_at,omitzero"`
	// AlertID is the alert a failed verification raised.
	AlertID int64 `json:"alert_id,omitempty"`
	// RollbackRun is the run of the service's deploy.on_failure runbook.
	RollbackRun string `json:"rollback_run,omitempty"`
}

// VerifyCheck is one check's part in a verification.
type VerifyCheck struct {
	Check   string    `json:"check"`  // service/check
	Status  string    `json:"status"` // pending, passed, failed
	Results int       `json:"results"`
	Passes  int       `json:"passes"` // consecutive passing results, latest first
	Fails   int       `json:"fails"`  // consecutive failing results, latest first
	Last    string    `json:"last,omitempty"`
	Reason  string    `json:"reason,omitempty"` // why the latest failing result failed
	At      time.Time `json:"at,omitzero"`      // when the check's verdict came
}

// Verification statuses.
const (
	VerifyPending = "pending"
	VerifyPassed  = "passed"
	VerifyFailed  = "failed"
)

const (
	deployCols = `d.id, d.service, d.version, d.environment, d.artifact, d.deployed_by, d.at_ms, d.notes,
		d.release_id, d.status, d.commits, d.source,
		v.status, v.checks, v.reason, v.started_ms, v.deadline_ms, v.concluded_ms, v.alert_id, v.rollback_run`
	insertDeploy = `INSERT INTO deploys (service, version, environment, artifact, deployed_by, at_ms, notes,
		release_id, status, commits, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	insertVerification = `INSERT INTO deploy_verifications (deploy_id, status, checks, reason, started_ms, deadline_ms,
		concluded_ms, alert_id, rollback_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	saveVerification = `UPDATE deploy_verifications SET status = ?, checks = ?, reason = ?, concluded_ms = ?
		WHERE deploy_id = ? AND status = 'pending'`
	noteVerification = `UPDATE deploy_verifications SET alert_id = ?, rollback_run = ? WHERE deploy_id = ?`
	selectDeploys    = `SELECT ` + deployCols + ` FROM deploys d LEFT JOIN deploy_verifications v ON v.deploy_id = d.id`
	selectVerifiedIn = `SELECT DISTINCT d.environment FROM deploys d JOIN deploy_verifications v ON v.deploy_id = d.id
		WHERE d.service = ? AND d.version = ? AND v.status = 'passed'`
)

// RecordDeploy stores a deploy with the id the store gives it (d.ID is
// ignored) and, in the same transaction, its verification when it has one.
// It returns the deploy as stored. Notes are stored as storable text (see
// SaveStep).
func (s *Store) RecordDeploy(ctx context.Context, d DeployRow) (DeployRow, error) {
	defer s.observe("record_deploy", clock.Start())
	commits, err := encodeCommits(d.Commits)
	if err != nil {
		return DeployRow{}, err
	}
	d.Notes = storableText(d.Notes)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.d.rebind(insertDeploy), d.Service, d.Version, d.Environment, d.Artifact, d.By,
			toMS(d.At), d.Notes, d.ReleaseID, d.Status, commits, d.Source).Scan(&d.ID); err != nil {
			return err
		}
		v := d.Verification
		if v == nil {
			return nil
		}
		checks, err := json.Marshal(v.Checks)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(insertVerification), d.ID, v.Status, string(checks), storableText(v.Reason),
			toMS(v.StartedAt), toMS(v.Deadline), toMS(v.ConcludedAt), v.AlertID, v.RollbackRun)
		return err
	})
	if err != nil {
		return DeployRow{}, fmt.Errorf("store: record deploy of %s %s: %w", d.Service, d.Version, err)
	}
	return s.Deploy(ctx, d.ID)
}

// Deploy returns one deploy with its verification; ErrNotFound when there
// is no such deploy.
func (s *Store) Deploy(ctx context.Context, id int64) (DeployRow, error) {
	defer s.observe("deploy", clock.Start())
	d, err := scanDeploy(s.w.QueryRowContext(ctx, s.d.rebind(selectDeploys+` WHERE d.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return DeployRow{}, fmt.Errorf("store: deploy %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return DeployRow{}, fmt.Errorf("store: deploy %d: %w", id, err)
	}
	return d, nil
}

// Deploys returns the deploys of service ("" for every service) at or after
// since and before until, newest first (the later id first among those at the
// same time). A zero since or until leaves that end open.
func (s *Store) Deploys(ctx context.Context, service string, since, until time.Time) ([]DeployRow, error) {
	defer s.observe("deploys", clock.Start())
	return s.deploys(ctx, service, since, until, 0)
}

// DeployPage is Deploys for a list: at most limit deploys (1 to 1000, 100
// when 0).
func (s *Store) DeployPage(ctx context.Context, service string, since, until time.Time, limit int) ([]DeployRow, error) {
	defer s.observe("deploy_page", clock.Start())
	return s.deploys(ctx, service, since, until, pageLimit(limit))
}

// deploys reads deploys as Deploys describes; limit 0 means all.
func (s *Store) deploys(ctx context.Context, service string, since, until time.Time, limit int) ([]DeployRow, error) {
	var w conds
	w.eq(`d.service`, service)
	w.at(`d.at_ms`, `>=`, since)
	w.at(`d.at_ms`, `<`, until)
	q := selectDeploys + w.sql() + ` ORDER BY d.at_ms DESC, d.id DESC`
	args := w.args
	if limit > 0 {
		q, args = q+` LIMIT ?`, append(args, limit)
	}
	rows, err := queryRows(ctx, s.r, scanDeploy, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: deploys: %w", err)
	}
	return rows, nil
}

// PendingVerifications returns the deploys whose verification has no
// verdict yet, oldest first: what a start resumes.
func (s *Store) PendingVerifications(ctx context.Context) ([]DeployRow, error) {
	defer s.observe("pending_verifications", clock.Start())
	rows, err := queryRows(ctx, s.w, scanDeploy, s.d.rebind(selectDeploys+` WHERE v.status = 'pending' ORDER BY d.id`))
	if err != nil {
		return nil, fmt.Errorf("store: pending verifications: %w", err)
	}
	return rows, nil
}

// UnraisedFailures returns the deploys whose verification failed at or
// after since without an alert noted: a stop came between the verdict and
// its page, which a start raises then.
func (s *Store) UnraisedFailures(ctx context.Context, since time.Time) ([]DeployRow, error) {
	defer s.observe("unraised_failures", clock.Start())
	rows, err := queryRows(ctx, s.w, scanDeploy, s.d.rebind(selectDeploys+
		` WHERE v.status = 'failed' AND v.alert_id = 0 AND v.concluded_ms >= ? ORDER BY d.id`), toMS(since))
	if err != nil {
		return nil, fmt.Errorf("store: unraised failures: %w", err)
	}
	return rows, nil
}

// SaveVerification stores a verification's progress or verdict while it
// is still pending. It reports false, writing nothing, when the stored one
// has a verdict already, so that two deciders cannot both conclude it.
func (s *Store) SaveVerification(ctx context.Context, deployID int64, v Verification) (bool, error) {
	defer s.observe("save_verification", clock.Start())
	checks, err := json.Marshal(v.Checks)
	if err != nil {
		return false, err
	}
	res, err := s.w.ExecContext(ctx, s.d.rebind(saveVerification), v.Status, string(checks), storableText(v.Reason),
		toMS(v.ConcludedAt), deployID)
	if err != nil {
		return false, fmt.Errorf("store: save verification of deploy %d: %w", deployID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: save verification of deploy %d: %w", deployID, err)
	}
	return n == 1, nil
}

// NoteVerification records what a verification's verdict set off: the
// alert it raised and the rollback run it started.
func (s *Store) NoteVerification(ctx context.Context, deployID, alertID int64, rollbackRun string) error {
	defer s.observe("note_verification", clock.Start())
	if _, err := s.w.ExecContext(ctx, s.d.rebind(noteVerification), alertID, rollbackRun, deployID); err != nil {
		return fmt.Errorf("store: note verification of deploy %d: %w", deployID, err)
	}
	return nil
}

// VerifiedEnvironments returns the environments in which a deploy of the
// service's version passed verification, in name order.
func (s *Store) VerifiedEnvironments(ctx context.Context, service, version string) ([]string, error) {
	defer s.observe("verified_environments", clock.Start())
	rows, err := queryRows(ctx, s.r, func(row scanner) (string, error) {
		var env string
		return env, row.Scan(&env)
	}, s.d.rebind(selectVerifiedIn+` ORDER BY d.environment`), service, version)
	if err != nil {
		return nil, fmt.Errorf("store: verified environments of %s %s: %w", service, version, err)
	}
	return rows, nil
}

func scanDeploy(row scanner) (DeployRow, error) {
	var d DeployRow
	var at int64
	var commits string
	var vStatus, vChecks, vReason, vRun sql.NullString
	var vStarted, vDeadline, vConcluded, vAlert sql.NullInt64
	if err := row.Scan(&d.ID, &d.Service, &d.Version, &d.Environment, &d.Artifact, &d.By, &at, &d.Notes,
		&d.ReleaseID, &d.Status, &commits, &d.Source,
		&vStatus, &vChecks, &vReason, &vStarted, &vDeadline, &vConcluded, &vAlert, &vRun); err != nil {
		return DeployRow{}, err
	}
	d.At = fromMS(at)
	if commits != "" {
		var cs []Commit
		if err := json.Unmarshal([]byte(commits), &cs); err != nil {
			return DeployRow{}, fmt.Errorf("commits of deploy %d: %w", d.ID, err)
		}
		d.Commits = cs
	}
	if vStatus.Valid {
		v := &Verification{Status: vStatus.String, Reason: vReason.String, StartedAt: fromMS(vStarted.Int64),
			Deadline: fromMS(vDeadline.Int64), ConcludedAt: fromMS(vConcluded.Int64), AlertID: vAlert.Int64, RollbackRun: vRun.String}
		if err := json.Unmarshal([]byte(vChecks.String), &v.Checks); err != nil {
			return DeployRow{}, fmt.Errorf("verification of deploy %d: %w", d.ID, err)
		}
		d.Verification = v
	}
	return d, nil
}

// encodeCommits is the stored form of a deploy's commits, empty for none.
func encodeCommits(cs []Commit) (string, error) {
	if len(cs) == 0 {
		return "", nil
	}
	out := make([]Commit, len(cs))
	for i, c := range cs {
		out[i] = Commit{SHA: c.SHA, At: fromMS(toMS(c.At))} // to the millisecond, like every stored time
	}
	b, err := json.Marshal(out)
	return string(b), err
}
