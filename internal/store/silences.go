package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// SilenceRow is a silence as stored.
type SilenceRow struct {
	ID        string
	Matchers  []string
	StartsAt  time.Time
	EndsAt    time.Time
	CreatedBy string
	Comment   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const (
	silenceCols   = `id, matchers, starts_ms, ends_ms, created_by, comment, created_ms, updated_ms`
	upsertSilence = `INSERT INTO silences (` + silenceCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET matchers = excluded.matchers, starts_ms = excluded.starts_ms,
		ends_ms = excluded.ends_ms, comment = excluded.comment, updated_ms = excluded.updated_ms`
	selectSilences = `SELECT ` + silenceCols + ` FROM silences WHERE ends_ms > ? ORDER BY starts_ms, id`
	selectSilence  = `SELECT ` + silenceCols + ` FROM silences WHERE id = ?`
	silencePage    = `SELECT ` + silenceCols + ` FROM silences WHERE ends_ms > ? ORDER BY starts_ms DESC, id DESC LIMIT ?`
)

// PutSilence creates or replaces a silence.
func (s *Store) PutSilence(ctx context.Context, sl SilenceRow) error {
	defer s.observe("put_silence", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind(upsertSilence), sl.ID, jsonText(sl.Matchers, "[]"), toMS(sl.StartsAt),
			toMS(sl.EndsAt), sl.CreatedBy, sl.Comment, toMS(sl.CreatedAt), toMS(sl.UpdatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: put silence: %w", err)
	}
	return nil
}

// Silences returns the silences that end after since (pass the zero time for
// all of them), by start.
func (s *Store) Silences(ctx context.Context, since time.Time) ([]SilenceRow, error) {
	defer s.observe("silences", clock.Start())
	return s.querySilences(ctx, s.d.rebind(selectSilences), toMS(since))
}

// SilencePage returns at most limit silences that end after since (the zero
// time for all of them), the latest start first; limit is 1 to 1000, 100
// when 0.
func (s *Store) SilencePage(ctx context.Context, since time.Time, limit int) ([]SilenceRow, error) {
	defer s.observe("silence_page", clock.Start())
	return s.querySilences(ctx, s.d.rebind(silencePage), toMS(since), pageLimit(limit))
}

// Silence returns one silence. It returns ErrNotFound when there is none.
func (s *Store) Silence(ctx context.Context, id string) (SilenceRow, error) {
	rows, err := s.querySilences(ctx, s.d.rebind(selectSilence), id)
	if err != nil {
		return SilenceRow{}, err
	}
	if len(rows) == 0 {
		return SilenceRow{}, fmt.Errorf("store: silence %s: %w", id, ErrNotFound)
	}
	return rows[0], nil
}

func (s *Store) querySilences(ctx context.Context, q string, args ...any) ([]SilenceRow, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: silences: %w", err)
	}
	defer rows.Close()
	var out []SilenceRow
	for rows.Next() {
		var sl SilenceRow
		var matchers string
		var starts, ends, created, updated int64
		if err := rows.Scan(&sl.ID, &matchers, &starts, &ends, &sl.CreatedBy, &sl.Comment, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: silences: %w", err)
		}
		if err := json.Unmarshal([]byte(matchers), &sl.Matchers); err != nil {
			return nil, fmt.Errorf("store: silence %s: %w", sl.ID, err)
		}
		sl.StartsAt, sl.EndsAt, sl.CreatedAt, sl.UpdatedAt = fromMS(starts), fromMS(ends), fromMS(created), fromMS(updated)
		out = append(out, sl)
	}
	return out, rows.Err()
}
