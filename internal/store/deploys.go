package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// DeployRow is one deploy of a service, as CI or a person reported it.
type DeployRow struct {
	ID          int64     `json:"id"`
	Service     string    `json:"service"`
	Version     string    `json:"version"`
	Environment string    `json:"environment"`
	Artifact    string    `json:"artifact,omitempty"`
	By          string    `json:"by,omitempty"`
	At          time.Time `json:"at"`
	Notes       string    `json:"notes,omitempty"`
}

const (
	deployCols   = `id, service, version, environment, artifact, deployed_by, at_ms, notes`
	insertDeploy = `INSERT INTO deploys (service, version, environment, artifact, deployed_by, at_ms, notes)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ` + deployCols
	selectDeploys = `SELECT ` + deployCols + ` FROM deploys`
)

// RecordDeploy stores a deploy with the id the store gives it (d.ID is
// ignored) and returns it as stored. Notes are stored as storable text (see
// SaveStep).
func (s *Store) RecordDeploy(ctx context.Context, d DeployRow) (DeployRow, error) {
	defer s.observe("record_deploy", clock.Start())
	var out DeployRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanDeploy(tx.QueryRowContext(ctx, s.d.rebind(insertDeploy), d.Service, d.Version, d.Environment,
			d.Artifact, d.By, toMS(d.At), storableText(d.Notes)))
		return err
	})
	if err != nil {
		return DeployRow{}, fmt.Errorf("store: record deploy of %s %s: %w", d.Service, d.Version, err)
	}
	return out, nil
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
	var where []string
	var args []any
	if service != "" {
		where, args = append(where, `service = ?`), append(args, service)
	}
	if !since.IsZero() {
		where, args = append(where, `at_ms >= ?`), append(args, toMS(since))
	}
	if !until.IsZero() {
		where, args = append(where, `at_ms < ?`), append(args, toMS(until))
	}
	q := selectDeploys
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY at_ms DESC, id DESC`
	if limit > 0 {
		q, args = q+` LIMIT ?`, append(args, limit)
	}
	rows, err := queryRows(ctx, s.r, scanDeploy, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: deploys: %w", err)
	}
	return rows, nil
}

func scanDeploy(row scanner) (DeployRow, error) {
	var d DeployRow
	var at int64
	err := row.Scan(&d.ID, &d.Service, &d.Version, &d.Environment, &d.Artifact, &d.By, &at, &d.Notes)
	d.At = fromMS(at)
	return d, err
}
