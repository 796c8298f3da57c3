package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// OverrideRow is an on-call override made at run time, as stored.
type OverrideRow struct {
	ID        int64 // given by the store; a higher id is more recent
	Schedule  string
	Person    string
	Replacing string // "" when Person alone is on call
	StartsAt  time.Time
	EndsAt    time.Time
	Note      string
	SwapID    int64 // the id of the first half of the swap it belongs to; 0 when none
	CreatedBy string
	CreatedAt time.Time
}

// OverrideFilter selects overrides; zero fields select everything.
type OverrideFilter struct {
	Schedule string
	// EndsAfter and StartsBefore keep the overrides that overlap the window
	// between them.
	EndsAfter, StartsBefore time.Time
	Limit                   int // 1 to 10,000; 1,000 when 0
}

// OverrideEnd ends an override early: at At, or, when At is not after its
// start, removes it.
type OverrideEnd struct {
	ID int64
	At time.Time
}

const (
	overrideCols   = `id, schedule, person, replacing, starts_ms, ends_ms, note, swap_id, created_by, created_ms`
	insertOverride = `INSERT INTO oncall_overrides (schedule, person, replacing, starts_ms, ends_ms, note, swap_id, created_by, created_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	setSwap          = `UPDATE oncall_overrides SET swap_id = ? WHERE id = ?`
	selectOverride   = `SELECT ` + overrideCols + ` FROM oncall_overrides WHERE id = ?`
	endOverride      = `UPDATE oncall_overrides SET ends_ms = ? WHERE id = ? AND starts_ms < ? AND ends_ms > ?`
	deleteOverride   = `DELETE FROM oncall_overrides WHERE id = ? AND starts_ms >= ?`
	maxOverridesPage = 10000
)

// AddOverrides stores overrides, and the audit entry audit makes of them
// once they have their ids, in one transaction, and returns them with their
// ids. Two or more make a swap: each gets the first one's id as its SwapID.
func (s *Store) AddOverrides(ctx context.Context, rows []OverrideRow, audit func([]OverrideRow) AuditRow) ([]OverrideRow, error) {
	defer s.observe("add_overrides", clock.Start())
	out := append([]OverrideRow(nil), rows...)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range out {
			o := &out[i]
			o.SwapID = 0
			if i > 0 {
				o.SwapID = out[0].ID
			}
			err := tx.QueryRowContext(ctx, s.d.rebind(insertOverride), o.Schedule, o.Person, o.Replacing, toMS(o.StartsAt),
				toMS(o.EndsAt), storableText(o.Note), o.SwapID, o.CreatedBy, toMS(o.CreatedAt)).Scan(&o.ID)
			if err != nil {
				return err
			}
		}
		if len(out) > 1 {
			out[0].SwapID = out[0].ID
			if _, err := tx.ExecContext(ctx, s.d.rebind(setSwap), out[0].ID, out[0].ID); err != nil {
				return err
			}
		}
		return s.auditIn(ctx, tx, audit(out))
	})
	if err != nil {
		return nil, fmt.Errorf("store: add overrides: %w", err)
	}
	return out, nil
}

// EndOverrides cuts overrides short, or removes those not yet begun, and
// appends audit, in one transaction. An override already over by then is
// left as it is.
func (s *Store) EndOverrides(ctx context.Context, ends []OverrideEnd, audit AuditRow) error {
	defer s.observe("end_overrides", clock.Start())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range ends {
			at := toMS(e.At)
			if _, err := tx.ExecContext(ctx, s.d.rebind(endOverride), at, e.ID, at, at); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.d.rebind(deleteOverride), e.ID, at); err != nil {
				return err
			}
		}
		return s.auditIn(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("store: end overrides: %w", err)
	}
	return nil
}

// Override returns one override, or ErrNotFound.
func (s *Store) Override(ctx context.Context, id int64) (OverrideRow, error) {
	defer s.observe("override", clock.Start())
	o, err := scanOverride(s.r.QueryRowContext(ctx, s.d.rebind(selectOverride), id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("store: override %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("store: override %d: %w", id, err)
	}
	return o, nil
}

// Overrides returns the overrides f selects, by start, then id.
func (s *Store) Overrides(ctx context.Context, f OverrideFilter) ([]OverrideRow, error) {
	defer s.observe("overrides", clock.Start())
	var w conds
	w.eq(`schedule`, f.Schedule)
	w.at(`ends_ms`, `>`, f.EndsAfter)
	w.at(`starts_ms`, `<`, f.StartsBefore)
	q := `SELECT ` + overrideCols + ` FROM oncall_overrides` + w.sql() + ` ORDER BY starts_ms, id LIMIT ?`
	rows, err := queryRows(ctx, s.r, scanOverride, s.d.rebind(q), append(w.args, clampLimit(f.Limit, 1000, maxOverridesPage))...)
	if err != nil {
		return nil, fmt.Errorf("store: overrides: %w", err)
	}
	return rows, nil
}

// SwapHalves returns the overrides of swap id, by id.
func (s *Store) SwapHalves(ctx context.Context, swap int64) ([]OverrideRow, error) {
	defer s.observe("swap_halves", clock.Start())
	rows, err := queryRows(ctx, s.r, scanOverride, s.d.rebind(`SELECT `+overrideCols+` FROM oncall_overrides WHERE swap_id = ? ORDER BY id`), swap)
	if err != nil {
		return nil, fmt.Errorf("store: swap %d: %w", swap, err)
	}
	return rows, nil
}

// auditIn appends an audit entry within tx; one with no action is skipped.
func (s *Store) auditIn(ctx context.Context, tx *sql.Tx, a AuditRow) error {
	if a.Action == "" {
		return nil
	}
	var id int64
	return tx.QueryRowContext(ctx, s.d.rebind(insertAudit), toMS(a.At), a.Actor, a.Action, a.Runbook, a.RunID,
		storableText(a.Detail)).Scan(&id)
}

func scanOverride(row scanner) (OverrideRow, error) {
	var o OverrideRow
	var starts, ends, created int64
	err := row.Scan(&o.ID, &o.Schedule, &o.Person, &o.Replacing, &starts, &ends, &o.Note, &o.SwapID, &o.CreatedBy, &created)
	o.StartsAt, o.EndsAt, o.CreatedAt = fromMS(starts), fromMS(ends), fromMS(created)
	return o, err
}
