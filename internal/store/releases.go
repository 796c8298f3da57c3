package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vigil-sre/vigil/internal/clock"
)

var (
	// ErrReleaseExists is returned when a service already has a release of that version.
	ErrReleaseExists = errors.New("the service already has a release of that version")
	// ErrStatusChanged is returned when a release's status is no longer the one a change started from.
	ErrStatusChanged = errors.New("the release's status changed meanwhile")
)

// ReleaseRow is a release as stored. Details is the release package's JSON
// document, kept as given.
type ReleaseRow struct {
	ID         int64
	Service    string
	Name       string
	Version    string
	Status     string
	PlannedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Details    json.RawMessage
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ReleaseManifestRow is one deployment file of a release; Workloads and
// Findings are JSON documents of the release package.
type ReleaseManifestRow struct {
	Position  int
	Name      string
	Source    string
	Workloads json.RawMessage
	Findings  json.RawMessage
}

// ReleaseStatusRow is one status change of a release (From is "" for the first).
type ReleaseStatusRow struct {
	ReleaseID int64
	From      string
	To        string
	At        time.Time
	By        string
	Note      string
}

// ReleaseFilter selects releases; zero fields select everything.
type ReleaseFilter struct {
	Service string
	Status  []string
	Limit   int // default 100, max 1000
	Offset  int
}

const (
	releaseCols   = `id, service, name, version, status, planned_ms, started_ms, finished_ms, details, created_by, created_ms, updated_ms`
	insertRelease = `INSERT INTO releases (service, name, version, status, planned_ms, started_ms, finished_ms, details, created_by,
		created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + releaseCols
	selectReleases  = `SELECT ` + releaseCols + ` FROM releases`
	selectVersionID = `SELECT id FROM releases WHERE service = ? AND version = ?`
	insertManifest  = `INSERT INTO release_manifests (release_id, position, name, source, workloads, findings) VALUES (?, ?, ?, ?, ?, ?)`
	selectManifests = `SELECT position, name, source, workloads, findings FROM release_manifests WHERE release_id = ? ORDER BY position`
	insertStatus    = `INSERT INTO release_status (release_id, from_status, to_status, at_ms, actor, note) VALUES (?, ?, ?, ?, ?, ?)`
	selectStatus    = `SELECT release_id, from_status, to_status, at_ms, actor, note FROM release_status WHERE release_id = ? ORDER BY id`
	updateStatus    = `UPDATE releases SET status = ?, started_ms = ?, finished_ms = ?, updated_ms = ? WHERE id = ? AND status = ?`
	// The release before another of the same service: planned earlier, or
	// planned at the same time and recorded earlier.
	selectPrevious = selectReleases + ` WHERE service = ? AND (planned_ms < ? OR (planned_ms = ? AND id < ?))
		ORDER BY planned_ms DESC, id DESC LIMIT 1`
)

// CreateRelease stores a release (r.ID is ignored) with its deployment
// files and its first status, in one transaction, and returns it as stored.
// It returns ErrReleaseExists, and stores nothing, when the service already
// has a release of r.Version. Text is stored as storable text (see SaveStep).
func (s *Store) CreateRelease(ctx context.Context, r ReleaseRow, manifests []ReleaseManifestRow, first ReleaseStatusRow) (ReleaseRow, error) {
	defer s.observe("create_release", clock.Start())
	var out ReleaseRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, s.d.rebind(selectVersionID), r.Service, storableText(r.Version)).Scan(&id)
		if err == nil {
			return ErrReleaseExists
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if out, err = scanRelease(tx.QueryRowContext(ctx, s.d.rebind(insertRelease), r.Service, storableText(r.Name),
			storableText(r.Version), r.Status, toMS(r.PlannedAt), toMS(r.StartedAt), toMS(r.FinishedAt), rawText(r.Details, "{}"),
			storableText(r.CreatedBy), toMS(r.CreatedAt), toMS(r.UpdatedAt))); err != nil {
			return err
		}
		q := s.d.rebind(insertManifest)
		for i, m := range manifests {
			if _, err := tx.ExecContext(ctx, q, out.ID, i, storableText(m.Name), storableText(m.Source),
				rawText(m.Workloads, "[]"), rawText(m.Findings, "[]")); err != nil {
				return fmt.Errorf("manifest %d: %w", i, err)
			}
		}
		first.ReleaseID = out.ID
		return s.addStatus(ctx, tx, first)
	})
	if err != nil && !errors.Is(err, ErrReleaseExists) && uniqueViolation(err) {
		err = ErrReleaseExists // another writer recorded the same version first (Postgres replicas)
	}
	if err != nil {
		return ReleaseRow{}, fmt.Errorf("store: create release %s %s: %w", r.Service, r.Version, err)
	}
	return out, nil
}

// uniqueViolation reports whether err is a unique index refusing a row.
func uniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func rawText(b json.RawMessage, empty string) string {
	if len(b) == 0 {
		return empty
	}
	return storableText(string(b))
}

func (s *Store) addStatus(ctx context.Context, tx *sql.Tx, c ReleaseStatusRow) error {
	_, err := tx.ExecContext(ctx, s.d.rebind(insertStatus), c.ReleaseID, c.From, c.To, toMS(c.At), storableText(c.By), storableText(c.Note))
	return err
}

// Release returns one release, or ErrNotFound.
func (s *Store) Release(ctx context.Context, id int64) (ReleaseRow, error) {
	defer s.observe("release", clock.Start())
	r, err := scanRelease(s.r.QueryRowContext(ctx, s.d.rebind(selectReleases+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return ReleaseRow{}, fmt.Errorf("store: release %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ReleaseRow{}, fmt.Errorf("store: release %d: %w", id, err)
	}
	return r, nil
}

// ReleaseByVersion returns a service's release of a version, or ErrNotFound.
func (s *Store) ReleaseByVersion(ctx context.Context, service, version string) (ReleaseRow, error) {
	defer s.observe("release_by_version", clock.Start())
	r, err := scanRelease(s.r.QueryRowContext(ctx, s.d.rebind(selectReleases+` WHERE service = ? AND version = ?`), service, version))
	if errors.Is(err, sql.ErrNoRows) {
		return ReleaseRow{}, fmt.Errorf("store: release %s %s: %w", service, version, ErrNotFound)
	}
	if err != nil {
		return ReleaseRow{}, fmt.Errorf("store: release %s %s: %w", service, version, err)
	}
	return r, nil
}

// PreviousRelease returns the release of the same service planned before
// release id (among those planned at the same time, the one recorded
// before it), or ErrNotFound when id is the service's first.
func (s *Store) PreviousRelease(ctx context.Context, id int64) (ReleaseRow, error) {
	defer s.observe("previous_release", clock.Start())
	var prev ReleaseRow
	err := s.inSnapshot(ctx, func(tx *sql.Tx) error {
		cur, err := scanRelease(tx.QueryRowContext(ctx, s.d.rebind(selectReleases+` WHERE id = ?`), id))
		if err != nil {
			return err
		}
		at := toMS(cur.PlannedAt)
		prev, err = scanRelease(tx.QueryRowContext(ctx, s.d.rebind(selectPrevious), cur.Service, at, at, cur.ID))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return ReleaseRow{}, fmt.Errorf("store: release before %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ReleaseRow{}, fmt.Errorf("store: release before %d: %w", id, err)
	}
	return prev, nil
}

// Releases returns the releases the filter selects, newest planned first
// (the later recorded first among those planned at the same time).
func (s *Store) Releases(ctx context.Context, f ReleaseFilter) ([]ReleaseRow, error) {
	defer s.observe("releases", clock.Start())
	var w conds
	w.eq(`service`, f.Service)
	w.in(`status`, f.Status)
	q := selectReleases + w.sql() + ` ORDER BY planned_ms DESC, id DESC LIMIT ? OFFSET ?`
	rows, err := queryRows(ctx, s.r, scanRelease, s.d.rebind(q), append(w.args, pageLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, fmt.Errorf("store: releases: %w", err)
	}
	return rows, nil
}

// ReleaseDeploys returns the deploys of a service's version, newest first.
func (s *Store) ReleaseDeploys(ctx context.Context, service, version string) ([]DeployRow, error) {
	defer s.observe("release_deploys", clock.Start())
	rows, err := queryRows(ctx, s.r, scanDeploy, s.d.rebind(selectDeploys+` WHERE service = ? AND version = ? ORDER BY at_ms DESC, id DESC`), service, version)
	if err != nil {
		return nil, fmt.Errorf("store: deploys of %s %s: %w", service, version, err)
	}
	return rows, nil
}

// ReleaseManifests returns a release's deployment files in their order.
func (s *Store) ReleaseManifests(ctx context.Context, id int64) ([]ReleaseManifestRow, error) {
	defer s.observe("release_manifests", clock.Start())
	rows, err := queryRows(ctx, s.r, scanManifest, s.d.rebind(selectManifests), id)
	if err != nil {
		return nil, fmt.Errorf("store: manifests of release %d: %w", id, err)
	}
	return rows, nil
}

// ReleaseHistory returns a release's status changes, oldest first.
func (s *Store) ReleaseHistory(ctx context.Context, id int64) ([]ReleaseStatusRow, error) {
	defer s.observe("release_history", clock.Start())
	rows, err := queryRows(ctx, s.r, scanStatus, s.d.rebind(selectStatus), id)
	if err != nil {
		return nil, fmt.Errorf("store: history of release %d: %w", id, err)
	}
	return rows, nil
}

// SetReleaseStatus moves release c.ReleaseID from status c.From to c.To,
// with the started and finished times given (UpdatedAt becomes c.At), and
// records the change, in one
// transaction. It returns ErrNotFound when there is no such release and
// ErrStatusChanged when its status is no longer c.From, changing nothing.
func (s *Store) SetReleaseStatus(ctx context.Context, c ReleaseStatusRow, startedAt, finishedAt time.Time) error {
	defer s.observe("set_release_status", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(updateStatus), c.To, toMS(startedAt), toMS(finishedAt), toMS(c.At), c.ReleaseID, c.From)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var id int64
			if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT id FROM releases WHERE id = ?`), c.ReleaseID).Scan(&id); errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			} else if err != nil {
				return err
			}
			return ErrStatusChanged
		}
		return s.addStatus(ctx, tx, c)
	})
	if err != nil {
		return fmt.Errorf("store: release %d status %s → %s: %w", c.ReleaseID, c.From, c.To, err)
	}
	return nil
}

func scanRelease(row scanner) (ReleaseRow, error) {
	var r ReleaseRow
	var details string
	var planned, started, finished, created, updated int64
	if err := row.Scan(&r.ID, &r.Service, &r.Name, &r.Version, &r.Status, &planned, &started, &finished, &details,
		&r.CreatedBy, &created, &updated); err != nil {
		return ReleaseRow{}, err
	}
	r.Details = json.RawMessage(details)
	r.PlannedAt, r.StartedAt, r.FinishedAt = fromMS(planned), fromMS(started), fromMS(finished)
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return r, nil
}

func scanManifest(row scanner) (ReleaseManifestRow, error) {
	var m ReleaseManifestRow
	var workloads, findings string
	err := row.Scan(&m.Position, &m.Name, &m.Source, &workloads, &findings)
	m.Workloads, m.Findings = json.RawMessage(workloads), json.RawMessage(findings)
	return m, err
}

func scanStatus(row scanner) (ReleaseStatusRow, error) {
	var c ReleaseStatusRow
	var at int64
	err := row.Scan(&c.ReleaseID, &c.From, &c.To, &at, &c.By, &c.Note)
	c.At = fromMS(at)
	return c, err
}
