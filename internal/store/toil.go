package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// ToilEntryRow is a piece of toil a person logged: work Vigil cannot see.
type ToilEntryRow struct {
	ID             int64     `json:"id"`
	At             time.Time `json:"at"` // when the work started
	Minutes        int       `json:"minutes"`
	Person         string    `json:"person"`
	Service        string    `json:"service,omitempty"`
	Item           string    `json:"item,omitempty"`
	Text           string    `json:"text"`
	Source         string    `json:"source"`
	IdempotencyKey string    `json:"-"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// End is when the work ended.
func (e ToilEntryRow) End() time.Time { return e.At.Add(time.Duration(e.Minutes) * time.Minute) }

// DuplicateError says an entry was not added because it is already there:
// Field is "idempotency_key" for a retried request, "at" for the same work
// logged again over the same time.
type DuplicateError struct {
	Field    string
	Existing ToilEntryRow
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("duplicate of toil entry %d (%s)", e.Existing.ID, e.Field)
}

// ToilFilter selects logged entries; zero fields select everything.
type ToilFilter struct {
	From, To time.Time // at in [From, To)
	Person   string
	Service  string
	Item     string
	Limit    int // default 100, max 100000
}

const (
	toilCols   = `id, at_ms, minutes, person, service, item, text, source, idempotency_key, created_by, created_ms`
	insertToil = `INSERT INTO toil_entries (at_ms, minutes, person, service, item, text, source, idempotency_key,
		created_by, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + toilCols
	selectToil = `SELECT ` + toilCols + ` FROM toil_entries`
	// The same work over overlapping time: [at, at+minutes) of the two
	// intersect. An entry is at most a day long, which bounds the scan.
	selectOverlap = selectToil + ` WHERE person = ? AND item = ? AND text = ? AND at_ms > ? AND at_ms < ? ORDER BY id LIMIT 10`
	maxToilList   = 100000

	itemEditCols   = `item, impact, benefit, status, updated_by, updated_ms`
	upsertItemEdit = `INSERT INTO toil_item_edits (` + itemEditCols + `) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (item) DO UPDATE SET impact = excluded.impact, benefit = excluded.benefit, status = excluded.status,
		updated_by = excluded.updated_by, updated_ms = excluded.updated_ms`
	selectItemEdits = `SELECT ` + itemEditCols + ` FROM toil_item_edits ORDER BY item`
)

// AddToilEntry stores e with the id the store gives it (e.ID is ignored)
// and returns it as stored. It returns a *DuplicateError, and adds
// nothing, when an entry with the same non-empty IdempotencyKey exists, or
// when the same person logged the same text for the same item over an
// overlapping time. Text is stored as storable text (see SaveStep).
func (s *Store) AddToilEntry(ctx context.Context, e ToilEntryRow) (ToilEntryRow, error) {
	defer s.observe("add_toil_entry", clock.Start())
	e.Text = storableText(e.Text)
	var out ToilEntryRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if e.IdempotencyKey != "" {
			prev, err := scanToil(tx.QueryRowContext(ctx, s.d.rebind(selectToil+` WHERE idempotency_key = ?`), e.IdempotencyKey))
			if err == nil {
				return &DuplicateError{Field: "idempotency_key", Existing: prev}
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		// Candidates start less than a day before e and before e ends.
		near, err := queryRows(ctx, tx, scanToil, s.d.rebind(selectOverlap), e.Person, e.Item, e.Text,
			toMS(e.At.Add(-24*time.Hour)), toMS(e.End()))
		if err != nil {
			return err
		}
		for _, p := range near {
			if p.End().After(e.At) {
				return &DuplicateError{Field: "at", Existing: p}
			}
		}
		out, err = scanToil(tx.QueryRowContext(ctx, s.d.rebind(insertToil), toMS(e.At), e.Minutes, e.Person, e.Service,
			e.Item, e.Text, e.Source, e.IdempotencyKey, e.CreatedBy, toMS(e.CreatedAt)))
		return err
	})
	if err != nil && e.IdempotencyKey != "" {
		// Two requests with one key raced: the loser hit the unique index.
		if prev, qerr := scanToil(s.w.QueryRowContext(ctx, s.d.rebind(selectToil+` WHERE idempotency_key = ?`), e.IdempotencyKey)); qerr == nil {
			err = &DuplicateError{Field: "idempotency_key", Existing: prev}
		}
	}
	var dup *DuplicateError
	if errors.As(err, &dup) {
		return ToilEntryRow{}, dup
	}
	if err != nil {
		return ToilEntryRow{}, fmt.Errorf("store: add toil entry: %w", err)
	}
	return out, nil
}

// ToilEntries returns the logged entries f selects, oldest first.
func (s *Store) ToilEntries(ctx context.Context, f ToilFilter) ([]ToilEntryRow, error) {
	defer s.observe("toil_entries", clock.Start())
	var w conds
	w.eq(`person`, f.Person)
	w.eq(`service`, f.Service)
	w.eq(`item`, f.Item)
	w.at(`at_ms`, `>=`, f.From)
	w.at(`at_ms`, `<`, f.To)
	q := selectToil + w.sql() + ` ORDER BY at_ms, id LIMIT ?`
	rows, err := queryRows(ctx, s.r, scanToil, s.d.rebind(q), append(w.args, clampLimit(f.Limit, 100, maxToilList))...)
	if err != nil {
		return nil, fmt.Errorf("store: toil entries: %w", err)
	}
	return rows, nil
}

func scanToil(row scanner) (ToilEntryRow, error) {
	var e ToilEntryRow
	var at, created int64
	err := row.Scan(&e.ID, &at, &e.Minutes, &e.Person, &e.Service, &e.Item, &e.Text, &e.Source, &e.IdempotencyKey,
		&e.CreatedBy, &created)
	e.At, e.CreatedAt = fromMS(at), fromMS(created)
	return e, err
}

// ToilItemEdit is what people changed of a toil item's plan through the
// API. A nil field was never edited: the config's value stands.
type ToilItemEdit struct {
	Item      string    `json:"item"`
	Impact    *string   `json:"impact,omitempty"`
	Benefit   *string   `json:"benefit,omitempty"`
	Status    *string   `json:"status,omitempty"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// EditToilItem merges the set fields of e into the item's stored edits
// (fields left nil keep their earlier edit) and returns the result.
// Impact and Benefit are stored as storable text.
func (s *Store) EditToilItem(ctx context.Context, e ToilItemEdit) (ToilItemEdit, error) {
	defer s.observe("edit_toil_item", clock.Start())
	var out ToilItemEdit
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		prev, err := scanItemEdit(tx.QueryRowContext(ctx, s.d.rebind(`SELECT `+itemEditCols+` FROM toil_item_edits WHERE item = ?`), e.Item))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		out = ToilItemEdit{Item: e.Item, Impact: prev.Impact, Benefit: prev.Benefit, Status: prev.Status, UpdatedBy: e.UpdatedBy, UpdatedAt: e.UpdatedAt}
		if e.Impact != nil {
			v := storableText(*e.Impact)
			out.Impact = &v
		}
		if e.Benefit != nil {
			v := storableText(*e.Benefit)
			out.Benefit = &v
		}
		if e.Status != nil {
			out.Status = e.Status
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(upsertItemEdit), out.Item, nullString(out.Impact), nullString(out.Benefit),
			nullString(out.Status), out.UpdatedBy, toMS(out.UpdatedAt))
		return err
	})
	if err != nil {
		return ToilItemEdit{}, fmt.Errorf("store: edit toil item %s: %w", e.Item, err)
	}
	return out, nil
}

// ToilItemEdits returns every item's stored edits by item id.
func (s *Store) ToilItemEdits(ctx context.Context) (map[string]ToilItemEdit, error) {
	defer s.observe("toil_item_edits", clock.Start())
	rows, err := queryRows(ctx, s.r, scanItemEdit, selectItemEdits)
	if err != nil {
		return nil, fmt.Errorf("store: toil item edits: %w", err)
	}
	out := make(map[string]ToilItemEdit, len(rows))
	for _, r := range rows {
		out[r.Item] = r
	}
	return out, nil
}

func scanItemEdit(row scanner) (ToilItemEdit, error) {
	var e ToilItemEdit
	var impact, benefit, status sql.NullString
	var updated int64
	err := row.Scan(&e.Item, &impact, &benefit, &status, &e.UpdatedBy, &updated)
	e.Impact, e.Benefit, e.Status = stringPtr(impact), stringPtr(benefit), stringPtr(status)
	e.UpdatedAt = fromMS(updated)
	return e, err
}

func nullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

func stringPtr(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}
