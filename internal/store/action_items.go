package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// ActionItem is a follow-up an incident's review agreed on.
type ActionItem struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	Item       string    `json:"item"`
	Type       string    `json:"type"` // mitigate, prevent, process
	Owner      string    `json:"owner,omitempty"`
	Tracking   string    `json:"tracking,omitempty"` // link
	Status     string    `json:"status"`             // open, done, wontfix
	Due        time.Time `json:"due,omitzero"`
	Links      []string  `json:"links,omitempty"` // alert/42, check/shop/web, runbook/x
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

const (
	actionCols   = `id, incident_id, item, item_type, owner, tracking, status, due_ms, links, created_ms, updated_ms`
	insertAction = `INSERT INTO action_items (incident_id, item, item_type, owner, tracking, status, due_ms, links,
		created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + actionCols
	updateAction = `UPDATE action_items SET item = ?, item_type = ?, owner = ?, tracking = ?, status = ?,
		due_ms = ?, links = ?, updated_ms = ? WHERE id = ? AND incident_id = ? RETURNING ` + actionCols
	selectActions = `SELECT ` + actionCols + ` FROM action_items WHERE incident_id = ? ORDER BY id`
)

// SaveActionItem inserts a (a.ID == 0), with the id the store gives it, or
// updates the stored item a.ID of incident a.IncidentID (its incident and
// creation time never change). It returns the item as stored, and
// ErrNotFound when there is no such item of that incident, or no incident
// a.IncidentID. Item is stored as storable text.
func (s *Store) SaveActionItem(ctx context.Context, a ActionItem) (ActionItem, error) {
	defer s.observe("save_action_item", clock.Start())
	args := []any{a.IncidentID, storableText(a.Item), a.Type, a.Owner, a.Tracking, a.Status, toMS(a.Due),
		jsonText(a.Links, "[]"), toMS(a.CreatedAt), toMS(a.UpdatedAt)}
	var out ActionItem
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.incidentExists(ctx, tx, a.IncidentID); err != nil {
			return err
		}
		var err error
		if a.ID == 0 {
			out, err = scanAction(tx.QueryRowContext(ctx, s.d.rebind(insertAction), args...))
			return err
		}
		// An item stays with its incident, and keeps when it was created.
		out, err = scanAction(tx.QueryRowContext(ctx, s.d.rebind(updateAction), storableText(a.Item), a.Type, a.Owner, a.Tracking,
			a.Status, toMS(a.Due), jsonText(a.Links, "[]"), toMS(a.UpdatedAt), a.ID, a.IncidentID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return ActionItem{}, fmt.Errorf("store: save action item %d of incident %d: %w", a.ID, a.IncidentID, err)
	}
	return out, nil
}

// ActionItems returns an incident's action items, by id.
func (s *Store) ActionItems(ctx context.Context, incidentID int64) ([]ActionItem, error) {
	defer s.observe("action_items", clock.Start())
	rows, err := queryRows(ctx, s.r, scanAction, s.d.rebind(selectActions), incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: action items of incident %d: %w", incidentID, err)
	}
	return rows, nil
}

func scanAction(row scanner) (ActionItem, error) {
	var a ActionItem
	var links string
	var due, created, updated int64
	if err := row.Scan(&a.ID, &a.IncidentID, &a.Item, &a.Type, &a.Owner, &a.Tracking, &a.Status, &due, &links,
		&created, &updated); err != nil {
		return ActionItem{}, err
	}
	if err := decodeJSONs(&a.Links, links); err != nil {
		return ActionItem{}, fmt.Errorf("links of action item %d: %w", a.ID, err)
	}
	a.Due, a.CreatedAt, a.UpdatedAt = fromMS(due), fromMS(created), fromMS(updated)
	return a, nil
}
